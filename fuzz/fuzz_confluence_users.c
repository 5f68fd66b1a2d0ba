/*
 * Fuzz the Confluence decoder of user pages (GET /rest/api/user/list):
 * user resources keyed by userKey, with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_users_list(&c), CONF_STUB_EMPTY)
