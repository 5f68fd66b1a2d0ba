/*
 * Runs in: broker. Input: HTTP_REQ from fetchers (untrusted: req.c
 * checks every field for meaning after the channel checked its shape),
 * AUDIT_ACK from the agent (trusted: an inconsistency is fatal).
 */
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "auth.h"
#include "broker.h"
#include "cred.h"
#include "http.h"
#include "log.h"
#include "priv.h"
#include "secret.h"
#include "text.h"
#include "vault.h"

#define BROKER_CA_MAX		(4 * 1024 * 1024)
#define BROKER_READ_BURST	64	/* messages of one fetcher per turn */
#define BROKER_PROGRESS_MS	1000	/* at most this often per app */
#define BROKER_HEARTBEAT_MS	10000	/* while it has requests */

static int	broker_on_http_req(struct chan *, struct msg *, void *);
static int	broker_on_audit_ack(struct chan *, struct msg *, void *);

static const struct msg_route broker_fetcher_routes[] = {
	/* type			flags	handler */
	{ MSG_HTTP_REQ,		0,	broker_on_http_req },
};

static const struct msg_route broker_agent_routes[] = {
	{ MSG_AUDIT_ACK,	0,	broker_on_audit_ack },
};

struct broker_call {
	struct broker		*b;
	struct broker_app	*a;
};

/* ---- what the broker tells others ---------------------------------- */

void
broker_audit(struct broker *b, struct broker_app *a,
    const struct broker_write *w, long status, const char *reqid,
    const char *result, int with_body)
{
	static struct audit_msg	m;
	struct buf		buf;
	int			e;

	memset(&m, 0, sizeof(m));
	(void)!buf_scopy(m.app, sizeof(m.app), a->name);
	(void)!buf_scopy(m.op, sizeof(m.op), w->op);
	(void)!buf_scopy(m.method, sizeof(m.method), w->method);
	(void)!buf_scopy(m.path, sizeof(m.path), w->path);
	(void)!buf_scopy(m.target, sizeof(m.target), w->target);
	(void)!buf_scopy(m.reqid, sizeof(m.reqid), reqid);
	(void)!buf_scopy(m.result, sizeof(m.result), result);
	(void)!buf_scopy(m.peer, sizeof(m.peer), w->peer != NULL ? w->peer : "");
	m.status = (uint32_t)status;
	if (with_body) {
		m.body = w->body;
		m.len = w->len;
	}
	buf_init(&buf, MSG_REQ_MAX + 3 * MSG_PAYLOAD_MAX, 0);
	if ((e = msg_audit_encode(&m, &buf)) != 0 ||
	    (e = chan_send_buf(&b->agent, MSG_AUDIT, 0, &buf)) != 0)
		log_warnx("cannot send an audit record: %s", err_str(e));
	buf_clear(&buf);
}

/* Where policy refusals are told: the agent, which trusts us. */
static struct chan	*broker_agent_ch;

/*
 * A policy refusal is a security event: the agent hears it from us, not
 * only through the fetcher it may concern (a compromised one would keep
 * quiet). It renders it once (agent/diag.c).
 */
static void
broker_tell_agent(struct broker_app *a, int code, const struct fail_msg *f,
    const char *text)
{
	static struct refused_msg	r;
	struct buf			b;

	if (broker_agent_ch == NULL || code != PC_E_POLICY)
		return;
	memset(&r, 0, sizeof(r));
	(void)!buf_scopy(r.app, sizeof(r.app), a->name);
	r.code = (uint32_t)-code;
	(void)snprintf(r.text, sizeof(r.text), "%s", text);
	if (f != NULL)
		r.fail = *f;
	else
		r.fail.cause = FAIL_POLICY;
	buf_init(&b, MSG_TEXT_MAX + MSG_FAIL_MAX + 128, 0);
	if (msg_refused_encode(&r, &b) == 0)
		(void)!chan_send_buf(broker_agent_ch, MSG_REFUSED, 0, &b);
	buf_clear(&b);
}

