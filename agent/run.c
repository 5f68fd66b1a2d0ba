/*
 * Runs in: agent. Input: fetcher channels (untrusted: a bad message ends
 * that fetcher's run) and the broker channel (trusted).
 */
#include <sys/wait.h>

#include <errno.h>
#include <stddef.h>
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
#include "diag.h"
#include "record.h"
#include "jw.h"
#include "log.h"
#include "msgs.h"
#include "progress.h"
#include "run.h"
#include "supervise.h"

static int	run_on_records(struct chan *, struct msg *, void *);
static int	run_on_log(struct chan *, struct msg *, void *);
static int	run_on_done(struct chan *, struct msg *, void *);
static int	run_on_audit(struct chan *, struct msg *, void *);
static int	run_on_broker_end(struct chan *, struct msg *, void *);
static int	run_on_sealed(struct chan *, struct msg *, void *);
static int	run_on_closed(struct chan *, struct msg *, void *);
static int	run_on_broker_err(struct chan *, struct msg *, void *);
static int	run_on_progress(struct chan *, struct msg *, void *);
static int	run_on_refused(struct chan *, struct msg *, void *);

static const struct msg_route run_fetcher_routes[] = {
	/* type			flags	handler */
	{ MSG_RECORDS,		0,	run_on_records },
	{ MSG_LOG,		0,	run_on_log },
	{ MSG_DONE,		R_ONCE,	run_on_done },
};

static const struct msg_route run_broker_routes[] = {
	{ MSG_AUDIT,		0,	run_on_audit },
	{ MSG_VAULT_SEALED,	0,	run_on_sealed },
	{ MSG_CLOSED,		0,	run_on_closed },
	{ MSG_LOG,		0,	run_on_log },
	{ MSG_ERR,		0,	run_on_broker_err },
	{ MSG_PROGRESS,		0,	run_on_progress },
	{ MSG_REFUSED,		0,	run_on_refused },
	{ MSG_BROKER_END,	R_ONCE,	run_on_broker_end },
};

#define NROUTES(r)	(sizeof(r) / sizeof((r)[0]))

/* The app's fetcher options, as one JSON object of strings. */
static int
run_opts(struct agent *ag, struct agent_app *aa, char *dst, size_t dstsz)
{
	const struct opt_def	*o;
	const char		*v, *text;
	struct buf		 b;
	int			 e, first = 1;

	/* The kit's own: how many calls at once, how long a vendor may
	 * make it wait, how many records a sync may have (so that a
	 * listing that never ends is failed by the fetcher, naming it). */
	static const char *const kit[] = { "max-in-flight", "retry-after-max",
	    "max-records", NULL };
	size_t			 i;

	buf_init(&b, dstsz, 0);
	e = buf_add(&b, "{", 1);
	for (i = 0; e == 0 && kit[i] != NULL; i++) {
		v = config_get(ag->cfg, aa->def->name, kit[i], NULL);
		if (v == NULL)
			continue;
		if ((!first && (e = buf_add(&b, ",", 1)) != 0) ||
		    (e = jw_key(&b, kit[i])) != 0 || (e = jw_str(&b, v)) != 0)
			break;
		first = 0;
	}
	for (o = aa->def->opts; e == 0 && o != NULL && o->name != NULL; o++) {
		if (!(o->flags & OPT_FETCHER) ||
		    (v = config_get(ag->cfg, aa->def->name, o->name, NULL)) ==
		    NULL)
			continue;
		if ((!first && (e = buf_add(&b, ",", 1)) != 0) ||
		    (e = jw_key(&b, o->name)) != 0 || (e = jw_str(&b, v)) != 0)
			break;
		first = 0;
	}
	if (e == 0 && (e = buf_add(&b, "}", 1)) == 0 &&
	    (e = buf_cstr(&b, &text)) == 0)
		e = buf_scopy(dst, dstsz, text);
	buf_clear(&b);
	return e;
}

