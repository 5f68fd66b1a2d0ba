/*
 * Runs in: the Atlas fetcher. Input: cluster and database pages
 * (untrusted). A database shows read, readWrite and dbAdmin held on it
 * by name; baton showed every role of the project on every database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

/* A cluster whose databases are being listed; it holds its project. */
struct atlas_cl {
	struct conn_ref		 ref;
	struct atlas_proj	*p;
	char			 cid[300];	/* <gid>/<name> */
};

static int
atlas_db_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_cl		*cl = arg;
	struct emit_res		 r = { .rtype = "database",
				    .ptype = "mongo_cluster",
				    .traits = REC_TRAIT_APP };
	char			 db[128], id[512], disp[300];
	size_t			 i;
	int			 e;

	if (conn_str(d, o, "databaseName", db, sizeof(db))[0] == '\0' ||
	    strchr(db, '/') != NULL || strchr(db, ':') != NULL)
		return 0;
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

		if (strcmp(x->db, db) != 0)
			continue;
		if ((e = emit_grant(c->f, "database", id, x->role,
		    "database_user", x->user, 0)) != 0)
			return e;
	}
	return 0;
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

	conn_ref_drop(&cl->p->ref);
	free(cl);
}

static int
atlas_cluster_dbs(struct conn *c, struct atlas_proj *p, const char *cid,
    const char *name, const struct pcj_doc *d, int o)
{
	struct atlas_cl	*cl;
	char		 std[1024], proc[300], seg[400], path[600];
	int		 cs = pcj_get(d, o, "connectionStrings");

	if (atlas_process_id(conn_str(d, cs, "standard", std, sizeof(std)),
	    proc, sizeof(proc)) != 0 || jw_path_seg(seg, sizeof(seg),
	    proc) != 0) {
		fetch_log(c->f, 1, "cluster %s: no process to list databases "
		    "from", name);
		return 0;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	cl->p = p;
	conn_ref_hold(&p->ref);
	(void)fetch_fmt(cl->cid, sizeof(cl->cid), "%s", cid);
	cl->ref.release = atlas_cl_release;
	cl->ref.obj = cl;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/processes/"
	    "%s/databases", p->gid, seg);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_db_item, NULL, cl,
	    &cl->ref);
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