int
broker_fail(struct broker_app *a, uint32_t id, int code,
    const struct fail_msg *f, const char *fmt, ...)
{
	char	text[MSG_TEXT_MAX], shown[MSG_TEXT_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* The agent says it once, for the run; here only when debugging. */
	log_debug("%s: %s", a->name, text_clean(shown, sizeof(shown), text));
	broker_tell_agent(a, code, f, text);
	if (a->live && msg_err_send(&a->ch, id, code, f, text) != 0)
		log_warnx("%s: cannot send the refusal: %s", a->name,
		    a->ch.why[0] ? a->ch.why : "channel error");
	return 0;
}

int
broker_refuse(struct broker_app *a, uint32_t id, int code, const char *fmt,
    ...)
{
	char	text[MSG_TEXT_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return broker_fail(a, id, code, NULL, "%s", text);
}

struct broker_cred *
broker_cred_find(struct broker_app *a, const char *name)
{
	size_t	i;

	if (name[0] == '\0')
		return a->ncreds > 0 ? &a->creds[0] : NULL;
	for (i = 0; i < a->ncreds; i++)
		if (strcmp(a->creds[i].name, name) == 0)
			return &a->creds[i];
	return NULL;
}

/* The agent learns how far each app is: the supervisor's evidence. */
static void
broker_progress(struct broker *b, struct broker_app *a, long long now)
{
	static struct progress_msg	p;
	struct buf			buf;
	int				busy = a->inflight + a->nqueued +
					    a->auditing > 0;

	if (!(a->progress_dirty && now - a->progress_at >= BROKER_PROGRESS_MS) &&
	    !(busy && now - a->progress_at >= BROKER_HEARTBEAT_MS))
		return;
	memset(&p, 0, sizeof(p));
	(void)!buf_scopy(p.app, sizeof(p.app), a->name);
	p.done = a->done;
	p.inflight = a->inflight + a->nqueued + a->auditing;
	p.waits = a->waits;
	if (a->paused_until > now)
		(void)!buf_scopy(p.wait, sizeof(p.wait), a->pause_why);
	buf_init(&buf, MSG_TEXT_MAX, 0);
	if (msg_progress_encode(&p, &buf) == 0)
		(void)!chan_send_buf(&b->agent, MSG_PROGRESS, 0, &buf);
	buf_clear(&buf);
	a->progress_dirty = 0;
	a->progress_at = now;
}

/* ---- handlers ------------------------------------------------------ */

static int
broker_on_http_req(struct chan *c, struct msg *m, void *arg)
{
	struct broker_call		*bc = arg;
	static struct http_req_msg	 r;
	struct breq			*q;
	int				 e;

	(void)c;
	memset(&r, 0, sizeof(r));
	if ((e = msg_http_req_decode(m, &r)) != 0)
		return e;
	if (req_accept(bc->b, bc->a, m->id, &r, &q) == 0)
		sched_add(bc->b, q);
	return 0;
}

static int
broker_on_audit_ack(struct chan *c, struct msg *m, void *arg)
{
	struct broker		*b = arg;
	struct audit_ack_msg	 k;
	int			 e;

	(void)c;
	if ((e = msg_audit_ack_decode(m, &k)) != 0)
		return e;
	sched_audited(b, k.reqid, k.status);
	return 0;
}

/*
 * The agent must not take a fetcher's word after we cut it off: it ends
 * that fetcher's run for the reason we had (a lying DONE comes too late).
 */
static void
broker_tell_closed(struct broker *b, struct broker_app *a, int e)
{
	struct closed_msg	m;
	struct buf		buf;

	if (!b->agent_live)
		return;
	memset(&m, 0, sizeof(m));
	(void)!buf_scopy(m.app, sizeof(m.app), a->name);
	m.code = (uint32_t)-e;
	(void)snprintf(m.text, sizeof(m.text), "broker closed its channel: %s",
	    a->ch.why[0] ? a->ch.why : err_str(e));
	buf_init(&buf, MSG_TEXT_MAX + 128, 0);
	if (msg_closed_encode(&m, &buf) == 0)
		(void)!chan_send_buf(&b->agent, MSG_CLOSED, 0, &buf);
	buf_clear(&buf);
}

/* A fetcher's bad message ends its channel, never the broker. */
static void
broker_app_close(struct broker *b, struct broker_app *a, uint32_t id, int e)
{
	if (e != PC_E_EOF) {
		log_warnx("fetcher %s: %s; channel closed", a->name,
		    a->ch.why[0] ? a->ch.why : err_str(e));
		broker_tell_closed(b, a, e);
		(void)chan_send_err(&a->ch, id, e, "broker closed the "
		    "channel: %s", a->ch.why[0] ? a->ch.why : err_str(e));
		(void)!chan_flush(&a->ch);
	}
	chan_clear(&a->ch);
	a->live = 0;
	/* What it queued goes; what is on the wire ends and is audited. */
	sched_drop_app(b, a);
}

static void
broker_app_read(struct broker *b, struct broker_app *a)
{
	struct broker_call	bc = { b, a };
	struct msg		m;
	int			e, n;

	for (n = 0; n < BROKER_READ_BURST && a->live &&
	    a->nqueued < BROKER_QUEUE_MAX; n++) {
		memset(&m, 0, sizeof(m));	/* no stack bytes in an ERR */
		if ((e = chan_recv(&a->ch, &m)) == PC_E_AGAIN)
			return;
		if (e == 0 && (e = msg_dispatch(&a->ch, broker_fetcher_routes,
		    sizeof(broker_fetcher_routes) /
		    sizeof(broker_fetcher_routes[0]), &m, &bc)) == 0)
			continue;
		broker_app_close(b, a, m.id, e);
		return;
	}
}

static void
broker_agent_read(struct broker *b)
{
	struct msg	m;
	int		e;

	for (;;) {
		if ((e = chan_recv(&b->agent, &m)) == PC_E_AGAIN)
			return;
		if (e == PC_E_EOF) {
			/* No audit log: nothing new may be sent. */
			log_warnx("the agent is gone: no new requests");
			b->agent_live = 0;
			return;
		}
		if (e != 0 || (e = msg_dispatch(&b->agent,
		    broker_agent_routes, sizeof(broker_agent_routes) /
		    sizeof(broker_agent_routes[0]), &m, b)) != 0)
			fatalx("agent channel: %s", b->agent.why[0] ?
			    b->agent.why : err_str(e));
	}
}

/* ---- the loop ------------------------------------------------------ */

static void
broker_finished(struct broker *b)
{
	struct http_xfer	*x;
	int			 result;

	while ((x = http_next_done(&result)) != NULL) {
		if (x->kind == HX_TOKEN) {
			auth_token_done(x->owner, x, result);
			continue;
		}
		((struct breq *)x->owner)->result = result;
		sched_done(b, x->owner);
	}
}

/* A fetcher stuck half-way through a message, or not reading answers. */
static void
broker_deadlines(struct broker *b, long long now)
{
	struct broker_app	*a;
	long long		 ms;
	size_t			 i;

	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (!a->live || (ms = chan_stuck_ms(&a->ch, now)) <=
		    b->msg_timeout_ms)
			continue;
		(void)snprintf(a->ch.why, sizeof(a->ch.why), "%s for %llds "
		    "(msg-timeout)", a->ch.assembling ? "half a message" :
		    "answers not read", ms / 1000);
		broker_app_close(b, a, 0, PC_E_TIMEOUT);
	}
}

static int
broker_busy(const struct broker *b)
{
	size_t	i;

	for (i = 0; i < b->napps; i++)
		if (b->apps[i].live || b->apps[i].inflight > 0 ||
		    b->apps[i].auditing > 0)
			return 1;
	return 0;
}

static long
broker_timeout(struct broker *b, long long now)
{
	long	t = http_timeout_ms(), s = (long)sched_next_ms(b, now);

	if (t < 0 || t > 1000)
		t = 1000;	/* deadlines and progress, once a second */
	if (s >= 0 && s < t)
		t = s;
	return t;
}

static void
broker_loop(struct broker *b)
{
	struct pollfd	pfd[RUN_MAX_APPS + 1];
	size_t		i, n, map[RUN_MAX_APPS + 1];
	long long	now;

	while (broker_busy(b) && (b->agent_live || broker_busy(b))) {
		n = 0;
		if (b->agent_live) {
			pfd[n].fd = b->agent.fd;
			pfd[n].events = POLLIN;
			map[n++] = RUN_MAX_APPS;
		}
		for (i = 0; i < b->napps; i++) {
			struct broker_app *a = &b->apps[i];

			if (!a->live)
				continue;
			pfd[n].fd = a->ch.fd;
			pfd[n].events = (short)((a->nqueued < BROKER_QUEUE_MAX ?
			    POLLIN : 0) | (chan_wants_write(&a->ch) ? POLLOUT :
			    0));
			map[n++] = i;
		}
		now = chan_now_ms();
		if (http_wait(pfd, (unsigned)n, broker_timeout(b, now)) != 0)
			fatal("broker: poll");
		for (i = 0; i < n; i++) {
			if (map[i] == RUN_MAX_APPS) {
				if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
					broker_agent_read(b);
				continue;
			}
			if ((pfd[i].revents & POLLOUT) &&
			    chan_flush(&b->apps[map[i]].ch) != 0)
				broker_app_close(b, &b->apps[map[i]], 0, PC_E_EOF);
			if (b->apps[map[i]].live &&
			    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				broker_app_read(b, &b->apps[map[i]]);
		}
		broker_finished(b);
		sched_run(b);
		now = chan_now_ms();
		broker_deadlines(b, now);
		for (i = 0; b->agent_live && i < b->napps; i++)
			broker_progress(b, &b->apps[i], now);
	}
}

/* ---- set-up -------------------------------------------------------- */

static char *
broker_read_ca(const char *path, size_t *len)
{
	char	*p;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		fatal("ca-file %s", path);
	if ((p = malloc(BROKER_CA_MAX)) == NULL)
		fatal("ca-file");
	n = read(fd, p, BROKER_CA_MAX);
	close(fd);
	if (n <= 0 || n == BROKER_CA_MAX)
		fatalx("ca-file %s: empty or over %d bytes", path,
		    BROKER_CA_MAX);
	*len = (size_t)n;
	return p;
}

/*
 * With a proxy, libcurl connects to the proxy and the proxy resolves the
 * vendor: our open-socket check sees only the proxy's address. So every
 * address of each credential's host must pass the allowlist here, or
 * that credential refuses every request (the proxy's own address is
 * checked on the socket as always).
 */
static void
broker_proxy_check(struct broker_app *a, struct broker_cred *c)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 addr[64];
	int		 e;

	if (a->conf->proxy == NULL || c->conf->host[0] == '\0')
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(c->conf->host, NULL, &hints, &res)) != 0) {
		(void)snprintf(c->why, sizeof(c->why), "proxy: cannot check "
		    "where %.100s goes: %s", c->conf->host, gai_strerror(e));
		c->token_state = TOKEN_FAILED;
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (allow_check(a->conf->allow, ai->ai_addr, ai->ai_addrlen,
		    addr, sizeof(addr)) != 0) {
			(void)snprintf(c->why, sizeof(c->why), "proxy: %.100s "
			    "resolves to %s, which the IP allowlist refuses",
			    c->conf->host, addr);
			c->token_state = TOKEN_FAILED;
			break;
		}
	freeaddrinfo(res);
}

