/*
 * Runs in: broker. Input: credentials (secret, trusted) and OAuth token
 * answers (untrusted JSON, read with pcj).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "broker.h"
#include "cred.h"
#include "egress.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "pcj.h"

#define AUTH_TOKEN_MAX		4096	/* bytes of an access token */
#define AUTH_TOKEN_MARGIN	60000	/* refresh this long before expiry */
#define AUTH_TOKEN_GAP		1000	/* ms between two token requests */
#define AUTH_FORM_MAX		2048

#define AUTH_SET(c, opt, v)						\
	do { if (curl_easy_setopt((c), (opt), (v)) != CURLE_OK)	\
		return PC_E_HTTP; } while (0)

int
auth_handle_init(struct broker_cred *c, CURL *easy)
{
	const struct cred_conf	*cc = c->conf;

	switch (cc->kind) {
	case AUTH_NONE:
	case AUTH_HEADER:
		return 0;
	case AUTH_BEARER:
		AUTH_SET(easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		AUTH_SET(easy, CURLOPT_XOAUTH2_BEARER, c->secret);
		return 0;
	case AUTH_BASIC:
		AUTH_SET(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		AUTH_SET(easy, CURLOPT_USERNAME, cc->user);
		AUTH_SET(easy, CURLOPT_PASSWORD, c->secret);
		return 0;
	case AUTH_DIGEST:
		/*
		 * curl keeps the challenge on the handle and signs the next
		 * requests with the same nonce and a growing nc, so each
		 * handle costs one 401 instead of one per call; a stale
		 * nonce is answered by a new challenge, which curl follows
		 * once. Handles are never shared by two transfers at once,
		 * so nc only grows on the wire for each nonce.
		 */
		AUTH_SET(easy, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		AUTH_SET(easy, CURLOPT_USERNAME, cc->user);
		AUTH_SET(easy, CURLOPT_PASSWORD, c->secret);
		return 0;
	case AUTH_OAUTH2:
		AUTH_SET(easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		return 0;
	default:
		return PC_E_CONFIG;
	}
}

int
auth_request(struct broker_cred *c, CURL *easy)
{
	if (c->conf->kind != AUTH_OAUTH2)
		return 0;
	if (c->token == NULL || c->token[0] == '\0')
		return PC_E_STATE;
	AUTH_SET(easy, CURLOPT_XOAUTH2_BEARER, c->token);
	return 0;
}

/* "Name: value" into a wiped, freed line. */
static struct curl_slist *
auth_header_add(struct curl_slist *h, const char *name, const char *value)
{
	struct curl_slist	*n;
	char			*line;
	size_t			 len;

	len = strlen(name) + strlen(value) + 3;
	if ((line = malloc(len)) == NULL)
		return NULL;
	(void)snprintf(line, len, "%s: %s", name, value);
	n = curl_slist_append(h, line);
	explicit_bzero(line, len);
	free(line);
	return n;
}

struct curl_slist *
auth_headers(struct broker_cred *c, struct curl_slist *h)
{
	const struct cred_conf	*cc = c->conf;
	size_t			 i;

	if (cc->kind == AUTH_HEADER && (h = auth_header_add(h,
	    "X-Vault-Token", c->secret)) == NULL)
		return NULL;
	for (i = 0; i < CRED_MAX_HDRS && cc->def->hdrs[i].name != NULL; i++) {
		if (cc->hdr_value[i] == NULL)
			continue;
		if ((h = auth_header_add(h, cc->def->hdrs[i].name,
		    cc->hdr_value[i])) == NULL)
			return NULL;
	}
	return h;
}

int
auth_ready(struct broker_cred *c, long long now)
{
	if (c->conf->kind != AUTH_OAUTH2)
		return 1;
	if (c->token_state == TOKEN_FAILED)
		return -1;
	if (c->token_state == TOKEN_OK && now < c->token_exp -
	    AUTH_TOKEN_MARGIN)
		return 1;
	return 0;
}

/* Every scope the mode needs must be granted: name the first missing. */
static int
auth_scopes_check(struct broker_cred *c, const char *granted)
{
	const char	*want = c->conf->scopes, *w, *g;
	size_t		 n, m;

	if (want[0] == '\0' || granted[0] == '\0')
		return 0;	/* no scope in the answer: as requested */
	for (w = want; *w != '\0'; w += n + strspn(w + n, " ")) {
		n = strcspn(w, " ");
		for (g = granted; *g != '\0'; g += m + strspn(g + m, " ")) {
			m = strcspn(g, " ");
			if (m == n && memcmp(g, w, n) == 0)
				break;
		}
		if (*g == '\0') {
			(void)snprintf(c->why, sizeof(c->why), "the token lacks "
			    "scope %.*s (granted: %.200s)", (int)n, w, granted);
			return PC_E_POLICY;
		}
	}
	return 0;
}

/* {"access_token": "...", "expires_in": N, "scope": "...", ...} */
static int
auth_token_parse(struct broker_cred *c, const struct http_resp *r)
{
	struct pcj_doc	d;
	char		granted[1024];
	int64_t		exp = 0;
	int		root, e;

	if ((e = pcj_parse(&d, (const char *)r->body.p, r->body.len,
	    NULL)) != 0)
		return e;
	root = pcj_root(&d);
	explicit_bzero(c->token, AUTH_TOKEN_MAX);
	e = pcj_str(&d, pcj_get(&d, root, "access_token"), c->token,
	    AUTH_TOKEN_MAX, NULL, PCJ_STR_ID);
	if (pcj_str(&d, pcj_get(&d, root, "scope"), granted, sizeof(granted),
	    NULL, PCJ_STR_ID) != 0)
		granted[0] = '\0';
	if (e == 0 && (pcj_int64(&d, pcj_get(&d, root, "expires_in"),
	    &exp) != 0 || exp < 1))
		exp = 300;	/* unknown: assume short-lived */
	if (exp > 86400)
		exp = 86400;
	pcj_free(&d);
	if (e != 0 || c->token[0] == '\0') {
		explicit_bzero(c->token, AUTH_TOKEN_MAX);
		(void)snprintf(c->why, sizeof(c->why), "token answer without "
		    "a usable access_token");
		return PC_E_VALUE;
	}
	if ((e = auth_scopes_check(c, granted)) != 0) {
		explicit_bzero(c->token, AUTH_TOKEN_MAX);
		return e;
	}
	c->token_exp = chan_now_ms() + exp * 1000;
	return 0;
}

/* The token request's body: the grant and this mode's scopes. */
static int
auth_token_body(const struct broker_cred *c, struct buf *b, const char **ct)
{
	const struct cred_conf	*cc = c->conf;

	if (cc->def->flags & CRED_TOKEN_JSON) {
		*ct = "application/json";
		if (buf_add_str(b, "{\"grant_type\":\"client_credentials\"") ||
		    (cc->scopes[0] != '\0' && (buf_add_str(b, ",\"scope\":") ||
		    jw_str(b, cc->scopes))) || buf_add_str(b, "}"))
			return PC_E_TOOBIG;
		return 0;
	}
	*ct = "application/x-www-form-urlencoded";
	if (buf_add_str(b, "grant_type=client_credentials") != 0)
		return PC_E_TOOBIG;
	/* Scopes are [!#-[]-~] (RFC 6749 3.3): only the spaces need care. */
	if (cc->scopes[0] != '\0') {
		const char *p;

		if (buf_add_str(b, "&scope=") != 0)
			return PC_E_TOOBIG;
		for (p = cc->scopes; *p != '\0'; p++)
			if ((*p == ' ' ? buf_add_str(b, "%20") :
			    buf_add(b, p, 1)) != 0)
				return PC_E_TOOBIG;
	}
	return 0;
}

int
auth_token_start(struct broker_app *a, struct broker_cred *c)
{
	const struct cred_conf	*cc = c->conf;
	struct http_xfer	*x;
	struct http_req		 req;
	struct egress_req	 q;
	struct buf		*body = &c->form;
	char			 path[RUN_URL_MAX + 64], tok[40];
	const char		*ct;
	int			 e;

	if (c->token == NULL && (c->token = cred_alloc(AUTH_TOKEN_MAX)) == NULL)
		return PC_E_NOMEM;
	(void)snprintf(path, sizeof(path), "%s", cc->def->token_path);
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.host = cc->host;
	q.cred = "-";	/* the broker's own call, never a fetcher's */
	(void)snprintf(tok, sizeof(tok), "$%s", cc->def->base_opt != NULL ?
	    cc->def->name : "base");
	q.host_token = tok;
	q.path = path;
	if (egress_check(a->conf->egress, &q, NULL) != 0) {
		(void)snprintf(c->why, sizeof(c->why), "egress rules refuse "
		    "the token endpoint POST %.200s", path);
		return PC_E_POLICY;
	}
	if ((x = http_xfer_get(a, c)) == NULL)
		return PC_E_NOMEM;
	/* The body must live as long as the transfer: the credential's. */
	buf_clear(body);
	buf_init(body, AUTH_FORM_MAX, 0);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.accept = "application/json";
	if ((e = auth_token_body(c, body, &ct)) != 0) {
		(void)snprintf(c->why, sizeof(c->why), "token request too long");
		http_xfer_put(x);
		return e;
	}
	req.ctype = ct;
	req.body = body->p;
	req.len = body->len;
	x->kind = HX_TOKEN;
	/* The client's id and secret as HTTP Basic (RFC 6749 2.3.1). */
	if (curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) !=
	    CURLE_OK || curl_easy_setopt(x->easy, CURLOPT_USERNAME,
	    cc->user) != CURLE_OK || curl_easy_setopt(x->easy,
	    CURLOPT_PASSWORD, c->secret) != CURLE_OK ||
	    (e = http_start(x, &req)) != 0) {
		(void)snprintf(c->why, sizeof(c->why), "token request: %.200s",
		    x->resp.err[0] ? x->resp.err : "cannot start");
		http_xfer_put(x);
		return PC_E_HTTP;
	}
	x->owner = c;
	c->token_x = x;
	c->token_state = TOKEN_FETCHING;
	c->token_next = chan_now_ms() + AUTH_TOKEN_GAP;
	return 0;
}

void
auth_token_done(struct broker_cred *c, struct http_xfer *x, int result)
{
	c->token_x = NULL;
	if (result != 0)
		(void)snprintf(c->why, sizeof(c->why), "token request: %.200s",
		    x->resp.err);
	else if (x->resp.status == 429 || x->resp.status >= 500) {
		/* Not the credentials: issuance is limited, or it is down. */
		(void)snprintf(c->why, sizeof(c->why), "token endpoint answered "
		    "HTTP %ld: %s; try again later", x->resp.status,
		    x->resp.status == 429 ? "token issuance is rate-limited" :
		    "the vendor's error");
		result = PC_E_REMOTE;
	} else if (x->resp.status != 200) {
		(void)snprintf(c->why, sizeof(c->why), "token endpoint answered "
		    "HTTP %ld: check %s and %s", x->resp.status,
		    c->conf->user_opt, c->conf->secret_opt);
		result = PC_E_REMOTE;
	} else
		result = auth_token_parse(c, &x->resp);
	/* The answer held the token: not for the next user of the handle. */
	if (x->resp.body.p != NULL)
		explicit_bzero(x->resp.body.p, x->resp.body.len);
	(void)curl_easy_setopt(x->easy, CURLOPT_USERNAME, (char *)NULL);
	(void)curl_easy_setopt(x->easy, CURLOPT_PASSWORD, (char *)NULL);
	(void)curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
	c->token_state = result == 0 ? TOKEN_OK : TOKEN_FAILED;
	/* A failed refresh leaves no earlier token behind either. */
	if (result != 0 && c->token != NULL)
		explicit_bzero(c->token, AUTH_TOKEN_MAX);
	/* Each request that needed it fails with c->why: said there, once. */
	if (result != 0)
		log_debug("%s: %s", x->a->name, c->why);
	http_xfer_put(x);
}

void
auth_token_drop(struct broker_cred *c)
{
	if (c->token != NULL)
		explicit_bzero(c->token, AUTH_TOKEN_MAX);
	c->token_state = TOKEN_NONE;
}
