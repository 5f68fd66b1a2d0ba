/*
 * Runs in: make bench (tests/bench/bench_atlas.sh), one process, no
 * sandbox. Input: a request log the Atlas mock wrote during a portcullis
 * sync (tests/mock/atlas/server.py --request-log: "S seq ms METHOD target
 * accept" as each request was answered, "E seq ms" once it was sent),
 * DC_USERPWD ("user:password", from the environment, never argv).
 *
 * The privsep baseline: the same requests by a plain libcurl multi loop,
 * no broker, no fetcher, no JSON parsing, each started as soon as a
 * client could know it, in the recorded order among those ready, at most
 * max-in-flight at once. What a request needs, read off its path:
 *   - every id in it (a segment with a digit and no dot, e.g. a project
 *     id) seen as a word in an answer already received (the projects page
 *     that named the project); a word is a run of [A-Za-z0-9_-];
 *   - a host (a segment with a dot: .../processes/HOST/databases, which
 *     the fetcher derives from the cluster names) every page of that
 *     project's .../clusters list received (the one Atlas-specific rule);
 *   - page N > 1 of a list: its page 1 received (totalCount is there).
 * Not gated on the recorded timing, so the broker's own delays are not
 * copied into the baseline. Same Digest auth (libcurl's, one easy handle
 * per slot, reused, as the broker does), same CA, same Accept.
 *
 * usage: direct_curl ORIGIN CAFILE LOG MAX_IN_FLIGHT
 * prints: requests N errors N wall_ms N
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DC_LINE		8192
#define DC_SLOTS	64
#define DC_TOKS		4
#define DC_NONE		((size_t)-1)

/* A string -> index map, open addressing (ids, paths, targets). */
struct dc_map {
	char	**key;
	size_t	 *val;
	size_t	  cap, n;
};

struct dc_req {
	char	*method, *target, *accept;
	size_t	 tok[DC_TOKS], ntok;	/* ids it needs (dc_ids) */
	size_t	 list;			/* its list (path): dc_lists */
	size_t	 page1;			/* page 1 of its list, or DC_NONE */
	size_t	 hosts;			/* the clusters list it needs */
	int	 started, done;
};

struct dc_list {
	size_t	n, done;		/* requests of this path */
};

struct dc_slot {
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			*body;
	size_t			 len, cap, req;
	int			 busy;
};

static struct dc_req	*dc_req;
static size_t		 dc_nreq, dc_reqcap;
static struct dc_map	 dc_ids, dc_paths, dc_targets;
static unsigned char	*dc_seen;	/* per id */
static size_t		 dc_seencap;
static struct dc_list	*dc_lists;
static size_t		 dc_listcap;

static void
dc_die(const char *what)
{
	fprintf(stderr, "direct_curl: %s\n", what);
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
static void
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

static void
dc_read(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 line[DC_LINE + 600];
	size_t	 i;

	if (f == NULL)
		dc_die("cannot open the request log");
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] == 'S')
			dc_parse_start(line);
	fclose(f);
	dc_lists = dc_grow(dc_lists, &dc_listcap, dc_paths.n,
	    sizeof(*dc_lists));
	for (i = 0; i < dc_nreq; i++)
		dc_lists[dc_req[i].list].n++;
}

static int
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

static size_t
dc_body(char *p, size_t size, size_t n, void *arg)
{
	struct dc_slot	*s = arg;
	size_t		 len = size * n;

	if (s->len + len + 1 > s->cap) {
		s->cap = (s->len + len + 1) * 2;
		if ((s->body = realloc(s->body, s->cap)) == NULL)
			dc_die("out of memory");
	}
	memcpy(s->body + s->len, p, len);
	s->len += len;
	return len;
}

