/*
 * Fuzz the Confluence decoder of a space's permissions (GET
 * /rest/api/space/{spaceKey}/permissions, one array): per-space
 * entitlements and grants to users, groups and anonymous.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_perms_get(&c, "ENG"), "[]")
