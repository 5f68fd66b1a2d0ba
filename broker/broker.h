/*
 * The broker: the only process that holds credentials and the only one
 * that reaches the network. It serves HTTP_REQ from fetchers through
 * policy (grammar of every field, egress rules per credential, IP
 * allowlist, provisioning switches), injects auth, runs the transfers
 * concurrently (libcurl multi) and relays bounded answers.
 */
#ifndef PC_BROKER_H
#define PC_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "msgs.h"
#include "runconf.h"
#include "secret.h"
#include "vault.h"

#define BROKER_QUEUE_MAX	256	/* requests of one fetcher held here:
					 * past it we stop reading it */
#define BROKER_OUT_MAX		(96 * 1024 * 1024)	/* answers queued for
					 * a fetcher that does not read */
#define BROKER_PATH_MAX		(TAGMAX_HTTP_REQ_PATH + RUN_URL_MAX)

struct http_xfer;
struct fed_ck;
struct http_resp;

/* One credential of one app at run time. */
struct broker_cred {
	const struct cred_conf	*conf;
	const char		*name;
	const char		*secret;	/* locked arena; NULL: none */
	char			*token;		/* OAuth2 token, locked */
	long long		 token_exp;	/* monotonic ms */
	int			 token_state;	/* TOKEN_* */
	struct http_xfer	*token_x;	/* the one token request */
	long long		 token_next;	/* earliest next request, ms */
	char			 why[256];	/* why it cannot be used */
	struct buf		 form;		/* the token request's body */
	struct http_xfer	*idle;		/* handles kept for reuse */
};

#define TOKEN_NONE	0
#define TOKEN_FETCHING	1
#define TOKEN_OK	2
#define TOKEN_FAILED	3

/* A token bucket: requests of one class per minute. */
struct broker_rate {
	const struct app_rate	*def;
	double			 cap, tokens, per_ms;
	long long		 last;		/* ms of the last refill */
};

/* Request states, in order. */
enum breq_state {
	RQ_QUEUED = 0,		/* policy passed, waiting for a slot */
	RQ_AUDITING,		/* write-ahead audit sent, not acknowledged */
	RQ_RUNNING,		/* on the wire */
};

/* One request of a fetcher, from its check to its answer. */
struct breq {
	struct breq		*next;
	struct broker_app	*a;
	struct broker_cred	*cred;
	uint32_t		 id;		/* the fetcher's */
	enum breq_state		 state;
	int			 write;		/* not GET or HEAD */
	int			 slot;		/* carries a generated secret */
	int			 tries;		/* with a fresh token after 401 */
	int			 checked;	/* fed.c let the write go */
	int			 dry;		/* --dry-run: held for fed.c */
	struct breq		*parent;	/* fed.c's read: the write it
						 * is for (owned) */
	struct fed_ck		*fed;		/* a write's check, fed.c */
	char			 method[TAGMAX_HTTP_REQ_METHOD + 1];
	char			 path[BROKER_PATH_MAX];	/* base path + fetcher's */
	char			 accept[TAGMAX_HTTP_REQ_ACCEPT + 1];
	char			 ctype[TAGMAX_HTTP_REQ_CTYPE + 1];
	char			 op[TAGMAX_HTTP_REQ_OPERATION + 1];
	char			 target[TAGMAX_HTTP_REQ_TARGET + 1];
	char			 login[TAGMAX_HTTP_REQ_TARGET + 1];
	uint8_t			*body;		/* owned copy, or NULL */
	size_t			 len;
	const uint8_t		*send_body;	/* body, or the filled one */
	size_t			 send_len;
	struct secret_slot	 slot_def;	/* the slot, when slot */
	struct secret_hit	 slot_hit;
	char			 reqid[48];
	struct http_xfer	*x;
	int			 result;	/* of the finished transfer */
};

/* Everything the broker knows about one app at run time. */
struct broker_app {
	const struct app_conf	*conf;
	const char		*name;
	struct broker_cred	 creds[APP_MAX_CREDS];
	size_t			 ncreds;
	char			*ca_pem;	/* read before privileges drop */
	size_t			 ca_len;
	struct chan		 ch;
	int			 live;
	unsigned		 writes;
	struct breq		*queue, *queue_tail;	/* not started */
	struct breq		*audq;		/* waiting for the audit ack */
	unsigned		 nqueued, inflight, auditing;
	unsigned		 done, waits, max_inflight;
	unsigned		 checking;	/* writes fed.c holds */
	long long		 paused_until;	/* Retry-After, ms */
	char			 pause_why[128];
	struct broker_rate	 rates[APP_MAX_RATES];
	size_t			 nrates;
	int			 progress_dirty;
	long long		 progress_at;	/* ms of the last PROGRESS */
};

