/*
 * Runs in: the Atlas fetcher. Input: none beyond the task. A sync is
 * the organizations listing; everything else hangs below it.
 */
#include "atlas.h"

int
atlas_sync(struct conn *c)
{
	return atlas_orgs_sync(c);
}
