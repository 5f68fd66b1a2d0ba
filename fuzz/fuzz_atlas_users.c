/*
 * Fuzz the Atlas decoder of organization users (GET /orgs/{id}/users): users and their org-role grants, with the
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

	atlas_stub_begin(&a, &f, p, n);
	(void)!atlas_users_sync(&a, FUZZ_ORG);
	return 0;
}
