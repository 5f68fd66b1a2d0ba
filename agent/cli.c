/* Runs in: agent. Input: argv and environment (operator's, trusted). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "apps.h"
#include "cli.h"
#include "msgs.h"
#include "run.h"
#include "service.h"
#include "vaultcmd.h"
#include "c1z.h"
#include "config.h"
#include "log.h"
#include "policyfile.h"

#define CLI_CONFIG_DEFAULT	"/etc/portcullis/portcullis.conf"

struct cli_cmd {
	const char	*name;
	int		(*fn)(struct cli *, struct config *);
	const char	*usage;
};

static int	cli_cmd_run(struct cli *, struct config *);
static int	cli_cmd_capabilities(struct cli *, struct config *);
static int	cli_cmd_config(struct cli *, struct config *);
static int	cli_cmd_policy(struct cli *, struct config *);
static int	cli_cmd_c1z(struct cli *, struct config *);
static int	cli_cmd_vault(struct cli *, struct config *);
static int	cli_cmd_service(struct cli *, struct config *);

static const struct cli_cmd cli_cmds[] = {
	{ "capabilities", cli_cmd_capabilities,
	    "portcullis capabilities\n  What each app can sync and provision." },
	{ "config", cli_cmd_config,
	    "portcullis config [--app NAME]\n  The effective configuration "
	    "and where each value comes from\n  (secrets show as set/unset)." },
	{ "c1z", cli_cmd_c1z,
	    "portcullis c1z show FILE [resource-types|resources|entitlements|"
	    "grants|stats|syncs]\n    [-t TYPE] [-r RESOURCE] [-e ENTITLEMENT] "
	    "[-p TYPE:ID] [--sync-id ID] [--json]\n"
	    "       portcullis c1z show FILE access -p TYPE:ID | principals "
	    "-e ENTITLEMENT\n"
	    "       portcullis c1z diff OLD NEW [--json]\n"
	    "       portcullis c1z export FILE --csv DIR\n  Read a .c1z (ours "
	    "or baton's v1), compare two, export one." },
	{ "vault", cli_cmd_vault,
	    "portcullis vault keygen [--out PREFIX]\n  Write PREFIX.jwk (private, "
	    "0600) and PREFIX.pub.jwk (vault-key).\n"
	    "       portcullis vault open FILE --key KEY.jwk\n  Decrypt one "
	    "sealed secret to standard output." },
	{ "service", cli_cmd_service,
	    "portcullis service [--config FILE]\n  Sync every configured app, "
	    "then sleep `interval` seconds, until\n  SIGTERM (systemd "
	    "Type=notify; SIGHUP re-reads the configuration)." },
	{ "policy", cli_cmd_policy,
	    "portcullis policy --explain --app NAME\n  The IP allowlist and "
	    "egress rules the broker applies to NAME." },
};

static const char cli_usage[] =
"usage: portcullis [--config FILE] --app NAME [options]\n"
"       portcullis COMMAND [args]   (capabilities, config, policy, c1z,\n"
"                                    vault, service; COMMAND --help)\n"
"       portcullis --version\n"
"\n"
"A run syncs NAME into --file (default sync.c1z), or performs one\n"
"operation: --grant-entitlement ID --grant-principal ID\n"
"--grant-principal-type TYPE | --revoke-grant ID | --create-account-login\n"
"LOGIN [--create-account-email E] [--create-account-profile JSON] |\n"
"--delete-resource ID --delete-resource-type TYPE.\n"
"Every option --foo-bar may also come from BATON_FOO_BAR or the config\n"
"file (precedence: flag, environment, file). --dry-run prints writes.\n";

static int
cli_is_bool(const char *name)
{
	const struct opt_def	*d = config_opt_find(name);

	return d != NULL && (d->flags & OPT_BOOL);
}

/* "-f" and "-p" are baton's short forms. */
static const char *
cli_long_name(const char *arg)
{
	if (strcmp(arg, "-f") == 0)
		return "file";
	if (strcmp(arg, "-p") == 0)
		return "provisioning";
	if (strncmp(arg, "--", 2) == 0)
		return arg + 2;
	return NULL;
}

