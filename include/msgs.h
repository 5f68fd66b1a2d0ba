/*
 * One codec per message type, shared by both ends: the struct a sender
 * fills and a receiver gets, with every field sized from its tag's
 * maximum in msgtags.h (TAGMAX_*), so a field can never be longer on
 * one side than the other accepts. Decoders run on a message chan_recv
 * already checked against the tag table; they copy text fields, so the
 * struct outlives the message (bodies excepted: they point into it).
 * Encoders append to a buf whose ceiling is the type's maximum.
 */
#ifndef PC_MSGS_H
#define PC_MSGS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "msg.h"

/* TASK, agent -> fetcher: one operation and its arguments. */
struct task_msg {
	uint32_t	 op;		/* enum task_op */
	uint32_t	 flags;		/* TASK_F_* */
	char		 app[TAGMAX_TASK_APP + 1];
	char		 rtype[TAGMAX_TASK_RTYPE + 1];
	char		 rid[TAGMAX_TASK_RID + 1];
	char		 ent[TAGMAX_TASK_ENT + 1];
	char		 ptype[TAGMAX_TASK_PTYPE + 1];
	char		 pid[TAGMAX_TASK_PID + 1];
	char		 grant[TAGMAX_TASK_GRANT + 1];
	char		 login[TAGMAX_TASK_LOGIN + 1];
	char		 email[TAGMAX_TASK_EMAIL + 1];
	char		 profile[TAGMAX_TASK_PROFILE + 1];	/* JSON */
	char		 opts[TAGMAX_TASK_OPTS + 1];	/* JSON object */
	char		 action[TAGMAX_TASK_ACTION + 1];
	char		 args[TAGMAX_TASK_ARGS + 1];	/* JSON object */
};

/* HTTP_REQ, fetcher -> broker. Empty strings are absent fields. */
struct http_req_msg {
	char		 method[TAGMAX_HTTP_REQ_METHOD + 1];
	char		 path[TAGMAX_HTTP_REQ_PATH + 1];
	char		 accept[TAGMAX_HTTP_REQ_ACCEPT + 1];
	char		 ctype[TAGMAX_HTTP_REQ_CTYPE + 1];
	char		 slot[TAGMAX_HTTP_REQ_SLOT + 1];
	char		 target[TAGMAX_HTTP_REQ_TARGET + 1];
	char		 operation[TAGMAX_HTTP_REQ_OPERATION + 1];
	char		 cred[TAGMAX_HTTP_REQ_CRED + 1];
	const uint8_t	*body;		/* NULL: no body */
	size_t		 len;
};

/* HTTP_RESP, broker -> fetcher: status, allowlisted headers, body. */
struct http_resp_msg {
	uint32_t	 status;
	char		 ctype[TAGMAX_HTTP_RESP_CTYPE + 1];
	char		 link[TAGMAX_HTTP_RESP_LINK + 1];
	char		 retry[TAGMAX_HTTP_RESP_RETRY + 1];
	char		 ratelimit[TAGMAX_HTTP_RESP_RATELIMIT + 1]; /* "N: v\n" */
	char		 reqid[TAGMAX_HTTP_RESP_REQID + 1];
	const uint8_t	*body;
	size_t		 len;
};

/* LOG, DONE and ERR: a number (level, status, code) and one line. */
struct text_msg {
	uint32_t	 num;
	char		 text[MSG_TEXT_MAX + 1];
};

/*
 * Why a request failed, as fields: ERR (broker -> fetcher), DONE
 * (fetcher -> agent) and REFUSED (broker -> agent) carry them, and only
 * the agent renders them as a line (agent/diag.c), with the hint. The
 * fields are facts (an address, a line number), never a secret, never a
 * query string. FAIL_NONE: the text says it all.
 */
