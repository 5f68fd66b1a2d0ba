/*
 * Runs in: the Atlas fetcher. Input: the task (login, e-mail, profile
 * JSON from the operator) and Atlas answers (untrusted). Creates an
 * optional org invitation and a database user; a SCRAM password is made
 * by the broker from a secret slot and never reaches this process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

/* authType -> database and the field that selects it. */
static const struct {
	const char	*type, *db, *field, *value;
} atlas_auth_types[] = {
	{ "SCRAM-SHA",		"admin",	NULL,		NULL },
	{ "AWS_IAM_USER",	"$external",	"awsIAMType",	"USER" },
	{ "X509_CUSTOMER",	"$external",	"x509Type",	"CUSTOMER" },
	{ "X509_MANAGED",	"$external",	"x509Type",	"MANAGED" },
	{ "LDAP_USER",		"$external",	"ldapAuthType",	"USER" },
	{ "OIDC_WORKLOAD",	"$external",	"oidcAuthType",	"USER" },
};

struct atlas_acct {
	struct pcj_doc	 doc;
	int		 root;
	char		 org[64], gid[64], email[330], type[32];
	const char	*login;
	size_t		 auth;
};

static int
atlas_acct_parse(struct conn *c, struct atlas_acct *ac)
{
	const struct task_msg	*t = &c->f->task;
	const char		*prof = t->profile[0] != '\0' ? t->profile : "{}";
	size_t			 i;

	if (pcj_parse(&ac->doc, prof, strlen(prof), NULL) != 0 ||
	    pcj_type(&ac->doc, (ac->root = pcj_root(&ac->doc))) != PCJ_OBJECT) {
		(void)fetch_fmt(c->err, sizeof(c->err), "--create-account-profile"
		    ": not a JSON object (offset %zu: %s)", ac->doc.off,
		    ac->doc.why ? ac->doc.why : "?");
		return PC_E_VALUE;
	}
	ac->login = t->login[0] != '\0' ? t->login : "";
	(void)conn_str(&ac->doc, ac->root, "organizationId", ac->org,
	    sizeof(ac->org));
	(void)conn_str(&ac->doc, ac->root, "groupId", ac->gid, sizeof(ac->gid));
	(void)conn_str(&ac->doc, ac->root, "email", ac->email, sizeof(ac->email));
	if (t->email[0] != '\0')
		(void)fetch_fmt(ac->email, sizeof(ac->email), "%s", t->email);
	if (conn_str(&ac->doc, ac->root, "authType", ac->type,
	    sizeof(ac->type))[0] == '\0')
		(void)fetch_fmt(ac->type, sizeof(ac->type), "SCRAM-SHA");
	for (i = 0; i < sizeof(atlas_auth_types) / sizeof(atlas_auth_types[0]);
	    i++)
		if (strcmp(ac->type, atlas_auth_types[i].type) == 0)
			break;
	ac->auth = i;
	if (ac->login[0] == '\0' || !atlas_hexid(ac->gid))
		(void)fetch_fmt(c->err, sizeof(c->err), "create account needs "
		    "--create-account-login and a profile with a 24-hex "
		    "\"groupId\"");
	else if (i == sizeof(atlas_auth_types) / sizeof(atlas_auth_types[0]))
		(void)fetch_fmt(c->err, sizeof(c->err), "authType \"%s\" is not "
		    "one of SCRAM-SHA, AWS_IAM_USER, X509_CUSTOMER, X509_MANAGED, "
		    "LDAP_USER, OIDC_WORKLOAD", ac->type);
	return c->err[0] != '\0' ? PC_E_VALUE : 0;
}

/* String array member key as JSON, or dflt ("[...]"). */
static int
atlas_acct_list(struct buf *b, const struct atlas_acct *ac, const char *key,
    const char *dflt)
{
	const char	*raw;
	size_t		 len;
	int		 v = pcj_get(&ac->doc, ac->root, key), i;

	if (pcj_type(&ac->doc, v) != PCJ_ARRAY)
		return buf_add_str(b, dflt);
	for (i = pcj_first(&ac->doc, v); i >= 0; i = pcj_next(&ac->doc, i))
		if (pcj_type(&ac->doc, i) != PCJ_STRING)
			return PC_E_VALUE;
	raw = pcj_raw(&ac->doc, v, &len);
	return raw != NULL ? buf_add(b, raw, len) : PC_E_VALUE;
}

