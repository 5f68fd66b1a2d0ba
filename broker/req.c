/*
 * Runs in: broker. Input: HTTP_REQ from a fetcher (untrusted: every
 * field that becomes part of an HTTP request is checked against its
 * grammar here, then the request against the egress rules of the
 * credential it names, the secret-slot rules and the write switches).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker.h"
#include "egress.h"
#include "grammar.h"
#include "log.h"
#include "pcj.h"
#include "secret.h"
#include "text.h"

static int
req_fail(char *why, size_t whysz, const char *fmt, ...) PC_PRINTF(3, 4);

static int
req_fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return PC_E_POLICY;
}

int
req_grammar(const struct http_req_msg *m, char *why, size_t whysz)
{
	/* First, for a clear reason: the mark anywhere else could carry a
	 * generated value into a log or a URL. */
	if (secret_mark_in(m->path) || secret_mark_in(m->accept) ||
	    secret_mark_in(m->ctype) || secret_mark_in(m->target) ||
	    secret_mark_in(m->operation) || secret_mark_in(m->cred))
		return req_fail(why, whysz, "a secret placeholder is allowed "
		    "only in the request body");
	return gram_request(m, why, whysz) == 0 ? 0 : PC_E_POLICY;
}

/* ---- approved e-mail domains --------------------------------------- */

/* Bytes that end an address's domain (and none may start one). */
static int
req_addr_stop(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || strchr("\"'<>()[],;:/?#&=@\\", c) !=
	    NULL;
}

static int
req_domain_in(const char *domains, const char *d, size_t dl)
{
	size_t	k, n;

	for (k = 0; domains[k] != '\0'; ) {
		n = strcspn(domains + k, ", ");
		if (n == dl && n > 0 && strncasecmp(domains + k, d, n) == 0)
			return 1;
		k += n;
		k += strspn(domains + k, ", ");
	}
	return 0;
}

/*
 * Every address in text: an '@' after a byte that can end a local part
 * starts one; its domain runs to the next stop byte. An empty domain is
 * refused too (fail closed: "a@@evil.com", "a@\u00e9vil.com" decoded).
 */
static int
req_addrs_check(const char *domains, const char *s, size_t len, char *bad,
    size_t badsz)
{
	size_t	i, j;

	for (i = 1; i < len; i++) {
		if (s[i] != '@' || req_addr_stop((unsigned char)s[i - 1]))
			continue;
		for (j = i + 1; j < len && !req_addr_stop((unsigned char)s[j]);
		    j++)
			;
		if (!req_domain_in(domains, s + i + 1, j - i - 1)) {
			(void)snprintf(bad, badsz, "%.*s", (int)(j - i - 1),
			    s + i + 1);
			return PC_E_POLICY;
		}
	}
	return 0;
}

/* Every string of the document, keys too, decoded by pcj. */
static int
req_json_addrs(const char *domains, const struct pcj_doc *d, int v,
    char *bad, size_t badsz)
{
	static char	s[SECRET_BODY_MAX + 1];
	size_t		n;
	int		k, e;

	switch (pcj_type(d, v)) {
	case PCJ_STRING:
		if (pcj_str(d, v, s, sizeof(s), &n, 0) != 0)
			return PC_E_POLICY;	/* cannot check: refuse */
		return req_addrs_check(domains, s, n, bad, badsz);
	case PCJ_ARRAY:
		for (k = pcj_first(d, v); k >= 0; k = pcj_next(d, k))
			if ((e = req_json_addrs(domains, d, k, bad, badsz)) != 0)
				return e;
		return 0;
	case PCJ_OBJECT:
		for (k = pcj_first(d, v); k >= 0; k = pcj_next(d, k))
			if ((e = req_json_addrs(domains, d, k, bad, badsz)) != 0 ||
			    (e = req_json_addrs(domains, d, pcj_value(d, k), bad,
			    badsz)) != 0)
				return e;
		return 0;
	default:
		return 0;
	}
}

