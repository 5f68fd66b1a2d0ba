/*
 * Runs in: fetchers (vendor responses), broker (OAuth token answers),
 * agent and tools. Input: untrusted JSON of any size.
 *
 * Two passes. pcj_value_check() is a strict RFC 8259 recogniser (one
 * value, grammar, numbers, strings, escapes, surrogates, UTF-8, depth)
 * that jsmn does not do. It also numbers the tokens as jsmn will, so
 * jsmn fills an array of exactly that size and the scan already knows
 * where each subtree ends (sibling links), and it rejects duplicate keys
 * of the small plain objects vendors send. jsmn then builds the token
 * tree we hand out; pcj_dups() unescapes and sorts the keys of the
 * objects the scan listed for it (many keys, or an escaped one).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "pcj.h"

/*
 * 32 MiB is the broker's response cap; 4 Mi tokens bounds memory at
 * about 80 MiB; 64 levels is deeper than any vendor document we read
 * and keeps the recogniser's recursion shallow.
 */
const struct pcj_limits pcj_default_limits = {
	32 * 1024 * 1024, 4 * 1024 * 1024, 64
};

struct pcj_tok {
	jsmntok_t	*jt;
	int		*next;		/* first token after the subtree */
};

struct pcj_scan {
	const unsigned char	*p;
	size_t			 len, pos;
	unsigned		 depth, max_depth;
	const char		*why;
	unsigned		 ntok, max_tokens; /* jsmn's count, ahead */
	int			*next;		/* see pcj_tok */
	size_t			 next_cap;
	int			 escapes;	/* a string had a backslash */
	int			*slow;		/* objects left to pcj_dups */
	size_t			 nslow, slow_cap;
};

/*
 * Objects of up to this many keys, none escaped (nearly all of them),
 * are checked for duplicate keys during the scan; the rest after
 * tokenizing, by pcj_dups.
 */
#define PCJ_SMALL_OBJ	16

/* The keys of the object being scanned. */
struct pcj_keys {
	uint64_t	sig[PCJ_SMALL_OBJ];	/* length << 8 | first byte */
	uint32_t	at[PCJ_SMALL_OBJ];	/* offset of the key's text */
	uint64_t	seen;		/* one bit per sig hash */
	unsigned	n;		/* > PCJ_SMALL_OBJ: left to pcj_dups */
	int		obj;		/* the object's token */
};


static int	pcj_value_check(struct pcj_scan *);

static int
pcj_fail(struct pcj_scan *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return -1;
}

static int
pcj_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
pcj_ws(struct pcj_scan *s)
{
	while (s->pos < s->len && (s->p[s->pos] == ' ' ||
	    s->p[s->pos] == '\t' || s->p[s->pos] == '\n' ||
	    s->p[s->pos] == '\r'))
		s->pos++;
}

static int
pcj_hex4(struct pcj_scan *s, unsigned *v)
{
	unsigned	i, c;

	*v = 0;
	if (s->len - s->pos < 4)
		return pcj_fail(s, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		c = s->p[s->pos++];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return pcj_fail(s, "bad hex digit in \\u escape");
		*v = *v << 4 | c;
	}
	return 0;
}

static int
pcj_escape_check(struct pcj_scan *s)
{
	unsigned	u, lo;

	if (s->pos >= s->len)
		return pcj_fail(s, "truncated escape");
	switch (s->p[s->pos++]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		return 0;
	case 'u':
		break;
	default:
		return pcj_fail(s, "unknown escape");
	}
	if (pcj_hex4(s, &u) != 0)
		return -1;
	if (u >= 0xdc00 && u <= 0xdfff)
		return pcj_fail(s, "lone low surrogate");
	if (u < 0xd800 || u > 0xdbff)
		return 0;
	if (s->len - s->pos < 2 || s->p[s->pos] != '\\' ||
	    s->p[s->pos + 1] != 'u')
		return pcj_fail(s, "high surrogate without a low one");
	s->pos += 2;
	if (pcj_hex4(s, &lo) != 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return pcj_fail(s, "high surrogate without a low one");
	return 0;
}

/* One UTF-8 sequence of 2-4 bytes, shortest form, no surrogates. */
static int
pcj_utf8_check(struct pcj_scan *s)
{
	const unsigned char	*p = s->p + s->pos;
	size_t			 left = s->len - s->pos;
	unsigned		 c = p[0], n, cp, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07;
	else
		return pcj_fail(s, "invalid UTF-8 lead byte");
	if (left <= n)
		return pcj_fail(s, "truncated UTF-8 sequence");
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return pcj_fail(s, "invalid UTF-8 continuation");
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 ||
	    cp > 0x10ffff)))
		return pcj_fail(s, "overlong or out-of-range UTF-8");
	if (cp >= 0xd800 && cp <= 0xdfff)
		return pcj_fail(s, "UTF-8 encoded surrogate");
	s->pos += n + 1;
	return 0;
}

