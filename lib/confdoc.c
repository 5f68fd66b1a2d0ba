/*
 * Runs in: agent (and tools/gen-docs.sh through `portcullis --help-man`,
 * `--help-bash`). Input: the option tables (lib/config.c config_opts and
 * each app descriptor's opts), nothing else. `--help`, the OPTIONS
 * section of portcullis(8) and the bash completion are all printed from
 * here, so none of them can drift from what the parser accepts.
 */
#include <stdio.h>
#include <string.h>

#include "apps.h"
#include "config.h"
#include "confdoc.h"

/* The placeholder of an option's value in a synopsis. */
static const char *
confdoc_arg(const struct opt_def *d)
{
	size_t	n = strlen(d->name);

	if (d->flags & OPT_BOOL)
		return NULL;
	if (d->flags & OPT_INT)
		return "N";
	if ((d->flags & OPT_FILEOF) || strcmp(d->name, "config") == 0 ||
	    (n >= 5 && strcmp(d->name + n - 5, "-file") == 0) ||
	    strcmp(d->name, "file") == 0 || strcmp(d->name, "audit-log") == 0)
		return "FILE";
	if (strcmp(d->name, "libexec") == 0 || strcmp(d->name,
	    "policy-dir") == 0)
		return "DIR";
	return "VALUE";
}

/* Where an option may be written in the config file. */
static const char *
confdoc_scope(const struct opt_def *d)
{
	if (d->flags & OPT_NOFILE)
		return "flag or environment only";
	if ((d->flags & OPT_GLOBAL) && (d->flags & OPT_APP))
		return "file: global or [app]";
	if (d->flags & OPT_APP)
		return "file: [app] only";
	return "file: global";
}

static int
confdoc_generic(const struct opt_def *d)
{
	const struct opt_def	*g;

	for (g = config_opts; g->name != NULL; g++)
		if (g == d)
			return 1;
	return 0;
}

/* Not an option of the test apps only (sbxtest's "body", "method"). */
static int
confdoc_visible(const struct opt_def *d)
{
	char	base[80];
	size_t	i, n;

	if (confdoc_generic(d))
		return 1;
	(void)snprintf(base, sizeof(base), "%s", d->name);
	if ((d->flags & OPT_FILEOF) && (n = strlen(base)) > 5)
		base[n - 5] = '\0';
	for (i = 0; apps[i] != NULL; i++)
		if (!(apps[i]->flags & APP_HIDDEN) &&
		    apps_opt(apps[i], base) != NULL)
			return 1;
	for (d = config_opts; d->name != NULL; d++)
		if (strcmp(d->name, base) == 0)
			return 1;
	return 0;
}

/* ---- --help -------------------------------------------------------- */

static void
confdoc_help_one(FILE *f, const struct opt_def *d)
{
	char		 var[128];
	const char	*arg = confdoc_arg(d);

	config_env_name(d->name, var, sizeof(var));
	if (d->flags & OPT_SECRET) {
		fprintf(f, "  %s (secret)\n        %s\n        from %s, %s-file "
		    "(mode 0600) or credential %s; never a flag\n", d->name,
		    d->help, var, d->name, d->name);
		return;
	}
	fprintf(f, "  --%s%s%s%s\n        %s (default %s; %s; %s)\n", d->name,
	    arg != NULL ? " " : "", arg != NULL ? arg : "",
	    (d->flags & OPT_LIST) ? " ..." : "", d->help,
	    d->deflt != NULL ? d->deflt : "none", var, confdoc_scope(d));
}

static void
confdoc_help_app(FILE *f, const struct app_def *a)
{
	const struct opt_def	*d;

	if (a->opts == NULL || a->opts[0].name == NULL)
		return;
	fprintf(f, "\nOptions of app %s (in its [app %s] section):\n", a->name,
	    a->name);
	for (d = a->opts; d->name != NULL; d++)
		confdoc_help_one(f, d);
}

