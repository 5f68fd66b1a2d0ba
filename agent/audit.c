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

/* Text of a field with control bytes, quotes and backslashes escaped. */
static void
audit_field(struct buf *b, const struct msg *m, unsigned tag, int json)
{
	size_t		 len, i;
	const uint8_t	*p = tlv_bytes(&m->tf, tag, &len);

	for (i = 0; p != NULL && i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			(void)!buf_printf(b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			(void)!buf_printf(b, json ? "\\u%04x" : "\\x%02x", p[i]);
		else if (!json && p[i] == ' ')
			(void)!buf_add(b, "_", 1);
		else
			(void)!buf_add(b, &p[i], 1);
	}
}

static const struct {
	const char	*key;
	unsigned	 tag;
} audit_keys[] = {
	{ "app",	TAG_AUDIT_APP },
	{ "op",		TAG_AUDIT_OP },
	{ "method",	TAG_AUDIT_METHOD },
	{ "path",	TAG_AUDIT_PATH },
	{ "target",	TAG_AUDIT_TARGET },
	{ "request",	TAG_AUDIT_REQID },
	{ "result",	TAG_AUDIT_RESULT },
};

static void
audit_line(struct buf *b, const struct msg *m, const char *when)
{
	uint32_t	status = 0;
	size_t		i;

	(void)!tlv_u32(&m->tf, TAG_AUDIT_STATUS, &status);
	(void)!buf_printf(b, audit_json ? "{\"time\":\"%s\"" : "%s", when);
	for (i = 0; i < sizeof(audit_keys) / sizeof(audit_keys[0]); i++) {
		(void)!buf_printf(b, audit_json ? ",\"%s\":\"" : " %s=",
		    audit_keys[i].key);
		audit_field(b, m, audit_keys[i].tag, audit_json);
		if (audit_json)
			(void)!buf_add(b, "\"", 1);
	}
	(void)!buf_printf(b, audit_json ? ",\"status\":%u}\n" :
	    " status=%u\n", status);
}

static void
audit_dry_run(const struct msg *m)
{
	char		 method[16], path[MSG_PATH_MAX + 1024];
	size_t		 len;
	const uint8_t	*body = tlv_bytes(&m->tf, TAG_AUDIT_BODY, &len);

	(void)!tlv_str(&m->tf, TAG_AUDIT_METHOD, method, sizeof(method));
	(void)!tlv_str(&m->tf, TAG_AUDIT_PATH, path, sizeof(path));
	printf("dry-run: %s %s\n", method, path);
	if (body != NULL && len > 0)
		printf("%.*s\n", (int)len, (const char *)body);
}

int
audit_record(const struct msg *m)
{
	struct buf	b;
	char		when[32], result[32];
	time_t		now = time(NULL);
	struct tm	tm;

	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&now, &tm));
	if (tlv_str(&m->tf, TAG_AUDIT_RESULT, result, sizeof(result)) == 0 &&
	    strcmp(result, "dry-run") == 0)
		audit_dry_run(m);
	buf_init(&b, 64 * 1024, 0);
	audit_line(&b, m, when);
	if (b.err == 0) {
		if (audit_fd != -1) {
			if (write(audit_fd, b.p, b.len) != (ssize_t)b.len)
				log_warn("audit-log write");
		} else
			log_info("audit: %.*s", (int)b.len - 1, b.p);
	}
	buf_clear(&b);
	return 0;
}
