/*
 * Fuzz the Ironclad decoder of SCIM user pages (GET /scim/v2/Users): a
 * ListResponse with its users and their profiles, with the input as the
 * vendor's answer (fuzz/kit_stub.c). Every record it emits must be one
 * the agent accepts; every page it asks for must pass the broker.
 */
#include <stddef.h>
#include <stdint.h>

#include "ironclad_stub.h"

IC_FUZZ(ic_users_sync(&c))
