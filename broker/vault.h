/*
 * Where generated credentials go: sealed to the operator's public key
 * in a spool directory (one JWE file per secret, the default), or into
 * HashiCorp Vault / OpenBao KV v2 through the broker's own HTTPS path
 * (IP allowlist and egress rules of the pseudo-app "vault"). A KV
 * failure after the account exists falls back to the spool; the run
 * then fails loudly with the account named, and the value is never
 * printed.
 */
#ifndef PC_VAULT_H
#define PC_VAULT_H

#include <limits.h>

#include "jose.h"

#define VAULT_SPOOL	1
#define VAULT_KV	2

/* VAULT_SEALED status values. */
#define VAULT_OK	0	/* stored where configured */
#define VAULT_FALLBACK	1	/* KV failed, sealed to the spool instead */
#define VAULT_LOST	2	/* nothing could store it */

#define VAULT_DEFAULT_SPOOL	"/var/lib/portcullis/secrets"

struct broker;
struct broker_app;

struct vault {
	int			 kind;
	char			 spool[PATH_MAX];
	int			 spool_fd;	/* opened before the drop */
	struct jose_key		 key;		/* operator's, public only */
	int			 have_key;
	struct broker_app	*kv;		/* VAULT_KV: transport */
	char			 kv_mount[256];
	char			 kv_prefix[512];
};

/*
 * Parse "spool:DIR" or "vault:https://host[:port]/MOUNT[/PREFIX]" (NULL:
 * the default spool); the KV transport is set up by the agent. why
 * gets one line.
 */
int	vault_parse(struct vault *v, const char *spec, char *why, size_t whysz)
	    PC_WUR;
/* Read and check the operator's public JWK file. */
int	vault_load_key(struct vault *v, const char *path, char *why,
	    size_t whysz) PC_WUR;
/* Broker, before the drop: open the spool directory. */
void	vault_open(struct vault *v);
/* 0 when a secret made now could be stored, else why says what lacks. */
int	vault_ready(const struct vault *v, char *why, size_t whysz) PC_WUR;
/*
 * Store the current secret (secret.h) for app/login; tell the agent
 * (VAULT_SEALED and an audit line). Returns the VAULT_* status.
 */
int	vault_deliver(struct broker *b, struct broker_app *a,
	    const char *login, const char *reqid, const char *url);

#endif /* PC_VAULT_H */
