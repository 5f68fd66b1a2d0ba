/*
 * Runs in: agent. Input: configuration (trusted), messages from fetchers
 * (untrusted) and from the broker (trusted: an inconsistency is fatal).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "apps.h"
#include "audit.h"
#include "c1z.h"
#include "auth.h"
#include "cidr.h"
#include "cred.h"
#include "egress.h"
#include "log.h"
#include "policyfile.h"
#include "run.h"
#include "secret.h"
#include "supervise.h"

static int
agent_fail(const char *fmt, ...) PC_PRINTF(1, 2);

static int
agent_fail(const char *fmt, ...)
{
	char	line[1024];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warnx("%s", line);
	return EXIT_USAGE;
}

/* Split base-url into host and path; https only, no user info. */
static int
agent_base_url(struct broker_app *ba, const char *url, const char *where)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *path = NULL, *user = NULL;
	int	 rc = EXIT_USAGE;
	size_t	 i, n;

	if ((u = curl_url()) == NULL)
		return EXIT_USAGE;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		(void)agent_fail("%s: base-url \"%.200s\" is not a URL", where,
		    url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		(void)agent_fail("%s: base-url \"%.200s\": only https:// is "
		    "allowed", where, url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		(void)agent_fail("%s: base-url must not carry credentials",
		    where);
		goto out;
	}
	(void)curl_url_get(u, CURLUPART_PATH, &path, 0);
	n = strlen(host);
	if (host[0] == '[' && n > 2) {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	(void)snprintf(ba->host, sizeof(ba->host), "%s", host);
	n = path != NULL ? strlen(path) : 0;
	while (n > 0 && path[n - 1] == '/')
		n--;
	(void)snprintf(ba->base_path, sizeof(ba->base_path), "%.*s", (int)n,
	    path != NULL ? path : "");
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	(void)snprintf(ba->base_url, sizeof(ba->base_url), "%.*s", (int)n, url);
	n = strlen(ba->base_url) - strlen(ba->base_path);
	memcpy(ba->origin, ba->base_url, n);
	ba->origin[n] = '\0';
	rc = EXIT_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

static int
agent_auth(struct agent *ag, struct agent_app *aa, struct broker_app *ba)
{
	const struct app_auth	*au;
	const char		*v, *where;
	int			 k;

	v = config_get(ag->cfg, aa->def->name, "auth", &where);
	k = v != NULL ? auth_kind_parse(v) : (int)aa->def->auth_default;
	if (k < 0)
		return agent_fail("%s: auth \"%.32s\" is not one of none, "
		    "bearer, basic, digest, oauth2", where, v);
	ba->auth = (enum auth_kind)k;
	if (ba->auth == AUTH_NONE) {
		if (!(aa->def->flags & APP_AUTH_NONE))
			return agent_fail("%s: app %s needs credentials", where,
			    aa->def->name);
		return EXIT_OK;
	}
	if ((au = apps_auth(aa->def, ba->auth)) == NULL)
		return agent_fail("%s: app %s does not support auth %s", where,
		    aa->def->name, v);
	ba->secret_opt = au->secret_opt;
	ba->user_opt = au->user_opt;
	ba->token_path = aa->def->token_path;
	if (au->user_opt != NULL && (ba->user = config_get(ag->cfg,
	    aa->def->name, au->user_opt, NULL)) == NULL)
		return agent_fail("%s: %s is not set (--%s or BATON_...)",
		    aa->def->name, au->user_opt, au->user_opt);
	return EXIT_OK;
}

/* The directory of our own binary, for a build tree without install. */
static void
agent_self_dir(char *dst, size_t dstsz)
{
	char	*slash;
	ssize_t	 n;

	n = readlink("/proc/self/exe", dst, dstsz - 1);
	dst[n > 0 ? n : 0] = '\0';
	if ((slash = strrchr(dst, '/')) != NULL)
		*slash = '\0';
}

static int
agent_fetcher_path(struct agent *ag, struct agent_app *aa)
{
	const char	*dir = config_get(ag->cfg, NULL, "libexec", NULL);
	char		 self[PATH_MAX - 256];

	if (dir == NULL) {
		agent_self_dir(self, sizeof(self));
		(void)snprintf(aa->fetcher, sizeof(aa->fetcher), "%s/%s", self,
		    aa->def->fetcher);
		if (access(aa->fetcher, X_OK) == 0)
			return EXIT_OK;
		dir = PC_LIBEXEC;
	}
	(void)snprintf(aa->fetcher, sizeof(aa->fetcher), "%s/%s", dir,
	    aa->def->fetcher);
	if (access(aa->fetcher, X_OK) != 0)
		return agent_fail("%s: %s: %s", aa->def->name, aa->fetcher,
		    strerror(errno));
	return EXIT_OK;
}

static int
agent_transport(struct agent *ag, const char *name, struct broker_app *ba)
{
	const char	*v, *where;
	long		 n;
	char		*end;

	ba->ca_file = config_get(ag->cfg, name, "ca-file", NULL);
	ba->proxy = config_get(ag->cfg, name, "proxy", NULL);
	ba->nresolve = config_list(ag->cfg, name, "resolve", ba->resolve,
	    sizeof(ba->resolve) / sizeof(ba->resolve[0]));
	v = config_get(ag->cfg, name, "connect-timeout", &where);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 600)
		return agent_fail("%s: connect-timeout must be 1..600", where);
	ba->connect_timeout = n;
	v = config_get(ag->cfg, name, "timeout", &where);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 3600)
		return agent_fail("%s: timeout must be 1..3600", where);
	ba->timeout = n;
	v = config_get(ag->cfg, name, "max-writes", &where);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 0 || n > 1000000)
		return agent_fail("%s: max-writes must be 0..1000000", where);
	ba->max_writes = (unsigned)n;
	if (config_bool(ag->cfg, name, "provisioning", &ba->provisioning) != 0)
		return agent_fail("%s", ag->cfg->err);
	ba->domains = config_get(ag->cfg, name, "approved-domains", NULL);
	return EXIT_OK;
}

