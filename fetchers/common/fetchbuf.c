/*
 * The parts of the fetch library that touch no channel: response buffers,
 * bounded formatting, the HTTP_REQ fields of a request. Split out so the decoder fuzz harnesses link the
 * same code as the fetchers (fuzz/kit_stub.c stands in for the rest).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"

void
fetch_resp_init(struct fetch_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, MSG_RESP_MAX, 0);
}

void
fetch_resp_clear(struct fetch_resp *r)
{
	buf_clear(&r->body);
	memset(r, 0, sizeof(*r));
}

int
fetch_fmt(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= dstsz ? PC_E_TOOBIG : 0;
}

/* Copy a C string into a codec field; over-long is the caller's bug. */
static int
fetch_field(char *dst, size_t dstsz, const char *s)
{
	if (s == NULL) {
		dst[0] = '\0';
		return 0;
	}
	return buf_scopy(dst, dstsz, s);
}

int
fetch_req_fill(struct http_req_msg *m, const struct fetch_req *req)
{
	int	e;

	memset(m, 0, sizeof(*m));
	if ((e = fetch_field(m->method, sizeof(m->method), req->method)) ||
	    (e = fetch_field(m->path, sizeof(m->path), req->path)) ||
	    (e = fetch_field(m->accept, sizeof(m->accept), req->accept)) ||
	    (e = fetch_field(m->ctype, sizeof(m->ctype), req->ctype)) ||
	    (e = fetch_field(m->slot, sizeof(m->slot), req->slot)) ||
	    (e = fetch_field(m->target, sizeof(m->target), req->target)) ||
	    (e = fetch_field(m->operation, sizeof(m->operation),
	    req->operation)) ||
	    (e = fetch_field(m->cred, sizeof(m->cred), req->cred)))
		return e;
	m->body = req->body;
	m->len = req->len;
	return 0;
}
