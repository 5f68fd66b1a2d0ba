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

/* Serve p as the body of the first two answers, then empty pages. */
void	atlas_stub_begin(struct atlas *a, struct fetch *f, const uint8_t *p,
	    size_t n);

#endif /* PC_ATLAS_STUB_H */
