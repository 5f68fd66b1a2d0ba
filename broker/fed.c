/*
 * Runs in: broker. Input: the request being started (checked by req.c)
 * and the vendor's own answers about its domain restriction (read here
 * with the app's credential, parsed by pcj, bounded).
 *
 * Why the broker reads them itself: the list that must hold is Atlas's,
 * and the fetcher that would report it is the party the check guards
 * against. A fetcher that synced it could leave it out, and a create run
 * is another process anyway. So before an invitation to an org leaves,
 * the broker GETs that org's federation settings and connected-org
 * config (two reads from the descriptor, never from the fetcher), and
 * every e-mail address of the body must be on the approved list when
 * domain restriction is enabled. Unreadable answers refuse the write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "http.h"
#include "log.h"
#include "pcj.h"
#include "text.h"

#define FED_MAX_DOMAINS	(16 * 1024)	/* the approved list joined */

/*
 * 1 when path (before any query) matches pattern segment by segment
 * ('*' one non-empty segment), the first '*' copied into seg.
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
			if (!got && (qn >= segsz || (got = 1,
			    snprintf(seg, segsz, "%.*s", (int)qn, path)) < 0))
				return 0;
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
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return i == 24;
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

/* GET path as the app's credential c; its JSON object into d. */
static int
fed_get(struct breq *r, const char *path, struct http_resp *h,
    struct pcj_doc *d, char *why, size_t whysz)
{
	const struct app_domcheck	*dc = r->a->conf->def->domcheck;
	struct http_req			 q;
	char				 full[BROKER_PATH_MAX];
	int				 e;

	memset(&q, 0, sizeof(q));
	if (snprintf(full, sizeof(full), "%s%s", r->cred->conf->base_path,
	    path) >= (int)sizeof(full))
		return PC_E_TOOBIG;
	q.method = "GET";
	q.path = full;
	q.accept = dc->accept;
	if ((e = http_perform_sync(r->a, r->cred, &q, h)) != 0) {
		(void)snprintf(why, whysz, "GET %s: %s", path, h->err);
		return e;
	}
	if (h->status == 404)
		return 1;
	if (h->status < 200 || h->status > 299) {
		(void)snprintf(why, whysz, "GET %s: HTTP %ld%s", path,
		    h->status, h->status == 403 ? " (the key needs "
		    "Organization Owner)" : "");
		return PC_E_REMOTE;
	}
	if (pcj_parse(d, (const char *)h->body.p, h->body.len, NULL) != 0 ||
	    pcj_type(d, pcj_root(d)) != PCJ_OBJECT) {
		pcj_free(d);
		(void)snprintf(why, whysz, "GET %s: not a JSON object", path);
		return PC_E_VALUE;
	}
	return 0;
}

/*
 * The vendor's approved domains of org into list (comma-joined), or
 * *on = 0 when it restricts nothing (not federated, restriction off).
 */
static int
fed_domains(struct breq *r, const char *org, struct buf *list, int *on,
    char *why, size_t whysz)
{
	const struct app_domcheck	*dc = r->a->conf->def->domcheck;
	struct http_resp		 h;
	struct pcj_doc			 d;
	char				 path[300], fid[64];
	int				 e, v;

	*on = 0;
	http_resp_init(&h);
	if ((e = fed_path(path, sizeof(path), dc->settings, org, "")) != 0 ||
	    (e = fed_get(r, path, &h, &d, why, whysz)) != 0)
		goto out;		/* 1: not federated */
	e = pcj_str(&d, pcj_get(&d, pcj_root(&d), dc->id_key), fid,
	    sizeof(fid), NULL, PCJ_STR_ID) != 0 || !fed_hexid(fid) ?
	    PC_E_VALUE : fed_list(&d, dc->settings_list, list);
	pcj_free(&d);
	if (e != 0) {
		(void)snprintf(why, whysz, "GET %s: no federation id or bad "
		    "%s", path, dc->settings_list);
		goto out;
	}
	if ((e = fed_path(path, sizeof(path), dc->config, fid, org)) != 0 ||
	    (e = fed_get(r, path, &h, &d, why, whysz)) != 0) {
		if (e == 1) {
			(void)snprintf(why, whysz, "GET %s: HTTP 404", path);
			e = PC_E_REMOTE;
		}
		goto out;
	}
	v = pcj_get(&d, pcj_root(&d), dc->flag_key);
	if (v < 0 || pcj_bool(&d, v, on) != 0 ||
	    fed_list(&d, dc->config_list, list) != 0) {
		(void)snprintf(why, whysz, "GET %s: no %s or bad %s", path,
		    dc->flag_key, dc->config_list);
		e = PC_E_VALUE;
	}
	pcj_free(&d);
out:
	http_resp_clear(&h);
	return e == 1 ? 0 : e;
}

int
fed_check(struct breq *r, char *why, size_t whysz)
{
	const struct app_domcheck	*dc = r->a->conf->def->domcheck;
	struct buf			 list;
	const char			*doms;
	char				 org[64], bad[1024];
	int				 e, on;

	if (dc == NULL || strcmp(r->method, dc->method) != 0 ||
	    !fed_match(dc->path, r->path + strlen(r->cred->conf->base_path),
	    org, sizeof(org)))
		return 0;
	if (!fed_hexid(org)) {
		(void)snprintf(why, whysz, "organization id \"%s\" is not an "
		    "id", text_clean(bad, sizeof(bad), org));
		return PC_E_POLICY;
	}
	buf_init(&list, FED_MAX_DOMAINS, 0);
	if ((e = fed_domains(r, org, &list, &on, bad, sizeof(bad))) != 0) {
		(void)snprintf(why, whysz, "cannot read %s's approved domains "
		    "of organization %s (%s)", dc->vendor, org, bad);
		e = PC_E_POLICY;
	} else if (on && ((e = buf_cstr(&list, &doms)) != 0 ||
	    (e = req_domains_check(doms, r->body, r->len, bad,
	    sizeof(bad))) != 0)) {
		(void)snprintf(why, whysz, "e-mail domain \"%s\" is not in "
		    "%s's approved domains of organization %s (domain "
		    "restriction)",
		    text_clean(bad, sizeof(bad), bad), dc->vendor, org);
		e = PC_E_POLICY;
	}
	buf_clear(&list);
	return e;
}
