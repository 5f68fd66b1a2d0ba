/*
 * One-line logging to stderr, prefixed with the process name (log.c of
 * OpenSMTPD). fatal() adds strerror(errno), fatalx() does not; both exit
 * with status 1. Never pass a secret, a body or a header value.
 */
#ifndef PC_LOG_H
#define PC_LOG_H

#include "err.h"

enum log_level {
	LOG_L_ERR	= 0,
	LOG_L_WARN	= 1,
	LOG_L_INFO	= 2,
	LOG_L_DEBUG	= 3
};

/* Name shown before every line ("agent", "broker"); static storage. */
void	log_init(const char *procname, int level);
void	log_set_fd(int fd);
int	log_level(void);
const char *log_procname(void);

void	log_warnx(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_warn(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_info(const char *fmt, ...) PC_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) PC_PRINTF(1, 2);
void	fatal(const char *fmt, ...) PC_PRINTF(1, 2) PC_NORETURN;
void	fatalx(const char *fmt, ...) PC_PRINTF(1, 2) PC_NORETURN;

#endif /* PC_LOG_H */
