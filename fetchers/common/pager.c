/*
 * Runs in: every vendor fetcher. Input: list pages (untrusted: a page's
 * total, cursor or next link only ever moves the listing forward, and
 * a listing that would not end is failed, never followed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "log.h"
#include "pager.h"

/* A running listing: its copy of the request and where it stands. */
struct pager {
	struct pager_list	 l;
	char			*path, *accept, *cred, *items, *total, *next;
	char			*body, *ctype;
	unsigned		 pages;		/* answered */
	unsigned		 sent;		/* pages asked for */
	unsigned		 outstanding;	/* asked, not answered */
	long long		 npages;	/* from the total, or -1 */
	unsigned		 step;		/* SCIM: items the server gives */
	int			 ended;
	uint64_t		*seen;		/* grown as pages come: a
						 * sync queues thousands of
						 * one-page lists */
	unsigned		 nseen, seen_cap;
	uint64_t		*items_seen;	/* open addressing, 0 = free */
	size_t			 items_cap, items_n;
};

/* A page's number travels with its call. */
struct pager_page {
	struct pager	*p;
	unsigned	 n;		/* 1-based */
	long long	 start;		/* OFFSET / SCIM: where it begins */
};

static char *
pager_dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
pager_free(struct pager *p)
{
	free(p->path);
	free(p->accept);
	free(p->cred);
	free(p->items);
	free(p->total);
	free(p->next);
	free(p->body);
	free(p->ctype);
	free(p->items_seen);
	free(p->seen);
	free(p);
}

int
pager_path(const struct pcj_doc *d, int obj, const char *path)
{
	char		 key[64];
	const char	*s = path;
	size_t		 n;
	int		 v = obj;

	while (v >= 0 && *s != '\0') {
		n = strcspn(s, ".");
		if (n >= sizeof(key))
			return -1;
		memcpy(key, s, n);
		key[n] = '\0';
		v = pcj_get(d, v, key);
		s += n + (s[n] == '.');
	}
	return v;
}

