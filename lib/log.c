/* Runs in: agent, broker, tools. Input: format strings (trusted). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char	*log_name = "portcullis";
static int		 log_lvl = LOG_L_INFO;
static int		 log_fd = 2;

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

/* One write(2) per line so lines from several processes never mix. */
static void	log_vline(const char *, va_list, const char *)
	    __attribute__((format(printf, 1, 0)));

static void
log_vline(const char *fmt, va_list ap, const char *why)
{
	char	line[2048];
	int	n, m;

	n = snprintf(line, sizeof(line), "%s: ", log_name);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n = (size_t)(n + m) >= sizeof(line) - 2 ? (int)sizeof(line) - 2 : n + m;
	if (why != NULL) {
		m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s", why);
		if (m > 0)
			n = (size_t)(n + m) >= sizeof(line) - 2 ?
			    (int)sizeof(line) - 2 : n + m;
	}
	line[n++] = '\n';
	(void)!write(log_fd, line, (size_t)n);
}

#define LOG_BODY(lvl, why) do {					\
	va_list	ap;						\
	if (log_lvl < (lvl))					\
		return;						\
	va_start(ap, fmt);					\
	log_vline(fmt, ap, (why));				\
	va_end(ap);						\
} while (0)

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_L_ERR, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char	*why = strerror(errno);

	LOG_BODY(LOG_L_ERR, why);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_L_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_L_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char	*why = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, why);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
