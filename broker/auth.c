/* Runs in: broker. Input: credentials from cred.c (secret, trusted). */
#include <string.h>

#include "auth.h"
#include "broker.h"

#define AUTH_SET(c, opt, v)						\
	do { if (curl_easy_setopt((c), (opt), (v)) != CURLE_OK)	\
		return PC_E_HTTP; } while (0)

int
auth_kind_parse(const char *s)
{
	static const struct {
		const char	*name;
		enum auth_kind	 kind;
	} kinds[] = {
		{ "none", AUTH_NONE }, { "bearer", AUTH_BEARER },
		{ "basic", AUTH_BASIC }, { "digest", AUTH_DIGEST },
		{ "oauth2", AUTH_OAUTH2 },
	};
	size_t	i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i].name) == 0)
			return (int)kinds[i].kind;
	return -1;
}

int
auth_app_init(struct broker_app *a, CURL *c)
{
	switch (a->auth) {
	case AUTH_NONE:
		return 0;
	case AUTH_BEARER:
		AUTH_SET(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		AUTH_SET(c, CURLOPT_XOAUTH2_BEARER, a->secret);
		return 0;
	case AUTH_BASIC:
		AUTH_SET(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		AUTH_SET(c, CURLOPT_USERNAME, a->user);
		AUTH_SET(c, CURLOPT_PASSWORD, a->secret);
		return 0;
	case AUTH_DIGEST:
		/*
		 * curl keeps the challenge on the handle and signs the next
		 * requests with the same nonce and a growing nc, so a sync
		 * costs one 401 instead of one per call (baton's transport
		 * pays two round trips per call).
		 */
		AUTH_SET(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		AUTH_SET(c, CURLOPT_USERNAME, a->user);
		AUTH_SET(c, CURLOPT_PASSWORD, a->secret);
		return 0;
	default:
		return PC_E_CONFIG;
	}
}

int
auth_apply(struct broker_app *a, CURL *c)
{
	(void)a;
	(void)c;
	return 0;
}