/* FNV-1a over the page: a vendor answering the same page twice is looping. */
static uint64_t
pager_hash(const uint8_t *p, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
pager_seen(struct pager *p, uint64_t h)
{
	unsigned	i;

	for (i = 0; i < p->nseen; i++)
		if (p->seen[i] == h)
			return 1;
	if (p->nseen == p->seen_cap && p->seen_cap < PAGER_SEEN_MAX) {
		unsigned	 cap = p->seen_cap != 0 ? p->seen_cap * 2 : 8;
		uint64_t	*n = reallocarray(p->seen, cap, sizeof(*n));

		if (n == NULL)
			return 0;	/* the runaway guard still holds */
		p->seen = n;
		p->seen_cap = cap;
	}
	if (p->nseen < p->seen_cap)
		p->seen[p->nseen++] = h;
	return 0;
}

/*
 * Items already handed over, by the hash of their JSON text: 1 when h
 * was there, 0 when it is added now. Past PAGER_ITEMS_TRACKED items the
 * set stops growing (and says nothing is a repeat).
 */
static int
pager_item_seen(struct pager *p, uint64_t h)
{
	size_t		 i, cap;
	uint64_t	*n;

	h |= 1;		/* 0 marks a free slot */
	if (p->items_n * 2 >= p->items_cap) {
		if (p->items_cap >= PAGER_ITEMS_TRACKED * 2)
			return 0;
		cap = p->items_cap != 0 ? p->items_cap * 2 : 1024;
		if ((n = calloc(cap, sizeof(*n))) == NULL)
			return 0;
		for (i = 0; i < p->items_cap; i++) {
			size_t j;

			if (p->items_seen[i] == 0)
				continue;
			for (j = p->items_seen[i] & (cap - 1); n[j] != 0;
			    j = (j + 1) & (cap - 1))
				;
			n[j] = p->items_seen[i];
		}
		free(p->items_seen);
		p->items_seen = n;
		p->items_cap = cap;
	}
	for (i = h & (p->items_cap - 1); p->items_seen[i] != 0;
	    i = (i + 1) & (p->items_cap - 1))
		if (p->items_seen[i] == h)
			return 1;
	p->items_seen[i] = h;
	p->items_n++;
	return 0;
}

static int	pager_on_page(struct conn *, struct conn_resp *, void *);

/*
 * A counted listing's later pages go ahead of the queue. When a project
 * list arrives, thousands of its jobs queue at once, and a page queued
 * behind them waited for all of them: a big listing (an org's 100k
 * users, 200 pages) crawled along and ended alone, its pages' parse and
 * records the last seconds of the sync with the slots idle. Ahead, it
 * ends early, its work beside the others' waiting. While such a backlog
 * waits, the listing keeps a quarter of max-in-flight of its pages out
 * (the rest of the slots serve the backlog); alone, all of them. Atlas
 * bench, 100k users at 20 ms: span 36.4 s -> 34.1 s.
 *
 * Not past PAGER_AHEAD_QUEUED queued jobs (a few MiB of them), nor for
 * a sequential listing (cursor, no total), whose next page still waits
 * behind the jobs its items start: that wait is what bounds the queue
 * (ahead, a cursor-paged 50k-user Atlassian sync queued every user's
 * jobs at once, the fetcher's RSS 5 -> 64 MiB).
 */
static unsigned
pager_window(const struct conn *c)
{
	unsigned	share = c->max_inflight / 4;

	if (c->nqueued <= c->max_inflight)
		return c->max_inflight;
	return share > 0 ? share : 1;
}

static int
pager_submit(struct conn *c, const struct pager *p, unsigned n,
    const struct conn_call *call, struct pager_page *pg)
{
	if (n > 1 && p->npages >= 0 && c->nqueued < PAGER_AHEAD_QUEUED)
		return conn_submit_ahead(c, call, pager_on_page, pg);
	return conn_submit(c, call, pager_on_page, pg);
}

/* Ask for page n (query built per kind; a cursor goes alone). */
static int
pager_ask(struct conn *c, struct pager *p, unsigned n, long long start,
    const char *cursor)
{
	struct conn_call	 call;
	struct pager_page	*pg;
	char			 path[MSG_PATH_MAX], enc[MSG_PATH_MAX / 2];
	struct buf		 body;
	const char		*sep = strchr(p->path, '?') ? "&" : "?";
	const char		*text = NULL;
	size_t			 plen = strcspn(p->path, "?");
	int			 e = 0;

	if (p->sent >= PAGER_PAGES_MAX)
		return conn_fail(c, PC_E_LIMIT, "%s %s: more than %d pages: the "
		    "listing does not end", c->app->name, p->path,
		    PAGER_PAGES_MAX);
	memset(&call, 0, sizeof(call));
	buf_init(&body, 64 * 1024, 0);
	switch (p->l.kind) {
	case PAGER_NUMBERED:
		e = fetch_fmt(path, sizeof(path), "%s%sitemsPerPage=%u&pageNum=%u"
		    "%s", p->path, sep, p->l.per_page, n, p->total != NULL ?
		    "&includeCount=true" : "");
		break;
	case PAGER_CURSOR:
		/* The cursor carries the query: nothing else goes with it. */
		if (cursor != NULL && (e = jw_path_seg(enc, sizeof(enc),
		    cursor)) == 0)
			e = fetch_fmt(path, sizeof(path), "%.*s?cursor=%s",
			    (int)plen, p->path, enc);
		else if (cursor == NULL)
			e = fetch_fmt(path, sizeof(path), "%s%slimit=%u", p->path,
			    sep, p->l.per_page);
		break;
	case PAGER_BODY_CURSOR:
		e = fetch_fmt(path, sizeof(path), "%s", p->path);
		if (e == 0 && cursor != NULL)
			e = buf_add_str(&body, "{\"cursor\":") || jw_str(&body,
			    cursor) || buf_add_str(&body, "}") ? PC_E_TOOBIG : 0;
		else if (e == 0)
			e = buf_add_str(&body, p->body) ? PC_E_TOOBIG : 0;
		if (e == 0)
			e = buf_cstr(&body, &text);
		call.method = "POST";
		call.read = 1;
		call.ctype = p->ctype != NULL ? p->ctype : "application/json";
		break;
	case PAGER_OFFSET:
		e = fetch_fmt(path, sizeof(path), "%s%sstart=%lld&limit=%u",
		    p->path, sep, start, p->l.per_page);
		break;
	case PAGER_SCIM:
		e = fetch_fmt(path, sizeof(path), "%s%sstartIndex=%lld&count=%u",
		    p->path, sep, start, p->l.per_page);
		break;
	}
	if (e != 0 || (pg = calloc(1, sizeof(*pg))) == NULL) {
		buf_clear(&body);
		return conn_fail(c, e != 0 ? e : PC_E_NOMEM, "%s %s: the page "
		    "request does not fit", c->app->name, p->path);
	}
	pg->p = p;
	pg->n = n;
	pg->start = start;
	call.path = path;
	call.accept = p->accept;
	call.cred = p->cred;
	if (text != NULL) {
		call.body = text;
		call.len = strlen(text);
	}
	e = pager_submit(c, p, n, &call, pg);
	buf_clear(&body);
	if (e != 0) {
		free(pg);
		return e;
	}
	p->sent++;
	p->outstanding++;
	return 0;
}

/* The listing is over when its last page is in: then its end runs. */
static int
pager_finish(struct conn *c, struct pager *p)
{
	int	e = 0;

	if (p->outstanding > 0 || !p->ended)
		return 0;
	if (p->l.end != NULL && c->failed == 0)
		e = p->l.end(c, p->l.arg);
	conn_ref_drop(p->l.ref);
	pager_free(p);
	return e;
}

/*
 * Items of one page; *n counts them. An item given before (the same
 * JSON text: items shifted between two pages) is not handed over twice;
 * a later page made only of such items is a vendor repeating itself.
 */
/* 1 when the page declares a total of exactly 0 items. */
static int
pager_total_zero(const struct pager *p, const struct pcj_doc *d)
{
	int64_t	total;

	return p->total != NULL && pcj_int64(d, pager_path(d, pcj_root(d),
	    p->total), &total) == 0 && total == 0;
}

static int
pager_items(struct conn *c, struct pager *p, const struct pager_page *pg,
    const struct pcj_doc *d, unsigned *n)
{
	int		 arr = p->items != NULL ? pager_path(d, pcj_root(d),
			    p->items) : pcj_root(d), i, e;
	unsigned	 again = 0;
	const char	*raw;
	size_t		 len;

	*n = 0;
	/* RFC 7644 3.4.2: Resources is REQUIRED only if totalResults > 0. */
	if (arr < 0 && p->l.kind == PAGER_SCIM && pager_total_zero(p, d))
		return 0;
	if (pcj_type(d, arr) != PCJ_ARRAY)
		return conn_fail(c, PC_E_VALUE, "%s %s: a page without \"%s\"",
		    c->app->name, p->path, p->items != NULL ? p->items : "[]");
	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i)) {
		(*n)++;
		if (pcj_type(d, i) != PCJ_OBJECT)
			continue;
		if ((raw = pcj_raw(d, i, &len)) != NULL &&
		    pager_item_seen(p, pager_hash((const uint8_t *)raw, len))) {
			again++;
			continue;
		}
		if ((e = p->l.item(c, d, i, p->l.arg)) != 0) {
			if (e == PC_E_LIMIT && c->failed == 0)
				return conn_fail(c, e, "%s %s: page %u: more "
				    "records than max-records (%lu) allows: the "
				    "listing does not end", c->app->name, p->path,
				    pg->n, c->f->max_records);
			return e;
		}
	}
	if (pg->n > 1 && *n > 0 && again == *n)
		return conn_fail(c, PC_E_VALUE, "%s %s: page %u holds only items "
		    "of earlier pages: the listing does not end", c->app->name,
		    p->path, pg->n);
	return 0;
}

