/*
 * Runs in: broker. Input: HTTP_REQ from fetchers (untrusted: every field
 * is checked for meaning here, after the channel checked its shape).
 */
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "broker.h"
#include "config.h"
#include "cred.h"
#include "egress.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "priv.h"
#include "vault.h"

#define BROKER_CA_MAX	(4 * 1024 * 1024)

struct broker_call {
	struct broker		*b;
	struct broker_app	*a;
};

static int	broker_on_http_req(struct chan *, struct msg *, void *);

static const struct msg_route broker_routes[] = {
	/* type			flags	handler */
	{ MSG_HTTP_REQ,		0,	broker_on_http_req },
};

static const char *const broker_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
};

static int
broker_method_ok(const char *m)
{
	size_t	i;

	for (i = 0; i < sizeof(broker_methods) / sizeof(broker_methods[0]); i++)
		if (strcmp(m, broker_methods[i]) == 0)
			return 1;
	return 0;
}

static int
broker_is_write(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

/* One audit record to the agent for every write, sent or refused. */
void
broker_audit(struct broker *b, struct broker_app *a,
    const struct broker_write *w, long status, const char *reqid,
    const char *result, int with_body)
{
	struct buf	buf;
	int		e;

	buf_init(&buf, MSG_REQ_MAX + 3 * MSG_PAYLOAD_MAX, 0);
	if ((e = tlv_add_str(&buf, TAG_AUDIT_APP, a->name)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_OP, w->op)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_METHOD, w->method)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_PATH, w->path)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_TARGET, w->target)) ||
	    (e = tlv_add_u32(&buf, TAG_AUDIT_STATUS, (uint32_t)status)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_REQID, reqid)) ||
	    (e = tlv_add_str(&buf, TAG_AUDIT_RESULT, result)) ||
	    (with_body && w->body != NULL && (e = tlv_add_bytes(&buf,
	    TAG_AUDIT_BODY, w->body, w->len))) ||
	    (e = chan_send_buf(&b->agent, MSG_AUDIT, 0, &buf)))
		log_warnx("cannot send an audit record: %s",
		    err_str(e));
	buf_clear(&buf);
}

static int
broker_refuse(struct broker_call *bc, struct msg *m, int code,
    const char *fmt, ...) PC_PRINTF(4, 5);

static int
broker_refuse(struct broker_call *bc, struct msg *m, int code,
    const char *fmt, ...)
{
	char	text[MSG_TEXT_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", bc->a->name, text);
	(void)chan_send_err(&bc->a->ch, m->id, code, "%s", text);
	return 0;
}

static int
broker_resp_send(struct broker_call *bc, struct msg *m,
    const struct http_resp *r, const char *reqid)
{
	struct buf	b;
	int		e;

	buf_init(&b, MSG_RESP_MAX + MSG_PAYLOAD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_HTTP_RESP_STATUS, (uint32_t)r->status)) ||
	    (r->ctype[0] && (e = tlv_add_str(&b, TAG_HTTP_RESP_CTYPE,
	    r->ctype))) ||
	    (r->link[0] && (e = tlv_add_str(&b, TAG_HTTP_RESP_LINK,
	    r->link))) ||
	    (r->retry[0] && (e = tlv_add_str(&b, TAG_HTTP_RESP_RETRY,
	    r->retry))) ||
	    (r->ratelimit[0] && (e = tlv_add_str(&b, TAG_HTTP_RESP_RATELIMIT,
	    r->ratelimit))) ||
	    (e = tlv_add_str(&b, TAG_HTTP_RESP_REQID, reqid)) ||
	    (e = tlv_add_bytes(&b, TAG_HTTP_RESP_BODY, r->body.p, r->body.len)))
		goto out;
	e = chan_send_buf(&bc->a->ch, MSG_HTTP_RESP, m->id, &b);
out:
	buf_clear(&b);
	return e;
}

/*
 * Every e-mail address in a write body must be in an approved domain
 * (Atlas "restrict access by domain"). The body is the fetcher's own
 * text, so any address-shaped token counts: fail closed.
 */
