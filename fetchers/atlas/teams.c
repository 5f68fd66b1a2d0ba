/*
 * Runs in: the Atlas fetcher. Input: team and team-member pages
 * (untrusted). Team ids are `<orgId>/<teamId>`: provisioning needs both.
 */
#include <stdint.h>
#include <stdio.h>

#include "atlas.h"

struct atlas_team {
	const char	*org;
	char		 id[64];	/* <orgId>/<teamId> */
};

static int
atlas_member_item(struct atlas *a, const struct pcj_doc *d, int u, void *arg)
{
	struct atlas_team	*t = arg;
	char			 id[64];

	if (!atlas_hexid(atlas_str(d, u, "id", id, sizeof(id))))
		return 0;
	return emit_grant(a->f, "team", t->id, "member", "user", id, 0);
}

static int
atlas_team_item(struct atlas *a, const struct pcj_doc *d, int o, void *arg)
{
	struct emit_res		r = { .rtype = "team", .ptype = "organization",
				    .traits = REC_TRAIT_GROUP };
	struct atlas_team	t = { arg, "" };
	char			tid[64], name[512], disp[600], path[256];
	int			e;

	if (!atlas_hexid(atlas_str(d, o, "id", tid, sizeof(tid))))
		return 0;
	(void)atlas_str(d, o, "name", name, sizeof(name));
	(void)fetch_fmt(t.id, sizeof(t.id), "%s/%s", t.org, tid);
	(void)fetch_fmt(disp, sizeof(disp), "%s team member", name);
	r.id = t.id;
	r.pid = t.org;
	r.name = name[0] ? name : tid;
	if ((e = emit_resource(a->f, &r)) != 0 ||
	    (e = emit_grant(a->f, "organization", t.org, "team", "team", t.id,
	    REC_F_IMMUTABLE)) != 0 ||
	    (e = emit_ent(a->f, "team", t.id, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "user", NULL)) != 0)
		return e;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/%s/"
	    "users", t.org, tid);
	/* This operation has no includeCount (api-specs.md section 1.3). */
	return atlas_list(a, path, ATLAS_V2025, 0, atlas_member_item, &t);
}

int
atlas_teams_sync(struct atlas *a, const char *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams", org);
	return atlas_list(a, path, ATLAS_V2023, 1, atlas_team_item,
	    (void *)(uintptr_t)org);
}
