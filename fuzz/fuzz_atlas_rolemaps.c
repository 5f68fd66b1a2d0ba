/*
 * Fuzz the Atlas decoder of role mappings (GET /federationSettings/{id}/
 * connectedOrgConfigs/{orgId}/roleMappings), with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_rolemaps_sync(&c, atlas_stub_fed(&c)))
