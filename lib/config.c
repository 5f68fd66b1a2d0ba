/*
 * Runs in: agent. Input: the config file and environment (operator's,
 * trusted but checked: every error names file:line).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps.h"
#include "config.h"

#define G	OPT_GLOBAL
#define A	OPT_APP
#define S	(OPT_SECRET | OPT_APP | OPT_GLOBAL)
#define B	OPT_BOOL
#define N	OPT_INT
#define P	OPT_POLICY

/*
 * Options of the run and of every app. What only one app has lives in
 * its descriptor (lib/apps_*.c), so this table never grows per app.
 */
const struct opt_def config_opts[] = {
	/* name				flags		default	help */
	{ "config",			G | OPT_NOFILE | P,	NULL,	"config file", NULL },
	{ "file",			G | A,	"sync.c1z",	"output .c1z path", NULL },
	{ "interval",			G | N,	"3600",	"service: seconds of sleep after each round", NULL },
	{ "keep",			G | N,	"0",	"service: previous output files kept (FILE.1 ..)", NULL },
	{ "app",			G | OPT_LIST | OPT_REPLACE, NULL, "app to run", NULL },
	{ "log-level",			G,	"info",	"error|warn|info|debug", NULL },
	{ "log-format",			G,	"console", "console|json", NULL },
	{ "quiet",			G | B,	"false", "no progress line on a terminal", NULL },
	{ "user",			G | P,	"portcullis", "unprivileged user", NULL },
	{ "libexec",			G | P,	NULL,	"fetcher directory", NULL },
	{ "namespaces",			G | P,	"auto",	"fetchers' own namespaces: auto|require|off", NULL },
	{ "explain",			G | B | OPT_NOFILE, "false", "policy: print what applies", NULL },
	{ "dry-run",			G | B,	"false", "print writes, send none", NULL },
	{ "provisioning",		G | A | B, "false", "allow writes", NULL },
	{ "read-only",			G | A | B, "false", "broker refuses writes", NULL },
	{ "max-writes",			G | A | N, "100", "writes per run", NULL },
	{ "approved-domains",		G | A,	NULL,	"email domains allowed", NULL },
	{ "vault",			G,	NULL,	"spool:DIR or vault:URL", NULL },
	{ "vault-key",			G,	NULL,	"operator public JWK", NULL },
	{ "vault-spool",		G,	NULL,	"spool for vault:URL fallback", NULL },
	{ "vault-token",		S,	NULL,	"Vault KV token", NULL },
	{ "audit-log",			G | P,	NULL,	"audit log path", NULL },
	{ "audit-format",		G,	"text",	"text|json", NULL },
	{ "grant-entitlement",		G | OPT_NOFILE, NULL, "entitlement id", NULL },
	{ "grant-principal",		G | OPT_NOFILE, NULL, "principal id", NULL },
	{ "grant-principal-type",	G | OPT_NOFILE, NULL, "principal type", NULL },
	{ "revoke-grant",		G | OPT_NOFILE, NULL, "grant id", NULL },
	{ "create-account-login",	G | OPT_NOFILE, NULL, "login", NULL },
	{ "create-account-email",	G | OPT_NOFILE, NULL, "email", NULL },
	{ "create-account-profile",	G | OPT_NOFILE, NULL, "profile JSON", NULL },
	{ "delete-resource",		G | OPT_NOFILE, NULL, "resource id", NULL },
	{ "delete-resource-type",	G | OPT_NOFILE, NULL, "resource type", NULL },
	{ "action",			G | OPT_NOFILE, NULL, "app action name", NULL },
	{ "arg",			G | OPT_NOFILE | OPT_LIST, NULL,
	    "action argument KEY=VALUE", NULL },
	/* Per app: transport and policy. */
	{ "base-url",			G | A,	NULL,	"API base URL", NULL },
	{ "auth",			A,	NULL,	"none|bearer|basic|digest|oauth2", NULL },
	{ "ca-file",			G | A | P,	NULL,	"extra CA bundle (PEM)", NULL },
	{ "allow-file",			A | P,	NULL,	"IP allowlist", NULL },
	{ "egress-file",		A | P,	NULL,	"egress rules", NULL },
	{ "policy-dir",			G | P,	NULL,	"policy directory", NULL },
	{ "resolve",			A | OPT_LIST | P, NULL, "host:port:addr pin", NULL },
	{ "proxy",			G | A | P,	NULL,	"HTTPS proxy URL", NULL },
	{ "connect-timeout",		G | A | N, "10", "seconds", NULL },
	{ "timeout",			G | A | N, "120", "seconds per request", NULL },
	{ "secret-length",		G | A | N, "24", "generated password length", NULL },
	{ "max-in-flight",		G | A | N, "8", "requests on the wire at once", NULL },
	{ "rate-limit",			A | OPT_LIST, NULL, "CLASS:PER-MINUTE override", NULL },
	/* Limits of a run: a hostile vendor or fetcher ends it, never hangs it. */
	{ "retry-after-max",		G | N,	"300",	"seconds a vendor may make us wait", NULL },
	{ "msg-timeout",		G | N,	"30",	"seconds for half a message", NULL },
	{ "stall-timeout",		G | N,	"600",	"seconds a fetcher may make no progress", NULL },
	{ "run-timeout",		G | N,	"21600", "seconds a run may take", NULL },
	{ "max-records",		G | N,	"20000000", "records per sync", NULL },
	{ "max-scratch-mb",		G | N,	"16384", "MiB of a sync's scratch database", NULL },
	{ "shrink-limit",		G | A | N, "50", "percent drop that keeps the old file", NULL },
	{ "accept-shrink",		G | B | OPT_NOFILE, "false", "publish a sync that shrank", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

#undef G
#undef A
#undef S
#undef B
#undef N
#undef P

/*
 * Every option in one list, made once: the rows above, each app's, and
 * the NAME-file twin of every secret (the path of the file holding it).
 */
#define CONFIG_MAX_OPTS		512
#define CONFIG_MAX_FILEOF	64

static const struct opt_def	*config_all[CONFIG_MAX_OPTS];
static size_t			 config_nall;
static struct opt_def		 config_fileof[CONFIG_MAX_FILEOF];
static char			 config_fileof_name[CONFIG_MAX_FILEOF][80];
static char			 config_fileof_help[CONFIG_MAX_FILEOF][96];

static void
config_all_add(const struct opt_def *d)
{
	size_t	i;

	/* Two apps may share an option (access-token): one row for both. */
	for (i = 0; i < config_nall; i++)
		if (strcmp(config_all[i]->name, d->name) == 0)
			return;
	if (config_nall >= CONFIG_MAX_OPTS)
		abort();	/* a build defect, caught by every test */
	config_all[config_nall++] = d;
}

static void
config_all_init(void)
{
	const struct opt_def	*d;
	size_t			 a, i, n, nf = 0;

	if (config_nall > 0)
		return;
	for (d = config_opts; d->name != NULL; d++)
		config_all_add(d);
	for (a = 0; apps[a] != NULL; a++)
		for (d = apps[a]->opts; d != NULL && d->name != NULL; d++)
			config_all_add(d);
	for (i = 0, n = config_nall; i < n && nf < CONFIG_MAX_FILEOF; i++) {
		if (!(config_all[i]->flags & OPT_SECRET))
			continue;
		(void)snprintf(config_fileof_name[nf], sizeof(config_fileof_name[nf]),
		    "%s-file", config_all[i]->name);
		(void)snprintf(config_fileof_help[nf], sizeof(config_fileof_help[nf]),
		    "file holding %s", config_all[i]->name);
		config_fileof[nf].name = config_fileof_name[nf];
		config_fileof[nf].flags = OPT_GLOBAL | OPT_APP | OPT_FILEOF;
		config_fileof[nf].help = config_fileof_help[nf];
		config_all_add(&config_fileof[nf++]);
	}
}

const struct opt_def *
config_opt_next(size_t *i)
{
	config_all_init();
	return *i < config_nall ? config_all[(*i)++] : NULL;
}

const struct opt_def *
config_opt_find(const char *name)
{
	const struct opt_def	*d;
	size_t			 i = 0;

	while ((d = config_opt_next(&i)) != NULL)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

void
config_clear(struct config *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->e[i].app);
		free(c->e[i].value);
		free(c->e[i].where);
	}
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static int
config_fail(struct config *c, int e, const char *fmt, ...)
    PC_PRINTF(3, 4);

static int
config_fail(struct config *c, int e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return e;
}

/* 1 true, 0 false, -1 neither (the spellings baton and OpenSSH take). */
static int
config_bool_word(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

int
config_is_bool_word(const char *v)
{
	return config_bool_word(v) >= 0;
}

static int
config_add(struct config *c, const struct opt_def *d, const char *app,
    const char *value, const char *where, int source)
{
	struct config_entry	*ne, *x;

	if (c->n >= CONFIG_MAX_ENTRIES)
		return config_fail(c, PC_E_TOOBIG, "%s: more than %d options",
		    where, CONFIG_MAX_ENTRIES);
	if ((ne = reallocarray(c->e, c->n + 1, sizeof(*ne))) == NULL)
		return config_fail(c, PC_E_NOMEM, "%s: out of memory", where);
	c->e = ne;
	x = &c->e[c->n];
	memset(x, 0, sizeof(*x));
	x->def = d;
	x->source = source;
	x->value = strdup(value);
	x->where = strdup(where);
	x->app = app != NULL ? strdup(app) : NULL;
	c->n++;
	if (x->value == NULL || x->where == NULL || (app != NULL &&
	    x->app == NULL))
		return config_fail(c, PC_E_NOMEM, "%s: out of memory", where);
	return 0;
}

static char *
config_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* "[app NAME]": NAME is [a-z0-9-]{1,63}. */
static int
config_section(struct config *c, char *s, char *app, size_t appsz,
    const char *where)
{
	size_t	n = strlen(s), i;

	if (n < 2 || s[n - 1] != ']' || strncmp(s, "[app ", 5) != 0)
		return config_fail(c, PC_E_SYNTAX, "%s: expected \"[app NAME]\"",
		    where);
	s[n - 1] = '\0';
	s = config_trim(s + 5);
	n = strlen(s);
	if (n == 0 || n >= appsz)
		return config_fail(c, PC_E_SYNTAX, "%s: bad app name", where);
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return config_fail(c, PC_E_SYNTAX, "%s: bad app name "
			    "\"%s\"", where, s);
	if (apps_find(s) == NULL)
		return config_fail(c, PC_E_CONFIG, "%s: unknown app \"%s\" "
		    "(see `portcullis capabilities`)", where, s);
	memcpy(app, s, n + 1);
	return 0;
}

static int
config_value(struct config *c, char *v, const char *where, char **out)
{
	size_t	n = strlen(v);

	if (n >= 2 && v[0] == '"') {
		if (v[n - 1] != '"')
			return config_fail(c, PC_E_SYNTAX, "%s: unterminated "
			    "quote", where);
		v[n - 1] = '\0';
		v++;
		if (strchr(v, '"') != NULL)
			return config_fail(c, PC_E_SYNTAX, "%s: quote inside "
			    "a quoted value", where);
	}
	if (strlen(v) >= CONFIG_MAX_VALUE)
		return config_fail(c, PC_E_TOOBIG, "%s: value longer than %d",
		    where, CONFIG_MAX_VALUE);
	*out = v;
	return 0;
}

/* Generic options go in any section; an app's only in its own. */
static int
config_opt_of(const char *app, const struct opt_def *d)
{
	const struct app_def	*a = apps_find(app);
	const struct opt_def	*g;
	char			 base[80];
	size_t			 n;

	for (g = config_opts; g->name != NULL; g++)
		if (g == d)
			return 1;
	if (a == NULL)
		return 0;
	(void)snprintf(base, sizeof(base), "%s", d->name);
	if ((d->flags & OPT_FILEOF) && (n = strlen(base)) > 5) {
		base[n - 5] = '\0';	/* "private-key-file" */
		if ((g = config_opt_find(base)) != NULL &&
		    g >= config_opts && g < config_opts +
		    sizeof(config_opts) / sizeof(config_opts[0]))
			return 1;	/* a generic secret's file */
	}
	return apps_opt(a, base) != NULL;
}

static int
config_line(struct config *c, char *line, char *app, size_t appsz,
    const char *where)
{
	const struct opt_def	*d;
	char			*s = config_trim(line), *eq, *key, *val = NULL;
	int			 e;

	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[')
		return config_section(c, s, app, appsz, where);
	if ((eq = strchr(s, '=')) == NULL)
		return config_fail(c, PC_E_SYNTAX, "%s: expected \"key = "
		    "value\"", where);
	*eq = '\0';
	key = config_trim(s);
	/* In an app's section its own option wins over a generic flag of
	 * the same name (sbxtest's "action" vs --action). */
	d = app[0] != '\0' && apps_find(app) != NULL ?
	    apps_opt(apps_find(app), key) : NULL;
	if (d == NULL && (d = config_opt_find(key)) == NULL)
		return config_fail(c, PC_E_CONFIG, "%s: unknown option \"%.64s\"",
		    where, key);
	if (d->flags & (OPT_NOFILE | OPT_SECRET))
		return config_fail(c, PC_E_CONFIG, "%s: \"%s\" is not allowed "
		    "in a file%s", where, key, (d->flags & OPT_SECRET) ?
		    " (use its -file option or LoadCredential=)" : "");
	if (app[0] != '\0' && !(d->flags & OPT_APP))
		return config_fail(c, PC_E_CONFIG, "%s: \"%s\" is global, not "
		    "per app", where, key);
	if (app[0] != '\0' && !config_opt_of(app, d))
		return config_fail(c, PC_E_CONFIG, "%s: \"%s\" is not an "
		    "option of app %s", where, key, app);
	if (app[0] == '\0' && !(d->flags & OPT_GLOBAL))
		return config_fail(c, PC_E_CONFIG, "%s: \"%s\" belongs in an "
		    "[app NAME] section", where, key);
	if ((e = config_value(c, config_trim(eq + 1), where, &val)) != 0)
		return e;
	if ((d->flags & OPT_BOOL) && config_bool_word(val) < 0)
		return config_fail(c, PC_E_VALUE, "%s: %s expects true/false, "
		    "not \"%.32s\"", where, key, val);
	return config_add(c, d, app[0] ? app : NULL, val, where,
	    CONFIG_SRC_FILE);
}

int
config_parse(struct config *c, const char *text, size_t len,
    const char *fname)
{
	char		line[CONFIG_MAX_LINE], where[512], app[64] = "";
	const char	*p = text, *end = text + len, *eol;
	size_t		n;
	unsigned	lineno = 0;
	int		e;

	if (len > CONFIG_MAX_FILE)
		return config_fail(c, PC_E_TOOBIG, "%s: larger than %d bytes",
		    fname, CONFIG_MAX_FILE);
	if (memchr(text, '\0', len) != NULL)
		return config_fail(c, PC_E_SYNTAX, "%s: NUL byte in file",
		    fname);
	while (p < end) {
		lineno++;
		(void)snprintf(where, sizeof(where), "%s:%u", fname, lineno);
		eol = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((eol != NULL ? eol : end) - p);
		if (n >= sizeof(line))
			return config_fail(c, PC_E_TOOBIG, "%s: line longer "
			    "than %zu", where, sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		if ((e = config_line(c, line, app, sizeof(app), where)) != 0)
			return e;
		p += n + (eol != NULL);
	}
	return 0;
}

int
config_load_file(struct config *c, const char *path)
{
	struct stat	 st;
	char		*text;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return config_fail(c, PC_E_SYS, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_MAX_FILE) {
		close(fd);
		return config_fail(c, PC_E_CONFIG, "%s: not a regular file of "
		    "at most %d bytes", path, CONFIG_MAX_FILE);
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return config_fail(c, PC_E_NOMEM, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size &&
	    (r = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	e = config_parse(c, text, got, path);
	free(text);
	return e;
}

int
config_set_flag(struct config *c, const char *name, const char *app,
    const char *value)
{
	const struct opt_def	*d;
	char			 where[128], env[128];

	(void)snprintf(where, sizeof(where), "--%s", name);
	if ((d = config_opt_find(name)) == NULL)
		return config_fail(c, PC_E_CONFIG, "unknown option --%.64s",
		    name);
	if (d->flags & OPT_SECRET) {
		config_env_name(name, env, sizeof(env));
		return config_fail(c, PC_E_CONFIG, "--%s: secrets are not "
		    "taken from the command line, where every user can read "
		    "them; use %s, %s-file or LoadCredential=", name, env,
		    name);
	}
	if (strlen(value) >= CONFIG_MAX_VALUE)
		return config_fail(c, PC_E_TOOBIG, "--%s: value too long",
		    name);
	if ((d->flags & OPT_BOOL) && config_bool_word(value) < 0)
		return config_fail(c, PC_E_VALUE, "--%s expects true/false, "
		    "not \"%.32s\"", name, value);
	return config_add(c, d, app, value, where, CONFIG_SRC_FLAG);
}

int
config_set_implied(struct config *c, const char *name, const char *app,
    const char *value, const char *why)
{
	const struct opt_def	*d;

	if ((d = config_opt_find(name)) == NULL || (d->flags & OPT_SECRET))
		return config_fail(c, PC_E_CONFIG, "%s: cannot imply %s", why,
		    name);
	return config_add(c, d, app, value, why, CONFIG_SRC_FLAG);
}

int
config_check_flags(struct config *c, const char *const *apps_run, size_t n)
{
	const struct config_entry	*x;
	size_t				 i, k;

	for (i = 0; i < c->n; i++) {
		x = &c->e[i];
		if (x->source != CONFIG_SRC_FLAG || x->app != NULL)
			continue;
		for (k = 0; k < n; k++)
			if (config_opt_of(apps_run[k], x->def))
				break;
		if (k == n && n > 0)
			return config_fail(c, PC_E_CONFIG, "%s: not an option of "
			    "app %s (see `portcullis --help --app %s`)", x->where,
			    apps_run[0], apps_run[0]);
	}
	return 0;
}

/* BATON_FOO_BAR for foo-bar. */
void
config_env_name(const char *name, char *var, size_t varsz)
{
	size_t	i, n = strlen(name);

	var[0] = '\0';
	if (varsz < 7 || n > varsz - 7)
		return;
	memcpy(var, "BATON_", 6);
	for (i = 0; i < n; i++)
		var[6 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	var[6 + n] = '\0';
}

const char *
config_env_value(const char *name, const char **var)
{
	static char		 v1[128], v2[128];
	const struct opt_def	*d = config_opt_find(name);
	const char		*v;

	config_env_name(name, v1, sizeof(v1));
	if (v1[0] != '\0' && (v = getenv(v1)) != NULL) {
		if (var != NULL)
			*var = v1;
		return v;
	}
	if (d == NULL || d->alias == NULL)
		return NULL;
	config_env_name(d->alias, v2, sizeof(v2));
	if (v2[0] != '\0' && (v = getenv(v2)) != NULL) {
		if (var != NULL)
			*var = v2;
		return v;
	}
	return NULL;
}

void
config_env_scrub(void)
{
	const struct opt_def	*d;
	const char		*names[2];
	size_t			 i = 0, k;
	char			 var[128], *v;

	while ((d = config_opt_next(&i)) != NULL) {
		if (!(d->flags & OPT_SECRET))
			continue;
		/* Both names: the value may sit under either. */
		names[0] = d->name;
		names[1] = d->alias;
		for (k = 0; k < 2 && names[k] != NULL; k++) {
			config_env_name(names[k], var, sizeof(var));
			if (var[0] != '\0' && (v = getenv(var)) != NULL)
				explicit_bzero(v, strlen(v));
		}
	}
}

static const struct config_entry *
config_find(const struct config *c, const char *app, const char *name,
    int source, int want_app)
{
	const struct config_entry	*x, *found = NULL;
	size_t				 i;

	for (i = 0; i < c->n; i++) {
		x = &c->e[i];
		if (x->source != source || strcmp(x->def->name, name) != 0)
			continue;
		if (want_app && (x->app == NULL || app == NULL ||
		    strcmp(x->app, app) != 0))
			continue;
		if (!want_app && x->app != NULL)
			continue;
		found = x;	/* the last one wins */
	}
	return found;
}

/* "BATON_READ_ONLY": where a value from the environment was set, one
 * stable string per option (callers keep it past the next lookup). */
static const char *
config_env_where(const struct opt_def *d)
{
	static char	names[CONFIG_MAX_OPTS][96];
	const char	*var = "environment";
	size_t		 i;

	for (i = 0; i < config_nall; i++)
		if (config_all[i] == d)
			break;
	if (i == config_nall || config_env_value(d->name, &var) == NULL)
		return "environment";
	(void)snprintf(names[i], sizeof(names[i]), "%s", var);
	return names[i];
}

const char *
config_get(const struct config *c, const char *app, const char *name,
    const char **where)
{
	const struct config_entry	*x;
	const struct opt_def		*d = config_opt_find(name);
	const char			*v;

	if (where != NULL)
		*where = "default";
	if (d == NULL)
		return NULL;
	if ((x = config_find(c, app, name, CONFIG_SRC_FLAG, 1)) != NULL ||
	    (x = config_find(c, app, name, CONFIG_SRC_FLAG, 0)) != NULL)
		goto found;
	if (!(d->flags & OPT_SECRET) && !((d->flags & OPT_POLICY) &&
	    c->no_env_policy) && (v = config_env_value(name, NULL)) != NULL) {
		if (where != NULL)
			*where = config_env_where(d);
		return v;
	}
	if ((x = config_find(c, app, name, CONFIG_SRC_FILE, 1)) != NULL ||
	    (x = config_find(c, app, name, CONFIG_SRC_FILE, 0)) != NULL)
		goto found;
	return d->deflt;
found:
	if (where != NULL)
		*where = x->where;
	return x->value;
}

int
config_bool(struct config *c, const char *app, const char *name, int *out)
{
	const char	*v, *where;

	*out = 0;
	if ((v = config_get(c, app, name, &where)) == NULL)
		return 0;
	if ((*out = config_bool_word(v)) < 0) {
		*out = 0;
		return config_fail(c, PC_E_VALUE, "%s: %s expects true/false, "
		    "not \"%.32s\"", where, name, v);
	}
	return 0;
}

/* A list's value from the environment: one value, BATON_APP=atlas. */
static size_t
config_list_env(const struct config *c, const struct opt_def *d,
    const char **out, size_t max)
{
	const char	*v;

	if (d == NULL || (d->flags & OPT_SECRET) || max == 0 ||
	    ((d->flags & OPT_POLICY) && c->no_env_policy) ||
	    (v = config_env_value(d->name, NULL)) == NULL || v[0] == '\0')
		return 0;
	out[0] = v;
	return 1;
}

/* Values of name from one source, appended to out. */
static size_t
config_list_src(const struct config *c, const char *app, const char *name,
    int src, const char **out, size_t max)
{
	const struct config_entry	*x;
	size_t				 i, n = 0;

	if (src == CONFIG_SRC_ENV)
		return config_list_env(c, config_opt_find(name), out, max);
	for (i = 0; i < c->n && n < max; i++) {
		x = &c->e[i];
		if (x->source != src || strcmp(x->def->name, name) != 0)
			continue;
		if (x->app != NULL && (app == NULL || strcmp(x->app, app) != 0))
			continue;
		out[n++] = x->value;
	}
	return n;
}

size_t
config_list(const struct config *c, const char *app, const char *name,
    const char **out, size_t max)
{
	const struct opt_def	*d = config_opt_find(name);
	size_t			 n = 0, k;
	int			 src;

	for (src = CONFIG_SRC_FILE; src <= CONFIG_SRC_FLAG; src++) {
		k = config_list_src(c, app, name, src, out + n, max - n);
		/* OPT_REPLACE: a higher source replaces the lower ones, as
		 * for any other option (--app beats BATON_APP beats app =). */
		if (k > 0 && n > 0 && d != NULL && (d->flags & OPT_REPLACE)) {
			memmove(out, out + n, k * sizeof(*out));
			n = 0;
		}
		n += k;
	}
	return n;
}
