/*
 * Runs in: make bench, inside tests/bench/direct_curl (one process) and
 * tests/bench/replay_fetch (a sandboxed fetcher). Input: the Atlas mock's
 * request log lines, answers' bodies (only scanned for words).
 *
 * What a request needs before it may start, read off its path:
 *   - every id in it (a segment with a digit and no dot, e.g. a project
 *     id) seen as a word in an answer already received (the projects page
 *     that named the project); a word is a run of [A-Za-z0-9_-];
 *   - a host (a segment with a dot: .../processes/HOST/databases, which
 *     the fetcher derives from the cluster names) every page of that
 *     project's .../clusters list received (the one Atlas-specific rule);
 *   - page N > 1 of a list: its page 1 received (totalCount is there).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_plan.h"

struct dc_map {
	char	**key;
	size_t	 *val;
	size_t	  cap, n;
};

struct dc_list {
	size_t	n, done;		/* requests of this path */
};

struct dc_req		*dc_req;
size_t			 dc_nreq;
static size_t		 dc_reqcap;
static struct dc_map	 dc_ids, dc_paths, dc_targets;
static unsigned char	*dc_seen;	/* per id */
static size_t		 dc_seencap;
static struct dc_list	*dc_lists;
static size_t		 dc_listcap;

void
dc_die(const char *what)
{
	fprintf(stderr, "replay: %s\n", what);
	exit(2);
}

static void *
dc_grow(void *p, size_t *cap, size_t n, size_t elem)
{
	size_t	old = *cap;

	if (n < *cap)
		return p;
	while (*cap <= n)
		*cap = *cap ? *cap * 2 : 1024;
	if ((p = realloc(p, *cap * elem)) == NULL)
		dc_die("out of memory");
	memset((char *)p + old * elem, 0, (*cap - old) * elem);
	return p;
}