static int
agent_app_setup(struct agent *ag, const char *name)
{
	struct agent_app	*aa = &ag->apps[ag->napps];
	struct broker_app	*ba = &ag->bapps[ag->napps];
	const char		*url, *where, *v;
	char			*end;
	long			 n;
	int			 rc;

	if (ag->napps >= AGENT_MAX_APPS)
		return agent_fail("more than %d apps", AGENT_MAX_APPS);
	memset(aa, 0, sizeof(*aa));
	memset(ba, 0, sizeof(*ba));
	if ((aa->def = apps_find(name)) == NULL)
		return agent_fail("unknown app \"%.64s\" (see `portcullis "
		    "capabilities`)", name);
	aa->ba = ba;
	ba->name = aa->def->name;
	aa->fb[0] = aa->fb[1] = aa->fa[0] = aa->fa[1] = -1;
	ag->napps++;		/* from here on agent_clear frees it */
	url = config_get(ag->cfg, name, "base-url", &where);
	if (url == NULL && (url = aa->def->base_default) == NULL)
		return agent_fail("%s: base-url is not set", name);
	if ((rc = agent_base_url(ba, url, where)) != EXIT_OK ||
	    (rc = agent_auth(ag, aa, ba)) != EXIT_OK ||
	    (rc = agent_transport(ag, name, ba)) != EXIT_OK ||
	    (rc = agent_fetcher_path(ag, aa)) != EXIT_OK ||
	    (rc = policyfile_load(ag->cfg, name, &aa->allow,
	    &aa->egress)) != EXIT_OK)
		return rc;
	ba->allow = aa->allow;
	ba->egress = aa->egress;
	ba->secret_policy = aa->def->secret_policy;
	v = config_get(ag->cfg, name, "secret-length", &where);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < SECRET_LEN_MIN || n > SECRET_LEN_MAX)
		return agent_fail("%s: secret-length must be %d..%d", where,
		    SECRET_LEN_MIN, SECRET_LEN_MAX);
	ba->secret_len = (unsigned)n;
	return EXIT_OK;
}

