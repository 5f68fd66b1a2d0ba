/*
 * What every fetcher shares once it is confined: its two channels, the
 * task it was given, HTTP through the broker, and the messages it sends
 * the agent (records, logs, the final DONE).
 */
#ifndef PC_FETCH_H
#define PC_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "msg.h"

struct task {
	uint32_t	 op;		/* enum task_op */
	uint32_t	 flags;		/* TASK_F_* */
	char		*app;
	char		*rtype, *rid;	/* resource */
	char		*ent;		/* entitlement id */
	char		*ptype, *pid;	/* principal */
	char		*grant;		/* grant id (revoke) */
	char		*login, *email, *profile;
	char		*opts;		/* "key=value" lines from the agent */
	char		*action;
};

struct fetch {
	struct chan	 broker;	/* fd 3 */
	struct chan	 agent;		/* fd 4 */
	uint32_t	 next_id;
	struct task	 task;
	char		 result[MSG_TEXT_MAX];	/* text for DONE */
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
};

struct fetch_resp {
	unsigned	 status;
	char		 ctype[129];
	char		 retry[65];
	char		 link[4097];
	char		 ratelimit[1025];
	char		 reqid[65];
	struct buf	 body;		/* NUL-terminated, up to 32 MiB */
	char		 err[MSG_TEXT_MAX + 1];	/* broker's ERR text */
};

/*
 * Run a fetcher: open the channels, read the TASK, call run, send DONE
 * with f->result, and return the exit status. Call right after
 * sbx_enter().
 */
int	fetch_main(int (*run)(struct fetch *));
/* Option value from the task's opts lines, or NULL. Owned by the task. */
const char *fetch_opt(struct fetch *f, const char *key, char *dst,
	    size_t dstsz);

void	fetch_resp_init(struct fetch_resp *r);
void	fetch_resp_clear(struct fetch_resp *r);
/*
 * Send req to the broker and wait for its answer. 0 with resp filled
 * (any HTTP status); when the broker refused, its reason (PC_E_POLICY,
 * PC_E_DRYRUN, PC_E_TLS...) with resp->err set; or a channel error.
 */
int	fetch_http(struct fetch *f, const struct fetch_req *req,
	    struct fetch_resp *resp) PC_WUR;
/* Send a RECORD payload (see record.h) to the agent. */
int	fetch_record(struct fetch *f, struct buf *payload) PC_WUR;
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
