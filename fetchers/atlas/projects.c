/*
 * Runs in: the Atlas fetcher. Input: project and project-user pages
 * (untrusted). Projects are listed per organization (not GET /groups,
 * which returns every project the key sees, whatever the org).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "atlas.h"

static int
atlas_project_ents(struct atlas *a, const char *gid, const char *name)
{
	char	disp[600], slug[80];
	size_t	i;
	int	e;

	for (i = 0; atlas_project_roles[i] != NULL; i++) {
		const char *s = atlas_project_role_slug(atlas_project_roles[i]);

		(void)fetch_fmt(disp, sizeof(disp), "%s project %s", name, s);
		if ((e = emit_ent(a->f, "project", gid, s, disp,
		    REC_PURPOSE_PERMISSION, "user", atlas_project_roles[i])) != 0)
			return e;
	}
	(void)fetch_fmt(disp, sizeof(disp), "%s project member", name);
	if ((e = emit_ent(a->f, "project", gid, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "database_user", "database users of the "
	    "project")) != 0)
		return e;
	for (i = 0; atlas_admin_roles[i] != NULL; i++) {
		(void)fetch_fmt(slug, sizeof(slug), "admin-%s",
		    atlas_admin_roles[i]);
		(void)fetch_fmt(disp, sizeof(disp), "%s project %s@admin", name,
		    atlas_admin_roles[i]);
		if ((e = emit_ent(a->f, "project", gid, slug, disp,
		    REC_PURPOSE_ASSIGNMENT, "database_user", "database role on "
		    "admin")) != 0)
			return e;
	}
	return 0;
}

static int
atlas_puser_item(struct atlas *a, const struct pcj_doc *d, int u, void *arg)
{
	const char	*gid = arg;
	char		 id[64], role[64];
	int		 roles, i, e;

	if (!atlas_hexid(atlas_str(d, u, "id", id, sizeof(id))))
		return 0;
	roles = pcj_get(d, u, "roles");
	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		const char *slug;

		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0 ||
		    (slug = atlas_project_role_slug(role)) == NULL)
			continue;
		if ((e = emit_grant(a->f, "project", gid, slug, "user", id,
		    0)) != 0)
			return e;
	}
	return 0;
}

static int
atlas_project_item(struct atlas *a, const struct pcj_doc *d, int p,
    void *arg)
{
	struct emit_res		r = { .rtype = "project", .ptype = "organization",
				    .traits = REC_TRAIT_GROUP };
	struct atlas_dbroles	roles = { NULL, 0 };
	const char		*org = arg;
	char			 gid[64], name[512], path[256];
	int			 e;

	if (!atlas_hexid(atlas_str(d, p, "id", gid, sizeof(gid))))
		return 0;
	(void)atlas_str(d, p, "name", name, sizeof(name));
	r.id = gid;
	r.pid = org;
	r.name = name[0] ? name : gid;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/users", gid);
	if ((e = emit_resource(a->f, &r)) != 0 ||
	    (e = emit_grant(a->f, "organization", org, "project", "project",
	    gid, REC_F_IMMUTABLE)) != 0 ||
	    (e = atlas_project_ents(a, gid, r.name)) != 0 ||
	    (e = atlas_list(a, path, ATLAS_V2025, 1, atlas_puser_item,
	    gid)) != 0 ||
	    (e = atlas_dbusers_sync(a, gid, &roles)) != 0)
		goto out;
	e = atlas_clusters_sync(a, gid, &roles);
out:
	free(roles.r);
	return e;
}

int
atlas_projects_sync(struct atlas *a, const char *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/groups", org);
	return atlas_list(a, path, ATLAS_V2023, 1, atlas_project_item,
	    (void *)(uintptr_t)org);
}
