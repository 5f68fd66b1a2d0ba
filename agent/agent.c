/*
 * Runs in: agent. Input: configuration (trusted), messages from fetchers
 * (untrusted) and from the broker (trusted: an inconsistency is fatal).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
#include "cidr.h"
#include "egress.h"
#include "log.h"
#include "policyfile.h"
#include "run.h"
#include "spawn.h"
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

/*
 * What the agent executes is as trusted as the agent: the file and every
 * directory above it owned by root (or by us, unprivileged) and writable
 * by no one else, as OpenSSH's safe_path() holds its helpers.
 */
static int
agent_safe_path(const char *path, char *why, size_t whysz)
{
	char		 p[PATH_MAX], *slash;
	struct stat	 st;
	uid_t		 me = geteuid();
	int		 file = 1;

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p) ||
	    p[0] != '/')
		return snprintf(why, whysz, "not an absolute path"), -1;
	for (;;) {
		if (stat(p, &st) == -1)
			return snprintf(why, whysz, "%s: %s", p,
			    strerror(errno)), -1;
		if (file && !S_ISREG(st.st_mode))
			return snprintf(why, whysz, "%s: not a regular file",
			    p), -1;
		if (st.st_uid != 0 && st.st_uid != me)
			return snprintf(why, whysz, "%s: owned by uid %u, not "
			    "root", p, (unsigned)st.st_uid), -1;
		/* A sticky directory of root's (/tmp): others may add
		 * entries but never replace ours. */
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(!file &&
		    (st.st_mode & S_ISVTX) && st.st_uid == 0))
			return snprintf(why, whysz, "%s: writable by group or "
			    "others (mode %04o)", p, (unsigned)st.st_mode &
			    07777), -1;
		file = 0;
		if (strcmp(p, "/") == 0)
			return 0;
		if ((slash = strrchr(p, '/')) == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
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
agent_fetcher_find(struct agent *ag, struct agent_app *aa)
{
	char	why[PATH_MAX + 128];
	int	rc;

	if ((rc = agent_fetcher_path(ag, aa)) != EXIT_OK)
		return rc;
	if (agent_safe_path(aa->fetcher, why, sizeof(why)) != 0)
		return agent_fail("%s: fetcher refused: %s", aa->def->name,
		    why);
	return EXIT_OK;
}

static int
agent_app_setup(struct agent *ag, const char *name)
{
	struct agent_app	*aa = &ag->apps[ag->napps];
	struct app_conf		*ac = &ag->conf.apps[ag->napps];
	char			 why[1024];
	int			 rc;

	if (ag->napps >= AGENT_MAX_APPS)
		return agent_fail("more than %d apps", AGENT_MAX_APPS);
	memset(aa, 0, sizeof(*aa));
	if ((aa->def = apps_find(name)) == NULL || aa->def->fetcher == NULL)
		return agent_fail("unknown app \"%.64s\" (see `portcullis "
		    "capabilities`)", name);
	aa->ac = ac;
	aa->fb[0] = aa->fb[1] = aa->fa[0] = aa->fa[1] = -1;
	ag->napps++;		/* from here on agent_clear frees it */
	ag->conf.napps = ag->napps;
	if (appconf_setup(ac, ag->cfg, aa->def, NULL, why, sizeof(why)) != 0)
		return agent_fail("%s", why);
	if ((rc = agent_fetcher_find(ag, aa)) != EXIT_OK ||
	    (rc = policyfile_load(ag->cfg, name, &ac->allow,
	    &ac->egress)) != EXIT_OK)
		return rc;
	return EXIT_OK;
}

/* The pseudo-app "vault": Vault's transport, under its own policy. */
static int
agent_vault_kv(struct agent *ag, const char *spec)
{
	struct app_conf	*ac = &ag->conf.vault.kv;
	char		 origin[1024], why[1024];
	const char	*host = spec + strlen("vault:https://");
	int		 rc;

	(void)snprintf(origin, sizeof(origin), "https://%.*s",
	    (int)strcspn(host, "/"), host);
	if (appconf_setup(ac, ag->cfg, apps_find("vault"), origin, why,
	    sizeof(why)) != 0)
		return agent_fail("%s", why);
	if ((rc = policyfile_load(ag->cfg, "vault", &ac->allow,
	    &ac->egress)) != EXIT_OK)
		return rc;
	return EXIT_OK;
}

static int
agent_vault(struct agent *ag)
{
	struct vault_conf	*v = &ag->conf.vault;
	const char		*spec, *key, *spool, *where = "vault";
	char			 why[512];

	spec = config_get(ag->cfg, NULL, "vault", &where);
	if (vaultconf_parse(v, spec, why, sizeof(why)) != 0)
		return agent_fail("%s: %s", where, why);
	if ((key = config_get(ag->cfg, NULL, "vault-key", NULL)) != NULL &&
	    vaultconf_load_key(v, key, why, sizeof(why)) != 0)
		return agent_fail("%s", why);
	if (v->kind != VAULT_KV)
		return EXIT_OK;
	if ((spool = config_get(ag->cfg, NULL, "vault-spool", NULL)) != NULL &&
	    (spool[0] != '/' || snprintf(v->spool, sizeof(v->spool), "%s",
	    spool) >= (int)sizeof(v->spool)))
		return agent_fail("vault-spool must be an absolute path");
	return agent_vault_kv(ag, spec);
}

/* A number option of the run: the value, or a usage error naming it. */
static int
agent_num(struct agent *ag, const char *name, long long lo, long long hi,
    long long *out)
{
	const char	*v, *where;
	char		*end;

	v = config_get(ag->cfg, NULL, name, &where);
	*out = strtoll(v != NULL ? v : "", &end, 10);
	if (v == NULL || v[0] == '\0' || *end != '\0' || *out < lo ||
	    *out > hi)
		return agent_fail("%s: %s must be %lld..%lld", where, name, lo,
		    hi);
	return EXIT_OK;
}

/* The caps and deadlines that bound a run whatever a vendor does. */
static int
agent_limits(struct agent *ag)
{
	long long	v;

	if (agent_num(ag, "retry-after-max", 1, 86400, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->conf.retry_max = (long)v;
	if (agent_num(ag, "msg-timeout", 1, 3600, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->conf.msg_timeout = (long)v;
	ag->msg_timeout_ms = v * 1000;
	if (agent_num(ag, "stall-timeout", 10, 86400, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->stall_timeout_ms = v * 1000;
	if (agent_num(ag, "run-timeout", 10, 30 * 86400, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->run_timeout_ms = v * 1000;
	if (agent_num(ag, "max-records", 1, 1000000000, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->max_records = (unsigned long)v;
	if (agent_num(ag, "max-scratch-mb", 1, 1024 * 1024, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->max_scratch = (unsigned long long)v * 1024 * 1024;
	if (agent_num(ag, "shrink-limit", 0, 100, &v) != EXIT_OK)
		return EXIT_USAGE;
	ag->shrink_limit = (unsigned)v;
	if (config_bool(ag->cfg, NULL, "accept-shrink", &ag->accept_shrink) != 0)
		return agent_fail("%s", ag->cfg->err);
	/* A vendor's longest wait must not look like a stalled fetcher. */
	if (ag->conf.retry_max * 1000LL >= ag->stall_timeout_ms)
		return agent_fail("retry-after-max (%ld) must be below "
		    "stall-timeout (%lld)", ag->conf.retry_max,
		    ag->stall_timeout_ms / 1000);
	return EXIT_OK;
}

static int
agent_namespaces(struct agent *ag)
{
	static const char *const	names[] = { "auto", "require", "off" };
	const char			*v = config_get(ag->cfg, NULL,
					    "namespaces", NULL);
	size_t				 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			ag->conf.id.ns = (int)i;
			return EXIT_OK;
		}
	return agent_fail("namespaces: \"%.64s\" is not auto, require or "
	    "off", v);
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
	ag->conf.cfg = cfg;
	ag->conf.agent_fd = -1;
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
	if (config_bool(cfg, NULL, "dry-run", &ag->conf.dry_run) != 0)
		return agent_fail("%s", cfg->err);
	if ((rc = agent_limits(ag)) != EXIT_OK)
		return rc;
	if ((rc = agent_vault(ag)) != EXIT_OK)
		return rc;
	user = config_get(cfg, NULL, "user", NULL);
	if (priv_id_resolve(&ag->conf.id, user) != 0)
		return EXIT_USAGE;
	if ((rc = agent_namespaces(ag)) != EXIT_OK)
		return rc;
	return audit_check(cfg);
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
			ag->conf.apps[i].fd = ag->apps[i].fb[0];
		}
		ag->conf.agent_fd = ag->bfd[1];
		broker_main(&ag->conf);
	}
	close(ag->bfd[1]);
	for (i = 0; i < ag->napps; i++)
		close(ag->apps[i].fb[0]);
	/* The broker has the keys now; ours are wiped from the environment. */
	config_env_scrub();
	/* Nonblocking: a read loop must never wait on a quiet peer. */
	if (chan_init(&ag->bch, ag->bfd[0], P_AGENT, P_BROKER, "broker") != 0 ||
	    chan_nonblock(&ag->bch, AGENT_OUT_MAX) != 0)
		fatalx("agent: broker channel");
	ag->broker_live = 1;
}

static void
agent_spawn(struct agent *ag, struct agent_app *aa)
{
	aa->pid = spawn_fetcher(aa->fetcher, aa->fb[1], aa->fa[1],
	    &ag->conf.id);
	close(aa->fb[1]);
	close(aa->fa[1]);
	if (aa->pid == -1)
		fatalx("agent: cannot start fetcher %s", aa->def->name);
	aa->out = ag->out;
	if (chan_init(&aa->ch, aa->fa[0], P_AGENT, P_FETCHER,
	    aa->def->name) != 0 || chan_nonblock(&aa->ch, AGENT_OUT_MAX) != 0)
		fatalx("agent: channel for %s", aa->def->name);
	aa->live = 1;
}

/*
 * Files the broker must never hold are opened once it is forked: the
 * audit log (it writes through AUDIT messages) and the .c1z scratch.
 */
static int
agent_open_outputs(struct agent *ag)
{
	if (audit_open(ag->cfg) != EXIT_OK)
		return EXIT_USAGE;
	if (ag->out_path == NULL)
		return EXIT_OK;
	if ((ag->out = calloc(1, sizeof(*ag->out))) == NULL)
		fatal("agent: c1z writer");
	if (c1z_writer_open(ag->out, ag->out_path, ag->max_scratch) != 0) {
		log_warnx("%s", ag->out->err);
		c1z_writer_abort(ag->out);
		free(ag->out);
		ag->out = NULL;
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int
agent_run(struct agent *ag)
{
	size_t	i;
	int	rc;

	signal(SIGPIPE, SIG_IGN);
	agent_fork_broker(ag);
	if ((rc = agent_open_outputs(ag)) != EXIT_OK) {
		/* Nothing started: the broker goes with its channel. */
		chan_clear(&ag->bch);
		(void)kill(ag->broker_pid, SIGKILL);
		(void)waitpid(ag->broker_pid, NULL, 0);
		return rc;
	}
	for (i = 0; i < ag->napps; i++)
		agent_spawn(ag, &ag->apps[i]);
	for (i = 0; i < ag->napps; i++)
		run_task_send(ag, &ag->apps[i]);
	run_loop(ag);
	return run_finish(ag);
}

static void
agent_conf_clear(struct app_conf *ac)
{
	if (ac->allow != NULL)
		cidr_list_clear(ac->allow);
	if (ac->egress != NULL)
		egress_rules_clear(ac->egress);
	free(ac->allow);
	free(ac->egress);
	ac->allow = NULL;
	ac->egress = NULL;
}

void
agent_clear(struct agent *ag)
{
	size_t	i;

	for (i = 0; i < ag->napps; i++) {
		agent_conf_clear(&ag->conf.apps[i]);
		chan_clear(&ag->apps[i].ch);
	}
	agent_conf_clear(&ag->conf.vault.kv);
	jose_key_wipe(&ag->conf.vault.key);
	chan_clear(&ag->bch);
	ag->napps = 0;
	if (ag->out != NULL)
		c1z_writer_abort(ag->out);
	free(ag->out);
	ag->out = NULL;
	audit_close();
}
