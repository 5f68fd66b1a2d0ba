/*
 * Fuzz the Atlas decoder of custom database roles (GET
 * /groups/{id}/customDBRoles/roles, a bare array) and the database
 * users and clusters listed beside it, with the input as the vendor's
 * answers (fuzz/kit_stub.c). Every record it emits must be one the
 * agent accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_stub_db_sync(&c))
