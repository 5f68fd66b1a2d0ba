/*
 * Runs in: the Atlas fetcher. Input: cluster and database pages
 * (untrusted). A database shows read, readWrite and dbAdmin and every
 * role held on it by name (baton showed every role of the project on
 * every database), to the users whose scopes reach its cluster. A
 * cluster with no process to ask is a warning, not the sync's end. The
 * clusters are listed beside the project's database users, and each
 * cluster's databases as soon as it is listed; a database is shown once
 * every database user is read (their roles are its grants): until then
 * its name waits in the cluster, and a cluster whose listing ended
 * waits on its project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

#define ATLAS_DBS_MAX	100000	/* databases of one cluster */

/*
 * A cluster whose databases are being listed; it holds its project.
 * dbs: the names listed so far, so a database only role references
 * name is made once, after the listing; the first shown of them are
 * emitted (all of them once the project's users are in). next: on the
 * project's waiting list, which then holds a reference.
 */
struct atlas_cl {
	struct conn_ref		 ref;
	struct atlas_proj	*p;
	struct atlas_cl		*next;
	char			 cid[300];	/* <gid>/<name> */
	char			 name[128];
	char			**dbs;
	size_t			 ndbs;
	size_t			 shown;
};

static int
atlas_cl_has(const struct atlas_cl *cl, const char *db)
{
	size_t	i;

	for (i = 0; i < cl->ndbs; i++)
		if (strcmp(cl->dbs[i], db) == 0)
			return 1;
	return 0;
}

static int
atlas_cl_add(struct atlas_cl *cl, const char *db)
{
	char	**n;

	if (cl->ndbs >= ATLAS_DBS_MAX)
		return PC_E_TOOBIG;
	if ((n = reallocarray(cl->dbs, cl->ndbs + 1, sizeof(*n))) == NULL)
		return PC_E_NOMEM;
	cl->dbs = n;
	if ((n[cl->ndbs] = strdup(db)) == NULL)
		return PC_E_NOMEM;
	cl->ndbs++;
	return 0;
}

/* 1 when slug was met before x among the roles on db this cluster has. */
static int
atlas_slug_before(const struct atlas_cl *cl, const struct atlas_dbrole *x)
{
	const struct atlas_dbrole *y;

	for (y = cl->p->r; y < x; y++)
		if (strcmp(y->db, x->db) == 0 && strcmp(y->slug, x->slug) == 0 &&
		    atlas_dbrole_reaches(y, cl->name))
			return 1;
	return 0;
}

static int
atlas_in_db_roles(const char *slug)
{
	size_t	i;

	for (i = 0; atlas_db_roles[i] != NULL; i++)
		if (strcmp(atlas_db_roles[i], slug) == 0)
			return 1;
	return 0;
}

/*
 * Database db of the cluster: the resource, read, readWrite and dbAdmin,
 * every other role a user holds on it (collection-scoped ones as
 * <role>@<collection>), and the grants of the users who reach it.
 */
static int
atlas_db_emit(struct conn *c, struct atlas_cl *cl, const char *db)
{
	struct emit_res		 r = { .rtype = "database",
				    .ptype = "mongo_cluster",
				    .traits = REC_TRAIT_APP };
	char			 id[512], disp[600];
	size_t			 i;
	int			 e;

	(void)fetch_fmt(id, sizeof(id), "%s/%s", cl->cid, db);
	r.id = id;
	r.pid = cl->cid;
	r.name = db;
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	for (i = 0; atlas_db_roles[i] != NULL; i++) {
		(void)fetch_fmt(disp, sizeof(disp), "%s %s", db,
		    atlas_db_roles[i]);
		if ((e = emit_ent(c->f, "database", id, atlas_db_roles[i], disp,
		    REC_PURPOSE_ASSIGNMENT, "database_user", NULL)) != 0)
			return e;
	}
	for (i = 0; i < cl->p->n; i++) {
		const struct atlas_dbrole *x = &cl->p->r[i];

		if (strcmp(x->db, db) != 0 || !atlas_dbrole_reaches(x, cl->name))
			continue;
		(void)fetch_fmt(disp, sizeof(disp), "%s %s", db, x->slug);
		if (!atlas_in_db_roles(x->slug) && !atlas_slug_before(cl, x) &&
		    (e = emit_ent(c->f, "database", id, x->slug, disp,
		    REC_PURPOSE_ASSIGNMENT, "database_user", strchr(x->slug,
		    '@') ? "database role on one collection" : NULL)) != 0)
			return e;
		if ((e = emit_grant(c->f, "database", id, x->slug,
		    "database_user", x->user, 0)) != 0)
			return e;
	}
	return 0;
}

/* The databases listed and not shown yet, now that the users are in. */
static int
atlas_cl_show(struct conn *c, struct atlas_cl *cl)
{
	int	e;

	for (; cl->shown < cl->ndbs; cl->shown++)
		if ((e = atlas_db_emit(c, cl, cl->dbs[cl->shown])) != 0)
			return e;
	return 0;
}

static int
atlas_db_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_cl		*cl = arg;
	char			 db[128];
	int			 e;

	if (!atlas_name_ok(conn_str(d, o, "databaseName", db, sizeof(db)),
	    sizeof(db)) || atlas_cl_has(cl, db))
		return 0;
	if ((e = atlas_cl_add(cl, db)) != 0)
		return e;
	return cl->p->users_in ? atlas_cl_show(c, cl) : 0;
}

/*
 * The listing is over (or there was none) and the users are in: a
 * database that roles name and the cluster did not list (not created
 * yet, or no process to ask) is made from the references, so every
 * role assignment is shown.
 */
