/*
 * Injecting credentials into requests. The fetcher never sees them and
 * cannot set Authorization: only the broker adds it, per credential.
 * OAuth2 client-credentials tokens are fetched here, one request at a
 * time per credential, cached in locked memory and refreshed before they
 * expire or once after a 401.
 */
#ifndef PC_AUTH_H
#define PC_AUTH_H

#include <curl/curl.h>

#include "err.h"

struct broker_app;
struct broker_cred;
struct http_xfer;

/* What does not change per request (user, scheme), on a new handle. */
int	auth_handle_init(struct broker_cred *c, CURL *easy) PC_WUR;
/* Per request: the current OAuth2 token. */
int	auth_request(struct broker_cred *c, CURL *easy) PC_WUR;
/* Header lines the credential adds (Vault's token, acting user). */
struct curl_slist *auth_headers(struct broker_cred *c, struct curl_slist *h);
/*
 * 1 when c can authenticate a request now; 0 when a token must be
 * fetched first (auth_token_start); -1 when it failed for good (c->why).
 */
int	auth_ready(struct broker_cred *c, long long now_ms);
/* Start the token request of c on the multi; 0 or PC_E_* (c->why). */
int	auth_token_start(struct broker_app *a, struct broker_cred *c) PC_WUR;
/* The token request of c finished with result; keep or fail it. */
void	auth_token_done(struct broker_cred *c, struct http_xfer *x,
	    int result);
/* A 401 with a token: drop it so the next request fetches another. */
void	auth_token_drop(struct broker_cred *c);

#endif /* PC_AUTH_H */
