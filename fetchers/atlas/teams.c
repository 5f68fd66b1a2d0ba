/*
 * Runs in: the Atlas fetcher. Input: team and team-member pages
 * (untrusted). Team ids are `<orgId>/<teamId>`: provisioning needs both.
 */
#include <stdint.h>
#include <stdio.h>

#include "atlas.h"

static int
atlas_member_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct atlas_id	*t = arg;
	char		 id[64];

	if (!atlas_hexid(conn_str(d, u, "id", id, sizeof(id))))
		return 0;
	return emit_grant(c->f, "team", t->id, "member", "user", id, 0);
}

static int
atlas_team_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_id	*org = arg, *t;
	struct emit_res	 r = { .rtype = "team", .ptype = "organization",
			    .traits = REC_TRAIT_GROUP };
	char		 tid[64], name[512], disp[600], path[256], id[64];
	int		 e;

	if (!atlas_hexid(conn_str(d, o, "id", tid, sizeof(tid))))
		return 0;
	(void)conn_str(d, o, "name", name, sizeof(name));
	(void)fetch_fmt(id, sizeof(id), "%s/%s", org->id, tid);
	(void)fetch_fmt(disp, sizeof(disp), "%s team member", name);
	r.id = id;
	r.pid = org->id;
	r.name = name[0] ? name : tid;
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_grant(c->f, "organization", org->id, "team", "team", id,
	    REC_F_IMMUTABLE)) != 0 ||
	    (e = emit_ent(c->f, "team", id, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "user", NULL)) != 0)
		return e;
	if ((t = atlas_id_new(c, id, org->id)) == NULL)
		return PC_E_NOMEM;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/%s/"
	    "users", org->id, tid);
	/* This operation has no includeCount (api-specs.md section 1.3). */
	return atlas_list(c, path, ATLAS_V2025, 0, atlas_member_item, NULL, t,
	    &t->ref);
}

int
atlas_teams_sync(struct conn *c, struct atlas_id *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams",
	    org->id);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_team_item, NULL, org,
	    &org->ref);
}
