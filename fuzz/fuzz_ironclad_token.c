/*
 * Fuzz the broker's OAuth 2.0 token answer decoder, as Ironclad's token
 * endpoint answers it (POST /oauth/token, ClientCredentialsGrantToken-
 * Response): the input is the body of a 200, read by broker/auth.c for
 * the Ironclad credential in sync mode (the scopes it must grant are
 * checked there). Whatever it holds, the token ends in its buffer, a
 * refused answer leaves no token behind, an accepted one has a token.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "auth.h"
#include "broker.h"
#include "http.h"
#include "runconf.h"

#define TOKEN_MAX	4096	/* broker/auth.c AUTH_TOKEN_MAX */

/* The handle's life is the harness's: nothing to keep or give back. */
void
http_xfer_put(struct http_xfer *x)
{
	(void)x;
}

struct http_xfer *
http_xfer_get(struct broker_app *a, struct broker_cred *c)
{
	(void)a, (void)c;
	return NULL;
}

int
http_start(struct http_xfer *x, const struct http_req *req)
{
	(void)x, (void)req;
	return PC_E_HTTP;
}

char *
cred_alloc(size_t size)
{
	return calloc(1, size);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char		 token[TOKEN_MAX];
	static CURL		*easy;
	static struct broker_app app;
	static struct cred_conf	 cc;
	struct broker_cred	 c;
	struct http_xfer	 x;
	const struct app_def	*d;
	const char		*nul;

	if (easy == NULL && (easy = curl_easy_init()) == NULL)
		abort();
	if ((d = apps_find("ironclad")) == NULL)
		abort();
	memset(&cc, 0, sizeof(cc));
	cc.def = &d->creds[0];
	cc.kind = AUTH_OAUTH2;
	cc.user_opt = "ic-client-id";
	cc.secret_opt = "ic-client-secret";
	(void)snprintf(cc.scopes, sizeof(cc.scopes), "%s", cc.def->scopes_read);
	app.name = "ironclad";
	memset(&c, 0, sizeof(c));
	c.conf = &cc;
	c.token = token;
	memset(&x, 0, sizeof(x));
	x.easy = easy;
	x.a = &app;
	x.c = &c;
	x.kind = HX_TOKEN;
	x.resp.status = 200;
	buf_init(&x.resp.body, n + 1, 0);
	if (buf_add(&x.resp.body, p, n) != 0 || buf_cstr(&x.resp.body, &nul))
		abort();
	auth_token_done(&c, &x, 0);
	if (memchr(token, '\0', sizeof(token)) == NULL)
		abort();	/* a token that does not end */
	if (c.token_state != TOKEN_OK && token[0] != '\0')
		abort();	/* refused, yet a token is left */
	if (c.token_state == TOKEN_OK && token[0] == '\0')
		abort();	/* accepted without one */
	buf_clear(&x.resp.body);
	return 0;
}