/* The pseudo-app "vault": Vault's transport, under its own policy. */
static int
agent_vault_kv(struct agent *ag, const char *spec, const char *where)
{
	struct broker_app	*ba = &ag->vault_ba;
	char			 origin[1024];
	const char		*host = spec + strlen("vault:https://");
	int			 rc;

	ba->name = "vault";
	ba->auth = AUTH_HEADER;
	ba->auth_header = "X-Vault-Token";
	ba->secret_opt = "vault-token";
	(void)snprintf(origin, sizeof(origin), "https://%.*s",
	    (int)strcspn(host, "/"), host);
	if ((rc = agent_base_url(ba, origin, where)) != EXIT_OK ||
	    (rc = agent_transport(ag, "vault", ba)) != EXIT_OK ||
	    (rc = policyfile_load(ag->cfg, "vault", &ag->vault_allow,
	    &ag->vault_egress)) != EXIT_OK)
		return rc;
	ba->allow = ag->vault_allow;
	ba->egress = ag->vault_egress;
	ag->broker.vault.kv = ba;
	return EXIT_OK;
}

static int
agent_vault(struct agent *ag)
{
	struct vault	*v = &ag->broker.vault;
	const char	*spec, *key, *spool, *where = "vault";
	char		 why[512];

	spec = config_get(ag->cfg, NULL, "vault", &where);
	if (vault_parse(v, spec, why, sizeof(why)) != 0)
		return agent_fail("%s: %s", where, why);
	if ((key = config_get(ag->cfg, NULL, "vault-key", NULL)) != NULL &&
	    vault_load_key(v, key, why, sizeof(why)) != 0)
		return agent_fail("%s", why);
	if (v->kind != VAULT_KV)
		return EXIT_OK;
	if ((spool = config_get(ag->cfg, NULL, "vault-spool", NULL)) != NULL &&
	    (spool[0] != '/' || snprintf(v->spool, sizeof(v->spool), "%s",
	    spool) >= (int)sizeof(v->spool)))
		return agent_fail("vault-spool must be an absolute path");
	return agent_vault_kv(ag, spec, where);
}

int
agent_setup(struct agent *ag, struct config *cfg, uint32_t op)
{
	const char	*names[AGENT_MAX_APPS + 1];
	size_t		 n;

	n = config_list(cfg, NULL, "app", names, AGENT_MAX_APPS + 1);
	return agent_setup_apps(ag, cfg, op, names, n);
}

int
agent_setup_apps(struct agent *ag, struct config *cfg, uint32_t op,
    const char *const *names, size_t n)
{
	const char	*user;
	size_t		 i;
	int		 rc;

	memset(ag, 0, sizeof(*ag));
	ag->cfg = cfg;
	ag->op = op;
	if (n == 0)
		return agent_fail("no app given: use --app NAME");
	for (i = 0; i < n; i++)
		if ((rc = agent_app_setup(ag, names[i])) != EXIT_OK)
			return rc;
	if (ag->op == 0 && ag->apps[0].def->sync_op == TASK_SYNC) {
		if (ag->napps > 1)
			return agent_fail("a sync writes one app per file: give "
			    "one --app");
		ag->out_path = config_get(cfg, names[0], "file", NULL);
	}
	if (config_bool(cfg, NULL, "read-only", &ag->broker.read_only) != 0 ||
	    config_bool(cfg, NULL, "dry-run", &ag->broker.dry_run) != 0)
		return agent_fail("%s", cfg->err);
	if ((rc = agent_vault(ag)) != EXIT_OK)
		return rc;
	user = config_get(cfg, NULL, "user", NULL);
	if (spawn_id_resolve(&ag->id, user) != 0)
		return EXIT_USAGE;
	return audit_open(cfg);
}

static void
agent_sockpair(int sv[2], const char *what)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("agent: socketpair for %s", what);
}

