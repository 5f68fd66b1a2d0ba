/*
 * pcj: strict JSON over jsmn. jsmn only tokenizes and accepts invalid
 * documents; pcj caps size, token count and depth before and while jsmn
 * runs, then validates what jsmn skips (RFC 8259: one root spanning the
 * input, literals, numbers, escapes, surrogates, UTF-8, no duplicate
 * keys). Values are token indexes into the document; -1 means "none".
 * Vendor JSON reaches fetchers only through these functions.
 */
#ifndef PC_PCJ_H
#define PC_PCJ_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum pcj_type {
	PCJ_NONE = 0,		/* index -1 or out of range */
	PCJ_OBJECT,
	PCJ_ARRAY,
	PCJ_STRING,
	PCJ_NUMBER,
	PCJ_TRUE,
	PCJ_FALSE,
	PCJ_NULL
};

struct pcj_limits {
	size_t		max_bytes;	/* input size cap */
	unsigned	max_tokens;	/* token array cap */
	unsigned	max_depth;	/* nesting cap */
};

struct pcj_tok;			/* opaque, defined in pcj.c */

struct pcj_doc {
	const char	*js;		/* the caller's buffer, not copied */
	size_t		 len;
	struct pcj_tok	*tok;		/* owned, freed by pcj_free */
	unsigned	 ntok;
	int		 err;		/* PC_E_* of the failed parse, sticky */
	size_t		 off;		/* byte offset of the error */
	const char	*why;		/* static reason text */
};

/* Defaults: 32 MiB, 4 Mi tokens, depth 64 (see pcj.c for why). */
extern const struct pcj_limits pcj_default_limits;

/*
 * Parse len bytes at js into d. js must stay valid while d is used.
 * lim NULL means pcj_default_limits. Returns 0, or a PC_E_* code with
 * d->off and d->why set; d need not be freed after a failure but
 * pcj_free is safe either way.
 */
int		 pcj_parse(struct pcj_doc *d, const char *js, size_t len,
		    const struct pcj_limits *lim) PC_WUR;
void		 pcj_free(struct pcj_doc *d);

int		 pcj_root(const struct pcj_doc *d);
enum pcj_type	 pcj_type(const struct pcj_doc *d, int v);
/* Number of members of an object or elements of an array, else 0. */
unsigned	 pcj_count(const struct pcj_doc *d, int v);
/* Member value by key (exact unescaped match), -1 when absent. */
int		 pcj_get(const struct pcj_doc *d, int obj, const char *key);
/*
 * Iteration. For arrays: i = pcj_first(d, arr); i >= 0;
 * i = pcj_next(d, i). For objects pcj_first gives the first key;
 * its value is pcj_value(d, key), the next key pcj_next(d, key).
 */
int		 pcj_first(const struct pcj_doc *d, int v);
int		 pcj_next(const struct pcj_doc *d, int v);
int		 pcj_value(const struct pcj_doc *d, int key);

#define PCJ_STR_ID	0x1	/* refuse \u0000: the string names something */

/*
 * Unescape string v into out (size outsz, always NUL-terminated on
 * success); *outlen (may be NULL) gets the length without the NUL.
 * PC_E_TOOBIG if it does not fit, PC_E_VALUE if v is not a string or
 * (with PCJ_STR_ID) contains U+0000.
 */
int		 pcj_str(const struct pcj_doc *d, int v, char *out,
		    size_t outsz, size_t *outlen, unsigned flags) PC_WUR;
/* 1 when string v unescapes to exactly s, else 0. */
int		 pcj_str_eq(const struct pcj_doc *d, int v, const char *s);
/* Integer numbers only (no fraction/exponent); PC_E_RANGE on overflow. */
int		 pcj_int64(const struct pcj_doc *d, int v, int64_t *out) PC_WUR;
int		 pcj_uint64(const struct pcj_doc *d, int v, uint64_t *out) PC_WUR;
int		 pcj_bool(const struct pcj_doc *d, int v, int *out) PC_WUR;
int		 pcj_is_null(const struct pcj_doc *d, int v);
/* Raw bytes of token v (strings without quotes, escapes not decoded). */
const char	*pcj_raw(const struct pcj_doc *d, int v, size_t *len);

/*
 * Write value v as compact JSON into b (strings keep their escapes), so
 * that parse(dump(x)) dumps to the same bytes: the fuzz harness checks
 * that every accepted document round-trips. Recursion is bounded by the
 * depth cap the document was parsed with.
 */
int		 pcj_dump(const struct pcj_doc *d, int v, struct buf *b) PC_WUR;

#endif /* PC_PCJ_H */
