/* Runs in: agent (the c1z command). Input: a .c1z file (untrusted). */
#include "c1z_rd.h"

int
c1z_csv_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