static void
broker_rates(struct broker_app *a)
{
	const struct app_rate	*d = a->conf->def->rates;
	long long		 now = chan_now_ms();
	size_t			 i;

	for (i = 0; i < APP_MAX_RATES && d[i].name != NULL; i++) {
		a->rates[i].def = &d[i];
		a->rates[i].cap = a->conf->rate[i];
		/* Half a minute's budget at first: no burst past a vendor's
		 * sliding window. */
		a->rates[i].tokens = a->rates[i].cap / 2.0;
		a->rates[i].per_ms = a->conf->rate[i] / 60000.0;
		a->rates[i].last = now;
	}
	a->nrates = i;
}

/* The runtime view of one configured app. */
static void
broker_app_init(struct broker_app *a, const struct app_conf *ac)
{
	size_t	i;

	memset(a, 0, sizeof(*a));
	a->conf = ac;
	a->name = ac->name;
	a->ncreds = ac->ncreds;
	a->max_inflight = ac->max_in_flight > 0 ? ac->max_in_flight : 1;
	for (i = 0; i < ac->ncreds; i++) {
		a->creds[i].conf = &ac->creds[i];
		a->creds[i].name = ac->creds[i].def->name;
		buf_init(&a->creds[i].form, 0, 0);
	}
	broker_rates(a);
}

