/*
 * portcullis-fetch-atlassian: Atlassian Cloud. Confined before it reads
 * a byte; it sees only the broker (fd 3) and the agent (fd 4).
 */
#include <string.h>

#include "atlassian.h"
#include "sbx.h"

extern const struct conn_def	atlassian_def;

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--export-seccomp") == 0)
		return sbx_export(1) == 0 ? 0 : 1;
	sbx_enter();
	return kit_main(&atlassian_def);
}
