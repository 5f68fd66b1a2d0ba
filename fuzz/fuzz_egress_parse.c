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
	struct egress_req	q = { .method = "GET", .host = "h", .cred = "api",
				    .host_token = "$base", .primary = 1,
				    .path = "/a/b?c=d" };
	char			err[256];

	if (egress_rules_parse(&r, (const char *)p, n, "fuzz", err,
	    sizeof(err)) == 0) {
		(void)!egress_check(&r, &q, NULL);
		q.cred = "-", q.primary = 0, q.method = "POST";
		(void)!egress_check(&r, &q, NULL);
	}
	egress_rules_clear(&r);
	return 0;
}