/* Everything that needs privilege or files happens here, then we drop. */
static void
broker_load_app(struct broker *b, struct broker_app *a)
{
	struct broker_cred	*c;
	size_t			 i;

	for (i = 0; i < a->ncreds; i++) {
		c = &a->creds[i];
		if (c->conf->kind == AUTH_NONE || c->conf->secret_opt == NULL)
			continue;
		if (cred_load(b->rc->cfg, a->name, c->conf->secret_opt,
		    &c->secret) != 0)
			fatalx("%s: cannot start without its %s", a->name,
			    c->conf->secret_opt);
		broker_proxy_check(a, c);
	}
	if (a->conf->ca_file != NULL)
		a->ca_pem = broker_read_ca(a->conf->ca_file, &a->ca_len);
}

static void
broker_load(struct broker *b)
{
	size_t	i;

	cred_init();
	secret_init();
	vault_open(&b->vault);
	if (b->vault.kv != NULL)
		broker_load_app(b, b->vault.kv);
	for (i = 0; i < b->napps; i++)
		broker_load_app(b, &b->apps[i]);
}

static void
broker_open(struct broker *b)
{
	struct broker_app	*a;
	size_t			 i;

	http_global_init();
	if (chan_init(&b->agent, b->rc->agent_fd, P_BROKER, P_AGENT,
	    "agent") != 0 || chan_nonblock(&b->agent, BROKER_OUT_MAX) != 0)
		fatalx("agent channel");
	/* Blocking to the agent: it reads promptly, and audit lines must
	 * not wait in a queue of ours. Reads never block. */
	b->agent.nonblock = 0;
	b->agent_live = 1;
	broker_agent_ch = &b->agent;
	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (chan_init(&a->ch, a->conf->fd, P_BROKER, P_FETCHER,
		    a->name) != 0 || chan_nonblock(&a->ch, BROKER_OUT_MAX) != 0)
			fatalx("%s: channel", a->name);
		a->live = 1;
	}
}

