/* Config: file syntax, precedence flag > env > file, errors with file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "t.h"

static const struct {
	const char	*name, *text, *err;
} bad_rows[] = {
	{ "unknown option names file:line", "user = x\nbogus = 1\n",
	    "c.conf:2: unknown option \"bogus\"" },
	{ "missing = is a syntax error", "user x\n",
	    "c.conf:1: expected \"key = value\"" },
	{ "secret in a file is refused", "[app atlas]\nprivate-key = k\n",
	    "c.conf:2: \"private-key\" is not allowed in a file (use its -file "
	    "option or LoadCredential=)" },
	{ "global option in a section is refused", "[app atlas]\nuser = x\n",
	    "c.conf:2: \"user\" is global, not per app" },
	{ "unknown app section is refused", "[app nosuch]\n",
	    "c.conf:1: unknown app \"nosuch\" (see `portcullis capabilities`)" },
	{ "another app's option is refused", "[app demo]\npublic-key = x\n",
	    "c.conf:2: \"public-key\" is not an option of app demo" },
	{ "another app's secret file is refused",
	    "[app demo]\nprivate-key-file = /k\n",
	    "c.conf:2: \"private-key-file\" is not an option of app demo" },
	{ "app option outside a section is refused", "auth = none\n",
	    "c.conf:1: \"auth\" belongs in an [app NAME] section" },
	{ "bad section header", "[application a]\n",
	    "c.conf:1: expected \"[app NAME]\"" },
	{ "bad app name", "[app A B]\n", "c.conf:1: bad app name \"A B\"" },
	{ "unterminated quote", "user = \"x\n",
	    "c.conf:1: unterminated quote" },
	{ "command-line only option", "grant-entitlement = x\n",
	    "c.conf:1: \"grant-entitlement\" is not allowed in a file" },
	{ "--action is not a file option of an app without its own",
	    "[app atlassian]\naction = disable_user\n",
	    "c.conf:2: \"action\" is not allowed in a file" },
};

/* Booleans, lists from every source, implied values, flags
 * of other apps. */
static void
test_sources(void)
{
	struct config	 c;
	const char	*l[4], *where;
	int		 b;
	static const char	 maybe[] = "[app atlas]\nprovisioning = maybe\n";

	config_init(&c);
	t_int("a boolean word in a file is checked", config_parse(&c, maybe,
	    sizeof(maybe) - 1, "c.conf"), PC_E_VALUE);
	t_str("... file:line, expects true/false", c.err,
	    "c.conf:2: provisioning expects true/false, not \"maybe\"");
	config_clear(&c);
	config_init(&c);
	t_int("app = in the file", config_parse(&c, "app = atlas\n", 12,
	    "c.conf"), 0);
	setenv("BATON_APP", "confluence", 1);
	t_int("BATON_APP replaces app =", (long long)config_list(&c, NULL,
	    "app", l, 4), 1);
	t_str("... with its value", l[0], "confluence");
	t_int("--app", config_set_flag(&c, "app", NULL, "demo"), 0);
	t_int("--app demo --app atlas", config_set_flag(&c, "app", NULL,
	    "atlas"), 0);
	t_int("--app replaces BATON_APP, keeps both flags",
	    (long long)config_list(&c, NULL, "app", l, 4), 2);
	t_str("... in order", l[1], "atlas");
	unsetenv("BATON_APP");
	setenv("BATON_RESOLVE", "e:3:f", 1);
	t_int("a list without OPT_REPLACE adds the variable's value",
	    (long long)config_list(&c, "demo", "resolve", l, 4), 1);
	unsetenv("BATON_RESOLVE");
	t_int("implied", config_set_implied(&c, "provisioning", NULL, "true",
	    "implied by --revoke-grant"), 0);
	t_int("implied value read", config_bool(&c, "atlas", "provisioning",
	    &b), 0);
	t_int("... true", b, 1);
	(void)config_get(&c, "atlas", "provisioning", &where);
	t_str("... and where it came from", where, "implied by --revoke-grant");
	t_int("a secret cannot be implied", config_set_implied(&c,
	    "private-key", NULL, "x", "why"), PC_E_CONFIG);
	t_int("an app's option as a flag", config_set_flag(&c, "hostname",
	    NULL, "https://x"), 0);
	t_int("... of another app than the run's", config_check_flags(&c,
	    (const char *[]){ "atlas" }, 1), PC_E_CONFIG);
	t_str("... names the flag and the app", c.err, "--hostname: not an "
	    "option of app atlas (see `portcullis --help --app atlas`)");
	t_int("... of one of the run's apps", config_check_flags(&c,
	    (const char *[]){ "atlas", "confluence" }, 2), 0);
	config_clear(&c);
}

