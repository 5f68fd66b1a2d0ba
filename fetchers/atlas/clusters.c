/*
 * Runs in: the Atlas fetcher. Input: cluster and database pages
 * (untrusted). A database shows read, readWrite and dbAdmin held on it
 * by name; baton showed every role of the project on every database.
 */
#include <stdio.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

struct atlas_cl_ctx {
	const char			*gid;
	const struct atlas_dbroles	*roles;
	const char			*cluster;	/* name */
	char				 cid[300];	/* <gid>/<name> */
};

static int
atlas_db_item(struct atlas *a, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_cl_ctx	*c = arg;
	struct emit_res		 r = { .rtype = "database",
				    .ptype = "mongo_cluster",
				    .traits = REC_TRAIT_APP };
	char			 db[128], id[512], disp[300];
	size_t			 i;
	int			 e;

	if (atlas_str(d, o, "databaseName", db, sizeof(db))[0] == '\0' ||
	    strchr(db, '/') != NULL || strchr(db, ':') != NULL)
		return 0;
	(void)fetch_fmt(id, sizeof(id), "%s/%s", c->cid, db);
	r.id = id;
	r.pid = c->cid;
	r.name = db;
	if ((e = emit_resource(a->f, &r)) != 0)
		return e;
	for (i = 0; atlas_db_roles[i] != NULL; i++) {
		(void)fetch_fmt(disp, sizeof(disp), "%s %s", db,
		    atlas_db_roles[i]);
		if ((e = emit_ent(a->f, "database", id, atlas_db_roles[i], disp,
		    REC_PURPOSE_ASSIGNMENT, "database_user", NULL)) != 0)
			return e;
	}
	for (i = 0; i < c->roles->n; i++) {
		const struct atlas_dbrole *x = &c->roles->r[i];

		if (strcmp(x->db, db) != 0)
			continue;
		if ((e = emit_grant(a->f, "database", id, x->role,
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

static int
atlas_cluster_dbs(struct atlas *a, struct atlas_cl_ctx *c,
    const struct pcj_doc *d, int o)
{
	char	std[1024], proc[300], seg[400], path[600];
	int	cs = pcj_get(d, o, "connectionStrings");

	if (atlas_process_id(atlas_str(d, cs, "standard", std, sizeof(std)),
	    proc, sizeof(proc)) != 0 || jw_path_seg(seg, sizeof(seg),
	    proc) != 0) {
		fetch_log(a->f, 1, "cluster %s: no process to list databases "
		    "from", c->cluster);
		return 0;
	}
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/processes/"
	    "%s/databases", c->gid, seg);
	return atlas_list(a, path, ATLAS_V2023, 1, atlas_db_item, c);
}

static int
atlas_cluster_item(struct atlas *a, const struct pcj_doc *d, int o,
    void *arg)
{
	struct atlas_cl_ctx	*c = arg;
	struct emit_res		 r = { .rtype = "mongo_cluster",
				    .ptype = "project", .traits = REC_TRAIT_APP };
	char			 name[128], state[32];
	size_t			 i;
	int			 e;

	if (atlas_str(d, o, "name", name, sizeof(name))[0] == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '-'))
			return 0;
	(void)atlas_str(d, o, "stateName", state, sizeof(state));
	(void)fetch_fmt(c->cid, sizeof(c->cid), "%s/%s", c->gid, name);
	c->cluster = name;
	r.id = c->cid;
	r.pid = c->gid;
	r.name = name;
	r.detail = state;
	if ((e = emit_resource(a->f, &r)) != 0)
		return e;
	if (!a->sync_dbs || strcmp(state, "DELETING") == 0 ||
	    strcmp(state, "DELETED") == 0)
		return 0;
	return atlas_cluster_dbs(a, c, d, o);
}

int
atlas_clusters_sync(struct atlas *a, const char *gid,
    const struct atlas_dbroles *roles)
{
	struct atlas_cl_ctx	c = { gid, roles, NULL, "" };
	char			path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/clusters",
	    gid);
	return atlas_list(a, path, ATLAS_V2024, 1, atlas_cluster_item, &c);
}
