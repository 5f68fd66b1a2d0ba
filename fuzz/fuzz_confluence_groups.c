/*
 * Fuzz the Confluence decoder of group pages (GET /rest/api/group):
 * group resources and their member entitlements.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_groups_list(&c), CONF_STUB_EMPTY)