void
confdoc_help(FILE *f, const char *app)
{
	const struct opt_def	*d;
	size_t			 i;

	fprintf(f, "\nOptions of every run (--NAME VALUE, BATON_NAME=VALUE or "
	    "NAME = VALUE in\nthe config file; a flag beats the environment, "
	    "which beats the file;\na boolean flag alone means true):\n");
	for (d = config_opts; d->name != NULL; d++)
		confdoc_help_one(f, d);
	for (i = 0; apps[i] != NULL; i++) {
		if ((apps[i]->flags & APP_HIDDEN) || (app != NULL &&
		    strcmp(app, apps[i]->name) != 0))
			continue;
		confdoc_help_app(f, apps[i]);
	}
	if (app == NULL)
		fprintf(f, "\nOne app's options only: portcullis --help --app "
		    "NAME.\n");
}

/* ---- portcullis(8) OPTIONS, mdoc ----------------------------------- */

/* Text on its own roff line: no leading dot or quote, backslash escaped. */
static void
confdoc_roff_text(FILE *f, const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
}

static void
confdoc_man_one(FILE *f, const struct opt_def *d)
{
	char		 var[128];
	const char	*arg = confdoc_arg(d);

	config_env_name(d->name, var, sizeof(var));
	if (d->flags & OPT_SECRET) {
		fprintf(f, ".It Cm %s Pq secret\n", d->name);
		confdoc_roff_text(f, d->help);
		fprintf(f, ".\nFrom\n.Ev %s ,\n.Cm %s-file\n(mode 0600) or the "
		    "credential\n.Cm %s ;\nnever a flag.\n", var, d->name,
		    d->name);
		return;
	}
	fprintf(f, ".It Fl -%s%s", d->name, arg != NULL ? " Ar " : "");
	for (; arg != NULL && *arg != '\0'; arg++)
		fputc(*arg - 'A' + 'a', f);	/* "FILE": Ar file */
	fprintf(f, "\n");
	confdoc_roff_text(f, d->help);
	fprintf(f, ".\n");
	if (d->deflt != NULL) {
		fprintf(f, "Default\n.Ql ");
		confdoc_roff_text(f, d->deflt);
		fprintf(f, " ,\nvariable\n");
	} else
		fprintf(f, "Variable\n");
	fprintf(f, ".Ev %s ;\n%s%s.\n", var, confdoc_scope(d),
	    (d->flags & OPT_LIST) ? "; may be repeated" : "");
}

static void
confdoc_man_list(FILE *f, const char *title, const struct opt_def *opts)
{
	const struct opt_def	*d;

	fprintf(f, ".Ss %s\n.Bl -tag -width Ds\n", title);
	for (d = opts; d->name != NULL; d++)
		confdoc_man_one(f, d);
	fprintf(f, ".El\n");
}

void
confdoc_man(FILE *f)
{
	char	title[128];
	size_t	i;

	fprintf(f, ".\\\" Generated by `portcullis --help-man` from the option "
	    "table; do not edit:\n.\\\" `make docs` rewrites it, "
	    "test_cli_docs fails when it is stale.\n");
	fprintf(f, "Each option is a flag\n.Fl - Ns Ar name ,\nthe variable\n"
	    ".Ev BATON_NAME\nor\n.Ql name = value\nin\n.Xr portcullis.conf 5 ;"
	    "\na boolean flag alone means true, else it takes\n.Cm true\nor\n"
	    ".Cm false .\n");
	confdoc_man_list(f, "Options of every run", config_opts);
	for (i = 0; apps[i] != NULL; i++) {
		if ((apps[i]->flags & APP_HIDDEN) || apps[i]->opts == NULL ||
		    apps[i]->opts[0].name == NULL)
			continue;
		(void)snprintf(title, sizeof(title), "Options of app %s",
		    apps[i]->name);
		confdoc_man_list(f, title, apps[i]->opts);
	}
	fprintf(f, ".\\\" End of the generated options.\n");
}

