/*
 * portcullis: the agent. main() reads the command line and configuration
 * and hands over to the command; a run starts the broker (forked, it
 * alone holds the keys) and one sandboxed fetcher per app.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "cli.h"
#include "log.h"

int
main(int argc, char **argv)
{
	struct config	cfg;
	struct cli	cli;
	int		rc;

	log_init("portcullis", LOG_L_INFO);
	log_set_format(LOG_F_CONSOLE);	/* journald priorities from the start */
	config_init(&cfg);
	if ((rc = cli_parse(&cli, &cfg, argc, argv)) == EXIT_OK)
		rc = cli_run(&cli, &cfg);
	config_clear(&cfg);
	return rc;
}
