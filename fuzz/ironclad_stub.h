/*
 * The Ironclad decoder harnesses: one sync step of fetchers/ironclad on
 * the real kit, its answers from the input (fuzz/kit_stub.c); and the
 * SCIM/OAuth error envelope decoder on the input as a failed answer. A
 * harness file is its comment and one IC_FUZZ line.
 */
#ifndef PC_IRONCLAD_STUB_H
#define PC_IRONCLAD_STUB_H

#include "../fetchers/ironclad/ironclad.h"
#include "kit_stub.h"

#define IC_STUB_EMPTY	"{\"schemas\":[\"urn:ietf:params:scim:api:" \
			"messages:2.0:ListResponse\"],\"totalResults\":0," \
			"\"Resources\":[]}"

extern const struct conn_def	ironclad_def;

/*
 * The connector's error line for p as the body of a 400: it must end in
 * the buffer, be one line of what the vendor said, and never crash.
 */
int	ic_stub_error(struct conn *c);

#define IC_FUZZ(call)	\
	KIT_FUZZ(&ironclad_def, IC_STUB_EMPTY, (void)0, call, (void)0, (void)0)

#endif /* PC_IRONCLAD_STUB_H */
