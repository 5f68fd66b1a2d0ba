/*
 * Fuzz the Atlas decoder of database users (GET
 * /groups/{id}/databaseUsers) and their roles, with the input as the
 * vendor's answer (fuzz/kit_stub.c). Every record it emits must be one
 * the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_dbusers_sync(&c, atlas_stub_proj(&c, 0)))
