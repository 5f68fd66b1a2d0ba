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

/* "<rtype>:<rid>:<slug>": rid and slug never hold ':' (ids we emit). */
static int
atlas_ent_split(struct atlas_op *o, const char *ent)
{
	const char	*c1, *c2;

	if ((c1 = strchr(ent, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || strchr(c2 + 1, ':') != NULL)
		return PC_E_VALUE;
	if ((size_t)(c1 - ent) >= sizeof(o->rtype) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(o->rid) ||
	    strlen(c2 + 1) >= sizeof(o->slug))
		return PC_E_TOOBIG;
	(void)fetch_fmt(o->rtype, sizeof(o->rtype), "%.*s", (int)(c1 - ent),
	    ent);
	(void)fetch_fmt(o->rid, sizeof(o->rid), "%.*s", (int)(c2 - c1 - 1),
	    c1 + 1);
	(void)fetch_fmt(o->slug, sizeof(o->slug), "%s", c2 + 1);
	return 0;
}

/* A grant id: "<rtype>:<rid>:<slug>:<ptype>:<pid>"; pid may hold ':'. */
static int
atlas_grant_split(struct atlas_op *o, const char *grant)
{
	char		 ent[1024];
	const char	*p = grant;
	int		 i;

	for (i = 0; i < 3 && p != NULL; i++)
		p = strchr(p, ':') != NULL ? strchr(p, ':') + 1 : NULL;
	if (p == NULL || (size_t)(p - grant - 1) >= sizeof(ent))
		return PC_E_VALUE;
	(void)fetch_fmt(ent, sizeof(ent), "%.*s", (int)(p - grant - 1), grant);
	if (atlas_ent_split(o, ent) != 0 || strchr(p, ':') == NULL)
		return PC_E_VALUE;
	(void)fetch_fmt(o->ptype, sizeof(o->ptype), "%.*s",
	    (int)(strchr(p, ':') - p), p);
	(void)fetch_fmt(o->pid, sizeof(o->pid), "%s", strchr(p, ':') + 1);
	return 0;
}

static int
atlas_op_parse(struct atlas_op *o, const struct task *t)
{
	int	e;

	if (o->revoke) {
		if (t->grant == NULL)
			return PC_E_MISSING;
		e = atlas_grant_split(o, t->grant);
	} else {
		if (t->ent == NULL || t->ptype == NULL || t->pid == NULL)
			return PC_E_MISSING;
		if ((e = atlas_ent_split(o, t->ent)) == 0 &&
		    (strlen(t->ptype) >= sizeof(o->ptype) ||
		    strlen(t->pid) >= sizeof(o->pid)))
			e = PC_E_TOOBIG;
		if (e == 0) {
			(void)fetch_fmt(o->ptype, sizeof(o->ptype), "%s",
			    t->ptype);
			(void)fetch_fmt(o->pid, sizeof(o->pid), "%s", t->pid);
		}
	}
	(void)fetch_fmt(o->target, sizeof(o->target), "%s:%s:%s:%s:%s",
	    o->rtype, o->rid, o->slug, o->ptype, o->pid);
	return e;
}

int
atlas_done(struct atlas_op *o, int already)
{
	fetch_result(o->a->f, "%s%s %s:%s:%s %s %s:%s", already ? "already " :
	    "", o->revoke ? "revoked" : "granted", o->rtype, o->rid, o->slug,
	    o->revoke ? "from" : "to", o->ptype, o->pid);
	return 0;
}

/*
 * Reads the holder's roles before changing them. A revoke from a holder
 * that is gone is done already: *gone says so and the result is reported.
 */
int
atlas_current(struct atlas_op *o, const char *path, const char *ver,
    struct atlas_resp *ar, int *gone)
{
	int	e;

	*gone = 0;
	e = atlas_call(o->a, "GET", path, ver, NULL, NULL, NULL, ar);
	if (e != 0 && o->revoke && ar->r.status == 404) {
		*gone = 1;
		return atlas_done(o, 1);
	}
	return e;
}

int
atlas_write(struct atlas_op *o, const char *method, const char *path,
    const char *ver, const struct buf *body, struct atlas_resp *ar)
{
	return atlas_call(o->a, method, path, ver, body, o->revoke ? "revoke" :
	    "grant", o->target, ar);
}

int
atlas_bad_principal(struct atlas_op *o, const char *want)
{
	(void)fetch_fmt(o->a->err, sizeof(o->a->err), "%s:%s:%s is granted to "
	    "%s principals, not \"%s\"", o->rtype, o->rid, o->slug, want,
	    o->ptype);
	return PC_E_VALUE;
}

/* Does string array arr hold s? */
int
atlas_has(const struct pcj_doc *d, int arr, const char *s)
{
	int	i;

	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i))
		if (pcj_str_eq(d, i, s))
			return 1;
	return 0;
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

static int
atlas_org_role(struct atlas_op *o)
{
	struct atlas_resp	 ar, w;
	struct buf		 b;
	const char		*role = atlas_org_role_name(o->slug);
	char			 path[200];
	int			 root, arr, has, n, e, gone;

	if (role == NULL)
		return PC_E_NOTFOUND;
	if (strcmp(o->ptype, "user") != 0)
		return atlas_bad_principal(o, "user");
	if (!atlas_hexid(o->rid) || !atlas_hexid(o->pid))
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users/%s",
	    o->rid, o->pid);
	atlas_resp_init(&ar);
	atlas_resp_init(&w);
	buf_init(&b, 64 * 1024, 0);
	if ((e = atlas_current(o, path, ATLAS_V2025, &ar, &gone)) != 0 || gone)
		goto out;
	root = pcj_root(&ar.doc);
	arr = pcj_get(&ar.doc, pcj_get(&ar.doc, root, "roles"), "orgRoles");
	has = atlas_has(&ar.doc, arr, role);
	n = (int)pcj_count(&ar.doc, arr);
	if (has == !o->revoke) {
		e = atlas_done(o, 1);
		goto out;
	}
	if (o->revoke && n == 1 && !o->a->rm_last_role) {
		(void)fetch_fmt(o->a->err, sizeof(o->a->err), "%s is the last "
		    "org role of user %s: revoking it removes the user from the "
		    "organization; set remove-org-user-on-last-role to allow "
		    "that", role, o->pid);
		e = PC_E_POLICY;
		goto out;
	}
	if (o->revoke && n == 1)
		e = atlas_write(o, "DELETE", path, ATLAS_V2025, NULL, &w);
	else if ((e = atlas_org_body(&b, &ar.doc, root, o->revoke ? NULL :
	    role, o->revoke ? role : NULL)) == 0)
		e = atlas_write(o, "PATCH", path, ATLAS_V2025, &b, &w);
	if (e == 0)
		e = atlas_done(o, 0);
out:
	buf_clear(&b);
	atlas_resp_clear(&w);
	atlas_resp_clear(&ar);
	return e;
}

