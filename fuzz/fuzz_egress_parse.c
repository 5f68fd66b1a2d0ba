/* Fuzz the egress rules parser; the input's last line doubles as a
 * request path checked against what was parsed. */
#include <stdint.h>
#include <stddef.h>

#include "egress.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct egress_rules	r = { 0 };
	char			err[256];

	if (egress_rules_parse(&r, (const char *)p, n, "fuzz", err,
	    sizeof(err)) == 0)
		(void)!egress_check(&r, "GET", "h", "/a/b?c=d");
	egress_rules_clear(&r);
	return 0;
}