/* The broker keeps: its agent channel and the broker end of each pair. */
static void
agent_fork_broker(struct agent *ag)
{
	size_t	i;

	agent_sockpair(ag->bfd, "broker");
	for (i = 0; i < ag->napps; i++) {
		agent_sockpair(ag->apps[i].fb, "fetcher-broker");
		agent_sockpair(ag->apps[i].fa, "fetcher-agent");
	}
	if ((ag->broker_pid = fork()) == -1)
		fatal("agent: fork broker");
	if (ag->broker_pid == 0) {
		close(ag->bfd[0]);
		for (i = 0; i < ag->napps; i++) {
			close(ag->apps[i].fb[1]);
			close(ag->apps[i].fa[0]);
			close(ag->apps[i].fa[1]);
			ag->bapps[i].fd = ag->apps[i].fb[0];
		}
		ag->broker.apps = ag->bapps;
		ag->broker.napps = ag->napps;
		ag->broker.agent_fd = ag->bfd[1];
		ag->broker.cfg = ag->cfg;
		ag->broker.id = &ag->id;
		broker_main(&ag->broker);
	}
	close(ag->bfd[1]);
	for (i = 0; i < ag->napps; i++)
		close(ag->apps[i].fb[0]);
	/* The broker has the keys now; ours are wiped from the environment. */
	cred_scrub_environ();
	if (chan_init(&ag->bch, ag->bfd[0], P_AGENT, P_BROKER, "broker") != 0)
		fatalx("agent: broker channel");
	ag->broker_live = 1;
}

static void
agent_spawn(struct agent *ag, struct agent_app *aa)
{
	aa->pid = spawn_fetcher(aa->fetcher, aa->fb[1], aa->fa[1], &ag->id);
	close(aa->fb[1]);
	close(aa->fa[1]);
	if (aa->pid == -1)
		fatalx("agent: cannot start fetcher %s", aa->def->name);
	aa->out = ag->out;
	if (chan_init(&aa->ch, aa->fa[0], P_AGENT, P_FETCHER,
	    aa->def->name) != 0)
		fatalx("agent: channel for %s", aa->def->name);
	aa->live = 1;
}

int
agent_run(struct agent *ag)
{
	size_t	i;

	signal(SIGPIPE, SIG_IGN);
	if (ag->out_path != NULL) {
		if ((ag->out = calloc(1, sizeof(*ag->out))) == NULL)
			fatal("agent: c1z writer");
		if (c1z_writer_open(ag->out, ag->out_path) != 0) {
			log_warnx("%s", ag->out->err);
			c1z_writer_abort(ag->out);
			return EXIT_FAILED;
		}
	}
	agent_fork_broker(ag);
	for (i = 0; i < ag->napps; i++)
		agent_spawn(ag, &ag->apps[i]);
	for (i = 0; i < ag->napps; i++)
		run_task_send(ag, &ag->apps[i]);
	run_loop(ag);
	return run_finish(ag);
}

void
agent_clear(struct agent *ag)
{
	size_t	i;

	for (i = 0; i < ag->napps; i++) {
		if (ag->apps[i].allow != NULL)
			cidr_list_clear(ag->apps[i].allow);
		if (ag->apps[i].egress != NULL)
			egress_rules_clear(ag->apps[i].egress);
		free(ag->apps[i].allow);
		free(ag->apps[i].egress);
		chan_clear(&ag->apps[i].ch);
	}
	if (ag->vault_allow != NULL)
		cidr_list_clear(ag->vault_allow);
	if (ag->vault_egress != NULL)
		egress_rules_clear(ag->vault_egress);
	free(ag->vault_allow);
	free(ag->vault_egress);
	ag->vault_allow = NULL;
	ag->vault_egress = NULL;
	jose_key_wipe(&ag->broker.vault.key);
	chan_clear(&ag->bch);
	ag->napps = 0;
	if (ag->out != NULL)
		c1z_writer_abort(ag->out);
	free(ag->out);
	ag->out = NULL;
	audit_close();
}
