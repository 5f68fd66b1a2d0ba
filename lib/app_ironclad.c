/*
 * Runs in: every process. Input: none (static tables). The Ironclad
 * descriptor: SCIM v2 on {na1,eu1,demo}.ironcladapp.com with an OAuth
 * 2.0 client-credentials token the broker fetches (JSON body, client id
 * and secret as HTTP Basic), the acting user in x-as-user-email or
 * x-as-user-id, and the published per-minute limits as token buckets.
 * Option names are baton-ironclad's (BATON_IC_CLIENT_ID, ...).
 */
#include "apps.h"
#include "record.h"

#define A	OPT_APP
#define AF	(OPT_APP | OPT_FETCHER)
#define S	(OPT_SECRET | OPT_APP | OPT_GLOBAL)

static const struct opt_def ironclad_opts[] = {
	{ "ic-client-id",	A,	NULL,	"Ironclad OAuth app client id", NULL },
	{ "ic-client-secret",	S,	NULL,	"Ironclad OAuth app client secret",
	    NULL },
	{ "environment",	A,	"na1",	"Ironclad environment: na1|eu1|demo",
	    NULL },
	/* The fetcher is told them only to say clearly when both are unset. */
	{ "as-user-email",	AF,	NULL,	"acting user (x-as-user-email)",
	    NULL },
	{ "as-user-id",		AF,	NULL,	"acting user (x-as-user-id)", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct app_env ironclad_envs[] = {
	{ "na1",	"https://na1.ironcladapp.com" },
	{ "eu1",	"https://eu1.ironcladapp.com" },
	{ "demo",	"https://demo.ironcladapp.com" },
	{ NULL, NULL }
};

static const struct app_rtype ironclad_rtypes[] = {
	{ "user",	"User",		REC_TRAIT_USER, NULL, NULL, NULL },
	{ "group",	"Group",	REC_TRAIT_GROUP, NULL, "group membership",
	    NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL }
};

const struct app_def app_ironclad = {
	.name = "ironclad",
	.fetcher = "portcullis-fetch-ironclad",
	.base = BASE_ENV,
	.base_opt = "environment",
	.envs = ironclad_envs,
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_OAUTH2, "ic-client-id",
			       "ic-client-secret" } },
		  .token_path = "/oauth/token",
		  .scopes_read = "scim.users.readUsers scim.groups.readGroups",
		  /* As the connector documentation lists them. */
		  .scopes_write = "scim.groups.updateGroups "
		      "scim.users.createUsers scim.users.deleteUsers",
		  .hdrs = { { "x-as-user-email", "as-user-email" },
			    { "x-as-user-id", "as-user-id" } },
		  .flags = CRED_TOKEN_JSON },
	},
	.opts = ironclad_opts,
	.rtypes = ironclad_rtypes,
	/* developer.ironcladapp.com clm-api-rate-limits: per account. */
	.rates = {
		{ "users-read",  "GET,PUT,POST", "/scim/v2/Users",  600 },
		{ "users-write", "PATCH,DELETE", "/scim/v2/Users",  50 },
		{ "groups",      NULL,           "/scim/v2/Groups", 600 },
		{ "other",       NULL,           NULL,              800 },
	},
	.sync_op = TASK_SYNC,
	.creates = "SCIM user; its password is made by the broker and\n"
	    "       sealed to the vault, none when the company uses SAML",
	.secret_policy = "ironclad",
};
