/*
 * Runs in: the Atlas fetcher. Input: project, project-user and
 * project-team pages (untrusted). Projects are listed per organization
 * (not GET /groups, which returns every project the key sees, whatever
 * the org). A project's members, teams, custom roles, database users
 * and clusters are listed side by side (each cluster's databases as soon
 * as the cluster is listed): what depends on another listing waits in
 * struct atlas_proj and is emitted when that one is in (the generic
 * entitlement of an admin role after the custom roles, a cluster's
 * databases after the database users, whose roles are their grants). A
 * team's project roles are grants to the team, expandable to its
 * members.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "atlas.h"

static int
atlas_project_ents(struct conn *c, const char *gid, const char *name)
{
	char	disp[600], slug[80];
	size_t	i;
	int	e;

	for (i = 0; atlas_project_roles[i] != NULL; i++) {
		const char *s = atlas_project_role_slug(atlas_project_roles[i]);

		(void)fetch_fmt(disp, sizeof(disp), "%s project %s", name, s);
		if ((e = emit_ent(c->f, "project", gid, s, disp,
		    REC_PURPOSE_PERMISSION, "user,team,org_api_key",
		    atlas_project_roles[i])) != 0)
			return e;
	}
	(void)fetch_fmt(disp, sizeof(disp), "%s project member", name);
	if ((e = emit_ent(c->f, "project", gid, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "database_user", "database users of the "
	    "project")) != 0)
		return e;
	for (i = 0; atlas_admin_roles[i] != NULL; i++) {
		(void)fetch_fmt(slug, sizeof(slug), "admin-%s",
		    atlas_admin_roles[i]);
		(void)fetch_fmt(disp, sizeof(disp), "%s project %s@admin", name,
		    atlas_admin_roles[i]);
		if ((e = emit_ent(c->f, "project", gid, slug, disp,
		    REC_PURPOSE_ASSIGNMENT, "database_user", "database role on "
		    "admin")) != 0)
			return e;
	}
	return 0;
}

static int
atlas_puser_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct atlas_proj	*p = arg;
	char			 id[64], role[64];
	int			 roles, i, e;

	if (!atlas_hexid(conn_str(d, u, "id", id, sizeof(id))))
		return 0;
	roles = pcj_get(d, u, "roles");
	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		const char *slug;

		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0 ||
		    (slug = atlas_project_role_slug(role)) == NULL)
			continue;
		if ((e = emit_grant(c->f, "project", p->gid, slug, "user", id,
		    0)) != 0)
			return e;
	}
	return 0;
}

/*
 * A team's roles on the project: grants to the team, expandable to its
 * members (baton's GrantExpandable): who holds the role through which
 * team is read off the team's member grants.
 */
static int
atlas_pteam_item(struct conn *c, const struct pcj_doc *d, int t, void *arg)
{
	struct atlas_proj	*p = arg;
	char			 tid[64], team[80], via[128], role[64];
	const char		*vias[1] = { via };
	int			 roles, i, e;

	if (!atlas_hexid(conn_str(d, t, "teamId", tid, sizeof(tid))))
		return 0;
	(void)fetch_fmt(team, sizeof(team), "%s/%s", p->org, tid);
	(void)fetch_fmt(via, sizeof(via), "team:%s:member", team);
	roles = pcj_get(d, t, "roleNames");
	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		const char *slug;

		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0 ||
		    (slug = atlas_project_role_slug(role)) == NULL)
			continue;
		if ((e = emit_grant_via(c->f, "project", p->gid, slug, "team",
		    team, vias, 1, 0)) != 0)
			return e;
	}
	return 0;
}

int
atlas_pteams_sync(struct conn *c, struct atlas_proj *p)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/teams",
	    p->gid);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_pteam_item, NULL, p,
	    &p->ref);
}

void
atlas_proj_release(void *obj)
{
	struct atlas_proj	*p = obj;
	size_t			 i;

	for (i = 0; i < p->n; i++)
		free(p->r[i].scopes);
	atlas_names_clear(&p->admin);
	atlas_names_clear(&p->later);
	free(p->r);
	free(p);
}

static int
atlas_project_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_id		*org = arg;
	struct emit_res		 r = { .rtype = "project", .ptype = "organization",
				    .traits = REC_TRAIT_GROUP };
	struct atlas_proj	*p;
	char			 gid[64], name[512], path[256];
	int			 e;

	if (!atlas_hexid(conn_str(d, o, "id", gid, sizeof(gid))))
		return 0;
	(void)conn_str(d, o, "name", name, sizeof(name));
	r.id = gid;
	r.pid = org->id;
	r.name = name[0] ? name : gid;
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_grant(c->f, "organization", org->id, "project",
	    "project", gid, REC_F_IMMUTABLE)) != 0 ||
	    (e = atlas_project_ents(c, gid, r.name)) != 0)
		return e;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	(void)fetch_fmt(p->gid, sizeof(p->gid), "%s", gid);
	(void)fetch_fmt(p->org, sizeof(p->org), "%s", org->id);
	p->ref.release = atlas_proj_release;
	p->ref.obj = p;
	conn_ref_hold(&p->ref);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/users", gid);
	e = atlas_list(c, path, ATLAS_V2025, 1, atlas_puser_item, NULL, p,
	    &p->ref);
	if (e == 0)
		e = atlas_pteams_sync(c, p);
	if (e == 0)
		e = atlas_project_db_sync(c, p);
	conn_ref_drop(&p->ref);
	return e;
}

/*
 * Clusters first: their databases are a second round trip, the longest
 * path of the three; the custom roles, one answer, last.
 */
int
atlas_project_db_sync(struct conn *c, struct atlas_proj *p)
{
	int	e;

	if ((e = atlas_clusters_sync(c, p)) == 0 &&
	    (e = atlas_dbusers_sync(c, p)) == 0)
		e = atlas_customroles_sync(c, p);
	return e;
}

int
atlas_projects_sync(struct conn *c, struct atlas_id *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/groups",
	    org->id);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_project_item, NULL,
	    org, &org->ref);
}
