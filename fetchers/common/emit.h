/*
 * Emitting normalized records to the agent (RECORD messages). Ids follow
 * baton: entitlement `<type>:<id>:<slug>`, grant
 * `<entitlementId>:<principalType>:<principalId>`; the agent builds them.
 */
#ifndef PC_EMIT_H
#define PC_EMIT_H

#include <stdint.h>

#include "err.h"
#include "record.h"

struct fetch;

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
