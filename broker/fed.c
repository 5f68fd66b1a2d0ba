/*
 * Runs in: broker. Input: the write about to start (checked by req.c)
 * and the vendor's own answers about its domain restriction (read here
 * with the app's credential, parsed by pcj, bounded).
 *
 * Why the broker reads them itself: the list that must hold is Atlas's,
 * and the fetcher that would report it is the party the check guards
 * against. A fetcher that synced it could leave it out, and a create run
 * is another process anyway. So before a write that can invite leaves
 * (app_domcheck.guards: an org invitation; a project add, whose org the
 * broker reads first), the broker GETs that org's federation settings
 * and connected-org config (paths from the descriptor, never from the
 * fetcher), and every e-mail address of the body must be on the
 * approved list when domain restriction is enabled. Unreadable answers
 * refuse the write.
 *
 * The reads are requests of the app like the fetcher's: queued at the
 * head, they pass the egress rules here and then the scheduler's rate
 * buckets, Retry-After pauses, max-in-flight and token, and the IP
 * allowlist when they connect; the broker loop never blocks on them.
 * The write waits, held by its read, and goes back to the head when the
 * check lets it (a --dry-run write is then printed, not sent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "grammar.h"
#include "http.h"
#include "log.h"
#include "pcj.h"
#include "text.h"

#define FED_MAX_DOMAINS	(16 * 1024)	/* the approved list joined */
#define FED_TRIES	4		/* a read answered 429/503 */

enum fed_step { FED_OWNER, FED_SETTINGS, FED_CONFIG };

/* A write's check in progress (its own, freed with it). */
struct fed_ck {
	struct broker_app		*a;
	int				 holding;	/* in a->checking */
	enum fed_step			 step;
	int				 tries;
	const struct app_domguard	*g;
	char				 seg[64];	/* org or project */
	char				 org[64], fid[64];
	char				 path[300];	/* of the read */
	struct buf			 list;		/* approved, joined */
};

/*
 * 1 when path (before any query) matches pattern segment by segment
 * ('*' one non-empty segment), the first '*' copied into seg; "" when
 * too long for it (still a match: the caller refuses a bad id, a long
 * one must not slip past the check unguarded).
 */
static int
fed_match(const char *pattern, const char *path, char *seg, size_t segsz)
{
	size_t	pn, qn;
	int	got = 0;

	for (;;) {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++, path++;
		pn = strcspn(pattern, "/");
		qn = strcspn(path, "/?");
		if (pn == 1 && pattern[0] == '*') {
			if (qn == 0)
				return 0;
			if (!got && (got = 1, snprintf(seg, segsz, "%.*s",
			    (int)qn, path)) >= (int)segsz)
				seg[0] = '\0';
		} else if (pn != qn || strncmp(pattern, path, pn) != 0)
			return 0;
		pattern += pn, path += qn;
		if (*pattern == '\0')
			return *path == '\0' || *path == '?';
	}
}

/* A 24-hex Atlas-style id: only such a value goes into a path. */
static int
fed_hexid(const char *s)
{
	return gram_hexid_ok(s, 24);
}

/* A domain as it may stand in the joined list: [A-Za-z0-9.-], bounded. */
static int
fed_domain_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* The strings of array key of the root into b, comma-joined. */
static int
fed_list(const struct pcj_doc *d, const char *key, struct buf *b)
{
	char	s[256];
	size_t	n;
	int	v = pcj_get(d, pcj_root(d), key), i, e;

	if (v < 0)
		return 0;		/* absent: nothing approved by it */
	if (pcj_type(d, v) != PCJ_ARRAY)
		return PC_E_VALUE;
	for (i = pcj_first(d, v); i >= 0; i = pcj_next(d, i)) {
		if (pcj_str(d, i, s, sizeof(s), &n, PCJ_STR_ID) != 0 ||
		    !fed_domain_ok(s, n))
			return PC_E_VALUE;
		if ((e = buf_add(b, s, n)) != 0 ||
		    (e = buf_add(b, ",", 1)) != 0)
			return e;
	}
	return 0;
}

/*
 * tmpl with its "%s" marks replaced by a, then b (ids checked by the
 * caller), into dst: the descriptor's paths are not printf formats.
 */