int
req_domains_check(const char *domains, const uint8_t *p, size_t len,
    char *bad, size_t badsz)
{
	struct pcj_doc	d;
	int		e;

	if (domains == NULL || p == NULL || len == 0)
		return 0;
	/* JSON: the decoded strings, so \u0040 is an '@' like any other. */
	if (pcj_parse(&d, (const char *)p, len, NULL) == 0) {
		e = req_json_addrs(domains, &d, pcj_root(&d), bad, badsz);
		pcj_free(&d);
		return e;
	}
	/* Anything else as it stands, and with its %-escapes decoded. */
	if ((e = req_addrs_check(domains, (const char *)p, len, bad,
	    badsz)) != 0)
		return e;
	if (memchr(p, '%', len) != NULL) {
		static char	dec[MSG_REQ_MAX];
		size_t		i, o = 0;

		for (i = 0; i < len && o < sizeof(dec); i++) {
			if (p[i] == '%' && i + 2 < len &&
			    isxdigit(p[i + 1]) && isxdigit(p[i + 2])) {
				char h[3] = { (char)p[i + 1], (char)p[i + 2], 0 };

				dec[o++] = (char)strtol(h, NULL, 16);
				i += 2;
			} else
				dec[o++] = p[i] == '+' ? ' ' : (char)p[i];
		}
		return req_addrs_check(domains, dec, o, bad, badsz);
	}
	return 0;
}

/* ---- the request as a whole ---------------------------------------- */

struct req_ctx {
	struct broker		*b;
	struct broker_app	*a;
	uint32_t		 id;
	const struct http_req_msg *m;
	struct breq		*r;
	struct secret_slot	 slot;
	struct secret_hit	 hit;
};

