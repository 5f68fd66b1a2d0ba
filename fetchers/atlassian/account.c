/*
 * Runs in: the Atlassian fetcher. Input: the task (login, e-mail and
 * profile JSON from the operator; an action's user_id) and Atlassian
 * answers (untrusted). Account creation through SCIM (no password; the
 * broker applies approved-domains before anything is sent), deletion
 * through the lifecycle API, and the suspend / restore actions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlassian.h"
#include "jw.h"

#define ATL_SCIM_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define ATL_SCIM_EXT	"urn:scim:schemas:extension:atlassian-external:1.0"

struct atl_new {
	char	user[330], email[330], given[256], family[256], disp[512];
};

static int
atl_new_parse(struct conn *c, struct atl_new *n)
{
	const struct task_msg	*t = &c->f->task;
	const char		*prof = t->profile[0] ? t->profile : "{}";
	struct pcj_doc		 d;
	int			 root;

	if (pcj_parse(&d, prof, strlen(prof), NULL) != 0 ||
	    pcj_type(&d, (root = pcj_root(&d))) != PCJ_OBJECT)
		return conn_fail(c, PC_E_VALUE, "--create-account-profile: not a "
		    "JSON object");
	(void)conn_str(&d, root, "givenName", n->given, sizeof(n->given));
	(void)conn_str(&d, root, "familyName", n->family, sizeof(n->family));
	(void)conn_str(&d, root, "displayName", n->disp, sizeof(n->disp));
	(void)conn_str(&d, root, "email", n->email, sizeof(n->email));
	if (t->email[0] != '\0')
		(void)fetch_fmt(n->email, sizeof(n->email), "%s", t->email);
	(void)fetch_fmt(n->user, sizeof(n->user), "%s", t->login[0] ?
	    t->login : n->email);
	if (n->email[0] == '\0' && strchr(n->user, '@') != NULL)
		(void)fetch_fmt(n->email, sizeof(n->email), "%s", n->user);
	if (n->user[0] == '\0' || strchr(n->email, '@') == NULL)
		return conn_fail(c, PC_E_VALUE, "create account needs "
		    "--create-account-login (userName) and an e-mail "
		    "(--create-account-email)");
	return 0;
}

/* The ScimUser body: work e-mail primary, active, no password. */
static int
atl_new_body(struct buf *b, const struct atl_new *n)
{
	int	e;

	if ((e = buf_add_str(b, "{\"schemas\":[\"" ATL_SCIM_USER "\"],"
	    "\"userName\":")) != 0 || (e = jw_str(b, n->user)) != 0 ||
	    (e = buf_add_str(b, ",\"emails\":[{\"value\":")) != 0 ||
	    (e = jw_str(b, n->email)) != 0 ||
	    (e = buf_add_str(b, ",\"type\":\"work\",\"primary\":true}]")) != 0)
		return e;
	if ((n->given[0] || n->family[0]) &&
	    ((e = buf_add_str(b, ",\"name\":{\"givenName\":")) != 0 ||
	    (e = jw_str(b, n->given)) != 0 ||
	    (e = buf_add_str(b, ",\"familyName\":")) != 0 ||
	    (e = jw_str(b, n->family)) != 0 || (e = buf_add_str(b, "}")) != 0))
		return e;
	if (n->disp[0] && ((e = buf_add_str(b, ",\"displayName\":")) != 0 ||
	    (e = jw_str(b, n->disp)) != 0))
		return e;
	return buf_add_str(b, ",\"active\":true}");
}