static int
fed_path(char *dst, size_t dstsz, const char *tmpl, const char *a,
    const char *b)
{
	const char	*arg[2] = { a, b }, *p;
	struct buf	 o;
	size_t		 k = 0;
	int		 e = 0;

	buf_init(&o, dstsz - 1, 0);
	for (p = tmpl; *p != '\0' && e == 0; p++) {
		if (p[0] == '%' && p[1] == 's' && k < 2)
			e = buf_add_str(&o, arg[k++]), p++;
		else
			e = buf_add(&o, p, 1);
	}
	if (e == 0 && o.len < dstsz) {
		memcpy(dst, o.p, o.len);
		dst[o.len] = '\0';
	} else
		e = PC_E_TOOBIG;
	buf_clear(&o);
	return e;
}

/* The guard of write r, its first '*' into seg; NULL when none. */
static const struct app_domguard *
fed_guard(const struct breq *r, char *seg, size_t segsz)
{
	const struct app_domcheck	*dc = r->a->conf->def->domcheck;
	const char			*path;
	size_t				 i;

	if (dc == NULL || !r->write)
		return NULL;
	path = r->path + strlen(r->cred->conf->base_path);
	for (i = 0; i < APP_MAX_DOMGUARDS && dc->guards[i].method != NULL;
	    i++)
		if (strcmp(r->method, dc->guards[i].method) == 0 &&
		    fed_match(dc->guards[i].path, path, seg, segsz))
			return &dc->guards[i];
	return NULL;
}

int
fed_guarded(const struct breq *r)
{
	char	seg[64];

	return fed_guard(r, seg, sizeof(seg)) != NULL;
}

/* The check is over: the app's other requests may start again. */
static void
fed_release(struct fed_ck *k)
{
	if (k->holding) {
		k->holding = 0;
		k->a->checking--;
	}
}

void
fed_free(struct fed_ck *k)
{
	if (k == NULL)
		return;
	fed_release(k);
	buf_clear(&k->list);
	free(k);
}

/* The check lets r go: back to the head, to start in its turn. */
static void
fed_pass(struct breq *r)
{
	fed_release(r->fed);
	r->checked = 1;
	sched_add_front(r);
}

/* Refuse write r (audited, nothing sent): why names the list. */
static void
fed_refuse(struct broker *b, struct breq *r, const char *why)
{
	struct broker_write	w;

	memset(&w, 0, sizeof(w));
	w.method = r->method;
	w.path = r->path;
	w.op = r->op;
	w.target = r->target;
	w.peer = "";
	broker_audit(b, r->a, &w, 0, "-", why, 0);
	(void)broker_refuse(r->a, r->id, PC_E_POLICY, "%s %s refused%s: %s",
	    r->method, r->path, r->dry ? " (dry run)" : "", why);
	req_free(r);
}

/* "cannot read ..." for a read of k that failed with what. */
static void
fed_unreadable(struct broker *b, struct breq *r, const char *what)
{
	const struct fed_ck	*k = r->fed;
	char			 why[1536], c[1024];

	if (k->step == FED_OWNER)
		(void)snprintf(why, sizeof(why), "cannot read the organization "
		    "of project %s, so not %s's approved domains (%s)", k->seg,
		    r->a->conf->def->domcheck->vendor, text_clean(c, sizeof(c),
		    what));
	else
		(void)snprintf(why, sizeof(why), "cannot read %s's approved "
		    "domains of organization %s (%s)",
		    r->a->conf->def->domcheck->vendor, k->org,
		    text_clean(c, sizeof(c), what));
	fed_refuse(b, r, why);
}

/*
 * The read of k's step as a request of the app, at the head of its
 * queue, holding r. Refused by the egress rules: r is refused.
 */
