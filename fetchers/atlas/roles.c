/*
 * Runs in: the Atlas fetcher. Input: task ids (checked) and Atlas
 * answers (untrusted). Project roles (revoke removes only that role) and
 * database roles of database users in `admin` and `$external`.
 */
#include <stdio.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

/* The user name of an org member, to add them to a project. */
static int
atlas_username(struct kit_op *o, const char *gid, char *user, size_t usz)
{
	struct conn_resp	ar;
	char			path[200], org[64];
	int			e;

	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s", gid);
	if ((e = atlas_call(o->c, "GET", path, ATLAS_V2023, NULL, NULL, NULL,
	    &ar)) == 0 && !atlas_hexid(conn_str(&ar.doc, pcj_root(&ar.doc),
	    "orgId", org, sizeof(org))))
		e = PC_E_VALUE;
	conn_resp_clear(&ar);
	if (e != 0)
		return e;
	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users/%s",
	    org, o->g.pid);
	if ((e = atlas_call(o->c, "GET", path, ATLAS_V2025, NULL, NULL, NULL,
	    &ar)) == 0 && conn_str(&ar.doc, pcj_root(&ar.doc), "username",
	    user, usz)[0] == '\0')
		e = PC_E_VALUE;
	conn_resp_clear(&ar);
	return e;
}

static int
atlas_project_add(struct kit_op *o, const char *role)
{
	struct conn_resp	ar;
	struct buf		b;
	char			user[1024], path[200];
	int			e;

	if ((e = atlas_username(o, o->g.ent.rid, user, sizeof(user))) != 0)
		return e;
	buf_init(&b, 4096, 0);
	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/users",
	    o->g.ent.rid);
	if ((e = buf_add_str(&b, "{\"username\":")) == 0 &&
	    (e = jw_str(&b, user)) == 0 &&
	    (e = buf_add_str(&b, ",\"roles\":[")) == 0 &&
	    (e = jw_str(&b, role)) == 0 && (e = buf_add_str(&b, "]}")) == 0)
		e = atlas_write(o, "POST", path, ATLAS_V2025, &b, &ar);
	conn_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

static int
atlas_project_role(struct kit_op *o, const char *role, const char *path,
    int nroles)
{
	struct conn_resp	ar;
	struct buf		b;
	char			url[260];
	int			e;

	conn_resp_init(&ar);
	buf_init(&b, 256, 0);
	if (o->revoke && nroles == 1) {
		/* Atlas keeps no member without a role: the last one goes
		 * by removing the member. */
		e = atlas_write(o, "DELETE", path, ATLAS_V2025, NULL, &ar);
	} else {
		(void)fetch_fmt(url, sizeof(url), "%s:%s", path, o->revoke ?
		    "removeRole" : "addRole");
		if ((e = buf_add_str(&b, "{\"groupRole\":")) == 0 &&
		    (e = jw_str(&b, role)) == 0 && (e = buf_add_str(&b,
		    "}")) == 0)
			e = atlas_write(o, "POST", url, ATLAS_V2025, &b, &ar);
	}
	conn_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

int
atlas_project_grant(struct kit_op *o)
{
	struct conn_resp	 ar;
	const char		*role;
	char			 path[200];
	int			 e, roles, has, in;

	if (strncmp(o->g.ent.slug, "admin-", 6) == 0 || strcmp(o->g.ent.slug,
	    "member") == 0)
		return atlas_dbrole_grant(o);
	if ((role = atlas_project_role_name(o->g.ent.slug)) == NULL)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (!atlas_hexid(o->g.ent.rid) || !atlas_hexid(o->g.pid))
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/users/%s",
	    o->g.ent.rid, o->g.pid);
	conn_resp_init(&ar);
	e = atlas_call(o->c, "GET", path, ATLAS_V2025, NULL, NULL, NULL, &ar);
	in = e == 0;
	if (e != 0 && ar.r.status != 404)
		goto out;
	roles = in ? pcj_get(&ar.doc, pcj_root(&ar.doc), "roles") : -1;
	has = in && conn_has(&ar.doc, roles, role);
	if (has == !o->revoke) {
		e = kit_done(o, 1);
		goto out;
	}
	if (!o->revoke && !in)
		e = atlas_project_add(o, role);
	else
		e = atlas_project_role(o, role, path,
		    (int)pcj_count(&ar.doc, roles));
	if (e == 0)
		e = kit_done(o, 0);
out:
	conn_resp_clear(&ar);
	return e;
}

