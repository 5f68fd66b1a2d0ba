/* Runs in: agent. Input: AUDIT records from the broker (trusted). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "audit.h"
#include "config.h"
#include "log.h"
#include "msg.h"
#include "msgs.h"

static int	audit_fd = -1;
static int	audit_json;

int
audit_check(struct config *cfg)
{
	const char	*fmt = config_get(cfg, NULL, "audit-format", NULL);

	if (strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0) {
		log_warnx("audit-format \"%.16s\" is not text or json", fmt);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
audit_open(struct config *cfg)
{
	const char	*path = config_get(cfg, NULL, "audit-log", NULL);
	const char	*fmt = config_get(cfg, NULL, "audit-format", NULL);

	if (audit_check(cfg) != EXIT_OK)
		return EXIT_USAGE;
	audit_json = strcmp(fmt, "json") == 0;
	if (path == NULL)
		return EXIT_OK;
	/* O_APPEND: one write(2) per line, never a rewrite of the file. */
	if ((audit_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		log_warn("audit-log %s", path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void
audit_close(void)
{
	if (audit_fd != -1)
		close(audit_fd);
	audit_fd = -1;
}

/*
 * A field's bytes with quotes, backslashes, controls (C0, DEL and the C1
 * range as raw 0x80-0x9f or as UTF-8 U+0080-U+009F) escaped, so no line
 * of the log or of the terminal can be forged or steered.
 */
#define AUDIT_TTY	2	/* a terminal: only controls are escaped */

static void
audit_field(struct buf *b, const uint8_t *p, size_t len, int json)
{
	size_t	i;

	for (i = 0; p != NULL && i < len; i++) {
		if (json != AUDIT_TTY && (p[i] == '"' || p[i] == '\\'))
			(void)!buf_printf(b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f || (p[i] >= 0x80 &&
		    p[i] <= 0x9f))
			(void)!buf_printf(b, json == 1 ? "\\u%04x" : "\\x%02x",
			    p[i]);
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			(void)!buf_printf(b, json == 1 ? "\\u%04x" : "\\x%02x",
			    p[i + 1]);
			i++;
		} else if (!json && p[i] == ' ')
			(void)!buf_add(b, "_", 1);
		else
			(void)!buf_add(b, &p[i], 1);
	}
}

static void
audit_str(struct buf *b, const char *s, int json)
{
	audit_field(b, (const uint8_t *)s, strlen(s), json);
}

static void
audit_line(struct buf *b, const struct audit_msg *a, const char *when)
{
	const struct {
		const char	*key, *val;
	} kv[] = {
		{ "app", a->app }, { "op", a->op }, { "method", a->method },
		{ "path", a->path }, { "target", a->target },
		{ "request", a->reqid }, { "result", a->result },
	};
	size_t	i;

	(void)!buf_printf(b, audit_json ? "{\"time\":\"%s\"" : "%s", when);
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		(void)!buf_printf(b, audit_json ? ",\"%s\":\"" : " %s=",
		    kv[i].key);
		audit_str(b, kv[i].val, audit_json);
		if (audit_json)
			(void)!buf_add(b, "\"", 1);
	}
	(void)!buf_printf(b, audit_json ? ",\"status\":%u" : " status=%u",
	    a->status);
	/* Where a sent write went: the address actually connected. */
	if (a->peer[0] != '\0') {
		(void)!buf_add_str(b, audit_json ? ",\"peer\":\"" : " peer=");
		audit_str(b, a->peer, audit_json);
		if (audit_json)
			(void)!buf_add(b, "\"", 1);
	}
	(void)!buf_add_str(b, audit_json ? "}\n" : "\n");
}

/* A dry run's request on stdout, escaped like the log: never raw. */
static void
audit_dry_run(const struct audit_msg *a)
{
	struct buf	b;

	buf_init(&b, 4 * MSG_REQ_MAX + 1024, 0);
	(void)!buf_add_str(&b, "dry-run: ");
	audit_str(&b, a->method, AUDIT_TTY);
	(void)!buf_add(&b, " ", 1);
	audit_str(&b, a->path, AUDIT_TTY);
	(void)!buf_add(&b, "\n", 1);
	if (a->body != NULL && a->len > 0) {
		audit_field(&b, a->body, a->len, AUDIT_TTY);
		(void)!buf_add(&b, "\n", 1);
	}
	if (b.err == 0)
		(void)fwrite(b.p, 1, b.len, stdout);
	buf_clear(&b);
}

int
audit_record(const struct msg *m, char *reqid, size_t reqidsz)
{
	static struct audit_msg	a;
	struct buf		b;
	char			when[32];
	time_t			now = time(NULL);
	struct tm		tm;
	int			e, rc = 0;

	memset(&a, 0, sizeof(a));
	if ((e = msg_audit_decode(m, &a)) != 0)
		return e;
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&now, &tm));
	if (strcmp(a.result, "dry-run") == 0)
		audit_dry_run(&a);
	buf_init(&b, 64 * 1024, 0);
	audit_line(&b, &a, when);
	if (b.err != 0)
		rc = b.err;
	else if (audit_fd != -1) {
		if (write(audit_fd, b.p, b.len) != (ssize_t)b.len) {
			log_warn("audit-log write");
			rc = PC_E_SYS;
		}
	} else
		log_info("audit: %.*s", (int)b.len - 1, b.p);
	buf_clear(&b);
	/* Only a write about to be sent waits for us (write-ahead). */
	if (strcmp(a.result, "sending") != 0)
		return AUDIT_NOACK;
	(void)!buf_scopy(reqid, reqidsz, a.reqid);
	return rc;
}