/*
 * We were forked from the agent: keep only our channels. Whatever else
 * the agent had open (a terminal, a file of the service) is not ours.
 */
static void
broker_close_others(const struct run_conf *rc)
{
	int	keep[RUN_MAX_APPS + 4], n = 0, i, j, t, lo = 3;

	keep[n++] = rc->agent_fd;
	for (i = 0; i < (int)rc->napps; i++)
		keep[n++] = rc->apps[i].fd;
	for (i = 1; i < n; i++)		/* a few: insertion sort */
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--)
			t = keep[j], keep[j] = keep[j - 1], keep[j - 1] = t;
	for (i = 0; i < n; i++) {
		if (keep[i] > lo && close_range((unsigned)lo,
		    (unsigned)keep[i] - 1, 0) == -1)
			fatal("close_range");
		if (keep[i] >= lo)
			lo = keep[i] + 1;
	}
	if (close_range((unsigned)lo, ~0U, 0) == -1)
		fatal("close_range");
}

static void
broker_runid(struct broker *b)
{
	uint8_t	r[4];
	size_t	i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		fatal("getrandom");
	for (i = 0; i < sizeof(r); i++)
		(void)snprintf(b->runid + 2 * i, 3, "%02x", r[i]);
}

static void
broker_shutdown(struct broker *b)
{
	struct buf	end;
	size_t		i, k;

	for (i = 0; i < b->napps; i++)
		for (k = 0; k < b->apps[i].ncreds; k++)
			http_cred_clear(&b->apps[i].creds[k]);
	if (b->vault.kv != NULL)
		http_cred_clear(&b->vault.kv->creds[0]);
	http_global_clear();
	secret_clear();
	cred_clear();
	/* The final figures, for the agent's summary line. */
	for (i = 0; b->agent_live && i < b->napps; i++) {
		b->apps[i].progress_dirty = 1;
		b->apps[i].progress_at = 0;
		broker_progress(b, &b->apps[i], chan_now_ms());
	}
	buf_init(&end, 64, 0);
	if (b->agent_live && tlv_add_u32(&end, TAG_BROKER_END_STATUS, 0) == 0)
		(void)!chan_send_buf(&b->agent, MSG_BROKER_END, 0, &end);
	buf_clear(&end);
}

void
broker_main(struct run_conf *rc)
{
	static struct broker	b;
	struct rlimit		rl = { 0, 0 };
	size_t			i;

	log_init("broker", log_level());
	log_set_hook(NULL);	/* the agent's progress line is not ours */
	broker_close_others(rc);
	/* Keys live here: no core file, no ptrace by our own uid. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("disable core dumps");
	signal(SIGPIPE, SIG_IGN);
	/* A service's handlers are the agent's; the broker just ends. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	b.rc = rc;
	b.dry_run = rc->dry_run;
	b.retry_max_ms = rc->retry_max * 1000LL;
	b.msg_timeout_ms = rc->msg_timeout * 1000LL;
	b.napps = rc->napps;
	for (i = 0; i < rc->napps; i++)
		broker_app_init(&b.apps[i], &rc->apps[i]);
	b.vault.conf = &rc->vault;
	b.vault.spool_fd = -1;
	if (rc->vault.kind == VAULT_KV) {
		broker_app_init(&b.kv, &rc->vault.kv);
		b.vault.kv = &b.kv;
	}
	broker_runid(&b);
	broker_load(&b);
	priv_demote(&rc->id, "broker");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	broker_open(&b);
	broker_loop(&b);
	broker_shutdown(&b);
	_exit(0);
}
