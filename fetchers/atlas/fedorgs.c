/*
 * Runs in: the Atlas fetcher. Input: GET /federationSettings/{id}/
 * connectedOrgConfigs/{orgId} and its roleMappings (untrusted JSON).
 * The config is a resource (domain restriction, approved domains, data
 * access IdPs) with its post-authentication roles as grants to the login
 * IdP; each role mapping is an IdP group whose org and project roles are
 * grants expandable to the group's members (the IdP knows them, Atlas
 * does not list them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "jw.h"

/* The login IdP's id from its oktaIdpId, or NULL (not listed). */
static const char *
atlas_fed_idp(const struct atlas_fed *fd, const char *okta)
{
	size_t	i;

	for (i = 0; okta[0] != '\0' && i < fd->nidp; i++)
		if (strcmp(fd->okta[i], okta) == 0)
			return fd->idp[i];
	return NULL;
}

/* "Anyone authenticating through IdP X gets ORG_MEMBER in org O." */
static int
atlas_cfg_postauth(struct conn *c, struct atlas_fed *fd,
    const struct pcj_doc *d, int o, const char *idp)
{
	char		 role[64], via[128];
	const char	*slug, *v[1] = { via };
	int		 i, e;

	(void)fetch_fmt(via, sizeof(via), "identity_provider:%s:user", idp);
	for (i = pcj_first(d, pcj_get(d, o, "postAuthRoleGrants")); i >= 0;
	    i = pcj_next(d, i)) {
		if (pcj_type(d, i) != PCJ_STRING || pcj_str(d, i, role,
		    sizeof(role), NULL, 0) != 0 ||
		    (slug = atlas_org_role_slug(role)) == NULL)
			continue;	/* only org roles, by the spec */
		if ((e = emit_grant_via(c->f, "organization", fd->org, slug,
		    "identity_provider", idp, v, 1, 0)) != 0)
			return e;
	}
	return 0;
}

static int
atlas_cfg_emit(struct conn *c, struct atlas_fed *fd, const struct pcj_doc *d,
    int o, int restricted)
{
	struct emit_res	 r = { .rtype = "connected_org",
			    .ptype = "federation", .traits = REC_TRAIT_APP };
	struct emit_kv	 kv[7];
	struct buf	 b[3];
	const char	*s[3] = { NULL, NULL, NULL }, *idp;
	char		 okta[64], conflicts[16], name[80];
	unsigned	 n;
	int		 e = 0, i, ipd = 0, v;
	static const char *const keys[3] = { "domainAllowList",
	    "postAuthRoleGrants", "dataAccessIdentityProviderIds" };

	v = pcj_get(d, o, "instantUserProvisioningDisabled");
	if (v >= 0 && pcj_bool(d, v, &ipd) != 0)
		ipd = 0;
	for (i = 0; i < 3; i++)
		buf_init(&b[i], 4096, 0);
	for (i = 0; i < 3 && e == 0; i++)
		if ((e = atlas_fed_strs(&b[i], d, pcj_get(d, o, keys[i]),
		    &n)) == 0)
			e = buf_cstr(&b[i], &s[i]);
	if (e != 0)
		goto out;
	idp = atlas_fed_idp(fd, conn_str(d, o, "identityProviderId", okta,
	    sizeof(okta)));
	(void)fetch_fmt(conflicts, sizeof(conflicts), "%u",
	    pcj_type(d, v = pcj_get(d, o, "userConflicts")) == PCJ_ARRAY ?
	    pcj_count(d, v) : 0);
	kv[0] = (struct emit_kv){ "domain_restriction_enabled", restricted ?
	    "true" : "false", 1 };
	kv[1] = (struct emit_kv){ "approved_domains", s[0], 1 };
	kv[2] = (struct emit_kv){ "post_auth_role_grants", s[1], 1 };
	kv[3] = (struct emit_kv){ "data_access_identity_providers", s[2], 1 };
	kv[4] = (struct emit_kv){ "login_identity_provider", idp ? idp : okta,
	    0 };
	kv[5] = (struct emit_kv){ "instant_user_provisioning_disabled", ipd ?
	    "true" : "false", 1 };
	kv[6] = (struct emit_kv){ "user_conflicts", conflicts, 1 };
	(void)fetch_fmt(name, sizeof(name), "organization %s", fd->org);
	r.id = fd->org;
	r.pid = fd->fid;
	r.name = name;
	r.desc = "the organization's federation settings";
	r.profile = kv;
	r.nprofile = 7;
	if ((e = emit_resource(c->f, &r)) != 0)
		goto out;
	if (idp != NULL)
		e = atlas_cfg_postauth(c, fd, d, o, idp);
	else if (okta[0] != '\0')
		fetch_log(c->f, 1, "warning: organization %s: login identity "
		    "provider %s is not in the federation's listing: its "
		    "post-authentication roles are not shown", fd->org, okta);
out:
	for (i = 0; i < 3; i++)
		buf_clear(&b[i]);
	return e;
}