/* ---- team membership ---------------------------------------------- */

static int
atlas_team(struct atlas_op *o)
{
	struct atlas_resp	 ar;
	struct buf		 b;
	char			 org[64], path[256], *slash;
	int			 e;

	if (strcmp(o->slug, "member") != 0)
		return PC_E_NOTFOUND;
	if (strcmp(o->ptype, "user") != 0)
		return atlas_bad_principal(o, "user");
	(void)fetch_fmt(org, sizeof(org), "%s", o->rid);
	if ((slash = strchr(org, '/')) == NULL)
		return PC_E_VALUE;
	*slash++ = '\0';
	if (!atlas_hexid(org) || !atlas_hexid(slash) || !atlas_hexid(o->pid))
		return PC_E_VALUE;
	atlas_resp_init(&ar);
	buf_init(&b, 256, 0);
	if (o->revoke) {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/"
		    "%s/users/%s", org, slash, o->pid);
		e = atlas_write(o, "DELETE", path, ATLAS_V2023, NULL, &ar);
	} else {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/teams/"
		    "%s/users", org, slash);
		if ((e = buf_printf(&b, "[{\"id\":\"%s\"}]", o->pid)) == 0)
			e = atlas_write(o, "POST", path, ATLAS_V2023, &b, &ar);
	}
	if (e == PC_E_REMOTE && ar.r.status == (o->revoke ? 404 : 409))
		e = atlas_done(o, 1);
	else if (e == 0)
		e = atlas_done(o, 0);
	buf_clear(&b);
	atlas_resp_clear(&ar);
	return e;
}

int
atlas_grant(struct atlas *a, int revoke)
{
	struct atlas_op	o;
	int		e;

	memset(&o, 0, sizeof(o));
	o.a = a;
	o.revoke = revoke;
	if ((e = atlas_op_parse(&o, &a->f->task)) != 0) {
		(void)fetch_fmt(a->err, sizeof(a->err), "%s: not an Atlas %s id",
		    revoke ? "--revoke-grant" : "--grant-entitlement",
		    revoke ? "grant" : "entitlement");
		return e;
	}
	if (strcmp(o.rtype, "organization") == 0)
		e = atlas_org_role(&o);
	else if (strcmp(o.rtype, "team") == 0)
		e = atlas_team(&o);
	else if (strcmp(o.rtype, "project") == 0)
		e = atlas_project_grant(&o);
	else if (strcmp(o.rtype, "database") == 0)
		e = atlas_dbrole_grant(&o);
	else
		e = PC_E_NOTFOUND;
	if (e == PC_E_NOTFOUND && a->err[0] == '\0')
		(void)fetch_fmt(a->err, sizeof(a->err), "%s:%s:%s is not an "
		    "entitlement Atlas can %s", o.rtype, o.rid, o.slug,
		    revoke ? "revoke" : "grant");
	if (e == PC_E_VALUE && a->err[0] == '\0')
		(void)fetch_fmt(a->err, sizeof(a->err), "malformed id in %s",
		    o.target);
	return e;
}