static int
broker_domains_check(const char *domains, const uint8_t *p, size_t len,
    char *bad, size_t badsz)
{
	size_t	i, j, k, dl;

	for (i = 0; domains != NULL && i < len; i++) {
		if (p[i] != '@' || i == 0 || !(isalnum(p[i - 1]) ||
		    strchr("._%+-", p[i - 1]) != NULL))
			continue;
		for (j = i + 1; j < len && (isalnum(p[j]) || p[j] == '.' ||
		    p[j] == '-'); j++)
			;
		dl = j - i - 1;
		(void)snprintf(bad, badsz, "%.*s", (int)dl, p + i + 1);
		for (k = 0; domains[k] != '\0'; ) {
			size_t n = strcspn(domains + k, ", ");

			if (n == dl && n > 0 && strncasecmp(domains + k,
			    (const char *)p + i + 1, n) == 0)
				break;
			k += n;
			k += strspn(domains + k, ", ");
		}
		if (domains[k] == '\0')
			return PC_E_POLICY;
	}
	return 0;
}

/* The switches on writes, in order; 0 or a refusal already sent. */
static int
broker_write_policy(struct broker_call *bc, struct msg *m,
    const struct broker_write *w)
{
	struct broker		*b = bc->b;
	struct broker_app	*a = bc->a;
	char			 why[MSG_TEXT_MAX], dom[256];

	why[0] = '\0';
	if (a->read_only)
		(void)snprintf(why, sizeof(why), "read-only mode refuses "
		    "every write");
	else if (!a->provisioning)
		(void)snprintf(why, sizeof(why), "provisioning is not enabled "
		    "for %s (--provisioning)", a->name);
	else if (broker_domains_check(a->domains, w->body, w->len, dom,
	    sizeof(dom)) != 0)
		(void)snprintf(why, sizeof(why), "e-mail domain \"%s\" is not "
		    "in approved-domains", dom);
	else if (a->writes >= a->max_writes)
		(void)snprintf(why, sizeof(why), "maximum of %u writes per run "
		    "reached", a->max_writes);
	if (why[0] != '\0') {
		broker_audit(b, a, w, 0, "-", why, 0);
		(void)broker_refuse(bc, m, PC_E_POLICY, "%s %s refused: %s",
		    w->method, w->path, why);
		return PC_E_POLICY;
	}
	if (b->dry_run) {
		broker_audit(b, a, w, 0, "-", "dry-run", 1);
		(void)chan_send_err(&a->ch, m->id, PC_E_DRYRUN, "dry run: %s %s "
		    "not sent", w->method, w->path);
		return PC_E_DRYRUN;
	}
	return 0;
}

/* Policy before any byte leaves: method, egress rule, write switches. */
static int
broker_policy(struct broker_call *bc, struct msg *m,
    const struct broker_write *w)
{
	struct broker_app	*a = bc->a;

	if (!broker_method_ok(w->method))
		return broker_refuse(bc, m, PC_E_POLICY, "method \"%.16s\" is "
		    "not allowed", w->method), PC_E_POLICY;
	if (egress_check(a->egress, w->method, a->host, w->path) != 0) {
		if (broker_is_write(w->method))
			broker_audit(bc->b, a, w, 0, "-", "refused by egress "
			    "rules", 0);
		return broker_refuse(bc, m, PC_E_POLICY, "egress rules refuse "
		    "%s %.500s", w->method, w->path), PC_E_POLICY;
	}
	if (!broker_is_write(w->method))
		return 0;
	return broker_write_policy(bc, m, w);
}

struct broker_slot {
	int			on;
	struct secret_slot	slot;
	struct secret_hit	hit;
};

static int
broker_marks(const char *const *fields)
{
	for (; *fields != NULL; fields++)
		if (secret_mark_in(*fields))
			return 1;
	return 0;
}

static int
broker_hit_is(const struct broker_write *w, const struct secret_hit *h,
    const char *name)
{
	return h->name_len == strlen(name) &&
	    memcmp(w->body + h->name_off, name, h->name_len) == 0;
}

