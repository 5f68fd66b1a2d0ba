/*
 * Fuzz every message codec as its receiver runs it: the first byte picks
 * a type, the rest is its payload, decoded against the type's tag table
 * and then by its codec; an HTTP_REQ is then held to the broker's
 * grammar, a RECORDS batch is taken apart and each record decoded as the
 * agent does; ERR, DONE and REFUSED have their fail fields decoded
 * (msg_fail_decode) as the fetcher and the agent take them, and they
 * must come out bounded, NUL-terminated and with a known cause.
 * Nothing may crash, read past the input or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.h"
#include "msgs.h"
#include "record.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint32_t	types[] = { MSG_TASK, MSG_HTTP_REQ, MSG_HTTP_RESP,
			    MSG_RECORDS, MSG_LOG, MSG_DONE, MSG_AUDIT,
			    MSG_AUDIT_ACK, MSG_VAULT_SEALED, MSG_PROGRESS,
			    MSG_ERR, MSG_REFUSED };	/* new ones last: the
						 * seeds' first bytes keep */

static void
payload_records(const struct msg *m)
{
	struct rd		 items;
	struct tlv_fields	 tf;
	struct record		 r;
	const char		*why;

	if (msg_records_first(m, &items) != 0)
		return;
	while (msg_records_next(&items, &tf) == 1) {
		memset(&r, 0, sizeof(r));
		if (record_decode(&tf, &r, &why) == 0)
			record_clear(&r);
	}
}

/* Fail fields as a receiver may use them: strings end, the cause known. */
static void
payload_fail_check(const struct fail_msg *f)
{
	if (f->cause >= FAIL_LAST ||
	    memchr(f->method, '\0', sizeof(f->method)) == NULL ||
	    memchr(f->path, '\0', sizeof(f->path)) == NULL ||
	    memchr(f->cred, '\0', sizeof(f->cred)) == NULL ||
	    memchr(f->addr, '\0', sizeof(f->addr)) == NULL ||
	    memchr(f->detail, '\0', sizeof(f->detail)) == NULL ||
	    memchr(f->host, '\0', sizeof(f->host)) == NULL)
		abort();
}

/* ERR, DONE: the text, then the fail fields (agent/run.c, fetch.c). */
static void
payload_fail(const struct msg *m)
{
	static struct text_msg	t;
	static struct fail_msg	f;

	if (msg_text_decode(m, &t) == 0 && msg_fail_decode(m, &f) == 0)
		payload_fail_check(&f);
}

/* REFUSED, broker -> agent (agent/run.c). */
static void
payload_refused(const struct msg *m)
{
	static struct refused_msg	r;

	memset(&r, 0, sizeof(r));
	if (msg_refused_decode(m, &r) == 0)
		payload_fail_check(&r.fail);
}

static void
payload_decode(struct msg *m)
{
	static union {
		struct task_msg		t;
		struct http_req_msg	q;
		struct http_resp_msg	s;
		struct text_msg		x;
		struct audit_msg	a;
		struct audit_ack_msg	k;
		struct sealed_msg	v;
		struct progress_msg	p;
	} u;
	char	why[256];

	memset(&u, 0, sizeof(u));
	switch (m->type) {
	case MSG_TASK:
		(void)!msg_task_decode(m, &u.t);
		break;
	case MSG_HTTP_REQ:
		if (msg_http_req_decode(m, &u.q) == 0)
			(void)!gram_request(&u.q, why, sizeof(why));
		break;
	case MSG_HTTP_RESP:
		(void)!msg_http_resp_decode(m, &u.s);
		break;
	case MSG_RECORDS:
		payload_records(m);
		break;
	case MSG_AUDIT:
		(void)!msg_audit_decode(m, &u.a);
		break;
	case MSG_AUDIT_ACK:
		(void)!msg_audit_ack_decode(m, &u.k);
		break;
	case MSG_VAULT_SEALED:
		(void)!msg_sealed_decode(m, &u.v);
		break;
	case MSG_PROGRESS:
		(void)!msg_progress_decode(m, &u.p);
		break;
	case MSG_ERR:
	case MSG_DONE:
		payload_fail(m);
		break;
	case MSG_REFUSED:
		payload_refused(m);
		break;
	default:
		(void)!msg_text_decode(m, &u.x);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	const struct msg_info	*mi;
	struct msg		 m;

	if (n < 1)
		return 0;
	memset(&m, 0, sizeof(m));
	m.type = types[p[0] % (sizeof(types) / sizeof(types[0]))];
	m.p = p + 1;
	m.len = n - 1;
	if ((mi = msg_info(m.type)) == NULL || m.len > mi->max ||
	    tlv_decode(mi->spec, mi->nspec, m.p, m.len, &m.tf) != 0)
		return 0;
	payload_decode(&m);
	return 0;
}
