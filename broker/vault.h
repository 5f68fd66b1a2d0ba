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
	/* The secret being sealed now (one at a time). */
	char			 name[256];	/* spool file name */
	char			 where[1024];	/* where its pending record is */
	char			 created[32];
	char			 url[2048];
};

/* Broker, before the drop: open the spool directory. */
void	vault_open(struct vault *v);
/* 0 when a secret made now could be stored, else why says what lacks. */
int	vault_ready(const struct vault *v, char *why, size_t whysz) PC_WUR;
/*
 * Write-ahead: store the current secret (secret.h) for app/login, state
 * "pending", durably, before the create request that uses it leaves.
 * 0, or an error with why saying what failed (then nothing is sent).
 */
int	vault_pending(struct broker *b, struct broker_app *a,
	    const char *login, const char *reqid, const char *url, char *why,
	    size_t whysz) PC_WUR;
/*
 * After the answer: the record's state becomes created, failed (it never
 * took effect) or unknown (sent, outcome not known); the agent is told
 * (VAULT_SEALED) and the audit log gets a line.
 */
void	vault_final(struct broker *b, struct broker_app *a, const char *login,
	    const char *reqid, const char *state, long status);

#endif /* PC_VAULT_H */
