/*
 * A connector's response decoders run in-process under the fuzzer, on
 * the real kit (conn.c, pager.c, emit.c): this stands in for fetch.c,
 * that is for the broker (every answer comes from the input, every
 * request must pass the broker's grammar) and for the agent (every
 * record must decode as the agent decodes it). The first KIT_STUB_SERVED
 * answers carry the input; after that each is the connector's empty
 * page, so a run always ends.
 */
#ifndef PC_KIT_STUB_H
#define PC_KIT_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "kit.h"

#define KIT_STUB_SERVED	2

/*
 * Make c a connection of def (its start() runs, its options unset)
 * whose answers are p, then empty.
 */
void	kit_stub_begin(struct conn *c, struct fetch *f,
	    const struct conn_def *def, const char *empty, const uint8_t *p,
	    size_t n);
/* Drive what the step queued to its end, then check nothing leaked. */
void	kit_stub_end(struct conn *c);

/*
 * A connector's harness body: the step call (which may name the stub's
 * conn `c`) on the kit with def, empty as the answer to anything after
 * the input; setup before it, release after it, cleanup once the queue
 * is drained (each an expression, or (void)0).
 */
#define KIT_FUZZ(def, empty, setup, call, release, cleanup)		\
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);		\
int									\
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)			\
{									\
	static struct conn	c;					\
	static struct fetch	f;					\
									\
	kit_stub_begin(&c, &f, (def), (empty), p, n);			\
	setup;								\
	(void)!(call);							\
	release;							\
	kit_stub_end(&c);						\
	cleanup;							\
	return 0;							\
}

#endif /* PC_KIT_STUB_H */
