/*
 * JOSE for the vault handoff: P-256 JWKs (RFC 7517, 7518 section 6.2,
 * thumbprints per RFC 7638) and JWE compact serialization (RFC 7516)
 * with exactly one suite: alg "ECDH-ES" (direct key agreement with an
 * ephemeral key, Concat KDF of RFC 7518 section 4.6) and enc "A256GCM".
 * A header asking for anything else is refused, never downgraded.
 *
 * The crypto is BearSSL's. base64url is ours: none of the listed
 * libraries exposes a codec (BearSSL's base64 lives inside its PEM
 * decoder, curl's is internal), and JOSE needs the unpadded URL
 * alphabet with strict decoding anyway.
 */
#ifndef PC_JOSE_H
#define PC_JOSE_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl/bearssl.h>

#include "buf.h"
#include "err.h"

#define JOSE_KID_LEN	43		/* base64url of a SHA-256 */
#define JOSE_JWK_MAX	8192		/* bytes of a key file */
#define JOSE_JWE_MAX	(256 * 1024)	/* bytes of a sealed file */

struct jose_key {
	uint8_t		pub[65];	/* 0x04 || x || y */
	uint8_t		priv[32];
	int		has_priv;
	char		kid[JOSE_KID_LEN + 1];
};

/* Encoded length of n bytes, without padding. */
size_t	jose_b64u_len(size_t n);
/* Encode n bytes into out (jose_b64u_len(n) + 1 bytes, NUL-ended). */
void	jose_b64u_enc(const uint8_t *p, size_t n, char *out);
/*
 * Strict decode: URL alphabet, no padding, no whitespace, unused bits
 * zero. PC_E_VALUE on any other input, PC_E_TOOBIG if out is short.
 */
int	jose_b64u_dec(const char *s, size_t n, uint8_t *out, size_t outsz,
	    size_t *outlen) PC_WUR;

/*
 * Parse a JWK (an EC P-256 key, public or private). Checks the point is
 * on the curve and that d, when present, is in range and matches x/y.
 * why gets one line on failure.
 */
int	jose_jwk_parse(const char *js, size_t len, struct jose_key *k,
	    char *why, size_t whysz) PC_WUR;
/* Write k as a JWK (with d when priv is set and k has it). */
int	jose_jwk_write(const struct jose_key *k, int priv, struct buf *b)
	    PC_WUR;
/* A fresh key pair from rng. */
int	jose_keygen(const br_prng_class **rng, struct jose_key *k) PC_WUR;
void	jose_key_wipe(struct jose_key *k);

/* Seal len bytes to the public key; out gets the compact JWE. */
int	jose_seal(const struct jose_key *to, const br_prng_class **rng,
	    const uint8_t *pt, size_t len, struct buf *out) PC_WUR;
/*
 * Open a compact JWE with the private key; pt (wipe it) gets the
 * plaintext only when the tag verifies.
 */
int	jose_open(const struct jose_key *k, const char *jwe, size_t len,
	    struct buf *pt, char *why, size_t whysz) PC_WUR;

#endif /* PC_JOSE_H */