/* ---- bash completion ----------------------------------------------- */

static void
confdoc_bash_words(FILE *f, const char *var, unsigned want, unsigned skip)
{
	const struct opt_def	*d;
	size_t			 i = 0;
	int			 first = 1;

	fprintf(f, "_portcullis_%s='", var);
	while ((d = config_opt_next(&i)) != NULL) {
		if ((d->flags & want) != want || (d->flags & skip) ||
		    !confdoc_visible(d))
			continue;
		fprintf(f, "%s--%s", first ? "" : " ", d->name);
		first = 0;
	}
	fprintf(f, "'\n");
}

void
confdoc_bash(FILE *f)
{
	size_t	i;
	int	first = 1;

	fprintf(f, "# bash completion for portcullis(8). Generated by "
	    "`portcullis --help-bash`\n# from the option table; do not edit "
	    "(`make docs` rewrites it).\n");
	confdoc_bash_words(f, "opts", 0, OPT_SECRET);
	confdoc_bash_words(f, "bools", OPT_BOOL, OPT_SECRET);
	fprintf(f, "_portcullis_apps='");
	for (i = 0; apps[i] != NULL; i++) {
		if (apps[i]->flags & APP_HIDDEN)
			continue;
		fprintf(f, "%s%s", first ? "" : " ", apps[i]->name);
		first = 0;
	}
	fprintf(f, "'\n"
	    "_portcullis_cmds='capabilities config policy c1z vault service'\n"
	    "_portcullis()\n"
	    "{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal w cmd=\n"
	    "\tfor w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
	    "\t\tcase \" $_portcullis_cmds \" in *\" $w \"*) cmd=$w; break ;; esac\n"
	    "\tdone\n"
	    "\tcase $prev in\n"
	    "\t--app) COMPREPLY=($(compgen -W \"$_portcullis_apps\" -- \"$cur\")); return ;;\n"
	    "\t--config|--file|-f|--*-file|--audit-log|--out|--key)\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	    "\t--libexec|--policy-dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	    "\t--log-level) COMPREPLY=($(compgen -W 'error warn info debug' -- \"$cur\")); return ;;\n"
	    "\t--namespaces) COMPREPLY=($(compgen -W 'auto require off' -- \"$cur\")); return ;;\n"
	    "\t--audit-format) COMPREPLY=($(compgen -W 'text json' -- \"$cur\")); return ;;\n"
	    "\tesac\n"
	    "\tcase $cmd in\n"
	    "\tc1z)\tif [ \"$prev\" = c1z ]; then COMPREPLY=(show)\n"
	    "\t\telif [ \"$prev\" = show ]; then COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\t\telse COMPREPLY=($(compgen -W 'resource-types resources entitlements grants stats --json' -- \"$cur\")); fi\n"
	    "\t\treturn ;;\n"
	    "\tvault)\tCOMPREPLY=($(compgen -W 'keygen open --out --key' -- \"$cur\")); return ;;\n"
	    "\tcapabilities) COMPREPLY=($(compgen -W '--json --help' -- \"$cur\")); return ;;\n"
	    "\tesac\n"
	    "\tcase $cur in\n"
	    "\t-*) COMPREPLY=($(compgen -W \"$_portcullis_opts --help --version\" -- \"$cur\")) ;;\n"
	    "\t*)  case \" $_portcullis_bools \" in\n"
	    "\t    *\" $prev \"*) COMPREPLY=($(compgen -W 'true false' -- \"$cur\")) ;;\n"
	    "\t    *) [ -z \"$cmd\" ] && COMPREPLY=($(compgen -W \"$_portcullis_cmds\" -- \"$cur\")) ;;\n"
	    "\t    esac ;;\n"
	    "\tesac\n"
	    "}\n"
	    "complete -F _portcullis portcullis\n");
}
