/*
 * The parts of the fetch library that touch no channel: response buffers
 * and bounded formatting. Split out so the decoder fuzz harnesses link the
 * same code as the fetchers (fuzz/atlas_stub.c stands in for the rest).
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
