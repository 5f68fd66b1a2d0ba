/*
 * One-line logging to stderr, prefixed with the process name (log.c of
 * OpenSMTPD). fatal() adds strerror(errno), fatalx() does not; both exit
 * with status 1. Never pass a secret, a body or a header value.
 * --log-format json writes one JSON object per line instead (time,
 * level, proc, app, event, msg and the event's fields); under journald
 * (JOURNAL_STREAM names our stderr) console lines carry a <N> syslog
 * priority prefix so `journalctl -p warning` works. Every line is
 * cleaned of control characters (text_clean).
 */
#ifndef PC_LOG_H
#define PC_LOG_H

#include <stddef.h>

#include "err.h"

enum log_level {
	LOG_L_ERR	= 0,
	LOG_L_WARN	= 1,
	LOG_L_INFO	= 2,
	LOG_L_DEBUG	= 3,
	LOG_L_ALWAYS	= 9	/* log_event: shown at every level, as info */
};

enum log_format {
	LOG_F_CONSOLE	= 0,
	LOG_F_JSON	= 1
};

/* A field of an event: a string (str != NULL) or a number. */
struct log_kv {
	const char	*key;
	const char	*str;
	long long	 num;
};

/* Name shown before every line ("agent", "broker"); static storage. */
void	log_init(const char *procname, int level);
void	log_set_fd(int fd);
int	log_level(void);
const char *log_procname(void);
/* "console" (or NULL) and "json" as LOG_F_*, or -1. */
int	log_format_parse(const char *s);
/* Set the format; looks at JOURNAL_STREAM against the log fd now. */
void	log_set_format(int fmt);
int	log_format(void);
int	log_journald(void);
/* Called before each line is written (the progress line clears itself). */
void	log_set_hook(void (*before)(void));
/*
 * One event: level (or LOG_L_ALWAYS), the app it concerns (or NULL), a
 * short event name ("sync_failed", "request"), nkv fields, a message.
 */
void	log_event(int level, const char *app, const char *event,
	    const struct log_kv *kv, size_t nkv, const char *fmt, ...)
	    PC_PRINTF(6, 7);

void	log_warnx(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_warn(const char *fmt, ...) PC_PRINTF(1, 2);
/* An error: as log_warnx, with the error priority (journald <3>). */
void	log_errx(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_info(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) PC_PRINTF(1, 2);
void	fatal(const char *fmt, ...) PC_PRINTF(1, 2) PC_NORETURN;
void	fatalx(const char *fmt, ...) PC_PRINTF(1, 2) PC_NORETURN;

#endif /* PC_LOG_H */
