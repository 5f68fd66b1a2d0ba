/* Fuzz request paths against a fixed rule set, as a fetcher sends them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const char	rules[] = "GET $base /a/*/c\nPOST $base "
				    "/x/*:addRole\nGET $base /d/**\n"
				    "POST/read $scim /s/*/.search scim\n";
	struct egress_rules	r = { 0 };
	struct egress_req	q = { .method = "GET", .host = "h", .cred = "api",
				    .host_token = "$base", .primary = 1 };
	char			err[128], *path;

	if ((path = malloc(n + 1)) == NULL)
		return 0;
	memcpy(path, p, n);
	path[n] = '\0';
	if (egress_rules_parse(&r, rules, sizeof(rules) - 1, "r", err,
	    sizeof(err)) == 0) {
		q.path = path;
		(void)!egress_check(&r, &q, NULL);
		q.method = "POST", q.cred = "scim", q.host_token = "$scim";
		q.primary = 0;
		(void)!egress_check(&r, &q, NULL);
	}
	egress_rules_clear(&r);
	free(path);
	return 0;
}
