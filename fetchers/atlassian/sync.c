/*
 * Runs in: the Atlassian fetcher. Input: GET /admin/v1/orgs/{orgId}
 * (untrusted). A sync is the organization with its role entitlements,
 * then users, groups and workspaces, listed side by side; when all are
 * in, the log tells the owner roles counted and not granted.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atlassian.h"
#include "log.h"

static int
atl_org_ents(struct conn *c, const char *org, const char *name)
{
	char	slug[128], disp[700];
	size_t	i;
	int	e;

	for (i = 0; atl_org_roles[i] != NULL; i++) {
		(void)fetch_fmt(slug, sizeof(slug), "role:%s", atl_org_roles[i]);
		(void)fetch_fmt(disp, sizeof(disp), "%s organization %s", name,
		    atl_org_roles[i]);
		if ((e = emit_ent(c->f, "organization", org, slug, disp,
		    REC_PURPOSE_PERMISSION, "user", atl_org_roles[i])) != 0)
			return e;
	}
	return 0;
}

/* {"data":{"id","type":"orgs","attributes":{"name"}}} */
static int
atl_org_answer(struct conn *c, struct conn_resp *r, void *arg)
{
	struct emit_res	 res = { .rtype = "organization" };
	const char	*org = ATL(c)->org;
	char		 name[512];
	int		 data, e;

	(void)arg;
	if (r == NULL)
		return 0;
	if (r->r.status != 200)
		return conn_fail(c, PC_E_REMOTE, "%s", c->last[0] ? c->last :
		    "atlassian GET /admin/v1/orgs: failed");
	if (!r->parsed)
		return conn_fail(c, PC_E_VALUE, "atlassian GET /admin/v1/orgs/%s: "
		    "not JSON (Content-Type \"%.64s\")", org, r->r.ctype);
	data = pcj_get(&r->doc, pcj_root(&r->doc), "data");
	(void)conn_str(&r->doc, pcj_get(&r->doc, data, "attributes"), "name",
	    name, sizeof(name));
	res.id = org;
	res.name = name[0] ? name : org;
	if ((e = emit_resource(c->f, &res)) != 0)
		return e;
	return atl_org_ents(c, org, res.name);
}

int
atl_sync(struct conn *c)
{
	struct conn_call	call = { .accept = ATL_JSON };
	char			path[128];
	int			e;

	if ((e = atl_need_org(c)) != 0)
		return e;

	(void)fetch_fmt(path, sizeof(path), "/admin/v1/orgs/%s", ATL(c)->org);
	call.path = path;
	if ((e = conn_submit(c, &call, atl_org_answer, NULL)) != 0 ||
	    (e = atl_workspaces_sync(c)) != 0 ||
	    (e = atl_users_sync(c)) != 0 ||
	    (e = atl_groups_sync(c)) != 0 || (e = conn_run(c)) != 0)
		return e;
	/* The reference skips these silently; the log says how many. */
	fetch_log(c->f, LOG_L_INFO, "atlassian: %lu project/goal owner role "
	    "entries counted, not granted; %lu user roles held only through "
	    "a group (granted to the group)", ATL(c)->owner_roles,
	    ATL(c)->group_only);
	return 0;
}
