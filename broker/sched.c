/*
 * Runs in: broker. Input: requests req.c accepted, transfers http.c
 * finished (vendor answers: untrusted, bounded). Each app's requests
 * start in order, at most max-in-flight at once, within its rate
 * buckets and after any pause a vendor asked for; a write is audited
 * before it leaves (the agent acknowledges the line), and a generated
 * secret is sealed before the request that uses it is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "broker.h"
#include "http.h"
#include "log.h"
#include "retry.h"

/* ---- queues ------------------------------------------------------- */

void
sched_add(struct broker *b, struct breq *r)
{
	struct broker_app	*a = r->a;

	(void)b;
	r->next = NULL;
	r->state = RQ_QUEUED;
	if (a->queue_tail != NULL)
		a->queue_tail->next = r;
	else
		a->queue = r;
	a->queue_tail = r;
	a->nqueued++;
	a->progress_dirty = 1;
}

static struct breq *
sched_pop(struct broker_app *a)
{
	struct breq	*r = a->queue;

	if (r == NULL)
		return NULL;
	if ((a->queue = r->next) == NULL)
		a->queue_tail = NULL;
	r->next = NULL;
	a->nqueued--;
	return r;
}

/* Back to the head: a 401 retried with a fresh token keeps its place. */
void
sched_add_front(struct breq *r)
{
	struct broker_app	*a = r->a;

	r->state = RQ_QUEUED;
	r->next = a->queue;
	a->queue = r;
	if (a->queue_tail == NULL)
		a->queue_tail = r;
	a->nqueued++;
}

/* ---- rate buckets and pauses --------------------------------------- */

static struct broker_rate *
sched_rate_of(struct broker_app *a, const struct breq *r)
{
	size_t	i, n;

	for (i = 0; i < a->nrates; i++) {
		const struct app_rate *d = a->rates[i].def;

		if (d->methods != NULL && strstr(d->methods, r->method) == NULL)
			continue;
		n = d->path != NULL ? strlen(d->path) : 0;
		if (n > 0 && strncmp(r->path + strlen(r->cred->conf->base_path),
		    d->path, n) != 0)
			continue;
		return &a->rates[i];
	}
	return NULL;
}

static void
sched_refill(struct broker_rate *q, long long now)
{
	q->tokens += (double)(now - q->last) * q->per_ms;
	if (q->tokens > q->cap)
		q->tokens = q->cap;
	q->last = now;
}

/* ms until the bucket has a token; 0 when one is there. */
static long long
sched_rate_wait(struct broker_rate *q, long long now)
{
	if (q == NULL)
		return 0;
	sched_refill(q, now);
	if (q->tokens >= 1.0)
		return 0;
	return (long long)((1.0 - q->tokens) / q->per_ms) + 1;
}

/*
 * A vendor asked us to wait (429, 503 with Retry-After or a reset
 * time): the whole app waits, up to the cap; beyond it the kit fails.
 */
static void
sched_pause(struct broker *b, struct broker_app *a, const struct http_resp *r)
{
	long long	ms, now = chan_now_ms();

	if (r->status != 429 && r->status != 503)
		return;
	if ((ms = retry_wait_ms(r->retry, r->ratelimit, time(NULL))) <= 0)
		return;
	if (ms > b->retry_max_ms)
		ms = b->retry_max_ms;
	if (now + ms > a->paused_until) {
		a->paused_until = now + ms;
		a->waits++;
		(void)snprintf(a->pause_why, sizeof(a->pause_why), "HTTP %ld: "
		    "waiting %llds", r->status, (ms + 999) / 1000);
		/* Counted in PROGRESS: the progress and summary lines. */
		log_debug("%s: %s", a->name, a->pause_why);
	}
}

long long
sched_next_ms(struct broker *b, long long now)
{
	long long	best = -1, w;
	size_t		i;

	for (i = 0; i < b->napps; i++) {
		struct broker_app *a = &b->apps[i];

		if (a->queue == NULL)
			continue;
		w = a->paused_until > now ? a->paused_until - now : 0;
		if (w == 0)
			w = sched_rate_wait(sched_rate_of(a, a->queue), now);
		if (w > 0 && (best < 0 || w < best))
			best = w;
	}
	return best;
}

