/*
 * Runs in: agent, broker, tools. Input: format strings (trusted) and the
 * values they format (any: every line is cleaned of control characters
 * before it reaches a terminal, a journal or a JSON collector).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jw.h"
#include "log.h"
#include "text.h"

static const char	*log_name = "portcullis";
static int		 log_lvl = LOG_L_INFO;
static int		 log_fd = 2;
static int		 log_fmt = LOG_F_CONSOLE;
static int		 log_journal;	/* stderr is the journal's stream */
static void		(*log_hook)(void);

void
log_init(const char *procname, int level)
{
	log_name = procname;
	log_lvl = level;
}

void
log_set_fd(int fd)
{
	log_fd = fd;
}

int
log_level(void)
{
	return log_lvl;
}

const char *
log_procname(void)
{
	return log_name;
}

int
log_format_parse(const char *s)
{
	if (s == NULL || strcmp(s, "console") == 0)
		return LOG_F_CONSOLE;
	if (strcmp(s, "json") == 0)
		return LOG_F_JSON;
	return -1;
}

/*
 * systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it gave
 * us; only when fd 2 is still that stream are we talking to journald
 * (systemd.exec(5): a child whose stderr was redirected must not
 * prefix).
 */
static int
log_journal_check(int fd)
{
	const char		*v = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			*end;

	if (v == NULL || fstat(fd, &st) == -1)
		return 0;
	dev = strtoull(v, &end, 10);
	if (end == v || *end != ':')
		return 0;
	v = end + 1;
	ino = strtoull(v, &end, 10);
	if (end == v || *end != '\0')
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_set_format(int fmt)
{
	log_fmt = fmt;
	log_journal = log_journal_check(log_fd);
}

int
log_format(void)
{
	return log_fmt;
}

int
log_journald(void)
{
	return log_journal;
}

void
log_set_hook(void (*before)(void))
{
	log_hook = before;
}

/* syslog(3) priorities: what journalctl -p filters on. */
static int
log_prio(int level)
{
	static const int	prio[] = { 3, 4, 6, 7 };

	return level >= 0 && level <= LOG_L_DEBUG ? prio[level] : 6;
}

static const char *
log_level_name(int level)
{
	static const char *const	names[] = { "error", "warn", "info",
					    "debug" };

	return level >= 0 && level <= LOG_L_DEBUG ? names[level] : "info";
}

/* RFC 3339 UTC with milliseconds. */
static void
log_time(char *dst, size_t dstsz)
{
	struct timespec	ts;
	struct tm	tm;
	char		s[32];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	if (snprintf(dst, dstsz, "%.20s.%03dZ", s, (int)(ts.tv_nsec /
	    1000000) % 1000) >= (int)dstsz)
		dst[0] = '\0';
}

static int
log_json_kv(struct buf *b, const struct log_kv *kv, size_t nkv)
{
	char	clean[1024];
	size_t	i;
	int	e = 0;

	for (i = 0; e == 0 && i < nkv; i++) {
		if (kv[i].key == NULL)
			continue;
		if ((e = buf_add_str(b, ",")) != 0 ||
		    (e = jw_key(b, kv[i].key)) != 0)
			break;
		if (kv[i].str == NULL)
			e = buf_printf(b, "%lld", kv[i].num);
		else
			e = jw_str(b, text_clean(clean, sizeof(clean),
			    kv[i].str));
	}
	return e;
}

/* One JSON object per line: time, level, proc, app, event, msg, fields. */
static void
log_json(int level, const char *app, const char *event, const char *msg,
    const struct log_kv *kv, size_t nkv)
{
	struct buf	 b;
	const char	*out;
	char		 t[40];
	int		 e;

	log_time(t, sizeof(t));
	buf_init(&b, 8192, 0);
	if ((e = buf_add_str(&b, "{\"time\":")) == 0 &&
	    (e = jw_str(&b, t)) == 0 &&
	    (e = buf_add_str(&b, ",\"level\":")) == 0 &&
	    (e = jw_str(&b, log_level_name(level))) == 0 &&
	    (e = buf_add_str(&b, ",\"proc\":")) == 0 &&
	    (e = jw_str(&b, log_name)) == 0 && app != NULL &&
	    (e = buf_add_str(&b, ",\"app\":")) == 0)
		e = jw_str(&b, app);
	if (e == 0 && (e = buf_add_str(&b, ",\"event\":")) == 0 &&
	    (e = jw_str(&b, event != NULL ? event : "log")) == 0 &&
	    (e = buf_add_str(&b, ",\"msg\":")) == 0 &&
	    (e = jw_str(&b, msg)) == 0 && (e = log_json_kv(&b, kv, nkv)) == 0 &&
	    (e = buf_add_str(&b, "}\n")) == 0 && (e = buf_cstr(&b, &out)) == 0)
		(void)!write(log_fd, out, b.len);
	buf_clear(&b);
}

/*
 * One write(2) per line so lines from several processes never mix. The
 * message is cleaned: a vendor's or fetcher's bytes never reach a
 * terminal as control characters.
 */
static void
log_emit(int level, const char *app, const char *event, const char *msg,
    const struct log_kv *kv, size_t nkv)
{
	char	clean[2048], line[2200];
	int	n;

	if (log_hook != NULL)
		log_hook();
	(void)text_clean(clean, sizeof(clean), msg);
	if (log_fmt == LOG_F_JSON) {
		log_json(level, app, event, clean, kv, nkv);
		return;
	}
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>%s: %s\n",
		    log_prio(level), log_name, clean);
	else
		n = snprintf(line, sizeof(line), "%s: %s\n", log_name, clean);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)!write(log_fd, line, (size_t)n);
}

static void	log_vline(int, const char *, va_list, const char *)
	    __attribute__((format(printf, 2, 0)));

static void
log_vline(int level, const char *fmt, va_list ap, const char *why)
{
	char	msg[2048];
	int	m;

	m = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (m < 0)
		return;
	if (why != NULL && (size_t)m < sizeof(msg))
		(void)snprintf(msg + m, sizeof(msg) - (size_t)m, ": %s", why);
	log_emit(level, NULL, NULL, msg, NULL, 0);
}

void
log_event(int level, const char *app, const char *event,
    const struct log_kv *kv, size_t nkv, const char *fmt, ...)
{
	char	msg[2048];
	va_list	ap;

	/* Warnings show at every level, as log_warnx's do. */
	if (level != LOG_L_ALWAYS && log_lvl < (level == LOG_L_WARN ?
	    LOG_L_ERR : level))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level == LOG_L_ALWAYS ? LOG_L_INFO : level, app, event, msg,
	    kv, nkv);
}

#define LOG_BODY(gate, prio, why) do {				\
	va_list	ap;						\
	if (log_lvl < (gate))					\
		return;						\
	va_start(ap, fmt);					\
	log_vline((prio), fmt, ap, (why));			\
	va_end(ap);						\
} while (0)

/* Warnings show at every level (as before levels had names). */
void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_L_ERR, LOG_L_WARN, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char	*why = strerror(errno);

	LOG_BODY(LOG_L_ERR, LOG_L_WARN, why);
}

void
log_errx(const char *fmt, ...)
{
	LOG_BODY(LOG_L_ERR, LOG_L_ERR, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_L_INFO, LOG_L_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_L_DEBUG, LOG_L_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char	*why = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	log_vline(LOG_L_ERR, fmt, ap, why);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(LOG_L_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