/* "2024-02-01T08:00:00..." as seconds since the epoch, or -1. */
static long long
atl_iso_secs(const char *s)
{
	long long	v[6], y, m, d, days;
	const int	w[6] = { 4, 2, 2, 2, 2, 2 };
	const char	sep[6] = { '-', '-', 'T', ':', ':', '\0' };
	int		i, k;

	for (i = 0; i < 6; i++) {
		for (v[i] = 0, k = 0; k < w[i]; k++, s++) {
			if (*s < '0' || *s > '9')
				return -1;
			v[i] = v[i] * 10 + (*s - '0');
		}
		if (sep[i] != '\0' && *s++ != sep[i])
			return -1;
	}
	/* Days from the civil date (Howard Hinnant's algorithm). */
	y = v[0] - (v[1] <= 2);
	m = v[1];
	d = v[2];
	days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m + (m > 2 ?
	    -3 : 9)) + 2) / 5 + d - 1 - 719468;
	return days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

/*
 * Was acc in the org before its SCIM record (made at created)? Then
 * SCIM linked an existing managed account. 1, 0, or -1: unknown.
 */
static int
atl_was_there(struct conn *c, const char *acc, const char *created)
{
	struct conn_resp	 r;
	char			 seg[3 * ATL_ID_MAX], path[600], added[40];
	long long		 a, s;
	int			 e, linked = -1;

	if (jw_path_seg(seg, sizeof(seg), acc) != 0 || atl_path(c, path,
	    sizeof(path), "/directories/-/users/%s", seg) != 0)
		return -1;
	conn_resp_init(&r);
	if ((e = atl_call(c, "GET", path, NULL, NULL, NULL, NULL, &r)) == 0 &&
	    r.parsed) {
		(void)conn_str(&r.doc, pcj_get(&r.doc, pcj_root(&r.doc),
		    "data"), "addedToOrg", added, sizeof(added));
		a = atl_iso_secs(added);
		s = atl_iso_secs(created);
		if (a >= 0 && s >= 0)
			linked = a + 120 < s;
	}
	c->err[0] = '\0';
	conn_resp_clear(&r);
	return linked;
}

/* The account id: the extension's atlassianAccountId, else SCIM id. */
static void
atl_new_ids(const struct conn_resp *r, int u, char *acc, size_t accsz,
    char *sid, size_t sidsz, char *created, size_t csz)
{
	const struct pcj_doc	*d = &r->doc;

	(void)conn_str(d, u, "id", sid, sidsz);
	(void)conn_str(d, pcj_get(d, u, "meta"), "created", created, csz);
	if (!atl_account_ok(conn_str(d, pcj_get(d, u, ATL_SCIM_EXT),
	    "atlassianAccountId", acc, accsz)))
		(void)fetch_fmt(acc, accsz, "%s", sid);
}

/* 409: the userName is in the directory already; find its record. */
static int
atl_new_exists(struct conn *c, const struct atl_new *n)
{
	struct conn_resp	 r;
	struct buf		 q;
	char			 enc[1200], path[1400], acc[ATL_ID_MAX];
	char			 sid[128], created[40];
	const char		*f;
	int			 e, u;

	buf_init(&q, 1024, 0);
	conn_resp_init(&r);
	if ((e = buf_add_str(&q, "userName eq ")) == 0 &&
	    (e = jw_str(&q, n->user)) == 0 && (e = buf_cstr(&q, &f)) == 0 &&
	    (e = jw_path_seg(enc, sizeof(enc), f)) == 0 &&
	    (e = fetch_fmt(path, sizeof(path), "/Users?filter=%s", enc)) == 0)
		e = atl_call(c, "GET", path, NULL, "scim", NULL, NULL, &r);
	buf_clear(&q);
	if (e == 0 && r.parsed && (u = pcj_first(&r.doc, pcj_get(&r.doc,
	    pcj_root(&r.doc), "Resources"))) >= 0) {
		atl_new_ids(&r, u, acc, sizeof(acc), sid, sizeof(sid), created,
		    sizeof(created));
		fetch_result(c->f, "already exists: %s is account %s (SCIM user "
		    "%s)", n->user, acc, sid);
	} else if (e == 0)
		fetch_result(c->f, "already exists: %s (SCIM answered 409)",
		    n->user);
	conn_resp_clear(&r);
	return e;
}

