/*
 * Runs in: every process. The MongoDB Atlas descriptor: Admin API v2 on
 * cloud.mongodb.com, an org API key (HTTP Digest) or a service account
 * (OAuth2 client credentials). Options as baton-mongodb-atlas names them.
 */
#include "apps.h"
#include "record.h"

#define A	OPT_APP
#define S	(OPT_SECRET | OPT_APP | OPT_GLOBAL)
#define F	(OPT_APP | OPT_FETCHER | OPT_BOOL)

static const struct opt_def atlas_opts[] = {
	{ "public-key",		A,	NULL,	"Atlas API public key", NULL },
	{ "private-key",	S,	NULL,	"Atlas API private key", NULL },
	{ "client-id",		A,	NULL,	"service account client id", NULL },
	{ "client-secret",	S,	NULL,	"service account secret", NULL },
	{ "enable-sync-databases", F,	"true",	"sync databases", NULL },
	{ "create-invite-key",	F,	"true",	"invite on create", NULL },
	{ "delete-database-user-with-read-only", F, "false",
	    "delete a user left with read@admin", NULL },
	{ "remove-org-user-on-last-role", F, "false",
	    "revoking the last org role removes the user", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct app_rtype atlas_rtypes[] = {
	{ "organization",	"Organization",		0, NULL,
	    "org roles", NULL },
	{ "user",		"User",			REC_TRAIT_USER, NULL, NULL, NULL },
	{ "team",		"Team",			REC_TRAIT_GROUP, NULL,
	    "team membership", NULL },
	{ "project",		"Project",		REC_TRAIT_GROUP, NULL,
	    "project roles", NULL },
	{ "database_user",	"Database User",	REC_TRAIT_USER, NULL,
	    NULL, NULL },
	{ "mongo_cluster",	"Mongo Cluster",	REC_TRAIT_APP, NULL, NULL, NULL },
	{ "database",		"Database",		REC_TRAIT_APP,
	    "enable-sync-databases", "database roles", NULL },
	{ "org_api_key",	"Organization API Key",	REC_TRAIT_SECRET, NULL,
	    NULL, NULL },
	/* Federation, read-only (fetchers/atlas/federation.c). */
	{ "federation",		"Federation",		REC_TRAIT_APP, NULL, NULL,
	    NULL },
	{ "identity_provider",	"Identity Provider",	REC_TRAIT_APP, NULL,
	    NULL, NULL },
	{ "connected_org",	"Connected Organization", REC_TRAIT_APP, NULL,
	    NULL, NULL },
	{ "idp_group",		"IdP Group",		REC_TRAIT_GROUP, NULL,
	    NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL }
};

/*
 * An invitation to an org with domain restriction: "you can only invite
 * new users ... whose email addresses are in the approved list of
 * domains", and the domains mapped to the IdP are on it (Advanced
 * Options for Federated Authentication). Two writes of the egress rules
 * invite: createOrgUser (create-account's invitation) and addProjectUser
 * (addGroupUsers: "if the user doesn't have an invitation to join the
 * organization, MongoDB Cloud sends a new invitation"), whose org the
 * broker reads from getProject's orgId. Team adds (:addUser) and role
 * changes take a member's id and invite nobody; the invitations API
 * (deprecated) is not in the egress rules. Checked by the broker with
 * its own reads: the fetcher's report of the list is not trusted.
 */
const struct app_domcheck app_atlas_domcheck = {
	.guards = {
		{ "POST", "/api/atlas/v2/orgs/*/users", NULL, NULL },
		{ "POST", "/api/atlas/v2/groups/*/users",
		  "/api/atlas/v2/groups/%s", "orgId" },
	},
	.settings = "/api/atlas/v2/orgs/%s/federationSettings",
	.config = "/api/atlas/v2/federationSettings/%s/connectedOrgConfigs/%s",
	.accept = "application/vnd.atlas.2023-01-01+json",
	.id_key = "id",
	.settings_list = "federatedDomains",
	.flag_key = "domainRestrictionEnabled",
	.config_list = "domainAllowList",
	.vendor = "Atlas",
};

const struct app_def app_atlas = {
	.name = "atlas",
	.fetcher = "portcullis-fetch-atlas",
	.base = BASE_FIXED,
	.base_default = "https://cloud.mongodb.com",
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_DIGEST, "public-key", "private-key" },
			     { AUTH_OAUTH2, "client-id", "client-secret" } },
		  .token_path = "/api/oauth/token" },
	},
	.opts = atlas_opts,
	.rtypes = atlas_rtypes,
	.sync_op = TASK_SYNC,
	.creates = "invite + database user: SCRAM-SHA, AWS_IAM_USER, "
	    "X509_CUSTOMER,\n       X509_MANAGED, LDAP_USER, OIDC_WORKLOAD",
	.deletes = "user, database_user",
	.secret_policy = "atlas-scram",
	.domcheck = &app_atlas_domcheck,
};
