/* Runs in: agent. Input: argv and environment (operator's, trusted). */
#include <sys/stat.h>

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
#include "confdoc.h"
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
	    "portcullis capabilities [--json]\n  What each app can sync and "
	    "provision; --json: one object per app,\n  baton's "
	    "ConnectorCapabilities shape." },
	{ "config", cli_cmd_config,
	    "portcullis config [--app NAME] [options]\n  The effective "
	    "configuration and where each value comes from\n  (secrets show "
	    "as set/unset and from where, never their value);\n  exits 2 on "
	    "any error the same options would make a run fail with." },
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

static int
cli_is_cmd(const char *word)
{
	size_t	i;

	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (strcmp(word, cli_cmds[i].name) == 0)
			return 1;
	return 0;
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
	    strncmp(argv[*i + 1], "-", 1) == 0 || cli_is_cmd(argv[*i + 1])))
		val = "true";
	else if (cli_is_bool(name) && !config_is_bool_word(argv[*i + 1])) {
		log_warnx("--%s expects true/false, not \"%.64s\"", name,
		    argv[*i + 1]);
		return EXIT_USAGE;
	} else if (*i + 1 < argc)
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
	const char	*f = config_get(cfg, NULL, "log-format", NULL);
	int		 i, fmt = log_format_parse(f);

	if (fmt < 0) {
		log_warnx("log-format \"%.32s\" is not console or json", f);
		return EXIT_USAGE;
	}
	log_set_format(fmt);
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

/* A service with nothing to sync would idle forever: refuse it. */
static int
cli_service_apps(struct config *cfg)
{
	const char	*names[1], *path = config_get(cfg, NULL, "config",
			    NULL);

	if (config_list(cfg, NULL, "app", names, 1) > 0)
		return EXIT_OK;
	log_warnx("service: no app configured: add \"app = NAME\" to %s "
	    "(one line per app, each with its [app NAME] section)",
	    path != NULL ? path : CLI_CONFIG_DEFAULT);
	return EXIT_USAGE;
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
		/* Hidden: the docs printed from the option table. */
		if (strcmp(argv[i], "--help-man") == 0 || strcmp(argv[i],
		    "--help-bash") == 0) {
			cli->gen = argv[i][7] == 'm' ? CLI_GEN_MAN :
			    CLI_GEN_BASH;
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
		    strcmp(cli->cmd, "vault") == 0 || (strcmp(cli->cmd,
		    "capabilities") == 0 && strcmp(argv[i], "--json") == 0))) {
			/* Those commands parse their own flags. */
			if (cli->argv == NULL)
				cli->argv = &argv[i];
			cli->argc++;
			continue;
		}
		if ((rc = cli_flag(cfg, argc, argv, &i)) != EXIT_OK)
			return rc;
	}
	if (cli->version || cli->help || cli->gen)
		return EXIT_OK;		/* even with a broken config file */
	if (cli->cmd != NULL && strcmp(cli->cmd, "service") == 0 &&
	    (rc = cli_service_env(cfg)) != EXIT_OK)
		return rc;
	if ((rc = cli_load_config(cfg)) != EXIT_OK)
		return rc;
	if (cli->cmd != NULL && strcmp(cli->cmd, "service") == 0 &&
	    (rc = cli_service_apps(cfg)) != EXIT_OK)
		return rc;	/* at start and on SIGHUP (the reload re-parses) */
	return cli_log_level(cfg);
}

/* A JSON string of our own tables (names, descriptions): escaped all
 * the same, so a descriptor can never break the document. */
