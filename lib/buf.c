/* Runs in: every process. Input: bytes from any peer (untrusted). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
rd_init(struct rd *r, const void *p, size_t len)
{
	r->p = p;
	r->left = p == NULL ? 0 : len;
}

int
rd_bytes(struct rd *r, size_t len, const uint8_t **out)
{
	*out = NULL;
	if (len > r->left)
		return PC_E_SHORT;
	*out = r->p;
	r->p += len;
	r->left -= len;
	return 0;
}

int
rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t	*p;
	int		 e;

	*v = 0;
	if ((e = rd_bytes(r, 1, &p)) != 0)
		return e;
	*v = p[0];
	return 0;
}

int
rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t	*p;
	int		 e;

	*v = 0;
	if ((e = rd_bytes(r, 2, &p)) != 0)
		return e;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t	*p;
	int		 e;

	*v = 0;
	if ((e = rd_bytes(r, 4, &p)) != 0)
		return e;
	*v = buf_get_u32(p);
	return 0;
}

int
rd_u64(struct rd *r, uint64_t *v)
{
	const uint8_t	*p;
	int		 e;

	*v = 0;
	if ((e = rd_bytes(r, 8, &p)) != 0)
		return e;
	*v = (uint64_t)buf_get_u32(p) << 32 | buf_get_u32(p + 4);
	return 0;
}

int
rd_end(const struct rd *r)
{
	return r->left == 0 ? 0 : PC_E_TRAILING;
}

void
buf_init(struct buf *b, size_t max, int wipe)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->wipe = wipe;
}

static void
buf_release(struct buf *b)
{
	if (b->p != NULL && b->wipe)
		explicit_bzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_clear(struct buf *b)
{
	buf_release(b);
	b->err = 0;
}

void
buf_reset(struct buf *b)
{
	if (b->p != NULL && b->wipe)
		explicit_bzero(b->p, b->cap);
	b->len = 0;
	b->err = 0;
}

static int
buf_fail(struct buf *b, int e)
{
	buf_release(b);
	b->err = e;
	return e;
}

/* Grow so that need more bytes (plus a NUL) fit. */
static int
buf_reserve(struct buf *b, size_t need)
{
	size_t	 want, ncap, olen;
	uint8_t	*np;

	if (b->err != 0)
		return b->err;
	if (need > b->max - b->len)
		return buf_fail(b, PC_E_TOOBIG);
	want = b->len + need + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if (b->wipe) {
		/* realloc could leave a copy of a secret behind. */
		if ((np = malloc(ncap)) == NULL)
			return buf_fail(b, PC_E_NOMEM);
		olen = b->len;
		if (olen > 0)
			memcpy(np, b->p, olen);
		buf_release(b);
		b->len = olen;
	} else if ((np = realloc(b->p, ncap)) == NULL)
		return buf_fail(b, PC_E_NOMEM);
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t len)
{
	int	e;

	if ((e = buf_reserve(b, len)) != 0)
		return e;
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_add_u8(struct buf *b, uint8_t v)
{
	return buf_add(b, &v, 1);
}

int
buf_add_u16(struct buf *b, uint16_t v)
{
	uint8_t	p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return buf_add(b, p, sizeof(p));
}

int
buf_add_u32(struct buf *b, uint32_t v)
{
	uint8_t	p[4];

	buf_put_u32(p, v);
	return buf_add(b, p, sizeof(p));
}

int
buf_add_u64(struct buf *b, uint64_t v)
{
	uint8_t	p[8];

	buf_put_u32(p, (uint32_t)(v >> 32));
	buf_put_u32(p + 4, (uint32_t)v);
	return buf_add(b, p, sizeof(p));
}

int
buf_add_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n, e;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return buf_fail(b, PC_E_VALUE);
	if ((e = buf_reserve(b, (size_t)n)) != 0)
		return e;
	va_start(ap, fmt);
	n = vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return buf_fail(b, PC_E_VALUE);
	b->len += (size_t)n;
	return 0;
}

int
buf_cstr(struct buf *b, const char **out)
{
	int	e;

	*out = NULL;
	if ((e = buf_reserve(b, 0)) != 0)
		return e;
	b->p[b->len] = '\0';
	*out = (const char *)b->p;
	return 0;
}

int
buf_mul(size_t a, size_t b, size_t *out)
{
	*out = 0;
	if (b != 0 && a > SIZE_MAX / b)
		return PC_E_RANGE;
	*out = a * b;
	return 0;
}

void
buf_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t
buf_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
buf_scopy(char *dst, size_t dstsz, const char *s)
{
	size_t	n = strlen(s);

	if (dstsz == 0)
		return PC_E_TOOBIG;
	if (n >= dstsz) {
		memcpy(dst, s, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return PC_E_TOOBIG;
	}
	memcpy(dst, s, n + 1);
	return 0;
}