static int
atlas_cl_finish(struct conn *c, struct atlas_cl *cl)
{
	size_t		 i;
	int		 e;

	for (i = 0; i < cl->p->n; i++) {
		const struct atlas_dbrole *x = &cl->p->r[i];

		if (!atlas_dbrole_reaches(x, cl->name) || atlas_cl_has(cl, x->db))
			continue;
		if ((e = atlas_cl_add(cl, x->db)) != 0)
			return e;
	}
	/* Outside a page: the pager cannot name the listing, so we do. */
	if ((e = atlas_cl_show(c, cl)) == PC_E_LIMIT && c->failed == 0)
		return conn_fail(c, e, "atlas cluster %s: its databases: more "
		    "records than max-records (%lu) allows", cl->cid,
		    c->f->max_records);
	return e;
}

/*
 * After the listing: finished now, or held on the project until its
 * database users are in.
 */
static int
atlas_dbs_end(struct conn *c, void *arg)
{
	struct atlas_cl	*cl = arg;

	if (cl->p->users_in)
		return atlas_cl_finish(c, cl);
	conn_ref_hold(&cl->ref);
	cl->next = cl->p->waiting;
	cl->p->waiting = cl;
	return 0;
}

int
atlas_clusters_ready(struct conn *c, struct atlas_proj *p)
{
	struct atlas_cl	*cl;
	int		 e = 0;

	while (e == 0 && (cl = p->waiting) != NULL) {
		p->waiting = cl->next;
		e = atlas_cl_finish(c, cl);
		conn_ref_drop(&cl->ref);
	}
	return e;
}

void
atlas_clusters_unwait(struct atlas_proj *p)
{
	struct atlas_cl	*cl;

	while ((cl = p->waiting) != NULL) {
		p->waiting = cl->next;
		conn_ref_drop(&cl->ref);
	}
}

/* A paused, free-tier or not yet running cluster has no process. */
static int
atlas_dbs_miss(struct conn *c, const struct conn_resp *r, void *arg)
{
	struct atlas_cl	*cl = arg;

	if (r->r.status != 404 || !atlas_errcode_is(r, "PROCESS_NOT_FOUND"))
		return 0;
	fetch_log(c->f, 1, "warning: cluster %s has no monitoring process "
	    "(paused, free tier or not running): its databases are the ones "
	    "its users' roles name", cl->cid);
	return 1;
}

/* The first host:port of "mongodb://h1:27017,h2:27017/?opts". */
static int
atlas_process_id(const char *uri, char *dst, size_t dstsz)
{
	const char	*p = uri, *end;
	size_t		 n;

	if (strncmp(p, "mongodb://", 10) != 0)
		return -1;
	p += 10;
	end = p + strcspn(p, ",/?");
	n = (size_t)(end - p);
	if (n == 0 || n >= dstsz || memchr(p, '@', n) != NULL)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static void
atlas_cl_release(void *obj)
{
	struct atlas_cl	*cl = obj;
	size_t		 i;

	conn_ref_drop(&cl->p->ref);
	for (i = 0; i < cl->ndbs; i++)
		free(cl->dbs[i]);
	free(cl->dbs);
	free(cl);
}

static int
atlas_cluster_dbs(struct conn *c, struct atlas_proj *p, const char *cid,
    const char *name, const struct pcj_doc *d, int o)
{
	struct atlas_cl		*cl;
	struct pager_list	 l = { .kind = PAGER_NUMBERED, .accept = ATLAS_V2023,
				    .items = "results", .total = "totalCount",
				    .per_page = ATLAS_PAGE, .item = atlas_db_item,
				    .end = atlas_dbs_end, .miss = atlas_dbs_miss };
	char			 std[1024], proc[300], seg[400], path[600];
	int			 cs = pcj_get(d, o, "connectionStrings"), e;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	cl->p = p;
	conn_ref_hold(&p->ref);
	(void)fetch_fmt(cl->cid, sizeof(cl->cid), "%s", cid);
	(void)fetch_fmt(cl->name, sizeof(cl->name), "%s", name);
	cl->ref.release = atlas_cl_release;
	cl->ref.obj = cl;
	conn_ref_hold(&cl->ref);
	if (atlas_process_id(conn_str(d, cs, "standard", std, sizeof(std)),
	    proc, sizeof(proc)) != 0 || jw_path_seg(seg, sizeof(seg),
	    proc) != 0) {
		fetch_log(c->f, 1, "warning: cluster %s: no process to list "
		    "databases from", cid);
		e = atlas_dbs_end(c, cl);
	} else {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/"
		    "processes/%s/databases", p->gid, seg);
		l.path = path;
		l.arg = cl;
		l.ref = &cl->ref;
		e = pager_list(c, &l);
	}
	conn_ref_drop(&cl->ref);
	return e;
}

static int
atlas_cluster_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_proj	*p = arg;
	struct emit_res		 r = { .rtype = "mongo_cluster",
				    .ptype = "project", .traits = REC_TRAIT_APP };
	char			 name[128], state[32], cid[300];
	size_t			 i;
	int			 e;

	if (conn_str(d, o, "name", name, sizeof(name))[0] == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '-'))
			return 0;
	(void)conn_str(d, o, "stateName", state, sizeof(state));
	(void)fetch_fmt(cid, sizeof(cid), "%s/%s", p->gid, name);
	r.id = cid;
	r.pid = p->gid;
	r.name = name;
	r.detail = state;
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	if (!ATLAS(c)->sync_dbs || strcmp(state, "DELETING") == 0 ||
	    strcmp(state, "DELETED") == 0)
		return 0;
	return atlas_cluster_dbs(c, p, cid, name, d, o);
}

int
atlas_clusters_sync(struct conn *c, struct atlas_proj *p)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/clusters",
	    p->gid);
	return atlas_list(c, path, ATLAS_V2024, 1, atlas_cluster_item, NULL, p,
	    &p->ref);
}
