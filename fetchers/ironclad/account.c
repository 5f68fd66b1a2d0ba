/*
 * Runs in: the Ironclad fetcher. Input: the task (login, e-mail and
 * profile JSON from the operator) and Ironclad's answer (untrusted).
 * Creates a SCIM user (POST /Users): userName is the e-mail, name,
 * optional title and extension attributes. The password is made by the
 * broker from a secret slot (Ironclad's rule: 16+ characters with a
 * lower, an upper, a digit and a special) and sealed to the vault before
 * it is sent; it never reaches this process. A company on SAML needs
 * none, so none is made. `active` is never sent: false would remove the
 * user from the company.
 */
#include <stdio.h>
#include <string.h>

#include "ironclad.h"
#include "jw.h"

struct ic_acct {
	struct pcj_doc	 doc;
	int		 root;
	char		 user[TAGMAX_TASK_EMAIL + TAGMAX_TASK_LOGIN + 2];
	char		 given[256], family[256], title[1024];
	char		 dept[256], head[512];
	int		 convert;	/* PCJ_TRUE, PCJ_FALSE or -1 */
	int		 saml;
};

/* The profile's string key, or its alias. */
static void
ic_acct_str(struct ic_acct *a, const char *key, const char *alias,
    char *dst, size_t dstsz)
{
	if (conn_str(&a->doc, a->root, key, dst, dstsz)[0] == '\0' &&
	    alias != NULL)
		(void)conn_str(&a->doc, a->root, alias, dst, dstsz);
}

static int
ic_acct_parse(struct conn *c, struct ic_acct *a)
{
	const struct task_msg	*t = &c->f->task;
	const char		*prof = t->profile[0] != '\0' ? t->profile : "{}";
	int			 v;

	if (pcj_parse(&a->doc, prof, strlen(prof), NULL) != 0 ||
	    pcj_type(&a->doc, (a->root = pcj_root(&a->doc))) != PCJ_OBJECT)
		return conn_fail(c, PC_E_VALUE, "--create-account-profile: not "
		    "a JSON object (offset %zu: %s)", a->doc.off,
		    a->doc.why ? a->doc.why : "?");
	(void)fetch_fmt(a->user, sizeof(a->user), "%s", t->email[0] != '\0' ?
	    t->email : t->login);
	ic_acct_str(a, "givenName", "first_name", a->given, sizeof(a->given));
	ic_acct_str(a, "familyName", "last_name", a->family,
	    sizeof(a->family));
	ic_acct_str(a, "title", NULL, a->title, sizeof(a->title));
	ic_acct_str(a, "department", NULL, a->dept, sizeof(a->dept));
	ic_acct_str(a, "departmentHead", NULL, a->head, sizeof(a->head));
	v = pcj_type(&a->doc, pcj_get(&a->doc, a->root,
	    "allowProviderConversion"));
	a->convert = v == PCJ_TRUE || v == PCJ_FALSE ? v : -1;
	a->saml = pcj_type(&a->doc, pcj_get(&a->doc, a->root, "saml")) ==
	    PCJ_TRUE;
	if (strchr(a->user, '@') == NULL)
		return conn_fail(c, PC_E_VALUE, "create account: Ironclad's "
		    "userName is an e-mail address: give --create-account-email "
		    "(or an e-mail as --create-account-login)");
	if (a->given[0] == '\0' && a->family[0] == '\0')
		return conn_fail(c, PC_E_VALUE, "create account: the profile "
		    "needs \"givenName\" and \"familyName\" (SCIM name is "
		    "required)");
	return 0;
}

