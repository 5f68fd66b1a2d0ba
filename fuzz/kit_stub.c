/*
 * Stand-ins for fetchers/common/fetch.c under the fuzzer (see
 * kit_stub.h). Requests wait in a FIFO; fetch_wait answers the oldest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.h"
#include "kit_stub.h"
#include "msgs.h"
#include "record.h"

#define STUB_FIFO	128

static const uint8_t	*stub_p;
static size_t		 stub_n;
static const char	*stub_empty;
static unsigned		 stub_answered;
static uint32_t		 stub_fifo[STUB_FIFO];
static unsigned		 stub_head, stub_len;
static const struct app_def	*stub_app;	/* its slug rules */

void
kit_stub_begin(struct conn *c, struct fetch *f, const struct conn_def *def,
    const char *empty, const uint8_t *p, size_t n)
{
	memset(f, 0, sizeof(*f));
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->def = def;
	if ((c->app = apps_find(def->app)) == NULL)
		abort();
	stub_app = c->app;
	c->max_inflight = 4;
	c->retry_max_ms = 1000;
	c->jitter = 1;
	stub_p = p;
	stub_n = n;
	stub_empty = empty;
	stub_answered = 0;
	stub_head = stub_len = 0;
	if (def->start != NULL && def->start(c) != 0)
		abort();
}

void
kit_stub_end(struct conn *c)
{
	(void)!conn_run(c);
	/* Whatever the input, a run ends with nothing left behind. */
	if (c->nqueued != 0 || c->ninflight != 0 || stub_len != 0)
		abort();
}

const char *
fetch_opt(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	(void)f, (void)key, (void)dst, (void)dstsz;
	return NULL;
}

const char *
fetch_arg(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	(void)f, (void)key, (void)dst, (void)dstsz;
	return NULL;
}

/* What fetch.c would put in HTTP_REQ, held to the broker's grammar. */
int
fetch_submit(struct fetch *f, const struct fetch_req *req, uint32_t *id)
{
	struct http_req_msg	m;
	char			why[256];
	int			e;

	if ((e = fetch_req_fill(&m, req)) != 0)
		return e;	/* as fetch.c: the call fails, cleanly */
	if (gram_request(&m, why, sizeof(why)) != 0) {
		fprintf(stderr, "request refused by the broker: %s\n", why);
		abort();
	}
	if (stub_len == STUB_FIFO)
		abort();	/* more in flight than max-in-flight allows */
	*id = ++f->next_id;
	stub_fifo[(stub_head + stub_len++) % STUB_FIFO] = *id;
	f->inflight++;
	return 0;
}

int
fetch_wait(struct fetch *f, uint32_t *id, struct fetch_resp *resp)
{
	const char	*nul;
	int		 e;

	if (stub_len == 0)
		return PC_E_STATE;
	*id = stub_fifo[stub_head];
	stub_head = (stub_head + 1) % STUB_FIFO;
	stub_len--;
	f->inflight--;
	resp->status = 200;
	resp->err[0] = '\0';
	(void)snprintf(resp->ctype, sizeof(resp->ctype), "application/json");
	(void)snprintf(resp->reqid, sizeof(resp->reqid), "fuzz-%u",
	    stub_answered);
	buf_reset(&resp->body);
	if (stub_answered++ < KIT_STUB_SERVED)
		e = buf_add(&resp->body, stub_p, stub_n);
	else
		e = buf_add_str(&resp->body, stub_empty);
	return e != 0 ? e : buf_cstr(&resp->body, &nul);
}

int
fetch_http(struct fetch *f, const struct fetch_req *req,
    struct fetch_resp *resp)
{
	uint32_t	id;
	int		e;

	if ((e = fetch_submit(f, req, &id)) != 0)
		return e;
	return fetch_wait(f, &id, resp);
}

/* The agent's side: batched and unbatched as run.c does, then decoded. */
int
fetch_record(struct fetch *f, struct buf *payload)
{
	struct buf		 items;
	struct rd		 rd;
	struct tlv_fields	 tf;
	struct record		 r;
	const char		*why;

	buf_init(&items, MSG_RECORDS_MAX, 0);
	if (msg_records_add(&items, payload) != 0) {
		buf_clear(&items);
		return PC_E_TOOBIG;	/* fetch.c refuses the same */
	}
	rd_init(&rd, items.p, items.len);
	if (msg_records_next(&rd, &tf) != 1)
		abort();
	memset(&r, 0, sizeof(r));
	if (record_decode_app(stub_app, &tf, &r, &why) != 0) {
		fprintf(stderr, "record refused by the agent: %s\n", why);
		abort();
	}
	record_clear(&r);
	buf_clear(&items);
	f->records++;
	return 0;
}

int
fetch_flush(struct fetch *f)
{
	(void)f;
	return 0;
}

void
fetch_log(struct fetch *f, int level, const char *fmt, ...)
{
	(void)f, (void)level, (void)fmt;
}

void
fetch_result(struct fetch *f, const char *fmt, ...)
{
	(void)f, (void)fmt;
}

int
fetch_main(int (*run)(struct fetch *))
{
	(void)run;
	return 1;
}
