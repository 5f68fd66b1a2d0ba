/*
 * Runs in: the Atlassian fetcher. Input: the task's entitlement and
 * principal ids (from the operator, checked here) and Atlassian answers
 * (untrusted). Workspace roles (users through the role API, groups
 * through the group role assignments), the org-admin role, and group
 * membership. Already granted / already revoked is success.
 */
#include <stdio.h>
#include <string.h>

#include "atlassian.h"
#include "jw.h"

/* The role of a "role:<role>" slug, or NULL. */
static const char *
atl_slug_role(const char *slug)
{
	return strncmp(slug, "role:", 5) == 0 ? slug + 5 : NULL;
}

static int
atl_write(struct kit_op *o, const char *method, const char *path,
    const struct buf *b, struct conn_resp *r)
{
	return atl_call(o->c, method, path, b, NULL, o->revoke ? "revoke" :
	    "grant", o->target, r);
}

/* The vendor's line of the last failed call (after "HTTP nnn "). */
static const char *
atl_vendor_line(struct conn *c)
{
	const char	*p = strstr(c->err, ": HTTP ");

	return p != NULL ? p + 2 : c->err;
}

/*
 * The role API's 403: Atlassian enables roles/assign, roles/revoke and
 * invite per org on a support request (the reference's setup page).
 */
static int
atl_role_denied(struct conn *c)
{
	char	v[CONN_ERR_MAX];

	(void)fetch_fmt(v, sizeof(v), "%s", atl_vendor_line(c));
	(void)fetch_fmt(c->err, sizeof(c->err), "atlassian: the role API "
	    "refused (%.200s): Atlassian support must enable the roles/assign, "
	    "roles/revoke and invite endpoints for organization %s; raise a "
	    "support request asking for access to them (README, Atlassian)",
	    v, ATL(c)->org);
	return PC_E_REMOTE;
}

/* {"role":R,"resource":RES} or {"resourceId":RES,"roleId":R}. */
static int
atl_role_body(struct buf *b, const char *rk, const char *role,
    const char *sk, const char *res)
{
	int	e;

	if ((e = buf_add_str(b, "{")) != 0 || (e = jw_key(b, rk)) != 0 ||
	    (e = jw_str(b, role)) != 0)
		return e;
	if (res != NULL && ((e = buf_add_str(b, ",")) != 0 ||
	    (e = jw_key(b, sk)) != 0 || (e = jw_str(b, res)) != 0))
		return e;
	return buf_add_str(b, "}");
}

/* A write and its common outcomes. */
static int
atl_role_write(struct kit_op *o, const char *path, struct buf *b)
{
	struct conn_resp	r;
	int			e;

	conn_resp_init(&r);
	e = atl_write(o, "POST", path, b, &r);
	if (e == PC_E_REMOTE && r.r.status == 403)
		e = atl_role_denied(o->c);
	else if (e == 0)
		e = kit_done(o, 0);
	conn_resp_clear(&r);
	return e;
}

int
atl_group_dir(struct conn *c, const char *gid, char *dir, size_t dirsz)
{
	struct conn_resp	r;
	char			path[300];
	int			e;

	if ((e = atl_path(c, path, sizeof(path), "/directories/-/groups/%s",
	    gid)) != 0)
		return e;
	conn_resp_init(&r);
	if ((e = atl_call(c, "GET", path, NULL, NULL, NULL, NULL, &r)) == 0 &&
	    (!r.parsed || !atl_uuidish(conn_str(&r.doc, pcj_get(&r.doc,
	    pcj_root(&r.doc), "data"), "directoryId", dir, dirsz))))
		e = conn_fail(c, PC_E_VALUE, "atlassian: group %s: no "
		    "directoryId in its details", gid);
	else if (e == PC_E_REMOTE && r.r.status == 404)
		e = PC_E_NOTFOUND;
	conn_resp_clear(&r);
	return e;
}

/*
 * Does the user or group (kind "users" / "groups") hold role on res
 * itself? Read first so a repeated grant or revoke says "already"; a
 * role a user holds only through a group is not its own.
 */
