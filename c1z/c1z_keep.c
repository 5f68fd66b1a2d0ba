/*
 * Runs in: agent (service mode). Input: the output path and `keep`
 * from the operator's configuration.
 *
 * `keep = N`: the previous N outputs stay as FILE.1 (newest) .. FILE.N,
 * so `c1z diff FILE.1 FILE` shows what the last run changed. Before a
 * run the current file gets a second name (a hard link, beside it); the
 * run's rename then replaces only the first name. Only when the run
 * published a new file are the old ones shifted up, one rename each,
 * oldest first: at every moment each name holds a whole file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c1z.h"

int
c1z_keep_check(const char *keep)
{
	char	*end;
	long	 n = strtol(keep != NULL ? keep : "0", &end, 10);

	return *end != '\0' || n < 0 || n > C1Z_KEEP_MAX ? PC_E_VALUE : 0;
}

int
c1z_keep_begin(struct c1z_keep *k, const char *path, const char *keep)
{
	struct stat	 st;
	const char	*base;
	char		*end;
	long		 n;

	memset(k, 0, sizeof(*k));
	n = strtol(keep != NULL ? keep : "0", &end, 10);
	if (*end != '\0' || n < 0 || n > C1Z_KEEP_MAX)
		return PC_E_VALUE;
	if (n == 0 || path == NULL || stat(path, &st) != 0)
		return 0;	/* nothing to keep yet */
	/* ".<name>.<pid>.keep": the writer sweeps a dead run's one. */
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if (snprintf(k->path, sizeof(k->path), "%s", path) >=
	    (int)sizeof(k->path) || snprintf(k->snap, sizeof(k->snap),
	    "%.*s.%s.%d.keep", (int)(base - path), path, base,
	    (int)getpid()) >= (int)sizeof(k->snap))
		return PC_E_TOOBIG;
	(void)unlink(k->snap);
	if (link(path, k->snap) != 0)
		return PC_E_SYS;
	k->n = (unsigned)n;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	return 0;
}

int
c1z_keep_end(struct c1z_keep *k)
{
	struct stat	st;
	char		from[4200], to[4200];
	unsigned	i;
	int		e = 0;

	if (k->n == 0)
		return 0;
	/* The same inode: the run published nothing; nothing to rotate. */
	if (stat(k->path, &st) != 0 || (st.st_dev == k->dev &&
	    st.st_ino == k->ino)) {
		(void)unlink(k->snap);
		k->n = 0;
		return 0;
	}
	for (i = k->n; i > 1; i--) {
		(void)snprintf(from, sizeof(from), "%s.%u", k->path, i - 1);
		(void)snprintf(to, sizeof(to), "%s.%u", k->path, i);
		if (rename(from, to) != 0 && errno != ENOENT)
			e = PC_E_SYS;
	}
	(void)snprintf(to, sizeof(to), "%s.1", k->path);
	if (rename(k->snap, to) != 0) {
		e = PC_E_SYS;
		(void)unlink(k->snap);
	}
	k->n = 0;
	return e;
}
