/*
 * Runs in: broker. Input: HTTP_REQ from fetchers (untrusted: every field
 * is checked for meaning here, after the channel checked its shape).
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "broker.h"
#include "config.h"
#include "cred.h"
#include "egress.h"
#include "http.h"
#include "log.h"
#include "spawn.h"

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

/* One audit line to the agent for every write, sent or refused. */
static void
broker_audit(struct broker *b, struct broker_app *a, const char *method,
    const char *op, const char *target, long status, const char *reqid)
{
	struct buf	buf;
	char		line[MSG_TEXT_MAX];

	(void)snprintf(line, sizeof(line), "app=%s op=%s method=%s "
	    "target=%s status=%ld request=%s", a->name, op, method,
	    target, status, reqid);
	buf_init(&buf, MSG_TEXT_MAX + 64, 0);
	if (tlv_add_str(&buf, TAG_AUDIT_TEXT, line) == 0 &&
	    chan_send_buf(&b->agent, MSG_AUDIT, 0, &buf) != 0)
		log_warnx("broker: cannot send audit line to the agent");
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
	log_warnx("broker: %s: %s", bc->a->name, text);
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

/* Policy before any byte leaves: method, egress rule, write switches. */
static int
broker_policy(struct broker_call *bc, struct msg *m, const char *method,
    const char *path, const char *op, const char *target)
{
	struct broker_app	*a = bc->a;

	if (!broker_method_ok(method))
		return broker_refuse(bc, m, PC_E_POLICY, "method \"%.16s\" is "
		    "not allowed", method), PC_E_POLICY;
	if (egress_check(a->egress, method, a->host, path) != 0) {
		char	what[600];

		(void)snprintf(what, sizeof(what), "%s %.500s", method, path);
		if (broker_is_write(method))
			broker_audit(bc->b, a, method, op, target, 0, "refused");
		return broker_refuse(bc, m, PC_E_POLICY, "egress rules refuse "
		    "%s", what), PC_E_POLICY;
	}
	if (!broker_is_write(method))
		return 0;
	if (bc->b->read_only || !a->provisioning) {
		broker_audit(bc->b, a, method, op, target, 0, "refused");
		return broker_refuse(bc, m, PC_E_POLICY, "%s", bc->b->read_only ?
		    "read-only mode refuses every write" :
		    "provisioning is not enabled for this app"), PC_E_POLICY;
	}
	if (a->writes >= a->max_writes) {
		broker_audit(bc->b, a, method, op, target, 0, "refused");
		return broker_refuse(bc, m, PC_E_POLICY, "%s", "maximum writes "
		    "per run reached"), PC_E_POLICY;
	}
	return 0;
}

static int
broker_on_http_req(struct chan *c, struct msg *m, void *arg)
{
	struct broker_call	*bc = arg;
	struct broker_app	*a = bc->a;
	struct http_req		 req;
	struct http_resp	 r;
	char			 method[16], path[MSG_PATH_MAX + 1024];
	char			 accept[130], ctype[130], op[66], target[1026];
	char			 reqid[32];
	size_t			 plen;
	int			 e;

	(void)c;
	memset(&req, 0, sizeof(req));
	accept[0] = ctype[0] = '\0';
	(void)snprintf(op, sizeof(op), "write");
	(void)snprintf(target, sizeof(target), "-");
	if (tlv_str(&m->tf, TAG_HTTP_REQ_METHOD, method, sizeof(method)) != 0 ||
	    tlv_str(&m->tf, TAG_HTTP_REQ_PATH, path + strlen(a->base_path),
	    sizeof(path) - strlen(a->base_path)) != 0)
		return PC_E_VALUE;
	memcpy(path, a->base_path, strlen(a->base_path));
	(void)!tlv_str(&m->tf, TAG_HTTP_REQ_ACCEPT, accept, sizeof(accept));
	(void)!tlv_str(&m->tf, TAG_HTTP_REQ_CTYPE, ctype, sizeof(ctype));
	(void)!tlv_str(&m->tf, TAG_HTTP_REQ_OPERATION, op, sizeof(op));
	(void)!tlv_str(&m->tf, TAG_HTTP_REQ_TARGET, target, sizeof(target));
	if (path[strlen(a->base_path)] != '/')
		return broker_refuse(bc, m, PC_E_POLICY, "path must start "
		    "with /");
	if (broker_policy(bc, m, method, path, op, target) != 0)
		return 0;
	req.method = method;
	req.path = path;
	req.accept = accept[0] ? accept : NULL;
	req.ctype = ctype[0] ? ctype : NULL;
	req.body = tlv_bytes(&m->tf, TAG_HTTP_REQ_BODY, &plen);
	req.len = plen;
	(void)snprintf(reqid, sizeof(reqid), "r%llu-%d",
	    (unsigned long long)++bc->b->reqno, (int)getpid());
	http_resp_init(&r);
	if (broker_is_write(method))
		a->writes++;
	e = http_perform(a, &req, &r);
	if (broker_is_write(method))
		broker_audit(bc->b, a, method, op, target, e == 0 ? r.status :
		    -1, reqid);
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

static char *
broker_read_ca(const char *path, size_t *len)
{
	char	*p;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		fatal("broker: ca-file %s", path);
	if ((p = malloc(BROKER_CA_MAX)) == NULL)
		fatal("broker: ca-file");
	n = read(fd, p, BROKER_CA_MAX);
	close(fd);
	if (n <= 0 || n == BROKER_CA_MAX)
		fatalx("broker: ca-file %s: empty or over %d bytes", path,
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
	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (a->secret_opt != NULL &&
		    cred_load(b->cfg, a->name, a->secret_opt, &a->secret) != 0)
			fatalx("broker: %s: cannot start without its %s",
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
	if (chan_init(&b->agent, b->agent_fd, P_BROKER, P_AGENT, "agent") != 0)
		fatalx("broker: agent channel");
	for (i = 0; i < b->napps; i++) {
		a = &b->apps[i];
		if (http_app_init(a) != 0)
			fatalx("broker: %s: HTTP set-up failed", a->name);
		if (chan_init(&a->ch, a->fd, P_BROKER, P_FETCHER, a->name) != 0)
			fatalx("broker: %s: channel", a->name);
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

	if ((e = chan_recv(&a->ch, &m)) == 0 &&
	    (e = msg_dispatch(&a->ch, broker_routes, sizeof(broker_routes) /
	    sizeof(broker_routes[0]), &m, &bc)) == 0)
		return;
	if (e != PC_E_EOF) {
		log_warnx("broker: fetcher %s: %s; channel closed", a->name,
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
	struct pollfd	pfd[64];
	size_t		i, n, map[64];

	for (;;) {
		for (i = n = 0; i < b->napps && n < 64; i++) {
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
			fatal("broker: poll");
		}
		for (i = 0; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				broker_app_read(b, &b->apps[map[i]]);
	}
}

void
broker_main(struct broker *b)
{
	struct rlimit	rl = { 0, 0 };
	struct buf	end;
	size_t		i;

	log_init("broker", log_level());
	/* Keys live here: no core file, no ptrace by our own uid. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("broker: disable core dumps");
	signal(SIGPIPE, SIG_IGN);
	broker_load(b);
	spawn_demote(b->id, "broker");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("broker: PR_SET_DUMPABLE");
	broker_open(b);
	broker_loop(b);
	for (i = 0; i < b->napps; i++)
		http_app_clear(&b->apps[i]);
	cred_clear();
	buf_init(&end, 64, 0);
	if (tlv_add_u32(&end, TAG_BROKER_END_STATUS, 0) == 0)
		(void)!chan_send_buf(&b->agent, MSG_BROKER_END, 0, &end);
	buf_clear(&end);
	_exit(0);
}