static int
atl_holds(struct conn *c, const char *kind, const char *seg, const char *res,
    const char *role, int *has)
{
	struct conn_resp	 r;
	char			 enc[3 * ATL_ARI_MAX], path[1200], v[96];
	int			 e, o, ra, i;

	*has = 0;
	if ((e = jw_path_seg(enc, sizeof(enc), res)) != 0 ||
	    (e = atl_path(c, path, sizeof(path), "/directories/-/%s/%s/"
	    "role-assignments?resourceIds=%s&limit=%d", kind, seg, enc,
	    ATL_PAGE)) != 0)
		return e;
	conn_resp_init(&r);
	if ((e = atl_call(c, "GET", path, NULL, NULL, NULL, NULL, &r)) != 0 ||
	    !r.parsed) {
		conn_resp_clear(&r);
		return e;
	}
	for (o = pcj_first(&r.doc, pcj_get(&r.doc, pcj_root(&r.doc), "data"));
	    o >= 0 && !*has; o = pcj_next(&r.doc, o)) {
		if (!pcj_str_eq(&r.doc, pcj_get(&r.doc, o, "resourceId"), res))
			continue;
		ra = pcj_get(&r.doc, o, "roleAssignments");
		for (i = pcj_first(&r.doc, ra); i >= 0 && !*has;
		    i = pcj_next(&r.doc, i))
			*has = strcmp(conn_str(&r.doc, i, "role", v, sizeof(v)),
			    role) == 0 && conn_has(&r.doc, pcj_get(&r.doc, i,
			    "roleAssignmentMethods"), "direct");
		if (pcj_type(&r.doc, ra) != PCJ_ARRAY)
			*has = conn_has(&r.doc, pcj_get(&r.doc, o, "roles"), role);
	}
	conn_resp_clear(&r);
	return 0;
}

/* A group's workspace role: the group role assignment endpoints. */
static int
atl_ws_group_grant(struct kit_op *o, const char *role)
{
	struct buf	b;
	char		dir[80], path[400];
	int		e, has;

	if (strcmp(role, "atlassian/site-admin") == 0 ||
	    strcmp(role, "atlassian/org-admin") == 0) {
		(void)fetch_fmt(o->c->err, sizeof(o->c->err), "atlassian: %s "
		    "cannot be given to a group (the group role API takes "
		    "product roles only)", role);
		return PC_E_VALUE;
	}
	if (!atl_uuidish(o->g.pid))
		return PC_E_VALUE;
	if ((e = atl_group_dir(o->c, o->g.pid, dir, sizeof(dir))) != 0)
		return e == PC_E_NOTFOUND && o->revoke ? kit_done(o, 1) : e;
	if ((e = atl_holds(o->c, "groups", o->g.pid, o->g.ent.rid, role,
	    &has)) != 0)
		return e;
	if (has == !o->revoke)
		return kit_done(o, 1);
	if ((e = atl_path(o->c, path, sizeof(path), "/directories/%s/groups/%s"
	    "/role-assignments/%s", dir, o->g.pid, o->revoke ? "revoke" :
	    "assign")) != 0)
		return e;
	buf_init(&b, 1024, 0);
	if ((e = atl_role_body(&b, "resourceId", o->g.ent.rid, "roleId",
	    role)) == 0)
		e = atl_role_write(o, path, &b);
	buf_clear(&b);
	return e;
}

int
atl_ws_grant(struct kit_op *o)
{
	const char	*role = atl_slug_role(o->g.ent.slug);
	struct buf	 b;
	char		 seg[3 * ATL_ID_MAX], path[600];
	int		 e, has;
	if ((e = atl_need_org(o->c)) != 0)
		return e;

	if (role == NULL || !atl_ws_role(role))
		return PC_E_NOTFOUND;
	if (!atl_ari_ok(o->g.ent.rid))
		return PC_E_VALUE;
	if (strcmp(o->g.ptype, "group") == 0)
		return atl_ws_group_grant(o, role);
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user or group");
	if (!atl_account_ok(o->g.pid) ||
	    jw_path_seg(seg, sizeof(seg), o->g.pid) != 0)
		return PC_E_VALUE;
	if ((e = atl_holds(o->c, "users", seg, o->g.ent.rid, role, &has)) !=
	    0)
		return e;
	if (has == !o->revoke)
		return kit_done(o, 1);
	(void)fetch_fmt(path, sizeof(path), "/admin/v1/orgs/%s/users/%s/roles/"
	    "%s", ATL(o->c)->org, seg, o->revoke ? "revoke" : "assign");
	buf_init(&b, 1024, 0);
	if ((e = atl_role_body(&b, "role", role, "resource", o->g.ent.rid)) ==
	    0)
		e = atl_role_write(o, path, &b);
	buf_clear(&b);
	return e;
}

