/*
 * The Atlassian Cloud fetcher, on the connector kit: what its files
 * share. Three APIs behind one gateway: the Organizations REST API
 * (/admin/v1, /admin/v2), the user management API (/users/{id}/manage)
 * with the org API key, and a SCIM directory with its own key ("scim"
 * credential, base URL .../scim/directory/{directoryId}). Listings are
 * cursor pages of 100 (links.next), read through pcj only.
 */
#ifndef PC_ATLASSIAN_H
#define PC_ATLASSIAN_H

#include "kit.h"

#define ATL_JSON	"application/json"
#define ATL_SCIM_JSON	"application/scim+json"
#define ATL_PAGE	100	/* limit: the API's maximum (default 20) */
#define ATL_ID_MAX	160	/* account ids are at most 128 bytes */
#define ATL_ARI_MAX	300	/* workspace ids: ARIs */

/* The connector's state: its org and what a sync tallies. */
struct atl {
	char		org[64];	/* organization-id, checked */
	unsigned long	owner_roles;	/* project / goal: counted only */
	unsigned long	group_only;	/* user roles held through a group */
};

#define ATL(c)	((struct atl *)(c)->vendor)

/* A shared id (a user's, a group's) held by the listings under it. */
struct atl_id {
	struct conn_ref	 ref;
	char		 id[ATL_ID_MAX];
};

/* PC_E_CONFIG, said once, when organization-id is missing. */
int	atl_need_org(struct conn *c) PC_WUR;

/* Id checks: ids from answers go into paths only after them. */
int	atl_uuidish(const char *s);	/* org, group, directory ids */
int	atl_account_ok(const char *s);	/* [A-Za-z0-9_|:-]{1,128} */
int	atl_ari_ok(const char *s);	/* ari:cloud:... printable */
/* 1 when role is one of the role ids the connector grants on ws/org. */
int	atl_ws_role(const char *role);
int	atl_org_role(const char *role);
extern const char *const atl_ws_roles[];
extern const char *const atl_org_roles[];

/* The vendor code of a failed answer ("ADMIN-UAM-409-2", "key"). */
const char *atl_errcode(const struct conn_resp *r, char *dst, size_t dstsz);

/* "/admin/v2/orgs/{org}<fmt...>" into dst with the org of c. */
int	atl_path(struct conn *c, char *dst, size_t dstsz, const char *fmt, ...)
	    PC_PRINTF(4, 5);
/* One call with the Accept / Content-Type the API declares. */
int	atl_call(struct conn *c, const char *method, const char *path,
	    const struct buf *body, const char *cred, const char *op,
	    const char *target, struct conn_resp *r) PC_WUR;
/* A cursor listing (GET, cursor in the query) of path's "data". */
int	atl_list(struct conn *c, const char *path, pager_item_fn item,
	    void *arg, struct conn_ref *ref) PC_WUR;
/* A search listing (POST body, then {"cursor"}) of path's "data". */
int	atl_search(struct conn *c, const char *path, const char *body,
	    pager_item_fn item, void *arg, struct conn_ref *ref) PC_WUR;
struct atl_id *atl_id_new(struct conn *c, const char *id);

/* Sync steps (one file each); each queues its listings. */
int	atl_sync(struct conn *c) PC_WUR;
int	atl_users_sync(struct conn *c) PC_WUR;
int	atl_groups_sync(struct conn *c) PC_WUR;
int	atl_workspaces_sync(struct conn *c) PC_WUR;
/* Decoders of one user's and one group's listings (fuzzed alone). */
int	atl_user_roles_sync(struct conn *c, struct atl_id *u) PC_WUR;
int	atl_user_tokens_sync(struct conn *c, struct atl_id *u) PC_WUR;
int	atl_group_members_sync(struct conn *c, struct atl_id *g) PC_WUR;
int	atl_group_roles_sync(struct conn *c, struct atl_id *g) PC_WUR;

/* Provisioning (grant.c, account.c). */
int	atl_org_grant(struct kit_op *o) PC_WUR;
int	atl_group_grant(struct kit_op *o) PC_WUR;
int	atl_ws_grant(struct kit_op *o) PC_WUR;
int	atl_group_dir(struct conn *c, const char *gid, char *dir,
	    size_t dirsz) PC_WUR;
int	atl_create(struct conn *c) PC_WUR;
int	atl_delete(struct conn *c) PC_WUR;
int	atl_disable_user(struct conn *c) PC_WUR;
int	atl_enable_user(struct conn *c) PC_WUR;

#endif /* PC_ATLASSIAN_H */
