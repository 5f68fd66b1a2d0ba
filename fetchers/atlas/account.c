/*
 * Runs in: the Atlas fetcher. Input: the task (login, e-mail, profile
 * JSON from the operator) and Atlas answers (untrusted). Creates an
 * optional org invitation and a database user; a SCRAM password is made
 * by the broker from a secret slot and never reaches this process.
 */
#include <stdio.h>
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
atlas_acct_parse(struct atlas *a, struct atlas_acct *c)
{
	const struct task	*t = &a->f->task;
	const char		*prof = t->profile != NULL ? t->profile : "{}";
	size_t			 i;

	if (pcj_parse(&c->doc, prof, strlen(prof), NULL) != 0 ||
	    pcj_type(&c->doc, (c->root = pcj_root(&c->doc))) != PCJ_OBJECT) {
		(void)fetch_fmt(a->err, sizeof(a->err), "--create-account-profile"
		    ": not a JSON object (offset %zu: %s)", c->doc.off,
		    c->doc.why ? c->doc.why : "?");
		return PC_E_VALUE;
	}
	c->login = t->login != NULL ? t->login : "";
	(void)atlas_str(&c->doc, c->root, "organizationId", c->org,
	    sizeof(c->org));
	(void)atlas_str(&c->doc, c->root, "groupId", c->gid, sizeof(c->gid));
	(void)atlas_str(&c->doc, c->root, "email", c->email, sizeof(c->email));
	if (t->email != NULL)
		(void)fetch_fmt(c->email, sizeof(c->email), "%s", t->email);
	if (atlas_str(&c->doc, c->root, "authType", c->type,
	    sizeof(c->type))[0] == '\0')
		(void)fetch_fmt(c->type, sizeof(c->type), "SCRAM-SHA");
	for (i = 0; i < sizeof(atlas_auth_types) / sizeof(atlas_auth_types[0]);
	    i++)
		if (strcmp(c->type, atlas_auth_types[i].type) == 0)
			break;
	c->auth = i;
	if (c->login[0] == '\0' || !atlas_hexid(c->gid))
		(void)fetch_fmt(a->err, sizeof(a->err), "create account needs "
		    "--create-account-login and a profile with a 24-hex "
		    "\"groupId\"");
	else if (i == sizeof(atlas_auth_types) / sizeof(atlas_auth_types[0]))
		(void)fetch_fmt(a->err, sizeof(a->err), "authType \"%s\" is not "
		    "one of SCRAM-SHA, AWS_IAM_USER, X509_CUSTOMER, X509_MANAGED, "
		    "LDAP_USER, OIDC_WORKLOAD", c->type);
	return a->err[0] != '\0' ? PC_E_VALUE : 0;
}

/* String array member key as JSON, or dflt ("[...]"). */
static int
atlas_acct_list(struct buf *b, const struct atlas_acct *c, const char *key,
    const char *dflt)
{
	const char	*raw;
	size_t		 len;
	int		 v = pcj_get(&c->doc, c->root, key), i;

	if (pcj_type(&c->doc, v) != PCJ_ARRAY)
		return buf_add_str(b, dflt);
	for (i = pcj_first(&c->doc, v); i >= 0; i = pcj_next(&c->doc, i))
		if (pcj_type(&c->doc, i) != PCJ_STRING)
			return PC_E_VALUE;
	raw = pcj_raw(&c->doc, v, &len);
	return raw != NULL ? buf_add(b, raw, len) : PC_E_VALUE;
}

