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

#endif /* PC_KIT_STUB_H */
