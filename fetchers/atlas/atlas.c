/*
 * Runs in: the Atlas fetcher (sandboxed). Input: Atlas responses relayed
 * by the broker (untrusted JSON, read through pcj only) and the task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atlas.h"
#include "log.h"

/* Baton's slugs for Atlas roles (baton-connectors.md, section 1.6). */
static const char *const atlas_org_map[][2] = {
	{ "ORG_OWNER",			"owner" },
	{ "ORG_GROUP_CREATOR",		"project-creator" },
	{ "ORG_BILLING_ADMIN",		"billing-admin" },
	{ "ORG_BILLING_READ_ONLY",	"billing-viewer" },
	{ "ORG_READ_ONLY",		"read-only" },
	{ "ORG_MEMBER",			"member" },
};

static const char *const atlas_project_map[][2] = {
	{ "GROUP_OWNER",			"owner" },
	{ "GROUP_CLUSTER_MANAGER",		"cluster-manager" },
	{ "GROUP_STREAM_PROCESSING_OWNER",	"group-stream-processing-owner" },
	{ "GROUP_DATA_ACCESS_ADMIN",		"data-access-admin" },
	{ "GROUP_DATA_ACCESS_READ_WRITE",	"data-access-read-and-write" },
	{ "GROUP_DATA_ACCESS_READ_ONLY",	"data-access-read-only" },
	{ "GROUP_READ_ONLY",			"read-only" },
	{ "GROUP_SEARCH_INDEX_EDITOR",		"search-index-editor" },
	{ "GROUP_BACKUP_MANAGER",		"group-backup-manager" },
	{ "GROUP_OBSERVABILITY_VIEWER",		"group-observability-viewer" },
	{ "GROUP_DATABASE_ACCESS_ADMIN",	"group-database-access-admin" },
};

const char *const atlas_org_roles[] = { "ORG_OWNER", "ORG_GROUP_CREATOR",
    "ORG_BILLING_ADMIN", "ORG_BILLING_READ_ONLY", "ORG_READ_ONLY",
    "ORG_MEMBER", NULL };
const char *const atlas_project_roles[] = { "GROUP_OWNER",
    "GROUP_CLUSTER_MANAGER", "GROUP_STREAM_PROCESSING_OWNER",
    "GROUP_DATA_ACCESS_ADMIN", "GROUP_DATA_ACCESS_READ_WRITE",
    "GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY",
    "GROUP_SEARCH_INDEX_EDITOR", "GROUP_BACKUP_MANAGER",
    "GROUP_OBSERVABILITY_VIEWER", "GROUP_DATABASE_ACCESS_ADMIN", NULL };
/* Roles scoped to one database: shown on that database only. */
const char *const atlas_db_roles[] = { "read", "readWrite", "dbAdmin", NULL };
/* Roles on `admin` (any-database roles): shown on the project. */
const char *const atlas_admin_roles[] = { "atlasAdmin", "readAnyDatabase",
    "readWriteAnyDatabase", "dbAdminAnyDatabase", "clusterMonitor",
    "backup", "enableSharding", "read", "readWrite", "dbAdmin", NULL };

#define NMAP(m)	(sizeof(m) / sizeof((m)[0]))

static const char *
atlas_map(const char *const (*m)[2], size_t n, const char *key, int from)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i][from], key) == 0)
			return m[i][!from];
	return NULL;
}

const char *
atlas_org_role_slug(const char *role)
{
	return atlas_map(atlas_org_map, NMAP(atlas_org_map), role, 0);
}

const char *
atlas_org_role_name(const char *slug)
{
	return atlas_map(atlas_org_map, NMAP(atlas_org_map), slug, 1);
}

const char *
atlas_project_role_slug(const char *role)
{
	return atlas_map(atlas_project_map, NMAP(atlas_project_map), role, 0);
}

const char *
atlas_project_role_name(const char *slug)
{
	return atlas_map(atlas_project_map, NMAP(atlas_project_map), slug, 1);
}

void
atlas_resp_init(struct atlas_resp *ar)
{
	memset(ar, 0, sizeof(*ar));
	fetch_resp_init(&ar->r);
}

