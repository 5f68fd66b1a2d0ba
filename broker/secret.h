/*
 * Generated credentials. A fetcher that creates an account writes the
 * placeholder {{secret:NAME}} into its request body and names the slot
 * ("NAME:POLICY[:LENGTH]"); the broker checks the placeholder appears
 * exactly once and only in the body, generates the value from BearSSL's
 * HMAC-DRBG in locked memory, substitutes it after every policy check,
 * and scrubs it from the answer the fetcher gets back.
 */
#ifndef PC_SECRET_H
#define PC_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl/bearssl.h>

#include "err.h"
#include "pclimits.h"

#define SECRET_NAME_MAX		32
#define SECRET_LEN_MIN		PC_SECRET_LEN_MIN
#define SECRET_LEN_DEFAULT	24
#define SECRET_LEN_MAX		PC_SECRET_LEN_MAX
#define SECRET_BODY_MAX		(64 * 1024)	/* a body with a slot */
#define SECRET_REC_MAX		8192	/* the sealed JSON record */
#define SECRET_MARK		"{{secret:"
#define SECRET_MARK_LEN		9

struct secret_slot {
	char		 name[SECRET_NAME_MAX + 1];
	const struct secret_policy *policy;
	unsigned	 len;		/* 0: the app's configured length */
};

/* Where a placeholder sits in a body. */
struct secret_hit {
	size_t		 off, len;	/* the whole {{secret:NAME}} */
	size_t		 name_off, name_len;
};

/* Lock the state page and seed the DRBG from getrandom(2). Fatal on
 * failure: a broker without entropy must not create accounts. */
void	secret_init(void);
void	secret_clear(void);
/* The DRBG, for sealing keys and IVs. */
const br_prng_class **secret_rng(void);

/* Charset policies by name ("atlas-scram", "confluence", ...). */
const struct secret_policy *secret_policy_find(const char *name);
const char *secret_policy_name(const struct secret_policy *p);

/* Parse "NAME:POLICY[:LENGTH]". PC_E_VALUE with why set. */
int	secret_slot_parse(const char *spec, struct secret_slot *s, char *why,
	    size_t whysz) PC_WUR;
/*
 * Find every placeholder in p. Returns the count (up to max filled in
 * hits) or PC_E_VALUE for a malformed one (mark without a valid name
 * and closing braces).
 */
int	secret_scan(const uint8_t *p, size_t len, struct secret_hit *hits,
	    size_t max);
/* 1 when s holds the mark anywhere (for paths and headers). */
int	secret_mark_in(const char *s);

/*
 * Generate the value for slot (len characters, at least min) and write
 * body with the one placeholder at hit replaced into locked memory.
 * *out and *outlen stay valid until secret_forget().
 */
int	secret_fill(const struct secret_slot *slot, unsigned min,
	    const uint8_t *body, size_t len, const struct secret_hit *hit,
	    const uint8_t **out, size_t *outlen) PC_WUR;
/* The current value (NUL-terminated, locked), or NULL. */
const char *secret_value(void);
/* Wipe the current value and filled body. */
void	secret_forget(void);
/*
 * Replace every copy of the current value in p (len bytes, in place)
 * by "[redacted]"; returns the new length. A value is never shorter
 * than that text, so this never grows. Charsets hold no character JSON
 * must escape, so the value cannot hide behind an escape.
 */
size_t	secret_scrub(uint8_t *p, size_t len);

/*
 * The JSON object of n string members kv[i][0]: kv[i][1], where a NULL
 * value stands for the current secret, built in locked memory (wrap
 * puts it under "data" for Vault KV v2). Valid until secret_forget().
 */
int	secret_record(const char *const kv[][2], size_t n, int wrap,
	    const uint8_t **out, size_t *outlen) PC_WUR;

#endif /* PC_SECRET_H */
