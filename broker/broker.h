/*
 * The broker: the only process that holds credentials and the only one
 * that reaches the network. It serves HTTP_REQ from fetchers through
 * policy (egress rules, IP allowlist, provisioning switches), injects
 * auth, and relays bounded answers.
 */
#ifndef PC_BROKER_H
#define PC_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "runconf.h"
#include "vault.h"

/*
 * Everything the broker knows about one app at run time: its run
 * configuration (runconf.h) and what only the broker holds.
 */
struct broker_app {
	const struct app_conf	*conf;
	const char		*name;
	const struct cred_conf	*cred;		/* the credential in use */
	const char		*base_url, *origin, *host, *base_path;
	enum auth_kind		 auth;
	const char		*user;		/* basic user, digest key id */
	const char		*secret_opt;
	const char		*secret;	/* in locked memory */
	const char		*token_path;	/* OAuth2 token endpoint */
	char			*token;		/* OAuth2 access token, locked */
	long long		 token_exp;	/* monotonic seconds */
	const char		*auth_header;	/* AUTH_HEADER: its name */
	const char		*ca_file;
	char			*ca_pem;	/* read before privileges drop */
	size_t			 ca_len;
	const char *const	*resolve;
	size_t			 nresolve;
	const char		*proxy;
	long			 connect_timeout, timeout;
	const struct cidr_list	*allow;
	const struct egress_rules *egress;
	int			 provisioning, read_only;
	unsigned		 writes, max_writes;
	const char		*domains;	/* approved e-mail domains */
	const char		*secret_policy;	/* charset of generated ones */
	unsigned		 secret_len;	/* at least this long */
	int			 fd;		/* broker end, fetcher channel */
	struct chan		 ch;
	int			 live;
	void			*http;		/* http.c state (CURL handle) */
};

/* One write request as the audit log sees it. */
struct broker_write {
	const char	*method, *path, *op, *target;
	const uint8_t	*body;
	size_t		 len;
};

struct broker {
	struct run_conf		*rc;
	struct broker_app	 apps[RUN_MAX_APPS];
	size_t			 napps;
	struct chan		 agent;
	int			 dry_run;
	uint64_t		 reqno;
	char			 runid[9];	/* random, in request ids */
	struct vault		 vault;
};

/* One audit record to the agent (body only for dry runs). */
void	broker_audit(struct broker *b, struct broker_app *a,
	    const struct broker_write *w, long status, const char *reqid,
	    const char *result, int with_body);

#endif /* PC_BROKER_H */
