/*
 * TLV payloads: u16 tag, u32 length, value; big-endian. Every tag is
 * declared per message type (msgtags.h) with a kind, a maximum length and
 * whether it is required. Decoded values point into the payload.
 */
#ifndef PC_TLV_H
#define PC_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "pclimits.h"

enum tlv_kind {
	TK_U32 = 1,		/* exactly 4 bytes */
	TK_U64,			/* exactly 8 bytes */
	TK_STR,			/* text, no NUL byte */
	TK_BYTES		/* anything */
};

#define T_REQ		0x1	/* tag must be present */

struct tlv_spec {
	uint16_t	 tag;
	uint8_t		 kind;
	uint8_t		 flags;
	uint32_t	 max;
	const char	*name;
};

struct tlv_field {
	const uint8_t	*p;
	uint32_t	 len;
	uint8_t		 present;
};

struct tlv_fields {
	struct tlv_field f[TLV_MAX_TAG + 1];
	uint16_t	 bad_tag;	/* tag at fault after a failure */
	uint32_t	 bad_len;	/* its length, when that was the fault */
};

/*
 * Decode len bytes at p against spec (nspec rows) into out. Fields point
 * into p. Returns 0, or PC_E_SHORT, PC_E_TAG (unknown), PC_E_DUPTAG,
 * PC_E_TOOBIG (over the tag's max), PC_E_VALUE (wrong size for a number,
 * NUL in a string) or PC_E_MISSING; out->bad_tag names the tag.
 */
int	tlv_decode(const struct tlv_spec *spec, size_t nspec, const uint8_t *p,
	    size_t len, struct tlv_fields *out) PC_WUR;

int	tlv_has(const struct tlv_fields *f, unsigned tag);
/* PC_E_MISSING when absent; numbers were size-checked by tlv_decode. */
int	tlv_u32(const struct tlv_fields *f, unsigned tag, uint32_t *v) PC_WUR;
int	tlv_u64(const struct tlv_fields *f, unsigned tag, uint64_t *v) PC_WUR;
/*
 * Copy string tag into dst (NUL-terminated). An absent tag gives "" and
 * PC_E_MISSING; PC_E_TOOBIG when it does not fit in dstsz.
 */
int	tlv_str(const struct tlv_fields *f, unsigned tag, char *dst,
	    size_t dstsz) PC_WUR;
/* Allocate a NUL-terminated copy (free(3) it); NULL value when absent. */
int	tlv_strdup(const struct tlv_fields *f, unsigned tag, char **out) PC_WUR;
/* View of a value; len 0 and NULL when absent. */
const uint8_t *tlv_bytes(const struct tlv_fields *f, unsigned tag,
	    size_t *len);

/* Writers: append one field to b (whose ceiling bounds the message). */
int	tlv_add_u32(struct buf *b, unsigned tag, uint32_t v) PC_WUR;
int	tlv_add_u64(struct buf *b, unsigned tag, uint64_t v) PC_WUR;
int	tlv_add_str(struct buf *b, unsigned tag, const char *s) PC_WUR;
int	tlv_add_bytes(struct buf *b, unsigned tag, const void *p,
	    size_t len) PC_WUR;

#endif /* PC_TLV_H */
