/*
 * The connector kit, calls: what every vendor fetcher shares above
 * fetch.h. A call goes to the broker and comes back parsed (pcj);
 * 429 and 5xx answers to reads are retried after Retry-After or a
 * backoff with jitter (never a sleep after the last try, never a wait
 * past retry-after-max); a write is never retried blindly: an
 * ambiguous outcome (5xx, timeout) is PC_E_AMBIGUOUS for the connector
 * to read back. Several calls may be in flight: conn_submit queues one
 * with a function to run on its answer, conn_run drives them all.
 */
#ifndef PC_CONN_H
#define PC_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "apps.h"
#include "emit.h"
#include "fetch.h"
#include "pcj.h"
#include "record.h"

#define CONN_TRIES		6	/* a read, on 429 and 5xx */
#define CONN_BACKOFF_MAX	60000	/* ms between two tries at most */
#define CONN_ERR_MAX		512

struct conn;
struct conn_job;

/* An answer: what the broker relayed, its body parsed when it is JSON. */
struct conn_resp {
	struct fetch_resp	r;
	struct pcj_doc		doc;
	int			parsed;
};

/* One request as a connector asks for it. */
struct conn_call {
	const char	*method;	/* NULL: GET */
	const char	*path;		/* path + query, relative to the base */
	const char	*accept;	/* media type the vendor declares */
	const char	*ctype;		/* of the body */
	const void	*body;
	size_t		 len;
	const char	*cred;		/* credential; NULL: the primary */
	const char	*op;		/* audit: grant, revoke, create... */
	const char	*target;	/* audit: what it touches */
	const char	*slot;		/* secret slot spec, or NULL */
	int		 read;		/* a POST that only reads (a search) */
};

/*
 * A job's answer: r is the answer (any status, body parsed if JSON); r
 * is NULL when the job will never be answered (the run failed first):
 * then the function only lets go of arg, and its result is ignored.
 * Either way it runs exactly once.
 */
typedef int (*conn_fn)(struct conn *c, struct conn_resp *r, void *arg);

/* Reference counts for state several jobs share (kit frees on 0). */
struct conn_ref {
	unsigned	  n;
	void		(*release)(void *obj);
	void		 *obj;
};

struct conn {
	struct fetch		*f;
	const struct app_def	*app;		/* the descriptor */
	const struct conn_def	*def;		/* the connector */
	void			*vendor;	/* the connector's own state */
	unsigned		 calls;		/* API calls, retries excluded */
	unsigned		 dry_writes;	/* printed by the broker, not sent */
	unsigned		 tries;		/* requests sent */
	unsigned		 max_inflight;
	long long		 retry_max_ms;
	uint64_t		 jitter;	/* state of the backoff jitter */
	struct conn_job		*queue, *queue_tail;	/* not sent yet */
	struct conn_job		*inflight_jobs;
	unsigned		 nqueued, ninflight;
	int			 failed;	/* first error of the run */
	char			 err[CONN_ERR_MAX];	/* its line */
	char			 last[CONN_ERR_MAX];	/* the last call's */
	/* The same two as fields, for the agent's one line (agent/diag.c). */
	struct fail_msg		 err_fail, last_fail;
};

void	conn_resp_init(struct conn_resp *r);
void	conn_resp_clear(struct conn_resp *r);
/*
 * One call with nothing else in flight. 0 on a 2xx (body parsed when
 * JSON); PC_E_REMOTE with r->r.status and c->err (the vendor's error
 * line) on another status; PC_E_AMBIGUOUS for a write whose outcome is
 * unknown; a broker refusal or a channel error otherwise.
 */
int	conn_call(struct conn *c, const struct conn_call *call,
	    struct conn_resp *r) PC_WUR;
/*
 * conn_call of method on path with credential cred (NULL: the primary),
 * accepting media type mt and sending body (or none) as mt; op and target
 * name it in the audit log.
 */
int	conn_json(struct conn *c, const char *method, const char *path,
	    const char *mt, const char *cred, const struct buf *body,
	    const char *op, const char *target, struct conn_resp *r) PC_WUR;
/*
 * Queue a call; fn runs on its answer (any status: the connector reads
 * r->r.status) with arg. The call's strings are copied.
 */
int	conn_submit(struct conn *c, const struct conn_call *call, conn_fn fn,
	    void *arg) PC_WUR;
/* The same, ahead of everything queued (a listing's next pages). */
int	conn_submit_ahead(struct conn *c, const struct conn_call *call,
	    conn_fn fn, void *arg) PC_WUR;
/*
 * Send, wait, retry and dispatch until nothing is queued or in flight.
 * The first error a function returned (or a channel error) is the
 * result; after it nothing new is sent and what is in flight drains.
 */
int	conn_run(struct conn *c) PC_WUR;
/* Record the run's first failure (code and one line); returns e. */
int	conn_fail(struct conn *c, int e, const char *fmt, ...) PC_PRINTF(3, 4);
void	conn_ref_hold(struct conn_ref *r);
void	conn_ref_drop(struct conn_ref *r);

/* String member key of obj into dst ("" when absent or not a string). */
const char *conn_str(const struct pcj_doc *d, int obj, const char *key,
	    char *dst, size_t dstsz);
/* 1 when the string array arr holds s. */
int	conn_has(const struct pcj_doc *d, int arr, const char *s);
/* The app's option key as a boolean (true/yes/1), dflt when unset. */
int	conn_opt_bool(struct conn *c, const char *key, int dflt);

#endif /* PC_CONN_H */
