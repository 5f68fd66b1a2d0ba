/*
 * Runs in: agent. Input: the vault settings and the operator's public key
 * file (trusted, checked: one line names what is wrong).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runconf.h"

static int
vaultconf_fail(char *why, size_t whysz, const char *fmt, ...) PC_PRINTF(3, 4);

static int
vaultconf_fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return PC_E_CONFIG;
}

/* Mount and prefix: KV path characters only, no empty or dot segment. */
static int
vaultconf_path_ok(const char *p)
{
	const char	*s;

	for (s = p; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_./", *s) != NULL))
			return 0;
	return strstr(p, "//") == NULL && strstr(p, "/./") == NULL &&
	    strstr(p, "..") == NULL && p[0] != '.' && p[0] != '/';
}

static int
vaultconf_parse_kv(struct vault_conf *v, const char *url, char *why, size_t whysz)
{
	const char	*host, *path, *slash;
	size_t		 n;

	if (strncmp(url, "https://", 8) != 0)
		return vaultconf_fail(why, whysz, "vault: \"%.200s\": only "
		    "https:// is allowed", url);
	host = url + 8;
	if ((path = strchr(host, '/')) == NULL || path[1] == '\0')
		return vaultconf_fail(why, whysz, "vault: \"%.200s\" names no KV "
		    "mount (vault:https://HOST[:PORT]/MOUNT[/PREFIX])", url);
	path++;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	slash = memchr(path, '/', n);
	if (snprintf(v->kv_mount, sizeof(v->kv_mount), "%.*s", slash != NULL ?
	    (int)(slash - path) : (int)n, path) >= (int)sizeof(v->kv_mount) ||
	    snprintf(v->kv_prefix, sizeof(v->kv_prefix), "%.*s",
	    slash != NULL ? (int)(n - (size_t)(slash - path) - 1) : 0,
	    slash != NULL ? slash + 1 : "") >= (int)sizeof(v->kv_prefix) ||
	    !vaultconf_path_ok(v->kv_mount) ||
	    (v->kv_prefix[0] != '\0' && !vaultconf_path_ok(v->kv_prefix)))
		return vaultconf_fail(why, whysz, "vault: mount and prefix of "
		    "\"%.200s\" must be A-Z a-z 0-9 - _ . / segments", url);
	v->kind = VAULT_KV;
	return 0;
}

int
vaultconf_parse(struct vault_conf *v, const char *spec, char *why, size_t whysz)
{
	memset(v, 0, sizeof(*v));
	(void)snprintf(v->spool, sizeof(v->spool), "%s", VAULT_DEFAULT_SPOOL);
	v->kind = VAULT_SPOOL;
	if (spec == NULL || spec[0] == '\0')
		return 0;
	if (strncmp(spec, "spool:", 6) == 0) {
		if (spec[6] != '/' || snprintf(v->spool, sizeof(v->spool),
		    "%s", spec + 6) >= (int)sizeof(v->spool))
			return vaultconf_fail(why, whysz, "vault: spool directory "
			    "must be an absolute path");
		return 0;
	}
	if (strncmp(spec, "vault:", 6) == 0)
		return vaultconf_parse_kv(v, spec + 6, why, whysz);
	return vaultconf_fail(why, whysz, "vault: \"%.200s\" is neither "
	    "spool:DIR nor vault:URL", spec);
}

int
vaultconf_load_key(struct vault_conf *v, const char *path, char *why, size_t whysz)
{
	char	buf[JOSE_JWK_MAX + 1], sub[256];
	ssize_t	n;
	int	fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return vaultconf_fail(why, whysz, "vault-key %s: %s", path,
		    strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > JOSE_JWK_MAX)
		return vaultconf_fail(why, whysz, "vault-key %s: unreadable or "
		    "over %d bytes", path, JOSE_JWK_MAX);
	e = jose_jwk_parse(buf, (size_t)n, &v->key, sub, sizeof(sub));
	explicit_bzero(buf, sizeof(buf));
	if (e != 0)
		return vaultconf_fail(why, whysz, "vault-key %s: %s", path, sub);
	if (v->key.has_priv) {
		jose_key_wipe(&v->key);
		return vaultconf_fail(why, whysz, "vault-key %s holds a private key "
		    "(\"d\"): give portcullis only the public key (`portcullis "
		    "vault keygen` writes it as NAME.pub.jwk)", path);
	}
	v->have_key = 1;
	return 0;
}

