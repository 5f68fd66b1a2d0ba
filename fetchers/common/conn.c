/*
 * Runs in: every vendor fetcher (sandboxed). Input: answers relayed by
 * the broker (vendor bytes: untrusted, parsed with pcj only) and the
 * connector's own calls. Calls, retries, and the queue of calls in
 * flight.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "kit.h"
#include "log.h"
#include "retry.h"

/* A queued or sent call, its strings and body in one allocation. */
struct conn_job {
	struct conn_job		*next;
	uint32_t		 id;		/* the broker's, once sent */
	unsigned		 tries;
	long long		 not_before;	/* ms: a retry waits */
	conn_fn			 fn;
	void			*arg;
	int			 write;
	struct conn_call	 call;
	uint8_t			 data[];
};

static long long
conn_now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_sleep(long long ms)
{
	struct timespec	ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

void
conn_resp_init(struct conn_resp *r)
{
	memset(r, 0, sizeof(*r));
	fetch_resp_init(&r->r);
}

void
conn_resp_clear(struct conn_resp *r)
{
	if (r->parsed)
		pcj_free(&r->doc);
	r->parsed = 0;
	fetch_resp_clear(&r->r);
}

int
conn_fail(struct conn *c, int e, const char *fmt, ...)
{
	va_list	ap;

	if (c->failed != 0)
		return e;	/* the first failure is the one reported */
	c->failed = e;
	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	/* A call's failure behind it: its fields go with the line. */
	if (c->last[0] != '\0')
		c->err_fail = c->last_fail;
	else
		memset(&c->err_fail, 0, sizeof(c->err_fail));
	return e;
}

void
conn_ref_hold(struct conn_ref *r)
{
	if (r != NULL)
		r->n++;
}

void
conn_ref_drop(struct conn_ref *r)
{
	if (r != NULL && r->n > 0 && --r->n == 0 && r->release != NULL)
		r->release(r->obj);
}

static int
conn_is_write(const struct conn_call *call)
{
	const char	*m = call->method != NULL ? call->method : "GET";

	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && !call->read;
}

/* Copy a call's strings and body beside the job. */
static struct conn_job *
conn_job_new(const struct conn_call *call)
{
	const char *const	*src[] = { &call->method, &call->path,
				    &call->accept, &call->ctype, &call->cred,
				    &call->op, &call->target, &call->slot };
	const char		**dst[8];
	struct conn_job		*j;
	size_t			 need = call->len, i, n;
	uint8_t			*p;

	for (i = 0; i < 8; i++)
		need += *src[i] != NULL ? strlen(*src[i]) + 1 : 0;
	if ((j = calloc(1, sizeof(*j) + need + 1)) == NULL)
		return NULL;
	j->call = *call;
	dst[0] = &j->call.method, dst[1] = &j->call.path;
	dst[2] = &j->call.accept, dst[3] = &j->call.ctype;
	dst[4] = &j->call.cred, dst[5] = &j->call.op;
	dst[6] = &j->call.target, dst[7] = &j->call.slot;
	p = j->data;
	for (i = 0; i < 8; i++) {
		if (*src[i] == NULL)
			continue;
		n = strlen(*src[i]) + 1;
		memcpy(p, *src[i], n);
		*dst[i] = (const char *)p;
		p += n;
	}
	if (call->body != NULL) {
		memcpy(p, call->body, call->len);
		j->call.body = p;
	}
	j->write = conn_is_write(call);
	return j;
}

static int
conn_send(struct conn *c, struct conn_job *j)
{
	struct fetch_req	req;

	memset(&req, 0, sizeof(req));
	req.method = j->call.method != NULL ? j->call.method : "GET";
	req.path = j->call.path;
	req.accept = j->call.accept;
	req.ctype = j->call.body != NULL ? j->call.ctype : NULL;
	req.body = j->call.body;
	req.len = j->call.len;
	req.cred = j->call.cred;
	req.operation = j->call.op;
	req.target = j->call.target;
	req.slot = j->call.slot;
	if (j->tries++ == 0)
		c->calls++;
	c->tries++;
	return fetch_submit(c->f, &req, &j->id);
}

/* One line for a failed answer: the connector knows its envelope. */
static void
conn_errline(struct conn *c, const struct conn_job *j, struct conn_resp *r,
    char *line, size_t linesz)
{
	char	vendor[CONN_ERR_MAX] = "";
	int	n;

	if (!r->parsed && r->r.body.len > 0 && pcj_parse(&r->doc,
	    (const char *)r->r.body.p, r->r.body.len, NULL) == 0)
		r->parsed = 1;
	if (c->def != NULL && c->def->error != NULL)
		c->def->error(r, vendor, sizeof(vendor));
	memset(&c->last_fail, 0, sizeof(c->last_fail));
	c->last_fail.cause = FAIL_HTTP;
	c->last_fail.http = r->r.status;
	msg_fail_request(&c->last_fail, j->call.method != NULL ?
	    j->call.method : "GET", j->call.path);
	(void)snprintf(c->last_fail.cred, sizeof(c->last_fail.cred), "%s",
	    j->call.cred != NULL ? j->call.cred : "");
	(void)snprintf(c->last_fail.detail, sizeof(c->last_fail.detail), "%s",
	    vendor);
	/* The path without its query: the line is for people. */
	n = snprintf(line, linesz, "%s %s %.*s: HTTP %u%s%s", c->app != NULL ?
	    c->app->name : "vendor", j->call.method != NULL ? j->call.method :
	    "GET", (int)strcspn(j->call.path, "?"), j->call.path, r->r.status,
	    vendor[0] ? " " : "", vendor);
	/* A long vendor message is cut; say so rather than end mid-word. */
	if (n >= 0 && (size_t)n >= linesz && linesz > 4)
		memcpy(line + linesz - 4, "...", 4);
}

/* Wait before try n: what the vendor asked, else 1, 2, 4... with jitter. */
static long long
conn_backoff(struct conn *c, const struct fetch_resp *r, unsigned n)
{
	long long	w = retry_wait_ms(r->retry, r->ratelimit, time(NULL));

	if (w >= 0)
		return w;
	w = 1000LL << (n < 6 ? n : 6);
	if (w > CONN_BACKOFF_MAX)
		w = CONN_BACKOFF_MAX;
	/* "Equal jitter": half fixed, half random, so retries spread out. */
	c->jitter ^= c->jitter << 13;
	c->jitter ^= c->jitter >> 7;
	c->jitter ^= c->jitter << 17;
	return w / 2 + (long long)(c->jitter % (uint64_t)(w / 2 + 1));
}

/* The broker's reason names the request already; else we do. */
static void
conn_refusal(struct conn *c, const struct conn_job *j, const char *why)
{
	const char	*m = j->call.method ? j->call.method : "GET";
	size_t		 ml = strlen(m), pl = strlen(j->call.path);

	if (strncmp(why, m, ml) == 0 && why[ml] == ' ' &&
	    strncmp(why + ml + 1, j->call.path, pl) == 0)
		(void)snprintf(c->last, sizeof(c->last), "%s %.480s",
		    c->app->name, why);
	else
		(void)snprintf(c->last, sizeof(c->last), "%s %s %.200s: %.280s",
		    c->app->name, m, j->call.path, why);
}

enum { CONN_DONE, CONN_RETRY };

/*
 * What an answer means for its job: done (the function gets it, with
 * e the outcome), or retry later (*wait ms). A read is retried on 429,
 * 5xx and transfer failures; a write only on 429 (the vendor refused
 * it unprocessed); any other doubt about a write is PC_E_AMBIGUOUS.
 */
static int
conn_decide(struct conn *c, struct conn_job *j, int *e, struct conn_resp *r,
    long long *wait)
{
	int	retry_status = *e == 0 && (r->r.status == 429 ||
		    r->r.status >= 500);
	int	transfer = *e == PC_E_TIMEOUT || *e == PC_E_HTTP;
	char	line[CONN_ERR_MAX];

	if (*e == 0 && r->r.status >= 200 && r->r.status < 300)
		return CONN_DONE;
	/*
	 * --dry-run: the broker printed the write and sent nothing. The
	 * operation goes on as if it were done (status 0, no body), so every
	 * write it would send is printed, in order.
	 */
	if (*e == PC_E_DRYRUN) {
		c->dry_writes++;
		*e = 0;
		r->r.status = 0;
		return CONN_DONE;
	}
	if (retry_status || transfer) {
		if (j->write && !(retry_status && r->r.status == 429)) {
			*e = PC_E_AMBIGUOUS;
			return CONN_DONE;
		}
		if (j->tries < CONN_TRIES) {
			*wait = conn_backoff(c, &r->r, j->tries - 1);
			if (*wait > c->retry_max_ms) {
				*e = conn_fail(c, PC_E_TIMEOUT, "%s %s: the vendor "
				    "asks to wait %llds, more than "
				    "retry-after-max (%llds)", j->call.method ?
				    j->call.method : "GET", j->call.path,
				    *wait / 1000, c->retry_max_ms / 1000);
				return CONN_DONE;
			}
			/* Debug: the run's one line says what failed. */
			fetch_log(c->f, LOG_L_DEBUG, "retry %s %.200s: %s; try "
			    "%u of %u in %llds", j->call.method ?
			    j->call.method : "GET", j->call.path, !transfer ?
			    (r->r.status == 429 ? "HTTP 429" : "HTTP 5xx") :
			    r->r.fail.detail[0] ? r->r.fail.detail : r->r.err,
			    j->tries + 1, CONN_TRIES, (*wait + 999) / 1000);
			return CONN_RETRY;
		}
	}
	if (*e == 0) {
		conn_errline(c, j, r, line, sizeof(line));
		(void)snprintf(c->last, sizeof(c->last), "%s", line);
		*e = PC_E_REMOTE;
	} else {
		conn_refusal(c, j, r->r.err[0] ? r->r.err : err_str(*e));
		c->last_fail = r->r.fail;
	}
	return CONN_DONE;
}

/* A 2xx JSON body is parsed once; a bad one fails the call. */
static int
conn_parse(struct conn *c, struct conn_job *j, struct conn_resp *r)
{
	int	e;

	if (r->parsed || r->r.body.len == 0 ||
	    strstr(r->r.ctype, "json") == NULL)
		return 0;
	if ((e = pcj_parse(&r->doc, (const char *)r->r.body.p, r->r.body.len,
	    NULL)) != 0) {
		(void)snprintf(c->last, sizeof(c->last), "%s %s: answer at "
		    "offset %zu: %s", c->app->name, j->call.path, r->doc.off,
		    r->doc.why ? r->doc.why : err_str(e));
		return e;
	}
	r->parsed = 1;
	return 0;
}

/* ---- one call at a time ------------------------------------------ */

int
conn_json(struct conn *c, const char *method, const char *path,
    const char *mt, const char *cred, const struct buf *body, const char *op,
    const char *target, struct conn_resp *r)
{
	struct conn_call	call = { .method = method, .path = path,
				    .accept = mt, .cred = cred, .op = op,
				    .target = target };

	if (body != NULL) {
		call.ctype = mt;
		call.body = body->p;
		call.len = body->len;
	}
	return conn_call(c, &call, r);
}

int
conn_call(struct conn *c, const struct conn_call *call, struct conn_resp *r)
{
	struct conn_job	*j;
	uint32_t	 id;
	long long	 wait = 0;
	int		 e;

	if (c->ninflight != 0 || c->nqueued != 0)
		return PC_E_STATE;
	if ((j = conn_job_new(call)) == NULL)
		return PC_E_NOMEM;
	for (;;) {
		conn_resp_clear(r);
		conn_resp_init(r);
		c->last[0] = '\0';
		c->last_fail.cause = FAIL_NONE;
		if ((e = conn_send(c, j)) == 0)
			e = fetch_wait(c->f, &id, &r->r);
		if (e == PC_E_EOF || e == PC_E_SYS || e == PC_E_STATE)
			break;		/* the channel: nothing more comes */
		if (conn_decide(c, j, &e, r, &wait) == CONN_DONE)
			break;
		conn_sleep(wait);
	}
	if (e == 0)
		e = conn_parse(c, j, r);
	if (e != 0 && c->last[0] != '\0') {
		(void)snprintf(c->err, sizeof(c->err), "%s", c->last);
		c->err_fail = c->last_fail;
	}
	free(j);
	return e;
}

/* ---- many calls in flight ---------------------------------------- */

/* Queue j last, or first (a retry, a counted listing's next page). */
static void
conn_queue_put(struct conn *c, struct conn_job *j, int ahead)
{
	if (ahead) {
		j->next = c->queue;
		c->queue = j;
		if (c->queue_tail == NULL)
			c->queue_tail = j;
	} else {
		j->next = NULL;
		if (c->queue_tail != NULL)
			c->queue_tail->next = j;
		else
			c->queue = j;
		c->queue_tail = j;
	}
	c->nqueued++;
}

static int
conn_enqueue(struct conn *c, const struct conn_call *call, conn_fn fn,
    void *arg, int ahead)
{
	struct conn_job	*j;

	if (c->failed != 0)
		return c->failed;
	if ((j = conn_job_new(call)) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	j->fn = fn;
	j->arg = arg;
	conn_queue_put(c, j, ahead);
	return 0;
}

int
conn_submit(struct conn *c, const struct conn_call *call, conn_fn fn,
    void *arg)
{
	return conn_enqueue(c, call, fn, arg, 0);
}

int
conn_submit_ahead(struct conn *c, const struct conn_call *call, conn_fn fn,
    void *arg)
{
	return conn_enqueue(c, call, fn, arg, 1);
}

/* The first queued job that may go now (a retry may still wait). */
static struct conn_job *
conn_take(struct conn *c, long long now, long long *soonest)
{
	struct conn_job	**pp, *j;

	*soonest = -1;
	for (pp = &c->queue; (j = *pp) != NULL; pp = &j->next) {
		if (j->not_before > now) {
			if (*soonest < 0 || j->not_before < *soonest)
				*soonest = j->not_before;
			continue;
		}
		*pp = j->next;
		if (c->queue_tail == j) {
			struct conn_job *t;

			c->queue_tail = NULL;
			for (t = c->queue; t != NULL; t = t->next)
				c->queue_tail = t;
		}
		j->next = NULL;
		c->nqueued--;
		return j;
	}
	return NULL;
}

/* A job that will never be answered: its function lets go of arg. */
static void
conn_abandon(struct conn *c, struct conn_job *j)
{
	if (j->fn != NULL)
		(void)j->fn(c, NULL, j->arg);
	free(j);
}

static void
conn_drop_queue(struct conn *c)
{
	struct conn_job	*j;

	while ((j = c->queue) != NULL) {
		c->queue = j->next;
		conn_abandon(c, j);
	}
	c->queue_tail = NULL;
	c->nqueued = 0;
}

static struct conn_job *
conn_answered(struct conn *c, uint32_t id)
{
	struct conn_job	**pp, *j;

	for (pp = &c->inflight_jobs; (j = *pp) != NULL; pp = &j->next)
		if (j->id == id) {
			*pp = j->next;
			j->next = NULL;
			c->ninflight--;
			return j;
		}
	return NULL;
}

/*
 * Fill the window: twice max-in-flight. The broker runs at most
 * max-in-flight at once and queues the rest in order; the others wait
 * there so that a slot freed by an answer starts the next request at
 * once, not after the answer has crossed to us, been parsed and its
 * records sent (with exactly max-in-flight sent, every slot idled that
 * long once per request: 10k Atlas users at 20 ms had 6.3-6.6 of 8
 * answers in flight at the mock, 7.0-7.1 with this).
 */
#define CONN_AHEAD	2

static int
conn_fill(struct conn *c, long long *soonest)
{
	struct conn_job	*j;
	long long	 now = conn_now();
	int		 e;

	*soonest = -1;
	while (c->failed == 0 && c->ninflight < CONN_AHEAD * c->max_inflight &&
	    (j = conn_take(c, now, soonest)) != NULL) {
		if ((e = conn_send(c, j)) != 0) {
			e = conn_fail(c, e, "cannot reach the broker: %s",
			    err_str(e));
			conn_abandon(c, j);
			return e;
		}
		j->next = c->inflight_jobs;
		c->inflight_jobs = j;
		c->ninflight++;
	}
	return 0;
}

/* An answer came for j: retry it, or hand it to its function. */
static void
conn_dispatch(struct conn *c, struct conn_job *j, int e, struct conn_resp *r)
{
	long long	wait = 0;

	c->last[0] = '\0';
	c->last_fail.cause = FAIL_NONE;
	if (conn_decide(c, j, &e, r, &wait) == CONN_RETRY) {
		j->not_before = conn_now() + wait;
		conn_queue_put(c, j, 1);	/* ahead, when its time comes */
		return;
	}
	if (e == 0)
		e = conn_parse(c, j, r);
	if (c->failed == 0 && e != 0 && e != PC_E_REMOTE &&
	    e != PC_E_AMBIGUOUS)
		(void)conn_fail(c, e, "%s", c->last[0] ? c->last : err_str(e));
	if (c->failed != 0) {
		conn_abandon(c, j);	/* the run is over: only clean up */
		return;
	}
	if (j->fn != NULL && (e = j->fn(c, r, j->arg)) != 0)
		(void)conn_fail(c, e, "%s", c->last[0] ? c->last : err_str(e));
	free(j);
}

int
conn_run(struct conn *c)
{
	static struct conn_resp	r;
	struct conn_job		*j;
	long long		 soonest;
	uint32_t		 id;
	int			 e;

	conn_resp_init(&r);
	while (c->ninflight > 0 || (c->nqueued > 0 && c->failed == 0)) {
		if (conn_fill(c, &soonest) != 0 && c->ninflight == 0)
			break;
		if (c->ninflight == 0) {
			if (soonest >= 0)
				conn_sleep(soonest - conn_now());
			continue;
		}
		conn_resp_clear(&r);
		conn_resp_init(&r);
		e = fetch_wait(c->f, &id, &r.r);
		if (e == PC_E_EOF || e == PC_E_SYS || e == PC_E_STATE) {
			(void)conn_fail(c, e, "broker channel: %s", err_str(e));
			break;
		}
		if ((j = conn_answered(c, id)) == NULL) {
			(void)conn_fail(c, PC_E_STATE, "an answer to no request");
			break;
		}
		conn_dispatch(c, j, e, &r);
	}
	conn_resp_clear(&r);
	conn_drop_queue(c);
	return c->failed;
}

/* ---- reading answers ---------------------------------------------- */

const char *
conn_str(const struct pcj_doc *d, int obj, const char *key, char *dst,
    size_t dstsz)
{
	int	v = pcj_get(d, obj, key);

	if (v < 0 || pcj_type(d, v) != PCJ_STRING ||
	    pcj_str(d, v, dst, dstsz, NULL, PCJ_STR_ID) != 0)
		dst[0] = '\0';
	return dst;
}

int
conn_has(const struct pcj_doc *d, int arr, const char *s)
{
	int	i;

	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i))
		if (pcj_str_eq(d, i, s))
			return 1;
	return 0;
}

int
conn_opt_bool(struct conn *c, const char *key, int dflt)
{
	char	v[16];

	if (fetch_opt(c->f, key, v, sizeof(v)) == NULL)
		return dflt;
	return strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0;
}
