/*
 * Runs in: the Atlassian fetcher. Input: user search pages, user role
 * assignment pages and API token lists (untrusted). Users of every
 * directory with their status; their direct role assignments become
 * grants on the organization (platform roles) or on workspaces; owner
 * roles of Atlas projects and goals are counted, not granted; roles
 * held only through a group are the group's grant, expanded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atlassian.h"
#include "jw.h"

/* "active" enabled; suspended, not_invited, deactivated, for_deletion
 * (and anything newer) disabled with the raw status kept. */
static void
atl_user_status(const char *st, struct emit_res *r)
{
	r->status = strcmp(st, "active") == 0 ? REC_STATUS_ENABLED :
	    REC_STATUS_DISABLED;
	if (r->status != REC_STATUS_ENABLED)
		r->detail = st[0] ? st : "unknown";
}

static int
atl_bool_text(const struct pcj_doc *d, int o, const char *key, char *dst,
    size_t dstsz)
{
	int	b;

	dst[0] = '\0';
	if (pcj_bool(d, pcj_get(d, o, key), &b) == 0)
		(void)fetch_fmt(dst, dstsz, "%s", b ? "true" : "false");
	return 0;
}

/* The arg of the managed-accounts listing. */
static int	atl_unmembered;

static int
atl_user_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct emit_res	 r = { .rtype = "user", .ptype = "organization",
			    .traits = REC_TRAIT_USER };
	char		 id[ATL_ID_MAX], email[330], name[256], nick[256];
	char		 type[32], st[32], claim[32], ev[8];
	const char	*emails[1];
	struct atl_id	*x;
	int		 e;

	if (!atl_account_ok(conn_str(d, u, "accountId", id, sizeof(id))))
		return 0;
	/* The managed listing adds only those in no directory (the first
	 * listing has every other one). */
	if (arg != NULL && !pcj_str_eq(d, pcj_get(d, u, "membershipStatus"),
	    "no_membership"))
		return 0;
	(void)conn_str(d, u, "email", email, sizeof(email));
	(void)conn_str(d, u, "name", name, sizeof(name));
	(void)conn_str(d, u, "nickname", nick, sizeof(nick));
	(void)conn_str(d, u, "accountType", type, sizeof(type));
	(void)conn_str(d, u, "status", st, sizeof(st));
	(void)conn_str(d, u, "claimStatus", claim, sizeof(claim));
	(void)atl_bool_text(d, u, "emailVerified", ev, sizeof(ev));
	const struct emit_kv prof[] = {
		{ "account_id", id, 0 }, { "account_type", type, 0 },
		{ "email", email, 0 }, { "name", name, 0 },
		{ "username", nick, 0 },
		{ "claim_status", claim, 0 }, { "email_verified", ev, 1 },
	};

	r.id = id;
	r.pid = ATL(c)->org;
	r.name = name[0] ? name : email[0] ? email : id;
	r.login = email[0] ? email : id;
	emails[0] = email;
	r.emails = emails;
	r.nemails = email[0] != '\0';
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	atl_user_status(st, &r);
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	if ((x = atl_id_new(c, id)) == NULL)
		return PC_E_NOMEM;
	conn_ref_hold(&x->ref);
	e = atl_user_roles_sync(c, x);
	/* Only managed accounts have tokens the org may read (else 403). */
	if (e == 0 && strcmp(claim, "managed") == 0)
		e = atl_user_tokens_sync(c, x);
	conn_ref_drop(&x->ref);
	return e;
}

int
atl_users_sync(struct conn *c)
{
	char	path[256];
	int	e;

	/*
	 * The replacement of the deprecated GET .../users listing: the users
	 * of every directory, then the managed accounts, for those in none
	 * (status not_invited), which only claimStatus=managed returns.
	 */
	if ((e = atl_path(c, path, sizeof(path), "/directories/-/users/"
	    "search")) != 0 || (e = atl_search(c, path, "{\"limit\":100}",
	    atl_user_item, NULL, NULL)) != 0)
		return e;
	return atl_search(c, path, "{\"claimStatus\":\"managed\","
	    "\"limit\":100}", atl_user_item, &atl_unmembered, NULL);
}

/* ---- role assignments ------------------------------------------------ */

/* 1 when a role assignment {role, roleAssignmentMethods} is the user's
 * own (direct or inferred), 0 when it comes only through a group. */
static int
atl_ra_own(const struct pcj_doc *d, int ra)
{
	int	m = pcj_get(d, ra, "roleAssignmentMethods"), i, n = 0;

	if (pcj_type(d, m) != PCJ_ARRAY)
		return 1;
	for (i = pcj_first(d, m); i >= 0; i = pcj_next(d, i), n++)
		if (pcj_str_eq(d, i, "direct") || pcj_str_eq(d, i, "inferred"))
			return 1;
	return n == 0;
}

static int
atl_role_grant(struct conn *c, const char *owner, const char *res,
    const char *role, const char *uid)
{
	char	slug[128];

	(void)fetch_fmt(slug, sizeof(slug), "role:%s", role);
	if (strcmp(owner, "platform") == 0)
		return atl_org_role(role) ? emit_grant(c->f, "organization",
		    ATL(c)->org, slug, "user", uid, 0) : 0;
	if (!atl_ari_ok(res) || !atl_ws_role(role))
		return 0;
	return emit_grant(c->f, "workspace", res, slug, "user", uid, 0);
}

