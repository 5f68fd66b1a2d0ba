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
#include "pcj.h"
#include "sbx.h"

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

static void
fetch_done(struct fetch *f, int status)
{
	struct text_msg	t;
	struct buf	b;

	memset(&t, 0, sizeof(t));
	t.num = (uint32_t)-status;
	(void)snprintf(t.text, sizeof(t.text), "%s", f->result);
	buf_init(&b, MSG_TEXT_MAX + MSG_FAIL_MAX, 0);
	if (msg_text_encode(MSG_DONE, &t, &b) == 0 &&
	    (status == 0 || msg_fail_encode(&f->fail, &b) == 0))
		(void)!chan_send_buf(&f->agent, MSG_DONE, 0, &b);
	buf_clear(&b);
}

int
fetch_main(int (*run)(struct fetch *))
{
	static struct fetch	f;
	struct msg		m;
	int			e;

	/* A fetcher's main() that forgot sbx_enter() must not go on. */
	if (!sbx_entered())
		return 69;
	if (chan_init(&f.broker, FD_BROKER, P_FETCHER, P_BROKER,
	    "broker") != 0 ||
	    chan_init(&f.agent, FD_AGENT, P_FETCHER, P_AGENT, "agent") != 0)
		return 70;
	buf_init(&f.batch, TAGMAX_RECORDS_ITEMS, 0);
	if ((e = chan_recv(&f.agent, &m)) != 0 || m.type != MSG_TASK)
		return 71;
	if ((e = msg_task_decode(&m, &f.task)) != 0)
		return 72;
	e = run(&f);
	if (e == 0)
		e = fetch_flush(&f);
	if (e != 0 && f.result[0] == '\0')
		fetch_result(&f, "%s", err_str(e));
	fetch_done(&f, e);
	return e == 0 ? 0 : 1;
}

/* Member key of the JSON object text, as a string, into dst. */
static const char *
fetch_json_member(const char *text, const char *key, char *dst, size_t dstsz)
{
	struct pcj_doc	 d;
	const char	*v = NULL;

	if (text[0] == '\0' || pcj_parse(&d, text, strlen(text), NULL) != 0)
		return NULL;
	if (pcj_str(&d, pcj_get(&d, pcj_root(&d), key), dst, dstsz, NULL,
	    PCJ_STR_ID) == 0)
		v = dst;
	pcj_free(&d);
	return v;
}

const char *
fetch_opt(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	return fetch_json_member(f->task.opts, key, dst, dstsz);
}

const char *
fetch_arg(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	return fetch_json_member(f->task.args, key, dst, dstsz);
}

int
fetch_submit(struct fetch *f, const struct fetch_req *req, uint32_t *id)
{
	static struct http_req_msg	m;
	struct buf			b;
	int				e;

	if ((e = fetch_req_fill(&m, req)) != 0)
		return e;
	*id = ++f->next_id;
	buf_init(&b, MSG_REQ_MAX + MSG_PAYLOAD_MAX, 0);
	if ((e = msg_http_req_encode(&m, &b)) == 0)
		e = chan_send_buf(&f->broker, MSG_HTTP_REQ, *id, &b);
	buf_clear(&b);
	if (e == 0)
		f->inflight++;
	return e;
}

static int
fetch_resp_take(struct fetch_resp *r, const struct msg *m)
{
	static struct http_resp_msg	h;
	int				e;

	memset(&h, 0, sizeof(h));
	if ((e = msg_http_resp_decode(m, &h)) != 0)
		return e;
	r->status = h.status;
	memcpy(r->ctype, h.ctype, sizeof(r->ctype));
	memcpy(r->retry, h.retry, sizeof(r->retry));
	memcpy(r->link, h.link, sizeof(r->link));
	memcpy(r->ratelimit, h.ratelimit, sizeof(r->ratelimit));
	memcpy(r->reqid, h.reqid, sizeof(r->reqid));
	buf_reset(&r->body);
	return buf_add(&r->body, h.body, h.len);
}

int
fetch_wait(struct fetch *f, uint32_t *id, struct fetch_resp *resp)
{
	struct text_msg	t;
	struct msg	m;
	int		e;

	resp->err[0] = '\0';
	memset(&resp->fail, 0, sizeof(resp->fail));
	*id = 0;
	if (f->inflight == 0)
		return PC_E_STATE;
	if ((e = chan_recv(&f->broker, &m)) != 0)
		return e;
	if (m.id == 0 || m.id > f->next_id)
		return PC_E_STATE;	/* an answer to nothing we asked */
	*id = m.id;
	f->inflight--;
	if (m.type == MSG_ERR) {
		memset(&t, 0, sizeof(t));
		if (msg_text_decode(&m, &t) != 0)
			return PC_E_REMOTE;
		(void)snprintf(resp->err, sizeof(resp->err), "%s", t.text);
		if (msg_fail_decode(&m, &resp->fail) != 0)
			memset(&resp->fail, 0, sizeof(resp->fail));
		/* The broker's own reason when it is one we know. */
		return t.num > 0 && t.num < (uint32_t)-PC_E_LAST ?
		    -(int)t.num : PC_E_REMOTE;
	}
	if (m.type != MSG_HTTP_RESP)
		return PC_E_STATE;
	return fetch_resp_take(resp, &m);
}

int
fetch_http(struct fetch *f, const struct fetch_req *req,
    struct fetch_resp *resp)
{
	uint32_t	id, got;
	int		e;

	if (f->inflight != 0)
		return PC_E_STATE;
	if ((e = fetch_submit(f, req, &id)) != 0)
		return e;
	e = fetch_wait(f, &got, resp);
	return e == 0 && got != id ? PC_E_STATE : e;
}

int
fetch_flush(struct fetch *f)
{
	struct buf	b;
	int		e;

	if (f->batch.err != 0)
		return f->batch.err;
	if (f->batch.len == 0)
		return 0;
	buf_init(&b, MSG_RECORDS_MAX, 0);
	if ((e = msg_records_encode(&f->batch, &b)) == 0)
		e = chan_send_buf(&f->agent, MSG_RECORDS, 0, &b);
	buf_clear(&b);
	buf_reset(&f->batch);
	return e;
}

int
fetch_record(struct fetch *f, struct buf *payload)
{
	int	e;

	/* Past max-records the agent would end the run without saying
	 * where: refuse here, so the caller names its listing. */
	if (f->max_records > 0 && f->records >= f->max_records)
		return PC_E_LIMIT;
	/* Many per datagram: one frame carries a batch, not one record. */
	if (f->batch.len > 0 && f->batch.len + payload->len + 4 >
	    MSG_BATCH_FILL && (e = fetch_flush(f)) != 0)
		return e;
	if ((e = msg_records_add(&f->batch, payload)) != 0)
		return e;
	f->records++;
	return 0;
}

void
fetch_log(struct fetch *f, int level, const char *fmt, ...)
{
	struct text_msg	t;
	struct buf	b;
	va_list		ap;

	memset(&t, 0, sizeof(t));
	t.num = (uint32_t)level;
	va_start(ap, fmt);
	(void)vsnprintf(t.text, sizeof(t.text), fmt, ap);
	va_end(ap);
	buf_init(&b, MSG_TEXT_MAX + 64, 0);
	if (msg_text_encode(MSG_LOG, &t, &b) == 0)
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
