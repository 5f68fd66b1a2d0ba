/*
 * Runs in: agent. Input: the fail fields of a DONE (a fetcher's words:
 * untrusted, cleaned, used only as facts in a sentence) or of a REFUSED
 * (the broker's: trusted), and the agent's own configuration, which is
 * where every file name in the line comes from.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "apps.h"
#include "cidr.h"
#include "diag.h"
#include "egress.h"
#include "text.h"

/* The fields, cleaned: a fetcher must not paint the operator's screen. */
static void
diag_clean(struct fail_msg *f)
{
	char	*s[] = { f->method, f->path, f->cred, f->addr, f->detail,
		    f->host };
	size_t	 n[] = { sizeof(f->method), sizeof(f->path), sizeof(f->cred),
		    sizeof(f->addr), sizeof(f->detail), sizeof(f->host) };
	size_t	 i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		(void)text_clean(s[i], n[i], s[i]);
}

static const char *
diag_allow_src(const struct app_conf *ac)
{
	return ac->allow != NULL ? ac->allow->src : "(no allowlist)";
}

/* The credential the request used, as the config knows it. */
static const struct cred_conf *
diag_cred(const struct app_conf *ac, const char *name)
{
	const struct cred_conf	*cc = NULL;

	if (name[0] != '\0')
		cc = appconf_cred(ac, name);
	return cc != NULL ? cc : ac->ncreds > 0 ? &ac->creds[0] : NULL;
}

/* "host:port" of the failure, else the credential's configured origin. */
static void
diag_where(const struct app_conf *ac, const struct fail_msg *f, char *dst,
    size_t dstsz)
{
	const struct cred_conf	*cc = diag_cred(ac, f->cred);
	const char		*h = f->host[0] ? f->host : cc != NULL ?
				    cc->host : "?";
	unsigned		 port;

	port = f->port ? f->port : appconf_port(cc);

	if (strchr(h, ':') != NULL)
		(void)snprintf(dst, dstsz, "[%s]:%u", h, port);
	else
		(void)snprintf(dst, dstsz, "%s:%u", h, port);
}

/* The option that holds the credential's secret (and its user's). */
static void
diag_cred_opts(const struct app_conf *ac, const struct fail_msg *f,
    char *dst, size_t dstsz)
{
	const struct cred_conf	*cc = diag_cred(ac, f->cred);

	if (cc == NULL || cc->secret_opt == NULL)
		(void)snprintf(dst, dstsz, "the credential options");
	else if (cc->user_opt != NULL)
		(void)snprintf(dst, dstsz, "%s (and %s)", cc->secret_opt,
		    cc->user_opt);
	else
		(void)snprintf(dst, dstsz, "%s", cc->secret_opt);
}

static void
diag_egress(const struct app_conf *ac, const struct fail_msg *f,
    char *dst, size_t dstsz)
{
	const struct egress_rules	*r = ac->egress;
	const struct egress_rule	*x = NULL;
	size_t				 i;

	for (i = 0; r != NULL && f->line > 0 && i < r->n; i++)
		if (r->r[i].line == f->line)
			x = &r->r[i];
	if (x == NULL) {
		(void)snprintf(dst, dstsz, "egress rules refuse %s %s: %s has "
		    "no rule for %s; add one (egress-file) if the request is "
		    "one the app must make", f->method, f->path, r != NULL ?
		    r->src : "(no rules)", f->host);
		return;
	}
	(void)snprintf(dst, dstsz, "egress rules refuse %s %s%s%s: no rule in "
	    "%s matches; nearest is line %u \"%s%s %s %s%s%s\"; fix it "
	    "(egress-file) if the request is one the app must make",
	    f->method, f->path, f->detail[0] ? ": " : "", f->detail, r->src,
	    x->line, x->method, x->read ? "/read" : "", x->host, x->pattern,
	    x->creds[0] ? " " : "", x->creds);
}

static void
diag_http(const struct app_conf *ac, const struct fail_msg *f,
    const char *where, const char *text, char *dst, size_t dstsz)
{
	char	opts[128];

	diag_cred_opts(ac, f, opts, sizeof(opts));
	if (f->http == 401)
		(void)snprintf(dst, dstsz, "%s; %s did not accept the "
		    "credential: check %s", text, where, opts);
	else if (f->http == 403)
		(void)snprintf(dst, dstsz, "%s; %s took the credential but it "
		    "lacks a permission: check the role of the key in %s",
		    text, where, opts);
	else
		(void)snprintf(dst, dstsz, "%s", text);
}

void
diag_line(const struct agent_app *aa, const struct fail_msg *in,
    const char *text, char *dst, size_t dstsz)
{
	const struct app_conf	*ac = aa->ac;
	struct fail_msg		 f = *in;
	char			 where[300];

	diag_clean(&f);
	diag_where(ac, &f, where, sizeof(where));
	switch (f.cause) {
	case FAIL_CONNECT:
		(void)snprintf(dst, dstsz, "%s %s: cannot connect to %s "
		    "(address %s, admitted by the IP allowlist %s): %s; check "
		    "base-url and that the service listens there", f.method,
		    f.path, where, f.addr[0] ? f.addr : "?",
		    diag_allow_src(ac), f.detail);
		break;
	case FAIL_TIMEOUT:
		(void)snprintf(dst, dstsz, "%s %s: no answer from %s (address "
		    "%s, admitted by the IP allowlist %s): %s; check the route "
		    "and firewall, or raise connect-timeout (%lds) or timeout "
		    "(%lds)", f.method, f.path, where, f.addr[0] ? f.addr : "?",
		    diag_allow_src(ac), f.detail, ac->connect_timeout,
		    ac->timeout);
		break;
	case FAIL_TLS:
		(void)snprintf(dst, dstsz, "%s %s: TLS verification of %s "
		    "failed: %s; set ca-file to the CA bundle that signed the "
		    "server's certificate (now: %s)", f.method, f.path, where,
		    f.detail, ac->ca_file != NULL ? ac->ca_file :
		    "the system store");
		break;
	case FAIL_ALLOW:
		(void)snprintf(dst, dstsz, "%s %s: %s: address %s is not in "
		    "the IP allowlist %s; add it there (allow-file) only if it "
		    "is the vendor's", f.method, f.path, where, f.addr,
		    diag_allow_src(ac));
		break;
	case FAIL_EGRESS:
		diag_egress(ac, &f, dst, dstsz);
		break;
	case FAIL_DNS:
		(void)snprintf(dst, dstsz, "%s %s: cannot resolve %s: %s; "
		    "check base-url (or pin it: resolve = HOST:PORT:ADDR)",
		    f.method, f.path, where, f.detail);
		break;
	case FAIL_HTTP:
		diag_http(ac, &f, where, text, dst, dstsz);
		break;
	default:
		(void)snprintf(dst, dstsz, "%s", text);
		break;
	}
	(void)text_clean(dst, dstsz, dst);
}