static void
cli_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Is rtype id one of the comma-separated words leading list ("user,
 * database_user" or "user (lifecycle delete)")? */
static int
cli_caps_listed(const char *list, const char *id)
{
	size_t	n = strlen(id), k;

	while (list != NULL && *list != '\0') {
		list += strspn(list, " ,");
		k = strcspn(list, " ,(");
		if (k == n && strncmp(list, id, n) == 0)
			return 1;
		list += k;
		if (*list == '(')
			break;	/* the rest is commentary */
	}
	return 0;
}

/* baton's CAPABILITY_* of one resource type, from the descriptor. */
static void
cli_caps_rtype(const struct app_def *d, const struct app_rtype *r,
    int first_user)
{
	static const char *const traits[] = { "TRAIT_USER", "TRAIT_GROUP",
	    "TRAIT_ROLE", "TRAIT_APP", "TRAIT_SECRET" };
	const char	*sep = "";
	size_t		 i;

	printf("\n      {\"resourceType\": {\"id\": ");
	cli_json_str(r->id);
	printf(", \"displayName\": ");
	cli_json_str(r->name);
	printf(", \"traits\": [");
	for (i = 0; i < sizeof(traits) / sizeof(traits[0]); i++)
		if (r->traits & (1u << i)) {
			printf("%s\"%s\"", sep, traits[i]);
			sep = ", ";
		}
	printf("]},\n       \"capabilities\": [\"CAPABILITY_SYNC\"");
	if (r->provision != NULL)
		printf(", \"CAPABILITY_PROVISION\"");
	if (first_user && d->creates != NULL)
		printf(", \"CAPABILITY_ACCOUNT_PROVISIONING\"");
	if (cli_caps_listed(d->deletes, r->id))
		printf(", \"CAPABILITY_RESOURCE_DELETE\"");
	printf("]");
	if (r->provision != NULL) {
		printf(", \"provisions\": ");
		cli_json_str(r->provision);
	}
	if (r->enable_opt != NULL) {
		printf(", \"enabledBy\": ");
		cli_json_str(r->enable_opt);
	}
	printf("}");
}

static void
cli_caps_json_app(const struct app_def *d)
{
	const struct app_rtype	*r;
	const struct app_action	*a;
	int			 user = 1, prov = 0;

	printf("  {\"app\": ");
	cli_json_str(d->name);
	printf(",\n   \"@type\": \"type.googleapis.com/c1.connector.v2."
	    "ConnectorCapabilities\",\n   \"resourceTypeCapabilities\": [");
	for (r = d->rtypes; r != NULL && r->id != NULL; r++) {
		if (r != d->rtypes)
			printf(",");
		cli_caps_rtype(d, r, user && (r->traits & REC_TRAIT_USER));
		if (r->traits & REC_TRAIT_USER)
			user = 0;
		prov |= r->provision != NULL;
	}
	printf("],\n   \"connectorCapabilities\": [\"CAPABILITY_SYNC\"%s%s%s%s]",
	    prov ? ", \"CAPABILITY_PROVISION\"" : "",
	    d->creates != NULL ? ", \"CAPABILITY_ACCOUNT_PROVISIONING\"" : "",
	    d->deletes != NULL ? ", \"CAPABILITY_RESOURCE_DELETE\"" : "",
	    d->actions != NULL ? ", \"CAPABILITY_ACTIONS\"" : "");
	if (d->creates != NULL) {
		printf(",\n   \"accountCreation\": ");
		cli_json_str(d->creates);
	}
	printf(",\n   \"actions\": [");
	for (a = d->actions; a != NULL && a->name != NULL; a++) {
		printf("%s{\"name\": ", a == d->actions ? "" : ", ");
		cli_json_str(a->name);
		printf(", \"args\": ");
		cli_json_str(a->args);
		printf("}");
	}
	printf("]}");
}

static int
cli_cmd_capabilities(struct cli *cli, struct config *cfg)
{
	char	text[2048];
	size_t	i;
	int	json = 0, n = 0;

	(void)cfg;
	for (i = 0; i < (size_t)cli->argc; i++) {
		if (strcmp(cli->argv[i], "--json") != 0) {
			log_warnx("capabilities: unexpected \"%.64s\" (only "
			    "--json)", cli->argv[i]);
			return EXIT_USAGE;
		}
		json = 1;
	}
	if (json)
		printf("[\n");
	for (i = 0; apps[i] != NULL; i++) {
		if (apps[i]->flags & APP_HIDDEN)
			continue;
		if (json) {
			printf("%s", n++ > 0 ? ",\n" : "");
			cli_caps_json_app(apps[i]);
			continue;
		}
		apps_caps(apps[i], text, sizeof(text));
		printf("%s\n", text);
	}
	if (json)
		printf("\n]\n");
	return EXIT_OK;
}

/*
 * Where a secret would come from, as the broker looks (cred_load):
 * BATON_NAME, NAME-file, then $CREDENTIALS_DIRECTORY. Never its value.
 */
static void
cli_secret_where(struct config *cfg, const char *app, const char *name,
    char *dst, size_t dstsz)
{
	const char	*var, *path, *where, *dir = getenv("CREDENTIALS_DIRECTORY");
	char		 opt[96], p[4096];
	struct stat	 st;

	if (config_env_value(name, &var) != NULL) {
		(void)snprintf(dst, dstsz, "(set, from %s)", var);
		return;
	}
	(void)snprintf(opt, sizeof(opt), "%s-file", name);
	if ((path = config_get(cfg, app, opt, &where)) != NULL) {
		(void)snprintf(dst, dstsz, "(set, from %s = %s, %s%s)", opt,
		    path, where, stat(path, &st) == 0 ? "" : "; MISSING");
		return;
	}
	if (dir != NULL && dir[0] == '/' && app != NULL &&
	    snprintf(p, sizeof(p), "%s/%s.%s", dir, app, name) <
	    (int)sizeof(p) && stat(p, &st) == 0) {
		(void)snprintf(dst, dstsz, "(set, credential %s)", p);
		return;
	}
	if (dir != NULL && dir[0] == '/' && snprintf(p, sizeof(p), "%s/%s",
	    dir, name) < (int)sizeof(p) && stat(p, &st) == 0) {
		(void)snprintf(dst, dstsz, "(set, credential %s)", p);
		return;
	}
	(void)snprintf(dst, dstsz, "(not set)");
}

static void
cli_config_line(struct config *cfg, const char *app, const struct opt_def *d)
{
	const char	*v, *where;
	char		 src[4400];

	if (d->flags & OPT_SECRET) {
		cli_secret_where(cfg, app, d->name, src, sizeof(src));
		printf("%-40s %s\n", d->name, src);
		return;
	}
	if (d->flags & OPT_FILEOF)
		return;		/* shown with its secret */
	if ((v = config_get(cfg, app, d->name, &where)) == NULL)
		return;
	printf("%-40s %-30s # %s\n", d->name, v, where);
}

static int	cli_operation(struct config *, uint32_t *);
static int	cli_imply_provisioning(struct config *, uint32_t);

/* An app's option given as a flag must be one of the run's apps'. */
static int
cli_flags_of_apps(struct config *cfg)
{
	const char	*names[AGENT_MAX_APPS + 1];
	size_t		 n, i;

	n = config_list(cfg, NULL, "app", names, AGENT_MAX_APPS + 1);
	for (i = 0; i < n; i++)
		if (apps_find(names[i]) == NULL) {
			log_warnx("unknown app \"%.64s\" (see `portcullis "
			    "capabilities`)", names[i]);
			return EXIT_USAGE;
		}
	if (config_check_flags(cfg, names, n) != 0) {
		log_warnx("%s", cfg->err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cli_cmd_config(struct cli *cli, struct config *cfg)
{
	const struct opt_def	*d;
	const struct app_def	*a = NULL;
	const char		*app = config_get(cfg, NULL, "app", NULL);
	uint32_t		 op;
	int			 rc;

	if (cli->argc > 0) {
		log_warnx("config: unexpected argument \"%.64s\"", cli->argv[0]);
		return EXIT_USAGE;
	}
	if (app != NULL && (a = apps_find(app)) == NULL) {
		log_warnx("unknown app \"%.64s\" (see `portcullis "
		    "capabilities`)", app);
		return EXIT_USAGE;
	}
	/* The checks a run makes of its flags before it starts anything. */
	if ((rc = cli_operation(cfg, &op)) != EXIT_OK ||
	    (rc = cli_flags_of_apps(cfg)) != EXIT_OK ||
	    (rc = cli_imply_provisioning(cfg, op)) != EXIT_OK)
		return rc;
	if (app != NULL)
		printf("[app %s]\n", app);
	for (d = config_opts; d->name != NULL; d++)
		cli_config_line(cfg, app, d);
	for (d = a != NULL ? a->opts : NULL; d != NULL && d->name != NULL; d++)
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

/*
 * As baton: an explicit one-shot write (--grant-entitlement, ...) means
 * provisioning for this run, unless provisioning = false or read-only =
 * true was set on purpose somewhere; then the run is refused, naming
 * the setting and where it was made.
 */
static int
cli_imply_provisioning(struct config *cfg, uint32_t op)
{
	static const char *const flags[] = { "grant-entitlement",
	    "revoke-grant", "create-account-login", "create-account-email",
	    "delete-resource" };
	const char	*names[AGENT_MAX_APPS + 1], *flag = NULL, *where;
	char		 why[128];
	size_t		 i, n;
	int		 v;

	if (op != TASK_GRANT && op != TASK_REVOKE &&
	    op != TASK_CREATE_ACCOUNT && op != TASK_DELETE_RESOURCE)
		return EXIT_OK;
	for (i = 0; flag == NULL && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (config_get(cfg, NULL, flags[i], NULL) != NULL)
			flag = flags[i];
	n = config_list(cfg, NULL, "app", names, AGENT_MAX_APPS + 1);
	for (i = 0; i < n; i++) {
		(void)config_get(cfg, names[i], "provisioning", &where);
		if (config_bool(cfg, names[i], "provisioning", &v) != 0) {
			log_warnx("%s", cfg->err);
			return EXIT_USAGE;
		}
		if (v)
			continue;	/* asked for: the broker still checks */
		if (strcmp(where, "default") != 0) {
			log_warnx("%s: --%s refused: provisioning = false (%s)",
			    names[i], flag, where);
			return EXIT_FAILED;
		}
		(void)config_get(cfg, names[i], "read-only", &where);
		if (config_bool(cfg, names[i], "read-only", &v) != 0) {
			log_warnx("%s", cfg->err);
			return EXIT_USAGE;
		}
		if (v) {
			log_warnx("%s: --%s refused: read-only = true (%s)",
			    names[i], flag, where);
			return EXIT_FAILED;
		}
	}
	(void)snprintf(why, sizeof(why), "implied by --%s", flag);
	if (config_set_implied(cfg, "provisioning", NULL, "true", why) != 0) {
		log_warnx("%s", cfg->err);
		return EXIT_USAGE;
	}
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
	if ((rc = cli_operation(cfg, &op)) != EXIT_OK ||
	    (rc = cli_flags_of_apps(cfg)) != EXIT_OK ||
	    (rc = cli_imply_provisioning(cfg, op)) != EXIT_OK)
		return rc;
	if ((rc = agent_setup(&ag, cfg, op)) == EXIT_OK &&
	    (rc = cli_action_check(&ag, op)) == EXIT_OK)
		rc = agent_run(&ag);
	agent_clear(&ag);
	return rc;
}

/* The option list of --help; with --app NAME only that app's. */
static int
cli_help_options(struct config *cfg)
{
	const char	*app = config_get(cfg, NULL, "app", NULL);

	if (app != NULL && apps_find(app) == NULL) {
		log_warnx("unknown app \"%.64s\" (see `portcullis "
		    "capabilities`)", app);
		return EXIT_USAGE;
	}
	confdoc_help(stdout, app);
	return EXIT_OK;
}

int
cli_run(struct cli *cli, struct config *cfg)
{
	size_t	i;

	if (cli->version) {
		printf("portcullis %s\n", PC_VERSION);
		return EXIT_OK;
	}
	if (cli->gen == CLI_GEN_MAN)
		confdoc_man(stdout);
	else if (cli->gen == CLI_GEN_BASH)
		confdoc_bash(stdout);
	if (cli->gen)
		return EXIT_OK;
	if (cli->cmd == NULL) {
		if (cli->help) {
			fputs(cli_usage, stdout);
			return cli_help_options(cfg);
		}
		return cli_cmd_run(cli, cfg);
	}
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++) {
		if (strcmp(cli->cmd, cli_cmds[i].name) != 0)
			continue;
		if (cli->help) {
			printf("usage: %s\n", cli_cmds[i].usage);
			/* Those read the same options as a run. */
			if (strcmp(cli->cmd, "service") == 0 ||
			    strcmp(cli->cmd, "config") == 0 ||
			    strcmp(cli->cmd, "policy") == 0)
				return cli_help_options(cfg);
			return EXIT_OK;
		}
		return cli_cmds[i].fn(cli, cfg);
	}
	log_warnx("unknown command \"%.64s\"\n%s", cli->cmd, cli_usage);
	return EXIT_USAGE;
}
