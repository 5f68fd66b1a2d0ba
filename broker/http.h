/*
 * HTTPS for the broker, over the libcurl multi interface: transfers of
 * every app run concurrently on one thread. Each credential keeps its
 * easy handles for reuse (their connections and Digest state persist).
 * HTTPS only, certificates verified, no redirects, no proxy unless
 * configured, every address checked against the app's IP allowlist when
 * a socket is opened, and that check's outcome kept per attempt.
 */
#ifndef PC_HTTP_H
#define PC_HTTP_H

#include <poll.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "msgs.h"

struct broker_app;
struct broker_cred;

struct http_req {
	const char	*method;
	const char	*path;		/* base path + fetcher's path */
	const char	*accept;	/* checked media types, or NULL */
	const char	*ctype;
	const uint8_t	*body;
	size_t		 len;
	int		 origin;	/* path is from the origin, not base */
};

struct http_resp {
	long		 status;
	char		 ctype[TAGMAX_HTTP_RESP_CTYPE + 1];
	char		 link[TAGMAX_HTTP_RESP_LINK + 1];
	char		 retry[TAGMAX_HTTP_RESP_RETRY + 1];
	char		 ratelimit[TAGMAX_HTTP_RESP_RATELIMIT + 1];
	char		 location_host[256];	/* of a refused redirect */
	char		 peer[64];		/* the address it went to */
	struct buf	 body;			/* capped at MSG_RESP_MAX */
	char		 err[512];		/* why it failed, one line */
	struct fail_msg	 fail;			/* the same, as fields */
};

#define HX_REQ		1	/* a fetcher's request (owner: struct breq) */
#define HX_TOKEN	2	/* an OAuth2 token (owner: the credential) */

struct http_xfer {
	struct http_xfer	*next;		/* idle list of its credential */
	void			*easy;		/* CURL * */
	struct broker_app	*a;
	struct broker_cred	*c;
	int			 kind;
	void			*owner;
	struct curl_slist	*hdrs;
	struct curl_slist	*resolve;
	struct http_resp	 resp;
	char			 refused[256];	/* addresses the allowlist
						 * refused, this attempt */
	int			 toobig;
	char			 curlerr[256];	/* CURLOPT_ERRORBUFFER */
	char			 tried[64];	/* the last address tried */
	int			 busy;
};

/* Global libcurl set-up, the multi handle. Fatal on failure. */
void	http_global_init(void);
void	http_global_clear(void);
void	http_resp_init(struct http_resp *r);
void	http_resp_clear(struct http_resp *r);
/*
 * A handle for credential c of app a: an idle one (keeps its
 * connection) or a new one with every per-app option set. NULL when out
 * of memory or when an option cannot be set.
 */
struct http_xfer *http_xfer_get(struct broker_app *a, struct broker_cred *c);
/* Done with x: wipe its headers, keep it for the next request. */
void	http_xfer_put(struct http_xfer *x);
/* Free every idle handle of c. */
void	http_cred_clear(struct broker_cred *c);
/*
 * Put req on x and start it (x->resp reset). The auth of x's
 * credential is added here. 0, or PC_E_* with x->resp.err set.
 */
int	http_start(struct http_xfer *x, const struct http_req *req) PC_WUR;
/*
 * Let libcurl work and wait up to timeout_ms for its sockets or for one
 * of fds (their revents are filled). 0 or PC_E_SYS.
 */
int	http_wait(struct pollfd *fds, unsigned nfds, long timeout_ms) PC_WUR;
/* How long libcurl wants to sleep at most (ms), -1: no wish. */
long	http_timeout_ms(void);
/*
 * The next finished transfer, or NULL. *result is 0 with x->resp filled
 * for any HTTP status, or PC_E_POLICY (every address refused),
 * PC_E_TLS, PC_E_TOOBIG, PC_E_TIMEOUT, PC_E_HTTP with x->resp.err set.
 */
struct http_xfer *http_next_done(int *result);
/* Stop x if it runs (the broker is closing an app). */
void	http_abort(struct http_xfer *x);
/*
 * One request outside the multi, waiting for it (Vault KV writes: they
 * must finish before an account is created). Same results.
 */
int	http_perform_sync(struct broker_app *a, struct broker_cred *c,
	    const struct http_req *req, struct http_resp *r) PC_WUR;

#endif /* PC_HTTP_H */
