/*
 * Runs in: the Confluence fetcher. Input: GET /rest/api/user/list pages
 * (untrusted). A user's resource id is its userKey, everywhere: grants
 * name userKeys too (the reference keyed grants by username and left
 * them dangling). The username stays in the profile and as the login.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "confluence.h"
#include "log.h"

static void
conf_user_status(const char *st, struct emit_res *r)
{
	if (strcmp(st, "active") == 0)
		r->status = REC_STATUS_ENABLED;
	else if (strcmp(st, "deactivated") == 0 || strcmp(st, "disabled") == 0)
		r->status = REC_STATUS_DISABLED;
	else {
		r->status = REC_STATUS_UNSPECIFIED;
		r->detail = st[0] ? st : NULL;
	}
}

static int
conf_user_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct emit_res	 r = { .rtype = "user", .traits = REC_TRAIT_USER };
	char		 key[CONF_NAME_MAX], user[CONF_NAME_MAX];
	char		 disp[CONF_NAME_MAX], type[32], st[32];
	int		 e;

	(void)arg;
	if (conn_str(d, u, "userKey", key, sizeof(key))[0] == '\0') {
		fetch_log(c->f, LOG_L_WARN, "confluence: a user without a "
		    "usable userKey is left out");
		return 0;
	}
	(void)conn_str(d, u, "username", user, sizeof(user));
	(void)conn_str(d, u, "displayName", disp, sizeof(disp));
	(void)conn_str(d, u, "type", type, sizeof(type));
	(void)conn_str(d, u, "status", st, sizeof(st));
	const struct emit_kv prof[] = {
		{ "user_name", user, 0 }, { "user_key", key, 0 },
		{ "display_name", disp, 0 }, { "account_type", type, 0 },
	};

	r.id = key;
	r.name = disp[0] ? disp : user[0] ? user : key;
	r.login = user;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	conf_user_status(st, &r);
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	return conf_set_add(c, &CONF(c)->users, key);
}

int
conf_users_list(struct conn *c)
{
	return conf_list(c, "/rest/api/user/list?expand=status",
	    conf_user_item, NULL, NULL, NULL);
}
