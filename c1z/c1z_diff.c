/* Runs in: agent (the c1z command). Input: two .c1z files (untrusted). */
#include "c1z_rd.h"

int
c1z_diff_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
