/*
 * HTTPS for the broker, over libcurl: one persistent handle per app
 * (connection and Digest state are reused), HTTPS only, certificates
 * verified, no redirects, no proxy unless configured, every address
 * checked against the app's IP allowlist when the socket is opened.
 */
#ifndef PC_HTTP_H
#define PC_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct broker_app;

struct http_req {
	const char	*method;
	const char	*path;		/* base path + fetcher's path */
	const char	*accept;
	const char	*ctype;
	const uint8_t	*body;
	size_t		 len;
};

struct http_resp {
	long		 status;
	char		 ctype[129];
	char		 link[4097];
	char		 retry[65];
	char		 ratelimit[1025];	/* "Name: value\n" lines */
	char		 location_host[256];	/* of a refused redirect */
	struct buf	 body;			/* capped at MSG_RESP_MAX */
	char		 err[256];		/* why it failed, one line */
};

/* Global libcurl set-up; call once before any other http_ function. */
void	http_global_init(void);
/*
 * Prepare app's handle: options that do not change per request. Needs
 * the CA bundle already read (it is passed as a blob).
 */
int	http_app_init(struct broker_app *a) PC_WUR;
void	http_app_clear(struct broker_app *a);
void	http_resp_init(struct http_resp *r);
void	http_resp_clear(struct http_resp *r);
/*
 * Perform req for app a. 0 with r filled for any HTTP status, or
 * PC_E_POLICY (address refused), PC_E_TLS, PC_E_TOOBIG (response over
 * the cap), PC_E_TIMEOUT, PC_E_HTTP, with r->err saying why.
 */
int	http_perform(struct broker_app *a, const struct http_req *req,
	    struct http_resp *r) PC_WUR;

/*
 * POST form to path with HTTP Basic user:pass, for an OAuth2 token
 * (RFC 6749 section 4.4), on the app's handle and under the same
 * allowlist; the handle's own auth is restored after.
 */
int	http_token(struct broker_app *a, const char *path, const char *user,
	    const char *pass, const char *form, struct http_resp *r) PC_WUR;

#endif /* PC_HTTP_H */