/*
 * A secret slot is used exactly once, in the body of a write, by name;
 * the mark anywhere else could carry the value into a log or a URL.
 */
static int
broker_slot_check(struct broker_call *bc, struct msg *m,
    const struct broker_write *w, const char *const *fields,
    struct broker_slot *bs)
{
	struct broker_app	*a = bc->a;
	struct secret_hit	 h[2];
	char			 why[256], spec[257];
	int			 n;

	memset(bs, 0, sizeof(*bs));
	if (broker_marks(fields))
		return broker_refuse(bc, m, PC_E_POLICY, "a secret placeholder "
		    "is allowed only in the request body"), PC_E_POLICY;
	n = w->body != NULL ? secret_scan(w->body, w->len, h, 2) : 0;
	if (n < 0)
		return broker_refuse(bc, m, PC_E_POLICY, "malformed secret "
		    "placeholder in the body"), PC_E_POLICY;
	if (tlv_str(&m->tf, TAG_HTTP_REQ_SLOT, spec, sizeof(spec)) != 0) {
		if (n == 0)
			return 0;
		return broker_refuse(bc, m, PC_E_POLICY, "unknown secret slot "
		    "\"%.*s\": the request names no slot", (int)h[0].name_len,
		    (const char *)w->body + h[0].name_off), PC_E_POLICY;
	}
	if (secret_slot_parse(spec, &bs->slot, why, sizeof(why)) != 0)
		return broker_refuse(bc, m, PC_E_POLICY, "%s", why), PC_E_POLICY;
	if (a->secret_policy == NULL || strcmp(a->secret_policy,
	    secret_policy_name(bs->slot.policy)) != 0)
		return broker_refuse(bc, m, PC_E_POLICY, "%s may not generate "
		    "secrets of policy %s", a->name,
		    secret_policy_name(bs->slot.policy)), PC_E_POLICY;
	if (!broker_is_write(w->method))
		return broker_refuse(bc, m, PC_E_POLICY, "a secret slot needs a "
		    "write request"), PC_E_POLICY;
	if (n == 0)
		return broker_refuse(bc, m, PC_E_POLICY, "secret slot %s is not "
		    "used in the body", bs->slot.name), PC_E_POLICY;
	if (!broker_hit_is(w, &h[0], bs->slot.name) ||
	    (n > 1 && !broker_hit_is(w, &h[1], bs->slot.name))) {
		const struct secret_hit *x = broker_hit_is(w, &h[0],
		    bs->slot.name) ? &h[1] : &h[0];

		return broker_refuse(bc, m, PC_E_POLICY, "unknown secret slot "
		    "\"%.*s\"", (int)x->name_len, (const char *)w->body +
		    x->name_off), PC_E_POLICY;
	}
	if (n > 1)
		return broker_refuse(bc, m, PC_E_POLICY, "secret slot %s is "
		    "used more than once", bs->slot.name), PC_E_POLICY;
	if (w->len > SECRET_BODY_MAX)
		return broker_refuse(bc, m, PC_E_POLICY, "a body with a secret "
		    "slot is limited to %d bytes", SECRET_BODY_MAX),
		    PC_E_POLICY;
	bs->hit = h[0];
	bs->on = 1;
	return 0;
}

/* The fetcher never reads the value back, not even in an echo. */
static void
broker_scrub(struct http_resp *r)
{
	char	*hdrs[] = { r->ctype, r->link, r->retry, r->ratelimit };
	size_t	 i;

	if (r->body.p != NULL)
		r->body.len = secret_scrub(r->body.p, r->body.len);
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		hdrs[i][secret_scrub((uint8_t *)hdrs[i], strlen(hdrs[i]))] =
		    '\0';
}

static void
broker_req_text(const struct msg *m, unsigned tag, char *dst, size_t dstsz,
    const char *dflt)
{
	if (tlv_str(&m->tf, tag, dst, dstsz) != 0)
		(void)snprintf(dst, dstsz, "%s", dflt);
}

