/*
 * Fuzz the Confluence decoder of group member pages (GET
 * /rest/api/group/{groupName}/member): member grants to listed users.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_members_list(&c, "team a", NULL), CONF_STUB_EMPTY)
