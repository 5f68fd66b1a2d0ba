/*
 * Runs in: the Ironclad fetcher (sandboxed). Input: Ironclad answers
 * relayed by the broker (untrusted JSON, read through pcj only) and the
 * task. The connector's descriptor, its error envelopes (SCIM Error and
 * OAuth's), the id check and the call shape of SCIM v2.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ironclad.h"
#include "text.h"

int
ic_id_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return i > 0 && i < IC_ID_MAX;
}

int
ic_scimtype_is(const struct conn_resp *r, const char *type)
{
	char	t[64];

	if (!r->parsed || pcj_type(&r->doc, pcj_root(&r->doc)) != PCJ_OBJECT)
		return 0;
	return strcmp(conn_str(&r->doc, pcj_root(&r->doc), "scimType", t,
	    sizeof(t)), type) == 0;
}

/*
 * SCIM Error {schemas, status, scimType?, detail?} (RFC 7644 3.12), or
 * OAuth's {error, error_description}: "scimType: detail", "error:
 * description", or the detail alone. The kit adds method, path, status.
 */
static void
ic_error(const struct conn_resp *r, char *line, size_t linesz)
{
	char	code[64], detail[400], raw[480];
	int	root;

	line[0] = '\0';
	if (!r->parsed || pcj_type(&r->doc, (root = pcj_root(&r->doc))) !=
	    PCJ_OBJECT)
		return;
	(void)conn_str(&r->doc, root, "scimType", code, sizeof(code));
	(void)conn_str(&r->doc, root, "detail", detail, sizeof(detail));
	if (code[0] == '\0' && detail[0] == '\0') {
		(void)conn_str(&r->doc, root, "error", code, sizeof(code));
		(void)conn_str(&r->doc, root, "error_description", detail,
		    sizeof(detail));
	}
	(void)fetch_fmt(raw, sizeof(raw), "%s%s%s", code, code[0] &&
	    detail[0] ? ": " : "", detail);
	/* One line whatever the vendor escaped into it. */
	(void)text_clean(line, linesz, raw);
}

int
ic_call(struct conn *c, const char *method, const char *path,
    const struct buf *body, const char *op, const char *target,
    struct conn_resp *r)
{
	return conn_json(c, method, path, IC_JSON, NULL, body, op, target, r);
}

/*
 * Client-credentials tokens act as a user Ironclad must be told of; the
 * broker sends the header, we only check one is configured, so a task
 * that calls Ironclad fails with the option's name rather than the
 * vendor's 400.
 */
int
ic_need_actor(struct conn *c)
{
	char	v[CONFIG_MAX_VALUE + 1];

	if (fetch_opt(c->f, "as-user-email", v, sizeof(v)) != NULL ||
	    fetch_opt(c->f, "as-user-id", v, sizeof(v)) != NULL)
		return 0;
	return conn_fail(c, PC_E_CONFIG, "ironclad: set as-user-email or "
	    "as-user-id (BATON_AS_USER_EMAIL, BATON_AS_USER_ID): "
	    "client-credentials calls act as an Ironclad user");
}

int
ic_sync(struct conn *c)
{
	int	e;

	/* Independent listings: their pages share the in-flight window. */
	if ((e = ic_need_actor(c)) != 0 || (e = ic_users_sync(c)) != 0)
		return e;
	return ic_groups_sync(c);
}

/* The reference connector does no account deprovisioning; nor do we. */
int
ic_delete(struct conn *c)
{
	return conn_fail(c, PC_E_STATE, "ironclad does not deprovision "
	    "accounts (as the connector documentation says): remove the user "
	    "in Ironclad; a SCIM DELETE or active:false would remove them "
	    "from the company");
}

static const struct kit_grant ic_grants[] = {
	{ "group",	ic_group_grant },
	{ NULL,		NULL }
};

const struct conn_def ironclad_def = {
	.app = "ironclad",
	.error = ic_error,
	.sync = ic_sync,
	.grants = ic_grants,
	.create = ic_create_account,
	.remove = ic_delete,
};
