/*
 * Fuzz the strict JSON layer. Differential: every accepted document is
 * dumped, re-parsed and dumped again; the two dumps must be equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcj.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct pcj_doc	d1, d2;
	struct buf	b1, b2;

	if (pcj_parse(&d1, (const char *)p, n, NULL) != 0)
		return 0;
	buf_init(&b1, 2 * n + 16, 0);
	buf_init(&b2, 2 * n + 16, 0);
	if (pcj_dump(&d1, pcj_root(&d1), &b1) != 0 ||
	    pcj_parse(&d2, (const char *)b1.p, b1.len, NULL) != 0 ||
	    pcj_dump(&d2, pcj_root(&d2), &b2) != 0 || b1.len != b2.len ||
	    memcmp(b1.p, b2.p, b1.len) != 0)
		abort();
	pcj_free(&d2);
	pcj_free(&d1);
	buf_clear(&b1);
	buf_clear(&b2);
	return 0;
}