struct broker {
	struct run_conf		*rc;
	struct broker_app	 apps[RUN_MAX_APPS];
	size_t			 napps;
	struct broker_app	 kv;		/* VAULT_KV transport */
	struct chan		 agent;
	int			 agent_live;
	int			 dry_run;
	uint64_t		 reqno;
	char			 runid[9];	/* random, in request ids */
	struct vault		 vault;
	int			 slot_busy;	/* one secret at a time */
	long long		 retry_max_ms;	/* cap on a Retry-After */
	long long		 msg_timeout_ms;
};

/* One write request as the audit log sees it. */
struct broker_write {
	const char	*method, *path, *op, *target, *peer;
	const uint8_t	*body;
	size_t		 len;
};

/* broker.c */
/* One audit record to the agent (body only for dry runs). */
void	broker_audit(struct broker *b, struct broker_app *a,
	    const struct broker_write *w, long status, const char *reqid,
	    const char *result, int with_body);
/*
 * ERR to the fetcher for request id, with f's fields (f may be NULL: the
 * text alone); a policy refusal (PC_E_POLICY) also goes to the agent as
 * REFUSED. Logged here only at debug level: the agent renders the one
 * line. Returns 0.
 */
int	broker_fail(struct broker_app *a, uint32_t id, int code,
	    const struct fail_msg *f, const char *fmt, ...) PC_PRINTF(5, 6);
/* broker_fail without fields. */
int	broker_refuse(struct broker_app *a, uint32_t id, int code,
	    const char *fmt, ...) PC_PRINTF(4, 5);
/* The app's credential named name ("" is the primary), or NULL. */
struct broker_cred *broker_cred_find(struct broker_app *a, const char *name);

/* req.c: from HTTP_REQ to a checked request, or a refusal sent. */
int	req_grammar(const struct http_req_msg *m, char *why, size_t whysz)
	    PC_WUR;
int	req_accept(struct broker *b, struct broker_app *a, uint32_t id,
	    const struct http_req_msg *m, struct breq **out) PC_WUR;
void	req_free(struct breq *r);
/* --dry-run: a write audited with its body, ERR DRYRUN; never sent. */
int	req_dry(struct broker *b, struct breq *r);
/* 0 when the egress rules let r (method, path below the base) go. */
int	req_egress_ok(const struct broker_app *a, const struct breq *r,
	    char *why, size_t whysz) PC_WUR;
/* 0 when every address in a write body is in domains, else the bad one. */
int	req_domains_check(const char *domains, const uint8_t *p, size_t len,
	    char *bad, size_t badsz) PC_WUR;

/*
 * fed.c: the vendor's own approved domains (app_def.domcheck). A write
 * it guards does not start before its check: fed_start takes it from
 * the queue and queues the check's first read (a request of the app
 * like any other: egress rules, rate buckets, pauses, max-in-flight,
 * the allowlist) at the head, holding the write; fed_done takes each
 * answer, queues the next read, and at the end puts the write back at
 * the head (checked) or refuses it, naming the list.
 */
int	fed_guarded(const struct breq *r);
void	fed_start(struct broker *b, struct breq *r);
void	fed_done(struct broker *b, struct breq *q, int result,
	    const struct http_resp *h);
void	fed_free(struct fed_ck *k);

/* sched.c: queues, rate limits, answers. */
void	sched_add(struct broker *b, struct breq *r);
/* Back to the head of its app's queue (it keeps its place). */
void	sched_add_front(struct breq *r);
void	sched_run(struct broker *b);
void	sched_audited(struct broker *b, const char *reqid, uint32_t status);
void	sched_done(struct broker *b, struct breq *r);
void	sched_drop_app(struct broker *b, struct broker_app *a);
/* Milliseconds until a paused queue or rate bucket may move, or -1. */
long long sched_next_ms(struct broker *b, long long now);

#endif /* PC_BROKER_H */
