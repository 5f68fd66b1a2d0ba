/* Runs in: agent. Input: none (static table). */
#include <string.h>

#include "apps.h"

static const struct app_auth test_auths[] = {
	{ AUTH_BEARER,	NULL,		"api-token" },
	{ AUTH_BASIC,	"username",	"password" },
	{ AUTH_NONE,	NULL,		NULL },
};

static const struct app_auth atlas_auths[] = {
	{ AUTH_DIGEST,	"public-key",	"private-key" },
	{ AUTH_OAUTH2,	"client-id",	"client-secret" },
	{ AUTH_NONE,	NULL,		NULL },
};

static const char *const atlas_opts[] = { "enable-sync-databases",
    "create-invite-key", "delete-database-user-with-read-only",
    "remove-org-user-on-last-role", NULL };

static const char *const demo_opts[] = { "path", NULL };
static const char *const sbxtest_opts[] = { "path", "action", "body",
    "slot", "target", "accept", NULL };

const struct app_def apps[] = {
	{ "atlas", "portcullis-fetch-atlas", 0, "https://cloud.mongodb.com",
	    AUTH_DIGEST, atlas_auths, atlas_opts, TASK_SYNC,
	    "atlas: sync organization, user, team, project, database_user, "
	    "mongo_cluster, database, org_api_key;\n"
	    "       provision org roles, team membership, project roles, "
	    "database roles;\n"
	    "       create account (invite + database user: SCRAM-SHA, "
	    "AWS_IAM_USER,\n"
	    "       X509_CUSTOMER, X509_MANAGED, LDAP_USER, OIDC_WORKLOAD); "
	    "delete user, database_user", "/api/oauth/token", "atlas-scram" },
	{ "demo", "portcullis-fetch-demo", APP_AUTH_NONE, NULL, AUTH_BEARER, test_auths,
	    demo_opts, TASK_DEMO,
	    "demo: one GET through the broker (no sync, no provisioning)",
	    NULL, NULL },
	{ "sbxtest", "portcullis-fetch-sbxtest", APP_HIDDEN | APP_AUTH_NONE, NULL,
	    AUTH_BEARER, test_auths, sbxtest_opts, TASK_DEMO,
	    "sbxtest: misbehaving fetcher for the security tests", NULL,
	    "default" },
	{ NULL, NULL, 0, NULL, AUTH_NONE, NULL, NULL, 0, NULL, NULL, NULL }
};

const struct app_def *
apps_find(const char *name)
{
	const struct app_def	*d;

	for (d = apps; d->name != NULL; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

const struct app_auth *
apps_auth(const struct app_def *d, enum auth_kind k)
{
	const struct app_auth	*a;

	if (k == AUTH_NONE)
		return NULL;
	for (a = d->auths; a->kind != AUTH_NONE; a++)
		if (a->kind == k)
			return a;
	return NULL;
}
