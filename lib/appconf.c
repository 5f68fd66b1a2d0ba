/*
 * Runs in: agent. Input: the configuration (operator's, trusted but
 * checked: every error names the option and where it was set). Builds
 * an app's run configuration from its descriptor and the config.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pclimits.h"
#include "runconf.h"

static int
appconf_fail(char *why, size_t whysz, const char *fmt, ...) PC_PRINTF(3, 4);

static int
appconf_fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Host to lower case without brackets; path without trailing '/'. */
static void
appconf_url_parts(struct cred_conf *cc, const char *url, char *host,
    const char *path)
{
	size_t	i, n = strlen(host);

	if (host[0] == '[' && n > 2) {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	(void)snprintf(cc->host, sizeof(cc->host), "%s", host);
	n = path != NULL ? strlen(path) : 0;
	while (n > 0 && path[n - 1] == '/')
		n--;
	(void)snprintf(cc->base_path, sizeof(cc->base_path), "%.*s", (int)n,
	    path != NULL ? path : "");
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	(void)snprintf(cc->base_url, sizeof(cc->base_url), "%.*s", (int)n,
	    url);
	n = strlen(cc->base_url) - strlen(cc->base_path);
	memcpy(cc->origin, cc->base_url, n);
	cc->origin[n] = '\0';
}

int
appconf_url(struct cred_conf *cc, const char *url, const char *where,
    char *why, size_t whysz)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *path = NULL, *user = NULL;
	char	*query = NULL;
	int	 rc = -1;

	if (strlen(url) >= RUN_URL_MAX)
		return appconf_fail(why, whysz, "%s: URL longer than %d bytes",
		    where, RUN_URL_MAX - 1);
	if ((u = curl_url()) == NULL)
		return appconf_fail(why, whysz, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		(void)appconf_fail(why, whysz, "%s: \"%.200s\" is not a URL",
		    where, url);
	else if (strcmp(scheme, "https") != 0)
		(void)appconf_fail(why, whysz, "%s: \"%.200s\": only https:// "
		    "is allowed", where, url);
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		(void)appconf_fail(why, whysz, "%s: a base URL must not carry "
		    "credentials", where);
	else if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    strchr(url, '#') != NULL)
		(void)appconf_fail(why, whysz, "%s: a base URL has no query or "
		    "fragment", where);
	else {
		(void)curl_url_get(u, CURLUPART_PATH, &path, 0);
		appconf_url_parts(cc, url, host, path);
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(user);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

/*
 * A credential of at most two bytes, all line ends, is the unit's
 * SetCredential= default for a LoadCredential= whose file is missing:
 * not given. Reading those two bytes reads no secret.
 */
static int
appconf_cred_given(const char *path)
{
	struct stat	st;
	char		b[2];
	ssize_t		n;
	int		fd;

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_size > 2)
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 1;	/* the broker will say why */
	n = read(fd, b, sizeof(b));
	close(fd);
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		n--;
	return n != 0;
}

/* Is a secret there to load (without reading it: that is the broker's)? */
static int
appconf_secret_present(struct config *cfg, const char *app, const char *name)
{
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	char		 opt[96], path[4096];

	if (config_env_value(name, NULL) != NULL)
		return 1;
	(void)snprintf(opt, sizeof(opt), "%s-file", name);
	if (config_get(cfg, app, opt, NULL) != NULL)
		return 1;
	if (dir == NULL || dir[0] != '/')
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s.%s", dir, app, name) <
	    (int)sizeof(path) && appconf_cred_given(path))
		return 1;
	return snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    (int)sizeof(path) && appconf_cred_given(path);
}

/*
 * A file the broker will read (a secret's NAME-file, ca-file) is looked
 * at here, before anything starts, so a typo is one line naming the
 * option and the file:line that set it (exit 2), not a broker failure.
 * Only its metadata: the agent never reads a secret.
 */
