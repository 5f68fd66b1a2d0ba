/*
 * One descriptor per app, read by the agent (configuration, tasks,
 * capabilities), the broker (credentials, auth, rate limits), the
 * fetchers (resource types) and the docs (`capabilities`, `--help`).
 * Everything an app is configured with is declared here, once: its
 * fetcher, how its base URL is found, its options with their defaults,
 * its credentials and how each authenticates, its resource types.
 */
#ifndef PC_APPS_H
#define PC_APPS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum auth_kind {
	AUTH_NONE = 0,
	AUTH_BEARER,
	AUTH_BASIC,
	AUTH_DIGEST,
	AUTH_OAUTH2,		/* client credentials, token cached here */
	AUTH_HEADER		/* secret in a fixed header (Vault's token) */
};

#define APP_HIDDEN	0x01	/* test apps: not in `capabilities` */
#define APP_AUTH_NONE	0x02	/* may run without credentials (tests) */
#define APP_NO_ALLOW	0x04	/* no default allowlist: the operator lists
				 * its CIDRs (self-hosted apps) */

/* How an app's base URL is found when `base-url` does not override it. */
enum app_base {
	BASE_FIXED = 1,		/* the vendor's one host */
	BASE_ENV,		/* an `environment` option picks a host */
	BASE_OPTION		/* the operator names it (Confluence hostname) */
};

struct app_env {
	const char	*name;		/* "na1" */
	const char	*url;		/* "https://na1.ironcladapp.com" */
};

/* One way a credential can authenticate. */
struct app_auth {
	enum auth_kind	 kind;
	const char	*user_opt;	/* user, key id or client id option */
	const char	*secret_opt;	/* the secret's option (OPT_SECRET) */
};

/* A header whose value is an option (Ironclad's acting user). */
struct app_hdr {
	const char	*name;		/* "x-as-user-email" */
	const char	*opt;		/* "as-user-email" */
};

#define CRED_OPTIONAL	0x1	/* the app runs without it (SCIM token) */
#define CRED_TOKEN_JSON	0x2	/* OAuth2 token request body is JSON */
#define CRED_MAX_AUTHS	3
#define CRED_MAX_HDRS	2

/*
 * A named credential. Egress rules say which credential each rule may
 * use; a request names its credential and is refused on any other
 * rule. A credential with base_opt has its own base URL (egress host
 * token `$NAME`), else the app's (`$base`).
 */
struct app_cred {
	const char		*name;		/* "api", "scim": [a-z]+ */
	struct app_auth		 auths[CRED_MAX_AUTHS];	/* first usable wins */
	const char		*base_opt;
	const char		*token_path;	/* OAuth2 token endpoint */
	const char		*scopes_read;	/* OAuth2 scopes per mode */
	const char		*scopes_write;
	struct app_hdr		 hdrs[CRED_MAX_HDRS];
	unsigned		 flags;
};

/* A resource type: what the fetcher syncs, what `capabilities` says. */
struct app_rtype {
	const char	*id;		/* "user": [a-z0-9_]+ */
	const char	*name;		/* "User" */
	uint32_t	 traits;	/* REC_TRAIT_* (record.h) */
	const char	*enable_opt;	/* a boolean option that turns it off */
	const char	*provision;	/* what can be granted on it, or NULL */
	/*
	 * Slugs of its entitlements never hold ':', or they are this prefix
	 * and a name without one ("role:" for "role:atlassian/admin"), so an
	 * id splits one way only whatever ':' the resource id holds.
	 */
	const char	*slug_colon;
};

/* An action (`--action NAME --arg k=v`). */
struct app_action {
	const char	*name;		/* "disable_user" */
	const char	*args;		/* "user_id" (comma-separated) */
	const char	*help;
};

/* A token bucket class: requests matching method and path prefix. */
struct app_rate {
	const char	*name;		/* "users-write" */
	const char	*methods;	/* "PATCH,DELETE", NULL: any */
	const char	*path;		/* path prefix after the base, or NULL */
	unsigned	 per_minute;
};

#define APP_MAX_CREDS	3
#define APP_MAX_RATES	6

/*
 * A write that can make the vendor send an invitation: method and path
 * (egress pattern syntax, '*' one segment). owner NULL: the first '*' is
 * the organization. Else it is another resource (a project), and the
 * broker first GETs owner (%s: that segment) for its organization id
 * (owner_key), so the org's restriction holds for it too.
 */
struct app_domguard {
	const char	*method, *path;
	const char	*owner, *owner_key;
};

#define APP_MAX_DOMGUARDS	4

/*
 * Approved e-mail domains the vendor keeps per organization (Atlas
 * federation "restrict access by domain"). Before a write one of guards
 * names is sent, the broker itself GETs settings (%s: the org) for the
 * federation's id (id_key) and its own domains (settings_list), then
 * config (%s, %s: federation, org) for the flag (flag_key) and the allow
 * list (config_list). 404 on settings: the org is not federated.
 * Anything else unreadable refuses the write. accept: of every read.
 */
struct app_domcheck {
	struct app_domguard guards[APP_MAX_DOMGUARDS];	/* NULL method ends */
	const char	*settings, *config, *accept;
	const char	*id_key, *settings_list, *flag_key, *config_list;
	const char	*vendor;	/* in refusals: "Atlas" */
};

struct app_def {
	const char		*name;		/* "atlas" */
	const char		*fetcher;	/* "portcullis-fetch-atlas" */
	unsigned		 flags;
	enum app_base		 base;
	const char		*base_default;	/* BASE_FIXED */
	const char		*base_opt;	/* BASE_ENV / BASE_OPTION */
	const struct app_env	*envs;		/* BASE_ENV, NULL ends */
	struct app_cred		 creds[APP_MAX_CREDS];	/* [0]: primary */
	const struct opt_def	*opts;		/* app options, NULL ends */
	const struct app_rtype	*rtypes;	/* NULL id ends */
	const struct app_action	*actions;	/* NULL name ends, or NULL */
	struct app_rate		 rates[APP_MAX_RATES];
	uint32_t		 sync_op;	/* what a plain run does */
	const char		*creates;	/* create-account text, or NULL */
	const char		*deletes;	/* resource types it deletes */
	const char		*secret_policy;	/* charset of generated ones */
	const struct app_domcheck *domcheck;	/* or NULL */
};

extern const struct app_def *const apps[];
/* Atlas's inviting writes; also the hidden sbxtest app's, so the
 * hostile-fetcher tests can send the broker any such write. */
extern const struct app_domcheck app_atlas_domcheck;

/* The descriptor named name, or NULL. */
const struct app_def	*apps_find(const char *name);
/* The credential named name of d, or NULL. */
const struct app_cred	*apps_cred(const struct app_def *d, const char *name);
/* The option name of d (app options only), or NULL. */
const struct opt_def	*apps_opt(const struct app_def *d, const char *name);
/* Any app's option name (for the config parser), or NULL. */
const struct opt_def	*apps_opt_any(const char *name, const struct app_def **d);
/* "bearer" -> AUTH_BEARER; -1 when unknown. "bearer" for AUTH_BEARER. */
int			 apps_auth_parse(const char *s);
const char		*apps_auth_name(enum auth_kind k);
/*
 * The capability text of d (what it syncs, provisions, creates, deletes,
 * which actions it has), built from the tables above into dst.
 */
void			 apps_caps(const struct app_def *d, char *dst,
			    size_t dstsz);

#endif /* PC_APPS_H */
