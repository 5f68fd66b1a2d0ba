/*
 * Runs in: the Atlas fetcher. Input: database-user pages (untrusted).
 * Users of `admin` (SCRAM) and `$external` (IAM, X.509, LDAP, OIDC) are
 * both listed; ids are `<groupId>/<databaseName>/<username>`, unique
 * across projects (baton keyed them by user name alone). Listed beside
 * the project's custom roles and clusters: a user's resource and grants
 * are emitted as its page comes, its roles on other databases kept for
 * the clusters' databases, shown when the last page is in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"

#define ATLAS_DBROLES_MAX	(1024 * 1024)	/* per project */
#define ATLAS_ADMIN_MAX		4096	/* custom roles and others, per project */

static const char *
atlas_auth_type(const struct pcj_doc *d, int u, char *buf, size_t bufsz)
{
	static const char *const keys[][2] = {
		{ "awsIAMType", "AWS_IAM" }, { "x509Type", "X509" },
		{ "ldapAuthType", "LDAP" }, { "oidcAuthType", "OIDC" },
	};
	char	v[32];
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (conn_str(d, u, keys[i][0], v, sizeof(v))[0] != '\0' &&
		    strcmp(v, "NONE") != 0) {
			(void)fetch_fmt(buf, bufsz, "%s_%s", keys[i][1], v);
			return buf;
		}
	}
	return "SCRAM-SHA";
}

int
atlas_name_ok(const char *s, size_t max)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n >= max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ':' ||
		    s[i] == '/')
			return 0;
	return 1;
}

int
atlas_dbrole_reaches(const struct atlas_dbrole *x, const char *name)
{
	char	pat[140];

	if (x->scopes == NULL)
		return 1;
	(void)fetch_fmt(pat, sizeof(pat), "\n%s\n", name);
	return strstr(x->scopes, pat) != NULL;
}

int
atlas_names_add(struct atlas_names *l, const char *name)
{
	char	**n;
	size_t	  i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 0;
	if (l->n >= ATLAS_ADMIN_MAX)
		return PC_E_TOOBIG;
	if ((n = reallocarray(l->v, l->n + 1, sizeof(*n))) == NULL)
		return PC_E_NOMEM;
	l->v = n;
	if ((n[l->n] = strdup(name)) == NULL)
		return PC_E_NOMEM;
	l->n++;
	return 1;
}

void
atlas_names_clear(struct atlas_names *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
atlas_dbrole_keep(struct atlas_proj *p, const char *user, const char *db,
    const char *slug, const char *scopes)
{
	struct atlas_dbrole	*n;

	if (p->n >= ATLAS_DBROLES_MAX)
		return PC_E_TOOBIG;
	if ((n = reallocarray(p->r, p->n + 1, sizeof(*n))) == NULL)
		return PC_E_NOMEM;
	p->r = n;
	n += p->n;
	(void)fetch_fmt(n->user, sizeof(n->user), "%s", user);
	(void)fetch_fmt(n->db, sizeof(n->db), "%s", db);
	(void)fetch_fmt(n->slug, sizeof(n->slug), "%s", slug);
	n->scopes = NULL;
	if (scopes != NULL && (n->scopes = strdup(scopes)) == NULL)
		return PC_E_NOMEM;
	p->n++;
	return 0;
}

static int
atlas_in(const char *const *set, const char *s)
{
	for (; *set != NULL; set++)
		if (strcmp(*set, s) == 0)
			return 1;
	return 0;
}

/*
 * The clusters a scoped user reaches: "\n<name>\n..." into dst (a
 * DATA_LAKE or STREAM scope reaches no cluster), or NULL: no scopes,
 * every cluster of the project.
 */
static const char *
atlas_scopes(const struct pcj_doc *d, int u, char *dst, size_t dstsz)
{
	int	sc = pcj_get(d, u, "scopes"), i;
	size_t	len = 1;
	char	name[80], type[16];

	if (pcj_count(d, sc) == 0)
		return NULL;
	(void)fetch_fmt(dst, dstsz, "\n");
	for (i = pcj_first(d, sc); i >= 0; i = pcj_next(d, i)) {
		(void)conn_str(d, i, "type", type, sizeof(type));
		if (strcmp(type, "CLUSTER") != 0 || !atlas_name_ok(conn_str(d, i,
		    "name", name, sizeof(name)), sizeof(name)) ||
		    len + strlen(name) + 2 > dstsz)
			continue;
		len += (size_t)snprintf(dst + len, dstsz - len, "%s\n", name);
	}
	return dst;
}

int
atlas_admin_ent(struct conn *c, struct atlas_proj *p, const char *role)
{
	char	slug[ATLAS_SLUG_MAX], disp[300];
	int	e;

	if (!p->roles_in)
		return (e = atlas_names_add(&p->later, role)) < 0 ? e : 0;
	if ((e = atlas_names_add(&p->admin, role)) <= 0)
		return e;		/* a custom role's, or made already */
	(void)fetch_fmt(slug, sizeof(slug), "admin-%s", role);
	(void)fetch_fmt(disp, sizeof(disp), "project %s@admin", role);
	return emit_ent(c->f, "project", p->gid, slug, disp,
	    REC_PURPOSE_ASSIGNMENT, "database_user", "database role on admin");
}

/*
 * A role on admin: a project grant, at once; the entitlement of one not
 * built in is made when the custom roles are in (atlas_admin_ent).
 */
static int
atlas_admin_grant(struct conn *c, struct atlas_proj *p, const char *role,
    const char *id)
{
	char	slug[ATLAS_SLUG_MAX];
	int	e;

	if (fetch_fmt(slug, sizeof(slug), "admin-%s", role) != 0)
		return 0;
	if (!atlas_in(atlas_admin_roles, role) &&
	    (e = atlas_admin_ent(c, p, role)) != 0)
		return e;
	return emit_grant(c->f, "project", p->gid, slug, "database_user", id, 0);
}

/*
 * Every role of the user: one on admin (the whole database) is a project
 * grant; any other, collection-scoped ones too, is kept for the
 * databases of the clusters the user reaches.
 */
static int
atlas_dbuser_roles(struct conn *c, const struct pcj_doc *d, int u,
    struct atlas_proj *p, const char *id)
{
	char		 db[128], role[64], coll[200], slug[ATLAS_SLUG_MAX];
	char		 scbuf[4096];
	const char	*scopes = atlas_scopes(d, u, scbuf, sizeof(scbuf));
	int		 roles = pcj_get(d, u, "roles"), i, e, cv;
	size_t		 len;

	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		(void)conn_str(d, i, "databaseName", db, sizeof(db));
		(void)conn_str(d, i, "roleName", role, sizeof(role));
		(void)conn_str(d, i, "collectionName", coll, sizeof(coll));
		/* A collection name that does not fit is not the database. */
		if (coll[0] == '\0' && (cv = pcj_get(d, i,
		    "collectionName")) >= 0 && (pcj_raw(d, cv, &len) == NULL ||
		    len != 2)) {
			coll[0] = '\x01';
			coll[1] = '\0';
		}
		if (!atlas_name_ok(db, sizeof(db)) ||
		    !atlas_name_ok(role, sizeof(role)) || strchr(role, '@') ||
		    (coll[0] != '\0' && !atlas_name_ok(coll, sizeof(coll)))) {
			fetch_log(c->f, 1, "database user %s: a role that cannot "
			    "be named is left out", id);
			continue;
		}
		if (strcmp(db, "admin") == 0 && coll[0] == '\0') {
			if ((e = atlas_admin_grant(c, p, role, id)) != 0)
				return e;
			continue;
		}
		if (fetch_fmt(slug, sizeof(slug), "%s%s%s", role, coll[0] ?
		    "@" : "", coll) != 0)
			continue;
		if ((e = atlas_dbrole_keep(p, id, db, slug, scopes)) != 0)
			return e;
	}
	return 0;
}