static int
appconf_file_check(struct config *cfg, const char *app, const char *opt,
    int secret, char *why, size_t whysz)
{
	const char	*path, *where;
	struct stat	 st;

	if ((path = config_get(cfg, app, opt, &where)) == NULL)
		return 0;
	if (stat(path, &st) == -1)
		return appconf_fail(why, whysz, "%s: %s %s: %s", where, opt,
		    path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return appconf_fail(why, whysz, "%s: %s %s: not a regular file",
		    where, opt, path);
	/* As OpenSSH with a key: what others can read, others may have. */
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)))
		return appconf_fail(why, whysz, "%s: %s %s: readable by group "
		    "or others (mode %04o): run chmod 600 %s", where, opt, path,
		    (unsigned)(st.st_mode & 07777), path);
	if (access(path, R_OK) != 0)
		return appconf_fail(why, whysz, "%s: %s %s: %s", where, opt,
		    path, strerror(errno));
	return 0;
}

/* The secret's file, when the environment does not give it first. */
static int
appconf_secret_file(struct config *cfg, const char *app, const char *name,
    char *why, size_t whysz)
{
	char	opt[96];

	if (name == NULL || config_env_value(name, NULL) != NULL)
		return 0;
	(void)snprintf(opt, sizeof(opt), "%s-file", name);
	return appconf_file_check(cfg, app, opt, 1, why, whysz);
}

/* Which alternative of credential c this run uses; NULL for none. */
static const struct app_auth *
appconf_pick(struct config *cfg, const struct app_def *d,
    const struct app_cred *c, int primary, const char **bad, char *why,
    size_t whysz)
{
	const struct app_auth	*a;
	const char		*v, *where;
	int			 k = -1;
	size_t			 i;

	*bad = NULL;
	if (primary && (v = config_get(cfg, d->name, "auth", &where)) != NULL) {
		if ((k = apps_auth_parse(v)) < 0) {
			*bad = "";
			(void)appconf_fail(why, whysz, "%s: auth \"%.32s\" is "
			    "not one of none, bearer, basic, digest, oauth2",
			    where, v);
			return NULL;
		}
		if (k == AUTH_NONE)
			return NULL;
	}
	for (i = 0; i < CRED_MAX_AUTHS && c->auths[i].kind != AUTH_NONE; i++) {
		a = &c->auths[i];
		if (k >= 0 && (int)a->kind == k)
			return a;
		if (k < 0 && ((a->user_opt != NULL && config_get(cfg, d->name,
		    a->user_opt, NULL) != NULL) || (a->user_opt == NULL &&
		    appconf_secret_present(cfg, d->name, a->secret_opt))))
			return a;
	}
	if (k >= 0) {
		*bad = "";
		(void)appconf_fail(why, whysz, "%s: app %s does not support "
		    "auth %s", where, d->name, apps_auth_name((enum auth_kind)k));
		return NULL;
	}
	/* Nothing configured: the first way, so the error names it. */
	return (c->flags & CRED_OPTIONAL) ? NULL : &c->auths[0];
}

/* The app's own base URL: override, fixed, by environment, or option. */
static int
appconf_base(struct config *cfg, const struct app_def *d, const char **url,
    const char **where, char *why, size_t whysz)
{
	const struct app_env	*e;
	const char		*v;

	if ((*url = config_get(cfg, d->name, "base-url", where)) != NULL)
		return 0;
	*where = "default";
	if (d->base == BASE_FIXED && (*url = d->base_default) != NULL)
		return 0;
	if (d->base == BASE_ENV && d->envs != NULL) {
		v = config_get(cfg, d->name, d->base_opt, where);
		for (e = d->envs; e->name != NULL; e++)
			if (v == NULL || strcmp(v, e->name) == 0) {
				*url = e->url;
				return 0;
			}
		return appconf_fail(why, whysz, "%s: %s \"%.32s\" is not one "
		    "of the app's environments", *where, d->base_opt, v);
	}
	if (d->base_opt != NULL &&
	    (*url = config_get(cfg, d->name, d->base_opt, where)) != NULL)
		return 0;
	return appconf_fail(why, whysz, "%s: %s is not set", d->name,
	    d->base_opt != NULL ? d->base_opt : "base-url");
}

static int
appconf_scopes(struct app_conf *ac, struct cred_conf *cc)
{
	const struct app_cred	*c = cc->def;

	if (c->scopes_read == NULL)
		return 0;
	(void)snprintf(cc->scopes, sizeof(cc->scopes), "%s%s%s",
	    c->scopes_read, ac->provisioning && !ac->read_only &&
	    c->scopes_write != NULL ? " " : "", ac->provisioning &&
	    !ac->read_only && c->scopes_write != NULL ? c->scopes_write : "");
	return 0;
}

