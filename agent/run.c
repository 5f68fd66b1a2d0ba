/*
 * Runs in: agent. Input: fetcher channels (untrusted: a bad message ends
 * that fetcher's run) and the broker channel (trusted).
 */
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "apps.h"
#include "audit.h"
#include "c1z.h"
#include "record.h"
#include "log.h"
#include "run.h"
#include "supervise.h"

static int	run_on_record(struct chan *, struct msg *, void *);
static int	run_on_log(struct chan *, struct msg *, void *);
static int	run_on_done(struct chan *, struct msg *, void *);
static int	run_on_audit(struct chan *, struct msg *, void *);
static int	run_on_broker_end(struct chan *, struct msg *, void *);
static int	run_on_sealed(struct chan *, struct msg *, void *);
static int	run_on_broker_err(struct chan *, struct msg *, void *);

static const struct msg_route run_fetcher_routes[] = {
	/* type			flags	handler */
	{ MSG_RECORD,		0,	run_on_record },
	{ MSG_LOG,		0,	run_on_log },
	{ MSG_DONE,		R_ONCE,	run_on_done },
};

static const struct msg_route run_broker_routes[] = {
	{ MSG_AUDIT,		0,	run_on_audit },
	{ MSG_VAULT_SEALED,	0,	run_on_sealed },
	{ MSG_LOG,		0,	run_on_log },
	{ MSG_ERR,		0,	run_on_broker_err },
	{ MSG_BROKER_END,	R_ONCE,	run_on_broker_end },
};

#define NROUTES(r)	(sizeof(r) / sizeof((r)[0]))

static int
run_opts(struct agent *ag, struct agent_app *aa, struct buf *b)
{
	const struct opt_def	*o;
	const char		*v;
	int			 e;

	for (o = aa->def->opts; o != NULL && o->name != NULL; o++) {
		if (!(o->flags & OPT_FETCHER) ||
		    (v = config_get(ag->cfg, aa->def->name, o->name, NULL)) ==
		    NULL)
			continue;
		if (strchr(v, '\n') != NULL)
			continue;
		if ((e = buf_printf(b, "%s=%s\n", o->name, v)) != 0)
			return e;
	}
	return 0;
}

/* Operation arguments, from the baton flags. */
static int
run_args(struct agent *ag, struct buf *b)
{
	static const struct {
		const char	*opt;
		unsigned	 tag;
	} args[] = {
		{ "grant-entitlement",		TAG_TASK_ENT },
		{ "grant-principal",		TAG_TASK_PID },
		{ "grant-principal-type",	TAG_TASK_PTYPE },
		{ "revoke-grant",		TAG_TASK_GRANT },
		{ "create-account-login",	TAG_TASK_LOGIN },
		{ "create-account-email",	TAG_TASK_EMAIL },
		{ "create-account-profile",	TAG_TASK_PROFILE },
		{ "delete-resource",		TAG_TASK_RID },
		{ "delete-resource-type",	TAG_TASK_RTYPE },
	};
	const char	*v;
	size_t		 i;
	int		 e;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if ((v = config_get(ag->cfg, NULL, args[i].opt, NULL)) == NULL)
			continue;
		if ((e = tlv_add_str(b, args[i].tag, v)) != 0)
			return e;
	}
	return 0;
}

void
run_task_send(struct agent *ag, struct agent_app *aa)
{
	struct buf	b, opts;
	uint32_t	op = ag->op != 0 ? ag->op : aa->def->sync_op;
	int		dry = 0, e;

	buf_init(&b, MSG_TASK_MAX, 0);
	buf_init(&opts, 4096, 0);
	(void)!config_bool(ag->cfg, NULL, "dry-run", &dry);
	if ((e = run_opts(ag, aa, &opts)) == 0 &&
	    (e = run_args(ag, &b)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_TASK_OP, op)) == 0 &&
	    (e = tlv_add_str(&b, TAG_TASK_APP, aa->def->name)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_TASK_FLAGS, dry ? TASK_F_DRY_RUN : 0)) == 0 &&
	    (opts.len == 0 || (e = tlv_add_bytes(&b, TAG_TASK_OPTS, opts.p,
	    opts.len)) == 0))
		e = chan_send_buf(&aa->ch, MSG_TASK, 0, &b);
	if (e != 0)
		log_warnx("agent: cannot send task to fetcher %s: %s",
		    aa->def->name, err_str(e));
	buf_clear(&b);
	buf_clear(&opts);
}

