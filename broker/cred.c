/*
 * Runs in: broker (loading), agent (scrubbing its environment). Input:
 * secret values from the operator (trusted, but never echoed).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cred.h"
#include "log.h"

/* 64 KiB holds every key a run needs many times over. */
#define CRED_ARENA	(64 * 1024)
#define CRED_MAX	(16 * 1024)

extern char **environ;

static char	*cred_arena;
static size_t	 cred_used;

void
cred_init(void)
{
	if (cred_arena != NULL)
		return;
	cred_arena = mmap(NULL, CRED_ARENA, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cred_arena == MAP_FAILED)
		fatal("credential arena");
	/* Swap and core files must never hold a key. */
	if (mlock(cred_arena, CRED_ARENA) == -1)
		log_warn("mlock credential arena");
	if (madvise(cred_arena, CRED_ARENA, MADV_DONTDUMP) == -1)
		log_warn("MADV_DONTDUMP");
	cred_used = 0;
}

void
cred_clear(void)
{
	if (cred_arena == NULL)
		return;
	explicit_bzero(cred_arena, CRED_ARENA);
	munmap(cred_arena, CRED_ARENA);
	cred_arena = NULL;
	cred_used = 0;
}

/* Copy len bytes into the arena, trailing newlines dropped. */
static int
cred_keep(const char *p, size_t len, const char **out)
{
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len == 0 || memchr(p, '\0', len) != NULL)
		return PC_E_VALUE;
	if (len + 1 > CRED_ARENA - cred_used)
		return PC_E_TOOBIG;
	memcpy(cred_arena + cred_used, p, len);
	cred_arena[cred_used + len] = '\0';
	*out = cred_arena + cred_used;
	cred_used += len + 1;
	return 0;
}

char *
cred_alloc(size_t size)
{
	char	*p;

	if (cred_arena == NULL || size > CRED_ARENA - cred_used)
		return NULL;
	p = cred_arena + cred_used;
	cred_used += size;
	return p;
}

/* Nothing but line ends: the unit's SetCredential= default. */
static int
cred_blank(const char *p, ssize_t n)
{
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return n == 0;
}

/* blank_ok: a file of nothing but line ends is PC_E_NOTFOUND, not an
 * error (an optional LoadCredential= whose file is missing). */
static int
cred_read_file(const char *path, int blank_ok, const char **out)
{
	struct stat	st;
	char		*tmp;
	ssize_t		n;
	int		fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? PC_E_NOTFOUND : PC_E_SYS;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CRED_MAX) {
		close(fd);
		return PC_E_VALUE;
	}
	/* As OpenSSH with a private key: a secret others can read is one
	 * others may have; refuse it rather than use it. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		log_warnx("%s: readable by group or others (mode %04o): run "
		    "chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		return PC_E_POLICY;
	}
	if ((tmp = malloc(CRED_MAX + 1)) == NULL) {
		close(fd);
		return PC_E_NOMEM;
	}
	n = read(fd, tmp, CRED_MAX + 1);
	close(fd);
	e = n < 0 ? PC_E_SYS : n > CRED_MAX ? PC_E_TOOBIG :
	    blank_ok && cred_blank(tmp, n) ? PC_E_NOTFOUND :
	    cred_keep(tmp, (size_t)n, out);
	explicit_bzero(tmp, CRED_MAX + 1);
	free(tmp);
	return e;
}

static int
cred_from_env(const char *name, const char **out)
{
	char	*v;
	int	 e;

	/* BATON_NAME or its alias; the agent wipes its own copy. */
	if ((v = (char *)(uintptr_t)config_env_value(name, NULL)) == NULL)
		return PC_E_NOTFOUND;
	e = cred_keep(v, strlen(v), out);
	explicit_bzero(v, strlen(v));
	return e;
}

static int
cred_from_dir(const char *app, const char *name, const char **out)
{
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	char		 path[4096];
	int		 e;

	if (dir == NULL || dir[0] != '/')
		return PC_E_NOTFOUND;
	if (snprintf(path, sizeof(path), "%s/%s.%s", dir, app, name) <
	    (int)sizeof(path) &&
	    (e = cred_read_file(path, 1, out)) != PC_E_NOTFOUND)
		return e;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return PC_E_TOOBIG;
	return cred_read_file(path, 1, out);
}

int
cred_load(const struct config *cfg, const char *app, const char *name,
    const char **out)
{
	char		 opt[96], var[128];
	const char	*path;
	int		 e;

	*out = NULL;
	if ((e = cred_from_env(name, out)) != PC_E_NOTFOUND)
		goto done;
	(void)snprintf(opt, sizeof(opt), "%s-file", name);
	if ((path = config_get(cfg, app, opt, NULL)) != NULL) {
		e = cred_read_file(path, 0, out);
		if (e != 0)
			log_warnx("%s: %s: %s", app, path, err_str(e));
		return e;
	}
	if ((e = cred_from_dir(app, name, out)) != PC_E_NOTFOUND)
		goto done;
	config_env_name(name, var, sizeof(var));
	log_warnx("%s: no %s: set %s, %s-file or a credential named "
	    "%s (LoadCredential=)", app, name, var, name, name);
	return PC_E_NOTFOUND;
done:
	if (e != 0)
		log_warnx("%s: %s: %s", app, name, err_str(e));
	return e;
}