/* ---- answers ------------------------------------------------------ */

static void
sched_respond(struct broker_app *a, struct breq *r, const struct http_resp *h)
{
	static struct http_resp_msg	m;
	struct buf			b;
	int				e;

	if (!a->live)
		return;		/* the fetcher went; nothing to tell */
	memset(&m, 0, sizeof(m));
	m.status = (uint32_t)h->status;
	(void)!buf_scopy(m.ctype, sizeof(m.ctype), h->ctype);
	(void)!buf_scopy(m.link, sizeof(m.link), h->link);
	(void)!buf_scopy(m.retry, sizeof(m.retry), h->retry);
	(void)!buf_scopy(m.ratelimit, sizeof(m.ratelimit), h->ratelimit);
	(void)!buf_scopy(m.reqid, sizeof(m.reqid), r->reqid);
	m.body = h->body.p;
	m.len = h->body.len;
	buf_init(&b, MSG_RESP_MAX + MSG_PAYLOAD_MAX, 0);
	if ((e = msg_http_resp_encode(&m, &b)) == 0)
		e = chan_send_buf(&a->ch, MSG_HTTP_RESP, r->id, &b);
	buf_clear(&b);
	if (e != 0)
		log_warnx("%s: cannot answer request %u: %s", a->name, r->id,
		    a->ch.why[0] ? a->ch.why : err_str(e));
}

static void
sched_write_view(const struct breq *r, struct broker_write *w,
    const char *peer)
{
	memset(w, 0, sizeof(*w));
	w->method = r->method;
	w->path = r->path;
	w->op = r->op;
	w->target = r->target;
	w->peer = peer;
}

/* The fetcher never reads a generated value back, not even an echo. */
static void
sched_scrub(struct http_resp *h)
{
	char	*hdrs[] = { h->ctype, h->link, h->retry, h->ratelimit };
	size_t	 i;

	if (h->body.p != NULL)
		h->body.len = secret_scrub(h->body.p, h->body.len);
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		hdrs[i][secret_scrub((uint8_t *)hdrs[i], strlen(hdrs[i]))] =
		    '\0';
}

/* Where the secret of a finished create stands now. */
static void
sched_seal_final(struct broker *b, struct breq *r, int result,
    const struct http_resp *h)
{
	const char	*state;

	if (h == NULL)
		state = "failed";	/* refused before it was sent */
	else if (result == 0 && h->status >= 200 && h->status <= 299)
		state = "created";
	else if (result == PC_E_POLICY || result == PC_E_TLS ||
	    (result == 0 && h->status >= 400 && h->status <= 499))
		state = "failed";	/* it never took effect */
	else
		state = "unknown";	/* sent; whether it took is not known */
	vault_final(b, r->a, r->login, r->reqid, state, result == 0 &&
	    h != NULL ? h->status : 0);
	secret_forget();
	b->slot_busy = 0;
}

static void
sched_finish(struct broker *b, struct breq *r, int result,
    struct http_resp *h)
{
	struct broker_app	*a = r->a;
	struct broker_write	 w;

	if (r->write) {
		sched_write_view(r, &w, h->peer);
		broker_audit(b, a, &w, result == 0 ? h->status : 0, r->reqid,
		    result == 0 ? "sent" : h->err, 0);
	}
	if (r->slot) {
		sched_scrub(h);
		sched_seal_final(b, r, result, h);
	}
	if (result != 0)
		(void)broker_fail(a, r->id, result, &h->fail, "%s %s: %s",
		    r->method, r->path, h->err);
	else if (h->status >= 300 && h->status < 400)
		(void)broker_refuse(a, r->id, PC_E_POLICY, "%s %.*s: redirect "
		    "to \"%s\" refused: redirects are never followed",
		    r->method, (int)strcspn(r->path, "?"), r->path,
		    h->location_host);
	else
		sched_respond(a, r, h);
	a->done++;
	a->progress_dirty = 1;
}