static int
atlas_dbuser_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct atlas_proj	*p = arg;
	struct emit_res		 r = { .rtype = "database_user",
				    .ptype = "project", .traits = REC_TRAIT_USER,
				    .status = REC_STATUS_ENABLED,
				    .flags = REC_F_SERVICE };
	char			 user[1025], db[32], id[ATLAS_ID_MAX], auth[48];
	int			 e;

	if (conn_str(d, u, "username", user, sizeof(user))[0] == '\0')
		return 0;
	(void)conn_str(d, u, "databaseName", db, sizeof(db));
	if (strcmp(db, "admin") != 0 && strcmp(db, "$external") != 0)
		return 0;
	(void)fetch_fmt(id, sizeof(id), "%s/%s/%s", p->gid, db, user);
	const struct emit_kv prof[] = {
		{ "username", user, 0 }, { "auth_database", db, 0 },
		{ "auth_type", atlas_auth_type(d, u, auth, sizeof(auth)), 0 },
	};

	r.id = id;
	r.pid = p->gid;
	r.name = user;
	r.login = user;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_grant(c->f, "project", p->gid, "member", "database_user",
	    id, REC_F_IMMUTABLE)) != 0)
		return e;
	return atlas_dbuser_roles(c, d, u, p, id);
}

/* The roles are in: the clusters' databases can be granted now. */
static int
atlas_dbusers_end(struct conn *c, void *arg)
{
	struct atlas_proj	*p = arg;

	p->users_in = 1;
	return atlas_clusters_ready(c, p);
}

/* The listing is over, in success or failure: users lets go of p. */
static void
atlas_dbusers_out(void *obj)
{
	struct atlas_proj	*p = obj;

	atlas_clusters_unwait(p);
	conn_ref_drop(&p->ref);
}

int
atlas_dbusers_sync(struct conn *c, struct atlas_proj *p)
{
	char	path[256];
	int	e;

	(void)fetch_fmt(path, sizeof(path),
	    "/api/atlas/v2/groups/%s/databaseUsers", p->gid);
	p->users.release = atlas_dbusers_out;
	p->users.obj = p;
	conn_ref_hold(&p->ref);
	conn_ref_hold(&p->users);
	e = atlas_list(c, path, ATLAS_V2023, 1, atlas_dbuser_item,
	    atlas_dbusers_end, p, &p->users);
	conn_ref_drop(&p->users);
	return e;
}