static int
atl_new_done(struct conn *c, const struct atl_new *n, struct conn_resp *r)
{
	char	acc[ATL_ID_MAX], sid[128], created[40];
	int	linked;

	if (!r->parsed || pcj_type(&r->doc, pcj_root(&r->doc)) != PCJ_OBJECT)
		return conn_fail(c, PC_E_VALUE, "atlassian: SCIM create of %s: "
		    "no user in the answer", n->user);
	atl_new_ids(r, pcj_root(&r->doc), acc, sizeof(acc), sid, sizeof(sid),
	    created, sizeof(created));
	if (acc[0] == '\0')
		return conn_fail(c, PC_E_VALUE, "atlassian: SCIM create of %s: "
		    "no account id in the answer", n->user);
	linked = atl_was_there(c, acc, created);
	if (linked == 1)
		fetch_result(c->f, "linked existing managed account %s to SCIM "
		    "user %s (%s)", acc, sid, n->user);
	else
		fetch_result(c->f, "created account %s (SCIM user %s, %s)%s",
		    acc, sid, n->user, linked < 0 ? "; could not tell whether "
		    "an existing account was linked" : "");
	return 0;
}

int
atl_create(struct conn *c)
{
	struct atl_new		n;
	struct conn_resp	r;
	struct buf		b;
	int			e;
	if ((e = atl_need_org(c)) != 0)
		return e;

	memset(&n, 0, sizeof(n));
	if ((e = atl_new_parse(c, &n)) != 0)
		return e;
	buf_init(&b, 16 * 1024, 0);
	conn_resp_init(&r);
	if ((e = atl_new_body(&b, &n)) == 0)
		e = atl_call(c, "POST", "/Users", &b, "scim", "create_account",
		    n.email, &r);
	buf_clear(&b);
	if (e == 0)
		e = atl_new_done(c, &n, &r);
	else if (e == PC_E_REMOTE && r.r.status == 409)
		e = atl_new_exists(c, &n);
	else if (e == PC_E_POLICY && strstr(c->err, "not configured") != NULL)
		(void)fetch_fmt(c->err, sizeof(c->err), "atlassian: creating "
		    "accounts needs scim-token and scim-base-url "
		    "(BATON_SCIM_TOKEN, BATON_SCIM_BASE_URL)");
	conn_resp_clear(&r);
	return e;
}

/* ---- delete ---------------------------------------------------------- */

int
atl_delete(struct conn *c)
{
	const struct task_msg	*t = &c->f->task;
	struct conn_resp	 r;
	char			 seg[3 * ATL_ID_MAX], path[600], code[64];
	int			 e;

	if (strcmp(t->rtype, "user") != 0)
		return conn_fail(c, PC_E_VALUE, "atlassian deletes user "
		    "resources, not \"%.64s\"", t->rtype);
	if (!atl_account_ok(t->rid) || jw_path_seg(seg, sizeof(seg),
	    t->rid) != 0)
		return conn_fail(c, PC_E_VALUE, "atlassian: \"%.140s\" is not an "
		    "account id", t->rid);
	(void)fetch_fmt(path, sizeof(path), "/users/%s/manage/lifecycle/delete",
	    seg);
	conn_resp_init(&r);
	e = atl_call(c, "POST", path, NULL, NULL, "delete", t->rid, &r);
	(void)atl_errcode(&r, code, sizeof(code));
	if (e == 0)
		fetch_result(c->f, "deleted user %s (Atlassian keeps it "
		    "deactivated for 14 days first)", t->rid);
	else if (e == PC_E_REMOTE && r.r.status == 404 &&
	    strcmp(code, "accountNotFound") == 0) {
		fetch_result(c->f, "already deleted: user %s", t->rid);
		e = 0;
	} else if (e == PC_E_REMOTE && r.r.status == 409 &&
	    strstr(c->err, "ALREADY_SCHEDULED_FOR_DELETION") != NULL) {
		fetch_result(c->f, "already deleted: user %s is scheduled for "
		    "deletion", t->rid);
		e = 0;
	}
	conn_resp_clear(&r);
	return e;
}