void
atlas_resp_clear(struct atlas_resp *ar)
{
	if (ar->parsed)
		pcj_free(&ar->doc);
	ar->parsed = 0;
	fetch_resp_clear(&ar->r);
}

const char *
atlas_str(const struct pcj_doc *d, int obj, const char *key, char *dst,
    size_t dstsz)
{
	int	v = pcj_get(d, obj, key);

	if (v < 0 || pcj_type(d, v) != PCJ_STRING ||
	    pcj_str(d, v, dst, dstsz, NULL, PCJ_STR_ID) != 0)
		dst[0] = '\0';
	return dst;
}

int
atlas_hexid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return i == 24;
}

int
atlas_errcode_is(const struct atlas_resp *ar, const char *code)
{
	char	c[128];

	if (!ar->parsed)
		return 0;
	return strcmp(atlas_str(&ar->doc, pcj_root(&ar->doc), "errorCode", c,
	    sizeof(c)), code) == 0;
}

static void
atlas_sleep(unsigned secs)
{
	struct timespec	ts = { (time_t)secs, 0 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Seconds to wait before retrying: Retry-After, else 1, 2, 4... */
static unsigned
atlas_wait(const struct fetch_resp *r, unsigned attempt)
{
	char		*end;
	unsigned long	 v;
	unsigned	 back = 1U << (attempt < 6 ? attempt : 6);

	if (r->retry[0] != '\0') {
		v = strtoul(r->retry, &end, 10);
		if (*end == '\0' && v <= ATLAS_BACKOFF_MAX)
			return (unsigned)v;
	}
	return back > ATLAS_BACKOFF_MAX ? ATLAS_BACKOFF_MAX : back;
}

/* Atlas errors: {"detail","error","errorCode","parameters","reason"}. */
static void
atlas_err(struct atlas *a, struct atlas_resp *ar, const char *method,
    const char *path)
{
	char	code[128], detail[300];
	int	root;

	code[0] = detail[0] = '\0';
	if (pcj_parse(&ar->doc, (const char *)ar->r.body.p, ar->r.body.len,
	    NULL) == 0) {
		ar->parsed = 1;
		root = pcj_root(&ar->doc);
		(void)atlas_str(&ar->doc, root, "errorCode", code, sizeof(code));
		(void)atlas_str(&ar->doc, root, "detail", detail,
		    sizeof(detail));
	}
	(void)fetch_fmt(a->err, sizeof(a->err), "Atlas %s %s: HTTP %u%s%s%s%s",
	    method, path, ar->r.status, code[0] ? " " : "", code,
	    detail[0] ? ": " : "", detail);
}

static int
atlas_parse(struct atlas *a, struct atlas_resp *ar)
{
	int	e;

	if (ar->r.body.len == 0 || strstr(ar->r.ctype, "json") == NULL)
		return 0;
	if ((e = pcj_parse(&ar->doc, (const char *)ar->r.body.p,
	    ar->r.body.len, NULL)) != 0) {
		(void)fetch_fmt(a->err, sizeof(a->err), "Atlas response: offset "
		    "%zu: %s", ar->doc.off, ar->doc.why ? ar->doc.why :
		    err_str(e));
		return e;
	}
	ar->parsed = 1;
	return 0;
}

int
atlas_call(struct atlas *a, const char *method, const char *path,
    const char *ver, const struct buf *body, const char *op,
    const char *target, struct atlas_resp *ar)
{
	struct fetch_req	req = { .method = method, .path = path,
				    .accept = ver, .operation = op,
				    .target = target, .slot = a->slot };
	unsigned		attempt;
	int			e;

	if (body != NULL) {
		req.ctype = ver;
		req.body = body->p;
		req.len = body->len;
	}
	for (attempt = 0; attempt < ATLAS_TRIES; attempt++) {
		a->calls++;
		if ((e = fetch_http(a->f, &req, &ar->r)) != 0) {
			(void)fetch_fmt(a->err, sizeof(a->err), "%s %s: %s",
			    method, path, ar->r.err[0] ? ar->r.err :
			    err_str(e));
			return e;
		}
		if (ar->r.status == 429 || ar->r.status >= 500) {
			unsigned w = atlas_wait(&ar->r, attempt);

			fetch_log(a->f, LOG_L_INFO, "Atlas %s %s: HTTP %u, "
			    "retrying in %us", method, path, ar->r.status, w);
			atlas_sleep(w);
			continue;
		}
		if (ar->r.status >= 200 && ar->r.status < 300)
			return atlas_parse(a, ar);
		atlas_err(a, ar, method, path);
		return PC_E_REMOTE;
	}
	atlas_err(a, ar, method, path);
	return PC_E_REMOTE;
}

static int
atlas_page(struct atlas *a, const struct pcj_doc *d, atlas_item_fn fn,
    void *arg, unsigned *n, int64_t *total)
{
	int	root = pcj_root(d), res, i, e;

	*n = 0;
	*total = -1;
	res = pcj_get(d, root, "results");
	if (pcj_type(d, res) != PCJ_ARRAY) {
		(void)fetch_fmt(a->err, sizeof(a->err), "Atlas list without "
		    "\"results\"");
		return PC_E_VALUE;
	}
	if (pcj_int64(d, pcj_get(d, root, "totalCount"), total) != 0)
		*total = -1;
	for (i = pcj_first(d, res); i >= 0; i = pcj_next(d, i)) {
		if (pcj_type(d, i) != PCJ_OBJECT)
			continue;
		if ((e = fn(a, d, i, arg)) != 0)
			return e;
		(*n)++;
	}
	return 0;
}

int
atlas_list(struct atlas *a, const char *path, const char *ver, int count,
    atlas_item_fn fn, void *arg)
{
	struct atlas_resp	ar;
	char			url[MSG_PATH_MAX];
	unsigned		page, n;
	int64_t			total;
	int			e;

	for (page = 1; ; page++) {
		if (snprintf(url, sizeof(url), "%s%citemsPerPage=%d&pageNum=%u"
		    "%s", path, strchr(path, '?') ? '&' : '?', ATLAS_PAGE, page,
		    count ? "&includeCount=true" : "") >= (int)sizeof(url))
			return PC_E_TOOBIG;
		atlas_resp_init(&ar);
		if ((e = atlas_call(a, "GET", url, ver, NULL, NULL, NULL,
		    &ar)) == 0)
			e = ar.parsed ? atlas_page(a, &ar.doc, fn, arg, &n,
			    &total) : PC_E_VALUE;
		atlas_resp_clear(&ar);
		if (e != 0)
			return e;
		/* A short page ends the list, as does reaching totalCount. */
		if (n < ATLAS_PAGE || (total >= 0 &&
		    (int64_t)page * ATLAS_PAGE >= total))
			return 0;
	}
}

static int
atlas_opt_bool(struct fetch *f, const char *key, int dflt)
{
	char	v[16];

	if (fetch_opt(f, key, v, sizeof(v)) == NULL)
		return dflt;
	return strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0;
}

int	atlas_run(struct fetch *);

int
atlas_run(struct fetch *f)
{
	static struct atlas	a;
	int			e;

	memset(&a, 0, sizeof(a));
	a.f = f;
	a.sync_dbs = atlas_opt_bool(f, "enable-sync-databases", 1);
	a.invite = atlas_opt_bool(f, "create-invite-key", 1);
	a.del_read_only = atlas_opt_bool(f,
	    "delete-database-user-with-read-only", 0);
	a.rm_last_role = atlas_opt_bool(f, "remove-org-user-on-last-role", 0);
	switch (f->task.op) {
	case TASK_SYNC:
		e = atlas_sync(&a);
		break;
	case TASK_GRANT:
		e = atlas_grant(&a, 0);
		break;
	case TASK_REVOKE:
		e = atlas_grant(&a, 1);
		break;
	case TASK_CREATE_ACCOUNT:
		e = atlas_create_account(&a);
		break;
	case TASK_DELETE_RESOURCE:
		e = atlas_delete(&a);
		break;
	default:
		fetch_result(f, "operation %u is not supported", f->task.op);
		return PC_E_STATE;
	}
	if (e != 0 && a.err[0] != '\0' && f->result[0] == '\0')
		fetch_result(f, "%s", a.err);
	return e;
}
