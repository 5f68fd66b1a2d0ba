/*
 * Runs in: the Atlassian fetcher (sandboxed). Input: Atlassian answers
 * relayed by the broker (untrusted JSON, read through pcj only) and the
 * task. The connector's descriptor, its error envelopes, role tables,
 * id checks, and the call and listing shapes of the admin APIs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlassian.h"

/* Baton's workspace and organization roles (baton-connectors.md 2.B). */
const char *const atl_ws_roles[] = { "atlassian/user",
    "atlassian/user-access-admin", "atlassian/admin", "atlassian/guest",
    "atlassian/contributor", "atlassian/customer", "atlassian/basic",
    "atlassian/stakeholder", "atlassian/site-admin", "atlassian/org-admin",
    NULL };
const char *const atl_org_roles[] = { "atlassian/org-admin",
    "atlassian/site-admin", "atlassian/user-access-admin",
    "atlassian/ai-access", NULL };

static int
atl_in(const char *const *set, const char *s)
{
	size_t	i;

	for (i = 0; set[i] != NULL; i++)
		if (strcmp(set[i], s) == 0)
			return 1;
	return 0;
}

int
atl_ws_role(const char *role)
{
	return atl_in(atl_ws_roles, role);
}

int
atl_org_role(const char *role)
{
	return atl_in(atl_org_roles, role);
}

int
atl_uuidish(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-'))
			return 0;
	return i > 0 && i <= 64;
}

/* AccountId.pattern of the user management spec. */
int
atl_account_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    strchr("_|:-", s[i]) != NULL))
			return 0;
	return i > 0 && i <= 128;
}

/* Resource ids go into JSON bodies and record ids: printable, bounded. */
int
atl_ari_ok(const char *s)
{
	size_t	i;

	if (strncmp(s, "ari:cloud:", 10) != 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return i < ATL_ARI_MAX;
}

/* A string or number member as text ("" when neither). */
static const char *
atl_scalar(const struct pcj_doc *d, int obj, const char *key, char *dst,
    size_t dstsz)
{
	const char	*raw;
	size_t		 len;
	int		 v = pcj_get(d, obj, key);

	dst[0] = '\0';
	if (pcj_type(d, v) == PCJ_NUMBER && (raw = pcj_raw(d, v, &len)) != NULL)
		(void)fetch_fmt(dst, dstsz, "%.*s", (int)(len < 32 ? len : 32),
		    raw);
	else
		(void)conn_str(d, obj, key, dst, dstsz);
	return dst;
}

const char *
atl_errcode(const struct conn_resp *r, char *dst, size_t dstsz)
{
	const struct pcj_doc	*d = &r->doc;
	int			 root, first;

	dst[0] = '\0';
	if (!r->parsed)
		return dst;
	root = pcj_root(d);
	first = pcj_first(d, pcj_get(d, root, "errors"));
	if (first >= 0)
		return conn_str(d, first, "code", dst, dstsz);
	if (conn_str(d, root, "key", dst, dstsz)[0] != '\0')
		return dst;
	if (conn_str(d, root, "scimType", dst, dstsz)[0] != '\0')
		return dst;
	return atl_scalar(d, root, "code", dst, dstsz);
}

/*
 * The envelopes, each as "CODE: detail": the admin APIs' {"errors":[{
 * id,status,code,title,detail}]} (or one such item alone: workspaces),
 * the gateway's {"code":429,"message"}, user management's {"key",
 * "errorDetail"|"message","context":{"errorCodes":[{"code"}]}}, SCIM's
 * {"status","scimType","detail"} and its {"error","traceId"}.
 */
static void
atl_error(const struct conn_resp *r, char *line, size_t linesz)
{
	const struct pcj_doc	*d = &r->doc;
	char			 code[128], sub[128], detail[320];
	int			 root, o, lc;

	line[0] = '\0';
	if (!r->parsed || pcj_type(d, (root = pcj_root(d))) != PCJ_OBJECT)
		return;
	o = pcj_first(d, pcj_get(d, root, "errors"));
	if (o < 0)
		o = root;
	(void)atl_errcode(r, code, sizeof(code));
	if (code[0] == '\0')
		(void)conn_str(d, root, "error", code, sizeof(code));
	if (conn_str(d, o, "detail", detail, sizeof(detail))[0] == '\0' &&
	    conn_str(d, o, "errorDetail", detail, sizeof(detail))[0] == '\0' &&
	    conn_str(d, o, "message", detail, sizeof(detail))[0] == '\0')
		(void)conn_str(d, o, "title", detail, sizeof(detail));
	lc = pcj_first(d, pcj_get(d, pcj_get(d, root, "context"),
	    "errorCodes"));
	sub[0] = '\0';
	if (lc >= 0)
		(void)conn_str(d, lc, "code", sub, sizeof(sub));
	(void)fetch_fmt(line, linesz, "%s%s%s%s%s", code, sub[0] ? " " : "",
	    sub, code[0] && detail[0] ? ": " : "", detail);
}

int
atl_path(struct conn *c, char *dst, size_t dstsz, const char *fmt, ...)
{
	char	tail[1024];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tail))
		return PC_E_TOOBIG;
	return fetch_fmt(dst, dstsz, "/admin/v2/orgs/%s%s", ATL(c)->org, tail);
}

