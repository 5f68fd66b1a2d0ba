/*
 * The connector kit, tasks: a connector is a const descriptor (its app,
 * its vendor's error envelope, what it does for each task) and its
 * vendor code. The kit runs the task: it emits the resource types from
 * the app's descriptor, takes grant and entitlement ids apart (the way
 * the agent builds them, record.h), routes a grant or revoke to the
 * handler of the entitlement's resource type, and writes the result.
 */
#ifndef PC_KIT_H
#define PC_KIT_H

#include "conn.h"
#include "pager.h"

/* A grant or revoke being carried out. */
struct kit_op {
	struct conn		*c;
	int			 revoke;
	struct grant_ref	 g;		/* entitlement and principal */
	char			 target[REC_ID_MAX];	/* the grant id */
};

struct kit_grant {
	const char	*rtype;			/* of the entitlement */
	int		(*fn)(struct kit_op *);
};

struct kit_action {
	const char	*name;			/* as in the app's descriptor */
	int		(*fn)(struct conn *);
};

struct conn_def {
	const char		*app;		/* its descriptor (apps.h) */
	/* The vendor's error in r as a few words ("USER_NOT_FOUND: ..."). */
	void			(*error)(const struct conn_resp *r, char *line,
				    size_t linesz);
	int			(*start)(struct conn *c);	/* or NULL */
	int			(*sync)(struct conn *c);
	const struct kit_grant	*grants;	/* NULL rtype ends */
	int			(*create)(struct conn *c);	/* or NULL */
	int			(*remove)(struct conn *c);	/* or NULL */
	const struct kit_action	*actions;	/* NULL name ends, or NULL */
};

/* A fetcher's whole main after sbx_enter(): run the task with def. */
int	kit_main(const struct conn_def *def);
/* The result line "granted X to T:P" / "already revoked ..."; 0. */
int	kit_done(struct kit_op *o, int already);
/* Refuse a principal of the wrong type; PC_E_VALUE. */
int	kit_bad_principal(struct kit_op *o, const char *want);
/* "<rtype>:<rid>:<slug>" of the operation's entitlement into dst. */
int	kit_ent_id(const struct kit_op *o, char *dst, size_t dstsz) PC_WUR;

#endif /* PC_KIT_H */
