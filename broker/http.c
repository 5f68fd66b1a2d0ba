/*
 * Runs in: broker. Input: vendor responses (untrusted: bounded, headers
 * allowlisted) and requests already checked by broker.c.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "allow.h"
#include "auth.h"
#include "broker.h"
#include "http.h"
#include "pclimits.h"
#include "log.h"

/* Per-request context the callbacks see. */
struct http_ctx {
	struct broker_app	*app;
	struct http_resp	*resp;
	int			 refused;	/* socket refused by policy */
	char			 refused_addr[INET6_ADDRSTRLEN + 8];
	int			 toobig;
};

struct http_state {
	CURL			*curl;
	struct http_ctx		 ctx;
	struct curl_slist	*resolve;
};

void
http_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatalx("curl_global_init failed");
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, MSG_RESP_MAX, 0);
}

void
http_resp_clear(struct http_resp *r)
{
	buf_clear(&r->body);
}

static curl_socket_t
http_opensocket(void *p, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct http_ctx	*ctx = p;

	(void)purpose;
	if (allow_check(ctx->app->allow, &sa->addr, sa->addrlen,
	    ctx->refused_addr, sizeof(ctx->refused_addr)) != 0) {
		ctx->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_ctx	*ctx = arg;
	size_t		 len;

	if (buf_mul(size, n, &len) != 0 ||
	    buf_add(&ctx->resp->body, p, len) != 0) {
		ctx->toobig = 1;
		return 0;	/* aborts the transfer */
	}
	return len;
}

/* Copy a header value into dst when name matches, trimmed. */
static int
http_hdr_take(const char *line, size_t len, const char *name, char *dst,
    size_t dstsz)
{
	size_t	nlen = strlen(name), vlen;

	if (len <= nlen || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return 0;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' '))
		len--;
	vlen = len < dstsz - 1 ? len : dstsz - 1;
	memcpy(dst, line, vlen);
	dst[vlen] = '\0';
	return 1;
}

/* Append a rate-limit header as "Name: value\n", bounded. */
static void
http_hdr_ratelimit(struct http_resp *r, const char *line, size_t len)
{
	size_t	have = strlen(r->ratelimit), i;

	if ((len < 10 || strncasecmp(line, "RateLimit-", 10) != 0) &&
	    (len < 12 || strncasecmp(line, "X-RateLimit-", 12) != 0))
		return;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len + 2 > sizeof(r->ratelimit) - have)
		return;
	for (i = 0; i < len; i++)
		if (!isprint((unsigned char)line[i]))
			return;
	memcpy(r->ratelimit + have, line, len);
	r->ratelimit[have + len] = '\n';
	r->ratelimit[have + len + 1] = '\0';
}

