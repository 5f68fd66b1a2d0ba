/*
 * The Confluence decoder harnesses: one sync step of fetchers/confluence
 * on the real kit, its answers from the input (fuzz/kit_stub.c). The
 * step starts as the second phase of a sync does: some users, groups
 * and a group no path can name already listed, so grants are made. A
 * harness file is its comment and one CONF_FUZZ line.
 */
#ifndef PC_CONFLUENCE_STUB_H
#define PC_CONFLUENCE_STUB_H

#include "../fetchers/confluence/confluence.h"
#include "kit_stub.h"

#define CONF_STUB_EMPTY	"{\"results\":[],\"start\":0,\"limit\":200," \
			"\"size\":0,\"_links\":{}}"

extern const struct conn_def	confluence_def;

/* Users k1, k2, groups "team", "team a", "ops/infra" (odd) listed. */
void	conf_stub_state(struct conn *c);
/* Free what the step and conf_stub_state() left in the state. */
void	conf_stub_release(struct conn *c);

#define CONF_FUZZ(call, empty)	\
	KIT_FUZZ(&confluence_def, empty, conf_stub_state(&c), call, (void)0, \
	    conf_stub_release(&c))

#endif /* PC_CONFLUENCE_STUB_H */