static long long
dc_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
dc_slot_init(struct dc_slot *s, const char *ca, const char *userpwd)
{
	if ((s->easy = curl_easy_init()) == NULL)
		dc_die("curl_easy_init failed");
	curl_easy_setopt(s->easy, CURLOPT_CAINFO, ca);
	curl_easy_setopt(s->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	curl_easy_setopt(s->easy, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, dc_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
}

static void
dc_start(CURLM *m, struct dc_slot *s, size_t idx, const char *origin)
{
	struct dc_req	*r = &dc_req[idx];
	char		 url[DC_LINE + 512], acc[600];

	if (snprintf(url, sizeof(url), "%s%s", origin, r->target) >=
	    (int)sizeof(url) || snprintf(acc, sizeof(acc), "Accept: %s",
	    r->accept) >= (int)sizeof(acc))
		dc_die("request too long");
	if (strcmp(r->method, "GET") != 0)
		dc_die("only GET requests can be replayed (no bodies logged)");
	curl_slist_free_all(s->hdrs);
	if ((s->hdrs = curl_slist_append(NULL, acc)) == NULL)
		dc_die("out of memory");
	curl_easy_setopt(s->easy, CURLOPT_URL, url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	s->req = idx;
	s->len = 0;
	s->busy = 1;
	r->started = 1;
	if (curl_multi_add_handle(m, s->easy) != CURLM_OK)
		dc_die("curl_multi_add_handle failed");
}

/* Fill the free slots with ready requests, in recorded order. */
static size_t
dc_fill(CURLM *m, struct dc_slot *slots, size_t mif, size_t *first,
    const char *origin)
{
	size_t	i, k = 0, started = 0;

	while (*first < dc_nreq && dc_req[*first].started)
		(*first)++;
	for (i = *first; i < dc_nreq; i++) {
		if (dc_req[i].started || !dc_ready(&dc_req[i]))
			continue;
		while (k < mif && slots[k].busy)
			k++;
		if (k == mif)
			break;
		dc_start(m, &slots[k], i, origin);
		started++;
	}
	return started;
}

/* A finished transfer: its ids seen, its list one page further. */
static int
dc_finish(CURLM *m, CURLMsg *msg)
{
	struct dc_slot	*s;
	struct dc_req	*r;
	long		 status = 0;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(m, s->easy);
	r = &dc_req[s->req];
	dc_scan(s->body, s->len);
	r->done = 1;
	dc_lists[r->list].done++;
	s->busy = 0;
	return msg->data.result != CURLE_OK || status != 200;
}

int
main(int argc, char **argv)
{
	struct dc_slot	 slots[DC_SLOTS] = { { 0 } };
	const char	*userpwd = getenv("DC_USERPWD");
	CURLM		*m;
	CURLMsg		*msg;
	size_t		 first = 0, inflight = 0, ndone = 0, i, mif;
	long long	 t0;
	int		 running, left, errors = 0;

	if (argc != 5 || userpwd == NULL)
		dc_die("usage: DC_USERPWD=u:p direct_curl ORIGIN CAFILE LOG MIF");
	mif = (size_t)strtoul(argv[4], NULL, 10);
	if (mif < 1 || mif > DC_SLOTS)
		dc_die("max-in-flight out of range");
	dc_read(argv[3]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((m = curl_multi_init()) == NULL)
		dc_die("curl_multi_init failed");
	for (i = 0; i < mif; i++)
		dc_slot_init(&slots[i], argv[2], userpwd);
	t0 = dc_now_ms();
	while (ndone < dc_nreq) {
		inflight += dc_fill(m, slots, mif, &first, argv[1]);
		if (inflight == 0)
			dc_die("requests left that nothing received unlocks");
		if (curl_multi_perform(m, &running) != CURLM_OK)
			dc_die("curl_multi_perform failed");
		/* Poll only when nothing finished: a transfer may end inside
		 * perform, and what it unlocks must start at once. */
		if ((msg = curl_multi_info_read(m, &left)) == NULL) {
			if (curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
				dc_die("curl_multi_poll failed");
			continue;
		}
		for (; msg != NULL; msg = curl_multi_info_read(m, &left)) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			errors += dc_finish(m, msg);
			inflight--;
			ndone++;
		}
	}
	printf("requests %zu errors %d wall_ms %lld\n", dc_nreq, errors,
	    dc_now_ms() - t0);
	return errors != 0;
}
