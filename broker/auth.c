/* Runs in: broker. Input: credentials (secret, trusted) and OAuth token
 * answers (untrusted JSON, read with pcj). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "broker.h"
#include "cred.h"
#include "egress.h"
#include "http.h"
#include "log.h"
#include "pcj.h"

#define AUTH_TOKEN_MAX		4096	/* bytes of an access token */
#define AUTH_TOKEN_MARGIN	60	/* refresh this long before expiry */

#define AUTH_SET(c, opt, v)						\
	do { if (curl_easy_setopt((c), (opt), (v)) != CURLE_OK)	\
		return PC_E_HTTP; } while (0)

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
		 * pays two round trips per call); a stale nonce is answered
		 * by a new challenge, which curl follows once.
		 */
		AUTH_SET(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		AUTH_SET(c, CURLOPT_USERNAME, a->user);
		AUTH_SET(c, CURLOPT_PASSWORD, a->secret);
		return 0;
	case AUTH_HEADER:
		/* http.c adds it per request: curl has no option for it. */
		return a->auth_header != NULL && a->secret != NULL ? 0 :
		    PC_E_CONFIG;
	case AUTH_OAUTH2:
		if (a->token_path == NULL ||
		    (a->token = cred_alloc(AUTH_TOKEN_MAX)) == NULL)
			return PC_E_CONFIG;
		AUTH_SET(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		return 0;
	default:
		return PC_E_CONFIG;
	}
}

static long long
auth_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* {"access_token": "...", "expires_in": N, "token_type": "Bearer"} */
static int
auth_token_parse(struct broker_app *a, const struct http_resp *r)
{
	struct pcj_doc	d;
	int64_t		exp = 0;
	int		root, e;

	if ((e = pcj_parse(&d, (const char *)r->body.p, r->body.len,
	    NULL)) != 0)
		return e;
	root = pcj_root(&d);
	explicit_bzero(a->token, AUTH_TOKEN_MAX);
	e = pcj_str(&d, pcj_get(&d, root, "access_token"), a->token,
	    AUTH_TOKEN_MAX, NULL, PCJ_STR_ID);
	if (e == 0 && (pcj_int64(&d, pcj_get(&d, root, "expires_in"),
	    &exp) != 0 || exp < 1))
		exp = 300;	/* unknown: assume short-lived */
	if (e == 0 && exp > 86400)
		exp = 86400;
	pcj_free(&d);
	if (e != 0 || a->token[0] == '\0') {
		explicit_bzero(a->token, AUTH_TOKEN_MAX);
		return PC_E_VALUE;
	}
	a->token_exp = auth_now() + exp;
	return 0;
}

static int
auth_token_fetch(struct broker_app *a, CURL *c)
{
	struct http_resp	r;
	int			e;

	if (egress_check(a->egress, "POST", a->host, a->token_path) != 0) {
		log_warnx("%s: egress rules refuse the token endpoint "
		    "POST %s", a->name, a->token_path);
		return PC_E_POLICY;
	}
	http_resp_init(&r);
	r.body.wipe = 1;
	e = http_token(a, a->token_path, a->user, a->secret,
	    "grant_type=client_credentials", &r);
	if (e == 0 && r.status != 200) {
		log_warnx("%s: token endpoint answered HTTP %ld",
		    a->name, r.status);
		e = PC_E_REMOTE;
	} else if (e == 0 && (e = auth_token_parse(a, &r)) != 0)
		log_warnx("%s: token answer without a usable "
		    "access_token", a->name);
	else if (e != 0)
		log_warnx("%s: token request: %s", a->name, r.err);
	http_resp_clear(&r);
	if (e == 0)
		AUTH_SET(c, CURLOPT_XOAUTH2_BEARER, a->token);
	return e;
}

int
auth_apply(struct broker_app *a, CURL *c)
{
	if (a->auth != AUTH_OAUTH2)
		return 0;
	/* Refresh before expiry, not after a 401. */
	if (a->token[0] != '\0' && auth_now() < a->token_exp -
	    AUTH_TOKEN_MARGIN)
		return 0;
	return auth_token_fetch(a, c);
}
