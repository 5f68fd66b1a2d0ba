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

static int
atlas_org_body(struct buf *b, const struct pcj_doc *d, int u, const char *add,
    const char *drop)
{
	int	roles = pcj_get(d, u, "roles"), arr, i, n = 0, first = 0, e;
	char	r[64];

	arr = pcj_get(d, roles, "orgRoles");
	if ((e = buf_add_str(b, "{\"roles\":{\"orgRoles\":[")) != 0)
		return e;
	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i)) {
		if (pcj_str(d, i, r, sizeof(r), NULL, PCJ_STR_ID) != 0 ||
		    (drop != NULL && strcmp(r, drop) == 0))
			continue;
		if ((e = buf_printf(b, "%s", n++ ? "," : "")) != 0 ||
		    (e = jw_str(b, r)) != 0)
			return e;
	}
	if (add != NULL && ((e = buf_printf(b, "%s", n ? "," : "")) != 0 ||
	    (e = jw_str(b, add)) != 0))
		return e;
	if ((e = buf_add_str(b, "]")) != 0 ||
	    (e = atlas_copy_raw(b, d, roles, "groupRoleAssignments",
	    &first)) != 0 || (e = buf_add_str(b, "}")) != 0)
		return e;
	first = 0;
	if ((e = atlas_copy_raw(b, d, u, "teamIds", &first)) != 0)
		return e;
	return buf_add_str(b, "}");
}

int
atlas_org_grant(struct kit_op *o)
{
	struct conn_resp	 ar, w;
	struct buf		 b;
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
	buf_init(&b, 64 * 1024, 0);
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
	else if ((e = atlas_org_body(&b, &ar.doc, root, o->revoke ? NULL :
	    role, o->revoke ? role : NULL)) == 0)
		e = atlas_write(o, "PATCH", path, ATLAS_V2025, &b, &w);
	if (e == 0)
		e = kit_done(o, 0);
out:
	buf_clear(&b);
	conn_resp_clear(&w);
	conn_resp_clear(&ar);
	return e;
}

/* ---- team membership ---------------------------------------------- */

int
atlas_team_grant(struct kit_op *o)
{
	struct conn_resp	 ar;
	struct buf		 b;
	char			 org[64], path[256], *slash;
	int			 e;

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
	conn_resp_init(&ar);
	buf_init(&b, 256, 0);
	if (o->revoke) {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/"
		    "%s/users/%s", org, slash, o->g.pid);
		e = atlas_write(o, "DELETE", path, ATLAS_V2023, NULL, &ar);
	} else {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/"
		    "%s/users", org, slash);
		if ((e = buf_printf(&b, "[{\"id\":\"%s\"}]", o->g.pid)) == 0)
			e = atlas_write(o, "POST", path, ATLAS_V2023, &b, &ar);
	}
	if (e == PC_E_REMOTE && ar.r.status == (o->revoke ? 404 : 409))
		e = kit_done(o, 1);
	else if (e == 0)
		e = kit_done(o, 0);
	buf_clear(&b);
	conn_resp_clear(&ar);
	return e;
}