static int
run_on_record(struct chan *c, struct msg *m, void *arg)
{
	struct agent_app	*aa = arg;
	struct record		 r;
	const char		*why;
	int			 e;

	if (aa->out == NULL) {
		(void)snprintf(c->why, sizeof(c->why), "RECORD outside a sync");
		return PC_E_STATE;
	}
	if ((e = record_decode(m, &r, &why)) != 0)
		(void)snprintf(c->why, sizeof(c->why), "RECORD: %s", why);
	else if ((e = c1z_writer_add(aa->out, &r)) != 0)
		(void)snprintf(c->why, sizeof(c->why), "%.150s", aa->out->err);
	record_clear(&r);
	if (e == 0)
		aa->records++;
	return e;
}

/* Text from a fetcher is shown, never trusted: printable bytes only. */
static void
run_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '.';
}

static int
run_on_log(struct chan *c, struct msg *m, void *arg)
{
	char		text[MSG_TEXT_MAX + 1];
	uint32_t	level = LOG_L_INFO;

	(void)arg;
	(void)!tlv_u32(&m->tf, TAG_LOG_LEVEL, &level);
	if (tlv_str(&m->tf, TAG_LOG_TEXT, text, sizeof(text)) != 0)
		return PC_E_VALUE;
	run_printable(text);
	if (level <= LOG_L_WARN)
		log_warnx("%s %s: %s", c->peer == P_BROKER ? "broker" :
		    "fetcher", c->name, text);
	else if ((int)level <= log_level())
		log_info("fetcher %s: %s", c->name, text);
	return 0;
}

static int
run_on_done(struct chan *c, struct msg *m, void *arg)
{
	struct agent_app	*aa = arg;

	(void)c;
	if (tlv_u32(&m->tf, TAG_DONE_STATUS, &aa->status) != 0)
		return PC_E_VALUE;
	(void)!tlv_str(&m->tf, TAG_DONE_TEXT, aa->result, sizeof(aa->result));
	run_printable(aa->result);
	aa->done = 1;
	return 0;
}

static int
run_on_audit(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	return audit_record(m);
}

/*
 * Where a generated secret went. Anything but the configured place
 * fails the run, naming the account: the operator must act on it.
 */
static int
run_on_sealed(struct chan *c, struct msg *m, void *arg)
{
	struct agent	*ag = arg;
	char		 app[65], login[1025], where[1025];
	uint32_t	 st;

	(void)c;
	if (tlv_str(&m->tf, TAG_VAULT_SEALED_APP, app, sizeof(app)) != 0 ||
	    tlv_str(&m->tf, TAG_VAULT_SEALED_LOGIN, login, sizeof(login)) ||
	    tlv_str(&m->tf, TAG_VAULT_SEALED_WHERE, where, sizeof(where)) ||
	    tlv_u32(&m->tf, TAG_VAULT_SEALED_STATUS, &st) != 0)
		return PC_E_VALUE;
	if (st == VAULT_OK) {
		ag->sealed++;
		printf("%s: secret of \"%s\" sealed to %s\n", app, login, where);
		return 0;
	}
	ag->lost++;
	if (st == VAULT_FALLBACK)
		log_warnx("%s: account \"%s\" was created; its secret could not "
		    "be stored in Vault and was sealed to %s instead", app,
		    login, where);
	else
		log_warnx("%s: account \"%s\" was created but its secret was "
		    "NOT stored: %s", app, login, where);
	return 0;
}

static int
run_on_broker_err(struct chan *c, struct msg *m, void *arg)
{
	char	text[MSG_TEXT_MAX + 1];

	(void)c;
	(void)arg;
	(void)!tlv_str(&m->tf, TAG_ERR_TEXT, text, sizeof(text));
	log_warnx("broker: %s", text);
	return 0;
}

static int
run_on_broker_end(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)m;
	(void)arg;
	return 0;
}

