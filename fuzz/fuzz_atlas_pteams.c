/*
 * Fuzz the Atlas decoder of a project's teams (GET /groups/{id}/teams:
 * team ids and their project roles, grants expandable to the team's
 * members), with the input as the vendor's answer (fuzz/kit_stub.c).
 * Every record it emits must be one the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_pteams_sync(&c, atlas_stub_proj(&c, 0)))
