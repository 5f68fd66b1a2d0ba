/*
 * Runs in: the Atlas fetcher. Input: organization user pages (untrusted).
 * Users carry their org roles, which become grants on the organization.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atlas.h"

static void
atlas_user_status(const char *st, struct emit_res *r)
{
	if (strcmp(st, "ACTIVE") == 0)
		r->status = REC_STATUS_ENABLED;
	else if (strcmp(st, "PENDING") == 0) {
		r->status = REC_STATUS_ENABLED;
		r->detail = "PENDING";
	} else {
		/* INVITATION_EXPIRED, _REJECTED and whatever comes next. */
		r->status = REC_STATUS_UNSPECIFIED;
		r->detail = st;
	}
}

static int
atlas_user_grants(struct conn *c, const struct pcj_doc *d, int u,
    const char *org, const char *id)
{
	char	role[64];
	int	roles, i, e;

	roles = pcj_get(d, pcj_get(d, u, "roles"), "orgRoles");
	for (i = pcj_first(d, roles); i >= 0; i = pcj_next(d, i)) {
		const char *slug;

		if (pcj_str(d, i, role, sizeof(role), NULL, PCJ_STR_ID) != 0 ||
		    (slug = atlas_org_role_slug(role)) == NULL)
			continue;
		if ((e = emit_grant(c->f, "organization", org, slug, "user",
		    id, 0)) != 0)
			return e;
	}
	return 0;
}

static int
atlas_user_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct atlas_id	*org = arg;
	struct emit_res	 r = { .rtype = "user", .ptype = "organization",
			    .traits = REC_TRAIT_USER };
	char		 id[64], user[1024], first[256], last[256];
	char		 country[64], st[64];
	const char	*emails[1];
	int		 e;

	if (!atlas_hexid(conn_str(d, u, "id", id, sizeof(id))))
		return 0;
	(void)conn_str(d, u, "username", user, sizeof(user));
	(void)conn_str(d, u, "firstName", first, sizeof(first));
	(void)conn_str(d, u, "lastName", last, sizeof(last));
	(void)conn_str(d, u, "country", country, sizeof(country));
	(void)conn_str(d, u, "orgMembershipStatus", st, sizeof(st));
	const struct emit_kv prof[] = {
		{ "first_name", first, 0 }, { "last_name", last, 0 },
		{ "email", user, 0 }, { "login", user, 0 },
		{ "user_id", id, 0 }, { "country", country, 0 },
	};

	r.id = id;
	r.pid = org->id;
	r.name = user[0] ? user : id;
	r.login = user;
	emails[0] = user;
	r.emails = emails;
	r.nemails = user[0] != '\0';
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	atlas_user_status(st, &r);
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	return atlas_user_grants(c, d, u, org->id, id);
}

int
atlas_users_sync(struct conn *c, struct atlas_id *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users",
	    org->id);
	return atlas_list(c, path, ATLAS_V2025, 1, atlas_user_item, NULL, org,
	    &org->ref);
}