void
sched_done(struct broker *b, struct breq *r)
{
	struct http_xfer	*x = r->x;
	struct broker_app	*a = r->a;
	int			 result = r->result;

	a->inflight--;
	r->x = NULL;
	/* An expired or revoked token: once more with a fresh one. */
	if (result == 0 && x->resp.status == 401 &&
	    r->cred->conf->kind == AUTH_OAUTH2 && r->tries == 0 && a->live) {
		r->tries++;
		auth_token_drop(r->cred);
		http_xfer_put(x);
		sched_add_front(r);
		return;
	}
	if (result == 0)
		sched_pause(b, a, &x->resp);
	log_debug("%s: answer %s %.*s: %s%ld, %zu bytes", a->name, r->method,
	    (int)strcspn(r->path, "?"), r->path, result == 0 ? "HTTP " : "",
	    result == 0 ? x->resp.status : 0L, x->resp.body.len);
	if (r->parent != NULL) {
		/* The broker's own read for a write's domain check. */
		fed_done(b, r, result, &x->resp);
		http_xfer_put(x);
		return;
	}
	sched_finish(b, r, result, &x->resp);
	http_xfer_put(x);
	req_free(r);
}

/* ---- starting ----------------------------------------------------- */

static int
sched_transfer(struct broker *b, struct breq *r)
{
	struct broker_app	*a = r->a;
	struct http_req		 req;
	struct http_resp	 none;
	int			 e;

	(void)b;
	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.path = r->path;
	req.accept = r->accept[0] ? r->accept : NULL;
	req.ctype = r->ctype[0] ? r->ctype : NULL;
	req.body = r->send_body;
	req.len = r->send_len;
	if ((r->x = http_xfer_get(a, r->cred)) == NULL ||
	    (e = http_start(r->x, &req)) != 0) {
		http_resp_init(&none);
		(void)snprintf(none.err, sizeof(none.err), "%s", r->x != NULL ?
		    r->x->resp.err : "out of memory");
		if (r->x != NULL)
			http_xfer_put(r->x);
		r->x = NULL;
		sched_finish(b, r, PC_E_HTTP, &none);
		http_resp_clear(&none);
		req_free(r);
		return PC_E_HTTP;
	}
	/* Debug: the request line. Headers (auth) are never logged; the
	 * query is left out, so nothing in it can reach a log either. */
	log_debug("%s: request %s %s%.*s%s", a->name, r->method,
	    r->cred->conf->origin, (int)strcspn(r->path, "?"), r->path,
	    strchr(r->path, '?') != NULL ? "?..." : "");
	r->x->kind = HX_REQ;
	r->x->owner = r;
	r->state = RQ_RUNNING;
	a->inflight++;
	return 0;
}

/*
 * A create with a generated secret: make it and seal it where it goes
 * (state pending) before the request may leave. Any failure here
 * refuses the create: no account ever exists with a password nobody has.
 */
static int
sched_seal_first(struct broker *b, struct breq *r)
{
	struct broker_app	*a = r->a;
	char			 url[BROKER_PATH_MAX + RUN_URL_MAX], why[1024];

	if (vault_ready(&b->vault, why, sizeof(why)) != 0 ||
	    secret_fill(&r->slot_def, a->conf->secret_len, r->body, r->len,
	    &r->slot_hit, &r->send_body, &r->send_len) != 0 ||
	    (snprintf(url, sizeof(url), "%s%s", r->cred->conf->origin,
	    r->path), vault_pending(b, a, r->login, r->reqid, url, why,
	    sizeof(why))) != 0) {
		struct broker_write	w;

		if (why[0] == '\0')
			(void)snprintf(why, sizeof(why), "cannot generate the "
			    "secret");
		secret_forget();
		sched_write_view(r, &w, "");
		broker_audit(b, a, &w, 0, r->reqid, why, 0);
		(void)broker_refuse(a, r->id, PC_E_POLICY, "%s %s refused "
		    "before anything was sent: %s", r->method, r->path, why);
		req_free(r);
		return PC_E_POLICY;
	}
	b->slot_busy = 1;
	return 0;
}

/* A write: its audit line first; the transfer starts on the ack. */
static void
sched_audit_first(struct broker *b, struct breq *r)
{
	struct broker_app	*a = r->a;
	struct broker_write	 w;

	sched_write_view(r, &w, "");
	a->writes++;
	r->state = RQ_AUDITING;
	r->next = a->audq;
	a->audq = r;
	a->auditing++;
	broker_audit(b, a, &w, 0, r->reqid, "sending", 0);
}

