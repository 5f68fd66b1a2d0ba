/*
 * Fuzz the JWK parser (the operator's vault-key and every "epk" of a
 * JWE go through it). An accepted key must write out and parse back to
 * the same point and thumbprint.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct jose_key	k, again;
	struct buf	b;
	char		why[256];

	if (jose_jwk_parse((const char *)p, n, &k, why, sizeof(why)) != 0)
		return 0;
	buf_init(&b, JOSE_JWK_MAX, 1);
	if (jose_jwk_write(&k, 1, &b) != 0 ||
	    jose_jwk_parse((const char *)b.p, b.len, &again, why,
	    sizeof(why)) != 0 || memcmp(k.pub, again.pub, 65) != 0 ||
	    strcmp(k.kid, again.kid) != 0 || k.has_priv != again.has_priv)
		abort();
	buf_clear(&b);
	return 0;
}
