/*
 * Options: every option `foo-bar` comes from the flag --foo-bar, the
 * environment BATON_FOO_BAR or the config file, in that order of
 * precedence, else its default. Options of an app live in the file's
 * `[app NAME]` section. Secrets are never taken from flags.
 */
#ifndef PC_CONFIG_H
#define PC_CONFIG_H

#include <stddef.h>

#include "err.h"

#define OPT_BOOL	0x01	/* yes/no/true/false/1/0 */
#define OPT_SECRET	0x02	/* never on argv; read by the broker only */
#define OPT_APP		0x04	/* may appear in an [app NAME] section */
#define OPT_GLOBAL	0x08	/* may appear outside a section */
#define OPT_LIST	0x10	/* may be given several times */
#define OPT_NOFILE	0x20	/* command-line or environment only */
#define OPT_FETCHER	0x40	/* the fetcher is told it, in its task */
#define OPT_INT		0x80	/* a decimal number */
#define OPT_FILEOF	0x100	/* NAME-file: the path of secret NAME */
#define OPT_POLICY	0x200	/* where policy comes from: never from the
				 * environment in service mode */
#define OPT_REPLACE	0x400	/* a list whose higher source replaces the
				 * lower ones (app) rather than adding */

#define CONFIG_MAX_VALUE	4096
#define CONFIG_MAX_LINE		8192
#define CONFIG_MAX_ENTRIES	1024
#define CONFIG_MAX_FILE		(1024 * 1024)

struct opt_def {
	const char	*name;
	unsigned	 flags;
	const char	*deflt;
	const char	*help;
	const char	*alias;		/* a second variable, BATON_API_TOKEN */
};

struct config_entry {
	const struct opt_def	*def;
	char			*app;	/* NULL: global */
	char			*value;
	char			*where;	/* "file:line" or "--flag" */
	int			 source;	/* CONFIG_SRC_* */
};

#define CONFIG_SRC_FILE	1
#define CONFIG_SRC_ENV	2
#define CONFIG_SRC_FLAG	3

struct config {
	struct config_entry	*e;
	size_t			 n;
	int			 no_env_policy;	/* OPT_POLICY: file, flags */
	char			 err[512];
};

/* Options every run or every app has; apps add theirs (apps.h). */
extern const struct opt_def	config_opts[];

/*
 * The definition of option name: a generic one, an app's, or the
 * NAME-file twin of a secret (OPT_FILEOF). NULL when unknown.
 */
const struct opt_def *config_opt_find(const char *name);
/*
 * Every known option in turn: *i starts at 0; NULL after the last.
 * Generic options first, then each app's, then the -file twins.
 */
const struct opt_def *config_opt_next(size_t *i);
void	config_init(struct config *c);
void	config_clear(struct config *c);
/*
 * Parse config text (from fname, for messages). Errors name fname:line;
 * the text is one line in c->err. Returns 0 or PC_E_CONFIG / PC_E_SYNTAX.
 */
int	config_parse(struct config *c, const char *text, size_t len,
	    const char *fname) PC_WUR;
int	config_load_file(struct config *c, const char *path) PC_WUR;
/* Record a command-line value for name (app NULL: applies to all). */
int	config_set_flag(struct config *c, const char *name, const char *app,
	    const char *value) PC_WUR;
/*
 * Effective value of name for app (NULL for global): flag, then
 * BATON_NAME, then the file's app section, then its global part, then
 * the default. NULL when unset. *where (optional) tells the source.
 */
const char *config_get(const struct config *c, const char *app,
	    const char *name, const char **where);
/*
 * Every flag is an option of at least one of the n apps of the run (or
 * a generic one): --hostname with --app atlas is an error naming it.
 */
int	config_check_flags(struct config *c, const char *const *apps_run,
	    size_t n) PC_WUR;
/* The environment variable for an option: BATON_FOO_BAR for foo-bar. */
void	config_env_name(const char *name, char *var, size_t varsz);
/*
 * The value of name's variable (BATON_FOO_BAR, then its alias), or NULL;
 * *var (optional) names the variable that held it.
 */
const char *config_env_value(const char *name, const char **var);
/* Zero every secret option's variable in our environment. */
void	config_env_scrub(void);
/*
 * Record a value the run implies (provisioning for a one-shot write),
 * as strong as a flag; why says where it came from ("implied by
 * --grant-entitlement"), as `config` and errors show it.
 */
int	config_set_implied(struct config *c, const char *name,
	    const char *app, const char *value, const char *why) PC_WUR;
/* Is v one of true/false, yes/no, on/off, 1/0? */
int	config_is_bool_word(const char *v);
/* Boolean view; PC_E_VALUE with c->err set when the value is not one. */
int	config_bool(struct config *c, const char *app, const char *name,
	    int *out) PC_WUR;
/*
 * Every value of a list option, in order: file, then env (one value),
 * then flags; with OPT_REPLACE only the highest source that has any.
 */
size_t	config_list(const struct config *c, const char *app,
	    const char *name, const char **out, size_t max);

#endif /* PC_CONFIG_H */
