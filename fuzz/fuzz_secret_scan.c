/*
 * Fuzz the placeholder scanner and substitution with fetcher bodies:
 * hits must lie inside the body, a filled body must hold no mark where
 * the slot was, and scrubbing must remove every copy of the value.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_fill(const uint8_t *p, size_t n, const struct secret_hit *h)
{
	struct secret_slot	 s;
	const uint8_t		*out;
	uint8_t			*copy;
	size_t			 len;
	char			 why[128];
	const char		*v;

	if (secret_slot_parse("pw:default", &s, why, sizeof(why)) != 0 ||
	    h->name_len != 2 || memcmp(p + h->name_off, "pw", 2) != 0 ||
	    secret_fill(&s, 24, p, n, h, &out, &len) != 0)
		return;
	v = secret_value();
	if (len != n - h->len + 24 || memcmp(out + h->off, v, 24) != 0)
		abort();
	if ((copy = malloc(len)) == NULL)
		abort();
	memcpy(copy, out, len);
	len = secret_scrub(copy, len);
	if (memmem(copy, len, v, 24) != NULL)
		abort();
	free(copy);
	secret_forget();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static int		init;
	struct secret_hit	h[8];
	int			k, i;

	if (!init) {
		secret_init();
		init = 1;
	}
	if ((k = secret_scan(p, n, h, 8)) < 0)
		return 0;
	for (i = 0; i < k && i < 8; i++)
		if (h[i].off + h[i].len > n || h[i].name_off < h[i].off ||
		    h[i].name_off + h[i].name_len > h[i].off + h[i].len)
			abort();
	if (k == 1 && n <= SECRET_BODY_MAX)
		fuzz_fill(p, n, &h[0]);
	return 0;
}
