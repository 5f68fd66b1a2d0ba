/*
 * Runs in: every process. The Atlassian Cloud descriptor: the
 * Organizations REST API and the user management API on
 * api.atlassian.com with the organization API key (Bearer), and the
 * optional SCIM directory API with its own key and base URL. Options
 * as baton-atlassian names them; BATON_API_TOKEN and BATON_ORG (the
 * names its documentation still uses) are accepted as aliases.
 */
#include "apps.h"
#include "record.h"

#define A	OPT_APP
#define AF	(OPT_APP | OPT_FETCHER)
#define S	(OPT_SECRET | OPT_APP | OPT_GLOBAL)

static const struct opt_def atlassian_opts[] = {
	{ "access-token",	S,	NULL,	"organization API key (Bearer)",
	    "api-token" },
	{ "organization-id",	AF,	NULL,	"Atlassian organization id",
	    "org" },
	{ "scim-token",		S,	NULL,	"SCIM directory API key", NULL },
	{ "scim-base-url",	A,	NULL,
	    "SCIM base URL (.../scim/directory/ID)", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct app_rtype atlassian_rtypes[] = {
	{ "organization",	"Organization",	0, NULL,
	    "org-admin role", "role:" },
	{ "user",		"User",		REC_TRAIT_USER, NULL, NULL, NULL },
	{ "group",		"Group",	REC_TRAIT_GROUP, NULL,
	    "group membership", NULL },
	{ "workspace",		"Workspace",	0, NULL,
	    "workspace roles (users; groups by group role assignment)",
	    "role:" },
	{ "api_token",		"API Token",	REC_TRAIT_SECRET, NULL,
	    NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL }
};

static const struct app_action atlassian_actions[] = {
	{ "disable_user",	"user_id",
	    "suspend the user's access in every directory of the org" },
	{ "enable_user",	"user_id",
	    "restore the user's access in every directory of the org" },
	{ NULL, NULL, NULL }
};

const struct app_def app_atlassian = {
	.name = "atlassian",
	.fetcher = "portcullis-fetch-atlassian",
	.base = BASE_FIXED,
	.base_default = "https://api.atlassian.com",
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_BEARER, NULL, "access-token" } } },
		{ .name = "scim", .base_opt = "scim-base-url",
		  .auths = { { AUTH_BEARER, NULL, "scim-token" } },
		  .flags = CRED_OPTIONAL },
	},
	.opts = atlassian_opts,
	.rtypes = atlassian_rtypes,
	.actions = atlassian_actions,
	.sync_op = TASK_SYNC,
	.creates = "SCIM, no password; an existing managed account is linked",
	.deletes = "user (lifecycle delete)",
};
