/*
 * Emitting normalized records to the agent (RECORD messages). Ids follow
 * baton: entitlement `<type>:<id>:<slug>`, grant
 * `<entitlementId>:<principalType>:<principalId>`; the agent builds them.
 */
#ifndef PC_EMIT_H
#define PC_EMIT_H

#include <stdint.h>

#include "err.h"

struct fetch;

#define REC_RESOURCE_TYPE	1
#define REC_RESOURCE		2
#define REC_ENTITLEMENT		3
#define REC_GRANT		4

#define TRAIT_USER		0x01
#define TRAIT_GROUP		0x02
#define TRAIT_ROLE		0x04
#define TRAIT_APP		0x08
#define TRAIT_SECRET		0x10

#define STATUS_UNSPECIFIED	0
#define STATUS_ENABLED		1
#define STATUS_DISABLED		2
#define STATUS_DELETED		3

#define PURPOSE_ASSIGNMENT	1
#define PURPOSE_PERMISSION	2

#define REC_F_SERVICE		0x1	/* user account of type service */
#define REC_F_IMMUTABLE		0x2	/* grant cannot be changed here */

struct emit_res {
	const char	*rtype, *id, *name, *desc;
	const char	*ptype, *pid;		/* parent */
	uint32_t	 traits, status, flags;
	const char	*login;
	const char	*emails;		/* newline-separated */
	const char	*profile;		/* "key=value" lines */
	const char	*detail;		/* status detail */
};

int	emit_rtype(struct fetch *f, const char *id, const char *name,
	    uint32_t traits, const char *desc) PC_WUR;
int	emit_resource(struct fetch *f, const struct emit_res *r) PC_WUR;
/* Entitlement slug on resource (rtype, id); grantable: "user,team". */
int	emit_ent(struct fetch *f, const char *rtype, const char *id,
	    const char *slug, const char *name, uint32_t purpose,
	    const char *grantable, const char *desc) PC_WUR;
int	emit_grant(struct fetch *f, const char *rtype, const char *id,
	    const char *slug, const char *ptype, const char *pid,
	    uint32_t flags) PC_WUR;

#endif /* PC_EMIT_H */
