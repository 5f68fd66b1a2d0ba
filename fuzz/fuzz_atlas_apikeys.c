/*
 * Fuzz the Atlas decoder of organization API keys (GET
 * /orgs/{id}/apiKeys), with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_apikeys_sync(&c, atlas_stub_org(&c)))