static char *
dc_dup(const char *s, size_t n)
{
	char	*d = malloc(n + 1);

	if (d == NULL)
		dc_die("out of memory");
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static size_t
dc_hash(const char *s, size_t n)
{
	size_t	h = 14695981039346656037ULL, i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t
dc_slot_of(const struct dc_map *m, const char *s, size_t n)
{
	size_t	i = dc_hash(s, n) & (m->cap - 1);

	while (m->key[i] != NULL && (strlen(m->key[i]) != n ||
	    memcmp(m->key[i], s, n) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static size_t
dc_get(const struct dc_map *m, const char *s, size_t n)
{
	size_t	i;

	if (m->cap == 0)
		return DC_NONE;
	i = dc_slot_of(m, s, n);
	return m->key[i] != NULL ? m->val[i] : DC_NONE;
}

/* Insert s with value v unless present; the value it has. */
static size_t
dc_put(struct dc_map *m, const char *s, size_t n, size_t v)
{
	size_t	i, j;

	if (2 * (m->n + 1) > m->cap) {
		struct dc_map	big = { 0 };

		big.cap = m->cap ? m->cap * 2 : 4096;
		if ((big.key = calloc(big.cap, sizeof(char *))) == NULL ||
		    (big.val = calloc(big.cap, sizeof(size_t))) == NULL)
			dc_die("out of memory");
		for (j = 0; j < m->cap; j++)
			if (m->key[j] != NULL) {
				i = dc_slot_of(&big, m->key[j],
				    strlen(m->key[j]));
				big.key[i] = m->key[j];
				big.val[i] = m->val[j];
			}
		big.n = m->n;
		free(m->key);
		free(m->val);
		*m = big;
	}
	i = dc_slot_of(m, s, n);
	if (m->key[i] != NULL)
		return m->val[i];
	m->key[i] = dc_dup(s, n);
	m->val[i] = v;
	m->n++;
	return v;
}

static int
dc_hex(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Percent-decode seg[0..n) into out (size > n). */
static size_t
dc_unescape(const char *seg, size_t n, char *out)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++)
		if (seg[i] == '%' && i + 2 < n + 1 && isxdigit((unsigned
		    char)seg[i + 1]) && isxdigit((unsigned char)seg[i + 2])) {
			out[k++] = (char)(dc_hex(seg[i + 1]) * 16 +
			    dc_hex(seg[i + 2]));
			i += 2;
		} else
			out[k++] = seg[i];
	out[k] = '\0';
	return k;
}

/* Ids and a host in the path of r (n bytes): what it needs first. */
static void
dc_needs(struct dc_req *r, const char *path, size_t n)
{
	const char	*seg = path, *end = path + n, *sl;
	char		 tok[DC_LINE];
	size_t		 k, v;

	r->hosts = DC_NONE;
	for (; seg < end; seg = sl + 1) {
		if ((sl = memchr(seg, '/', (size_t)(end - seg))) == NULL)
			sl = end;
		k = dc_unescape(seg, (size_t)(sl - seg), tok);
		if (strpbrk(tok, "0123456789") == NULL || strcmp(tok, "v2") == 0)
			continue;
		if (strchr(tok, '.') != NULL) {
			/* .../groups/G/processes/HOST: G's clusters list. */
			char	cl[DC_LINE];
			int	m = snprintf(cl, sizeof(cl), "%.*s/clusters",
			    (int)(seg - path - (int)strlen("processes/") - 1),
			    path);

			if (m > 0 && (size_t)m < sizeof(cl))
				r->hosts = dc_put(&dc_paths, cl, (size_t)m,
				    dc_paths.n);
			continue;
		}
		if (r->ntok < DC_TOKS) {
			v = dc_put(&dc_ids, tok, k, dc_ids.n);
			dc_seen = dc_grow(dc_seen, &dc_seencap, v, 1);
			r->tok[r->ntok++] = v;
		}
	}
}

/* Page N > 1: the same target with pageNum=1 is its page 1. */
static void
dc_page1(struct dc_req *r)
{
	char	 t[DC_LINE + 16];
	char	*p = strstr(r->target, "pageNum=");
	size_t	 a;
	int	 m;

	r->page1 = DC_NONE;
	if (p == NULL || (strncmp(p, "pageNum=1", 9) == 0 && !isdigit(
	    (unsigned char)p[9])))
		return;
	a = (size_t)(p - r->target);
	p += strlen("pageNum=");
	while (isdigit((unsigned char)*p))
		p++;
	m = snprintf(t, sizeof(t), "%.*spageNum=1%s", (int)a, r->target, p);
	if (m > 0 && (size_t)m < sizeof(t))
		r->page1 = dc_get(&dc_targets, t, (size_t)m);
}

/* One "S seq ms METHOD target accept" line. */
void
dc_parse_start(char *line)
{
	char		 m[16], t[DC_LINE], acc[512];
	unsigned long	 seq;
	double		 ms;
	struct dc_req	*r;
	size_t		 plen;

	if (sscanf(line, "S %lu %lf %15s %8191s %511[^\n]", &seq, &ms, m, t,
	    acc) != 5)
		dc_die("bad S line in the request log");
	dc_req = dc_grow(dc_req, &dc_reqcap, dc_nreq, sizeof(*dc_req));
	r = &dc_req[dc_nreq];
	r->method = dc_dup(m, strlen(m));
	r->target = dc_dup(t, strlen(t));
	r->accept = dc_dup(acc, strlen(acc));
	plen = strcspn(t, "?");
	dc_needs(r, t, plen);
	r->list = dc_put(&dc_paths, t, plen, dc_paths.n);
	dc_page1(r);
	(void)dc_put(&dc_targets, t, strlen(t), dc_nreq);
	dc_nreq++;
}

int
dc_ready(const struct dc_req *r)
{
	size_t	i;

	for (i = 0; i < r->ntok; i++)
		if (!dc_seen[r->tok[i]])
			return 0;
	if (r->page1 != DC_NONE && !dc_req[r->page1].done)
		return 0;
	if (r->hosts != DC_NONE && (r->hosts >= dc_listcap ||
	    dc_lists[r->hosts].done < dc_lists[r->hosts].n))
		return 0;
	return 1;
}

/* Every word of an answer that is an id some request needs: seen. */
static void
dc_scan(const char *b, size_t n)
{
	size_t	i = 0, j, v;

	while (i < n) {
		for (j = i; j < n && (isalnum((unsigned char)b[j]) ||
		    b[j] == '_' || b[j] == '-'); j++)
			;
		if (j > i && (v = dc_get(&dc_ids, b + i, j - i)) != DC_NONE)
			dc_seen[v] = 1;
		i = j + 1;
	}
}


void
dc_plan_done(void)
{
	size_t	i;

	dc_lists = dc_grow(dc_lists, &dc_listcap, dc_paths.n,
	    sizeof(*dc_lists));
	for (i = 0; i < dc_nreq; i++)
		dc_lists[dc_req[i].list].n++;
}

void
dc_answered(size_t idx, const char *body, size_t len)
{
	dc_scan(body, len);
	dc_req[idx].done = 1;
	dc_lists[dc_req[idx].list].done++;
}