enum fail_cause {
	FAIL_NONE = 0,
	FAIL_CONNECT,		/* connection refused: addr, port */
	FAIL_TIMEOUT,		/* no answer in time */
	FAIL_TLS,		/* certificate verification, handshake */
	FAIL_ALLOW,		/* addr not in the IP allowlist */
	FAIL_EGRESS,		/* no egress rule; line: the nearest */
	FAIL_HTTP,		/* the vendor answered http (401, 403...) */
	FAIL_DNS,		/* host does not resolve */
	FAIL_POLICY,		/* another refusal of the broker's */
	FAIL_LAST
};

struct fail_msg {
	uint32_t	 cause;		/* enum fail_cause */
	uint32_t	 http;		/* status, FAIL_HTTP */
	uint32_t	 port;
	uint32_t	 line;		/* egress: nearest rule's line, or 0 */
	char		 method[TAGMAX_ERR_METHOD + 1];
	char		 path[TAGMAX_ERR_PATH + 1];	/* no query */
	char		 cred[TAGMAX_ERR_CRED + 1];
	char		 addr[TAGMAX_ERR_ADDR + 1];	/* tried or refused */
	char		 detail[TAGMAX_ERR_DETAIL + 1];	/* libcurl's, vendor */
	char		 host[TAGMAX_ERR_HOST + 1];
};

/* REFUSED, broker -> agent: a policy refusal, told to the trusted side. */
struct refused_msg {
	char		 app[TAGMAX_REFUSED_APP + 1];
	uint32_t	 code;		/* -PC_E_* */
	char		 text[MSG_TEXT_MAX + 1];
	struct fail_msg	 fail;
};

/* AUDIT, broker -> agent: one write, sent or refused. */
struct audit_msg {
	char		 app[TAGMAX_AUDIT_APP + 1];
	char		 op[TAGMAX_AUDIT_OP + 1];
	char		 method[TAGMAX_AUDIT_METHOD + 1];
	char		 path[TAGMAX_AUDIT_PATH + 1];
	char		 target[TAGMAX_AUDIT_TARGET + 1];
	uint32_t	 status;
	char		 reqid[TAGMAX_AUDIT_REQID + 1];
	char		 result[TAGMAX_AUDIT_RESULT + 1];
	char		 peer[TAGMAX_AUDIT_PEER + 1];	/* address sent to */
	const uint8_t	*body;		/* dry runs only */
	size_t		 len;
};

/* AUDIT_ACK, agent -> broker: the line of a write is on disk (0). */
struct audit_ack_msg {
	char		 reqid[TAGMAX_AUDIT_ACK_REQID + 1];
	uint32_t	 status;
};

/* VAULT_SEALED, broker -> agent: where a generated secret went. */
struct sealed_msg {
	char		 app[TAGMAX_VAULT_SEALED_APP + 1];
	char		 login[TAGMAX_VAULT_SEALED_LOGIN + 1];
	char		 where[TAGMAX_VAULT_SEALED_WHERE + 1];
	uint32_t	 status;	/* VAULT_* */
	char		 state[TAGMAX_VAULT_SEALED_STATE + 1];
};

/* PROGRESS, broker -> agent: an app's requests, for the supervisor. */
struct progress_msg {
	char		 app[TAGMAX_PROGRESS_APP + 1];
	uint32_t	 done;		/* answers so far */
	uint32_t	 inflight;	/* on the wire now */
	uint32_t	 waits;		/* rate-limit waits so far */
	char		 wait[TAGMAX_PROGRESS_WAIT + 1];	/* why, or "" */
};

/* CLOSED, broker -> agent: a fetcher's channel was closed, and why. */
struct closed_msg {
	char		 app[TAGMAX_CLOSED_APP + 1];
	uint32_t	 code;		/* -PC_E_* */
	char		 text[TAGMAX_CLOSED_TEXT + 1];
};

/*
 * The string fields of a codec struct, as a table: tag and where the
 * field sits (offsetof, sizeof). Shared by every codec below.
 */
struct msg_field {
	unsigned	 tag;
	size_t		 off, size;
};

#define MSG_FIELD(s, tag, f)	{ tag, offsetof(struct s, f), \
				    sizeof(((struct s *)0)->f) }
#define MSG_NFIELDS(t)		(sizeof(t) / sizeof((t)[0]))

