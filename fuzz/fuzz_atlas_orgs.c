/*
 * Fuzz the Atlas decoder of organizations (GET /orgs) and everything a
 * sync does per org, with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_orgs_sync(&c))