static int
cli_flag(struct config *cfg, int argc, char **argv, int *i)
{
	char		 name[128];
	const char	*n = cli_long_name(argv[*i]), *eq, *val;
	size_t		 len;

	eq = strchr(n, '=');
	len = eq != NULL ? (size_t)(eq - n) : strlen(n);
	if (len == 0 || len >= sizeof(name)) {
		log_warnx("bad option \"%.64s\"", argv[*i]);
		return EXIT_USAGE;
	}
	memcpy(name, n, len);
	name[len] = '\0';
	if (eq != NULL)
		val = eq + 1;
	else if (cli_is_bool(name) && (*i + 1 >= argc ||
	    strncmp(argv[*i + 1], "-", 1) == 0 || (strcmp(argv[*i + 1],
	    "true") != 0 && strcmp(argv[*i + 1], "false") != 0)))
		val = "true";
	else if (*i + 1 < argc)
		val = argv[++*i];
	else {
		log_warnx("--%s needs a value", name);
		return EXIT_USAGE;
	}
	if (config_set_flag(cfg, name, NULL, val) != 0) {
		log_warnx("%s", cfg->err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cli_load_config(struct config *cfg)
{
	const char	*path = config_get(cfg, NULL, "config", NULL);
	int		 must = path != NULL;

	if (path == NULL)
		path = CLI_CONFIG_DEFAULT;
	if (!must && access(path, F_OK) != 0)
		return EXIT_OK;
	if (config_load_file(cfg, path) != 0) {
		log_warnx("%s", cfg->err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cli_log_level(struct config *cfg)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	const char	*v = config_get(cfg, NULL, "log-level", NULL);
	int		 i;

	for (i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0) {
			log_init("portcullis", i);
			return EXIT_OK;
		}
	log_warnx("log-level \"%.32s\" is not error, warn, info or debug", v);
	return EXIT_USAGE;
}

/*
 * A service takes where its policy comes from (config, fetchers, rules,
 * allowlists, CA, user, audit log) from its unit and config file only:
 * a BATON_* variable for one is refused, not silently obeyed.
 */
static int
cli_service_env(struct config *cfg)
{
	const struct opt_def	*d;
	const char		*var;
	size_t			 i = 0;

	cfg->no_env_policy = 1;
	while ((d = config_opt_next(&i)) != NULL)
		if ((d->flags & OPT_POLICY) && config_env_value(d->name,
		    &var) != NULL) {
			log_warnx("service: %s is set; a service takes %s from "
			    "its config file or command line only", var,
			    d->name);
			return EXIT_USAGE;
		}
	return EXIT_OK;
}

int
cli_parse(struct cli *cli, struct config *cfg, int argc, char **argv)
{
	int	i, rc;

	memset(cli, 0, sizeof(*cli));
	cli->all_argc = argc;
	cli->all_argv = argv;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i],
		    "-h") == 0) {
			cli->help = 1;
			continue;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i],
		    "-V") == 0) {
			cli->version = 1;
			continue;
		}
		if (cli_long_name(argv[i]) == NULL) {
			if (cli->cmd == NULL && (cli->cmd = argv[i]) != NULL)
				continue;
			if (cli->argv == NULL)
				cli->argv = &argv[i];
			cli->argc++;
			continue;
		}
		if (cli->cmd != NULL && (strcmp(cli->cmd, "c1z") == 0 ||
		    strcmp(cli->cmd, "vault") == 0)) {
			/* Those commands parse their own flags. */
			if (cli->argv == NULL)
				cli->argv = &argv[i];
			cli->argc++;
			continue;
		}
		if ((rc = cli_flag(cfg, argc, argv, &i)) != EXIT_OK)
			return rc;
	}
	if (cli->version)
		return EXIT_OK;		/* even with a broken config file */
	if (cli->cmd != NULL && strcmp(cli->cmd, "service") == 0 &&
	    (rc = cli_service_env(cfg)) != EXIT_OK)
		return rc;
	if ((rc = cli_load_config(cfg)) != EXIT_OK)
		return rc;
	return cli_log_level(cfg);
}

static int
cli_cmd_capabilities(struct cli *cli, struct config *cfg)
{
	char	text[2048];
	size_t	i;

	(void)cli;
	(void)cfg;
	for (i = 0; apps[i] != NULL; i++) {
		if (apps[i]->flags & APP_HIDDEN)
			continue;
		apps_caps(apps[i], text, sizeof(text));
		printf("%s\n", text);
	}
	return EXIT_OK;
}

static void
cli_config_line(struct config *cfg, const char *app, const struct opt_def *d)
{
	const char	*v, *where;

	if (d->flags & OPT_SECRET) {
		printf("%-40s %s\n", d->name, config_env_value(d->name,
		    NULL) != NULL ? "(set in the environment)" :
		    "(not in the environment)");
		return;
	}
	if ((v = config_get(cfg, app, d->name, &where)) == NULL)
		return;
	printf("%-40s %-30s # %s\n", d->name, v, where);
}

