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

#define IC_FUZZ(call)							\
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);		\
int									\
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)			\
{									\
	static struct conn	c;					\
	static struct fetch	f;					\
									\
	kit_stub_begin(&c, &f, &ironclad_def, IC_STUB_EMPTY, p, n);	\
	(void)!(call);							\
	kit_stub_end(&c);						\
	return 0;							\
}

#endif /* PC_IRONCLAD_STUB_H */
