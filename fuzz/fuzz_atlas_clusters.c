/*
 * Fuzz the Atlas decoder of clusters (GET /groups/{id}/clusters) and
 * their databases, with the input as the vendor's answer
 * (fuzz/kit_stub.c). Every record it emits must be one the agent
 * accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "atlas_stub.h"

ATLAS_FUZZ(atlas_clusters_sync(&c, atlas_stub_proj(&c, 1)))