/* Known page count: ask for the next pages, at most a window at once. */
static int
pager_fan_out(struct conn *c, struct pager *p)
{
	int	e;

	while (p->sent < p->npages && p->outstanding < pager_window(c)) {
		long long start = p->l.kind == PAGER_SCIM ?
		    1 + (long long)p->sent * p->step : 0;

		if ((e = pager_ask(c, p, p->sent + 1, start, NULL)) != 0)
			return e;
	}
	if (p->sent >= p->npages)
		p->ended = 1;
	return 0;
}

/* Numbered and SCIM pages: the first one tells how many there are. */
static int
pager_counted(struct conn *c, struct pager *p, const struct pager_page *pg,
    const struct pcj_doc *d, unsigned got)
{
	int64_t	total = -1;

	if (pg->n == 1) {
		if (p->total == NULL || pcj_int64(d, pager_path(d, pcj_root(d),
		    p->total), &total) != 0 || total < 0)
			total = -1;
		p->step = p->l.kind == PAGER_SCIM && got > 0 &&
		    got < p->l.per_page ? got : p->l.per_page;
		if (total >= 0) {
			p->npages = (total + p->step - 1) / p->step;
			if (p->npages > PAGER_PAGES_MAX)
				return conn_fail(c, PC_E_LIMIT, "%s %s: declares "
				    "%lld items, more than %d pages", c->app->name,
				    p->path, (long long)total, PAGER_PAGES_MAX);
			return pager_fan_out(c, p);
		}
	}
	if (p->npages >= 0 && got == 0 && pg->n > 1) {
		/* An empty page before the declared last: the total was
		 * wrong (or items went meanwhile); no later page has any. */
		if (p->sent < p->npages)
			fetch_log(c->f, LOG_L_INFO, "%s %s: page %u is empty; "
			    "%lld declared pages not asked for", c->app->name,
			    p->path, pg->n, p->npages - (long long)p->sent);
		p->npages = p->sent;
		p->ended = 1;
		return 0;
	}
	if (p->npages >= 0)
		return pager_fan_out(c, p);
	/* No total: page after page until a short one. */
	if (got < p->l.per_page || got == 0) {
		p->ended = 1;
		return 0;
	}
	return pager_ask(c, p, pg->n + 1, p->l.kind == PAGER_SCIM ?
	    pg->start + got : 0, NULL);
}

