/*
 * Normalized records, as fetchers send them in RECORD messages and the
 * agent stores them: resource types, resources, entitlements, grants.
 * Ids follow baton: entitlement `<type>:<id>:<slug>`, grant
 * `<entitlementId>:<principalType>:<principalId>`.
 */
#ifndef PC_RECORD_H
#define PC_RECORD_H

#include <stdint.h>

#include "msg.h"

#define REC_RESOURCE_TYPE	1
#define REC_RESOURCE		2
#define REC_ENTITLEMENT		3
#define REC_GRANT		4

#define REC_TRAIT_USER		0x01
#define REC_TRAIT_GROUP		0x02
#define REC_TRAIT_ROLE		0x04
#define REC_TRAIT_APP		0x08
#define REC_TRAIT_SECRET	0x10

#define REC_STATUS_UNSPECIFIED	0	/* user account status */
#define REC_STATUS_ENABLED	1
#define REC_STATUS_DISABLED	2
#define REC_STATUS_DELETED	3

#define REC_PURPOSE_ASSIGNMENT	1	/* entitlement purpose */
#define REC_PURPOSE_PERMISSION	2

#define REC_F_SERVICE		0x1	/* user account of type service */
#define REC_F_IMMUTABLE		0x2	/* grant cannot be changed here */

#define REC_ID_MAX		4096	/* built ids: entitlement, grant */
#define REC_EMAILS_MAX		16	/* addresses of one user */
#define REC_EMAIL_MAX		320	/* RFC 5321: 64 + 1 + 255 */
#define REC_LIST_MAX		64	/* grantable types, expand ids */
#define REC_PROFILE_DEPTH	4	/* nesting of profile values */

/*
 * One record. Strings are NUL-terminated copies owned by the record
 * (record_clear frees them); absent fields are "". The structured
 * fields travel as JSON (written with jw, checked with pcj, which
 * refuses duplicate keys): profile an object of scalars and arrays of
 * them, emails an array of addresses (the first is the primary),
 * grantable an array of resource type ids, expand an array of
 * entitlement ids. No field is ever split on a delimiter.
 */
struct record {
	uint32_t	 kind;
	char		*rtype, *id, *name, *desc;
	char		*ptype, *pid;		/* parent of a resource */
	uint32_t	 traits, status, purpose, flags;
	char		*login, *emails, *profile, *detail;
	char		*slug, *grantable;
	char		*ent;			/* grant: entitlement id */
	char		*prtype, *prid;		/* grant: principal */
	char		*expand;		/* grant: expandable from */
	char		 ent_id[REC_ID_MAX];	/* built */
	char		 grant_id[REC_ID_MAX];	/* built */
};

struct app_def;

/*
 * Decode a RECORD message into r and check its meaning: the fields its
 * kind needs are there and non-empty, a grant's entitlement id is the
 * one its resource and slug make. 0 or PC_E_MISSING / PC_E_VALUE /
 * PC_E_TOOBIG / PC_E_NOMEM, with why (static text) set and r empty.
 */
int	record_decode(const struct tlv_fields *tf, struct record *r,
	    const char **why) PC_WUR;
/*
 * The same for a record of app d (NULL: any app): a slug may then be
 * "<prefix><name>" where d's resource type declares that prefix.
 */
int	record_decode_app(const struct app_def *d, const struct tlv_fields *tf,
	    struct record *r, const char **why) PC_WUR;
/* 1 when s is a resource type id: [a-z0-9_-]+ (no ':' to split on). */
int	record_type_ok(const char *s);

/* An entitlement id taken apart: `<rtype>:<rid>:<slug>`. */
struct ent_ref {
	char	rtype[64];
	char	rid[REC_ID_MAX];
	char	slug[256];
};

/* A grant id taken apart: `<entitlement>:<ptype>:<pid>`. */
struct grant_ref {
	struct ent_ref	ent;
	char		ptype[64];
	char		pid[REC_ID_MAX];
};


/*
 * Split an entitlement id of app d, the way record_decode builds them:
 * the type is one of d's, the slug follows that type's rule (apps.h
 * slug_colon), the resource id is what is left and may hold ':'. 0, or
 * PC_E_VALUE when it is not such an id (one way only, or none).
 */
int	record_ent_parse(const struct app_def *d, const char *ent,
	    struct ent_ref *out) PC_WUR;
/* The same for a grant id; the principal type is one of d's types. */
int	record_grant_parse(const struct app_def *d, const char *grant,
	    struct grant_ref *out) PC_WUR;
void	record_clear(struct record *r);

#endif /* PC_RECORD_H */