static int
atlas_cfg_answer(struct conn *c, struct conn_resp *r, void *arg)
{
	struct atlas_fed	*fd = arg;
	char			 org[64];
	int			 root, v, restricted = 0, e = 0;

	if (r == NULL)
		goto out;
	if (r->r.status == 403 || r->r.status == 404) {
		fetch_log(c->f, 1, "warning: organization %s: connected org "
		    "config: HTTP %d: federation settings of the org not "
		    "synced", fd->org, r->r.status);
		goto out;
	}
	/* orgId and domainRestrictionEnabled are required (the spec). */
	if (r->r.status < 200 || r->r.status > 299 || !r->parsed ||
	    pcj_type(&r->doc, root = pcj_root(&r->doc)) != PCJ_OBJECT ||
	    strcmp(conn_str(&r->doc, root, "orgId", org, sizeof(org)),
	    fd->org) != 0 || (v = pcj_get(&r->doc, root,
	    "domainRestrictionEnabled")) < 0 ||
	    pcj_bool(&r->doc, v, &restricted) != 0) {
		e = conn_fail(c, PC_E_REMOTE, "connected org config of %s: %s",
		    fd->org, c->last[0] ? c->last : "not this org's, or no "
		    "domainRestrictionEnabled");
		goto out;
	}
	if ((e = atlas_cfg_emit(c, fd, &r->doc, root, restricted)) == 0)
		e = atlas_rolemaps_sync(c, fd);
out:
	conn_ref_drop(&fd->ref);
	return e;
}

int
atlas_orgcfg_sync(struct conn *c, struct atlas_fed *fd)
{
	struct conn_call	 call;
	char			 path[256];
	int			 e;

	memset(&call, 0, sizeof(call));
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/federationSettings/"
	    "%s/connectedOrgConfigs/%s", fd->fid, fd->org);
	call.path = path;
	call.accept = ATLAS_V2023;
	conn_ref_hold(&fd->ref);
	if ((e = conn_submit(c, &call, atlas_cfg_answer, fd)) != 0)
		conn_ref_drop(&fd->ref);
	return e;
}

/* ---- role mappings ------------------------------------------------- */

/* One roleAssignment as a grant to the group, expandable to members. */
static int
atlas_map_role(struct conn *c, struct atlas_fed *fd, const struct pcj_doc *d,
    int a, const char *mid)
{
	char		 role[64], oid[64], gid[64], via[128];
	const char	*slug, *v[1] = { via };

	(void)fetch_fmt(via, sizeof(via), "idp_group:%s:member", mid);
	(void)conn_str(d, a, "role", role, sizeof(role));
	(void)conn_str(d, a, "orgId", oid, sizeof(oid));
	(void)conn_str(d, a, "groupId", gid, sizeof(gid));
	if (atlas_hexid(gid) && (slug = atlas_project_role_slug(role)) != NULL)
		return emit_grant_via(c->f, "project", gid, slug, "idp_group",
		    mid, v, 1, 0);
	/* A role on another org is not this config's to confer. */
	if (gid[0] == '\0' && strcmp(oid, fd->org) == 0 &&
	    (slug = atlas_org_role_slug(role)) != NULL)
		return emit_grant_via(c->f, "organization", fd->org, slug,
		    "idp_group", mid, v, 1, 0);
	return 0;
}