static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_ctx		*ctx = arg;
	struct http_resp	*r = ctx->resp;
	char			 loc[1024];
	size_t			 len = size * n;

	/* A new status line (after a 401 challenge) starts over. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->ctype[0] = r->link[0] = r->retry[0] = '\0';
		r->ratelimit[0] = '\0';
		return len;
	}
	if (http_hdr_take(p, len, "Content-Type", r->ctype, sizeof(r->ctype)) ||
	    http_hdr_take(p, len, "Link", r->link, sizeof(r->link)) ||
	    http_hdr_take(p, len, "Retry-After", r->retry, sizeof(r->retry)))
		return len;
	if (http_hdr_take(p, len, "Location", loc, sizeof(loc))) {
		CURLU	*u = curl_url();
		char	*host = NULL;

		if (u != NULL && curl_url_set(u, CURLUPART_URL, loc, 0) ==
		    CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) ==
		    CURLUE_OK)
			(void)snprintf(r->location_host,
			    sizeof(r->location_host), "%s", host);
		curl_free(host);
		curl_url_cleanup(u);
		return len;
	}
	http_hdr_ratelimit(r, p, len);
	return len;
}

#define HTTP_SET(c, opt, v)						\
	do { if (curl_easy_setopt((c), (opt), (v)) != CURLE_OK)	\
		return PC_E_HTTP; } while (0)

static int
http_app_transport(struct broker_app *a, struct http_state *st)
{
	CURL		*c = st->curl;
	size_t		 i;

	HTTP_SET(c, CURLOPT_PROTOCOLS_STR, "https");
	HTTP_SET(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	/* Never follow Location. (MAXREDIRS stays at its default: curl
	 * counts a Digest retry as one.) */
	HTTP_SET(c, CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_SET(c, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SET(c, CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_SET(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	HTTP_SET(c, CURLOPT_NOSIGNAL, 1L);
	HTTP_SET(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	HTTP_SET(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	/* No proxy from the environment: only one the config names. */
	HTTP_SET(c, CURLOPT_PROXY, a->proxy != NULL ? a->proxy : "");
	HTTP_SET(c, CURLOPT_CONNECTTIMEOUT, a->connect_timeout);
	HTTP_SET(c, CURLOPT_TIMEOUT, a->timeout);
	HTTP_SET(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	HTTP_SET(c, CURLOPT_LOW_SPEED_TIME, a->timeout);
	HTTP_SET(c, CURLOPT_ACCEPT_ENCODING, "");
	HTTP_SET(c, CURLOPT_USERAGENT, "portcullis/0.1");
	if (a->ca_pem != NULL) {
		struct curl_blob blob = { a->ca_pem, a->ca_len,
		    CURL_BLOB_NOCOPY };
		HTTP_SET(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	for (i = 0; i < a->nresolve; i++) {
		struct curl_slist *l = curl_slist_append(st->resolve,
		    a->resolve[i]);
		if (l == NULL)
			return PC_E_NOMEM;
		st->resolve = l;
	}
	if (st->resolve != NULL)
		HTTP_SET(c, CURLOPT_RESOLVE, st->resolve);
	return 0;
}

int
http_app_init(struct broker_app *a)
{
	struct http_state	*st;
	CURL			*c;
	int			 e;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return PC_E_NOMEM;
	if ((st->curl = c = curl_easy_init()) == NULL) {
		free(st);
		return PC_E_NOMEM;
	}
	a->http = st;
	st->ctx.app = a;
	if ((e = http_app_transport(a, st)) != 0)
		return e;
	HTTP_SET(c, CURLOPT_OPENSOCKETFUNCTION, http_opensocket);
	HTTP_SET(c, CURLOPT_OPENSOCKETDATA, &st->ctx);
	HTTP_SET(c, CURLOPT_WRITEFUNCTION, http_write);
	HTTP_SET(c, CURLOPT_WRITEDATA, &st->ctx);
	HTTP_SET(c, CURLOPT_HEADERFUNCTION, http_header);
	HTTP_SET(c, CURLOPT_HEADERDATA, &st->ctx);
	return auth_app_init(a, c);
}

void
http_app_clear(struct broker_app *a)
{
	struct http_state	*st = a->http;

	if (st == NULL)
		return;
	curl_easy_cleanup(st->curl);
	curl_slist_free_all(st->resolve);
	free(st);
	a->http = NULL;
}

static int
http_set_method(CURL *c, const struct http_req *req)
{
	const char	*m = req->method;

	HTTP_SET(c, CURLOPT_NOBODY, 0L);
	HTTP_SET(c, CURLOPT_CUSTOMREQUEST, (char *)NULL);
	HTTP_SET(c, CURLOPT_HTTPGET, 1L);
	if (strcmp(m, "GET") == 0)
		return 0;
	if (strcmp(m, "HEAD") == 0) {
		HTTP_SET(c, CURLOPT_NOBODY, 1L);
		return 0;
	}
	if (strcmp(m, "DELETE") == 0 && req->body == NULL) {
		HTTP_SET(c, CURLOPT_CUSTOMREQUEST, "DELETE");
		return 0;
	}
	HTTP_SET(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	HTTP_SET(c, CURLOPT_POSTFIELDS, req->body != NULL ?
	    (const char *)req->body : "");
	if (strcmp(m, "POST") != 0)
		HTTP_SET(c, CURLOPT_CUSTOMREQUEST, m);
	return 0;
}

/* Header lines may hold a token: wipe them before they are freed. */
static void
http_headers_free(struct curl_slist *h)
{
	struct curl_slist	*l;

	for (l = h; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h);
}

static struct curl_slist *
http_auth_header(const struct broker_app *a, struct curl_slist *h)
{
	struct curl_slist	*n;
	char			*line;
	size_t			 len;

	if (a->auth != AUTH_HEADER)
		return h;
	len = strlen(a->auth_header) + strlen(a->secret) + 3;
	if ((line = malloc(len)) == NULL)
		return NULL;
	(void)snprintf(line, len, "%s: %s", a->auth_header, a->secret);
	n = curl_slist_append(h, line);
	explicit_bzero(line, len);
	free(line);
	return n;
}

static struct curl_slist *
http_headers(const struct broker_app *a, const struct http_req *req)
{
	struct curl_slist	*h = NULL, *n;
	char			 line[256];

	/* curl adds "Expect: 100-continue" to big bodies; vendors balk. */
	if ((h = curl_slist_append(NULL, "Expect:")) == NULL)
		return NULL;
	if (req->accept != NULL) {
		(void)snprintf(line, sizeof(line), "Accept: %s", req->accept);
		if ((n = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = n;
	}
	if (req->ctype != NULL) {
		(void)snprintf(line, sizeof(line), "Content-Type: %s",
		    req->ctype);
		if ((n = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = n;
	}
	if ((n = http_auth_header(a, h)) == NULL)
		goto fail;
	return n;
fail:
	http_headers_free(h);
	return NULL;
}

static int	http_send(struct broker_app *, struct http_state *,
		    const struct http_req *, struct http_resp *, int);

static int
http_result(struct http_state *st, CURLcode cc, struct http_resp *r)
{
	struct http_ctx	*ctx = &st->ctx;

	if (ctx->refused) {
		(void)snprintf(r->err, sizeof(r->err), "address %s is not "
		    "in the IP allowlist", ctx->refused_addr);
		return PC_E_POLICY;
	}
	if (ctx->toobig) {
		(void)snprintf(r->err, sizeof(r->err), "response over %d "
		    "bytes", MSG_RESP_MAX);
		return PC_E_TOOBIG;
	}
	if (cc == CURLE_OK) {
		(void)curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE,
		    &r->status);
		return 0;
	}
	(void)snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return PC_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return PC_E_TLS;
	default:
		return PC_E_HTTP;
	}
}

int
http_token(struct broker_app *a, const char *path, const char *user,
    const char *pass, const char *form, struct http_resp *r)
{
	struct http_state	*st = a->http;
	struct http_req		 req = { "POST", path, "application/json",
				    "application/x-www-form-urlencoded",
				    (const uint8_t *)form, strlen(form) };
	CURL			*c = st->curl;
	int			 e;

	if (curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERNAME, user) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PASSWORD, pass) != CURLE_OK)
		return PC_E_HTTP;
	e = http_send(a, st, &req, r, 0);
	(void)curl_easy_setopt(c, CURLOPT_USERNAME, (char *)NULL);
	(void)curl_easy_setopt(c, CURLOPT_PASSWORD, (char *)NULL);
	(void)curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
	return e;
}

int
http_perform(struct broker_app *a, const struct http_req *req,
    struct http_resp *r)
{
	struct http_state	*st = a->http;
	int			 e;

	if ((e = auth_apply(a, st->curl)) != 0) {
		(void)snprintf(r->err, sizeof(r->err), "%s: cannot get an "
		    "access token", a->name);
		return e;
	}
	return http_send(a, st, req, r, 1);
}

static int
http_send(struct broker_app *a, struct http_state *st,
    const struct http_req *req, struct http_resp *r, int in_base)
{
	struct curl_slist	*hdrs;
	char			 url[MSG_PATH_MAX + 1200];
	CURLcode		 cc;
	int			 e;

	/* The callbacks write into this request's answer only. */
	st->ctx.resp = r;
	st->ctx.refused = st->ctx.toobig = 0;
	st->ctx.refused_addr[0] = '\0';
	if (snprintf(url, sizeof(url), "%s%s", in_base ? a->base_url :
	    a->origin, in_base ? req->path + strlen(a->base_path) :
	    req->path) >= (int)sizeof(url))
		return PC_E_TOOBIG;
	if ((hdrs = http_headers(a, req)) == NULL)
		return PC_E_NOMEM;
	if ((e = http_set_method(st->curl, req)) != 0) {
		http_headers_free(hdrs);
		return e;
	}
	(void)curl_easy_setopt(st->curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(st->curl, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(st->curl);
	(void)curl_easy_setopt(st->curl, CURLOPT_HTTPHEADER, NULL);
	(void)curl_easy_setopt(st->curl, CURLOPT_POSTFIELDS, NULL);
	http_headers_free(hdrs);
	return http_result(st, cc, r);
}