void
sched_audited(struct broker *b, const char *reqid, uint32_t status)
{
	struct breq	**pp, *r;
	size_t		  i;

	for (i = 0; i < b->napps; i++)
		for (pp = &b->apps[i].audq; (r = *pp) != NULL; pp = &r->next) {
			if (strcmp(r->reqid, reqid) != 0)
				continue;
			*pp = r->next;
			r->next = NULL;
			b->apps[i].auditing--;
			if (status == 0) {
				(void)sched_transfer(b, r);
				return;
			}
			(void)broker_refuse(&b->apps[i], r->id, PC_E_POLICY,
			    "%s %s not sent: the audit log could not record it",
			    r->method, r->path);
			if (r->slot)
				sched_seal_final(b, r, PC_E_POLICY, NULL);
			req_free(r);
			return;
		}
	fatalx("broker: an audit acknowledgement for nothing (%s)", reqid);
}

/* Every request of the app that needs credential c fails with why. */
static void
sched_fail_cred(struct broker_app *a, struct broker_cred *c)
{
	struct breq	**pp, *r;

	for (pp = &a->queue; (r = *pp) != NULL; ) {
		if (r->cred != c) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		a->nqueued--;
		(void)broker_refuse(a, r->id, PC_E_POLICY, "%s %s: %s",
		    r->method, r->path, c->why);
		req_free(r);
	}
	a->queue_tail = NULL;
	for (r = a->queue; r != NULL; r = r->next)
		a->queue_tail = r;
}

/* The head request's credential: 1 ready, 0 wait, -1 failed. */
static int
sched_cred_ready(struct broker_app *a, struct breq *r, long long now)
{
	struct broker_cred	*c = r->cred;
	int			 k = auth_ready(c, now);

	if (k != 0)
		return k;
	if (c->token_state != TOKEN_FETCHING && now >= c->token_next &&
	    auth_token_start(a, c) != 0) {
		c->token_state = TOKEN_FAILED;
		return -1;
	}
	return 0;
}

/* Start what app a may start now, in order. */
static void
sched_app(struct broker *b, struct broker_app *a, long long now)
{
	struct breq		*r;
	struct broker_rate	*q;
	int			 k;

	while ((r = a->queue) != NULL && a->inflight + a->auditing <
	    a->max_inflight && now >= a->paused_until) {
		if ((k = sched_cred_ready(a, r, now)) < 0) {
			sched_fail_cred(a, r->cred);
			continue;
		}
		if (k == 0)
			return;
		/* While the vendor's own domain check reads (fed.c), only
		 * its reads start: the write keeps its place in the order.
		 * A dry run stops after it. */
		if (a->checking > 0 && r->parent == NULL)
			return;
		if (!r->checked && fed_guarded(r)) {
			fed_start(b, sched_pop(a));
			continue;
		}
		if (r->dry) {
			(void)req_dry(b, sched_pop(a));
			req_free(r);
			continue;
		}
		q = sched_rate_of(a, r);
		if (sched_rate_wait(q, now) > 0)
			return;
		if (r->slot && b->slot_busy)
			return;		/* one generated secret at a time */
		(void)sched_pop(a);
		if (q != NULL)
			q->tokens -= 1.0;
		(void)snprintf(r->reqid, sizeof(r->reqid), "r%llu-%s",
		    (unsigned long long)++b->reqno, b->runid);
		if (r->slot && sched_seal_first(b, r) != 0)
			continue;
		if (r->write)
			sched_audit_first(b, r);
		else
			(void)sched_transfer(b, r);
		a->progress_dirty = 1;
	}
}

void
sched_run(struct broker *b)
{
	long long	now = chan_now_ms();
	size_t		i;

	if (!b->agent_live)
		return;		/* nothing new without the audit log */
	for (i = 0; i < b->napps; i++)
		sched_app(b, &b->apps[i], now);
}

void
sched_drop_app(struct broker *b, struct broker_app *a)
{
	struct breq	*r;

	(void)b;
	while ((r = sched_pop(a)) != NULL)
		req_free(r);
	a->progress_dirty = 1;
}