/* Policy passed: fill a slot, send, scrub, seal on success. */
static int
broker_send(struct broker_call *bc, struct msg *m, const struct broker_write *w,
    struct http_req *req, struct broker_slot *bs)
{
	struct broker_app	*a = bc->a;
	struct http_resp	 r;
	char			 reqid[32], why[256], url[RUN_URL_MAX +
				    MSG_PATH_MAX + 1024];
	int			 e;

	if (bs->on && vault_ready(&bc->b->vault, why, sizeof(why)) != 0)
		return broker_refuse(bc, m, PC_E_POLICY, "%s %s refused: %s",
		    w->method, w->path, why);
	if (bs->on && secret_fill(&bs->slot, a->secret_len, w->body, w->len,
	    &bs->hit, &req->body, &req->len) != 0)
		return broker_refuse(bc, m, PC_E_STATE, "%s %s: cannot generate "
		    "the secret", w->method, w->path);
	/* No pid here: a fetcher must not learn whom it could signal. */
	(void)snprintf(reqid, sizeof(reqid), "r%llu-%s",
	    (unsigned long long)++bc->b->reqno, bc->b->runid);
	http_resp_init(&r);
	if (broker_is_write(w->method))
		a->writes++;
	e = http_perform(a, req, &r);
	if (broker_is_write(w->method))
		broker_audit(bc->b, a, w, e == 0 ? r.status : 0, reqid,
		    e == 0 ? "sent" : r.err, 0);
	if (bs->on) {
		broker_scrub(&r);
		(void)snprintf(url, sizeof(url), "%s%s", a->origin, w->path);
		if (e == 0 && r.status >= 200 && r.status <= 299)
			(void)vault_deliver(bc->b, a, w->target, reqid, url);
		secret_forget();
	}
	if (e != 0)
		(void)broker_refuse(bc, m, e, "%s", r.err);
	else if (r.status >= 300 && r.status < 400)
		(void)broker_refuse(bc, m, PC_E_POLICY, "redirect to \"%s\" "
		    "refused: redirects are never followed", r.location_host);
	else
		e = broker_resp_send(bc, m, &r, reqid);
	http_resp_clear(&r);
	return e == PC_E_EOF || e == PC_E_SYS ? e : 0;
}

static int
broker_on_http_req(struct chan *c, struct msg *m, void *arg)
{
	struct broker_call	*bc = arg;
	struct broker_app	*a = bc->a;
	struct broker_write	 w;
	struct broker_slot	 bs;
	struct http_req		 req;
	char			 method[16], path[MSG_PATH_MAX + 1024];
	char			 accept[130], ctype[130], op[66], target[1026];
	const char		*fields[] = { path, accept, ctype, op, target,
				    NULL };
	size_t			 blen = strlen(a->base_path);

	(void)c;
	memcpy(path, a->base_path, blen);
	if (tlv_str(&m->tf, TAG_HTTP_REQ_METHOD, method, sizeof(method)) != 0 ||
	    tlv_str(&m->tf, TAG_HTTP_REQ_PATH, path + blen,
	    sizeof(path) - blen) != 0)
		return PC_E_VALUE;
	if (path[blen] != '/')
		return broker_refuse(bc, m, PC_E_POLICY, "path must start "
		    "with /");
	broker_req_text(m, TAG_HTTP_REQ_ACCEPT, accept, sizeof(accept), "");
	broker_req_text(m, TAG_HTTP_REQ_CTYPE, ctype, sizeof(ctype), "");
	broker_req_text(m, TAG_HTTP_REQ_OPERATION, op, sizeof(op), "write");
	broker_req_text(m, TAG_HTTP_REQ_TARGET, target, sizeof(target), "-");
	memset(&w, 0, sizeof(w));
	w.method = method;
	w.path = path;
	w.op = op;
	w.target = target;
	w.body = tlv_bytes(&m->tf, TAG_HTTP_REQ_BODY, &w.len);
	if (broker_slot_check(bc, m, &w, fields, &bs) != 0 ||
	    broker_policy(bc, m, &w) != 0)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.accept = accept[0] ? accept : NULL;
	req.ctype = ctype[0] ? ctype : NULL;
	req.body = w.body;
	req.len = w.len;
	return broker_send(bc, m, &w, &req, &bs);
}

