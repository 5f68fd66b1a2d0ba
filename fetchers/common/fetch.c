/*
 * Runs in: every fetcher, inside the sandbox. Input: the TASK from the
 * agent (trusted) and HTTP_RESP from the broker (trusted framing, vendor
 * bytes inside: untrusted).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "log.h"

#ifdef PC_SAN
/* The leak checker needs threads and ptrace: not in this sandbox. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

#define FD_BROKER	3
#define FD_AGENT	4

static int
fetch_task_decode(struct task *t, const struct msg *m)
{
	const struct tlv_fields	*tf = &m->tf;
	int			 e;

	memset(t, 0, sizeof(*t));
	if ((e = tlv_u32(tf, TAG_TASK_OP, &t->op)) != 0)
		return e;
	(void)!tlv_u32(tf, TAG_TASK_FLAGS, &t->flags);
	if ((e = tlv_strdup(tf, TAG_TASK_APP, &t->app)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_RTYPE, &t->rtype)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_RID, &t->rid)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_ENT, &t->ent)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_PTYPE, &t->ptype)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_PID, &t->pid)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_GRANT, &t->grant)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_LOGIN, &t->login)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_EMAIL, &t->email)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_PROFILE, &t->profile)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_OPTS, &t->opts)) != 0 ||
	    (e = tlv_strdup(tf, TAG_TASK_ACTION, &t->action)) != 0)
		return e;
	return 0;
}

static void
fetch_done(struct fetch *f, int status)
{
	struct buf	b;

	buf_init(&b, MSG_TEXT_MAX + 64, 0);
	if (tlv_add_u32(&b, TAG_DONE_STATUS, (uint32_t)-status) == 0 &&
	    tlv_add_str(&b, TAG_DONE_TEXT, f->result) == 0)
		(void)!chan_send_buf(&f->agent, MSG_DONE, 0, &b);
	buf_clear(&b);
}

int
fetch_main(int (*run)(struct fetch *))
{
	static struct fetch	f;
	struct msg		m;
	int			e;

	if (chan_init(&f.broker, FD_BROKER, P_FETCHER, P_BROKER,
	    "broker") != 0 ||
	    chan_init(&f.agent, FD_AGENT, P_FETCHER, P_AGENT, "agent") != 0)
		return 70;
	if ((e = chan_recv(&f.agent, &m)) != 0 || m.type != MSG_TASK)
		return 71;
	if ((e = fetch_task_decode(&f.task, &m)) != 0)
		return 72;
	e = run(&f);
	if (e != 0 && f.result[0] == '\0')
		fetch_result(&f, "%s", err_str(e));
	fetch_done(&f, e);
	return e == 0 ? 0 : 1;
}

const char *
fetch_opt(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	const char	*p = f->task.opts, *eol, *eq;
	size_t		 klen = strlen(key), vlen;

	for (; p != NULL && *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq == NULL || (size_t)(eq - p) != klen ||
		    memcmp(p, key, klen) != 0)
			continue;
		vlen = (size_t)(eol - eq - 1);
		if (vlen >= dstsz)
			return NULL;
		memcpy(dst, eq + 1, vlen);
		dst[vlen] = '\0';
		return dst;
	}
	return NULL;
}

static int
fetch_req_encode(struct buf *b, const struct fetch_req *req)
{
	int	e;

	if ((e = tlv_add_str(b, TAG_HTTP_REQ_METHOD, req->method)) != 0 ||
	    (e = tlv_add_str(b, TAG_HTTP_REQ_PATH, req->path)) != 0)
		return e;
	if (req->accept != NULL &&
	    (e = tlv_add_str(b, TAG_HTTP_REQ_ACCEPT, req->accept)) != 0)
		return e;
	if (req->ctype != NULL &&
	    (e = tlv_add_str(b, TAG_HTTP_REQ_CTYPE, req->ctype)) != 0)
		return e;
	if (req->body != NULL &&
	    (e = tlv_add_bytes(b, TAG_HTTP_REQ_BODY, req->body, req->len)) != 0)
		return e;
	if (req->slot != NULL &&
	    (e = tlv_add_str(b, TAG_HTTP_REQ_SLOT, req->slot)) != 0)
		return e;
	if (req->target != NULL &&
	    (e = tlv_add_str(b, TAG_HTTP_REQ_TARGET, req->target)) != 0)
		return e;
	if (req->operation != NULL &&
	    (e = tlv_add_str(b, TAG_HTTP_REQ_OPERATION, req->operation)) != 0)
		return e;
	return 0;
}

static int
fetch_resp_decode(struct fetch_resp *r, const struct msg *m)
{
	const uint8_t	*body;
	size_t		 len;
	int		 e;

	if ((e = tlv_u32(&m->tf, TAG_HTTP_RESP_STATUS, &r->status)) != 0)
		return e;
	(void)!tlv_str(&m->tf, TAG_HTTP_RESP_CTYPE, r->ctype, sizeof(r->ctype));
	(void)!tlv_str(&m->tf, TAG_HTTP_RESP_RETRY, r->retry, sizeof(r->retry));
	(void)!tlv_str(&m->tf, TAG_HTTP_RESP_LINK, r->link, sizeof(r->link));
	(void)!tlv_str(&m->tf, TAG_HTTP_RESP_RATELIMIT, r->ratelimit,
	    sizeof(r->ratelimit));
	(void)!tlv_str(&m->tf, TAG_HTTP_RESP_REQID, r->reqid, sizeof(r->reqid));
	buf_reset(&r->body);
	body = tlv_bytes(&m->tf, TAG_HTTP_RESP_BODY, &len);
	return buf_add(&r->body, body != NULL ? body : (const uint8_t *)"",
	    len);
}

int
fetch_http(struct fetch *f, const struct fetch_req *req,
    struct fetch_resp *resp)
{
	struct buf	b;
	struct msg	m;
	uint32_t	id = ++f->next_id;
	int		e;

	buf_init(&b, MSG_REQ_MAX + MSG_PAYLOAD_MAX, 0);
	if ((e = fetch_req_encode(&b, req)) == 0)
		e = chan_send_buf(&f->broker, MSG_HTTP_REQ, id, &b);
	buf_clear(&b);
	if (e != 0)
		return e;
	resp->err[0] = '\0';
	if ((e = chan_recv(&f->broker, &m)) != 0)
		return e;
	if (m.type == MSG_ERR) {
		uint32_t code = 0;

		(void)!tlv_str(&m.tf, TAG_ERR_TEXT, resp->err,
		    sizeof(resp->err));
		(void)!tlv_u32(&m.tf, TAG_ERR_CODE, &code);
		/* The broker's own reason when it is one we know. */
		return code > 0 && code < (uint32_t)-PC_E_LAST ? -(int)code :
		    PC_E_REMOTE;
	}
	if (m.type != MSG_HTTP_RESP || m.id != id)
		return PC_E_STATE;
	return fetch_resp_decode(resp, &m);
}

int
fetch_record(struct fetch *f, struct buf *payload)
{
	return chan_send_buf(&f->agent, MSG_RECORD, 0, payload);
}

void
fetch_log(struct fetch *f, int level, const char *fmt, ...)
{
	struct buf	b;
	char		text[MSG_TEXT_MAX];
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_init(&b, MSG_TEXT_MAX + 64, 0);
	if (tlv_add_u32(&b, TAG_LOG_LEVEL, (uint32_t)level) == 0 &&
	    tlv_add_str(&b, TAG_LOG_TEXT, text) == 0)
		(void)!chan_send_buf(&f->agent, MSG_LOG, 0, &b);
	buf_clear(&b);
}

void
fetch_result(struct fetch *f, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(f->result, sizeof(f->result), fmt, ap);
	va_end(ap);
}
