/*
 * The apps portcullis knows: which fetcher runs each, how the broker
 * authenticates for it, which options the fetcher is told, and what it
 * can do (capabilities). Adding an app is one row here plus its fetcher.
 */
#ifndef PC_APPS_H
#define PC_APPS_H

#include "broker.h"

#define APP_HIDDEN	0x1	/* test apps: not in `capabilities` */
#define APP_AUTH_NONE	0x2	/* may run without credentials (tests) */

struct app_auth {
	enum auth_kind	 kind;
	const char	*user_opt;	/* option naming the user / key id */
	const char	*secret_opt;	/* option naming the secret */
};

struct app_def {
	const char		*name;
	const char		*fetcher;	/* portcullis-fetch-<x> */
	unsigned		 flags;
	const char		*base_default;
	enum auth_kind		 auth_default;
	const struct app_auth	*auths;		/* allowed, {AUTH_NONE} ends */
	const char *const	*opts;		/* passed to the fetcher */
	uint32_t		 sync_op;	/* what a plain run does */
	const char		*caps;		/* capabilities text */
	const char		*token_path;	/* OAuth2 token endpoint */
	const char		*secret_policy;	/* charset of generated ones */
};

extern const struct app_def	apps[];

const struct app_def	*apps_find(const char *name);
const struct app_auth	*apps_auth(const struct app_def *d, enum auth_kind k);

#endif /* PC_APPS_H */