/* Org level: only org-admin has an API (role-assignments/assign). */
int
atl_org_grant(struct kit_op *o)
{
	const char	*role = atl_slug_role(o->g.ent.slug);
	struct buf	 b;
	char		 seg[3 * ATL_ID_MAX], path[600];
	int		 e;
	if ((e = atl_need_org(o->c)) != 0)
		return e;

	if (role == NULL || !atl_org_role(role))
		return PC_E_NOTFOUND;
	if (strcmp(role, "atlassian/org-admin") != 0) {
		(void)fetch_fmt(o->c->err, sizeof(o->c->err), "atlassian: %s is "
		    "synced but has no API to %s it; only atlassian/org-admin "
		    "is provisioned on the organization", role, o->revoke ?
		    "revoke" : "grant");
		return PC_E_STATE;
	}
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (strcmp(o->g.ent.rid, ATL(o->c)->org) != 0) {
		(void)fetch_fmt(o->c->err, sizeof(o->c->err), "atlassian: "
		    "organization %.100s is not the configured organization-id",
		    o->g.ent.rid);
		return PC_E_VALUE;
	}
	if (!atl_account_ok(o->g.pid) ||
	    jw_path_seg(seg, sizeof(seg), o->g.pid) != 0)
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/admin/v1/orgs/%s/users/%s/"
	    "role-assignments/%s", ATL(o->c)->org, seg, o->revoke ? "revoke" :
	    "assign");
	buf_init(&b, 256, 0);
	if ((e = atl_role_body(&b, "role", role, NULL, NULL)) == 0)
		e = atl_role_write(o, path, &b);
	buf_clear(&b);
	return e;
}

/* ---- group membership ------------------------------------------------ */

/* A 409 or 403 of a membership write as one clear line. */
static int
atl_member_refused(struct kit_op *o, struct conn_resp *r)
{
	struct conn	*c = o->c;
	char		 code[64], v[CONN_ERR_MAX];

	(void)atl_errcode(r, code, sizeof(code));
	(void)fetch_fmt(v, sizeof(v), "%s", atl_vendor_line(c));
	if (r->r.status == 409 && strcmp(code, "ADMIN-UAM-409-3") == 0)
		(void)fetch_fmt(c->err, sizeof(c->err), "atlassian: group %s: "
		    "the product licence (seat) limit is reached: %.300s",
		    o->g.ent.rid, v);
	else if (r->r.status == 403)
		(void)fetch_fmt(c->err, sizeof(c->err), "atlassian: group %s "
		    "cannot be changed here (a group synced from an identity "
		    "provider is managed there): %.300s", o->g.ent.rid, v);
	return PC_E_REMOTE;
}

int
atl_group_grant(struct kit_op *o)
{
	struct conn_resp	 r;
	struct buf		 b;
	char			 dir[80], seg[3 * ATL_ID_MAX], path[700];
	char			 code[64];
	int			 e;
	if ((e = atl_need_org(o->c)) != 0)
		return e;

	if (strcmp(o->g.ent.slug, "member") != 0)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (!atl_uuidish(o->g.ent.rid) || !atl_account_ok(o->g.pid) ||
	    jw_path_seg(seg, sizeof(seg), o->g.pid) != 0)
		return PC_E_VALUE;
	if ((e = atl_group_dir(o->c, o->g.ent.rid, dir, sizeof(dir))) != 0)
		return e == PC_E_NOTFOUND && o->revoke ? kit_done(o, 1) : e;
	conn_resp_init(&r);
	buf_init(&b, 512, 0);
	if (o->revoke) {
		if ((e = atl_path(o->c, path, sizeof(path), "/directories/%s/"
		    "groups/%s/memberships/%s", dir, o->g.ent.rid, seg)) == 0)
			e = atl_write(o, "DELETE", path, NULL, &r);
	} else if ((e = atl_path(o->c, path, sizeof(path), "/directories/%s/"
	    "groups/%s/memberships", dir, o->g.ent.rid)) == 0 &&
	    (e = buf_add_str(&b, "{\"accountId\":")) == 0 &&
	    (e = jw_str(&b, o->g.pid)) == 0 && (e = buf_add_str(&b, "}")) == 0)
		e = atl_write(o, "POST", path, &b, &r);
	if (e == PC_E_REMOTE && o->revoke && r.r.status == 404)
		e = kit_done(o, 1);
	else if (e == PC_E_REMOTE && r.r.status == 409 &&
	    strcmp(atl_errcode(&r, code, sizeof(code)), "ADMIN-UAM-409-2") == 0)
		e = kit_done(o, 1);
	else if (e == PC_E_REMOTE && (r.r.status == 409 || r.r.status == 403))
		e = atl_member_refused(o, &r);
	else if (e == 0)
		e = kit_done(o, 0);
	buf_clear(&b);
	conn_resp_clear(&r);
	return e;
}