static int
ic_acct_exts(struct buf *b, const struct ic_acct *a)
{
	int	e;

	if (a->dept[0] != '\0' && ((e = buf_add_str(b, ",\"" IC_ENT "\":"
	    "{\"department\":")) != 0 || (e = jw_str(b, a->dept)) != 0 ||
	    (e = buf_add_str(b, "}")) != 0))
		return e;
	if (a->head[0] == '\0' && a->convert < 0)
		return 0;
	if ((e = buf_add_str(b, ",\"" IC_EXT "\":{")) != 0)
		return e;
	if (a->head[0] != '\0' && ((e = buf_add_str(b, "\"departmentHead\":"))
	    != 0 || (e = jw_str(b, a->head)) != 0))
		return e;
	if (a->convert >= 0 && (e = buf_printf(b, "%s\"allowProviderConversion"
	    "\":%s", a->head[0] ? "," : "", a->convert == PCJ_TRUE ? "true" :
	    "false")) != 0)
		return e;
	return buf_add_str(b, "}");
}

/* UserCreateRequestBody: schemas lists every extension the body uses. */
static int
ic_acct_body(struct buf *b, const struct ic_acct *a)
{
	int	e;

	if ((e = buf_add_str(b, "{\"schemas\":[\"" IC_CORE_USER "\"")) != 0 ||
	    (a->dept[0] && (e = buf_add_str(b, ",\"" IC_ENT "\"")) != 0) ||
	    ((a->head[0] || a->convert >= 0) &&
	    (e = buf_add_str(b, ",\"" IC_EXT "\"")) != 0) ||
	    (e = buf_add_str(b, "],\"userName\":")) != 0 ||
	    (e = jw_str(b, a->user)) != 0 ||
	    (e = buf_add_str(b, ",\"name\":{\"givenName\":")) != 0 ||
	    (e = jw_str(b, a->given)) != 0 ||
	    (e = buf_add_str(b, ",\"familyName\":")) != 0 ||
	    (e = jw_str(b, a->family)) != 0 || (e = buf_add_str(b, "}")) != 0)
		return e;
	if (a->title[0] != '\0' && ((e = buf_add_str(b, ",\"title\":")) != 0 ||
	    (e = jw_str(b, a->title)) != 0))
		return e;
	if ((e = ic_acct_exts(b, a)) != 0)
		return e;
	/* The broker fills the slot; we never see the value. */
	if (!a->saml && (e = buf_add_str(b, ",\"password\":"
	    "\"{{secret:new_password}}\"")) != 0)
		return e;
	return buf_add_str(b, "}");
}

static int
ic_acct_post(struct conn *c, struct ic_acct *a)
{
	struct conn_call	 call = { .method = "POST",
				    .path = "/scim/v2/Users", .accept = IC_JSON,
				    .ctype = IC_JSON, .op = "create_account",
				    .target = a->user };
	struct conn_resp	 r;
	struct buf		 b;
	char			 id[IC_ID_MAX];
	int			 e;

	conn_resp_init(&r);
	buf_init(&b, 16 * 1024, 0);
	if ((e = ic_acct_body(&b, a)) != 0) {
		buf_clear(&b);
		return conn_fail(c, e, "create account: the request does not "
		    "fit");
	}
	call.body = b.p;
	call.len = b.len;
	if (!a->saml)
		call.slot = "new_password:ironclad";
	e = conn_call(c, &call, &r);
	if (e == PC_E_REMOTE && r.r.status == 409) {
		c->err[0] = '\0';
		fetch_result(c->f, "already exists: user %s%s", a->user, a->saml ?
		    "" : " (the sealed password was not set)");
		e = 0;
	} else if (e == 0) {
		if (r.parsed)
			(void)conn_str(&r.doc, pcj_root(&r.doc), "id", id,
			    sizeof(id));
		else
			id[0] = '\0';
		fetch_result(c->f, "created user %s%s%s%s", ic_id_ok(id) ? id :
		    "", ic_id_ok(id) ? " " : "", a->user, a->saml ?
		    " (SAML: no password)" : "; its password was sealed by the "
		    "broker");
	}
	conn_resp_clear(&r);
	buf_clear(&b);
	return e;
}

int
ic_create_account(struct conn *c)
{
	static struct ic_acct	a;
	int			e;

	memset(&a, 0, sizeof(a));
	if ((e = ic_need_actor(c)) != 0)
		return e;
	if ((e = ic_acct_parse(c, &a)) == 0)
		e = ic_acct_post(c, &a);
	pcj_free(&a.doc);
	return e;
}
