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
	why[0] = '\0';
	if (v->conf->kind == VAULT_KV)
		return v->kv == NULL || v->kv->creds[0].secret == NULL ?
		    vault_fail(why, whysz, "no Vault token is loaded") : 0;
	if (!v->conf->have_key)
		return vault_fail(why, whysz, "no vault-key is configured: a "
		    "generated secret could not be sealed");
	if (v->spool_fd == -1)
		return vault_fail(why, whysz, "the vault spool %s cannot be "
		    "opened", v->conf->spool);
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
vault_spool_write(struct vault *v, const char *name,
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

/* The record of the current secret, in state state (secret_record). */
struct vault_rec {
	const char	*app, *login, *reqid, *url, *state;
	char		 created[32], status[16];
};

static int
vault_spool(struct vault *v, const struct vault_rec *r, char *where,
    size_t wheresz)
{
	const char *const kv[][2] = {
		{ "app", r->app }, { "login", r->login }, { "secret", NULL },
		{ "state", r->state }, { "status", r->status },
		{ "created_at", r->created }, { "request_id", r->reqid },
		{ "url", r->url },
	};
	const uint8_t	*pt;
	struct buf	 jwe;
	size_t		 ptl;
	int		 e;

	if ((e = secret_record(kv, sizeof(kv) / sizeof(kv[0]), 0, &pt,
	    &ptl)) != 0) {
		vault_say(where, wheresz, "record: %s", err_str(e));
		return e;
	}
	buf_init(&jwe, JOSE_JWE_MAX, 0);
	if ((e = jose_seal(&v->conf->key, secret_rng(), pt, ptl, &jwe)) != 0)
		vault_say(where, wheresz, "sealing failed: %s", err_str(e));
	else if ((e = vault_spool_write(v, v->name, &jwe, where,
	    wheresz)) == 0)
		vault_say(where, wheresz, "%s/%s", v->conf->spool, v->name);
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
vault_kv_path(const struct vault *v, const char *app, const char *login,
    char *path, size_t pathsz, char *where, size_t wheresz)
{
	struct broker_app	*ka = v->kv;
	const struct egress_rule *near;
	struct egress_req	 q;
	char			 seg[400];

	if (jw_path_seg(seg, sizeof(seg), login) != 0)
		return vault_fail(where, wheresz, "login too long for a path");
	if (snprintf(path, pathsz, "%s/v1/%s/data/%s%s%s/%s",
	    ka->conf->creds[0].base_path, v->conf->kv_mount, v->conf->kv_prefix,
	    v->conf->kv_prefix[0] ? "/" : "", app, seg) >= (int)pathsz)
		return vault_fail(where, wheresz, "Vault path too long");
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.host = ka->conf->creds[0].host;
	q.cred = ka->creds[0].name;
	q.host_token = "$base";
	q.primary = 1;
	q.path = path;
	if (egress_check(ka->conf->egress, &q, &near) != 0)
		return vault_fail(where, wheresz, "egress rules of \"vault\" "
		    "refuse POST %s", path);
	return 0;
}

static int
vault_kv_put(struct vault *v, const struct vault_rec *r, char *where,
    size_t wheresz)
{
	const char *const kv[][2] = {
		{ "app", r->app }, { "login", r->login }, { "secret", NULL },
		{ "state", r->state }, { "status", r->status },
		{ "created_at", r->created }, { "request_id", r->reqid },
		{ "url", r->url },
	};
	struct broker_app	*ka = v->kv;
	struct http_resp	 resp;
	struct http_req		 req;
	char			 path[1200];
	int			 e;

	if ((e = vault_kv_path(v, r->app, r->login, path, sizeof(path), where,
	    wheresz)) != 0)
		return e;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.accept = req.ctype = "application/json";
	if ((e = secret_record(kv, sizeof(kv) / sizeof(kv[0]), 1, &req.body,
	    &req.len)) != 0)
		return vault_fail(where, wheresz, "record: %s", err_str(e));
	http_resp_init(&resp);
	e = http_perform_sync(ka, &ka->creds[0], &req, &resp);
	if (e != 0)
		vault_say(where, wheresz, "Vault %s: %s",
		    ka->conf->creds[0].host, resp.err);
	else if (resp.status < 200 || resp.status > 299) {
		vault_say(where, wheresz, "Vault answered HTTP %ld%s",
		    resp.status, resp.status == 403 ? " (is the token allowed "
		    "to write there?)" : "");
		e = PC_E_REMOTE;
	} else
		vault_say(where, wheresz, "vault:%s%s version %lld",
		    v->conf->kv_mount, path + strlen(ka->conf->creds[0].
		    base_path) + 4 + strlen(v->conf->kv_mount) + 5,
		    vault_kv_version(&resp.body));
	if (resp.body.p != NULL)
		explicit_bzero(resp.body.p, resp.body.len);
	http_resp_clear(&resp);
	return e;
}

/* Where the record goes: Vault, or the sealed spool. */
static int
vault_store(struct vault *v, const struct vault_rec *r, char *where,
    size_t wheresz)
{
	if (v->conf->kind == VAULT_KV)
		return vault_kv_put(v, r, where, wheresz);
	return vault_spool(v, r, where, wheresz);
}

static void
vault_tell(struct broker *b, struct broker_app *a, const struct vault_rec *r,
    const char *where, int status)
{
	static struct sealed_msg s;
	struct broker_write	 w = { "SEAL", where, "seal", r->login, "",
				    NULL, 0 };
	char			 result[96];
	struct buf		 m;

	memset(&s, 0, sizeof(s));
	(void)!buf_scopy(s.app, sizeof(s.app), a->name);
	(void)!buf_scopy(s.login, sizeof(s.login), r->login);
	(void)!buf_scopy(s.where, sizeof(s.where), where);
	(void)!buf_scopy(s.state, sizeof(s.state), r->state);
	s.status = (uint32_t)status;
	buf_init(&m, MSG_TEXT_MAX + 64, 0);
	if (msg_sealed_encode(&s, &m) != 0 ||
	    chan_send_buf(&b->agent, MSG_VAULT_SEALED, 0, &m) != 0)
		log_warnx("%s: cannot tell the agent where the secret of \"%s\" "
		    "went", a->name, r->login);
	buf_clear(&m);
	(void)snprintf(result, sizeof(result), status == VAULT_OK ?
	    "sealed: %s" : "seal not updated: %s", r->state);
	broker_audit(b, a, &w, 0, r->reqid, result, 0);
}

static void
vault_rec_init(struct vault *v, struct vault_rec *r, const char *app,
    const char *login, const char *reqid, const char *state, long status)
{
	memset(r, 0, sizeof(*r));
	r->app = app;
	r->login = login;
	r->reqid = reqid;
	r->url = v->url;
	r->state = state;
	(void)snprintf(r->created, sizeof(r->created), "%s", v->created);
	(void)snprintf(r->status, sizeof(r->status), "%ld", status);
}

int
vault_pending(struct broker *b, struct broker_app *a, const char *login,
    const char *reqid, const char *url, char *why, size_t whysz)
{
	struct vault		*v = &b->vault;
	struct vault_rec	 r;
	char			 lp[100], stamp[32];
	time_t			 now = time(NULL);
	struct tm		 tm;

	(void)gmtime_r(&now, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	(void)strftime(v->created, sizeof(v->created), "%Y-%m-%dT%H:%M:%SZ",
	    &tm);
	(void)snprintf(v->url, sizeof(v->url), "%s", url);
	vault_name_part(lp, sizeof(lp), login);
	if (snprintf(v->name, sizeof(v->name), "%s-%s-%s-%s.jwe", a->name, lp,
	    stamp, reqid) >= (int)sizeof(v->name))
		return vault_fail(why, whysz, "spool file name too long");
	vault_rec_init(v, &r, a->name, login, reqid, "pending", 0);
	/* Stored (durably) before the request that uses it goes out. */
	if (vault_store(v, &r, v->where, sizeof(v->where)) != 0)
		return vault_fail(why, whysz, "the secret could not be stored "
		    "first: %s", v->where);
	return 0;
}

void
vault_final(struct broker *b, struct broker_app *a, const char *login,
    const char *reqid, const char *state, long status)
{
	struct vault		*v = &b->vault;
	struct vault_rec	 r;
	char			 where[1024];
	int			 st = VAULT_OK;

	vault_rec_init(v, &r, a->name, login, reqid, state, status);
	if (vault_store(v, &r, where, sizeof(where)) != 0) {
		/* The pending record still holds the secret: not lost. */
		log_warnx("%s: the state of the secret of \"%s\" could not be "
		    "set to %s (%s); it is stored, marked pending, in %s",
		    a->name, login, state, where, v->where);
		st = VAULT_FALLBACK;
		(void)snprintf(where, sizeof(where), "%s", v->where);
	}
	vault_tell(b, a, &r, where, st);
}
