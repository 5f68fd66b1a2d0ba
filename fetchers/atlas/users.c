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
atlas_user_grants(struct atlas *a, const struct pcj_doc *d, int u,
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
		if ((e = emit_grant(a->f, "organization", org, slug, "user",
		    id, 0)) != 0)
			return e;
	}
	return 0;
}

static int
atlas_user_item(struct atlas *a, const struct pcj_doc *d, int u, void *arg)
{
	struct emit_res	r = { .rtype = "user", .ptype = "organization",
			    .traits = REC_TRAIT_USER };
	const char	*org = arg;
	char		id[64], user[1024], first[256], last[256];
	char		country[64], st[64], profile[2048];
	int		e;

	if (!atlas_hexid(atlas_str(d, u, "id", id, sizeof(id))))
		return 0;
	(void)atlas_str(d, u, "username", user, sizeof(user));
	(void)atlas_str(d, u, "firstName", first, sizeof(first));
	(void)atlas_str(d, u, "lastName", last, sizeof(last));
	(void)atlas_str(d, u, "country", country, sizeof(country));
	(void)atlas_str(d, u, "orgMembershipStatus", st, sizeof(st));
	(void)fetch_fmt(profile, sizeof(profile), "first_name=%s\nlast_name=%s\n"
	    "email=%s\nlogin=%s\nuser_id=%s\ncountry=%s\n", first, last, user,
	    user, id, country);
	r.id = id;
	r.pid = org;
	r.name = user[0] ? user : id;
	r.login = user;
	r.emails = user;
	r.profile = profile;
	atlas_user_status(st, &r);
	if ((e = emit_resource(a->f, &r)) != 0)
		return e;
	return atlas_user_grants(a, d, u, org, id);
}

int
atlas_users_sync(struct atlas *a, const char *org)
{
	char	path[256];

	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/orgs/%s/users", org);
	return atlas_list(a, path, ATLAS_V2025, 1, atlas_user_item,
	    (void *)(uintptr_t)org);
}