int
atl_call(struct conn *c, const char *method, const char *path,
    const struct buf *body, const char *cred, const char *op,
    const char *target, struct conn_resp *r)
{
	int	scim = cred != NULL && strcmp(cred, "scim") == 0;

	return conn_json(c, method, path, scim ? ATL_SCIM_JSON : ATL_JSON,
	    cred, body, op, target, r);
}

int
atl_list(struct conn *c, const char *path, pager_item_fn item, void *arg,
    struct conn_ref *ref)
{
	struct pager_list	l = { .kind = PAGER_CURSOR, .path = path,
				    .accept = ATL_JSON, .items = "data",
				    .next = "links.next", .per_page = ATL_PAGE,
				    .item = item, .arg = arg, .ref = ref };

	return pager_list(c, &l);
}

int
atl_search(struct conn *c, const char *path, const char *body,
    pager_item_fn item, void *arg, struct conn_ref *ref)
{
	struct pager_list	l = { .kind = PAGER_BODY_CURSOR, .path = path,
				    .accept = ATL_JSON, .items = "data",
				    .next = "links.next", .per_page = ATL_PAGE,
				    .body = body, .ctype = ATL_JSON,
				    .item = item, .arg = arg, .ref = ref };

	return pager_list(c, &l);
}

static void
atl_id_release(void *obj)
{
	free(obj);
}

struct atl_id *
atl_id_new(struct conn *c, const char *id)
{
	struct atl_id	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		(void)conn_fail(c, PC_E_NOMEM, "out of memory");
		return NULL;
	}
	(void)fetch_fmt(x->id, sizeof(x->id), "%s", id);
	x->ref.release = atl_id_release;
	x->ref.obj = x;
	return x;
}

static int
atl_start(struct conn *c)
{
	static struct atl	a;

	memset(&a, 0, sizeof(a));
	c->vendor = &a;
	/* Checked by each task that needs it (deleting an account does not). */
	if (fetch_opt(c->f, "organization-id", a.org, sizeof(a.org)) == NULL ||
	    !atl_uuidish(a.org))
		a.org[0] = '\0';
	return 0;
}

int
atl_need_org(struct conn *c)
{
	if (ATL(c)->org[0] != '\0')
		return 0;
	return conn_fail(c, PC_E_CONFIG, "atlassian: organization-id "
	    "(BATON_ORGANIZATION_ID or BATON_ORG) is not set or is not an "
	    "organization id");
}

static const struct kit_grant atl_grants[] = {
	{ "organization",	atl_org_grant },
	{ "group",		atl_group_grant },
	{ "workspace",		atl_ws_grant },
	{ NULL,			NULL }
};

static const struct kit_action atl_actions[] = {
	{ "disable_user",	atl_disable_user },
	{ "enable_user",	atl_enable_user },
	{ NULL,			NULL }
};

const struct conn_def atlassian_def = {
	.app = "atlassian",
	.error = atl_error,
	.start = atl_start,
	.sync = atl_sync,
	.grants = atl_grants,
	.create = atl_create,
	.remove = atl_delete,
	.actions = atl_actions,
};
