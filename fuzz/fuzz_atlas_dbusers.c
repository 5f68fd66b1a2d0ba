/*
 * Fuzz the Atlas decoder of database users (GET /groups/{id}/databaseUsers) and their roles, with the
 * input as the vendor's answer (fuzz/atlas_stub.c). Every record it
 * emits must be one the agent accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "atlas_stub.h"

#define FUZZ_ORG	"a00000000000000000000001"
#define FUZZ_GROUP	"c00000000000000000000001"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct atlas	a;
	struct fetch	f;
	struct atlas_dbroles	roles = { NULL, 0 };

	atlas_stub_begin(&a, &f, p, n);
	(void)!atlas_dbusers_sync(&a, FUZZ_GROUP, &roles);
	free(roles.r);
	return 0;
}