static void
fed_read(struct broker *b, struct breq *r)
{
	const struct app_domcheck	*dc = r->a->conf->def->domcheck;
	struct fed_ck			*k = r->fed;
	struct breq			*q;
	char				 why[600];
	int				 e = 0;

	if (k->step == FED_OWNER)
		e = fed_path(k->path, sizeof(k->path), k->g->owner, k->seg, "");
	else if (k->step == FED_SETTINGS)
		e = fed_path(k->path, sizeof(k->path), dc->settings, k->org,
		    "");
	else
		e = fed_path(k->path, sizeof(k->path), dc->config, k->fid,
		    k->org);
	if (e != 0 || (q = calloc(1, sizeof(*q))) == NULL) {
		fed_unreadable(b, r, err_str(e != 0 ? e : PC_E_NOMEM));
		return;
	}
	q->a = r->a;
	q->cred = r->cred;
	q->id = r->id;
	(void)snprintf(q->method, sizeof(q->method), "GET");
	(void)snprintf(q->accept, sizeof(q->accept), "%s", dc->accept);
	(void)snprintf(q->op, sizeof(q->op), "domain-check");
	(void)snprintf(q->target, sizeof(q->target), "-");
	if (snprintf(q->path, sizeof(q->path), "%s%s",
	    r->cred->conf->base_path, k->path) >= (int)sizeof(q->path)) {
		req_free(q);
		fed_unreadable(b, r, "path too long");
		return;
	}
	if (req_egress_ok(r->a, q, why, sizeof(why)) != 0) {
		req_free(q);
		fed_unreadable(b, r, why);
		return;
	}
	q->parent = r;
	sched_add_front(q);
}

void
fed_start(struct broker *b, struct breq *r)
{
	struct fed_ck	*k;
	char		 c[128];

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		fed_refuse(b, r, "out of memory for the domain check");
		return;
	}
	r->fed = k;
	k->a = r->a;
	k->holding = 1;		/* nothing of the app overtakes the write */
	r->a->checking++;
	buf_init(&k->list, FED_MAX_DOMAINS, 0);
	k->g = fed_guard(r, k->seg, sizeof(k->seg));
	if (k->g == NULL || !fed_hexid(k->seg)) {
		char	why[300];

		(void)snprintf(why, sizeof(why), "%s id \"%s\" is not an id",
		    k->g != NULL && k->g->owner != NULL ? "project" :
		    "organization", text_clean(c, sizeof(c), k->seg));
		fed_refuse(b, r, why);
		return;
	}
	k->step = k->g->owner != NULL ? FED_OWNER : FED_SETTINGS;
	if (k->g->owner == NULL)
		(void)snprintf(k->org, sizeof(k->org), "%s", k->seg);
	fed_read(b, r);
}

/*
 * The answer to k's read into d: 0 with its JSON object, 1 for 404,
 * 2 to ask again (429, 503), PC_E_* with why otherwise.
 */
static int
fed_doc(struct fed_ck *k, int result, const struct http_resp *h,
    struct pcj_doc *d, char *why, size_t whysz)
{
	if (result != 0) {
		(void)snprintf(why, whysz, "GET %s: %s", k->path, h->err);
		return result;
	}
	if ((h->status == 429 || h->status == 503) && ++k->tries < FED_TRIES)
		return 2;
	if (h->status == 404)
		return 1;
	if (h->status < 200 || h->status > 299) {
		(void)snprintf(why, whysz, "GET %s: HTTP %ld%s", k->path,
		    h->status, h->status == 403 ? " (the key needs "
		    "Organization Owner)" : "");
		return PC_E_REMOTE;
	}
	if (pcj_parse(d, (const char *)h->body.p, h->body.len, NULL) != 0 ||
	    pcj_type(d, pcj_root(d)) != PCJ_OBJECT) {
		pcj_free(d);
		(void)snprintf(why, whysz, "GET %s: not a JSON object",
		    k->path);
		return PC_E_VALUE;
	}
	return 0;
}

/* One id of the answer's root (key) into dst; 0 or PC_E_VALUE. */
static int
fed_id(const struct pcj_doc *d, const char *key, char *dst, size_t dstsz)
{
	if (pcj_str(d, pcj_get(d, pcj_root(d), key), dst, dstsz, NULL,
	    PCJ_STR_ID) != 0 || !fed_hexid(dst)) {
		dst[0] = '\0';
		return PC_E_VALUE;
	}
	return 0;
}

