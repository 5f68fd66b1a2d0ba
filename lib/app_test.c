/*
 * Runs in: every process. The demo app (one GET through the broker, for
 * a first run and the end-to-end tests), the misbehaving sbxtest fetcher
 * of the security tests, the bench's "replay" (an Atlas sync's requests
 * again through the broker, Atlas's Digest credential, no parsing:
 * tests/bench/replay_fetch.c, never installed), and the pseudo-app
 * "vault": the transport of Vault / OpenBao KV writes, under its own
 * allowlist and egress rules.
 */
#include "apps.h"
#include "record.h"

#define A	OPT_APP
#define AF	(OPT_APP | OPT_FETCHER)
#define S	(OPT_SECRET | OPT_APP | OPT_GLOBAL)

static const struct opt_def demo_opts[] = {
	{ "api-token",		S,	NULL,	"bearer token", NULL },
	{ "username",		A,	NULL,	"basic auth user", NULL },
	{ "password",		S,	NULL,	"basic auth password", NULL },
	{ "path",		AF,	NULL,	"demo: path to GET", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct opt_def sbxtest_opts[] = {
	{ "api-token",		S,	NULL,	"bearer token", NULL },
	{ "username",		A,	NULL,	"basic auth user", NULL },
	{ "password",		S,	NULL,	"basic auth password", NULL },
	{ "path",		AF,	NULL,	"path to request", NULL },
	{ "action",		AF,	NULL,	"misbehaviour", NULL },
	{ "body",		AF,	NULL,	"body to POST", NULL },
	{ "slot",		AF,	NULL,	"secret slot", NULL },
	{ "target",		AF,	NULL,	"audit target", NULL },
	{ "accept",		AF,	NULL,	"Accept header", NULL },
	{ "ctype",		AF,	NULL,	"Content-Type header", NULL },
	{ "method",		AF,	NULL,	"HTTP method", NULL },
	{ "cred",		AF,	NULL,	"credential to ask for", NULL },
	{ "count",		AF,	NULL,	"repetitions", NULL },
	{ "how",		AF,	NULL,	"variant of the action", NULL },
	{ "operation",		AF,	NULL,	"audit operation", NULL },
	{ "other-base-url",	A,	NULL,	"base of the second credential",
	    NULL },
	{ "other-token",	S,	NULL,	"second bearer token", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct app_def app_demo = {
	.name = "demo",
	.fetcher = "portcullis-fetch-demo",
	.flags = APP_AUTH_NONE,
	.base = BASE_OPTION,
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_BEARER, NULL, "api-token" },
			     { AUTH_BASIC, "username", "password" } } },
	},
	.opts = demo_opts,
	.sync_op = TASK_DEMO,
};

const struct app_def app_sbxtest = {
	.name = "sbxtest",
	.fetcher = "portcullis-fetch-sbxtest",
	.flags = APP_HIDDEN | APP_AUTH_NONE,
	.base = BASE_OPTION,
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_BEARER, NULL, "api-token" },
			     { AUTH_BASIC, "username", "password" } } },
		/* A second credential, for the confusion tests. */
		{ .name = "other", .base_opt = "other-base-url",
		  .auths = { { AUTH_BEARER, NULL, "other-token" } },
		  .flags = CRED_OPTIONAL },
	},
	.opts = sbxtest_opts,
	.sync_op = TASK_DEMO,
	.secret_policy = "default",
	.domcheck = &app_atlas_domcheck,	/* test_write_policy */
};

/* The same misbehaving fetcher, run as a sync: its records go to a .c1z. */
const struct app_def app_sbxsync = {
	.name = "sbxsync",
	.fetcher = "portcullis-fetch-sbxtest",
	.flags = APP_HIDDEN | APP_AUTH_NONE,
	.base = BASE_OPTION,
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_BEARER, NULL, "api-token" } } },
	},
	.opts = sbxtest_opts,
	.sync_op = TASK_SYNC,
};

static const struct opt_def replay_opts[] = {
	{ "public-key",		A,	NULL,	"Atlas API public key", NULL },
	{ "private-key",	S,	NULL,	"Atlas API private key", NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

/* make bench only: the bench's config gives Atlas's egress rules. */
const struct app_def app_replay = {
	.name = "replay",
	.fetcher = "portcullis-fetch-replay",
	.flags = APP_HIDDEN,
	.base = BASE_FIXED,
	.base_default = "https://cloud.mongodb.com",
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_DIGEST, "public-key", "private-key" } } },
	},
	.opts = replay_opts,
	.sync_op = TASK_DEMO,
};

const struct app_def app_vault = {
	.name = "vault",
	.flags = APP_HIDDEN | APP_NO_ALLOW,
	.base = BASE_OPTION,
	.creds = {
		{ .name = "api",
		  .auths = { { AUTH_HEADER, NULL, "vault-token" } } },
	},
};
