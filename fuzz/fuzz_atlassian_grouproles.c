/*
 * Fuzz the Atlassian decoder of a group's role assignments, with the
 * input as the vendor's answer (fuzz/kit_stub.c). Every record it emits
 * must be one the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlassian_stub.h"

ATL_FUZZ(atl_group_roles_sync(&c, atl_stub_id(&c, ATL_STUB_GROUP)))
