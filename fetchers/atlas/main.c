/*
 * portcullis-fetch-atlas: MongoDB Atlas. Confined before it reads a byte;
 * it sees only the broker (fd 3) and the agent (fd 4).
 */
#include <string.h>

#include "atlas.h"
#include "sbx.h"

int	atlas_run(struct fetch *);

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--export-seccomp") == 0)
		return sbx_export(1) == 0 ? 0 : 1;
	sbx_enter();
	return fetch_main(atlas_run);
}
