/*
 * The Ironclad SCIM v2 fetcher, on the connector kit: what its files
 * share. The broker holds the OAuth client credentials and the token;
 * this process only names paths under /scim/v2 and reads the answers
 * (untrusted JSON, through pcj only). Users and groups are listed with
 * SCIM's startIndex/count (1-based, count at most 1000).
 */
#ifndef PC_IRONCLAD_H
#define PC_IRONCLAD_H

#include "kit.h"

#define IC_JSON		"application/json"	/* the only type the spec declares */
#define IC_PATCHOP	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define IC_CORE_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define IC_ENT		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define IC_EXT		"urn:ietf:params:scim:schemas:extension:ironclad:2.0:User"

#define IC_USERS_PAGE	1000	/* the spec's maximum count */
/*
 * Groups carry their members: a smaller page keeps one answer well
 * under the 32 MiB a response may have with thousands-member groups.
 */
#define IC_GROUPS_PAGE	100
#define IC_ID_MAX	65	/* 24-hex user ids, UUID group ids */

/*
 * 1 when s may name a user or group in a path: 1..64 bytes of
 * [A-Za-z0-9_-]. Ids from answers and from the operator are checked
 * before they go into a request.
 */
int	ic_id_ok(const char *s);
/* SCIM error body code (scimType, else status) of a failed answer. */
int	ic_scimtype_is(const struct conn_resp *r, const char *type);
/* One call with the spec's media type on both sides. */
int	ic_call(struct conn *c, const char *method, const char *path,
	    const struct buf *body, const char *op, const char *target,
	    struct conn_resp *r) PC_WUR;

/* 0 when an acting user is configured, else the run's failure. */
int	ic_need_actor(struct conn *c) PC_WUR;
int	ic_sync(struct conn *c) PC_WUR;
int	ic_users_sync(struct conn *c) PC_WUR;
int	ic_groups_sync(struct conn *c) PC_WUR;
int	ic_group_grant(struct kit_op *o) PC_WUR;
int	ic_create_account(struct conn *c) PC_WUR;
int	ic_delete(struct conn *c) PC_WUR;

#endif /* PC_IRONCLAD_H */
