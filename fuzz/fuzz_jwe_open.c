/*
 * Fuzz opening a sealed file (`portcullis vault open` reads files that
 * may have been altered): header decoding and checks, the epk, the
 * lengths. With a fixed key nothing random should ever authenticate.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_key[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"_rdPXhIREhL3-rA09YAkhNZgQPEir5DtDxm2kHCH7cA\","
    "\"y\":\"9qoI9_17M_iSdTEF5X1_xHFy8r27X3V_1xvVtAGg9NA\","
    "\"d\":\"WURAZhcQ6ujcDtzTQa3o_F_9hY4vKGM-A3YrfyE52aM\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct jose_key	k;
	static int		loaded;
	struct buf		pt;
	char			why[256];

	if (!loaded && jose_jwk_parse(fuzz_key, strlen(fuzz_key), &k, why,
	    sizeof(why)) != 0)
		abort();
	loaded = 1;
	buf_init(&pt, JOSE_JWE_MAX, 1);
	if (jose_open(&k, (const char *)p, n, &pt, why, sizeof(why)) != 0 &&
	    pt.len != 0)
		abort();	/* a refusal must not leave plaintext */
	buf_clear(&pt);
	return 0;
}