/* Cursor pages: the next one only when the vendor names it. */
static int
pager_cursor(struct conn *c, struct pager *p, const struct pager_page *pg,
    const struct pcj_doc *d)
{
	char	cur[4096];
	int	v = pager_path(d, pcj_root(d), p->next);

	if (v < 0 || pcj_type(d, v) == PCJ_NULL) {
		p->ended = 1;
		return 0;
	}
	if (pcj_str(d, v, cur, sizeof(cur), NULL, PCJ_STR_ID) != 0 ||
	    cur[0] == '\0')
		return conn_fail(c, PC_E_VALUE, "%s %s: page %u: \"%s\" is not "
		    "a cursor", c->app->name, p->path, pg->n, p->next);
	if (pager_seen(p, pager_hash((const uint8_t *)cur, strlen(cur))))
		return conn_fail(c, PC_E_VALUE, "%s %s: page %u repeats a "
		    "cursor: the listing does not end", c->app->name, p->path,
		    pg->n);
	return pager_ask(c, p, pg->n + 1, 0, cur);
}

/* The start= of a next link's query, or -1 (only that is taken from it). */
static long long
pager_link_start(const char *link)
{
	const char	*q = strchr(link, '?');
	long long	 n = 0;
	int		 digits = 0;

	while (q != NULL) {
		q++;
		if (strncmp(q, "start=", 6) == 0) {
			for (q += 6; *q >= '0' && *q <= '9' && n < PAGER_START_MAX;
			    q++, digits++)
				n = n * 10 + (*q - '0');
			return digits > 0 && (*q == '\0' || *q == '&') &&
			    n < PAGER_START_MAX ? n : -1;
		}
		q = strchr(q, '&');
	}
	return -1;
}

/*
 * Offset pages: on while the vendor links a next page and gave items.
 * The next start is the link's (a server that filters a page after
 * cutting it, as Confluence does for spaces, links past what it gave),
 * else where this page ended (the server caps limit). The request is
 * always ours: a link's host and path are never followed.
 */
static int
pager_offset(struct conn *c, struct pager *p, const struct pager_page *pg,
    const struct pcj_doc *d, unsigned got)
{
	char		 link[2048];
	int		 v = pager_path(d, pcj_root(d), p->next);
	long long	 next;

	if (v < 0 || pcj_type(d, v) != PCJ_STRING || got == 0) {
		p->ended = 1;
		return 0;
	}
	if (pcj_str(d, v, link, sizeof(link), NULL, PCJ_STR_ID) != 0 ||
	    (next = pager_link_start(link)) < 0)
		next = pg->start + got;
	if (next <= pg->start)
		return conn_fail(c, PC_E_VALUE, "%s %s: page %u: \"%s\" does not "
		    "move forward: the listing does not end", c->app->name,
		    p->path, pg->n, p->next);
	return pager_ask(c, p, pg->n + 1, next, NULL);
}

