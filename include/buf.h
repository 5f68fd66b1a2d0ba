/*
 * Bounded byte buffers and read cursors over untrusted bytes.
 *
 * struct rd reads: every getter checks what is left before it touches a
 * byte, consumes only on success and clears its output first (sshbuf).
 * struct buf writes: it takes its ceiling up front (curl dynbuf); past it
 * the buffer is wiped, freed and its error is sticky, so a partial body
 * is never relayed. Multi-byte integers are big-endian on the wire.
 */
#ifndef PC_BUF_H
#define PC_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct rd {			/* read cursor over bytes we do not trust */
	const uint8_t	*p;
	size_t		 left;
};

struct buf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;	/* allocated */
	size_t		 max;	/* ceiling set by buf_init */
	int		 err;	/* sticky: once set every append fails */
	int		 wipe;	/* explicit_bzero on growth and free */
};

/* Point r at len bytes of p. r does not own p. */
void	rd_init(struct rd *r, const void *p, size_t len);

/*
 * Take len bytes from r. On success *out points into r's storage and r
 * advances. On failure r does not move, *out is NULL, PC_E_SHORT.
 */
int	rd_bytes(struct rd *r, size_t len, const uint8_t **out) PC_WUR;
int	rd_u8(struct rd *r, uint8_t *v) PC_WUR;
int	rd_u16(struct rd *r, uint16_t *v) PC_WUR;
int	rd_u32(struct rd *r, uint32_t *v) PC_WUR;
int	rd_u64(struct rd *r, uint64_t *v) PC_WUR;
/* PC_E_TRAILING if bytes remain. */
int	rd_end(const struct rd *r) PC_WUR;

/*
 * Prepare b with a ceiling of max bytes; allocates nothing yet. With
 * wipe set, old storage is zeroed before it is released (secrets).
 */
void	buf_init(struct buf *b, size_t max, int wipe);
/* Release storage (zeroed first when wipe is set); b is reusable. */
void	buf_clear(struct buf *b);
/* Forget the contents but keep storage and ceiling. */
void	buf_reset(struct buf *b);
/*
 * Append len bytes. Returns 0, PC_E_TOOBIG past the ceiling or
 * PC_E_NOMEM; either error is sticky and the contents are released.
 */
int	buf_add(struct buf *b, const void *p, size_t len) PC_WUR;
int	buf_add_u8(struct buf *b, uint8_t v) PC_WUR;
int	buf_add_u16(struct buf *b, uint16_t v) PC_WUR;
int	buf_add_u32(struct buf *b, uint32_t v) PC_WUR;
int	buf_add_u64(struct buf *b, uint64_t v) PC_WUR;
int	buf_add_str(struct buf *b, const char *s) PC_WUR;
int	buf_printf(struct buf *b, const char *fmt, ...) PC_PRINTF(2, 3) PC_WUR;
/*
 * Make sure the contents are followed by a NUL (not counted in len) so
 * text can be handed to C string functions. Returns 0 or the error.
 */
int	buf_cstr(struct buf *b, const char **out) PC_WUR;

/*
 * Copy string s into dst (dstsz bytes, always NUL-terminated): 0, or
 * PC_E_TOOBIG with dst holding as much as fit. A bounded strcpy that
 * says when it cut, for fixed fields sized from msgtags.h.
 */
int	buf_scopy(char *dst, size_t dstsz, const char *s) PC_WUR;

/* *out = a * b; PC_E_RANGE on overflow. */
int	buf_mul(size_t a, size_t b, size_t *out) PC_WUR;

/* Big-endian helpers for fixed headers. */
void	buf_put_u32(uint8_t *p, uint32_t v);
uint32_t buf_get_u32(const uint8_t *p);

#endif /* PC_BUF_H */