static int
atlas_invite(struct atlas *a, struct atlas_acct *c)
{
	struct atlas_resp	ar;
	struct buf		b;
	char			path[128];
	int			e;

	if (!atlas_hexid(c->org)) {
		(void)fetch_fmt(a->err, sizeof(a->err), "the invitation needs "
		    "\"organizationId\" in the profile");
		return PC_E_VALUE;
	}
	buf_init(&b, 16 * 1024, 0);
	atlas_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users", c->org);
	if ((e = buf_add_str(&b, "{\"username\":")) == 0 &&
	    (e = jw_str(&b, c->email)) == 0 &&
	    (e = buf_add_str(&b, ",\"roles\":{\"orgRoles\":")) == 0 &&
	    (e = atlas_acct_list(&b, c, "roles", "[\"ORG_MEMBER\"]")) == 0 &&
	    (e = buf_add_str(&b, ",\"groupRoleAssignments\":[]},\"teamIds\":"))
	    == 0 && (e = atlas_acct_list(&b, c, "teamIds", "[]")) == 0 &&
	    (e = buf_add_str(&b, "}")) == 0)
		e = atlas_call(a, "POST", path, ATLAS_V2025, &b,
		    "create_account", c->email, &ar);
	/* Already a member or invited: the reference goes on, so do we. */
	if (e == PC_E_REMOTE && ar.r.status == 409) {
		fetch_log(a->f, 2, "%s is already in the organization",
		    c->email);
		a->err[0] = '\0';
		e = 0;
	}
	atlas_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

static int
atlas_dbuser_create(struct atlas *a, struct atlas_acct *c, int *exists)
{
	struct atlas_resp	 ar;
	struct buf		 b;
	char			 path[128];
	const char		*db = atlas_auth_types[c->auth].db;
	int			 e;

	buf_init(&b, 16 * 1024, 0);
	atlas_resp_init(&ar);
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/groups/%s/"
	    "databaseUsers", c->gid);
	if ((e = buf_printf(&b, "{\"databaseName\":\"%s\",\"groupId\":\"%s\","
	    "\"username\":", db, c->gid)) == 0 &&
	    (e = jw_str(&b, c->login)) == 0 &&
	    (e = buf_add_str(&b, ",\"roles\":[{\"databaseName\":\"admin\","
	    "\"roleName\":\"read\"}]")) == 0) {
		if (atlas_auth_types[c->auth].field != NULL)
			e = buf_printf(&b, ",\"%s\":\"%s\"}",
			    atlas_auth_types[c->auth].field,
			    atlas_auth_types[c->auth].value);
		else {
			/* The broker fills the slot; we never see it. */
			e = buf_add_str(&b, ",\"password\":"
			    "\"{{secret:new_password}}\"}");
			a->slot = "new_password:atlas-scram";
		}
	}
	if (e == 0)
		e = atlas_call(a, "POST", path, ATLAS_V2023, &b,
		    "create_account", c->login, &ar);
	a->slot = NULL;
	*exists = e == PC_E_REMOTE && ar.r.status == 409;
	atlas_resp_clear(&ar);
	buf_clear(&b);
	return e;
}

int
atlas_create_account(struct atlas *a)
{
	struct atlas_acct	c;
	int			e, exists = 0;

	memset(&c, 0, sizeof(c));
	if ((e = atlas_acct_parse(a, &c)) != 0)
		goto out;
	if (a->invite && c.email[0] != '\0' && (e = atlas_invite(a, &c)) != 0)
		goto out;
	if ((e = atlas_dbuser_create(a, &c, &exists)) != 0 && !exists)
		goto out;
	fetch_result(a->f, "%s database user %s/%s/%s (%s)%s", exists ?
	    "already exists:" : "created", c.gid, atlas_auth_types[c.auth].db,
	    c.login, c.type, exists || c.auth != 0 ? "" :
	    "; its password was sealed by the broker");
	e = 0;
out:
	pcj_free(&c.doc);
	return e;
}

static int
atlas_delete_dbuser(struct atlas *a, const char *rid)
{
	struct atlas_resp	 ar;
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
	atlas_resp_init(&ar);
	e = atlas_call(a, "DELETE", path, ATLAS_V2023, NULL, "delete", rid, &ar);
	if (e == PC_E_REMOTE && ar.r.status == 404) {
		fetch_result(a->f, "already deleted: database_user %s", rid);
		e = 0;
	} else if (e == 0)
		fetch_result(a->f, "deleted database_user %s", rid);
	atlas_resp_clear(&ar);
	return e;
}

/* An org user's id says nothing of its org: try each org we see. */
static int
atlas_delete_user_item(struct atlas *a, const struct pcj_doc *d, int o,
    void *arg)
{
	struct atlas_resp	 ar;
	const char		*uid = arg;
	char			 org[64], path[200];
	int			 e;

	if (!atlas_hexid(atlas_str(d, o, "id", org, sizeof(org))))
		return 0;
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users/%s",
	    org, uid);
	atlas_resp_init(&ar);
	if ((e = atlas_call(a, "GET", path, ATLAS_V2025, NULL, NULL, NULL,
	    &ar)) == 0) {
		atlas_resp_clear(&ar);
		atlas_resp_init(&ar);
		if ((e = atlas_call(a, "DELETE", path, ATLAS_V2025, NULL,
		    "delete", uid, &ar)) == 0)
			fetch_result(a->f, "deleted user %s from organization %s",
			    uid, org);
	} else if (ar.r.status == 404) {
		a->err[0] = '\0';
		e = 0;
	}
	atlas_resp_clear(&ar);
	return e;
}

int
atlas_delete(struct atlas *a)
{
	const struct task	*t = &a->f->task;

	if (t->rid == NULL || t->rtype == NULL)
		return PC_E_MISSING;
	if (strcmp(t->rtype, "database_user") == 0)
		return atlas_delete_dbuser(a, t->rid);
	if (strcmp(t->rtype, "user") == 0) {
		int e;

		if (!atlas_hexid(t->rid))
			return PC_E_VALUE;
		if ((e = atlas_list(a, "/api/atlas/v2/orgs", ATLAS_V2023, 1,
		    atlas_delete_user_item, t->rid)) != 0)
			return e;
		if (a->f->result[0] == '\0')
			fetch_result(a->f, "already deleted: user %s is in no "
			    "organization", t->rid);
		return 0;
	}
	(void)fetch_fmt(a->err, sizeof(a->err), "Atlas deletes user and "
	    "database_user resources, not \"%s\"", t->rtype);
	return PC_E_VALUE;
}
