/*
 * Runs in: agent, as the operator's tool. `portcullis vault keygen`
 * makes the key pair secrets are sealed to; `portcullis vault open`
 * decrypts one sealed file. Input: files the operator names; a sealed
 * file may have been altered and is checked before it is believed.
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "jose.h"
#include "log.h"
#include "vaultcmd.h"

#define VAULTCMD_USAGE							\
	"usage: portcullis vault keygen [--out PREFIX]\n"		\
	"       portcullis vault open FILE --key KEY.jwk\n"

/* Read at most max bytes of path into a malloc'd, wiped-later buffer. */
static char *
vaultcmd_read(const char *path, size_t max, size_t *len)
{
	char	*p;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return NULL;
	}
	if ((p = malloc(max + 1)) == NULL)
		fatal("vault");
	n = read(fd, p, max + 1);
	close(fd);
	if (n < 0 || (size_t)n > max) {
		log_warnx("%s: unreadable or over %zu bytes", path, max);
		explicit_bzero(p, max + 1);
		free(p);
		return NULL;
	}
	*len = (size_t)n;
	return p;
}

static int
vaultcmd_write(const char *path, const struct buf *b, mode_t mode)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1) {
		log_warn("%s", path);
		return -1;
	}
	n = write(fd, b->p, b->len);
	if (n != (ssize_t)b->len || fsync(fd) != 0) {
		log_warn("%s", path);
		close(fd);
		(void)unlink(path);
		return -1;
	}
	return close(fd);
}

/* BearSSL's HMAC-DRBG, seeded from the kernel, for one key pair. */
static int
vaultcmd_rng(br_hmac_drbg_context *drbg)
{
	uint8_t	seed[48];
	ssize_t	n;

	while ((n = getrandom(seed, sizeof(seed), 0)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(seed))
		return -1;
	br_hmac_drbg_init(drbg, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	return 0;
}

static int
vaultcmd_keygen(const char *prefix)
{
	br_hmac_drbg_context	drbg;
	struct jose_key	k;
	struct buf	priv, pub;
	char		ppath[4096], upath[4096];
	int		rc = EXIT_FAILED;

	(void)snprintf(ppath, sizeof(ppath), "%s.jwk", prefix);
	(void)snprintf(upath, sizeof(upath), "%s.pub.jwk", prefix);
	if (vaultcmd_rng(&drbg) != 0) {
		log_warnx("vault keygen: no entropy");
		return EXIT_FAILED;
	}
	buf_init(&priv, JOSE_JWK_MAX, 1);
	buf_init(&pub, JOSE_JWK_MAX, 0);
	if (jose_keygen(&drbg.vtable, &k) != 0 ||
	    jose_jwk_write(&k, 1, &priv) != 0 ||
	    jose_jwk_write(&k, 0, &pub) != 0)
		log_warnx("vault keygen: cannot make a key");
	else if (vaultcmd_write(ppath, &priv, 0600) == 0) {
		if (vaultcmd_write(upath, &pub, 0644) == 0) {
			printf("private key: %s (keep it off the agent's host)\n"
			    "public key:  %s (vault-key = %s)\nkid: %s\n",
			    ppath, upath, upath, k.kid);
			rc = EXIT_OK;
		} else
			(void)unlink(ppath);
	}
	jose_key_wipe(&k);
	buf_clear(&priv);
	buf_clear(&pub);
	explicit_bzero(&drbg, sizeof(drbg));
	return rc;
}

static int
vaultcmd_open(const char *file, const char *keyfile)
{
	struct jose_key	 k;
	struct buf	 pt;
	char		*kb, *jb, why[256];
	size_t		 kl, jl;
	int		 rc = EXIT_FAILED;

	if ((kb = vaultcmd_read(keyfile, JOSE_JWK_MAX, &kl)) == NULL)
		return EXIT_FAILED;
	if (jose_jwk_parse(kb, kl, &k, why, sizeof(why)) != 0) {
		log_warnx("%s: %s", keyfile, why);
		explicit_bzero(kb, kl);
		free(kb);
		return EXIT_FAILED;
	}
	explicit_bzero(kb, kl);
	free(kb);
	if ((jb = vaultcmd_read(file, JOSE_JWE_MAX, &jl)) == NULL) {
		jose_key_wipe(&k);
		return EXIT_FAILED;
	}
	buf_init(&pt, JOSE_JWE_MAX, 1);
	if (jose_open(&k, jb, jl, &pt, why, sizeof(why)) != 0)
		log_warnx("%s: %s", file, why);
	else if (fwrite(pt.p, 1, pt.len, stdout) == pt.len &&
	    fputc('\n', stdout) != EOF && fflush(stdout) == 0)
		rc = EXIT_OK;
	buf_clear(&pt);
	jose_key_wipe(&k);
	free(jb);
	return rc;
}

int
vaultcmd_main(int argc, char **argv)
{
	const char	*file = NULL, *key = NULL, *out = "portcullis-vault";
	int		 i;

	if (argc < 1) {
		fputs(VAULTCMD_USAGE, stderr);
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else {
			fprintf(stderr, "portcullis: vault: unexpected \"%.64s\""
			    "\n" VAULTCMD_USAGE, argv[i]);
			return EXIT_USAGE;
		}
	}
	if (strcmp(argv[0], "keygen") == 0 && file == NULL)
		return vaultcmd_keygen(out);
	if (strcmp(argv[0], "open") == 0 && file != NULL && key != NULL)
		return vaultcmd_open(file, key);
	fputs(VAULTCMD_USAGE, stderr);
	return EXIT_USAGE;
}
