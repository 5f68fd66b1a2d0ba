/* Egress rules: parsing, path hygiene and matching, one row each. */
#include <stdio.h>
#include <string.h>

#include "egress.h"
#include "grammar.h"
#include "t.h"

static const char rules[] =
    "# test rules\n"
    "GET    $base /api/v2/orgs\n"
    "GET    $base /api/v2/orgs/*/users\n"
    "PATCH  $base /api/v2/orgs/*/users/*\n"
    "POST   $base /api/v2/orgs/*/users/*:addRole\n"
    "DELETE $base /api/v2/groups/*/databaseUsers/*/*\n"
    "GET    other.example.com /static/**\n"
    "POST   $base /api/oauth/token\n"
    "POST   $scim /scim/directory/*/Users scim\n"
    "GET    $base /both api,other\n"
    "POST   $base /broker/token -\n";

static const struct {
	const char	*name, *method, *host, *path;
	int		 want;
	const char	*cred, *token;	/* NULL: the primary on $base */
} rows[] = {
	{ "allows a listed path", "GET", "h", "/api/v2/orgs", 0, NULL, NULL },
	{ "allows a query string", "GET", "h",
	    "/api/v2/orgs/1/users?pageNum=1&itemsPerPage=500", 0, NULL, NULL },
	{ "* matches one segment", "GET", "h", "/api/v2/orgs/abc/users", 0, NULL, NULL },
	{ "* does not match two segments", "GET", "h",
	    "/api/v2/orgs/a/b/users", PC_E_POLICY, NULL, NULL },
	{ "* does not match an empty segment", "GET", "h",
	    "/api/v2/orgs//users", PC_E_POLICY, NULL, NULL },
	{ "method must match", "DELETE", "h", "/api/v2/orgs", PC_E_POLICY, NULL, NULL },
	{ "refuses a path outside the rules", "GET", "h", "/admin",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses a prefix of a rule", "GET", "h", "/api/v2", PC_E_POLICY, NULL, NULL },
	{ "refuses a longer path than the rule", "GET", "h",
	    "/api/v2/orgs/x", PC_E_POLICY, NULL, NULL },
	{ "*SUFFIX matches a segment ending in it", "POST", "h",
	    "/api/v2/orgs/o/users/u:addRole", 0, NULL, NULL },
	{ "*SUFFIX needs something before it", "POST", "h",
	    "/api/v2/orgs/o/users/:addRole", PC_E_POLICY, NULL, NULL },
	{ "*SUFFIX refuses another suffix", "POST", "h",
	    "/api/v2/orgs/o/users/u:removeRole", PC_E_POLICY, NULL, NULL },
	{ "allows %2F inside a segment", "DELETE", "h",
	    "/api/v2/groups/g/databaseUsers/%24external/arn%3Aaws%2Frole", 0, NULL, NULL },
	{ "refuses ..", "GET", "h", "/api/v2/orgs/../users", PC_E_POLICY, NULL, NULL },
	{ "refuses .", "GET", "h", "/api/v2/./orgs", PC_E_POLICY, NULL, NULL },
	{ "refuses %2e%2e", "GET", "h", "/api/v2/orgs/%2e%2e/users",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses %2E.", "GET", "h", "/api/v2/orgs/%2E./users",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses //", "GET", "h", "//api/v2/orgs", PC_E_POLICY, NULL, NULL },
	{ "refuses a backslash", "GET", "h", "/api/v2\\orgs", PC_E_POLICY, NULL, NULL },
	{ "refuses a fragment", "GET", "h", "/api/v2/orgs#x", PC_E_POLICY, NULL, NULL },
	{ "refuses a space", "GET", "h", "/api/v2/orgs x", PC_E_POLICY, NULL, NULL },
	{ "refuses a bad escape", "GET", "h", "/api/v2/orgs/%zz/users",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses an encoded NUL", "GET", "h", "/api/v2/orgs/a%00/users",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses a non-ASCII byte", "GET", "h", "/api/v2/orgs/\xc3\xa9/users",
	    PC_E_POLICY, NULL, NULL },
	{ "refuses a relative path", "GET", "h", "api/v2/orgs", PC_E_POLICY, NULL, NULL },
	{ "refuses a bad byte in the query", "GET", "h",
	    "/api/v2/orgs?a=b c", PC_E_POLICY, NULL, NULL },
	{ "refuses a bad escape in the query", "GET", "h", "/api/v2/orgs?a=%",
	    PC_E_POLICY, NULL, NULL },
	{ "literal host must match", "GET", "h", "/static/a.js", PC_E_POLICY, NULL, NULL },
	{ "literal host matches case-insensitively", "GET",
	    "Other.Example.com", "/static/a/b.js", 0, NULL, NULL },
	{ "** matches the rest", "GET", "other.example.com", "/static/x/y/z",
	    0, NULL, NULL },
	{ "** matches nothing more", "GET", "other.example.com", "/static",
	    0, NULL, NULL },
	{ "a credential on its own rule", "POST", "s",
	    "/scim/directory/d1/Users", 0, "scim", "$scim" },
	{ "the primary credential refused on another's rule", "POST", "s",
	    "/scim/directory/d1/Users", PC_E_POLICY, "api", "$scim" },
	{ "another credential refused on the primary's rule", "GET", "h",
	    "/api/v2/orgs", PC_E_POLICY, "scim", "$base" },
	{ "a rule's host token is its credential's host", "POST", "h",
	    "/scim/directory/d1/Users", PC_E_POLICY, "scim", "$base" },
	{ "a list of credentials: the first", "GET", "h", "/both", 0, NULL, NULL },
	{ "a list of credentials: the second", "GET", "h", "/both", 0,
	    "other", "$base" },
	{ "a list of credentials: not a third", "GET", "h", "/both",
	    PC_E_POLICY, "scim", "$base" },
	{ "- is the broker's own call only", "POST", "h", "/broker/token",
	    PC_E_POLICY, NULL, NULL },
	{ "- matches the broker's own call", "POST", "h", "/broker/token", 0,
	    "-", "$base" },
};

static int
check(const struct egress_rules *r, size_t i)
{
	struct egress_req	q;

	memset(&q, 0, sizeof(q));
	q.method = rows[i].method;
	q.host = rows[i].host;
	q.cred = rows[i].cred != NULL ? rows[i].cred : "api";
	q.host_token = rows[i].token != NULL ? rows[i].token : "$base";
	q.primary = rows[i].cred == NULL;
	q.path = rows[i].path;
	return egress_check(r, &q, NULL);
}

static const struct {
	const char	*name, *text, *err;
} file_rows[] = {
	{ "unknown method named with file:line", "GET $base /a\nPATCHX $base "
	    "/x\n", "e.rules:2: unknown method \"PATCHX\"" },
	{ "three fields required", "GET /a\n",
	    "e.rules:1: expected \"METHOD HOST PATH [CREDENTIALS]\"" },
	{ "at most four fields", "GET $base /a api b\n",
	    "e.rules:1: expected \"METHOD HOST PATH [CREDENTIALS]\"" },
	{ "credentials are names", "GET $base /a Api\n",
	    "e.rules:1: credentials \"Api\" are not a comma-separated list "
	    "of names, or -" },
	{ "no empty credential in a list", "GET $base /a api,,b\n",
	    "e.rules:1: credentials \"api,,b\" are not a comma-separated list "
	    "of names, or -" },
	{ "path must be absolute", "GET $base a\n",
	    "e.rules:1: path \"a\": must start with /" },
	{ "** only last", "GET $base /**/x\n",
	    "e.rules:1: path \"/**/x\": ** must be the last segment" },
	{ "no empty segment", "GET $base /a//b\n",
	    "e.rules:1: path \"/a//b\": empty segment" },
	{ "no query in a pattern", "GET $base /a?b\n",
	    "e.rules:1: path \"/a?b\": no query or fragment in a pattern" },
};

/* egress_rule_nearest: the line of the rule a refusal names. */
static const struct {
	const char	*name, *method, *path;
	unsigned	 line;
} near_rows[] = {
	{ "nearest: same method, most segments in common", "GET",
	    "/api/v2/orgs/1/teams", 3 },
	{ "nearest: the query does not count", "GET",
	    "/api/v2/orgs/1/teams?pageNum=2", 3 },
	{ "nearest: same method beats a closer path", "POST",
	    "/api/v2/orgs/1/users/2", 5 },
	{ "nearest: no rule for the method: the closest path", "PUT",
	    "/api/v2/orgs/1/users/2", 4 },
	{ "nearest: the method's first rule when nothing is in common",
	    "DELETE", "/x", 6 },
	{ "nearest: only rules for the request's host", "GET", "/static/a",
	    2 },
};

static unsigned
near_line(const struct egress_rules *r, const char *method, const char *path)
{
	struct egress_req		 q = { method, "h", "api", "$base", 1,
					    path };
	const struct egress_rule	*x = egress_rule_nearest(r, &q);

	return x != NULL ? x->line : 0;
}

/* A vendor id that goes into a path: exactly n lowercase hex digits. */
static void
test_hexid(void)
{
	t_int("hexid: 24 hex", gram_hexid_ok("0123456789abcdef01234567", 24), 1);
	t_int("hexid: 23", gram_hexid_ok("0123456789abcdef0123456", 24), 0);
	t_int("hexid: 25", gram_hexid_ok("0123456789abcdef012345678", 24), 0);
	t_int("hexid: upper case", gram_hexid_ok("0123456789ABCDEF01234567", 24),
	    0);
	t_int("hexid: a slash", gram_hexid_ok("0123456789abcdef0123/567", 24), 0);
	t_int("hexid: empty", gram_hexid_ok("", 24), 0);
	t_int("hexid: 20 (okta)", gram_hexid_ok("0123456789abcdef0123", 20), 1);
}

int
main(void)
{
	struct egress_rules	r = { 0 };
	char			err[256];
	size_t			i;

	t_init("test_egress");
	t_int("parses the rules", egress_rules_parse(&r, rules,
	    sizeof(rules) - 1, "t.rules", err, sizeof(err)), 0);
	t_int("ten rules", (long long)r.n, 10);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		t_int(rows[i].name, check(&r, i), rows[i].want);
	t_int("NULL rules fail closed", check(NULL, 0), PC_E_POLICY);
	for (i = 0; i < sizeof(near_rows) / sizeof(near_rows[0]); i++)
		t_int(near_rows[i].name, near_line(&r, near_rows[i].method,
		    near_rows[i].path), near_rows[i].line);
	t_int("nearest: none for no rules", near_line(NULL, "GET", "/a"), 0);
	egress_rules_clear(&r);
	for (i = 0; i < sizeof(file_rows) / sizeof(file_rows[0]); i++) {
		memset(&r, 0, sizeof(r));
		t_ok(egress_rules_parse(&r, file_rows[i].text,
		    strlen(file_rows[i].text), "e.rules", err, sizeof(err)) != 0
		    && strcmp(err, file_rows[i].err) == 0, file_rows[i].name,
		    "got \"%s\"", err);
		egress_rules_clear(&r);
	}
	test_hexid();
	return t_done();
}
