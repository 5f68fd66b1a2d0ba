/*
 * Runs in: the Atlas fetcher. Input: GET /orgs pages (untrusted). Each
 * organization brings its role entitlements, then its users, teams,
 * projects, API keys and federation, listed side by side.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atlas.h"

static int
atlas_org_ents(struct conn *c, const char *org, const char *name)
{
	char	disp[600];
	size_t	i;
	int	e;

	for (i = 0; atlas_org_roles[i] != NULL; i++) {
		const char *slug = atlas_org_role_slug(atlas_org_roles[i]);

		(void)fetch_fmt(disp, sizeof(disp), "%s organization %s", name,
		    slug);
		if ((e = emit_ent(c->f, "organization", org, slug, disp,
		    REC_PURPOSE_PERMISSION, "user,org_api_key",
		    atlas_org_roles[i])) != 0)
			return e;
	}
	/* Distinct slugs: baton reused "member" and "part" here. */
	(void)fetch_fmt(disp, sizeof(disp), "%s organization team", name);
	if ((e = emit_ent(c->f, "organization", org, "team", disp,
	    REC_PURPOSE_ASSIGNMENT, "team", "teams of the organization")) != 0)
		return e;
	(void)fetch_fmt(disp, sizeof(disp), "%s organization project", name);
	return emit_ent(c->f, "organization", org, "project", disp,
	    REC_PURPOSE_ASSIGNMENT, "project", "projects of the organization");
}

static int
atlas_org_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct emit_res	 r = { .rtype = "organization" };
	struct atlas_id	*org;
	char		 id[64], name[512];
	int		 e;

	(void)arg;
	if (!atlas_hexid(conn_str(d, o, "id", id, sizeof(id))))
		return 0;
	(void)conn_str(d, o, "name", name, sizeof(name));
	r.id = id;
	r.name = name[0] ? name : id;
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = atlas_org_ents(c, id, r.name)) != 0)
		return e;
	if ((org = atlas_id_new(c, id, id)) == NULL)
		return PC_E_NOMEM;
	/* Held while this item queues its listings: the last drop frees. */
	conn_ref_hold(&org->ref);
	if ((e = atlas_users_sync(c, org)) == 0 &&
	    (e = atlas_teams_sync(c, org)) == 0 &&
	    (e = atlas_projects_sync(c, org)) == 0 &&
	    (e = atlas_apikeys_sync(c, org)) == 0)
		e = atlas_federation_sync(c, org);
	conn_ref_drop(&org->ref);
	return e;
}

int
atlas_orgs_sync(struct conn *c)
{
	return atlas_list(c, "/api/atlas/v2/orgs", ATLAS_V2023, 1,
	    atlas_org_item, NULL, NULL, NULL);
}

/*
 * A key's roles: each names its organization (orgId) or one of its
 * projects (groupId). A role on another organization is not this one's
 * to show; a project of another organization has no entitlement here.
 */
static int
atlas_apikey_roles(struct conn *c, const struct pcj_doc *d, int k,
    const char *org, const char *id)
{
	char		 role[64], oid[64], gid[64];
	const char	*slug;
	int		 i, e;

	for (i = pcj_first(d, pcj_get(d, k, "roles")); i >= 0;
	    i = pcj_next(d, i)) {
		(void)conn_str(d, i, "roleName", role, sizeof(role));
		(void)conn_str(d, i, "orgId", oid, sizeof(oid));
		(void)conn_str(d, i, "groupId", gid, sizeof(gid));
		if (atlas_hexid(gid) && (slug = atlas_project_role_slug(role)))
			e = emit_grant(c->f, "project", gid, slug,
			    "org_api_key", id, 0);
		else if (gid[0] == '\0' && strcmp(oid, org) == 0 &&
		    (slug = atlas_org_role_slug(role)) != NULL)
			e = emit_grant(c->f, "organization", org, slug,
			    "org_api_key", id, 0);
		else
			continue;
		if (e != 0)
			return e;
	}
	return 0;
}

static int
atlas_apikey_item(struct conn *c, const struct pcj_doc *d, int k, void *arg)
{
	struct atlas_id	*org = arg;
	struct emit_res	 r = { .rtype = "org_api_key", .ptype = "organization",
			    .traits = REC_TRAIT_SECRET };
	char		 id[64], desc[256], pub[64];
	int		 e;

	r.pid = org->id;
	if (!atlas_hexid(conn_str(d, k, "id", id, sizeof(id))))
		return 0;
	(void)conn_str(d, k, "desc", desc, sizeof(desc));
	(void)conn_str(d, k, "publicKey", pub, sizeof(pub));
	r.id = id;
	r.name = desc[0] ? desc : pub[0] ? pub : id;
	r.desc = pub;
	r.detail = "mongodb.org_api_key";
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	return atlas_apikey_roles(c, d, k, org->id, id);
}

int
atlas_apikeys_sync(struct conn *c, struct atlas_id *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/apiKeys",
	    org->id);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_apikey_item, NULL, org,
	    &org->ref);
}