static int
appconf_hdr_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

static int
appconf_cred_setup(struct app_conf *ac, struct config *cfg, size_t i,
    const char *base, char *why, size_t whysz)
{
	const struct app_def	*d = ac->def;
	const struct app_cred	*c = &d->creds[i];
	struct cred_conf	*cc = &ac->creds[i];
	const struct app_auth	*a;
	const char		*url, *where, *bad;
	size_t			 h;

	int			 explain = 0;

	/* `policy --explain` shows the rules to an auditor without keys. */
	(void)!config_bool(cfg, NULL, "explain", &explain);
	cc->def = c;
	a = appconf_pick(cfg, d, c, i == 0, &bad, why, whysz);
	if (bad != NULL)
		return -1;
	if (a == NULL) {
		if (i == 0 && !(d->flags & APP_AUTH_NONE) && !explain)
			return appconf_fail(why, whysz, "%s: app %s needs "
			    "credentials", "auth", d->name);
		cc->kind = AUTH_NONE;
	} else {
		cc->kind = a->kind;
		cc->user_opt = a->user_opt;
		cc->secret_opt = a->secret_opt;
		if (!explain && appconf_secret_file(cfg, d->name, a->secret_opt,
		    why, whysz) != 0)
			return -1;
		if (a->user_opt != NULL && (cc->user = config_get(cfg, d->name,
		    a->user_opt, NULL)) == NULL && !explain)
			return appconf_fail(why, whysz, "%s: %s is not set "
			    "(--%s or BATON_...)", d->name, a->user_opt,
			    a->user_opt);
	}
	if (i == 0 && base != NULL) {
		url = base;
		where = "vault";
	} else if (c->base_opt == NULL) {
		if (appconf_base(cfg, d, &url, &where, why, whysz) != 0)
			return -1;
	} else if ((url = config_get(cfg, d->name, c->base_opt, &where)) ==
	    NULL) {
		if (cc->kind != AUTH_NONE)
			return appconf_fail(why, whysz, "%s: %s is set but %s is "
			    "not", d->name, cc->secret_opt, c->base_opt);
		return 0;	/* an optional credential left out */
	}
	if (appconf_url(cc, url, where, why, whysz) != 0)
		return -1;
	for (h = 0; h < CRED_MAX_HDRS && c->hdrs[h].name != NULL; h++) {
		cc->hdr_value[h] = config_get(cfg, d->name, c->hdrs[h].opt,
		    &where);
		/* A header value: one line of visible ASCII, or a new header. */
		if (cc->hdr_value[h] != NULL &&
		    !appconf_hdr_ok(cc->hdr_value[h]))
			return appconf_fail(why, whysz, "%s: %s must be printable "
			    "ASCII without line breaks (it is sent as %s)",
			    where, c->hdrs[h].opt, c->hdrs[h].name);
	}
	return appconf_scopes(ac, cc);
}

static int
appconf_long(struct config *cfg, const char *app, const char *name, long lo,
    long hi, long *out, char *why, size_t whysz)
{
	const char	*v, *where;
	char		*end;

	v = config_get(cfg, app, name, &where);
	*out = strtol(v != NULL ? v : "", &end, 10);
	if (v == NULL || v[0] == '\0' || *end != '\0' || *out < lo || *out > hi)
		return appconf_fail(why, whysz, "%s: %s must be %ld..%ld", where,
		    name, lo, hi);
	return 0;
}