static int
atlas_invite(struct conn *c, struct atlas_acct *ac)
{
	struct conn_resp	ar;
	struct buf		b;
	char			path[128];
	int			e;

	if (!atlas_hexid(ac->org)) {
		(void)fetch_fmt(c->err, sizeof(c->err), "the invitation needs "
		    "\"organizationId\" in the profile");
		return PC_E_VALUE;
	}
	buf_init(&b, 16 * 1024, 0);
	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users", ac->org);
	if ((e = buf_add_str(&b, "{\"username\":")) == 0 &&
	    (e = jw_str(&b, ac->email)) == 0 &&
	    (e = buf_add_str(&b, ",\"roles\":{\"orgRoles\":")) == 0 &&
	    (e = atlas_acct_list(&b, ac, "roles", "[\"ORG_MEMBER\"]")) == 0 &&
	    (e = buf_add_str(&b, ",\"groupRoleAssignments\":[]},\"teamIds\":"))
	    == 0 && (e = atlas_acct_list(&b, ac, "teamIds", "[]")) == 0 &&
	    (e = buf_add_str(&b, "}")) == 0)
		e = atlas_call(c, "POST", path, ATLAS_V2025, &b,
		    "create_account", ac->email, &ar);
	/* Already a member or invited: the reference goes on, so do we. */
	if (e == PC_E_REMOTE && ar.r.status == 409) {
		fetch_log(c->f, 2, "%s is already in the organization",
		    ac->email);
		c->err[0] = '\0';
		e = 0;
	}
	conn_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

static int
atlas_dbuser_create(struct conn *c, struct atlas_acct *ac, int *exists)
{
	struct conn_call	 call = { .method = "POST", .accept = ATLAS_V2023,
				    .ctype = ATLAS_V2023, .op = "create_account" };
	struct conn_resp	 ar;
	struct buf		 b;
	char			 path[128];
	const char		*db = atlas_auth_types[ac->auth].db;
	int			 e;

	buf_init(&b, 16 * 1024, 0);
	conn_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/"
	    "databaseUsers", ac->gid);
	call.target = ac->login;
	if ((e = buf_printf(&b, "{\"databaseName\":\"%s\",\"groupId\":\"%s\","
	    "\"username\":", db, ac->gid)) == 0 &&
	    (e = jw_str(&b, ac->login)) == 0 &&
	    (e = buf_add_str(&b, ",\"roles\":[{\"databaseName\":\"admin\","
	    "\"roleName\":\"read\"}]")) == 0) {
		if (atlas_auth_types[ac->auth].field != NULL)
			e = buf_printf(&b, ",\"%s\":\"%s\"}",
			    atlas_auth_types[ac->auth].field,
			    atlas_auth_types[ac->auth].value);
		else {
			/* The broker fills the slot; we never see it. */
			e = buf_add_str(&b, ",\"password\":"
			    "\"{{secret:new_password}}\"}");
			call.slot = "new_password:atlas-scram";
		}
	}
	call.path = path;
	call.body = b.p;
	call.len = b.len;
	if (e == 0)
		e = conn_call(c, &call, &ar);
	*exists = e == PC_E_REMOTE && ar.r.status == 409;
	conn_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

int
atlas_create_account(struct conn *c)
{
	struct atlas_acct	ac;
	int			e, exists = 0;

	memset(&ac, 0, sizeof(ac));
	if ((e = atlas_acct_parse(c, &ac)) != 0)
		goto out;
	if (ATLAS(c)->invite && ac.email[0] != '\0' && (e = atlas_invite(c, &ac)) != 0)
		goto out;
	if ((e = atlas_dbuser_create(c, &ac, &exists)) != 0 && !exists)
		goto out;
	fetch_result(c->f, "%s database user %s/%s/%s (%s)%s", exists ?
	    "already exists:" : "created", ac.gid, atlas_auth_types[ac.auth].db,
	    ac.login, ac.type, exists || ac.auth != 0 ? "" :
	    "; its password was sealed by the broker");
	e = 0;
out:
	pcj_free(&ac.doc);
	return e;
}

static int
atlas_delete_dbuser(struct conn *c, const char *rid)
{
	struct conn_resp	 ar;
	char			 gid[64], seg[3200], path[3400];
	const char		*s1 = strchr(rid, '/'), *s2;
	int			 ext, e;

	if (s1 == NULL || (size_t)(s1 - rid) >= sizeof(gid) ||
	    (s2 = strchr(s1 + 1, '/')) == NULL || s2[1] == '\0')
		return PC_E_VALUE;
	(void)fetch_fmt(gid, sizeof(gid), "%.*s", (int)(s1 - rid), rid);
	ext = strncmp(s1 + 1, "$external/", 10) == 0;
	if (!atlas_hexid(gid) || (!ext && strncmp(s1 + 1, "admin/", 6) != 0) ||
	    jw_path_seg(seg, sizeof(seg), s2 + 1) != 0)
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/"
	    "databaseUsers/%s/%s", gid, ext ? "%24external" : "admin", seg);
	conn_resp_init(&ar);
	e = atlas_call(c, "DELETE", path, ATLAS_V2023, NULL, "delete", rid, &ar);
	if (e == PC_E_REMOTE && ar.r.status == 404) {
		fetch_result(c->f, "already deleted: database_user %s", rid);
		e = 0;
	} else if (e == 0)
		fetch_result(c->f, "deleted database_user %s", rid);
	conn_resp_clear(&ar);
	return e;
}