/*
 * What k's answer d says: the next step's id (0, step advanced), 1
 * when the org restricts nothing, 2 when the list in k->list holds,
 * PC_E_VALUE with why when d is not what the step reads.
 */
static int
fed_step(const struct app_domcheck *dc, struct fed_ck *k,
    const struct pcj_doc *d, char *why, size_t whysz)
{
	int	v, on = 0;

	switch (k->step) {
	case FED_OWNER:
		if (fed_id(d, k->g->owner_key, k->org, sizeof(k->org)) != 0)
			break;
		k->step = FED_SETTINGS;
		return 0;
	case FED_SETTINGS:
		if (fed_id(d, dc->id_key, k->fid, sizeof(k->fid)) != 0 ||
		    fed_list(d, dc->settings_list, &k->list) != 0)
			break;
		k->step = FED_CONFIG;
		return 0;
	case FED_CONFIG:
		v = pcj_get(d, pcj_root(d), dc->flag_key);
		if (v < 0 || pcj_bool(d, v, &on) != 0 ||
		    fed_list(d, dc->config_list, &k->list) != 0)
			break;
		return on ? 2 : 1;
	}
	(void)snprintf(why, whysz, "GET %s: %s", k->path, k->step ==
	    FED_OWNER ? "no organization id" : k->step == FED_SETTINGS ?
	    "no federation id or bad domain list" : "no restriction flag "
	    "or bad domain list");
	return PC_E_VALUE;
}

/* The approved list holds: every address of r's body must be on it. */
static void
fed_verdict(struct broker *b, struct breq *r)
{
	struct fed_ck	*k = r->fed;
	const char	*doms;
	char		 why[1536], bad[1024], proj[128] = "";
	int		 e;

	if ((e = buf_cstr(&k->list, &doms)) != 0) {
		fed_unreadable(b, r, err_str(e));
		return;
	}
	if (req_domains_check(doms, r->body, r->len, bad, sizeof(bad)) == 0) {
		fed_pass(r);
		return;
	}
	if (k->g->owner != NULL)
		(void)snprintf(proj, sizeof(proj), ", project %s's", k->seg);
	(void)snprintf(why, sizeof(why), "e-mail domain \"%s\" is not in "
	    "%s's approved domains of organization %s (domain restriction%s)",
	    text_clean(bad, sizeof(bad), bad),
	    r->a->conf->def->domcheck->vendor, k->org, proj);
	fed_refuse(b, r, why);
}

/* A 429 or 503 that set no pause (no Retry-After): the app waits a bit. */
static void
fed_backoff(struct breq *r)
{
	long long	now = chan_now_ms();

	if (r->a->paused_until <= now)
		r->a->paused_until = now + 1000LL * r->fed->tries;
}

void
fed_done(struct broker *b, struct breq *q, int result,
    const struct http_resp *h)
{
	const struct app_domcheck	*dc;
	struct breq			*r = q->parent;
	struct pcj_doc			 d;
	char				 why[1024];
	int				 e;

	q->parent = NULL;
	req_free(q);
	if (!r->a->live) {
		req_free(r);		/* nobody to tell */
		return;
	}
	dc = r->a->conf->def->domcheck;
	why[0] = '\0';
	if ((e = fed_doc(r->fed, result, h, &d, why, sizeof(why))) == 2) {
		fed_backoff(r);
		fed_read(b, r);		/* the same read again */
		return;
	}
	if (e == 1 && r->fed->step == FED_SETTINGS) {
		fed_pass(r);		/* not federated: nothing restricts */
		return;
	}
	if (e == 1) {
		/* Any other read's 404 leaves the list unknown: fail closed
		 * (1 is also fed_step's "nothing restricts"). */
		(void)snprintf(why, sizeof(why), "GET %s: HTTP 404",
		    r->fed->path);
		e = PC_E_REMOTE;
	}
	if (e == 0) {
		e = fed_step(dc, r->fed, &d, why, sizeof(why));
		pcj_free(&d);
	}
	if (e == 0)
		fed_read(b, r);
	else if (e == 1)
		fed_pass(r);
	else if (e == 2)
		fed_verdict(b, r);
	else
		fed_unreadable(b, r, why);
}