/* Roles of one entry: roleAssignments, or the deprecated roles[]. */
static int
atl_ra_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atl_id	*u = arg;
	char		 owner[64], res[ATL_ARI_MAX], role[96];
	int		 ras, i, e;

	(void)conn_str(d, o, "resourceOwner", owner, sizeof(owner));
	(void)conn_str(d, o, "resourceId", res, sizeof(res));
	if (strcmp(owner, "project") == 0 || strcmp(owner, "goal") == 0) {
		ATL(c)->owner_roles++;
		return 0;
	}
	if (pcj_type(d, (ras = pcj_get(d, o, "roleAssignments"))) ==
	    PCJ_ARRAY) {
		for (i = pcj_first(d, ras); i >= 0; i = pcj_next(d, i)) {
			if (conn_str(d, i, "role", role, sizeof(role))[0] == '\0')
				continue;
			if (!atl_ra_own(d, i)) {
				ATL(c)->group_only++;
				continue;
			}
			if ((e = atl_role_grant(c, owner, res, role, u->id)) != 0)
				return e;
		}
		return 0;
	}
	ras = pcj_get(d, o, "roles");
	for (i = pcj_first(d, ras); i >= 0; i = pcj_next(d, i)) {
		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0)
			continue;
		if ((e = atl_role_grant(c, owner, res, role, u->id)) != 0)
			return e;
	}
	return 0;
}

int
atl_user_roles_sync(struct conn *c, struct atl_id *u)
{
	char	seg[3 * ATL_ID_MAX], path[600];
	int	e;

	if ((e = jw_path_seg(seg, sizeof(seg), u->id)) != 0 ||
	    (e = atl_path(c, path, sizeof(path), "/directories/-/users/%s/"
	    "role-assignments", seg)) != 0)
		return e;
	return atl_list(c, path, atl_ra_item, u, &u->ref);
}

/* ---- API tokens ------------------------------------------------------ */

static int
atl_token_item(struct conn *c, const struct pcj_doc *d, int t,
    const char *uid)
{
	struct emit_res	 r = { .rtype = "api_token", .ptype = "user",
			    .traits = REC_TRAIT_SECRET,
			    .detail = "atlassian.api_token" };
	char		 id[128], label[256], created[40], exp[40], last[40];

	if (pcj_type(d, t) != PCJ_OBJECT ||
	    !atl_uuidish(conn_str(d, t, "id", id, sizeof(id))))
		return 0;
	(void)conn_str(d, t, "label", label, sizeof(label));
	(void)conn_str(d, t, "createdAt", created, sizeof(created));
	(void)conn_str(d, t, "expiry", exp, sizeof(exp));
	(void)conn_str(d, t, "lastAccess", last, sizeof(last));
	const struct emit_kv prof[] = {
		{ "owner_account_id", uid, 0 }, { "created_at", created, 0 },
		{ "expires_at", exp, 0 }, { "last_active", last, 0 },
	};

	r.id = id;
	r.pid = uid;
	r.name = label[0] ? label : id;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	return emit_resource(c->f, &r);
}

/* GET /users/{id}/manage/api-tokens: a bare array. A 403 or 404 (an
 * account the org does not manage, or gone) has none to show. */
static int
atl_tokens_answer(struct conn *c, struct conn_resp *r, void *arg)
{
	struct atl_id	*u = arg;
	int		 root, t, e = 0;

	if (r == NULL)
		goto out;
	if (r->r.status == 403 || r->r.status == 404)
		goto out;
	if (r->r.status != 200) {
		e = conn_fail(c, PC_E_REMOTE, "%s", c->last[0] ? c->last :
		    "atlassian GET /users/.../manage/api-tokens: failed");
		goto out;
	}
	if (!r->parsed) {
		e = conn_fail(c, PC_E_VALUE, "atlassian GET /users/%s/manage/"
		    "api-tokens: not JSON (Content-Type \"%.64s\")", u->id,
		    r->r.ctype);
		goto out;
	}
	root = pcj_root(&r->doc);
	if (pcj_type(&r->doc, root) != PCJ_ARRAY) {
		e = conn_fail(c, PC_E_VALUE, "atlassian GET /users/%s/manage/"
		    "api-tokens: not an array", u->id);
		goto out;
	}
	for (t = pcj_first(&r->doc, root); t >= 0 && e == 0;
	    t = pcj_next(&r->doc, t))
		e = atl_token_item(c, &r->doc, t, u->id);
out:
	conn_ref_drop(&u->ref);
	return e;
}

int
atl_user_tokens_sync(struct conn *c, struct atl_id *u)
{
	struct conn_call	call = { .accept = ATL_JSON };
	char			seg[3 * ATL_ID_MAX], path[600];
	int			e;

	if ((e = jw_path_seg(seg, sizeof(seg), u->id)) != 0 ||
	    (e = fetch_fmt(path, sizeof(path), "/users/%s/manage/api-tokens",
	    seg)) != 0)
		return e;
	call.path = path;
	conn_ref_hold(&u->ref);
	if ((e = conn_submit(c, &call, atl_tokens_answer, u)) != 0)
		conn_ref_drop(&u->ref);
	return e;
}
