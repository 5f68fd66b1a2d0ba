/*
 * Runs in: the Atlas fetcher. Input: GET /orgs pages (untrusted). Each
 * organization brings its role entitlements, then its users, teams,
 * projects and API keys, listed side by side.
 */
#include <stdint.h>
#include <stdio.h>

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
		    REC_PURPOSE_PERMISSION, "user", atlas_org_roles[i])) != 0)
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
	    (e = atlas_projects_sync(c, org)) == 0)
		e = atlas_apikeys_sync(c, org);
	conn_ref_drop(&org->ref);
	return e;
}

int
atlas_orgs_sync(struct conn *c)
{
	return atlas_list(c, "/api/atlas/v2/orgs", ATLAS_V2023, 1,
	    atlas_org_item, NULL, NULL, NULL);
}

static int
atlas_apikey_item(struct conn *c, const struct pcj_doc *d, int k, void *arg)
{
	struct atlas_id	*org = arg;
	struct emit_res	 r = { .rtype = "org_api_key", .ptype = "organization",
			    .traits = REC_TRAIT_SECRET };
	char		 id[64], desc[256], pub[64];

	r.pid = org->id;
	if (conn_str(d, k, "id", id, sizeof(id))[0] == '\0')
		return 0;
	(void)conn_str(d, k, "desc", desc, sizeof(desc));
	(void)conn_str(d, k, "publicKey", pub, sizeof(pub));
	r.id = id;
	r.name = desc[0] ? desc : pub[0] ? pub : id;
	r.desc = pub;
	r.detail = "mongodb.org_api_key";
	return emit_resource(c->f, &r);
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
