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

/*
 * One record. Strings are NUL-terminated copies owned by the record
 * (record_clear frees them); absent fields are "".
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

/*
 * Decode a RECORD message into r and check its meaning: the fields its
 * kind needs are there and non-empty, a grant's entitlement id is the
 * one its resource and slug make. 0 or PC_E_MISSING / PC_E_VALUE /
 * PC_E_TOOBIG / PC_E_NOMEM, with why (static text) set.
 */
int	record_decode(const struct msg *m, struct record *r,
	    const char **why) PC_WUR;
void	record_clear(struct record *r);

#endif /* PC_RECORD_H */
