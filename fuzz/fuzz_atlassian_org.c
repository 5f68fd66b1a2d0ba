/*
 * Fuzz the Atlassian decoder of the organization and the whole sync fan-
 * out, with the input as the vendor's answer (fuzz/kit_stub.c). Every
 * record it emits must be one the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlassian_stub.h"

ATL_FUZZ(atl_sync(&c))