/* ---- actions: suspend / restore in every directory ------------------- */

struct atl_dirs {
	char	(*id)[80];
	size_t	 n;
};

static int
atl_dir_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atl_dirs	*l = arg;
	char		 id[80], (*n)[80];

	if (!atl_uuidish(conn_str(d, o, "directoryId", id, sizeof(id))))
		return 0;
	if (l->n >= 1000 || (n = realloc(l->id, (l->n + 1) *
	    sizeof(*n))) == NULL)
		return conn_fail(c, PC_E_NOMEM, "atlassian: too many "
		    "directories");
	l->id = n;
	(void)fetch_fmt(n[l->n++], sizeof(n[0]), "%s", id);
	return 0;
}

/* The 400 for an org admin, explained. */
static int
atl_action_refused(struct conn *c, const char *uid, int suspend,
    struct conn_resp *r)
{
	char	v[CONN_ERR_MAX];
	const char *p = strstr(c->err, ": HTTP ");

	(void)fetch_fmt(v, sizeof(v), "%s", p != NULL ? p + 2 : c->err);
	if (suspend && r->r.status == 400)
		(void)fetch_fmt(c->err, sizeof(c->err), "atlassian: user %s "
		    "cannot be suspended: Atlassian refuses to suspend an "
		    "organization admin (revoke role:atlassian/org-admin "
		    "first): %.300s", uid, v);
	return PC_E_REMOTE;
}

static int
atl_suspend(struct conn *c, int suspend)
{
	struct atl_dirs		 l = { NULL, 0 };
	struct conn_resp	 r;
	char			 uid[ATL_ID_MAX], seg[3 * ATL_ID_MAX];
	char			 path[800];
	size_t			 i;
	int			 e;
	if ((e = atl_need_org(c)) != 0)
		return e;

	if (fetch_arg(c->f, "user_id", uid, sizeof(uid)) == NULL ||
	    !atl_account_ok(uid) || jw_path_seg(seg, sizeof(seg), uid) != 0)
		return conn_fail(c, PC_E_VALUE, "%s needs --arg user_id=ACCOUNT_ID",
		    suspend ? "disable_user" : "enable_user");
	/* The directories the user is in (GET .../directories?accountId). */
	if ((e = atl_path(c, path, sizeof(path), "/directories?accountId=%s",
	    seg)) != 0 || (e = atl_list(c, path, atl_dir_item, &l, NULL)) != 0 ||
	    (e = conn_run(c)) != 0) {
		free(l.id);
		return e;
	}
	if (l.n == 0) {
		free(l.id);
		return conn_fail(c, PC_E_NOTFOUND, "atlassian: user %s is in no "
		    "directory of organization %s", uid, ATL(c)->org);
	}
	conn_resp_init(&r);
	for (i = 0, e = 0; i < l.n && e == 0; i++) {
		if ((e = atl_path(c, path, sizeof(path), "/directories/%s/users/"
		    "%s/%s", l.id[i], seg, suspend ? "suspend" : "restore")) == 0)
			e = atl_call(c, "POST", path, NULL, NULL, suspend ?
			    "disable_user" : "enable_user", uid, &r);
		if (e == PC_E_REMOTE)
			e = atl_action_refused(c, uid, suspend, &r);
	}
	conn_resp_clear(&r);
	if (e == 0)
		fetch_result(c->f, "%s user %s in %zu director%s", suspend ?
		    "suspended" : "restored", uid, l.n, l.n == 1 ? "y" : "ies");
	free(l.id);
	return e;
}

int
atl_disable_user(struct conn *c)
{
	return atl_suspend(c, 1);
}

int
atl_enable_user(struct conn *c)
{
	return atl_suspend(c, 0);
}
