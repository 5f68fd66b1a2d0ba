/*
 * Runs in: the Atlas fetcher. Input: the task's entitlement and
 * principal ids (from the operator, checked here) and Atlas answers
 * (untrusted). Grant and revoke for org roles, team membership, project
 * roles and database roles. Already granted / already revoked is success.
 */
#include <stdio.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

/*
 * Reads the holder's roles before changing them. A revoke from a holder
 * that is gone is done already: *gone says so and the result is reported.
 */
int
atlas_current(struct kit_op *o, const char *path, const char *ver,
    struct conn_resp *ar, int *gone)
{
	int	e;

	*gone = 0;
	e = atlas_call(o->c, "GET", path, ver, NULL, NULL, NULL, ar);
	if (e != 0 && o->revoke && ar->r.status == 404) {
		*gone = 1;
		return kit_done(o, 1);
	}
	return e;
}

int
atlas_write(struct kit_op *o, const char *method, const char *path,
    const char *ver, const struct buf *body, struct conn_resp *ar)
{
	return atlas_call(o->c, method, path, ver, body, o->revoke ? "revoke" :
	    "grant", o->target, ar);
}

/* Copy member key of obj as raw JSON into b as "key":<value>. */
int
atlas_copy_raw(struct buf *b, const struct pcj_doc *d, int obj,
    const char *key, int *first)
{
	const char	*raw;
	size_t		 len;
	int		 v = pcj_get(d, obj, key), e;

	if (v < 0 || (raw = pcj_raw(d, v, &len)) == NULL)
		return 0;
	if ((!*first && (e = buf_add(b, ",", 1)) != 0) ||
	    (e = jw_key(b, key)) != 0)
		return e;
	*first = 0;
	if (pcj_type(d, v) == PCJ_STRING)
		return buf_printf(b, "\"%.*s\"", (int)len, raw);
	return buf_add(b, raw, len);
}

/* ---- organization roles ------------------------------------------- */

/*
 * One role added or removed by the atomic operation: the user's other
 * roles, teams and project roles are never sent back, so a change
 * another admin makes meanwhile stays (no read-modify-write).
 */
static int
atlas_org_role_op(struct kit_op *o, const char *path, const char *role)
{
	struct conn_resp	 w;
	struct buf		 b;
	char			 url[240];
	int			 e;

	conn_resp_init(&w);
	buf_init(&b, 256, 0);
	(void)fetch_fmt(url, sizeof(url), "%s:%s", path, o->revoke ?
	    "removeRole" : "addRole");
	if ((e = buf_add_str(&b, "{\"orgRole\":")) == 0 &&
	    (e = jw_str(&b, role)) == 0 && (e = buf_add_str(&b, "}")) == 0)
		e = atlas_write(o, "POST", url, ATLAS_V2025, &b, &w);
	/* Gone meanwhile: someone else revoked it first. */
	if (e == PC_E_REMOTE && o->revoke && w.r.status == 400 &&
	    atlas_errcode_is(&w, "ROLE_NOT_FOUND"))
		e = kit_done(o, 1) == 0 ? 1 : PC_E_REMOTE;
	buf_clear(&b);
	conn_resp_clear(&w);
	return e;
}

int
atlas_org_grant(struct kit_op *o)
{
	struct conn_resp	 ar, w;
	const char		*role = atlas_org_role_name(o->g.ent.slug);
	char			 path[200];
	int			 root, arr, has, n, e, gone;

	if (role == NULL)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (!atlas_hexid(o->g.ent.rid) || !atlas_hexid(o->g.pid))
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users/%s",
	    o->g.ent.rid, o->g.pid);
	conn_resp_init(&ar);
	conn_resp_init(&w);
	/* Read only to say "already" and to see a last role coming. */
	if ((e = atlas_current(o, path, ATLAS_V2025, &ar, &gone)) != 0 || gone)
		goto out;
	root = pcj_root(&ar.doc);
	arr = pcj_get(&ar.doc, pcj_get(&ar.doc, root, "roles"), "orgRoles");
	has = conn_has(&ar.doc, arr, role);
	n = (int)pcj_count(&ar.doc, arr);
	if (has == !o->revoke) {
		e = kit_done(o, 1);
		goto out;
	}
	if (o->revoke && n == 1 && !ATLAS(o->c)->rm_last_role) {
		(void)fetch_fmt(o->c->err, sizeof(o->c->err), "%s is the last "
		    "org role of user %s: revoking it removes the user from the "
		    "organization; set remove-org-user-on-last-role to allow "
		    "that", role, o->g.pid);
		e = PC_E_POLICY;
		goto out;
	}
	if (o->revoke && n == 1)
		e = atlas_write(o, "DELETE", path, ATLAS_V2025, NULL, &w);
	else if ((e = atlas_org_role_op(o, path, role)) == 1) {
		e = 0;
		goto out;
	}
	if (e == 0)
		e = kit_done(o, 0);
out:
	conn_resp_clear(&w);
	conn_resp_clear(&ar);
	return e;
}

/* ---- team membership ---------------------------------------------- */

/* 1 when uid is in the team already (listTeamUsers filtered by userId). */
static int
atlas_team_has(struct kit_op *o, const char *org, const char *tid, int *has)
{
	struct conn_resp	ar;
	char			path[256];
	int			e;

	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/%s/"
	    "users?userId=%s", org, tid, o->g.pid);
	if ((e = atlas_call(o->c, "GET", path, ATLAS_V2025, NULL, NULL, NULL,
	    &ar)) == 0)
		*has = pcj_count(&ar.doc, pcj_get(&ar.doc, pcj_root(&ar.doc),
		    "results")) > 0;
	conn_resp_clear(&ar);
	return e;
}

/*
 * addOrgTeamUser / removeOrgTeamUser: one member at a time (addTeamUsers
 * and removeUserFromTeam are deprecated, x-sunset 2027-07-01).
 */
int
atlas_team_grant(struct kit_op *o)
{
	struct conn_resp	 ar;
	struct buf		 b;
	char			 org[64], path[256], *slash;
	int			 e, has = 0;

	if (strcmp(o->g.ent.slug, "member") != 0)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	(void)fetch_fmt(org, sizeof(org), "%s", o->g.ent.rid);
	if ((slash = strchr(org, '/')) == NULL)
		return PC_E_VALUE;
	*slash++ = '\0';
	if (!atlas_hexid(org) || !atlas_hexid(slash) || !atlas_hexid(o->g.pid))
		return PC_E_VALUE;
	if (!o->revoke && (e = atlas_team_has(o, org, slash, &has)) != 0)
		return e;
	if (has)
		return kit_done(o, 1);
	conn_resp_init(&ar);
	buf_init(&b, 256, 0);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/%s:%s",
	    org, slash, o->revoke ? "removeUser" : "addUser");
	if ((e = buf_printf(&b, "{\"id\":\"%s\"}", o->g.pid)) == 0)
		e = atlas_write(o, "POST", path, ATLAS_V2025, &b, &ar);
	if (e == PC_E_REMOTE && o->revoke && ar.r.status == 404 &&
	    atlas_errcode_is(&ar, "USER_NOT_IN_TEAM"))
		e = kit_done(o, 1);
	else if (e == 0)
		e = kit_done(o, 0);
	buf_clear(&b);
	conn_resp_clear(&ar);
	return e;
}
