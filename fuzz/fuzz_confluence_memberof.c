/*
 * Fuzz the Confluence decoder of a user's groups (GET
 * /rest/api/user/memberof): grants of the groups no path can name.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_memberof_list(&c, "k1", NULL), CONF_STUB_EMPTY)
