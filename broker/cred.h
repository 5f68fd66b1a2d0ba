/*
 * Credentials: loaded once at start from the environment, files named in
 * the config or systemd's $CREDENTIALS_DIRECTORY, kept in one locked,
 * non-dumpable arena, wiped at exit. No function prints them.
 */
#ifndef PC_CRED_H
#define PC_CRED_H

#include "err.h"

struct config;

/* Map and lock the arena. Fatal when it cannot be mapped. */
void	cred_init(void);
/*
 * Find secret option name for app: BATON_NAME (then wiped from the
 * environment), NAME-file from the config, $CREDENTIALS_DIRECTORY/
 * app.NAME or /NAME. *out points into the arena. PC_E_NOTFOUND with a
 * message logged naming where we looked; other errors are logged too.
 */
int	cred_load(const struct config *cfg, const char *app, const char *name,
	    const char **out) PC_WUR;
/* size zeroed bytes of the arena for a secret made at run time
 * (OAuth tokens); NULL when full. */
char	*cred_alloc(size_t size);
/* Wipe and unmap the arena. */
void	cred_clear(void);

#endif /* PC_CRED_H */
