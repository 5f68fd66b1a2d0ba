/*
 * Runs in: the Confluence fetcher. Input: the task (login, e-mail,
 * profile JSON from the operator, validated here the way Confluence
 * validates createUser) and Confluence answers (untrusted). POST
 * /rest/api/admin/user with a password the broker generates into a
 * secret slot and seals before sending (this process never sees it), or
 * notify-via-email; the new user is read back by its userKey. Accounts
 * are never deprovisioned here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confluence.h"
#include "jw.h"

#define CONF_BAD_CHARS	"\\,+<>'\""

struct conf_acct {
	const char	*login;
	char		 full[CONF_NAME_MAX];
	char		 email[CONF_NAME_MAX];
};

static int
conf_has_space(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return 1;
	return 0;
}

static int
conf_has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

static int
conf_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!(*s == ' ' || (*s >= '\t' && *s <= '\r')))
			return 0;
	return 1;
}

/* local@domain.tld, nothing blank: Confluence's own check is a regex. */
static int
conf_email_ok(const char *s)
{
	const char	*at = strchr(s, '@'), *dot;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    conf_has_space(s))
		return 0;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* The createUser requirements (the spec's list), as one clear line. */
static const char *
conf_acct_check(const struct conf_acct *a)
{
	if (conf_blank(a->login))
		return "--create-account-login (the userName) is required";
	if (strpbrk(a->login, CONF_BAD_CHARS) != NULL)
		return "the userName must not contain any of \\ , + < > ' \"";
	if (conf_has_space(a->login))
		return "the userName must not contain whitespace";
	if (strcmp(a->login, "anonymous") == 0)
		return "the userName must not be \"anonymous\"";
	if (conf_has_upper(a->login))
		return "the userName must not contain upper case letters";
	if (conf_blank(a->full))
		return "the fullName is required (profile {\"fullName\": ...})";
	if (strpbrk(a->full, CONF_BAD_CHARS) != NULL)
		return "the fullName must not contain any of \\ , + < > ' \"";
	if (strcmp(a->full, "anonymous") == 0)
		return "the fullName must not be \"anonymous\"";
	if (!conf_email_ok(a->email))
		return "--create-account-email must be a valid e-mail address";
	return NULL;
}

static int
conf_acct_parse(struct conn *c, struct conf_acct *a)
{
	const struct task_msg	*t = &c->f->task;
	const char		*prof = t->profile[0] != '\0' ? t->profile : "{}";
	const char		*why;
	struct pcj_doc		 d;
	int			 root;

	memset(&d, 0, sizeof(d));
	if (pcj_parse(&d, prof, strlen(prof), NULL) != 0 ||
	    pcj_type(&d, (root = pcj_root(&d))) != PCJ_OBJECT) {
		pcj_free(&d);
		return conn_fail(c, PC_E_VALUE, "--create-account-profile: not "
		    "a JSON object");
	}
	a->login = t->login;
	if (conn_str(&d, root, "fullName", a->full, sizeof(a->full))[0] == '\0')
		(void)conn_str(&d, root, "fullname", a->full, sizeof(a->full));
	(void)conn_str(&d, root, "email", a->email, sizeof(a->email));
	pcj_free(&d);
	if (t->email[0] != '\0')
		(void)fetch_fmt(a->email, sizeof(a->email), "%s", t->email);
	if ((why = conf_acct_check(a)) != NULL)
		return conn_fail(c, PC_E_VALUE, "confluence: create account: %s",
		    why);
	return 0;
}

static int
conf_acct_body(struct conn *c, const struct conf_acct *a, struct buf *b)
{
	int	e;

	if ((e = buf_add_str(b, "{\"userName\":")) != 0 ||
	    (e = jw_str(b, a->login)) != 0 ||
	    (e = buf_add_str(b, ",\"fullName\":")) != 0 ||
	    (e = jw_str(b, a->full)) != 0 ||
	    (e = buf_add_str(b, ",\"email\":")) != 0 ||
	    (e = jw_str(b, a->email)) != 0)
		return e;
	/* With the mail, Confluence lets the user set it: no password. */
	if (CONF(c)->notify)
		return buf_add_str(b, ",\"notifyViaEmail\":true}");
	return buf_add_str(b, ",\"password\":\"{{secret:password}}\","
	    "\"notifyViaEmail\":false}");
}

/* The new user, by the userKey the create answered. */
static int
conf_acct_readback(struct conn *c, const struct conf_acct *a,
    const char *key)
{
	char	user[CONF_NAME_MAX];
	int	e;

	if ((e = conf_username(c, key, user, sizeof(user))) != 0)
		return e == PC_E_NOTFOUND ? conn_fail(c, e, "confluence: the "
		    "new user %s (userKey %s) cannot be read back", a->login,
		    key) : e;
	if (strcmp(user, a->login) != 0)
		return conn_fail(c, PC_E_VALUE, "confluence: userKey %s reads "
		    "back as \"%s\", not \"%s\"", key, user, a->login);
	return 0;
}

int
conf_create_account(struct conn *c)
{
	struct conn_call	 call = { .method = "POST",
				    .path = "/rest/api/admin/user",
				    .accept = CONF_JSON, .ctype = CONF_JSON,
				    .op = "create_account" };
	struct conf_acct	 a;
	struct conn_resp	 r;
	struct buf		 b;
	char			 key[CONF_NAME_MAX];
	int			 e;

	memset(&a, 0, sizeof(a));
	if ((e = conf_acct_parse(c, &a)) != 0)
		return e;
	buf_init(&b, 16 * 1024, 0);
	conn_resp_init(&r);
	if ((e = conf_acct_body(c, &a, &b)) != 0)
		goto out;
	call.target = a.login;
	call.slot = CONF(c)->notify ? NULL : "password:default";
	call.body = b.p;
	call.len = b.len;
	e = conn_call(c, &call, &r);
	if (e == PC_E_REMOTE && r.r.status == 409) {
		c->err[0] = '\0';
		fetch_result(c->f, "already exists: user %s", a.login);
		e = 0;
		goto out;
	}
	if (e != 0)
		goto out;
	if (conn_str(&r.doc, pcj_root(&r.doc), "userKey", key,
	    sizeof(key))[0] == '\0') {
		e = conn_fail(c, PC_E_VALUE, "confluence: the create answered no "
		    "userKey");
		goto out;
	}
	if ((e = conf_acct_readback(c, &a, key)) == 0)
		fetch_result(c->f, "created user %s (userKey %s)%s", a.login, key,
		    CONF(c)->notify ? "; Confluence mails the user to set a "
		    "password" : "; its password was sealed by the broker");
out:
	conn_resp_clear(&r);
	buf_clear(&b);
	return e;
}

int
conf_delete(struct conn *c)
{
	return conn_fail(c, PC_E_STATE, "confluence: accounts are not "
	    "deprovisioned by portcullis (as the connector it replaces): "
	    "deactivate or delete the user in Confluence's administration");
}