/* The organizations the key sees, to look for an org user in. */
struct atlas_orgs {
	char	(*id)[32];
	size_t	 n;
};

static int
atlas_org_id_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_orgs	*l = arg;
	char			 org[64], (*n)[32];

	if (!atlas_hexid(conn_str(d, o, "id", org, sizeof(org))))
		return 0;
	if (l->n >= 100000 || (n = reallocarray(l->id, l->n + 1,
	    sizeof(*n))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	l->id = n;
	(void)fetch_fmt(n[l->n++], sizeof(n[0]), "%s", org);
	return 0;
}

/* An org user's id says nothing of its org: try each org we see. */
static int
atlas_delete_user(struct conn *c, const char *uid)
{
	struct atlas_orgs	 l = { NULL, 0 };
	struct conn_resp	 ar;
	char			 path[200];
	size_t			 i;
	int			 e;

	if ((e = atlas_list(c, "/api/atlas/v2/orgs", ATLAS_V2023, 1,
	    atlas_org_id_item, NULL, &l, NULL)) != 0 || (e = conn_run(c)) != 0) {
		free(l.id);
		return e;
	}
	conn_resp_init(&ar);
	for (i = 0; i < l.n && e == 0; i++) {
		(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/"
		    "users/%s", l.id[i], uid);
		if ((e = atlas_call(c, "GET", path, ATLAS_V2025, NULL, NULL,
		    NULL, &ar)) == 0) {
			if ((e = atlas_call(c, "DELETE", path, ATLAS_V2025, NULL,
			    "delete", uid, &ar)) == 0)
				fetch_result(c->f, "deleted user %s from "
				    "organization %s", uid, l.id[i]);
		} else if (ar.r.status == 404) {
			c->err[0] = '\0';
			e = 0;
		}
	}
	conn_resp_clear(&ar);
	free(l.id);
	return e;
}

int
atlas_delete(struct conn *c)
{
	const struct task_msg	*t = &c->f->task;
	int			 e;

	if (t->rid[0] == '\0' || t->rtype[0] == '\0')
		return PC_E_MISSING;
	if (strcmp(t->rtype, "database_user") == 0)
		return atlas_delete_dbuser(c, t->rid);
	if (strcmp(t->rtype, "user") == 0) {
		if (!atlas_hexid(t->rid))
			return PC_E_VALUE;
		if ((e = atlas_delete_user(c, t->rid)) != 0)
			return e;
		if (c->f->result[0] == '\0')
			fetch_result(c->f, "already deleted: user %s is in no "
			    "organization", t->rid);
		return 0;
	}
	(void)fetch_fmt(c->err, sizeof(c->err), "Atlas deletes user and "
	    "database_user resources, not \"%s\"", t->rtype);
	return PC_E_VALUE;
}
