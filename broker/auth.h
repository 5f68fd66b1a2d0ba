/*
 * Injecting credentials into requests. The fetcher never sees them and
 * cannot set Authorization: only the broker adds it, per app.
 */
#ifndef PC_AUTH_H
#define PC_AUTH_H

#include <curl/curl.h>

#include "err.h"

struct broker_app;

/* Set what does not change per request (user, scheme). */
int	auth_app_init(struct broker_app *a, CURL *c) PC_WUR;
/* Per request: refresh a token when it is about to expire. */
int	auth_apply(struct broker_app *a, CURL *c) PC_WUR;

#endif /* PC_AUTH_H */