static char *
broker_read_ca(const char *path, size_t *len)
{
	char	*p;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		fatal("ca-file %s", path);
	if ((p = malloc(BROKER_CA_MAX)) == NULL)
		fatal("ca-file");
	n = read(fd, p, BROKER_CA_MAX);
	close(fd);
	if (n <= 0 || n == BROKER_CA_MAX)
		fatalx("ca-file %s: empty or over %d bytes", path,
		    BROKER_CA_MAX);
	*len = (size_t)n;
	return p;
}

/* Everything that needs privilege or files happens here, then we drop. */
static void
broker_load(struct broker *b)
{
	struct broker_app	*a;
	size_t			 i;

	cred_init();
	secret_init();
	vault_open(&b->vault);
	if ((a = b->vault.kv) != NULL) {
		if (cred_load(b->rc->cfg, "vault", "vault-token", &a->secret) != 0)
			fatalx("vault: cannot start without its token");
		if (a->ca_file != NULL)
			a->ca_pem = broker_read_ca(a->ca_file, &a->ca_len);
	}
	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (a->secret_opt != NULL &&
		    cred_load(b->rc->cfg, a->name, a->secret_opt, &a->secret) != 0)
			fatalx("%s: cannot start without its %s",
			    a->name, a->secret_opt);
		if (a->ca_file != NULL)
			a->ca_pem = broker_read_ca(a->ca_file, &a->ca_len);
	}
}

static void
broker_open(struct broker *b)
{
	struct broker_app	*a;
	size_t			 i;

	http_global_init();
	if (chan_init(&b->agent, b->rc->agent_fd, P_BROKER, P_AGENT,
	    "agent") != 0)
		fatalx("agent channel");
	if (b->vault.kv != NULL && http_app_init(b->vault.kv) != 0)
		fatalx("vault: HTTP set-up failed");
	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (http_app_init(a) != 0)
			fatalx("%s: HTTP set-up failed", a->name);
		if (chan_init(&a->ch, a->fd, P_BROKER, P_FETCHER, a->name) != 0)
			fatalx("%s: channel", a->name);
		a->live = 1;
	}
}

/* A fetcher's bad message ends its channel, never the broker. */
static void
broker_app_read(struct broker *b, struct broker_app *a)
{
	struct broker_call	bc = { b, a };
	struct msg		m;
	int			e;

	memset(&m, 0, sizeof(m));	/* no stack bytes in an ERR's id */
	if ((e = chan_recv(&a->ch, &m)) == 0 &&
	    (e = msg_dispatch(&a->ch, broker_routes, sizeof(broker_routes) /
	    sizeof(broker_routes[0]), &m, &bc)) == 0)
		return;
	if (e != PC_E_EOF) {
		log_warnx("fetcher %s: %s; channel closed", a->name,
		    a->ch.why[0] ? a->ch.why : err_str(e));
		(void)chan_send_err(&a->ch, m.id, e, "broker closed the "
		    "channel: %s", a->ch.why[0] ? a->ch.why : err_str(e));
	}
	chan_clear(&a->ch);
	a->live = 0;
}

static void
broker_loop(struct broker *b)
{
	struct pollfd	pfd[RUN_MAX_APPS];
	size_t		i, n, map[RUN_MAX_APPS];

	for (;;) {
		for (i = n = 0; i < b->napps; i++) {
			if (!b->apps[i].live)
				continue;
			pfd[n].fd = b->apps[i].ch.fd;
			pfd[n].events = POLLIN;
			map[n++] = i;
		}
		if (n == 0)
			return;
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				broker_app_read(b, &b->apps[map[i]]);
	}
}