/* Operation arguments, from the baton flags. */
static int
run_args(struct agent *ag, struct task_msg *t)
{
	static const struct {
		const char	*opt;
		size_t		 off, size;
	} args[] = {
#define RUN_ARG(o, f)	{ o, offsetof(struct task_msg, f), \
			    sizeof(((struct task_msg *)0)->f) }
		RUN_ARG("grant-entitlement", ent),
		RUN_ARG("grant-principal", pid),
		RUN_ARG("grant-principal-type", ptype),
		RUN_ARG("revoke-grant", grant),
		RUN_ARG("create-account-login", login),
		RUN_ARG("create-account-email", email),
		RUN_ARG("create-account-profile", profile),
		RUN_ARG("delete-resource", rid),
		RUN_ARG("delete-resource-type", rtype),
#undef RUN_ARG
	};
	const char	*v;
	size_t		 i;
	int		 e;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if ((v = config_get(ag->cfg, NULL, args[i].opt, NULL)) == NULL)
			continue;
		if ((e = buf_scopy((char *)t + args[i].off, args[i].size,
		    v)) != 0) {
			log_warnx("--%s: longer than %zu bytes", args[i].opt,
			    args[i].size - 1);
			return e;
		}
	}
	return 0;
}

/* 1 when key is one of the comma-separated names in list. */
static int
run_arg_known(const char *list, const char *key, size_t klen)
{
	size_t	n;

	for (; list != NULL && *list != '\0'; list += n + (list[n] == ',')) {
		n = strcspn(list, ",");
		if (n == klen && strncmp(list, key, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * --action NAME --arg KEY=VALUE...: the action must be one of the app's
 * (apps.h actions) and each KEY one of its arguments; every argument
 * it declares is needed. The arguments travel as a JSON object.
 */
int
run_action(struct agent *ag, const struct app_def *d, struct task_msg *t)
{
	const struct app_action	*a;
	const char		*name, *kv[32], *eq, *text;
	char			 key[64];
	struct buf		 b;
	size_t			 n, i, k, klen;
	int			 e;

	if ((name = config_get(ag->cfg, NULL, "action", NULL)) == NULL)
		return 0;
	for (a = d->actions; a != NULL && a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			break;
	if (a == NULL || a->name == NULL) {
		log_warnx("--action: %s has no action \"%.64s\" (see "
		    "`portcullis capabilities`)", d->name, name);
		return PC_E_VALUE;
	}
	n = config_list(ag->cfg, NULL, "arg", kv, sizeof(kv) / sizeof(kv[0]));
	buf_init(&b, sizeof(t->args), 0);
	e = buf_add_str(&b, "{");
	for (i = 0; e == 0 && i < n; i++) {
		if ((eq = strchr(kv[i], '=')) == NULL ||
		    (klen = (size_t)(eq - kv[i])) >= sizeof(key) ||
		    !run_arg_known(a->args, kv[i], klen)) {
			log_warnx("--arg \"%.64s\": %s takes %s", kv[i], a->name,
			    a->args != NULL ? a->args : "no arguments");
			e = PC_E_VALUE;
			break;
		}
		memcpy(key, kv[i], klen);
		key[klen] = '\0';
		if ((i > 0 && (e = buf_add_str(&b, ",")) != 0) ||
		    (e = jw_key(&b, key)) != 0 || (e = jw_str(&b, eq + 1)) != 0)
			break;
	}
	/* Each declared argument once at least. */
	for (k = 0; e == 0 && a->args != NULL && a->args[k] != '\0';
	    k += klen + (a->args[k + klen] == ',')) {
		klen = strcspn(a->args + k, ",");
		for (i = 0; i < n; i++)
			if (strncmp(kv[i], a->args + k, klen) == 0 &&
			    kv[i][klen] == '=')
				break;
		if (i == n) {
			log_warnx("--action %s needs --arg %.*s=VALUE", a->name,
			    (int)klen, a->args + k);
			e = PC_E_VALUE;
		}
	}
	if (e == 0 && (e = buf_add_str(&b, "}")) == 0 &&
	    (e = buf_cstr(&b, &text)) == 0 &&
	    (e = buf_scopy(t->args, sizeof(t->args), text)) == 0)
		e = buf_scopy(t->action, sizeof(t->action), a->name);
	buf_clear(&b);
	return e;
}

void
run_task_send(struct agent *ag, struct agent_app *aa)
{
	static struct task_msg	t;
	struct buf		b;
	int			dry = 0, e;

	memset(&t, 0, sizeof(t));
	t.op = ag->op != 0 ? ag->op : aa->def->sync_op;
	(void)!config_bool(ag->cfg, NULL, "dry-run", &dry);
	t.flags = dry ? TASK_F_DRY_RUN : 0;
	(void)!buf_scopy(t.app, sizeof(t.app), aa->def->name);
	buf_init(&b, MSG_TASK_MAX, 0);
	if ((e = run_opts(ag, aa, t.opts, sizeof(t.opts))) == 0 &&
	    (e = run_args(ag, &t)) == 0 &&
	    (e = run_action(ag, aa->def, &t)) == 0 &&
	    (e = msg_task_encode(&t, &b)) == 0)
		e = chan_send_buf(&aa->ch, MSG_TASK, 0, &b);
	if (e != 0)
		log_warnx("agent: cannot send task to fetcher %s: %s",
		    aa->def->name, err_str(e));
	buf_clear(&b);
}

/* One batch: every record is checked, and one bad one ends the run. */
static int
run_on_records(struct chan *c, struct msg *m, void *arg)
{
	struct agent_app	*aa = arg;
	struct tlv_fields	 tf;
	struct record		 r;
	struct rd		 items;
	const char		*why;
	int			 e, more;

	if (aa->out == NULL) {
		(void)snprintf(c->why, sizeof(c->why), "RECORDS outside a sync");
		return PC_E_STATE;
	}
	if ((e = msg_records_first(m, &items)) != 0)
		return e;
	while ((more = msg_records_next(&items, &tf)) == 1) {
		if ((e = record_decode_app(aa->def, &tf, &r, &why)) != 0)
			(void)snprintf(c->why, sizeof(c->why), "RECORD %lu: %s",
			    aa->records + 1, why);
		else if ((e = c1z_writer_add(aa->out, &r)) != 0)
			(void)snprintf(c->why, sizeof(c->why), "%.150s",
			    aa->out->err);
		if (e == 0 && r.kind < sizeof(aa->nrec) / sizeof(aa->nrec[0]))
			aa->nrec[r.kind]++;
		record_clear(&r);
		if (e != 0)
			return e;
		aa->records++;
	}
	log_debug("%s: %lu records so far (%lu resources, %lu entitlements, "
	    "%lu grants)", aa->def->name, aa->records, aa->nrec[REC_RESOURCE],
	    aa->nrec[REC_ENTITLEMENT], aa->nrec[REC_GRANT]);
	if (more < 0)
		(void)snprintf(c->why, sizeof(c->why), "RECORDS: batch item "
		    "after record %lu: %s", aa->records, err_str(more));
	return more;
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
	struct text_msg	t;
	const char	*who = c->peer == P_BROKER ? "broker" : "fetcher";
	int		e, lvl;

	(void)arg;
	if ((e = msg_text_decode(m, &t)) != 0)
		return e;
	run_printable(t.text);
	lvl = t.num <= LOG_L_WARN ? LOG_L_WARN : t.num >= LOG_L_DEBUG ?
	    LOG_L_DEBUG : LOG_L_INFO;
	if (lvl == LOG_L_WARN)
		log_event(LOG_L_WARN, c->name, "fetcher_log", NULL, 0,
		    "%s %s: %s", who, c->name, t.text);
	else
		log_event(lvl, c->name, "fetcher_log", NULL, 0,
		    "fetcher %s: %s", c->name, t.text);
	return 0;
}

static int
run_on_done(struct chan *c, struct msg *m, void *arg)
{
	struct agent_app	*aa = arg;
	struct text_msg		 t;
	int			 e;

	(void)c;
	if ((e = msg_text_decode(m, &t)) != 0)
		return e;
	aa->status = t.num;
	(void)snprintf(aa->result, sizeof(aa->result), "%s", t.text);
	run_printable(aa->result);
	if (t.num != 0 && msg_fail_decode(m, &aa->fail) != 0)
		memset(&aa->fail, 0, sizeof(aa->fail));
	aa->done = 1;
	return 0;
}

/*
 * A write's line goes to disk before the broker may send it: the
 * broker waits for our acknowledgement of every "sending" line.
 */
static int
run_on_audit(struct chan *c, struct msg *m, void *arg)
{
	struct audit_ack_msg	k;
	struct buf		b;
	int			ok, e;

	(void)arg;
	ok = audit_record(m, k.reqid, sizeof(k.reqid));
	if (ok == AUDIT_NOACK)
		return 0;
	k.status = ok == 0 ? 0 : 1;
	buf_init(&b, 256, 0);
	if ((e = msg_audit_ack_encode(&k, &b)) == 0)
		e = chan_send_buf(c, MSG_AUDIT_ACK, 0, &b);
	buf_clear(&b);
	return e;
}

/* The broker's word on an app: it is working, or waiting on the vendor. */
static int
run_on_progress(struct chan *c, struct msg *m, void *arg)
{
	struct agent		*ag = arg;
	struct progress_msg	 p;
	size_t			 i;
	int			 e;

	(void)c;
	if ((e = msg_progress_decode(m, &p)) != 0)
		return e;
	for (i = 0; i < ag->napps; i++) {
		struct agent_app *aa = &ag->apps[i];

		if (strcmp(aa->def->name, p.app) != 0)
			continue;
		if (p.done != aa->bdone || p.inflight > 0)
			aa->active_ms = ag->progress_ms = chan_now_ms();
		aa->bdone = p.done;
		aa->binflight = p.inflight;
		aa->bwaits = p.waits;
		(void)!buf_scopy(aa->bwait, sizeof(aa->bwait), p.wait);
	}
	return 0;
}

/*
 * The broker refused a request on policy: it tells us itself, so that a
 * fetcher that keeps quiet about it cannot hide it. Kept for the run's
 * one line (run_report), not logged here: the fetcher usually fails on
 * it, and the line is said once.
 */
static int
run_on_refused(struct chan *c, struct msg *m, void *arg)
{
	struct agent		*ag = arg;
	static struct refused_msg r;
	size_t			 i;
	int			 e;

	(void)c;
	if ((e = msg_refused_decode(m, &r)) != 0)
		return e;
	for (i = 0; i < ag->napps; i++)
		if (strcmp(ag->apps[i].def->name, r.app) == 0) {
			ag->apps[i].refused = r;
			ag->apps[i].nrefused++;
		}
	return 0;
}

/*
 * Where a generated secret went. Anything but the configured place
 * fails the run, naming the account: the operator must act on it.
 */
static int
run_on_sealed(struct chan *c, struct msg *m, void *arg)
{
	struct agent		*ag = arg;
	static struct sealed_msg s;
	int			 e;

	(void)c;
	if ((e = msg_sealed_decode(m, &s)) != 0)
		return e;
	if (strcmp(s.state, "failed") == 0) {
		log_info("%s: the create of \"%s\" did not take effect; its "
		    "sealed record %s is marked failed", s.app, s.login, s.where);
		return 0;
	}
	if (strcmp(s.state, "created") == 0 && s.status == VAULT_OK) {
		ag->sealed++;
		printf("%s: secret of \"%s\" sealed to %s\n", s.app, s.login,
		    s.where);
		return 0;
	}
	/* The password is stored either way: the operator must look. */
	ag->unsure++;
	if (strcmp(s.state, "unknown") == 0)
		log_warnx("%s: whether account \"%s\" was created is not known "
		    "(no clear answer); its password is sealed, marked pending, "
		    "in %s", s.app, s.login, s.where);
	else
		log_warnx("%s: account \"%s\" was created; its sealed record "
		    "%s could not be marked created (still pending)", s.app,
		    s.login, s.where);
	return 0;
}

static int
run_on_broker_err(struct chan *c, struct msg *m, void *arg)
{
	struct text_msg	t;

	(void)c;
	(void)arg;
	if (msg_text_decode(m, &t) == 0)
		log_warnx("broker: %s", t.text);
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

/* End a fetcher's run for why: its channel goes, the process is killed. */
static void
run_fetcher_end(struct agent_app *aa, int e, const char *why)
{
	/* Said once, by run_report, when the run is over. */
	log_debug("agent: fetcher %s: %s; its run is ended", aa->def->name,
	    why);
	aa->status = (uint32_t)-e;
	(void)snprintf(aa->result, sizeof(aa->result), "fetcher %s: %s; its "
	    "run was ended", aa->def->name, why);
	(void)kill(aa->pid, SIGKILL);
	chan_clear(&aa->ch);
	aa->live = 0;
	aa->ended = 1;
}

/* The broker cut a fetcher off: its run ends, whatever it says later. */
static int
run_on_closed(struct chan *c, struct msg *m, void *arg)
{
	struct agent		*ag = arg;
	struct closed_msg	 k;
	size_t			 i;
	int			 e;

	(void)c;
	if ((e = msg_closed_decode(m, &k)) != 0)
		return e;
	for (i = 0; i < ag->napps; i++) {
		struct agent_app *aa = &ag->apps[i];

		if (strcmp(aa->def->name, k.app) != 0 || aa->ended)
			continue;
		run_printable(k.text);
		if (aa->live)
			run_fetcher_end(aa, k.code > 0 && k.code <
			    (uint32_t)-PC_E_LAST ? -(int)k.code : PC_E_STATE,
			    k.text);
		else {
			aa->ended = 1;
			(void)snprintf(aa->result, sizeof(aa->result), "%s",
			    k.text);
		}
	}
	return 0;
}

/* What a peer could not take at once goes when it can. */
static void
run_flush(struct agent *ag, size_t i)
{
	struct agent_app	*aa;

	if (i == AGENT_MAX_APPS) {
		if (chan_flush(&ag->bch) != 0)
			log_warnx("agent: broker channel: %s", ag->bch.why);
		return;
	}
	aa = &ag->apps[i];
	if (aa->live && chan_flush(&aa->ch) != 0)
		run_fetcher_end(aa, PC_E_EOF, aa->ch.why[0] ? aa->ch.why :
		    "channel closed");
}

static void
run_fetcher_read(struct agent *ag, struct agent_app *aa)
{
	struct msg	m;
	int		e, n;

	for (n = 0; n < 256 && aa->live; n++) {
		if ((e = chan_recv(&aa->ch, &m)) == PC_E_AGAIN)
			return;
		if (e == 0 && (e = msg_dispatch(&aa->ch, run_fetcher_routes,
		    NROUTES(run_fetcher_routes), &m, aa)) == 0) {
			aa->active_ms = ag->progress_ms = chan_now_ms();
			if (aa->records > ag->max_records) {
				run_fetcher_end(aa, PC_E_LIMIT, "more records "
				    "than max-records allows");
				return;
			}
			continue;
		}
		if (e != PC_E_EOF) {
			run_fetcher_end(aa, e, aa->ch.why[0] ? aa->ch.why :
			    err_str(e));
			return;
		}
		chan_clear(&aa->ch);
		aa->live = 0;
	}
}

static void
run_broker_read(struct agent *ag)
{
	struct msg	m;
	int		e, n;

	for (n = 0; n < 256; n++) {
		if ((e = chan_recv(&ag->bch, &m)) == PC_E_AGAIN)
			return;
		if (e != 0 || (e = msg_dispatch(&ag->bch, run_broker_routes,
		    NROUTES(run_broker_routes), &m, ag)) != 0)
			break;
	}
	if (e == 0)
		return;		/* more next time round */
	if (e != PC_E_EOF)
		fatalx("agent: broker: %s", ag->bch.why[0] ? ag->bch.why :
		    err_str(e));
	chan_clear(&ag->bch);
	ag->broker_live = 0;
}

/*
 * A fetcher that makes no progress is ended: half a message for longer
 * than msg-timeout, nothing from it and nothing under way in the broker
 * for stall-timeout, or the whole run past run-timeout.
 */
static void
run_deadlines(struct agent *ag, long long now)
{
	struct agent_app	*aa;
	char			 why[160];
	size_t			 i;

	for (i = 0; i < ag->napps; i++) {
		aa = &ag->apps[i];
		if (!aa->live)
			continue;
		if (chan_stuck_ms(&aa->ch, now) > ag->msg_timeout_ms)
			(void)snprintf(why, sizeof(why), "half a message for "
			    "%llds (msg-timeout)", ag->msg_timeout_ms / 1000);
		else if (now - aa->active_ms > ag->stall_timeout_ms)
			(void)snprintf(why, sizeof(why), "no progress for %llds "
			    "(stall-timeout)", ag->stall_timeout_ms / 1000);
		else if (now - ag->started_ms > ag->run_timeout_ms)
			(void)snprintf(why, sizeof(why), "the run took over "
			    "%llds (run-timeout)", ag->run_timeout_ms / 1000);
		else
			continue;
		run_fetcher_end(aa, PC_E_TIMEOUT, why);
	}
}

void
run_loop(struct agent *ag)
{
	struct pollfd	pfd[AGENT_MAX_APPS + 1];
	size_t		i, n, map[AGENT_MAX_APPS + 1];
	long long	now;

	ag->started_ms = ag->progress_ms = chan_now_ms();
	for (i = 0; i < ag->napps; i++)
		ag->apps[i].active_ms = ag->started_ms;
	(void)!config_bool(ag->cfg, NULL, "quiet", &ag->quiet);
	progress_init(ag, ag->quiet);
	for (;;) {
		for (i = n = 0; i < ag->napps; i++) {
			if (!ag->apps[i].live)
				continue;
			pfd[n].fd = ag->apps[i].ch.fd;
			pfd[n].events = (short)(POLLIN |
			    (chan_wants_write(&ag->apps[i].ch) ? POLLOUT : 0));
			map[n++] = i;
		}
		if (ag->broker_live) {
			pfd[n].fd = ag->bch.fd;
			pfd[n].events = (short)(POLLIN |
			    (chan_wants_write(&ag->bch) ? POLLOUT : 0));
			map[n++] = AGENT_MAX_APPS;
		}
		if (n == 0)
			return;
		if (poll(pfd, n, 250) == -1) {
			if (errno == EINTR)
				continue;
			fatal("agent: poll");
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].revents & POLLOUT)
				run_flush(ag, map[i]);
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == AGENT_MAX_APPS)
				run_broker_read(ag);
			else
				run_fetcher_read(ag, &ag->apps[map[i]]);
		}
		now = chan_now_ms();
		run_deadlines(ag, now);
		progress_tick(ag, now);
		if (ag->tick != NULL)
			ag->tick(ag->progress_ms);
	}
}

static const char *
run_cause_name(uint32_t cause)
{
	static const char *const	names[] = { "other", "connect",
					    "timeout", "tls", "allowlist",
					    "egress", "http", "dns", "policy" };

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] :
	    "other";
}

/* The run's one line for a failed app, once; kept for service STATUS. */
static void
run_fail_line(struct agent *ag, struct agent_app *aa, int level,
    const struct fail_msg *f, const char *text, const char *prefix)
{
	char		line[1400];
	struct log_kv	kv[] = {
		{ "cause", run_cause_name(f->cause), 0 },
		{ f->method[0] ? "method" : NULL, f->method, 0 },
		{ f->path[0] ? "path" : NULL, f->path, 0 },
		{ f->host[0] ? "host" : NULL, f->host, 0 },
		{ f->port ? "port" : NULL, NULL, f->port },
		{ f->addr[0] ? "addr" : NULL, f->addr, 0 },
		{ f->http ? "http_status" : NULL, NULL, f->http },
		{ f->line ? "rule_line" : NULL, NULL, f->line },
	};

	diag_line(aa, f, text, line, sizeof(line));
	log_event(level, aa->def->name, level == LOG_L_ERR ? "failed" :
	    "refused", kv, sizeof(kv) / sizeof(kv[0]), "%s: %s%s",
	    aa->def->name, prefix, line);
	if (snprintf(ag->lastfail, sizeof(ag->lastfail), "%s: %s",
	    aa->def->name, line) >= (int)sizeof(ag->lastfail))
		memcpy(ag->lastfail + sizeof(ag->lastfail) - 4, "...", 4);
}

/*
 * A policy refusal is rendered from the broker's own report (trusted);
 * any the fetcher's failure did not cover gets a line of its own, and
 * fails the run even when the fetcher says all went well.
 */
static void
run_fail(struct agent *ag, struct agent_app *aa, const char *text)
{
	const struct fail_msg	*f = &aa->fail;
	int			 policy;

	policy = aa->status == (uint32_t)-PC_E_POLICY ||
	    f->cause == FAIL_ALLOW || f->cause == FAIL_EGRESS ||
	    f->cause == FAIL_POLICY;

	if (aa->nrefused > 0 && policy) {
		run_fail_line(ag, aa, LOG_L_ERR, &aa->refused.fail,
		    aa->refused.text, "failed: ");
		aa->nrefused = 0;
		return;
	}
	run_fail_line(ag, aa, LOG_L_ERR, f, text, "failed: ");
}

static void
run_refusals(struct agent *ag, struct agent_app *aa)
{
	char	prefix[96];

	if (aa->nrefused == 0)
		return;
	(void)snprintf(prefix, sizeof(prefix), "the broker refused %u "
	    "request%s; the last: ", aa->nrefused, aa->nrefused == 1 ? "" :
	    "s");
	run_fail_line(ag, aa, LOG_L_WARN, &aa->refused.fail, aa->refused.text,
	    prefix);
}

static int
run_report(struct agent *ag, struct agent_app *aa)
{
	static const struct fail_msg	none;
	char				how[128];
	int				w, rc = EXIT_FAILED;

	w = supervise_wait(aa->pid, how, sizeof(how));
	if (aa->ended) {
		/* Its end was ours; the reason is logged, not our SIGKILL. */
		run_fail_line(ag, aa, LOG_L_ERR, &none, aa->result, "failed: ");
	} else if (w == 2) {
		log_errx("fetcher %s %s", aa->def->name, how);
		(void)snprintf(ag->lastfail, sizeof(ag->lastfail), "fetcher "
		    "%s %s", aa->def->name, how);
		rc = EXIT_KILLED;
	} else if (!aa->done) {
		log_errx("fetcher %s ended without a result (%s)",
		    aa->def->name, how);
		(void)snprintf(ag->lastfail, sizeof(ag->lastfail), "fetcher %s "
		    "ended without a result (%s)", aa->def->name, how);
	} else if (aa->status != 0 || w != 0)
		run_fail(ag, aa, aa->result);
	else {
		printf("%s: %s\n", aa->def->name, aa->result);
		rc = EXIT_OK;
	}
	/* A refusal its fetcher kept quiet fails the run: fail closed. */
	if (aa->nrefused > 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
	run_refusals(ag, aa);
	return rc;
}

/*
 * The shrink guard: a sync that lost more than shrink-limit percent of
 * the resources or grants of the file it replaces is not published (an
 * empty but valid answer reads as "everyone lost access"), unless
 * --accept-shrink says it is expected.
 */
static int
run_shrunk(struct agent *ag, const struct c1z_writer *w)
{
	unsigned long	pr, pg, keep = 100 - ag->shrink_limit;
	char		err[512], scratch[4300];

	if (ag->accept_shrink || ag->shrink_limit >= 100 ||
	    access(ag->out_path, F_OK) != 0)
		return 0;
	(void)snprintf(scratch, sizeof(scratch), "%s.prev", w->db);
	if (c1z_counts(ag->out_path, scratch, &pr, &pg, err, sizeof(err)) != 0) {
		log_warnx("%s: cannot read the previous file to compare (%s); "
		    "publishing", ag->out_path, err);
		return 0;
	}
	if ((unsigned long long)w->count[REC_RESOURCE] * 100 >=
	    (unsigned long long)pr * keep &&
	    (unsigned long long)w->count[REC_GRANT] * 100 >=
	    (unsigned long long)pg * keep)
		return 0;
	log_warnx("%s: the sync shrank from %lu to %lu resources and from %lu "
	    "to %lu grants, more than shrink-limit (%u%%) allows; the previous "
	    "file is kept (--accept-shrink publishes it)", ag->out_path, pr,
	    w->count[REC_RESOURCE], pg, w->count[REC_GRANT], ag->shrink_limit);
	return 1;
}

/* Publish the sync only when everything succeeded. */
static int
run_output(struct agent *ag, int rc)
{
	struct c1z_writer	*w = ag->out;

	if (w == NULL)
		return rc;
	ag->out = NULL;
	if (rc == EXIT_OK && run_shrunk(ag, w))
		rc = EXIT_FAILED;
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

/* The last line of every run, whatever the level: how it went. */
static void
run_summary(struct agent *ag, int rc)
{
	unsigned long	rec = 0;
	unsigned	req = 0, waits = 0;
	size_t		i, ok = 0;
	long long	ms = chan_now_ms() - ag->started_ms;
	struct log_kv	kv[5];

	for (i = 0; i < ag->napps; i++) {
		rec += ag->apps[i].records;
		req += ag->apps[i].bdone;
		waits += ag->apps[i].bwaits;
		ok += ag->apps[i].done && ag->apps[i].status == 0 &&
		    !ag->apps[i].ended;
	}
	kv[0] = (struct log_kv){ "exit", NULL, rc };
	kv[1] = (struct log_kv){ "requests", NULL, req };
	kv[2] = (struct log_kv){ "records", NULL, (long long)rec };
	kv[3] = (struct log_kv){ "rate_limit_waits", NULL, waits };
	kv[4] = (struct log_kv){ "elapsed_ms", NULL, ms };
	log_event(LOG_L_ALWAYS, NULL, "summary", kv, 5, "run %s in %lld.%llds: "
	    "%zu of %zu app%s ok, %u requests, %lu records, %u rate-limit "
	    "waits", rc == EXIT_OK ? "done" : "failed", ms / 1000,
	    ms % 1000 / 100, ok, ag->napps, ag->napps == 1 ? "" : "s", req,
	    rec, waits);
}

int
run_finish(struct agent *ag)
{
	char	how[128];
	size_t	i;
	int	rc = EXIT_OK, r;

	progress_end();
	for (i = 0; i < ag->napps; i++) {
		r = run_report(ag, &ag->apps[i]);
		if (r > rc)
			rc = r;
	}
	r = supervise_wait(ag->broker_pid, how, sizeof(how));
	if (r != 0) {
		log_warnx("broker %s", how);
		if (rc == EXIT_OK || r == 2)
			rc = r == 2 ? EXIT_KILLED : EXIT_FAILED;
	}
	if (ag->unsure > 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
	rc = run_output(ag, rc);
	fflush(stdout);
	run_summary(ag, rc);
	return rc;
}
