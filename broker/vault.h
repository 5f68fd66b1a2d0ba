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

#include "runconf.h"

struct broker;
struct broker_app;

struct vault {
	const struct vault_conf	*conf;
	int			 spool_fd;	/* opened before the drop */
	struct broker_app	*kv;		/* VAULT_KV: transport */
};

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