static void
run_fetcher_read(struct agent_app *aa)
{
	struct msg	m;
	int		e;

	if ((e = chan_recv(&aa->ch, &m)) == 0 &&
	    (e = msg_dispatch(&aa->ch, run_fetcher_routes,
	    NROUTES(run_fetcher_routes), &m, aa)) == 0)
		return;
	if (e != PC_E_EOF) {
		log_warnx("agent: fetcher %s: %s; its run is ended",
		    aa->def->name, aa->ch.why[0] ? aa->ch.why : err_str(e));
		aa->status = (uint32_t)-e;
		(void)kill(aa->pid, SIGKILL);
	}
	chan_clear(&aa->ch);
	aa->live = 0;
}

static void
run_broker_read(struct agent *ag)
{
	struct msg	m;
	int		e;

	if ((e = chan_recv(&ag->bch, &m)) == 0 &&
	    (e = msg_dispatch(&ag->bch, run_broker_routes,
	    NROUTES(run_broker_routes), &m, ag)) == 0)
		return;
	if (e != PC_E_EOF)
		fatalx("agent: broker: %s", ag->bch.why[0] ? ag->bch.why :
		    err_str(e));
	chan_clear(&ag->bch);
	ag->broker_live = 0;
}

void
run_loop(struct agent *ag)
{
	struct pollfd	pfd[AGENT_MAX_APPS + 1];
	size_t		i, n, map[AGENT_MAX_APPS + 1];

	for (;;) {
		for (i = n = 0; i < ag->napps; i++) {
			if (!ag->apps[i].live)
				continue;
			pfd[n].fd = ag->apps[i].ch.fd;
			pfd[n].events = POLLIN;
			map[n++] = i;
		}
		if (ag->broker_live) {
			pfd[n].fd = ag->bch.fd;
			pfd[n].events = POLLIN;
			map[n++] = AGENT_MAX_APPS;
		}
		if (n == 0)
			return;
		if (poll(pfd, n, ag->tick != NULL ? 1000 : -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("agent: poll");
		}
		if (ag->tick != NULL)
			ag->tick();
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == AGENT_MAX_APPS)
				run_broker_read(ag);
			else
				run_fetcher_read(&ag->apps[map[i]]);
		}
	}
}

static int
run_report(struct agent_app *aa)
{
	char	how[128];
	int	w;

	w = supervise_wait(aa->pid, how, sizeof(how));
	if (w == 2) {
		log_warnx("fetcher %s %s", aa->def->name, how);
		return EXIT_KILLED;
	}
	if (!aa->done) {
		log_warnx("fetcher %s ended without a result (%s)",
		    aa->def->name, how);
		return EXIT_FAILED;
	}
	if (aa->status != 0 || w != 0) {
		log_warnx("%s: failed: %s", aa->def->name, aa->result);
		return EXIT_FAILED;
	}
	printf("%s: %s\n", aa->def->name, aa->result);
	return EXIT_OK;
}

/* Publish the sync only when everything succeeded. */
static int
run_output(struct agent *ag, int rc)
{
	struct c1z_writer	*w = ag->out;

	if (w == NULL)
		return rc;
	ag->out = NULL;
	if (rc != EXIT_OK) {
		c1z_writer_abort(w);
		log_warnx("nothing written: %s is unchanged", ag->out_path);
	} else if (c1z_writer_finish(w) != 0) {
		log_warnx("%s: %s", ag->out_path, w->err);
		rc = EXIT_FAILED;
	} else
		printf("wrote %s: %lu resource types, %lu resources, %lu "
		    "entitlements, %lu grants\n", ag->out_path, w->count[1],
		    w->count[2], w->count[3], w->count[4]);
	free(w);
	return rc;
}

int
run_finish(struct agent *ag)
{
	char	how[128];
	size_t	i;
	int	rc = EXIT_OK, r;

	for (i = 0; i < ag->napps; i++) {
		r = run_report(&ag->apps[i]);
		if (r > rc)
			rc = r;
	}
	r = supervise_wait(ag->broker_pid, how, sizeof(how));
	if (r != 0) {
		log_warnx("broker %s", how);
		if (rc == EXIT_OK || r == 2)
			rc = r == 2 ? EXIT_KILLED : EXIT_FAILED;
	}
	if (ag->lost > 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
	rc = run_output(ag, rc);
	fflush(stdout);
	return rc;
}
