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

extern const struct conn_def	atlas_def;

/* The org the step lists under (held by the harness until it ends). */
struct atlas_id		*atlas_stub_org(struct conn *c);
/*
 * A project of ATLAS_STUB_GROUP: no database roles collected yet
 * (named 0), or one role on its database "sales" so the per-database
 * grants are made too.
 */
struct atlas_proj	*atlas_stub_proj(struct conn *c, int named);
/* Drop what atlas_stub_org() and atlas_stub_proj() made. */
void			 atlas_stub_release(void);

#define ATLAS_FUZZ(call)	\
	KIT_FUZZ(&atlas_def, "{\"results\":[],\"totalCount\":0}", (void)0, \
	    call, atlas_stub_release(), (void)0)

#endif /* PC_ATLAS_STUB_H */
