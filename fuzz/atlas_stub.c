/*
 * Stubs of fetchers/common/fetch.c for the Atlas decoder harnesses (the
 * real emit.c is linked: records are encoded for real). Two answers
 * carry the input so pagination and one nested listing see it; after
 * that every list is empty, so a run always ends.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_stub.h"
#include "record.h"

#define STUB_SERVED	2

static const uint8_t	*stub_p;
static size_t		 stub_n;
static unsigned		 stub_calls;

void
atlas_stub_begin(struct atlas *a, struct fetch *f, const uint8_t *p,
    size_t n)
{
	memset(f, 0, sizeof(*f));
	memset(a, 0, sizeof(*a));
	a->f = f;
	a->sync_dbs = 1;
	stub_p = p;
	stub_n = n;
	stub_calls = 0;
}

static struct atlas_dbrole	stub_named = { ATLAS_STUB_GROUP "/admin/app",
				    "sales", "readWrite" };
static struct atlas_dbroles	stub_roles;

void
atlas_stub_end(void)
{
	free(stub_roles.r);
	stub_roles.r = NULL;
	stub_roles.n = 0;
}

struct atlas_dbroles *
atlas_stub_roles(int named)
{
	atlas_stub_end();
	if (named) {
		/* A copy: the step must not be able to touch the template. */
		if ((stub_roles.r = malloc(sizeof(stub_named))) == NULL)
			abort();
		*stub_roles.r = stub_named;
		stub_roles.n = 1;
	}
	return &stub_roles;
}

const char *
fetch_opt(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	(void)f;
	(void)key;
	(void)dst;
	(void)dstsz;
	return NULL;
}

int
fetch_http(struct fetch *f, const struct fetch_req *req,
    struct fetch_resp *resp)
{
	static const char	empty[] = "{\"results\":[],\"totalCount\":0}";
	const char		*nul;

	(void)f;
	if (req->method == NULL || req->path == NULL || req->path[0] != '/' ||
	    strlen(req->path) >= MSG_PATH_MAX)
		abort();		/* the broker would refuse it */
	resp->status = 200;
	(void)snprintf(resp->ctype, sizeof(resp->ctype), "%s",
	    req->accept != NULL ? req->accept : "application/json");
	(void)snprintf(resp->reqid, sizeof(resp->reqid), "fuzz-%u", stub_calls);
	if (stub_calls++ < STUB_SERVED) {
		if (buf_add(&resp->body, stub_p, stub_n) != 0)
			return PC_E_NOMEM;
	} else if (buf_add_str(&resp->body, empty) != 0)
		return PC_E_NOMEM;
	return buf_cstr(&resp->body, &nul);
}

/* The agent's side: what the emitter wrote must decode as a record. */
int
fetch_record(struct fetch *f, struct buf *payload)
{
	const struct msg_info	*mi = msg_info(MSG_RECORD);
	struct msg		 m;
	struct record		 r;
	const char		*why;

	(void)f;
	if (payload->len > MSG_RECORD_MAX)
		return PC_E_TOOBIG;	/* chan_send refuses the same */
	memset(&m, 0, sizeof(m));
	m.type = MSG_RECORD;
	m.p = payload->p;
	m.len = payload->len;
	if (tlv_decode(mi->spec, mi->nspec, m.p, m.len, &m.tf) != 0)
		abort();
	memset(&r, 0, sizeof(r));
	if (record_decode(&m, &r, &why) != 0) {
		fprintf(stderr, "record refused by the agent: %s\n", why);
		abort();
	}
	record_clear(&r);
	return 0;
}

void
fetch_log(struct fetch *f, int level, const char *fmt, ...)
{
	(void)f;
	(void)level;
	(void)fmt;
}

void
fetch_result(struct fetch *f, const char *fmt, ...)
{
	(void)f;
	(void)fmt;
}

int
fetch_main(int (*run)(struct fetch *))
{
	(void)run;
	return 1;
}
