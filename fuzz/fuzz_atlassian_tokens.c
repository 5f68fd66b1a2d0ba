/*
 * Fuzz the Atlassian decoder of a user's API tokens (a bare array), with
 * the input as the vendor's answer (fuzz/kit_stub.c). Every record it
 * emits must be one the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlassian_stub.h"

ATL_FUZZ(atl_user_tokens_sync(&c, atl_stub_id(&c, ATL_STUB_USER)))
