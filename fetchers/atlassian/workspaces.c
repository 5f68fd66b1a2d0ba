/*
 * Runs in: the Atlassian fetcher. Input: workspace pages (untrusted),
 * from POST /admin/v2/orgs/{orgId}/workspaces with the cursor in the
 * body (alone: "no other properties may be present"). Each workspace
 * brings the role entitlements baton gives it.
 */
#include <stdint.h>
#include <stdio.h>

#include "atlassian.h"

static int
atl_ws_ents(struct conn *c, const char *id, const char *name)
{
	char	slug[128], disp[800];
	size_t	i;
	int	e;

	for (i = 0; atl_ws_roles[i] != NULL; i++) {
		(void)fetch_fmt(slug, sizeof(slug), "role:%s", atl_ws_roles[i]);
		(void)fetch_fmt(disp, sizeof(disp), "%s %s", name,
		    atl_ws_roles[i]);
		if ((e = emit_ent(c->f, "workspace", id, slug, disp,
		    REC_PURPOSE_PERMISSION, "user,group", atl_ws_roles[i])) != 0)
			return e;
	}
	return 0;
}

/* WorkspaceModel {id, type, attributes {name, type, typeKey, hostUrl}}. */
static int
atl_ws_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct emit_res	 r = { .rtype = "workspace", .ptype = "organization" };
	char		 id[ATL_ARI_MAX], name[256], type[64], host[512];
	char		 st[32], disp[400];
	int		 at, e;

	(void)arg;
	if (!atl_ari_ok(conn_str(d, o, "id", id, sizeof(id))))
		return 0;
	at = pcj_get(d, o, "attributes");
	(void)conn_str(d, at, "name", name, sizeof(name));
	if (conn_str(d, at, "typeKey", type, sizeof(type))[0] == '\0')
		(void)conn_str(d, at, "type", type, sizeof(type));
	(void)conn_str(d, at, "hostUrl", host, sizeof(host));
	(void)conn_str(d, at, "status", st, sizeof(st));
	const struct emit_kv prof[] = {
		{ "name", name, 0 }, { "type", type, 0 },
		{ "host_url", host, 0 }, { "status", st, 0 },
	};

	(void)fetch_fmt(disp, sizeof(disp), "%s: %s", type, name[0] ? name :
	    id);
	r.id = id;
	r.pid = ATL(c)->org;
	r.name = disp;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	return atl_ws_ents(c, id, disp);
}

int
atl_workspaces_sync(struct conn *c)
{
	char	path[128];

	(void)fetch_fmt(path, sizeof(path), "/admin/v2/orgs/%s/workspaces",
	    ATL(c)->org);
	return atl_search(c, path, "{\"limit\":100}", atl_ws_item, NULL, NULL);
}