/* ---- database roles ----------------------------------------------- */

struct atlas_dbop {
	char	gid[64], authdb[16], user[1025];	/* the principal */
	char	db[128], role[64];			/* the role */
	char	coll[200];			/* "": the whole database */
};

static int
atlas_dbop_parse(struct kit_op *o, struct atlas_dbop *d)
{
	const char	*p = o->g.pid, *s1, *s2, *last, *at;

	if (strcmp(o->g.ptype, "database_user") != 0)
		return kit_bad_principal(o, "database_user");
	if ((s1 = strchr(p, '/')) == NULL || (s2 = strchr(s1 + 1, '/')) ==
	    NULL || (size_t)(s1 - p) >= sizeof(d->gid) ||
	    (size_t)(s2 - s1 - 1) >= sizeof(d->authdb) ||
	    strlen(s2 + 1) >= sizeof(d->user) || s2[1] == '\0')
		return PC_E_VALUE;
	(void)fetch_fmt(d->gid, sizeof(d->gid), "%.*s", (int)(s1 - p), p);
	(void)fetch_fmt(d->authdb, sizeof(d->authdb), "%.*s",
	    (int)(s2 - s1 - 1), s1 + 1);
	(void)fetch_fmt(d->user, sizeof(d->user), "%s", s2 + 1);
	if (!atlas_hexid(d->gid) || (strcmp(d->authdb, "admin") != 0 &&
	    strcmp(d->authdb, "$external") != 0))
		return PC_E_VALUE;
	if (strcmp(o->g.ent.rtype, "project") == 0) {
		if (strcmp(o->g.ent.slug, "member") == 0) {
			(void)fetch_fmt(o->c->err, sizeof(o->c->err), "project "
			    "membership of a database user follows from the "
			    "user; create or delete the user instead");
			return PC_E_POLICY;
		}
		(void)fetch_fmt(d->db, sizeof(d->db), "admin");
		(void)fetch_fmt(d->role, sizeof(d->role), "%s", o->g.ent.slug + 6);
		return strcmp(o->g.ent.rid, d->gid) == 0 ? 0 : PC_E_VALUE;
	}
	/* database:<gid>/<cluster>/<db>:<role> */
	if ((last = strrchr(o->g.ent.rid, '/')) == NULL ||
	    strncmp(o->g.ent.rid, d->gid, strlen(d->gid)) != 0 ||
	    o->g.ent.rid[strlen(d->gid)] != '/' || strlen(last + 1) >= sizeof(d->db))
		return PC_E_VALUE;
	(void)fetch_fmt(d->db, sizeof(d->db), "%s", last + 1);
	/* <role>@<collection>: a role on one collection of db. */
	if ((at = strchr(o->g.ent.slug, '@')) != NULL) {
		if (at[1] == '\0' || strlen(at + 1) >= sizeof(d->coll) ||
		    (size_t)(at - o->g.ent.slug) >= sizeof(d->role))
			return PC_E_VALUE;
		(void)fetch_fmt(d->coll, sizeof(d->coll), "%s", at + 1);
		(void)fetch_fmt(d->role, sizeof(d->role), "%.*s",
		    (int)(at - o->g.ent.slug), o->g.ent.slug);
		return 0;
	}
	(void)fetch_fmt(d->role, sizeof(d->role), "%s", o->g.ent.slug);
	return 0;
}

/* 1 when role r is role on db (coll "": on the whole database). */
static int
atlas_role_is(const struct pcj_doc *d, int r, const char *db, const char *role,
    const char *coll)
{
	int	c = pcj_get(d, r, "collectionName");

	if (!pcj_str_eq(d, pcj_get(d, r, "databaseName"), db) ||
	    !pcj_str_eq(d, pcj_get(d, r, "roleName"), role))
		return 0;
	return coll[0] == '\0' ? c < 0 || pcj_str_eq(d, c, "") :
	    pcj_str_eq(d, c, coll);
}

