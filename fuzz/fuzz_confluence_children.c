/*
 * Fuzz the Confluence decoder of nested groups (GET
 * /rest/api/group/{groupName}/groupmember): grants to listed groups.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_children_list(&c, "team", NULL), CONF_STUB_EMPTY)
