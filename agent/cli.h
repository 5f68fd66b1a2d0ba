/*
 * The command line, after baton: flags --foo-bar (also BATON_FOO_BAR),
 * one optional command word, and the commands themselves.
 */
#ifndef PC_CLI_H
#define PC_CLI_H

struct config;

#define CLI_GEN_MAN	1	/* --help-man: portcullis(8) OPTIONS */
#define CLI_GEN_BASH	2	/* --help-bash: the bash completion */

struct cli {
	const char	 *cmd;		/* NULL: run (sync or one operation) */
	int		  argc;		/* words after the command */
	char		**argv;
	int		  help;
	int		  version;
	int		  gen;		/* CLI_GEN_*: docs from the table */
	int		  all_argc;	/* the whole command line, for */
	char		**all_argv;	/* a service's reload */
};

/* Parse argv into cli and flags into cfg, load the config file. EXIT_*. */
int	cli_parse(struct cli *cli, struct config *cfg, int argc, char **argv);
int	cli_run(struct cli *cli, struct config *cfg);

#endif /* PC_CLI_H */