/* The runtime view of one configured app (its primary credential). */
static void
broker_app_init(struct broker_app *a, const struct app_conf *ac)
{
	const struct cred_conf	*cc = &ac->creds[0];

	memset(a, 0, sizeof(*a));
	a->conf = ac;
	a->name = ac->name;
	a->cred = cc;
	a->base_url = cc->base_url;
	a->origin = cc->origin;
	a->host = cc->host;
	a->base_path = cc->base_path;
	a->auth = cc->kind;
	a->user = cc->user;
	a->secret_opt = cc->kind != AUTH_NONE ? cc->secret_opt : NULL;
	a->token_path = cc->def != NULL ? cc->def->token_path : NULL;
	if (cc->kind == AUTH_HEADER)
		a->auth_header = "X-Vault-Token";
	a->ca_file = ac->ca_file;
	a->resolve = ac->resolve;
	a->nresolve = ac->nresolve;
	a->proxy = ac->proxy;
	a->connect_timeout = ac->connect_timeout;
	a->timeout = ac->timeout;
	a->allow = ac->allow;
	a->egress = ac->egress;
	a->provisioning = ac->provisioning;
	a->read_only = ac->read_only;
	a->max_writes = ac->max_writes;
	a->domains = ac->domains;
	a->secret_policy = ac->def->secret_policy;
	a->secret_len = ac->secret_len;
	a->fd = ac->fd;
}

/*
 * We were forked from the agent: keep only our channels. Whatever else
 * the agent had open (its audit log, a .c1z scratch file, a terminal)
 * is not ours to hold.
 */
static void
broker_close_others(const struct run_conf *rc)
{
	int	keep[RUN_MAX_APPS + 4], n = 0, i, j, t, lo = 3;

	keep[n++] = rc->agent_fd;
	for (i = 0; i < (int)rc->napps; i++)
		keep[n++] = rc->apps[i].fd;
	for (i = 1; i < n; i++)		/* a few: insertion sort */
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--)
			t = keep[j], keep[j] = keep[j - 1], keep[j - 1] = t;
	for (i = 0; i < n; i++) {
		if (keep[i] > lo && close_range((unsigned)lo,
		    (unsigned)keep[i] - 1, 0) == -1)
			fatal("close_range");
		if (keep[i] >= lo)
			lo = keep[i] + 1;
	}
	if (close_range((unsigned)lo, ~0U, 0) == -1)
		fatal("close_range");
}

static void
broker_runid(struct broker *b)
{
	uint8_t	r[4];
	size_t	i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		fatal("getrandom");
	for (i = 0; i < sizeof(r); i++)
		(void)snprintf(b->runid + 2 * i, 3, "%02x", r[i]);
}

void
broker_main(struct run_conf *rc)
{
	static struct broker	b;
	static struct broker_app kv;
	struct rlimit		rl = { 0, 0 };
	struct buf		end;
	size_t			i;

	log_init("broker", log_level());
	broker_close_others(rc);
	/* Keys live here: no core file, no ptrace by our own uid. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("disable core dumps");
	signal(SIGPIPE, SIG_IGN);
	/* A service's handlers are the agent's; the broker just ends. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	b.rc = rc;
	b.dry_run = rc->dry_run;
	b.napps = rc->napps;
	for (i = 0; i < rc->napps; i++)
		broker_app_init(&b.apps[i], &rc->apps[i]);
	b.vault.conf = &rc->vault;
	b.vault.spool_fd = -1;
	if (rc->vault.kind == VAULT_KV) {
		broker_app_init(&kv, &rc->vault.kv);
		b.vault.kv = &kv;
	}
	broker_runid(&b);
	broker_load(&b);
	priv_demote(&rc->id, "broker");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	broker_open(&b);
	broker_loop(&b);
	for (i = 0; i < b.napps; i++)
		http_app_clear(&b.apps[i]);
	if (b.vault.kv != NULL)
		http_app_clear(b.vault.kv);
	secret_clear();
	cred_clear();
	buf_init(&end, 64, 0);
	if (tlv_add_u32(&end, TAG_BROKER_END_STATUS, 0) == 0)
		(void)!chan_send_buf(&b.agent, MSG_BROKER_END, 0, &end);
	buf_clear(&end);
	_exit(0);
}
