/*
 * Runs in: broker. Input: vendor responses (untrusted: bounded, headers
 * allowlisted) and requests already checked by req.c.
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
#include "log.h"

static CURLM	*http_multi;

void
http_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (http_multi = curl_multi_init()) == NULL)
		fatalx("libcurl set-up failed");
	/* Several requests share a connection where the server speaks
	 * HTTP/2; over HTTP/1.1 each uses a kept-alive connection. */
	(void)curl_multi_setopt(http_multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
}

void
http_global_clear(void)
{
	if (http_multi != NULL)
		curl_multi_cleanup(http_multi);
	http_multi = NULL;
	curl_global_cleanup();
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

/*
 * Every socket, before it connects: the address must be in the app's
 * allowlist. A refusal holds for this address only: when libcurl then
 * falls back to another address that is allowed, the request is sent
 * and reported as sent (http_result decides from the transfer's end).
 */
static curl_socket_t
http_opensocket(void *p, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct http_xfer	*x = p;
	char			 addr[INET6_ADDRSTRLEN + 8];
	size_t			 n;

	(void)purpose;
	if (allow_check(x->a->conf->allow, &sa->addr, sa->addrlen, addr,
	    sizeof(addr)) != 0) {
		n = strlen(x->refused);
		if (n + strlen(addr) + 3 < sizeof(x->refused))
			(void)snprintf(x->refused + n, sizeof(x->refused) - n,
			    "%s%s", n > 0 ? ", " : "", addr);
		return CURL_SOCKET_BAD;
	}
	/* A refused connect leaves no PRIMARY_IP: the failure names it. */
	(void)snprintf(x->tried, sizeof(x->tried), "%s", addr);
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	size_t			 len;

	if (buf_mul(size, n, &len) != 0 || buf_add(&x->resp.body, p, len) != 0) {
		x->toobig = 1;
		return 0;	/* aborts the transfer */
	}
	return len;
}

/* Copy a header value into dst when name matches, trimmed. */
static int
http_hdr_take(const char *line, size_t len, const char *name, char *dst,
    size_t dstsz)
{
	size_t	nlen = strlen(name), vlen, i;

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
	/* A vendor's header value reaches a fetcher: printable bytes only. */
	for (i = 0; i < vlen; i++)
		dst[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
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
		if (line[i] < 0x20 || line[i] >= 0x7f)
			return;
	memcpy(r->ratelimit + have, line, len);
	r->ratelimit[have + len] = '\n';
	r->ratelimit[have + len + 1] = '\0';
}

static void
http_hdr_location(struct http_resp *r, const char *loc)
{
	CURLU	*u = curl_url();
	char	*host = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		(void)snprintf(r->location_host, sizeof(r->location_host),
		    "%s", host);
	curl_free(host);
	curl_url_cleanup(u);
}

static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	struct http_resp	*r = &x->resp;
	char			 loc[1024];
	size_t			 len = size * n;

	/* A new status line (after a 401 challenge) starts over. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->ctype[0] = r->link[0] = r->retry[0] = '\0';
		r->ratelimit[0] = r->location_host[0] = '\0';
		return len;
	}
	if (http_hdr_take(p, len, "Content-Type", r->ctype, sizeof(r->ctype)) ||
	    http_hdr_take(p, len, "Link", r->link, sizeof(r->link)) ||
	    http_hdr_take(p, len, "Retry-After", r->retry, sizeof(r->retry)))
		return len;
	if (http_hdr_take(p, len, "Location", loc, sizeof(loc))) {
		http_hdr_location(r, loc);
		return len;
	}
	http_hdr_ratelimit(r, p, len);
	return len;
}

#define HTTP_SET(c, opt, v)						\
	do { if (curl_easy_setopt((c), (opt), (v)) != CURLE_OK)	\
		return PC_E_HTTP; } while (0)

static int
http_transport(struct http_xfer *x)
{
	const struct app_conf	*ac = x->a->conf;
	CURL			*c = x->easy;
	size_t			 i;

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
	HTTP_SET(c, CURLOPT_PROXY, ac->proxy != NULL ? ac->proxy : "");
	HTTP_SET(c, CURLOPT_CONNECTTIMEOUT, ac->connect_timeout);
	HTTP_SET(c, CURLOPT_TIMEOUT, ac->timeout);
	HTTP_SET(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	HTTP_SET(c, CURLOPT_LOW_SPEED_TIME, ac->timeout);
	HTTP_SET(c, CURLOPT_ACCEPT_ENCODING, "");
	HTTP_SET(c, CURLOPT_USERAGENT, "portcullis/" PC_VERSION);
	HTTP_SET(c, CURLOPT_PIPEWAIT, 1L);
	if (x->a->ca_pem != NULL) {
		struct curl_blob blob = { x->a->ca_pem, x->a->ca_len,
		    CURL_BLOB_NOCOPY };
		HTTP_SET(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	for (i = 0; i < ac->nresolve; i++) {
		struct curl_slist *l = curl_slist_append(x->resolve,
		    ac->resolve[i]);
		if (l == NULL)
			return PC_E_NOMEM;
		x->resolve = l;
	}
	if (x->resolve != NULL)
		HTTP_SET(c, CURLOPT_RESOLVE, x->resolve);
	HTTP_SET(c, CURLOPT_OPENSOCKETFUNCTION, http_opensocket);
	HTTP_SET(c, CURLOPT_OPENSOCKETDATA, x);
	HTTP_SET(c, CURLOPT_WRITEFUNCTION, http_write);
	HTTP_SET(c, CURLOPT_WRITEDATA, x);
	HTTP_SET(c, CURLOPT_HEADERFUNCTION, http_header);
	HTTP_SET(c, CURLOPT_HEADERDATA, x);
	HTTP_SET(c, CURLOPT_PRIVATE, x);
	HTTP_SET(c, CURLOPT_ERRORBUFFER, x->curlerr);
	return 0;
}

static void
http_xfer_free(struct http_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->resolve);
	http_resp_clear(&x->resp);
	free(x);
}

struct http_xfer *
http_xfer_get(struct broker_app *a, struct broker_cred *c)
{
	struct http_xfer	*x;

	if ((x = c->idle) != NULL) {
		c->idle = x->next;
		x->next = NULL;
		x->busy = 1;
		return x;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->a = a;
	x->c = c;
	http_resp_init(&x->resp);
	if ((x->easy = curl_easy_init()) == NULL || http_transport(x) != 0 ||
	    auth_handle_init(c, x->easy) != 0) {
		http_xfer_free(x);
		return NULL;
	}
	x->busy = 1;
	return x;
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

void
http_xfer_put(struct http_xfer *x)
{
	(void)curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
	(void)curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, NULL);
	http_headers_free(x->hdrs);
	x->hdrs = NULL;
	if (x->resp.body.p != NULL)
		explicit_bzero(x->resp.body.p, x->resp.body.len);
	http_resp_clear(&x->resp);
	http_resp_init(&x->resp);
	x->owner = NULL;
	x->kind = 0;
	x->busy = 0;
	x->next = x->c->idle;
	x->c->idle = x;
}

void
http_cred_clear(struct broker_cred *c)
{
	struct http_xfer	*x, *n;

	for (x = c->idle; x != NULL; x = n) {
		n = x->next;
		http_xfer_free(x);
	}
	c->idle = NULL;
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
	if ((strcmp(m, "DELETE") == 0 || strcmp(m, "PUT") == 0) &&
	    req->body == NULL) {
		HTTP_SET(c, CURLOPT_CUSTOMREQUEST, m);
		return 0;
	}
	HTTP_SET(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	HTTP_SET(c, CURLOPT_POSTFIELDS, req->body != NULL ?
	    (const char *)req->body : "");
	if (strcmp(m, "POST") != 0)
		HTTP_SET(c, CURLOPT_CUSTOMREQUEST, m);
	return 0;
}

/*
 * The only header lines a request carries: the media types req.c
 * checked against their grammar, and the credential's own (auth.c).
 */
static struct curl_slist *
http_headers(struct http_xfer *x, const struct http_req *req)
{
	struct curl_slist	*h, *n;
	char			 line[TAGMAX_HTTP_REQ_ACCEPT + 32];

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
	if ((n = auth_headers(x->c, h)) == NULL)
		goto fail;
	return n;
fail:
	http_headers_free(h);
	return NULL;
}

/* Put req on x: URL, method, body, headers, current auth. */
static int
http_prepare(struct http_xfer *x, const struct http_req *req)
{
	const struct cred_conf	*cc = x->c->conf;
	char			 url[BROKER_PATH_MAX + RUN_URL_MAX];
	int			 e;

	http_resp_clear(&x->resp);
	http_resp_init(&x->resp);
	x->refused[0] = x->curlerr[0] = x->tried[0] = '\0';
	x->toobig = 0;
	/* What a failure will name: the request line (no query), where. */
	msg_fail_request(&x->resp.fail, req->method, req->path);
	(void)snprintf(x->resp.fail.host, sizeof(x->resp.fail.host), "%s",
	    x->c->conf->host);
	(void)snprintf(x->resp.fail.cred, sizeof(x->resp.fail.cred), "%s",
	    x->c->conf->def->name);
	x->resp.fail.port = appconf_port(cc);
	/* req->path already holds the base path; the origin goes first. */
	if (snprintf(url, sizeof(url), "%s%s", cc->origin, req->path) >=
	    (int)sizeof(url)) {
		(void)snprintf(x->resp.err, sizeof(x->resp.err), "URL too long");
		return PC_E_TOOBIG;
	}
	http_headers_free(x->hdrs);
	if ((x->hdrs = http_headers(x, req)) == NULL)
		return PC_E_NOMEM;
	/* A token request authenticates as the client (auth.c set it). */
	if ((e = http_set_method(x->easy, req)) != 0 ||
	    (x->kind != HX_TOKEN && (e = auth_request(x->c, x->easy)) != 0))
		return e;
	if (curl_easy_setopt(x->easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs) != CURLE_OK)
		return PC_E_HTTP;
	return 0;
}

int
http_start(struct http_xfer *x, const struct http_req *req)
{
	int	e;

	if ((e = http_prepare(x, req)) != 0)
		return e;
	if (curl_multi_add_handle(http_multi, x->easy) != CURLM_OK) {
		(void)snprintf(x->resp.err, sizeof(x->resp.err), "cannot start "
		    "the transfer");
		return PC_E_HTTP;
	}
	return 0;
}

int
http_wait(struct pollfd *fds, unsigned nfds, long timeout_ms)
{
	struct curl_waitfd	w[RUN_MAX_APPS * 2 + 4];
	unsigned		i;
	int			running, got;

	if (nfds > sizeof(w) / sizeof(w[0]))
		return PC_E_TOOBIG;
	for (i = 0; i < nfds; i++) {
		w[i].fd = fds[i].fd;
		w[i].events = (short)((fds[i].events & POLLIN ? CURL_WAIT_POLLIN :
		    0) | (fds[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
		w[i].revents = 0;
	}
	if (curl_multi_poll(http_multi, w, nfds, (int)timeout_ms, &got) !=
	    CURLM_OK || curl_multi_perform(http_multi, &running) != CURLM_OK)
		return PC_E_SYS;
	for (i = 0; i < nfds; i++)
		fds[i].revents = (short)((w[i].revents & CURL_WAIT_POLLIN ?
		    POLLIN : 0) | (w[i].revents & CURL_WAIT_POLLOUT ? POLLOUT :
		    0) | (w[i].revents & CURL_WAIT_POLLPRI ? POLLPRI : 0));
	return 0;
}

long
http_timeout_ms(void)
{
	long	ms = -1;

	(void)curl_multi_timeout(http_multi, &ms);
	return ms;
}

/* libcurl's own sentence, more precise than its code's. */
static const char *
http_curl_why(const struct http_xfer *x, CURLcode cc)
{
	return x->curlerr[0] != '\0' ? x->curlerr : curl_easy_strerror(cc);
}

/* The cause of a failed transfer, for the fields and the code. */
static int
http_fail_cause(struct http_xfer *x, CURLcode cc)
{
	struct fail_msg	*f = &x->resp.fail;
	long		 oserr = 0;

	(void)snprintf(f->addr, sizeof(f->addr), "%s", x->resp.peer[0] ?
	    x->resp.peer : x->tried);
	(void)snprintf(f->detail, sizeof(f->detail), "%s", http_curl_why(x,
	    cc));
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		f->cause = FAIL_CONNECT;
		/* "Connection refused" beats "Couldn't connect to server". */
		if (curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr) ==
		    CURLE_OK && oserr != 0)
			(void)snprintf(f->detail, sizeof(f->detail), "%s",
			    strerror((int)oserr));
		return PC_E_HTTP;
	case CURLE_COULDNT_RESOLVE_HOST:
		f->cause = FAIL_DNS;
		return PC_E_HTTP;
	case CURLE_OPERATION_TIMEDOUT:
		f->cause = FAIL_TIMEOUT;
		return PC_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		f->cause = FAIL_TLS;
		return PC_E_TLS;
	default:
		f->cause = FAIL_NONE;
		return PC_E_HTTP;
	}
}

/* What a finished transfer means; its refusals count only if it failed. */
static int
http_result(struct http_xfer *x, CURLcode cc)
{
	struct http_resp	*r = &x->resp;
	char			*ip = NULL;

	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL)
		(void)snprintf(r->peer, sizeof(r->peer), "%s", ip);
	if (x->toobig) {
		(void)snprintf(r->err, sizeof(r->err), "response over %d "
		    "bytes", MSG_RESP_MAX);
		return PC_E_TOOBIG;
	}
	if (cc == CURLE_OK) {
		(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
		    &r->status);
		if (x->refused[0] != '\0')
			log_info("%s: skipped refused address %s, sent to %s",
			    x->a->name, x->refused, r->peer);
		return 0;
	}
	if (x->refused[0] != '\0' && (cc == CURLE_COULDNT_CONNECT ||
	    cc == CURLE_COULDNT_RESOLVE_HOST)) {
		(void)snprintf(r->err, sizeof(r->err), "address %.200s is not in "
		    "the IP allowlist %.200s", x->refused,
		    x->a->conf->allow->src);
		r->fail.cause = FAIL_ALLOW;
		(void)snprintf(r->fail.addr, sizeof(r->fail.addr), "%s",
		    x->refused);
		return PC_E_POLICY;
	}
	(void)snprintf(r->err, sizeof(r->err), "%s", http_curl_why(x, cc));
	return http_fail_cause(x, cc);
}

struct http_xfer *
http_next_done(int *result)
{
	struct http_xfer	*x = NULL;
	CURLMsg			*m;
	int			 left;

	while ((m = curl_multi_info_read(http_multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x) != CURLE_OK || x == NULL)
			fatalx("http: a finished transfer of nobody");
		*result = http_result(x, m->data.result);
		(void)curl_multi_remove_handle(http_multi, x->easy);
		return x;
	}
	return NULL;
}

void
http_abort(struct http_xfer *x)
{
	(void)curl_multi_remove_handle(http_multi, x->easy);
}

int
http_perform_sync(struct broker_app *a, struct broker_cred *c,
    const struct http_req *req, struct http_resp *r)
{
	struct http_xfer	*x;
	int			 e;

	if ((x = http_xfer_get(a, c)) == NULL)
		return PC_E_NOMEM;
	if ((e = http_prepare(x, req)) == 0)
		e = http_result(x, curl_easy_perform(x->easy));
	r->status = x->resp.status;
	memcpy(r->err, x->resp.err, sizeof(r->err));
	r->fail = x->resp.fail;
	memcpy(r->peer, x->resp.peer, sizeof(r->peer));
	buf_reset(&r->body);
	if (e == 0 && buf_add(&r->body, x->resp.body.p, x->resp.body.len) != 0)
		e = PC_E_TOOBIG;
	http_xfer_put(x);
	return e;
}
