/*
 * A run as configured: the apps with their transport, credentials (by
 * name, never the secrets themselves), policy and limits, and where
 * generated secrets go. The agent builds it from the configuration
 * (appconf_setup) before anything starts; the broker is forked with it
 * and loads the secrets it names. Nothing here is secret.
 */
#ifndef PC_RUNCONF_H
#define PC_RUNCONF_H

#include <limits.h>
#include <stddef.h>

#include "apps.h"
#include "cidr.h"
#include "config.h"
#include "egress.h"
#include "jose.h"
#include "priv.h"

#define RUN_MAX_APPS		8
#define RUN_MAX_RESOLVE		16
#define RUN_URL_MAX		1024

/* Where one credential goes and how it authenticates. */
struct cred_conf {
	const struct app_cred	*def;
	enum auth_kind		 kind;		/* AUTH_NONE: not configured */
	const char		*user_opt, *secret_opt;
	const char		*user;		/* user_opt's value */
	char			 base_url[RUN_URL_MAX];	/* no trailing / */
	char			 origin[RUN_URL_MAX];	/* scheme://host[:port] */
	char			 host[256];	/* lower case, no brackets */
	char			 base_path[RUN_URL_MAX];	/* "" or "/x/y" */
	char			 scopes[512];	/* OAuth2: this mode's scopes */
	const char		*hdr_value[CRED_MAX_HDRS];
};

struct app_conf {
	const struct app_def	*def;
	const char		*name;
	struct cred_conf	 creds[APP_MAX_CREDS];
	size_t			 ncreds;
	const char		*ca_file;
	const char		*resolve[RUN_MAX_RESOLVE];
	size_t			 nresolve;
	const char		*proxy;
	long			 connect_timeout, timeout;
	struct cidr_list	*allow;
	struct egress_rules	*egress;
	int			 provisioning;
	int			 read_only;
	unsigned		 max_writes;
	const char		*domains;	/* approved e-mail domains */
	unsigned		 secret_len;
	unsigned		 max_in_flight;	/* requests on the wire at once */
	unsigned		 rate[APP_MAX_RATES];	/* per minute, by class */
	int			 fd;		/* broker end, fetcher channel */
};

#define VAULT_SPOOL		1
#define VAULT_KV		2
#define VAULT_DEFAULT_SPOOL	"/var/lib/portcullis/secrets"

struct vault_conf {
	int			 kind;
	char			 spool[PATH_MAX];
	struct jose_key		 key;		/* operator's, public only */
	int			 have_key;
	char			 kv_mount[256];
	char			 kv_prefix[512];
	struct app_conf		 kv;		/* VAULT_KV: Vault's transport */
};

struct run_conf {
	struct app_conf		 apps[RUN_MAX_APPS];
	size_t			 napps;
	int			 agent_fd;	/* broker end, agent channel */
	int			 dry_run;
	long			 retry_max;	/* seconds: longest pause */
	long			 msg_timeout;	/* seconds: half a message */
	const struct config	*cfg;		/* where secrets are named */
	struct priv_id		 id;
	struct vault_conf	 vault;
};

/*
 * Fill ac for app d from cfg: base URL of every credential (https only,
 * no user info), the auth of each (config `auth`, else the first
 * alternative whose user option is set or whose secret is present),
 * transport and policy values. The policy files are not loaded here.
 * base, when not NULL, is the primary credential's base URL (Vault's
 * comes from the vault setting, not from an option).
 * EXIT-style: 0, or -1 with one line in why naming the option and
 * where it was set.
 */
int	appconf_setup(struct app_conf *ac, struct config *cfg,
	    const struct app_def *d, const char *base, char *why, size_t whysz);
/* Split url into cc's base_url, origin, host and base_path. */
int	appconf_url(struct cred_conf *cc, const char *url, const char *where,
	    char *why, size_t whysz);
/* The port of cc's origin (443 when it names none); for messages. */
unsigned appconf_port(const struct cred_conf *cc);
/* The credential of ac named name, or NULL. */
const struct cred_conf *appconf_cred(const struct app_conf *ac,
	    const char *name);

/*
 * Parse "spool:DIR" or "vault:https://host[:port]/MOUNT[/PREFIX]" (NULL:
 * the default spool) into v; the KV transport is set up by the agent.
 */
int	vaultconf_parse(struct vault_conf *v, const char *spec, char *why,
	    size_t whysz);
/* Read and check the operator's public JWK file. */
int	vaultconf_load_key(struct vault_conf *v, const char *path, char *why,
	    size_t whysz);

/* The broker: forked by the agent with rc; never returns. */
void	broker_main(struct run_conf *rc) PC_NORETURN;

#endif /* PC_RUNCONF_H */
