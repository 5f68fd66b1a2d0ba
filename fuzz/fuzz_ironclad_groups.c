/*
 * Fuzz the Ironclad decoder of SCIM group pages (GET /scim/v2/Groups):
 * groups, their member entitlement and a grant per member, with the
 * input as the vendor's answer (fuzz/kit_stub.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "ironclad_stub.h"

IC_FUZZ(ic_groups_sync(&c))
