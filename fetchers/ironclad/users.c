/*
 * Runs in: the Ironclad fetcher. Input: SCIM ListResponse pages of
 * users (untrusted). A user is a resource with its e-mails, names,
 * title and the enterprise and Ironclad extension attributes in its
 * profile. Ironclad has no inactive users (active:false removes one),
 * so active says enabled; anything else is reported as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ironclad.h"

#define IC_EMAILS_MAX	8

/* Per user: what the profile is made of (one item at a time). */
struct ic_user {
	char	id[IC_ID_MAX], user[512], given[256], family[256];
	char	display[512], nick[256], title[1024], dept[256], empno[128];
	char	cost[128], org[256], manager[IC_ID_MAX], head[512];
	char	provider[32], convert[8], mail[IC_EMAILS_MAX][512];
	const char *emails[IC_EMAILS_MAX];
	size_t	nemails;
};

/* emails[{value, type, primary}]: the primary one first, at most 8. */
static void
ic_user_emails(const struct pcj_doc *d, int u, struct ic_user *x)
{
	int	arr = pcj_get(d, u, "emails"), i, prim;
	size_t	k;

	x->nemails = 0;
	for (i = pcj_first(d, arr); i >= 0 && x->nemails < IC_EMAILS_MAX;
	    i = pcj_next(d, i)) {
		k = x->nemails;
		if (pcj_type(d, i) != PCJ_OBJECT ||
		    conn_str(d, i, "value", x->mail[k], sizeof(x->mail[k]))[0]
		    == '\0')
			continue;
		prim = pcj_type(d, pcj_get(d, i, "primary")) == PCJ_TRUE;
		x->emails[k] = x->mail[k];
		if (prim && k > 0) {
			x->emails[k] = x->emails[0];
			x->emails[0] = x->mail[k];
		}
		x->nemails++;
	}
	if (x->nemails == 0 && x->user[0] != '\0') {
		x->emails[0] = x->user;
		x->nemails = 1;
	}
}

static void
ic_user_read(const struct pcj_doc *d, int u, struct ic_user *x)
{
	int	name = pcj_get(d, u, "name"), ent = pcj_get(d, u, IC_ENT);
	int	ext = pcj_get(d, u, IC_EXT), v;

	(void)conn_str(d, u, "userName", x->user, sizeof(x->user));
	(void)conn_str(d, name, "givenName", x->given, sizeof(x->given));
	(void)conn_str(d, name, "familyName", x->family, sizeof(x->family));
	(void)conn_str(d, u, "displayName", x->display, sizeof(x->display));
	(void)conn_str(d, u, "nickName", x->nick, sizeof(x->nick));
	(void)conn_str(d, u, "title", x->title, sizeof(x->title));
	(void)conn_str(d, ent, "department", x->dept, sizeof(x->dept));
	(void)conn_str(d, ent, "employeeNumber", x->empno, sizeof(x->empno));
	(void)conn_str(d, ent, "costCenter", x->cost, sizeof(x->cost));
	(void)conn_str(d, ent, "organization", x->org, sizeof(x->org));
	(void)conn_str(d, pcj_get(d, ent, "manager"), "value", x->manager,
	    sizeof(x->manager));
	(void)conn_str(d, ext, "departmentHead", x->head, sizeof(x->head));
	(void)conn_str(d, ext, "provider", x->provider, sizeof(x->provider));
	v = pcj_type(d, pcj_get(d, ext, "allowProviderConversion"));
	(void)fetch_fmt(x->convert, sizeof(x->convert), "%s", v == PCJ_TRUE ?
	    "true" : v == PCJ_FALSE ? "false" : "");
	ic_user_emails(d, u, x);
}

/* "Given Family", else displayName, else the login, else the id. */
static const char *
ic_user_name(struct ic_user *x, char *dst, size_t dstsz)
{
	if (x->display[0] != '\0')
		return x->display;
	(void)fetch_fmt(dst, dstsz, "%s%s%s", x->given, x->given[0] &&
	    x->family[0] ? " " : "", x->family);
	return dst[0] != '\0' ? dst : x->user[0] != '\0' ? x->user : x->id;
}

static int
ic_user_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	static struct ic_user	 x;
	struct emit_res		 r = { .rtype = "user",
				    .traits = REC_TRAIT_USER };
	char			 full[600];
	int			 act;

	(void)arg;
	memset(&x, 0, sizeof(x));
	if (!ic_id_ok(conn_str(d, u, "id", x.id, sizeof(x.id))))
		return 0;
	ic_user_read(d, u, &x);
	const struct emit_kv prof[] = {
		{ "user_id", x.id, 0 }, { "login", x.user, 0 },
		{ "email", x.nemails ? x.emails[0] : NULL, 0 },
		{ "first_name", x.given, 0 }, { "last_name", x.family, 0 },
		{ "display_name", x.display, 0 }, { "nick_name", x.nick, 0 },
		{ "title", x.title, 0 }, { "department", x.dept, 0 },
		{ "employee_number", x.empno, 0 }, { "cost_center", x.cost, 0 },
		{ "organization", x.org, 0 }, { "manager_id", x.manager, 0 },
		{ "department_head", x.head, 0 }, { "provider", x.provider, 0 },
		{ "allow_provider_conversion", x.convert, 1 },
	};

	r.id = x.id;
	r.name = ic_user_name(&x, full, sizeof(full));
	r.login = x.user;
	r.emails = x.emails;
	r.nemails = x.nemails;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	act = pcj_type(d, pcj_get(d, u, "active"));
	r.status = act == PCJ_FALSE ? REC_STATUS_DISABLED :
	    REC_STATUS_ENABLED;
	return emit_resource(c->f, &r);
}

int
ic_users_sync(struct conn *c)
{
	struct pager_list	l = { .kind = PAGER_SCIM,
				    .path = "/scim/v2/Users", .accept = IC_JSON,
				    .items = "Resources", .total = "totalResults",
				    .per_page = IC_USERS_PAGE,
				    .item = ic_user_item };

	return pager_list(c, &l);
}