/* Append every non-empty string field of s (0 or the buf's error). */
int	msg_fields_encode(const void *s, const struct msg_field *f, size_t n,
	    struct buf *b) PC_WUR;
/* Copy every string field (absent: ""); PC_E_TOOBIG if one does not fit. */
int	msg_fields_decode(const struct msg *m, void *s,
	    const struct msg_field *f, size_t n) PC_WUR;

int	msg_task_encode(const struct task_msg *t, struct buf *b) PC_WUR;
int	msg_task_decode(const struct msg *m, struct task_msg *t) PC_WUR;
int	msg_http_req_encode(const struct http_req_msg *r, struct buf *b)
	    PC_WUR;
int	msg_http_req_decode(const struct msg *m, struct http_req_msg *r)
	    PC_WUR;
int	msg_http_resp_encode(const struct http_resp_msg *r, struct buf *b)
	    PC_WUR;
int	msg_http_resp_decode(const struct msg *m, struct http_resp_msg *r)
	    PC_WUR;
/* type is MSG_LOG, MSG_DONE or MSG_ERR (same two tags for each). */
int	msg_text_encode(uint32_t type, const struct text_msg *t,
	    struct buf *b) PC_WUR;
int	msg_text_decode(const struct msg *m, struct text_msg *t) PC_WUR;
/*
 * The fail fields (tags 3-12, alike in ERR, DONE and REFUSED) of f:
 * encode appends those that are set (cause FAIL_NONE: nothing); decode
 * fills f (absent: 0 and ""). Paths are cut at the query here.
 */
int	msg_fail_encode(const struct fail_msg *f, struct buf *b) PC_WUR;
int	msg_fail_decode(const struct msg *m, struct fail_msg *f) PC_WUR;
/* f->method and f->path from a request line, the query left out. */
void	msg_fail_request(struct fail_msg *f, const char *method,
	    const char *path);
/* ERR with f's fields (f may be NULL) on channel c, for request id. */
int	msg_err_send(struct chan *c, uint32_t id, int code,
	    const struct fail_msg *f, const char *text) PC_WUR;
int	msg_refused_encode(const struct refused_msg *r, struct buf *b) PC_WUR;
int	msg_refused_decode(const struct msg *m, struct refused_msg *r) PC_WUR;
int	msg_audit_encode(const struct audit_msg *a, struct buf *b) PC_WUR;
int	msg_audit_decode(const struct msg *m, struct audit_msg *a) PC_WUR;
int	msg_audit_ack_encode(const struct audit_ack_msg *a, struct buf *b)
	    PC_WUR;
int	msg_audit_ack_decode(const struct msg *m, struct audit_ack_msg *a)
	    PC_WUR;
int	msg_sealed_encode(const struct sealed_msg *s, struct buf *b) PC_WUR;
int	msg_sealed_decode(const struct msg *m, struct sealed_msg *s) PC_WUR;
int	msg_closed_encode(const struct closed_msg *c, struct buf *b) PC_WUR;
int	msg_closed_decode(const struct msg *m, struct closed_msg *c) PC_WUR;
int	msg_progress_encode(const struct progress_msg *p, struct buf *b)
	    PC_WUR;
int	msg_progress_decode(const struct msg *m, struct progress_msg *p)
	    PC_WUR;

/*
 * RECORDS: a batch of RECORD payloads, each a u32 length and the TLV of
 * one record. msg_records_add appends one to items (a buf with ceiling
 * TAGMAX_RECORDS_ITEMS); msg_records_next takes the next from a cursor
 * over a received batch and decodes it against the RECORD tag table:
 * 1 with tf filled, 0 at the end, or a PC_E_* code.
 */
int	msg_records_add(struct buf *items, const struct buf *record) PC_WUR;
int	msg_records_encode(const struct buf *items, struct buf *b) PC_WUR;
int	msg_records_first(const struct msg *m, struct rd *items) PC_WUR;
int	msg_records_next(struct rd *items, struct tlv_fields *tf);

#endif /* PC_MSGS_H */
