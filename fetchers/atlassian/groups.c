/*
 * Runs in: the Atlassian fetcher. Input: group search pages, the user
 * search pages of one group's members and its role assignment pages
 * (untrusted). A group's workspace role is a grant to the group,
 * expandable to its members (group:<id>:member).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atlassian.h"

static int
atl_member_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct atl_id	*g = arg;
	char		 id[ATL_ID_MAX];

	if (!atl_account_ok(conn_str(d, u, "accountId", id, sizeof(id))))
		return 0;
	return emit_grant(c->f, "group", g->id, "member", "user", id, 0);
}

int
atl_group_members_sync(struct conn *c, struct atl_id *g)
{
	char	path[256], body[160];
	int	e;

	/* Group ids are checked (atl_uuidish): safe inside the JSON. */
	if ((e = atl_path(c, path, sizeof(path), "/directories/-/users/"
	    "search")) != 0 || (e = fetch_fmt(body, sizeof(body),
	    "{\"groupIds\":[\"%s\"],\"limit\":%d}", g->id, ATL_PAGE)) != 0)
		return e;
	return atl_search(c, path, body, atl_member_item, g, &g->ref);
}

/* {"resourceId","resourceOwner","roles":[...]}: workspace roles only. */
static int
atl_group_ra_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atl_id	*g = arg;
	char		 owner[64], res[ATL_ARI_MAX], role[96], slug[128];
	char		 via[ATL_ID_MAX + 16];
	const char	*vias[1] = { via };
	int		 roles, i, e;

	(void)conn_str(d, o, "resourceOwner", owner, sizeof(owner));
	if (strcmp(owner, "project") == 0 || strcmp(owner, "goal") == 0) {
		ATL(c)->owner_roles++;
		return 0;
	}
	if (strcmp(owner, "platform") == 0 ||
	    !atl_ari_ok(conn_str(d, o, "resourceId", res, sizeof(res))))
		return 0;
	(void)fetch_fmt(via, sizeof(via), "group:%s:member", g->id);
	roles = pcj_get(d, o, "roles");
	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0 ||
		    !atl_ws_role(role))
			continue;
		(void)fetch_fmt(slug, sizeof(slug), "role:%s", role);
		if ((e = emit_grant_via(c->f, "workspace", res, slug, "group",
		    g->id, vias, 1, 0)) != 0)
			return e;
	}
	return 0;
}

int
atl_group_roles_sync(struct conn *c, struct atl_id *g)
{
	char	path[300];
	int	e;

	if ((e = atl_path(c, path, sizeof(path), "/directories/-/groups/%s/"
	    "role-assignments", g->id)) != 0)
		return e;
	return atl_list(c, path, atl_group_ra_item, g, &g->ref);
}

static int
atl_group_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct emit_res	 r = { .rtype = "group", .ptype = "organization",
			    .traits = REC_TRAIT_GROUP };
	char		 id[80], name[512], desc[1024], dir[80], by[32];
	char		 disp[600];
	struct atl_id	*g;
	int		 e;

	(void)arg;
	if (!atl_uuidish(conn_str(d, o, "id", id, sizeof(id))))
		return 0;
	(void)conn_str(d, o, "name", name, sizeof(name));
	(void)conn_str(d, o, "description", desc, sizeof(desc));
	(void)conn_str(d, o, "directoryId", dir, sizeof(dir));
	(void)conn_str(d, o, "managedBy", by, sizeof(by));
	const struct emit_kv prof[] = {
		{ "name", name, 0 }, { "description", desc, 0 },
		{ "directory_id", dir, 0 }, { "managed_by", by, 0 },
	};

	r.id = id;
	r.pid = ATL(c)->org;
	r.name = name[0] ? name : id;
	r.desc = desc;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	(void)fetch_fmt(disp, sizeof(disp), "%s member", r.name);
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_ent(c->f, "group", id, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "user", NULL)) != 0)
		return e;
	if ((g = atl_id_new(c, id)) == NULL)
		return PC_E_NOMEM;
	conn_ref_hold(&g->ref);
	if ((e = atl_group_members_sync(c, g)) == 0)
		e = atl_group_roles_sync(c, g);
	conn_ref_drop(&g->ref);
	return e;
}

int
atl_groups_sync(struct conn *c)
{
	char	path[256];
	int	e;

	/* The replacement of the deprecated GET .../groups listing. */
	if ((e = atl_path(c, path, sizeof(path), "/directories/-/groups/"
	    "search")) != 0)
		return e;
	return atl_search(c, path, "{\"limit\":100}", atl_group_item, NULL,
	    NULL);
}
