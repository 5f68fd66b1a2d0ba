/*
 * Runs in: the Atlas fetcher (sandboxed). Input: Atlas responses relayed
 * by the broker (untrusted JSON, read through pcj only) and the task.
 * The connector's descriptor, its error envelope, role tables, and the
 * call and listing shapes of the Admin API v2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "grammar.h"

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

int
atlas_hexid(const char *s)
{
	return gram_hexid_ok(s, 24);
}

int
atlas_errcode_is(const struct conn_resp *r, const char *code)
{
	char	c[128];

	if (!r->parsed)
		return 0;
	return strcmp(conn_str(&r->doc, pcj_root(&r->doc), "errorCode", c,
	    sizeof(c)), code) == 0;
}

/* ApiError: {"detail","error","errorCode","parameters","reason"}. */
static void
atlas_error(const struct conn_resp *r, char *line, size_t linesz)
{
	char	code[128], detail[300];
	int	root;

	if (!r->parsed) {
		line[0] = '\0';
		return;
	}
	root = pcj_root(&r->doc);
	(void)conn_str(&r->doc, root, "errorCode", code, sizeof(code));
	(void)conn_str(&r->doc, root, "detail", detail, sizeof(detail));
	(void)fetch_fmt(line, linesz, "%s%s%s", code, code[0] && detail[0] ?
	    ": " : "", detail);
}

int
atlas_call(struct conn *c, const char *method, const char *path,
    const char *ver, const struct buf *body, const char *op,
    const char *target, struct conn_resp *r)
{
	return conn_json(c, method, path, ver, NULL, body, op, target, r);
}

int
atlas_list(struct conn *c, const char *path, const char *ver, int count,
    pager_item_fn item, pager_end_fn end, void *arg, struct conn_ref *ref)
{
	struct pager_list	l = { .kind = PAGER_NUMBERED, .path = path,
				    .accept = ver, .items = "results",
				    .per_page = ATLAS_PAGE, .item = item,
				    .end = end, .arg = arg, .ref = ref };

	/* Only some operations take includeCount (api-specs.md 1.3). */
	if (count)
		l.total = "totalCount";
	return pager_list(c, &l);
}

static void
atlas_id_release(void *obj)
{
	free(obj);
}

struct atlas_id *
atlas_id_new(struct conn *c, const char *id, const char *org)
{
	struct atlas_id	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		(void)conn_fail(c, PC_E_NOMEM, "out of memory");
		return NULL;
	}
	(void)fetch_fmt(x->id, sizeof(x->id), "%s", id);
	(void)fetch_fmt(x->org, sizeof(x->org), "%s", org);
	x->ref.release = atlas_id_release;
	x->ref.obj = x;
	return x;
}

static int
atlas_start(struct conn *c)
{
	static struct atlas	a;

	/* Fresh per task (and per fuzz input): no federation shown yet. */
	memset(&a, 0, sizeof(a));
	a.sync_dbs = conn_opt_bool(c, "enable-sync-databases", 1);
	a.invite = conn_opt_bool(c, "create-invite-key", 1);
	a.del_read_only = conn_opt_bool(c,
	    "delete-database-user-with-read-only", 0);
	a.rm_last_role = conn_opt_bool(c, "remove-org-user-on-last-role", 0);
	c->vendor = &a;
	return 0;
}

static const struct kit_grant atlas_grants[] = {
	{ "organization",	atlas_org_grant },
	{ "team",		atlas_team_grant },
	{ "project",		atlas_project_grant },
	{ "database",		atlas_dbrole_grant },
	{ NULL,			NULL }
};

const struct conn_def atlas_def = {
	.app = "atlas",
	.error = atlas_error,
	.start = atlas_start,
	.sync = atlas_sync,
	.grants = atlas_grants,
	.create = atlas_create_account,
	.remove = atlas_delete,
};