/* The PATCH body: the user object with the new role list. */
static int
atlas_dbuser_body(struct buf *b, const struct pcj_doc *d, int u,
    const struct atlas_dbop *x, int revoke, unsigned *left)
{
	static const char *const keep[] = { "awsIAMType", "x509Type",
	    "ldapAuthType", "oidcAuthType", "scopes", "labels",
	    "description", NULL };
	const char	*raw;
	size_t		 len, i;
	int		 roles = pcj_get(d, u, "roles"), r, first = 0, e;

	*left = 0;
	if ((e = buf_printf(b, "{\"databaseName\":\"%s\",\"groupId\":\"%s\","
	    "\"username\":", x->authdb, x->gid)) != 0 ||
	    (e = jw_str(b, x->user)) != 0 || (e = buf_add_str(b,
	    ",\"roles\":[")) != 0)
		return e;
	for (r = pcj_first(d, roles); r >= 0; r = pcj_next(d, r)) {
		if (revoke && atlas_role_is(d, r, x->db, x->role, x->coll))
			continue;
		if ((raw = pcj_raw(d, r, &len)) == NULL)
			continue;
		if ((e = buf_printf(b, "%s%.*s", (*left)++ ? "," : "",
		    (int)len, raw)) != 0)
			return e;
	}
	if (!revoke && ((e = buf_printf(b, "%s{\"databaseName\":", *left ?
	    "," : "")) != 0 || (e = jw_str(b, x->db)) != 0 ||
	    (e = buf_add_str(b, ",\"roleName\":")) != 0 ||
	    (e = jw_str(b, x->role)) != 0 || (x->coll[0] != '\0' &&
	    ((e = buf_add_str(b, ",\"collectionName\":")) != 0 ||
	    (e = jw_str(b, x->coll)) != 0)) || (e = buf_add_str(b, "}")) != 0))
		return e;
	if ((e = buf_add_str(b, "]")) != 0)
		return e;
	for (i = 0; keep[i] != NULL; i++)
		if ((e = atlas_copy_raw(b, d, u, keep[i], &first)) != 0)
			return e;
	return buf_add_str(b, "}");
}

/* After a revoke: nothing left, or only read@admin and the flag set. */
static int
atlas_dbuser_empty(const struct pcj_doc *d, int u, const struct atlas_dbop *x,
    int del_read_only)
{
	int	roles = pcj_get(d, u, "roles"), r, n = 0, ro = 0;

	for (r = pcj_first(d, roles); r >= 0; r = pcj_next(d, r)) {
		if (atlas_role_is(d, r, x->db, x->role, x->coll))
			continue;
		n++;
		ro += atlas_role_is(d, r, "admin", "read", "");
	}
	return n == 0 || (n == 1 && ro == 1 && del_read_only);
}

int
atlas_dbrole_grant(struct kit_op *o)
{
	struct conn_resp	ar, w;
	struct atlas_dbop	x;
	struct buf		b;
	char			seg[3200], path[3400];
	unsigned		left;
	int			e, u, has = 0, r, gone;

	memset(&x, 0, sizeof(x));
	if ((e = atlas_dbop_parse(o, &x)) != 0)
		return e;
	if (strcmp(o->g.ent.rtype, "database") == 0 && strcmp(x.role, "read") != 0 &&
	    strcmp(x.role, "readWrite") != 0 && strcmp(x.role, "dbAdmin") != 0)
		return PC_E_NOTFOUND;
	if (jw_path_seg(seg, sizeof(seg), x.user) != 0)
		return PC_E_TOOBIG;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/"
	    "databaseUsers/%s/%s", x.gid, strcmp(x.authdb, "admin") == 0 ?
	    "admin" : "%24external", seg);
	conn_resp_init(&ar);
	conn_resp_init(&w);
	buf_init(&b, 256 * 1024, 0);
	if ((e = atlas_current(o, path, ATLAS_V2023, &ar, &gone)) != 0 || gone)
		goto out;
	u = pcj_root(&ar.doc);
	for (r = pcj_first(&ar.doc, pcj_get(&ar.doc, u, "roles")); r >= 0;
	    r = pcj_next(&ar.doc, r))
		has |= atlas_role_is(&ar.doc, r, x.db, x.role, x.coll);
	if (has == !o->revoke) {
		e = kit_done(o, 1);
		goto out;
	}
	if (o->revoke && atlas_dbuser_empty(&ar.doc, u, &x,
	    ATLAS(o->c)->del_read_only))
		e = atlas_write(o, "DELETE", path, ATLAS_V2023, NULL, &w);
	else if ((e = atlas_dbuser_body(&b, &ar.doc, u, &x, o->revoke,
	    &left)) == 0)
		e = atlas_write(o, "PATCH", path, ATLAS_V2023, &b, &w);
	if (e == 0)
		e = kit_done(o, 0);
out:
	buf_clear(&b);
	conn_resp_clear(&w);
	conn_resp_clear(&ar);
	return e;
}
