/*
 * Runs in: the Atlas fetcher. Input: database-user pages (untrusted).
 * Users of `admin` (SCRAM) and `$external` (IAM, X.509, LDAP, OIDC) are
 * both listed; ids are `<groupId>/<databaseName>/<username>`, unique
 * across projects (baton keyed them by user name alone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"

#define ATLAS_DBROLES_MAX	(1024 * 1024)	/* per project */

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

static int
atlas_dbrole_keep(struct atlas_proj *p, const char *user, const char *db,
    const char *role)
{
	struct atlas_dbrole	*n;

	if (p->n >= ATLAS_DBROLES_MAX)
		return PC_E_TOOBIG;
	if ((n = reallocarray(p->r, p->n + 1, sizeof(*n))) == NULL)
		return PC_E_NOMEM;
	p->r = n;
	(void)fetch_fmt(n[p->n].user, sizeof(n[p->n].user), "%s", user);
	(void)fetch_fmt(n[p->n].db, sizeof(n[p->n].db), "%s", db);
	(void)fetch_fmt(n[p->n].role, sizeof(n[p->n].role), "%s", role);
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

/* admin roles become project grants; others are kept for databases. */
static int
atlas_dbuser_roles(struct conn *c, const struct pcj_doc *d, int u,
    struct atlas_proj *p, const char *id)
{
	char	db[128], role[64], coll[8], slug[80];
	int	roles = pcj_get(d, u, "roles"), i, e;

	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		(void)conn_str(d, i, "databaseName", db, sizeof(db));
		(void)conn_str(d, i, "roleName", role, sizeof(role));
		(void)conn_str(d, i, "collectionName", coll, sizeof(coll));
		/* A role on one collection is not a role on the database. */
		if (db[0] == '\0' || role[0] == '\0' || coll[0] != '\0' ||
		    pcj_get(d, i, "collectionName") >= 0)
			continue;
		if (strcmp(db, "admin") == 0) {
			if (!atlas_in(atlas_admin_roles, role))
				continue;
			(void)fetch_fmt(slug, sizeof(slug), "admin-%s", role);
			if ((e = emit_grant(c->f, "project", p->gid, slug,
			    "database_user", id, 0)) != 0)
				return e;
		} else if (atlas_in(atlas_db_roles, role) &&
		    (e = atlas_dbrole_keep(p, id, db, role)) != 0)
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
	return atlas_clusters_sync(c, arg);
}

int
atlas_dbusers_sync(struct conn *c, struct atlas_proj *p)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path),
	    "/api/atlas/v2/groups/%s/databaseUsers", p->gid);
	return atlas_list(c, path, ATLAS_V2023, 1, atlas_dbuser_item,
	    atlas_dbusers_end, p, &p->ref);
}