/* Bytes a string may hold as they are: printable ASCII but " and \. */
#define PCJ_PLAIN(c)	((c) >= 0x20 && (c) < 0x80 && (c) != '"' && \
			    (c) != '\\')

#define PCJ_ONES	0x0101010101010101ULL
#define PCJ_HIGHS	0x8080808080808080ULL

/*
 * Which of the 8 bytes at p need a closer look (< 0x20, ", \ or
 * >= 0x80)? Word-at-a-time "has less than" and "has zero" tests: the
 * high bit of each flagged byte is set. Borrows only run upwards, so a
 * false alarm sits above a real one and the lowest flag is exact.
 */
static inline uint64_t
pcj_special8(const unsigned char *p)
{
	uint64_t	v, q, b, lo;

	memcpy(&v, p, sizeof(v));
	q = v ^ (PCJ_ONES * '"');
	b = v ^ (PCJ_ONES * '\\');
	lo = (v - PCJ_ONES * 0x20) & ~v;
	return (lo | ((q - PCJ_ONES) & ~q) | ((b - PCJ_ONES) & ~b) | v) &
	    PCJ_HIGHS;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Little-endian: byte i of the block is bits 8i..8i+7 of the word. */
#define PCJ_FIRST(m)	((size_t)__builtin_ctzll(m) >> 3)
#else
#define PCJ_FIRST(m)	((size_t)0)	/* the byte loop finds it */
#endif

static int
pcj_string_check(struct pcj_scan *s)
{
	const unsigned char	*p = s->p;
	size_t			 pos = s->pos + 1, len = s->len;
	uint64_t		 m;
	unsigned char		 c;

	for (;;) {
		/*
		 * The common case, kept tight: runs of plain ASCII, eight
		 * bytes a step while no byte is < 0x20, ", \ or >= 0x80.
		 */
		while (len - pos >= 8) {
			if ((m = pcj_special8(p + pos)) != 0) {
				pos += PCJ_FIRST(m);
				break;
			}
			pos += 8;
		}
		while (pos < len && PCJ_PLAIN(p[pos]))
			pos++;
		s->pos = pos;
		if (pos >= len)
			break;
		c = p[pos];
		if (c == '"') {
			s->pos++;
			return 0;
		}
		if (c < 0x20)
			return pcj_fail(s, "control character in string");
		if (c == '\\') {
			s->pos++;
			s->escapes = 1;
			if (pcj_escape_check(s) != 0)
				return -1;
		} else if (pcj_utf8_check(s) != 0)
			return -1;
		pos = s->pos;
	}
	return pcj_fail(s, "unterminated string");
}

/*
 * One more token: jsmn will make exactly as many, in the same order, so
 * the scan numbers them and records where each one's subtree ends.
 */
static int
pcj_grow(struct pcj_scan *s)
{
	size_t	 cap;
	int	*n;

	if (s->ntok >= s->max_tokens)
		return pcj_fail(s, "too many tokens");
	cap = s->next_cap * 2 + 64;
	if (cap > s->max_tokens)
		cap = s->max_tokens;
	if ((n = reallocarray(s->next, cap, sizeof(*n))) == NULL)
		return pcj_fail(s, "out of memory");
	s->next = n;
	s->next_cap = cap;
	return 0;
}

/* next_cap never passes max_tokens: one compare covers both. */
static inline int
pcj_count_tok(struct pcj_scan *s, unsigned *idx)
{
	if (s->ntok >= s->next_cap && pcj_grow(s) != 0)
		return -1;
	*idx = s->ntok++;
	return 0;
}

/* Object k is left to pcj_dups: too many keys, or an escaped one. */
static int
pcj_leave(struct pcj_scan *s, struct pcj_keys *k)
{
	size_t	 cap;
	int	*n;

	if (k->n > PCJ_SMALL_OBJ)
		return 0;		/* already on the list */
	k->n = PCJ_SMALL_OBJ + 1;
	if (s->nslow == s->slow_cap) {
		cap = s->slow_cap * 2 + 16;
		if ((n = reallocarray(s->slow, cap, sizeof(*n))) == NULL)
			return pcj_fail(s, "out of memory");
		s->slow = n;
		s->slow_cap = cap;
	}
	s->slow[s->nslow++] = k->obj;
	return 0;
}

/*
 * A key, compared with the object's earlier ones while they are few and
 * plain; lengths and first bytes rule out most pairs without memcmp.
 */
static int
pcj_key_check(struct pcj_scan *s, struct pcj_keys *k, unsigned *kidx)
{
	size_t		start = s->pos + 1, len;
	uint64_t	sig, bit;
	unsigned	i;

	s->escapes = 0;
	if (pcj_count_tok(s, kidx) != 0 || pcj_string_check(s) != 0)
		return -1;
	if (s->escapes || k->n >= PCJ_SMALL_OBJ) {
		if (pcj_leave(s, k) != 0)
			return -1;
	} else {
		len = s->pos - 1 - start;
		sig = (uint64_t)len << 8 | (len > 0 ? s->p[start] : 0);
		/* A bit not yet set: no earlier key can be the same. */
		bit = 1ULL << ((sig * 0x9e3779b97f4a7c15ULL) >> 58);
		i = (k->seen & bit) != 0 ? 0 : k->n;
		k->seen |= bit;
		for (; i < k->n; i++)
			if (k->sig[i] == sig &&
			    memcmp(s->p + k->at[i], s->p + start, len) == 0) {
				s->pos = start;
				return pcj_fail(s, "duplicate object key");
			}
		k->sig[k->n] = sig;
		k->at[k->n++] = (uint32_t)start;
	}
	return 0;
}

static int
pcj_digits(struct pcj_scan *s)
{
	size_t	start = s->pos;

	while (s->pos < s->len && s->p[s->pos] >= '0' && s->p[s->pos] <= '9')
		s->pos++;
	return s->pos > start ? 0 : pcj_fail(s, "digit expected");
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
pcj_number_check(struct pcj_scan *s)
{
	if (s->p[s->pos] == '-')
		s->pos++;
	if (s->pos < s->len && s->p[s->pos] == '0') {
		s->pos++;
		if (s->pos < s->len && s->p[s->pos] >= '0' &&
		    s->p[s->pos] <= '9')
			return pcj_fail(s, "leading zero in number");
	} else if (pcj_digits(s) != 0)
		return -1;
	if (s->pos < s->len && s->p[s->pos] == '.') {
		s->pos++;
		if (pcj_digits(s) != 0)
			return -1;
	}
	if (s->pos < s->len && (s->p[s->pos] | 0x20) == 'e') {
		s->pos++;
		if (s->pos < s->len && (s->p[s->pos] == '+' ||
		    s->p[s->pos] == '-'))
			s->pos++;
		if (pcj_digits(s) != 0)
			return -1;
	}
	return 0;
}

static int
pcj_literal_check(struct pcj_scan *s, const char *lit, size_t n)
{
	if (s->len - s->pos < n || memcmp(s->p + s->pos, lit, n) != 0)
		return pcj_fail(s, "invalid literal");
	s->pos += n;
	return 0;
}

/* Members or elements; close is '}' or ']'. */
static int
pcj_container_check(struct pcj_scan *s, int object, unsigned idx)
{
	struct pcj_keys	keys;
	unsigned	kidx = 0;
	unsigned char	close = object ? '}' : ']';

	if (++s->depth > s->max_depth)
		return pcj_fail(s, "nesting too deep");
	keys.n = 0;
	keys.seen = 0;
	keys.obj = (int)idx;
	s->pos++;
	pcj_ws(s);
	if (s->pos < s->len && s->p[s->pos] == close) {
		s->pos++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (s->pos >= s->len || s->p[s->pos] != '"')
				return pcj_fail(s, "object key expected");
			if (pcj_key_check(s, &keys, &kidx) != 0)
				return -1;
			pcj_ws(s);
			if (s->pos >= s->len || s->p[s->pos] != ':')
				return pcj_fail(s, "':' expected after key");
			s->pos++;
		}
		if (pcj_value_check(s) != 0)
			return -1;
		if (object)	/* a key's subtree holds its value */
			s->next[kidx] = (int)s->ntok;
		pcj_ws(s);
		if (s->pos < s->len && s->p[s->pos] == close) {
			s->pos++;
			s->depth--;
			return 0;
		}
		if (s->pos >= s->len || s->p[s->pos] != ',')
			return pcj_fail(s, object ? "',' or '}' expected" :
			    "',' or ']' expected");
		s->pos++;
		pcj_ws(s);
	}
}

static int
pcj_value_check(struct pcj_scan *s)
{
	unsigned	idx;
	int		e;

	pcj_ws(s);
	if (s->pos >= s->len)
		return pcj_fail(s, "value expected");
	if (pcj_count_tok(s, &idx) != 0)
		return -1;
	switch (s->p[s->pos]) {
	case '{':
		e = pcj_container_check(s, 1, idx);
		break;
	case '[':
		e = pcj_container_check(s, 0, idx);
		break;
	case '"':
		e = pcj_string_check(s);
		break;
	case 't':
		e = pcj_literal_check(s, "true", 4);
		break;
	case 'f':
		e = pcj_literal_check(s, "false", 5);
		break;
	case 'n':
		e = pcj_literal_check(s, "null", 4);
		break;
	default:
		if (s->p[s->pos] == '-' || (s->p[s->pos] >= '0' &&
		    s->p[s->pos] <= '9'))
			e = pcj_number_check(s);
		else
			e = pcj_fail(s, "unexpected character");
	}
	if (e == 0)
		s->next[idx] = (int)s->ntok;
	return e;
}

static int
pcj_err(struct pcj_doc *d, int e, size_t off, const char *why)
{
	pcj_free(d);
	d->err = e;
	d->off = off;
	d->why = why;
	return e;
}

/* jsmn, into an array of the size the scan counted. */
static int
pcj_tokenize(struct pcj_doc *d, unsigned ntok)
{
	jsmn_parser	 p;
	jsmntok_t	*t;
	size_t		 i;
	int		 r;

	/* Not zeroed: jsmn sets every field of each token it hands out. */
	if ((t = reallocarray(NULL, ntok, sizeof(*t))) == NULL)
		return pcj_err(d, PC_E_NOMEM, 0, "out of memory");
	d->tok->jt = t;
	/* jsmn's strict mode wants a delimiter after a primitive, so a
	 * bare top-level number or literal gets its one token here. */
	for (i = 0; i < d->len && pcj_is_ws(d->js[i]); i++)
		;
	if (i < d->len && d->js[i] != '{' && d->js[i] != '[' &&
	    d->js[i] != '"') {
		t->type = JSMN_PRIMITIVE;
		t->size = 0;
		t->start = (int)i;
		/* The input is not NUL-terminated: bound by its length. */
		while (i < d->len && !pcj_is_ws(d->js[i]))
			i++;
		t->end = (int)i;
		t->parent = -1;
		d->ntok = 1;
		return 0;
	}
	jsmn_init(&p);
	r = jsmn_parse(&p, d->js, d->len, t, ntok);
	if (r < 1 || (unsigned)r != ntok)
		return pcj_err(d, PC_E_SYNTAX, p.pos,
		    "tokenizer disagrees with the grammar");
	d->ntok = (unsigned)r;
	return 0;
}

struct pcj_key {
	const char	*p;
	size_t		 len;
	char		*own;		/* unescaped copy, when escaped */
	int		 tok;
};

static int
pcj_key_cmp(const void *a, const void *b)
{
	const struct pcj_key	*x = a, *y = b;
	size_t			 n = x->len < y->len ? x->len : y->len;
	int			 c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
pcj_obj_dups(struct pcj_doc *d, int obj, struct pcj_key *keys)
{
	int	k, n = 0, i, dup = -1;
	size_t	len;

	for (k = pcj_first(d, obj); k >= 0; k = pcj_next(d, k)) {
		const jsmntok_t *t = &d->tok->jt[k];

		keys[n].tok = k;
		keys[n].own = NULL;
		keys[n].p = d->js + t->start;
		keys[n].len = (size_t)(t->end - t->start);
		if (memchr(keys[n].p, '\\', keys[n].len) != NULL) {
			len = keys[n].len + 1;
			if ((keys[n].own = malloc(len)) == NULL ||
			    pcj_str(d, k, keys[n].own, len, &keys[n].len, 0))
				dup = -2;
			keys[n].p = keys[n].own;
		}
		n++;
	}
	if (dup == -1 && n > 1) {
		qsort(keys, (size_t)n, sizeof(*keys), pcj_key_cmp);
		for (i = 1; i < n && dup < 0; i++)
			if (pcj_key_cmp(&keys[i - 1], &keys[i]) == 0)
				dup = keys[i].tok;
	}
	for (i = 0; i < n; i++)
		free(keys[i].own);
	return dup;
}

/* The objects the scan could not check: unescaped keys, sorted. */
static int
pcj_dups(struct pcj_doc *d, const int *objs, size_t n)
{
	struct pcj_key	*keys;
	size_t		 i;
	int		 dup = -1;

	if ((keys = calloc(d->ntok, sizeof(*keys))) == NULL)
		return pcj_err(d, PC_E_NOMEM, 0, "out of memory");
	for (i = 0; i < n && dup == -1; i++)
		dup = pcj_obj_dups(d, objs[i], keys);
	free(keys);
	if (dup == -2)
		return pcj_err(d, PC_E_NOMEM, 0, "out of memory");
	if (dup >= 0)
		return pcj_err(d, PC_E_SYNTAX, (size_t)d->tok->jt[dup].start,
		    "duplicate object key");
	return 0;
}

static int
pcj_scan_err(const char *why)
{
	if (strcmp(why, "nesting too deep") == 0)
		return PC_E_DEPTH;
	if (strcmp(why, "too many tokens") == 0)
		return PC_E_TOOBIG;
	if (strcmp(why, "out of memory") == 0)
		return PC_E_NOMEM;
	return strstr(why, "UTF-8") != NULL ? PC_E_UTF8 : PC_E_SYNTAX;
}

int
pcj_parse(struct pcj_doc *d, const char *js, size_t len,
    const struct pcj_limits *lim)
{
	struct pcj_scan	 s;

	memset(d, 0, sizeof(*d));
	if (lim == NULL)
		lim = &pcj_default_limits;
	/* jsmn counts in int and unsigned: stay far below INT_MAX. */
	if (len > lim->max_bytes || len > INT_MAX / 2)
		return pcj_err(d, PC_E_TOOBIG, lim->max_bytes, "input too large");
	/* A NUL fails the grammar below, inside a string or out. */
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)js;
	s.len = len;
	s.max_depth = lim->max_depth;
	s.max_tokens = lim->max_tokens;
	/* About one token in 13 bytes in vendor pages: guess, then grow. */
	s.next_cap = len / 8 + 16 < lim->max_tokens ? len / 8 + 16 :
	    lim->max_tokens;
	if ((s.next = reallocarray(NULL, s.next_cap, sizeof(int))) == NULL)
		s.next_cap = 0;
	if (pcj_value_check(&s) == 0) {
		pcj_ws(&s);
		if (s.pos != s.len)
			(void)pcj_fail(&s, "trailing data after the value");
	}
	if (s.why == NULL && (d->tok = calloc(1, sizeof(*d->tok))) == NULL)
		s.why = "out of memory";
	if (s.why != NULL) {
		free(s.next);
		free(s.slow);
		return pcj_err(d, pcj_scan_err(s.why), s.pos, s.why);
	}
	d->js = js;
	d->len = len;
	d->tok->next = s.next;
	if (pcj_tokenize(d, s.ntok) != 0 ||
	    (s.nslow > 0 && pcj_dups(d, s.slow, s.nslow) != 0)) {
		free(s.slow);
		return d->err;
	}
	free(s.slow);
	return 0;
}

void
pcj_free(struct pcj_doc *d)
{
	if (d->tok != NULL) {
		free(d->tok->jt);
		free(d->tok->next);
		free(d->tok);
	}
	d->tok = NULL;
	d->ntok = 0;
}

static int
pcj_ok(const struct pcj_doc *d, int v)
{
	return d->tok != NULL && v >= 0 && (unsigned)v < d->ntok;
}

int
pcj_root(const struct pcj_doc *d)
{
	return d->tok != NULL && d->ntok > 0 ? 0 : -1;
}

enum pcj_type
pcj_type(const struct pcj_doc *d, int v)
{
	const jsmntok_t	*t;

	if (!pcj_ok(d, v))
		return PCJ_NONE;
	t = &d->tok->jt[v];
	switch (t->type) {
	case JSMN_OBJECT:
		return PCJ_OBJECT;
	case JSMN_ARRAY:
		return PCJ_ARRAY;
	case JSMN_STRING:
		return PCJ_STRING;
	default:
		break;
	}
	switch (d->js[t->start]) {
	case 't':
		return PCJ_TRUE;
	case 'f':
		return PCJ_FALSE;
	case 'n':
		return PCJ_NULL;
	default:
		return PCJ_NUMBER;
	}
}

unsigned
pcj_count(const struct pcj_doc *d, int v)
{
	enum pcj_type	t = pcj_type(d, v);

	return t == PCJ_OBJECT || t == PCJ_ARRAY ?
	    (unsigned)d->tok->jt[v].size : 0;
}

int
pcj_first(const struct pcj_doc *d, int v)
{
	return pcj_count(d, v) > 0 ? v + 1 : -1;
}

int
pcj_next(const struct pcj_doc *d, int v)
{
	const jsmntok_t	*t;
	int		 j, parent;

	if (!pcj_ok(d, v) || (parent = d->tok->jt[v].parent) < 0)
		return -1;
	t = d->tok->jt;
	/* A key's subtree is itself; skip its value too. */
	j = t[parent].type == JSMN_OBJECT ? d->tok->next[v + 1] :
	    d->tok->next[v];
	return (unsigned)j < d->ntok && t[j].parent == parent ? j : -1;
}

int
pcj_value(const struct pcj_doc *d, int key)
{
	return pcj_ok(d, key + 1) && d->tok->jt[key].type == JSMN_STRING &&
	    d->tok->jt[key].size == 1 ? key + 1 : -1;
}

int
pcj_get(const struct pcj_doc *d, int obj, const char *key)
{
	int	k;

	if (pcj_type(d, obj) != PCJ_OBJECT)
		return -1;
	for (k = pcj_first(d, obj); k >= 0; k = pcj_next(d, k))
		if (pcj_str_eq(d, k, key))
			return k + 1;
	return -1;
}

static unsigned
pcj_hexv(const char *p)
{
	unsigned	v = 0, i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		v = v << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t
pcj_utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One escape at p (after the backslash) into o; the input was checked. */
static size_t
pcj_unescape1(const char **pp, char *o, unsigned *cp)
{
	static const char	from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char		*p = *pp, *f;
	unsigned		 lo;

	if (*p != 'u') {
		f = strchr(from, *p);
		*pp = p + 1;
		*cp = (unsigned char)to[f - from];
		o[0] = to[f - from];
		return 1;
	}
	*cp = pcj_hexv(p + 1);
	p += 5;
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		lo = pcj_hexv(p + 2);
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	}
	*pp = p;
	return pcj_utf8_put(o, *cp);
}

int
pcj_str(const struct pcj_doc *d, int v, char *out, size_t outsz,
    size_t *outlen, unsigned flags)
{
	const char	*p, *end;
	char		 tmp[4];
	size_t		 n = 0, k;
	unsigned	 cp;

	if (outlen != NULL)
		*outlen = 0;
	if (outsz == 0)
		return PC_E_TOOBIG;
	out[0] = '\0';
	if (pcj_type(d, v) != PCJ_STRING)
		return PC_E_VALUE;
	p = d->js + d->tok->jt[v].start;
	end = d->js + d->tok->jt[v].end;
	while (p < end) {
		if (*p != '\\') {
			tmp[0] = *p++;
			k = 1;
			cp = 1;
		} else {
			p++;
			k = pcj_unescape1(&p, tmp, &cp);
		}
		if (cp == 0 && (flags & PCJ_STR_ID)) {
			out[0] = '\0';
			return PC_E_VALUE;
		}
		if (k >= outsz - n) {
			out[0] = '\0';
			return PC_E_TOOBIG;
		}
		memcpy(out + n, tmp, k);
		n += k;
	}
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

int
pcj_str_eq(const struct pcj_doc *d, int v, const char *s)
{
	const jsmntok_t	*t;
	char		 buf[256];
	size_t		 n = strlen(s), len;

	if (pcj_type(d, v) != PCJ_STRING)
		return 0;
	t = &d->tok->jt[v];
	len = (size_t)(t->end - t->start);
	if (memchr(d->js + t->start, '\\', len) == NULL)
		return len == n && memcmp(d->js + t->start, s, n) == 0;
	if (pcj_str(d, v, buf, sizeof(buf), &len, 0) != 0)
		return 0;
	return len == n && memcmp(buf, s, n) == 0;
}

/* An integer token (no fraction, no exponent) into a bounded buffer. */
static int
pcj_intraw(const struct pcj_doc *d, int v, char *buf, size_t bufsz)
{
	const jsmntok_t	*t;
	size_t		 len;

	if (pcj_type(d, v) != PCJ_NUMBER)
		return PC_E_VALUE;
	t = &d->tok->jt[v];
	len = (size_t)(t->end - t->start);
	if (memchr(d->js + t->start, '.', len) != NULL ||
	    memchr(d->js + t->start, 'e', len) != NULL ||
	    memchr(d->js + t->start, 'E', len) != NULL)
		return PC_E_VALUE;
	if (len >= bufsz)
		return PC_E_RANGE;
	memcpy(buf, d->js + t->start, len);
	buf[len] = '\0';
	return 0;
}

int
pcj_int64(const struct pcj_doc *d, int v, int64_t *out)
{
	char	buf[32], *end;
	long long n;
	int	e;

	*out = 0;
	if ((e = pcj_intraw(d, v, buf, sizeof(buf))) != 0)
		return e;
	n = strtoll(buf, &end, 10);
	if (*end != '\0' || ((n == LLONG_MAX || n == LLONG_MIN) &&
	    strcmp(buf, n == LLONG_MAX ? "9223372036854775807" :
	    "-9223372036854775808") != 0))
		return PC_E_RANGE;
	*out = n;
	return 0;
}

int
pcj_uint64(const struct pcj_doc *d, int v, uint64_t *out)
{
	char		 buf[32], *end;
	unsigned long long n;
	int		 e;

	*out = 0;
	if ((e = pcj_intraw(d, v, buf, sizeof(buf))) != 0)
		return e;
	if (buf[0] == '-')
		return PC_E_RANGE;
	n = strtoull(buf, &end, 10);
	if (*end != '\0' || (n == ULLONG_MAX &&
	    strcmp(buf, "18446744073709551615") != 0))
		return PC_E_RANGE;
	*out = n;
	return 0;
}

int
pcj_bool(const struct pcj_doc *d, int v, int *out)
{
	enum pcj_type	t = pcj_type(d, v);

	*out = t == PCJ_TRUE;
	return t == PCJ_TRUE || t == PCJ_FALSE ? 0 : PC_E_VALUE;
}

int
pcj_is_null(const struct pcj_doc *d, int v)
{
	return pcj_type(d, v) == PCJ_NULL;
}

const char *
pcj_raw(const struct pcj_doc *d, int v, size_t *len)
{
	*len = 0;
	if (!pcj_ok(d, v))
		return NULL;
	*len = (size_t)(d->tok->jt[v].end - d->tok->jt[v].start);
	return d->js + d->tok->jt[v].start;
}

int
pcj_dump(const struct pcj_doc *d, int v, struct buf *b)
{
	const char	*raw;
	size_t		 len;
	int		 i, e, obj;

	switch (pcj_type(d, v)) {
	case PCJ_NONE:
		return PC_E_VALUE;
	case PCJ_STRING:
		raw = pcj_raw(d, v, &len);
		if ((e = buf_add(b, "\"", 1)) != 0 ||
		    (e = buf_add(b, raw, len)) != 0)
			return e;
		return buf_add(b, "\"", 1);
	case PCJ_OBJECT:
	case PCJ_ARRAY:
		obj = pcj_type(d, v) == PCJ_OBJECT;
		if ((e = buf_add(b, obj ? "{" : "[", 1)) != 0)
			return e;
		for (i = pcj_first(d, v); i >= 0; i = pcj_next(d, i)) {
			if (i != v + 1 && (e = buf_add(b, ",", 1)) != 0)
				return e;
			if ((e = pcj_dump(d, i, b)) != 0)
				return e;
			if (obj && ((e = buf_add(b, ":", 1)) != 0 ||
			    (e = pcj_dump(d, pcj_value(d, i), b)) != 0))
				return e;
		}
		return buf_add(b, obj ? "}" : "]", 1);
	default:
		raw = pcj_raw(d, v, &len);
		return buf_add(b, raw, len);
	}
}
