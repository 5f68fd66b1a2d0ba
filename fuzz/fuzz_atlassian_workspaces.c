/*
 * Fuzz the Atlassian decoder of workspace pages (POST .../workspaces,
 * cursor in the body), with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlassian_stub.h"

ATL_FUZZ(atl_workspaces_sync(&c))
