/*
 * The Atlas decoder harnesses: one sync step of fetchers/atlas on the
 * real kit, its answers from the input (fuzz/kit_stub.c). A harness
 * file is its comment and one ATLAS_FUZZ line.
 */
#ifndef PC_ATLAS_STUB_H
#define PC_ATLAS_STUB_H

#include "../fetchers/atlas/atlas.h"
#include "kit_stub.h"

#define ATLAS_STUB_ORG		"a00000000000000000000001"
#define ATLAS_STUB_GROUP	"c00000000000000000000001"
#define ATLAS_STUB_FED		"f10000000000000000000001"
#define ATLAS_STUB_IDP		"f20000000000000000000001"
#define ATLAS_STUB_OKTA		"0a000000000000000001"

extern const struct conn_def	atlas_def;

/* The org the step lists under (held by the harness until it ends). */
struct atlas_id		*atlas_stub_org(struct conn *c);
/*
 * A project of ATLAS_STUB_GROUP: as listed, nothing collected yet
 * (named 0), or its database users read, one role on its database
 * "sales" among them, so the per-database grants are made too.
 */
struct atlas_proj	*atlas_stub_proj(struct conn *c, int named);
/*
 * A project's custom roles, database users and clusters listed side by
 * side, in that order (so the first answers go to the custom roles and
 * the database users).
 */
int			 atlas_stub_db_sync(struct conn *c);
/*
 * The federation ATLAS_STUB_FED of ATLAS_STUB_ORG, shown by this org,
 * its login IdP (ATLAS_STUB_OKTA) mapped to ATLAS_STUB_IDP.
 */
struct atlas_fed	*atlas_stub_fed(struct conn *c);
/* Drop what atlas_stub_org(), _proj() and _fed() made. */
void			 atlas_stub_release(void);

#define ATLAS_FUZZ(call)	\
	KIT_FUZZ(&atlas_def, "{\"results\":[],\"totalCount\":0}", (void)0, \
	    call, atlas_stub_release(), (void)0)

#endif /* PC_ATLAS_STUB_H */