int
main(void)
{
	struct config	c;
	const char	*v, *where;
	size_t		i;
	int		b;
	static const char good[] =
	    "# comment\nuser = nobody\nbase-url = https://global\n"
	    "[app demo]\nbase-url = \"https://file\"\nresolve = a:1:b\n"
	    "resolve = c:2:d\nprovisioning = yes\napi-token-file = /t\n"
	    "[app atlas]\nprivate-key-file = /k\nvault-token-file = /v\n";

	t_init("test_config");
	/* An app's own option shadows the generic flag of its name. */
	config_init(&c);
	t_int("an app's own \"action\" in its section", config_parse(&c,
	    "[app sbxtest]\naction = open\n", 28, "c.conf"), 0);
	t_str("read as the app's", config_get(&c, "sbxtest", "action", NULL),
	    "open");
	t_ok(config_get(&c, NULL, "action", NULL) == NULL, "not the global "
	    "--action", "it is");
	config_clear(&c);
	/* Baton's older names: an option's alias variable. */
	unsetenv("BATON_ACCESS_TOKEN");
	setenv("BATON_API_TOKEN", "k", 1);
	t_ok(config_env_value("access-token", &v) != NULL &&
	    strcmp(v, "BATON_API_TOKEN") == 0, "BATON_API_TOKEN is "
	    "access-token's alias", "not found");
	unsetenv("BATON_API_TOKEN");
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		config_init(&c);
		t_ok(config_parse(&c, bad_rows[i].text, strlen(bad_rows[i].text),
		    "c.conf") != 0 && strcmp(c.err, bad_rows[i].err) == 0,
		    bad_rows[i].name, "got \"%s\"", c.err);
		config_clear(&c);
	}
	config_init(&c);
	t_int("good file parses", config_parse(&c, good, sizeof(good) - 1,
	    "c.conf"), 0);
	unsetenv("BATON_BASE_URL");
	t_str("app section beats global", config_get(&c, "demo", "base-url",
	    &where), "https://file");
	t_str("where names file:line", where, "c.conf:5");
	t_str("global applies to other apps", config_get(&c, "x", "base-url",
	    NULL), "https://global");
	setenv("BATON_BASE_URL", "https://env", 1);
	t_str("environment beats file", config_get(&c, "demo", "base-url",
	    &where), "https://env");
	t_str("environment source: the variable", where, "BATON_BASE_URL");
	t_int("flag accepted", config_set_flag(&c, "base-url", NULL,
	    "https://flag"), 0);
	t_str("flag beats environment", config_get(&c, "demo", "base-url",
	    NULL), "https://flag");
	unsetenv("BATON_BASE_URL");
	t_str("default when unset", config_get(&c, "demo", "timeout", NULL),
	    "120");
	t_int("list option keeps every value", (long long)config_list(&c,
	    "demo", "resolve", (const char *[4]){ 0 }, 4), 2);
	t_int("boolean yes", config_bool(&c, "demo", "provisioning", &b), 0);
	t_int("boolean value", b, 1);
	t_int("secret flag refused", config_set_flag(&c, "private-key", NULL,
	    "k"), PC_E_CONFIG);
	t_ok(strstr(c.err, "BATON_PRIVATE_KEY") != NULL,
	    "secret refusal names the variable", "got \"%s\"", c.err);
	t_int("unknown flag refused", config_set_flag(&c, "nope", NULL, "1"),
	    PC_E_CONFIG);
	setenv("BATON_PRIVATE_KEY", "k", 1);
	t_ok(config_get(&c, NULL, "private-key", NULL) == NULL,
	    "config_get never returns a secret", "it did");
	t_int("bad boolean flag refused", config_set_flag(&c, "dry-run", NULL,
	    "maybe"), PC_E_VALUE);
	t_str("... expects true/false", c.err,
	    "--dry-run expects true/false, not \"maybe\"");
	setenv("BATON_DRY_RUN", "maybe", 1);
	t_int("bad boolean variable refused", config_bool(&c, NULL, "dry-run",
	    &b), PC_E_VALUE);
	t_str("... naming the variable", c.err,
	    "BATON_DRY_RUN: dry-run expects true/false, not \"maybe\"");
	unsetenv("BATON_DRY_RUN");
	t_str("a secret's -file twin is an app option", config_get(&c, "atlas",
	    "private-key-file", NULL), "/k");
	t_str("a generic secret's -file twin too", config_get(&c, "atlas",
	    "vault-token-file", NULL), "/v");
	setenv("BATON_API_TOKEN", "alias-value", 1);
	t_ok(config_env_value("access-token", NULL) == NULL ||
	    strcmp(config_env_value("access-token", NULL), "alias-value") == 0,
	    "alias variable is read", "it was not");
	unsetenv("BATON_API_TOKEN");
	v = config_get(&c, NULL, "user", NULL);
	t_str("global value", v, "nobody");
	config_clear(&c);
	test_sources();
	return t_done();
}