static int
cli_cmd_config(struct cli *cli, struct config *cfg)
{
	const struct opt_def	*d;
	const char		*app = config_get(cfg, NULL, "app", NULL);
	size_t			 i = 0;

	(void)cli;
	if (app != NULL)
		printf("[app %s]\n", app);
	while ((d = config_opt_next(&i)) != NULL)
		cli_config_line(cfg, app, d);
	return EXIT_OK;
}

static int
cli_cmd_c1z(struct cli *cli, struct config *cfg)
{
	(void)cfg;
	return c1z_show_main(cli->argc, cli->argv);
}

static int
cli_cmd_service(struct cli *cli, struct config *cfg)
{
	return service_main(cli, cfg);
}

static int
cli_cmd_vault(struct cli *cli, struct config *cfg)
{
	(void)cfg;
	return vaultcmd_main(cli->argc, cli->argv);
}

static int
cli_cmd_policy(struct cli *cli, struct config *cfg)
{
	struct agent	ag;
	int		rc;

	(void)cli;
	if ((rc = agent_setup(&ag, cfg, 0)) == EXIT_OK)
		rc = policyfile_explain(cfg, &ag);
	agent_clear(&ag);
	return rc;
}

/* Which operation the flags ask for; 0 is the app's plain run. */
static int
cli_operation(struct config *cfg, uint32_t *op)
{
	static const struct {
		const char	*flag;
		uint32_t	 op;
		const char	*needs[3];
	} ops[] = {
		{ "grant-entitlement", TASK_GRANT,
		    { "grant-principal", "grant-principal-type", NULL } },
		{ "revoke-grant", TASK_REVOKE, { NULL } },
		{ "create-account-login", TASK_CREATE_ACCOUNT, { NULL } },
		{ "create-account-email", TASK_CREATE_ACCOUNT, { NULL } },
		{ "delete-resource", TASK_DELETE_RESOURCE,
		    { "delete-resource-type", NULL } },
		{ "action", TASK_ACTION, { NULL } },
	};
	size_t	i, j;

	*op = 0;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (config_get(cfg, NULL, ops[i].flag, NULL) == NULL)
			continue;
		if (*op != 0 && *op != ops[i].op) {
			log_warnx("--%s: only one operation per run",
			    ops[i].flag);
			return EXIT_USAGE;
		}
		*op = ops[i].op;
		for (j = 0; ops[i].needs[j] != NULL; j++)
			if (config_get(cfg, NULL, ops[i].needs[j], NULL) ==
			    NULL) {
				log_warnx("--%s needs --%s", ops[i].flag,
				    ops[i].needs[j]);
				return EXIT_USAGE;
			}
	}
	return EXIT_OK;
}

/* An action and its arguments, checked against each app before any
 * child starts (the task is built the same way for each fetcher). */
static int
cli_action_check(struct agent *ag, uint32_t op)
{
	static struct task_msg	t;
	size_t			i;

	if (op != TASK_ACTION) {
		if (config_get(ag->cfg, NULL, "arg", NULL) == NULL)
			return EXIT_OK;
		log_warnx("--arg goes with --action");
		return EXIT_USAGE;
	}
	for (i = 0; i < ag->napps; i++)
		if (run_action(ag, ag->apps[i].def, &t) != 0)
			return EXIT_USAGE;
	return EXIT_OK;
}

static int
cli_cmd_run(struct cli *cli, struct config *cfg)
{
	struct agent	ag;
	uint32_t	op;
	int		rc;

	if (cli->argc > 0) {
		log_warnx("unexpected argument \"%.64s\"", cli->argv[0]);
		return EXIT_USAGE;
	}
	if ((rc = cli_operation(cfg, &op)) != EXIT_OK)
		return rc;
	if ((rc = agent_setup(&ag, cfg, op)) == EXIT_OK &&
	    (rc = cli_action_check(&ag, op)) == EXIT_OK)
		rc = agent_run(&ag);
	agent_clear(&ag);
	return rc;
}

int
cli_run(struct cli *cli, struct config *cfg)
{
	size_t	i;

	if (cli->version) {
		printf("portcullis %s\n", PC_VERSION);
		return EXIT_OK;
	}
	if (cli->cmd == NULL) {
		if (cli->help) {
			fputs(cli_usage, stdout);
			return EXIT_OK;
		}
		return cli_cmd_run(cli, cfg);
	}
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++) {
		if (strcmp(cli->cmd, cli_cmds[i].name) != 0)
			continue;
		if (cli->help) {
			printf("usage: %s\n", cli_cmds[i].usage);
			return EXIT_OK;
		}
		return cli_cmds[i].fn(cli, cfg);
	}
	log_warnx("unknown command \"%.64s\"\n%s", cli->cmd, cli_usage);
	return EXIT_USAGE;
}
