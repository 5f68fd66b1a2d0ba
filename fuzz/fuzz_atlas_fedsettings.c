/*
 * Fuzz the Atlas decoder of the org's federation settings (GET /orgs/{id}/federationSettings),
 * then the federation's identity providers, with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_federation_sync(&c, atlas_stub_org(&c)))
