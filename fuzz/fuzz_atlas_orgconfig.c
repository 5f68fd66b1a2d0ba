/*
 * Fuzz the Atlas decoder of a connected-org config (GET /federationSettings/{id}/
 * connectedOrgConfigs/{orgId}), then its role mappings, with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_orgcfg_sync(&c, atlas_stub_fed(&c)))