static int
atlas_map_item(struct conn *c, struct atlas_fed *fd, const struct pcj_doc *d,
    int o)
{
	struct emit_res	 r = { .rtype = "idp_group",
			    .ptype = "connected_org",
			    .traits = REC_TRAIT_GROUP };
	struct emit_kv	 kv[1];
	char		 mid[64], name[256], disp[320];
	size_t		 len;
	int		 a, e, g = pcj_get(d, o, "externalGroupName");

	/* externalGroupName: 1 to 200 characters (the spec). */
	if (!atlas_hexid(conn_str(d, o, "id", mid, sizeof(mid))) ||
	    pcj_type(d, g) != PCJ_STRING || pcj_str(d, g, name, sizeof(name),
	    &len, 0) != 0 || len == 0 || len > 200 || len != strlen(name))
		return 0;
	kv[0] = (struct emit_kv){ "external_group_name", name, 0 };
	r.id = mid;
	r.pid = fd->org;
	r.name = name;
	r.desc = "identity provider group (role mapping)";
	r.profile = kv;
	r.nprofile = 1;
	(void)fetch_fmt(disp, sizeof(disp), "members of IdP group %s", name);
	if ((e = emit_resource(c->f, &r)) != 0 || (e = emit_ent(c->f,
	    "idp_group", mid, "member", disp, REC_PURPOSE_ASSIGNMENT, "user",
	    "held in the identity provider")) != 0)
		return e;
	for (a = pcj_first(d, pcj_get(d, o, "roleAssignments")); a >= 0;
	    a = pcj_next(d, a))
		if ((e = atlas_map_role(c, fd, d, a, mid)) != 0)
			return e;
	return 0;
}

static int
atlas_maps_answer(struct conn *c, struct conn_resp *r, void *arg)
{
	struct atlas_fed	*fd = arg;
	int64_t			 total = -1;
	int			 root, res, t, o, e = 0;

	if (r == NULL)
		goto out;
	if (r->r.status == 403 || r->r.status == 404) {
		fetch_log(c->f, 1, "warning: organization %s: role mappings: "
		    "HTTP %d: not synced", fd->org, r->r.status);
		goto out;
	}
	if (r->r.status < 200 || r->r.status > 299 || !r->parsed ||
	    pcj_type(&r->doc, root = pcj_root(&r->doc)) != PCJ_OBJECT ||
	    pcj_type(&r->doc, res = pcj_get(&r->doc, root, "results")) !=
	    PCJ_ARRAY || ((t = pcj_get(&r->doc, root, "totalCount")) >= 0 &&
	    pcj_int64(&r->doc, t, &total) != 0)) {
		e = conn_fail(c, PC_E_REMOTE, "role mappings of %s: %s",
		    fd->org, c->last[0] ? c->last : "no results array");
		goto out;
	}
	/* The operation takes no paging: one answer holds them all. */
	if (total > (int64_t)pcj_count(&r->doc, res)) {
		e = conn_fail(c, PC_E_REMOTE, "role mappings of %s: totalCount "
		    "%lld but %u in the answer", fd->org, (long long)total,
		    pcj_count(&r->doc, res));
		goto out;
	}
	for (o = pcj_first(&r->doc, res); o >= 0 && e == 0;
	    o = pcj_next(&r->doc, o))
		e = atlas_map_item(c, fd, &r->doc, o);
out:
	conn_ref_drop(&fd->ref);
	return e;
}

int
atlas_rolemaps_sync(struct conn *c, struct atlas_fed *fd)
{
	struct conn_call	 call;
	char			 path[300];
	int			 e;

	memset(&call, 0, sizeof(call));
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/federationSettings/"
	    "%s/connectedOrgConfigs/%s/roleMappings", fd->fid, fd->org);
	call.path = path;
	call.accept = ATLAS_V2023;
	conn_ref_hold(&fd->ref);
	if ((e = conn_submit(c, &call, atlas_maps_answer, fd)) != 0)
		conn_ref_drop(&fd->ref);
	return e;
}