static int
req_is_write(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

static void
req_write_view(const struct req_ctx *x, struct broker_write *w)
{
	memset(w, 0, sizeof(*w));
	w->method = x->r->method;
	w->path = x->r->path;
	w->op = x->r->op;
	w->target = x->r->target;
	w->body = x->m->body;
	w->len = x->m->len;
}

/* Refuse with f's fields (or none), and audit it when it was a write. */
static int
req_refuse_fail(struct req_ctx *x, const struct fail_msg *f, const char *fmt,
    ...) PC_PRINTF(3, 4);

static int
req_refuse_fail(struct req_ctx *x, const struct fail_msg *f, const char *fmt,
    ...)
{
	struct broker_write	w;
	char			why[MSG_TEXT_MAX];
	va_list			ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (x->r->write) {
		req_write_view(x, &w);
		broker_audit(x->b, x->a, &w, 0, "-", why, 0);
	}
	(void)broker_fail(x->a, x->id, PC_E_POLICY, f, "%s %s refused: %s",
	    x->r->method, x->r->path, why);
	return PC_E_POLICY;
}

#define req_refuse(x, ...)	req_refuse_fail((x), NULL, __VA_ARGS__)

/*
 * A secret slot is used exactly once, in the body of a write, by name;
 * the mark anywhere else could carry the value into a log or a URL.
 */
static int
req_slot(struct req_ctx *x)
{
	const struct http_req_msg *m = x->m;
	struct secret_hit	 h[2];
	char			 why[256];
	int			 n;

	if (secret_mark_in(m->path) || secret_mark_in(m->accept) ||
	    secret_mark_in(m->ctype) || secret_mark_in(m->target) ||
	    secret_mark_in(m->operation))
		return req_refuse(x, "a secret placeholder is allowed only in "
		    "the request body");
	n = m->body != NULL ? secret_scan(m->body, m->len, h, 2) : 0;
	if (n < 0)
		return req_refuse(x, "malformed secret placeholder in the body");
	if (m->slot[0] == '\0')
		return n == 0 ? 0 : req_refuse(x, "unknown secret slot \"%.*s\": "
		    "the request names no slot", (int)h[0].name_len,
		    (const char *)m->body + h[0].name_off);
	if (secret_slot_parse(m->slot, &x->slot, why, sizeof(why)) != 0)
		return req_refuse(x, "%s", why);
	if (x->a->conf->def->secret_policy == NULL || strcmp(x->a->conf->def->
	    secret_policy, secret_policy_name(x->slot.policy)) != 0)
		return req_refuse(x, "%s may not generate secrets of policy %s",
		    x->a->name, secret_policy_name(x->slot.policy));
	if (!x->r->write)
		return req_refuse(x, "a secret slot needs a write request");
	if (n == 0)
		return req_refuse(x, "secret slot %s is not used in the body",
		    x->slot.name);
	if (h[0].name_len != strlen(x->slot.name) || memcmp(m->body +
	    h[0].name_off, x->slot.name, h[0].name_len) != 0 || (n > 1 &&
	    (h[1].name_len != h[0].name_len || memcmp(m->body + h[1].name_off,
	    x->slot.name, h[1].name_len) != 0))) {
		const struct secret_hit *y = h[0].name_len ==
		    strlen(x->slot.name) && memcmp(m->body + h[0].name_off,
		    x->slot.name, h[0].name_len) == 0 ? &h[1] : &h[0];

		return req_refuse(x, "unknown secret slot \"%.*s\"",
		    (int)y->name_len, (const char *)m->body + y->name_off);
	}
	if (n > 1)
		return req_refuse(x, "secret slot %s is used more than once",
		    x->slot.name);
	if (m->len > SECRET_BODY_MAX)
		return req_refuse(x, "a body with a secret slot is limited to %d "
		    "bytes", SECRET_BODY_MAX);
	x->hit = h[0];
	x->r->slot = 1;
	return 0;
}

/*
 * Egress refusal, with the rule to look at: the one that matched all
 * but the credential, else the nearest (same method, closest path).
 */
static int
req_egress_refuse(struct req_ctx *x, const struct egress_req *q,
    const struct egress_rule *near)
{
	const struct egress_rules	*rules = x->a->conf->egress;
	const struct egress_rule	*n = near;
	struct fail_msg			 f;

	memset(&f, 0, sizeof(f));
	f.cause = FAIL_EGRESS;
	msg_fail_request(&f, q->method, q->path);
	(void)!buf_scopy(f.host, sizeof(f.host), q->host);
	(void)!buf_scopy(f.cred, sizeof(f.cred), q->cred);
	if (n == NULL)
		n = egress_rule_nearest(rules, q);
	if (n != NULL)
		f.line = n->line;
	if (near != NULL) {
		(void)snprintf(f.detail, sizeof(f.detail), "credential %s may "
		    "not use it", q->cred);
		return req_refuse_fail(x, &f, "egress rules refuse credential "
		    "%s here (%s:%u allows only %s)", q->cred, rules->src,
		    near->line, near->creds[0] ? near->creds :
		    x->a->conf->creds[0].def->name);
	}
	return req_refuse_fail(x, &f, "egress rules refuse %s %.500s",
	    q->method, q->path);
}

/* r's egress check: host, path and credential together (q: the query). */
static int
req_egress_match(const struct broker_app *a, const struct breq *r,
    struct egress_req *qp, char *tok, size_t toksz,
    const struct egress_rule **near)
{
	const struct cred_conf	*cc = r->cred->conf;
	struct egress_req	 q;

	(void)snprintf(tok, toksz, "$%s", cc->def->base_opt != NULL ?
	    cc->def->name : "base");
	memset(&q, 0, sizeof(q));
	q.method = r->method;
	q.host = cc->host;
	q.cred = cc->def->name;
	q.host_token = tok;
	q.primary = cc == &a->conf->creds[0];
	/*
	 * Rules name paths below the base URL's own path (r->path is that
	 * path and the fetcher's), as rate classes do: a context path
	 * (https://wiki.example/confluence) needs no rule of its own.
	 */
	q.path = r->path + strlen(cc->base_path);
	*qp = q;
	return egress_check(a->conf->egress, qp, near);
}

int
req_egress_ok(const struct broker_app *a, const struct breq *r, char *why,
    size_t whysz)
{
	const struct egress_rule	*near;
	struct egress_req		 q;
	char				 tok[40];

	if (req_egress_match(a, r, &q, tok, sizeof(tok), &near) == 0)
		return 0;
	(void)snprintf(why, whysz, "egress rules %s refuse %s %.500s",
	    a->conf->egress != NULL ? a->conf->egress->src : "(none)",
	    r->method, r->path + strlen(r->cred->conf->base_path));
	return PC_E_POLICY;
}

/* The credential's egress rules: host, path and credential together. */
static int
req_egress(struct req_ctx *x)
{
	const struct egress_rule	*near;
	struct egress_req		 q;
	char				 tok[40];

	if (req_egress_match(x->a, x->r, &q, tok, sizeof(tok), &near) == 0) {
		/* A search the operator's rules call a read is one. */
		if (near->read)
			x->r->write = 0;
		return 0;
	}
	return req_egress_refuse(x, &q, near);
}

/* The switches on writes, in order. */
static int
req_write_policy(struct req_ctx *x)
{
	struct broker_app	*a = x->a;
	char			 dom[256];

	if (a->conf->read_only)
		return req_refuse(x, "read-only mode refuses every write");
	if (!a->conf->provisioning)
		return req_refuse(x, "provisioning is not enabled for %s "
		    "(--provisioning)", a->name);
	if (req_domains_check(a->conf->domains, x->m->body, x->m->len, dom,
	    sizeof(dom)) != 0)
		return req_refuse(x, "e-mail domain \"%s\" is not in "
		    "approved-domains", text_clean(dom, sizeof(dom), dom));
	if (a->writes >= a->conf->max_writes)
		return req_refuse(x, "maximum of %u writes per run reached",
		    a->conf->max_writes);
	return 0;
}

int
req_dry(struct broker *b, struct breq *r)
{
	struct broker_write	w;

	memset(&w, 0, sizeof(w));
	w.method = r->method;
	w.path = r->path;
	w.op = r->op;
	w.target = r->target;
	w.body = r->body;
	w.len = r->len;
	broker_audit(b, r->a, &w, 0, "-", "dry-run", 1);
	(void)chan_send_err(&r->a->ch, r->id, PC_E_DRYRUN, "dry run: %s %s "
	    "not sent", r->method, r->path);
	return PC_E_DRYRUN;
}

/*
 * A dry run reads what a real one would (GETs are not writes): a write
 * the vendor's own domain check guards waits for it (fed.c), so the
 * dry run shows that refusal too; any other write ends here.
 */
static int
req_dry_run(struct req_ctx *x)
{
	if (fed_guarded(x->r)) {
		x->r->dry = 1;
		return 0;
	}
	return req_dry(x->b, x->r);
}

/* Fields of the checked message into the request we keep. */
static int
req_fill(struct req_ctx *x)
{
	const struct http_req_msg	*m = x->m;
	struct breq			*r = x->r;
	const struct cred_conf		*cc = r->cred->conf;

	if (snprintf(r->path, sizeof(r->path), "%s%s", cc->base_path,
	    m->path) >= (int)sizeof(r->path))
		return PC_E_TOOBIG;
	(void)!buf_scopy(r->method, sizeof(r->method), m->method);
	(void)!buf_scopy(r->accept, sizeof(r->accept), m->accept);
	(void)!buf_scopy(r->ctype, sizeof(r->ctype), m->ctype);
	(void)!buf_scopy(r->op, sizeof(r->op), m->operation[0] ?
	    m->operation : "write");
	(void)!buf_scopy(r->target, sizeof(r->target), m->target[0] ?
	    m->target : "-");
	(void)!buf_scopy(r->login, sizeof(r->login), m->target);
	r->write = req_is_write(r->method);
	if (m->body != NULL) {
		if ((r->body = malloc(m->len > 0 ? m->len : 1)) == NULL)
			return PC_E_NOMEM;
		memcpy(r->body, m->body, m->len);
		r->len = m->len;
	}
	r->send_body = r->body;
	r->send_len = r->len;
	return 0;
}

void
req_free(struct breq *r)
{
	if (r == NULL)
		return;
	req_free(r->parent);	/* a check's read holds its write */
	fed_free(r->fed);
	if (r->body != NULL)
		explicit_bzero(r->body, r->len);
	free(r->body);
	free(r);
}

int
req_accept(struct broker *b, struct broker_app *a, uint32_t id,
    const struct http_req_msg *m, struct breq **out)
{
	struct req_ctx	x;
	char		why[MSG_TEXT_MAX];
	int		e;

	*out = NULL;
	if (req_grammar(m, why, sizeof(why)) != 0)
		return broker_refuse(a, id, PC_E_POLICY, "HTTP_REQ: %s", why),
		    PC_E_POLICY;
	memset(&x, 0, sizeof(x));
	x.b = b;
	x.a = a;
	x.id = id;
	x.m = m;
	if ((x.r = calloc(1, sizeof(*x.r))) == NULL)
		return PC_E_NOMEM;
	x.r->a = a;
	x.r->id = id;
	/* A credential left out of the configuration (an optional one with
	 * no base URL) is not there to use. */
	if ((x.r->cred = broker_cred_find(a, m->cred)) == NULL ||
	    x.r->cred->conf->host[0] == '\0') {
		(void)broker_refuse(a, id, PC_E_POLICY, "credential \"%s\" is not "
		    "configured for %s", m->cred[0] ? m->cred : "api", a->name);
		req_free(x.r);
		return PC_E_POLICY;
	}
	if ((e = req_fill(&x)) != 0 || (e = req_egress(&x)) != 0 ||
	    (e = req_slot(&x)) != 0 ||
	    (x.r->write && ((e = req_write_policy(&x)) != 0 ||
	    (b->dry_run && (e = req_dry_run(&x)) != 0)))) {
		if (e == PC_E_TOOBIG || e == PC_E_NOMEM)
			(void)broker_refuse(a, id, e, "%s", err_str(e));
		req_free(x.r);
		return e;
	}
	if (x.r->slot) {
		/* Kept for the scheduler: it fills and seals write-ahead. */
		x.r->slot_def = x.slot;
		x.r->slot_hit = x.hit;
	}
	*out = x.r;
	return 0;
}
