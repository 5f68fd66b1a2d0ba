/*
 * What every fetcher shares once it is confined: its two channels, the
 * task it was given, HTTP through the broker (several requests may be in
 * flight, each answer names its request), and the messages it sends the
 * agent (records in batches, logs, the final DONE).
 */
#ifndef PC_FETCH_H
#define PC_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "msgs.h"

struct fetch {
	struct chan	 broker;	/* fd 3 */
	struct chan	 agent;		/* fd 4 */
	uint32_t	 next_id;
	unsigned	 inflight;	/* submitted, not answered */
	struct task_msg	 task;
	struct buf	 batch;		/* records not sent yet */
	unsigned long	 records;	/* sent to the agent */
	unsigned long	 max_records;	/* more are refused; 0: no limit */
	char		 result[MSG_TEXT_MAX];	/* text for DONE */
	struct fail_msg	 fail;		/* and why, as fields */
};

struct fetch_req {
	const char	*method;
	const char	*path;		/* path + query, relative to base */
	const char	*accept;
	const char	*ctype;
	const void	*body;
	size_t		 len;
	const char	*slot;		/* secret slot spec, or NULL */
	const char	*target;	/* audit: what the write touches */
	const char	*operation;	/* audit: grant, revoke, create... */
	const char	*cred;		/* credential name; NULL: primary */
};

struct fetch_resp {
	unsigned	 status;
	char		 ctype[TAGMAX_HTTP_RESP_CTYPE + 1];
	char		 retry[TAGMAX_HTTP_RESP_RETRY + 1];
	char		 link[TAGMAX_HTTP_RESP_LINK + 1];
	char		 ratelimit[TAGMAX_HTTP_RESP_RATELIMIT + 1];
	char		 reqid[TAGMAX_HTTP_RESP_REQID + 1];
	struct buf	 body;		/* NUL-terminated, up to 32 MiB */
	char		 err[MSG_TEXT_MAX + 1];	/* broker's ERR text */
	struct fail_msg	 fail;		/* and its fields */
};

/*
 * Run a fetcher: refuse to run outside the sandbox, open the channels,
 * read the TASK, call run, flush the records, send DONE with f->result,
 * and return the exit status. Call right after sbx_enter().
 */
int	fetch_main(int (*run)(struct fetch *));
/*
 * Option key from the task (a JSON object of strings the agent built
 * from the app's fetcher options), copied into dst; NULL when absent or
 * too long.
 */
const char *fetch_opt(struct fetch *f, const char *key, char *dst,
	    size_t dstsz);
/* Argument key of an action (--arg key=value), the same way. */
const char *fetch_arg(struct fetch *f, const char *key, char *dst,
	    size_t dstsz);

void	fetch_resp_init(struct fetch_resp *r);
void	fetch_resp_clear(struct fetch_resp *r);
/* req as the HTTP_REQ fields; PC_E_TOOBIG when one does not fit. */
int	fetch_req_fill(struct http_req_msg *m, const struct fetch_req *req)
	    PC_WUR;
/* Send req to the broker; *id names it in the answer. */
int	fetch_submit(struct fetch *f, const struct fetch_req *req,
	    uint32_t *id) PC_WUR;
/*
 * Wait for the next answer to any submitted request; *id says which.
 * 0 with resp filled (any HTTP status); when the broker refused, its
 * reason (PC_E_POLICY, PC_E_DRYRUN, PC_E_TLS...) with resp->err set; or
 * a channel error (then nothing more will come).
 */
int	fetch_wait(struct fetch *f, uint32_t *id, struct fetch_resp *resp)
	    PC_WUR;
/* One request with nothing else in flight: submit and wait. */
int	fetch_http(struct fetch *f, const struct fetch_req *req,
	    struct fetch_resp *resp) PC_WUR;
/* Queue one RECORD payload (record.h tags) for the agent. */
int	fetch_record(struct fetch *f, struct buf *payload) PC_WUR;
/* Send the queued records now. */
int	fetch_flush(struct fetch *f) PC_WUR;
void	fetch_log(struct fetch *f, int level, const char *fmt, ...)
	    PC_PRINTF(3, 4);
/*
 * snprintf that says when it cut: 0, or PC_E_TOOBIG with dst holding
 * the truncated text (fine for messages; paths check it).
 */
int	fetch_fmt(char *dst, size_t dstsz, const char *fmt, ...)
	    PC_PRINTF(3, 4);
/* Set the one-line result that DONE carries. */
void	fetch_result(struct fetch *f, const char *fmt, ...) PC_PRINTF(2, 3);

#endif /* PC_FETCH_H */
