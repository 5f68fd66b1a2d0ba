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
#include "vault.h"

struct cidr_list;
struct egress_rules;
struct spawn_id;

enum auth_kind {
	AUTH_NONE = 0,
	AUTH_BEARER,
	AUTH_BASIC,
	AUTH_DIGEST,
	AUTH_OAUTH2,
	AUTH_HEADER		/* secret in a fixed header (Vault's token) */
};

/* Everything the broker knows about one app; filled by the agent. */
struct broker_app {
	const char		*name;
	char			 base_url[1024];   /* scheme://host[:port][/path] */
	char			 origin[1024];	   /* scheme://host[:port] */
	char			 host[256];	   /* lower case, no brackets */
	char			 base_path[1024];  /* "" or "/scim/v2" */
	enum auth_kind		 auth;
	const char		*user_opt;	/* option holding the user id */
	const char		*secret_opt;	/* option holding the secret */
	const char		*user;		/* basic user, digest key id */
	const char		*secret;	/* in locked memory */
	const char		*ca_file;
	char			*ca_pem;	/* read before privileges drop */
	size_t			 ca_len;
	const char		*resolve[16];
	size_t			 nresolve;
	const char		*proxy;
	long			 connect_timeout, timeout;
	const struct cidr_list	*allow;
	const struct egress_rules *egress;
	int			 fd;		/* broker end, fetcher channel */
	struct chan		 ch;
	int			 live;
	unsigned		 writes;
	unsigned		 max_writes;
	int			 provisioning;
	const char		*domains;	/* approved e-mail domains */
	void			*http;		/* http.c state (CURL handle) */
	const char		*token_path;	/* OAuth2 token endpoint */
	char			*token;		/* OAuth2 access token, locked */
	long long		 token_exp;	/* monotonic seconds */
	const char		*auth_header;	/* AUTH_HEADER: its name */
	const char		*secret_policy;	/* charset of generated ones */
	unsigned		 secret_len;	/* at least this long */
};

/* One write request as the audit log sees it. */
struct broker_write {
	const char	*method, *path, *op, *target;
	const uint8_t	*body;
	size_t		 len;
};

struct broker {
	struct broker_app	*apps;
	size_t			 napps;
	int			 agent_fd;
	struct chan		 agent;
	int			 read_only;
	int			 dry_run;
	const struct config	*cfg;
	const struct spawn_id	*id;
	uint64_t		 reqno;
	struct vault		 vault;
};

struct config;

/* One audit record to the agent (body only for dry runs). */
void	broker_audit(struct broker *b, struct broker_app *a,
	    const struct broker_write *w, long status, const char *reqid,
	    const char *result, int with_body);
/* Run the broker in this (forked) process; never returns. */
void	broker_main(struct broker *b) PC_NORETURN;

#endif /* PC_BROKER_H */
