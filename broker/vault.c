/*
 * Runs in: broker (delivery), agent (parsing the config). Input: the
 * operator's configuration and key (trusted, checked), the login a
 * fetcher named (untrusted: it only ever becomes an escaped JSON value,
 * a percent-encoded path segment or a sanitized file name).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "egress.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "pcj.h"
#include "secret.h"
#include "vault.h"

static int
vault_fail(char *why, size_t whysz, const char *fmt, ...) PC_PRINTF(3, 4);
static void
vault_say(char *dst, size_t dstsz, const char *fmt, ...) PC_PRINTF(3, 4);

/* Messages may be cut short; paths never are (those are checked). */
static void
vault_say(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
}

static int
vault_fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return PC_E_CONFIG;
}

void
vault_open(struct vault *v)
{
	v->spool_fd = open(v->conf->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
vault_ready(const struct vault *v, char *why, size_t whysz)
{
	if (!v->conf->have_key)
		return vault_fail(why, whysz, "no vault-key is configured: a "
		    "generated secret could not be sealed");
	if (v->spool_fd == -1)
		return vault_fail(why, whysz, "the vault spool %s cannot be "
		    "opened", v->conf->spool);
	if (v->conf->kind == VAULT_KV && (v->kv == NULL || v->kv->secret == NULL))
		return vault_fail(why, whysz, "no Vault token is loaded");
	return 0;
}

static void
vault_name_part(char *dst, size_t dstsz, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < dstsz && i < 96; i++)
		dst[i] = (char)((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || strchr("@._-", s[i]) != NULL ? s[i] : '_');
	dst[i] = '\0';
	if (dst[0] == '.')
		dst[0] = '_';
}

static int
vault_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Temp file, fsync, rename, fsync the directory: whole or absent. */
static int
vault_spool_write(const struct vault *v, const char *name,
    const struct buf *jwe, char *why, size_t whysz)
{
	char	tmp[320];
	int	fd, ok;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return vault_fail(why, whysz, "spool file name too long");
	if ((fd = openat(v->spool_fd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		vault_say(why, whysz, "%s/%s: %s", v->conf->spool, tmp,
		    strerror(errno));
		return PC_E_SYS;
	}
	ok = vault_write_all(fd, jwe->p, jwe->len) == 0 &&
	    vault_write_all(fd, (const uint8_t *)"\n", 1) == 0 &&
	    fsync(fd) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (ok && renameat(v->spool_fd, tmp, v->spool_fd, name) == 0) {
		(void)fsync(v->spool_fd);
		return 0;
	}
	vault_say(why, whysz, "%s/%s: %s", v->conf->spool, name,
	    strerror(errno));
	(void)unlinkat(v->spool_fd, tmp, 0);
	return PC_E_SYS;
}

static int
vault_spool(const struct vault *v, const char *const kv[][2], size_t n,
    const char *app, const char *login, const char *stamp, const char *reqid,
    char *where, size_t wheresz)
{
	const uint8_t	*pt;
	struct buf	 jwe;
	char		 name[256], lp[100];
	size_t		 ptl;
	int		 e;

	if ((e = vault_ready(v, where, wheresz)) != 0)
		return e;
	if ((e = secret_record(kv, n, 0, &pt, &ptl)) != 0) {
		vault_say(where, wheresz, "record: %s", err_str(e));
		return e;
	}
	buf_init(&jwe, JOSE_JWE_MAX, 0);
	e = jose_seal(&v->conf->key, secret_rng(), pt, ptl, &jwe);
	vault_name_part(lp, sizeof(lp), login);
	(void)snprintf(name, sizeof(name), "%s-%s-%s-%s.jwe", app, lp, stamp,
	    reqid);
	if (e != 0)
		vault_say(where, wheresz, "sealing failed: %s", err_str(e));
	else if ((e = vault_spool_write(v, name, &jwe, where, wheresz)) == 0)
		vault_say(where, wheresz, "%s/%s", v->conf->spool, name);
	buf_clear(&jwe);
	return e;
}

/* The version Vault gave the new secret, or 0. */
static long long
vault_kv_version(const struct buf *body)
{
	struct pcj_doc	d;
	int64_t		ver = 0;

	if (pcj_parse(&d, (const char *)body->p, body->len, NULL) == 0)
		(void)!pcj_int64(&d, pcj_get(&d, pcj_get(&d, pcj_root(&d),
		    "data"), "version"), &ver);
	pcj_free(&d);
	return ver;
}

static int
vault_kv_put(const struct vault *v, const char *const kv[][2], size_t n,
    const char *app, const char *login, char *where, size_t wheresz)
{
	struct broker_app	*ka = v->kv;
	struct http_resp	 r;
	struct http_req		 req;
	char			 path[1200], seg[400];
	int			 e;

	if (jw_path_seg(seg, sizeof(seg), login) != 0)
		return vault_fail(where, wheresz, "login too long for a path");
	if (snprintf(path, sizeof(path), "%s/v1/%s/data/%s%s%s/%s",
	    ka->base_path, v->conf->kv_mount, v->conf->kv_prefix,
	    v->conf->kv_prefix[0] ? "/" : "", app, seg) >= (int)sizeof(path))
		return vault_fail(where, wheresz, "Vault path too long");
	if (egress_check(ka->egress, "POST", ka->host, path) != 0)
		return vault_fail(where, wheresz, "egress rules of \"vault\" "
		    "refuse POST %s", path);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.accept = req.ctype = "application/json";
	if ((e = secret_record(kv, n, 1, &req.body, &req.len)) != 0)
		return vault_fail(where, wheresz, "record: %s", err_str(e));
	http_resp_init(&r);
	e = http_perform(ka, &req, &r);
	if (e != 0)
		vault_say(where, wheresz, "Vault %s: %s", ka->host, r.err);
	else if (r.status < 200 || r.status > 299) {
		vault_say(where, wheresz, "Vault answered HTTP %ld",
		    r.status);
		e = PC_E_REMOTE;
	} else
		vault_say(where, wheresz, "vault:%s/%s%s%s/%s version %lld",
		    v->conf->kv_mount, v->conf->kv_prefix, v->conf->kv_prefix[0] ? "/" : "", app,
		    seg, vault_kv_version(&r.body));
	if (r.body.p != NULL)
		explicit_bzero(r.body.p, r.body.len);
	http_resp_clear(&r);
	return e;
}

static void
vault_tell(struct broker *b, struct broker_app *a, const char *login,
    const char *reqid, const char *where, int status)
{
	struct broker_write	w = { "SEAL", where, "seal", login, NULL, 0 };
	struct buf		m;

	buf_init(&m, MSG_TEXT_MAX + 64, 0);
	if (tlv_add_str(&m, TAG_VAULT_SEALED_APP, a->name) != 0 ||
	    tlv_add_str(&m, TAG_VAULT_SEALED_LOGIN, login) != 0 ||
	    tlv_add_str(&m, TAG_VAULT_SEALED_WHERE, where) != 0 ||
	    tlv_add_u32(&m, TAG_VAULT_SEALED_STATUS, (uint32_t)status) != 0 ||
	    chan_send_buf(&b->agent, MSG_VAULT_SEALED, 0, &m) != 0)
		log_warnx("%s: cannot tell the agent where the secret of \"%s\" "
		    "went", a->name, login);
	buf_clear(&m);
	broker_audit(b, a, &w, 0, reqid, status == VAULT_OK ? "sealed" :
	    status == VAULT_FALLBACK ? "vault failed, sealed to the spool" :
	    "LOST: the secret could not be stored", 0);
}

int
vault_deliver(struct broker *b, struct broker_app *a, const char *login,
    const char *reqid, const char *url)
{
	struct vault	*v = &b->vault;
	char		 stamp[32], iso[32], where[1024], kvwhy[512];
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 st = VAULT_OK;

	(void)gmtime_r(&now, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	(void)strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		const char *const kv[][2] = {
			{ "app", a->name }, { "login", login },
			{ "secret", NULL }, { "created_at", iso },
			{ "request_id", reqid }, { "url", url },
		};
		size_t n = sizeof(kv) / sizeof(kv[0]);

		if (v->conf->kind == VAULT_KV && vault_kv_put(v, kv, n, a->name,
		    login, kvwhy, sizeof(kvwhy)) == 0)
			vault_say(where, sizeof(where), "%s", kvwhy);
		else if (vault_spool(v, kv, n, a->name, login, stamp, reqid,
		    where, sizeof(where)) == 0) {
			if (v->conf->kind == VAULT_KV) {
				st = VAULT_FALLBACK;
				log_warnx("%s: storing the secret of \"%s\" in "
				    "Vault failed (%s); sealed to %s", a->name,
				    login, kvwhy, where);
			}
		} else
			st = VAULT_LOST;
	}
	if (st == VAULT_LOST)
		log_warnx("%s: account \"%s\" was created but its secret could "
		    "not be stored: %s", a->name, login, where);
	vault_tell(b, a, login, reqid, where, st);
	return st;
}
