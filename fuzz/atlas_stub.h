/*
 * The Atlas response decoders run in-process under the fuzzer: this
 * stands in for the broker (every HTTP answer comes from the input) and
 * for the agent (every record is decoded as the agent would and must be
 * accepted).
 */
#ifndef PC_ATLAS_STUB_H
#define PC_ATLAS_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "../fetchers/atlas/atlas.h"

#define ATLAS_STUB_ORG		"a00000000000000000000001"
#define ATLAS_STUB_GROUP	"c00000000000000000000001"

/* Serve p as the body of the first two answers, then empty pages. */
void	atlas_stub_begin(struct atlas *a, struct fetch *f, const uint8_t *p,
	    size_t n);
/* Frees what atlas_stub_roles() collected during the input. */
void	atlas_stub_end(void);
/*
 * Database roles for the steps that take them: an empty list to collect
 * into (named == 0), or one role on a named database of ATLAS_STUB_GROUP
 * so the per-database grants are made too.
 */
struct atlas_dbroles	*atlas_stub_roles(int named);

/*
 * A whole harness: `call` runs one sync step on `a`, whose answers are the
 * input. A harness file is its comment and this line.
 */
#define ATLAS_FUZZ(call)						\
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);		\
int									\
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)			\
{									\
	struct atlas	a;						\
	struct fetch	f;						\
									\
	atlas_stub_begin(&a, &f, p, n);					\
	(void)!(call);							\
	atlas_stub_end();						\
	return 0;							\
}

#endif /* PC_ATLAS_STUB_H */
