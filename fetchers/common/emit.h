/*
 * Emitting normalized records to the agent (batched RECORDS). Ids follow
 * baton: entitlement `<type>:<id>:<slug>`, grant
 * `<entitlementId>:<principalType>:<principalId>`; the agent builds and
 * checks them. Profiles, e-mails and grantable types are written as JSON
 * (jw), never joined with a delimiter a vendor value could contain.
 */
#ifndef PC_EMIT_H
#define PC_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

struct fetch;

/* One profile member: a string value, or (raw) a JSON number/bool. */
struct emit_kv {
	const char	*key;
	const char	*value;		/* NULL or "": left out */
	int		 raw;
};

struct emit_res {
	const char		*rtype, *id, *name, *desc;
	const char		*ptype, *pid;		/* parent */
	uint32_t		 traits, status, flags;
	const char		*login;
	const char *const	*emails;		/* first is primary */
	size_t			 nemails;
	const struct emit_kv	*profile;
	size_t			 nprofile;
	const char		*detail;		/* status detail */
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
/*
 * A grant that holds through a group: expandable to the members of the
 * entitlements in via (baton's GrantExpandable), e.g. a team's project
 * role expandable to "team:<id>:member".
 */
int	emit_grant_via(struct fetch *f, const char *rtype, const char *id,
	    const char *slug, const char *ptype, const char *pid,
	    const char *const *via, size_t nvia, uint32_t flags) PC_WUR;

#endif /* PC_EMIT_H */