/* Items on a page, before any is handed over (empty pages may repeat). */
static unsigned
pager_count(const struct pager *p, const struct pcj_doc *d)
{
	return pcj_count(d, p->items != NULL ? pager_path(d, pcj_root(d),
	    p->items) : pcj_root(d));
}

/*
 * The next pages are asked for before this page's items are handed over,
 * so they go out ahead of the jobs the items start (a user's roles, a
 * group's members): the next page of a sequential listing does not wait
 * behind a page's worth of jobs while the other slots run dry at its end.
 * The count is the page's array as pager_items walks it; if an item then
 * fails, the run fails and the page asked for is abandoned unsent.
 */
static int
pager_next(struct conn *c, struct pager *p, const struct pager_page *pg,
    const struct pcj_doc *d)
{
	unsigned	got = pager_count(p, d);

	switch (p->l.kind) {
	case PAGER_NUMBERED:
	case PAGER_SCIM:
		return pager_counted(c, p, pg, d, got);
	case PAGER_OFFSET:
		return pager_offset(c, p, pg, d, got);
	default:
		return pager_cursor(c, p, pg, d);
	}
}

static int
pager_on_page(struct conn *c, struct conn_resp *r, void *arg)
{
	struct pager_page	*pg = arg;
	struct pager		*p = pg->p;
	unsigned		 got = 0;
	int			 e = 0;

	p->outstanding--;
	if (r == NULL) {		/* abandoned: the run failed */
		free(pg);
		p->ended = 1;
		(void)pager_finish(c, p);
		return 0;
	}
	p->pages++;
	if (r->r.status >= 200 && r->r.status <= 299 && !r->parsed)
		e = conn_fail(c, PC_E_VALUE, "%s %s: page %u is not JSON "
		    "(Content-Type \"%.64s\")", c->app->name, p->path, pg->n,
		    r->r.ctype);
	else if ((r->r.status < 200 || r->r.status > 299) && pg->n == 1 &&
	    p->pages == 1 && p->l.miss != NULL && p->l.miss(c, r, p->l.arg))
		p->ended = 1;		/* nothing there: end still runs */
	else if (r->r.status < 200 || r->r.status > 299)
		e = conn_fail(c, PC_E_REMOTE, "%s", c->last[0] ? c->last :
		    "a page that failed");
	else if (pager_count(p, &r->doc) > 0 &&
	    pager_seen(p, pager_hash(r->r.body.p, r->r.body.len)))
		e = conn_fail(c, PC_E_VALUE, "%s %s: page %u repeats an earlier "
		    "page: the listing does not end", c->app->name, p->path,
		    pg->n);
	else if ((e = pager_next(c, p, pg, &r->doc)) == 0)
		e = pager_items(c, p, pg, &r->doc, &got);
	free(pg);
	if (e != 0)
		p->ended = 1;
	if (e == 0)
		e = pager_finish(c, p);
	else
		(void)pager_finish(c, p);
	return e;
}

int
pager_list(struct conn *c, const struct pager_list *l)
{
	struct pager	*p;
	int		 e;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	p->l = *l;
	p->npages = -1;
	if ((p->path = pager_dup(l->path)) == NULL ||
	    (l->accept && (p->accept = pager_dup(l->accept)) == NULL) ||
	    (l->cred && (p->cred = pager_dup(l->cred)) == NULL) ||
	    (l->items && (p->items = pager_dup(l->items)) == NULL) ||
	    (l->total && (p->total = pager_dup(l->total)) == NULL) ||
	    (l->next && (p->next = pager_dup(l->next)) == NULL) ||
	    (l->body && (p->body = pager_dup(l->body)) == NULL) ||
	    (l->ctype && (p->ctype = pager_dup(l->ctype)) == NULL)) {
		pager_free(p);
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	}
	conn_ref_hold(l->ref);
	if ((e = pager_ask(c, p, 1, l->kind == PAGER_SCIM ? 1 : 0, NULL)) != 0) {
		conn_ref_drop(l->ref);
		pager_free(p);
	}
	return e;
}