/* The descriptor's rate classes, and `rate-limit = CLASS:N` overrides. */
static int
appconf_rates(struct app_conf *ac, struct config *cfg, char *why,
    size_t whysz)
{
	const struct app_rate	*r = ac->def->rates;
	const char		*v[APP_MAX_RATES * 2];
	char			*end;
	size_t			 i, k, n, cl;
	long			 pm;

	for (i = 0; i < APP_MAX_RATES && r[i].name != NULL; i++)
		ac->rate[i] = r[i].per_minute;
	n = config_list(cfg, ac->name, "rate-limit", v, APP_MAX_RATES * 2);
	for (k = 0; k < n; k++) {
		cl = strcspn(v[k], ":");
		for (i = 0; i < APP_MAX_RATES && r[i].name != NULL; i++)
			if (strlen(r[i].name) == cl &&
			    strncmp(r[i].name, v[k], cl) == 0)
				break;
		if (i == APP_MAX_RATES || r[i].name == NULL || v[k][cl] != ':')
			return appconf_fail(why, whysz, "%s: rate-limit \"%.64s\": "
			    "not CLASS:PER-MINUTE with a class of the app",
			    ac->name, v[k]);
		pm = strtol(v[k] + cl + 1, &end, 10);
		if (*end != '\0' || pm < 1 || pm > 1000000)
			return appconf_fail(why, whysz, "%s: rate-limit \"%.64s\": "
			    "1..1000000 per minute", ac->name, v[k]);
		ac->rate[i] = (unsigned)pm;
	}
	return 0;
}

static int
appconf_transport(struct app_conf *ac, struct config *cfg, char *why,
    size_t whysz)
{
	const char	*n = ac->name;
	long		 v;
	int		 explain = 0;

	(void)!config_bool(cfg, NULL, "explain", &explain);
	if (!explain && appconf_file_check(cfg, n, "ca-file", 0, why,
	    whysz) != 0)
		return -1;
	ac->ca_file = config_get(cfg, n, "ca-file", NULL);
	ac->proxy = config_get(cfg, n, "proxy", NULL);
	ac->nresolve = config_list(cfg, n, "resolve", ac->resolve,
	    RUN_MAX_RESOLVE);
	if (appconf_long(cfg, n, "connect-timeout", 1, 600,
	    &ac->connect_timeout, why, whysz) != 0 ||
	    appconf_long(cfg, n, "timeout", 1, 3600, &ac->timeout, why,
	    whysz) != 0 || appconf_long(cfg, n, "max-writes", 0, 1000000, &v,
	    why, whysz) != 0)
		return -1;
	ac->max_writes = (unsigned)v;
	if (appconf_long(cfg, n, "secret-length", PC_SECRET_LEN_MIN,
	    PC_SECRET_LEN_MAX, &v, why, whysz) != 0)
		return -1;
	ac->secret_len = (unsigned)v;
	if (appconf_long(cfg, n, "max-in-flight", 1, 64, &v, why, whysz) != 0)
		return -1;
	ac->max_in_flight = (unsigned)v;
	if (config_bool(cfg, n, "provisioning", &ac->provisioning) != 0 ||
	    config_bool(cfg, n, "read-only", &ac->read_only) != 0)
		return appconf_fail(why, whysz, "%s", cfg->err);
	ac->domains = config_get(cfg, n, "approved-domains", NULL);
	return appconf_rates(ac, cfg, why, whysz);
}

int
appconf_setup(struct app_conf *ac, struct config *cfg,
    const struct app_def *d, const char *base, char *why, size_t whysz)
{
	size_t	i;

	memset(ac, 0, sizeof(*ac));
	ac->def = d;
	ac->name = d->name;
	ac->fd = -1;
	if (appconf_transport(ac, cfg, why, whysz) != 0)
		return -1;
	for (i = 0; i < APP_MAX_CREDS && d->creds[i].name != NULL; i++)
		if (appconf_cred_setup(ac, cfg, i, base, why, whysz) != 0)
			return -1;
	ac->ncreds = i;
	return 0;
}

const struct cred_conf *
appconf_cred(const struct app_conf *ac, const char *name)
{
	size_t	i;

	for (i = 0; i < ac->ncreds; i++)
		if (strcmp(ac->creds[i].def->name, name) == 0)
			return &ac->creds[i];
	return NULL;
}

unsigned
appconf_port(const struct cred_conf *cc)
{
	const char	*p, *c;
	char		*end;
	long		 n;

	if (cc == NULL || (p = strstr(cc->origin, "://")) == NULL)
		return 443;
	p += 3;
	c = p[0] == '[' ? strstr(p, "]:") : strchr(p, ':');
	if (c == NULL)
		return 443;
	n = strtol(c + (c[0] == ']' ? 2 : 1), &end, 10);
	return n > 0 && n < 65536 && *end == '\0' ? (unsigned)n : 443;
}
