/*
 * Runs in: the Ironclad fetcher. Input: SCIM ListResponse pages of
 * groups (untrusted), each with its members. A group is a resource
 * with one entitlement, "member", granted to each member user.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ironclad.h"

/* members[{type: "User", value}]: a member of another type is not a user. */
static int
ic_group_members(struct conn *c, const struct pcj_doc *d, int g,
    const char *gid)
{
	char	uid[IC_ID_MAX], type[16];
	int	arr = pcj_get(d, g, "members"), i, e;

	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i)) {
		if (pcj_type(d, i) != PCJ_OBJECT)
			continue;
		(void)conn_str(d, i, "type", type, sizeof(type));
		if ((type[0] != '\0' && strcmp(type, "User") != 0) ||
		    !ic_id_ok(conn_str(d, i, "value", uid, sizeof(uid))))
			continue;
		if ((e = emit_grant(c->f, "group", gid, "member", "user", uid,
		    0)) != 0)
			return e;
	}
	return 0;
}

static int
ic_group_item(struct conn *c, const struct pcj_doc *d, int g, void *arg)
{
	struct emit_res	 r = { .rtype = "group", .traits = REC_TRAIT_GROUP };
	char		 gid[IC_ID_MAX], name[1024], ext[256], disp[1100];
	int		 e;

	(void)arg;
	if (!ic_id_ok(conn_str(d, g, "id", gid, sizeof(gid))))
		return 0;
	(void)conn_str(d, g, "displayName", name, sizeof(name));
	(void)conn_str(d, g, "externalId", ext, sizeof(ext));
	const struct emit_kv prof[] = {
		{ "group_id", gid, 0 }, { "external_id", ext, 0 },
	};

	r.id = gid;
	r.name = name[0] != '\0' ? name : gid;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	(void)fetch_fmt(disp, sizeof(disp), "%s group member", r.name);
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_ent(c->f, "group", gid, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "user", NULL)) != 0)
		return e;
	return ic_group_members(c, d, g, gid);
}

int
ic_groups_sync(struct conn *c)
{
	struct pager_list	l = { .kind = PAGER_SCIM,
				    .path = "/scim/v2/Groups", .accept = IC_JSON,
				    .items = "Resources", .total = "totalResults",
				    .per_page = IC_GROUPS_PAGE,
				    .item = ic_group_item };

	return pager_list(c, &l);
}
