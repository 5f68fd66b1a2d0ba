/*
 * Retry-After as an HTTP-date: the wait is right, and working it out
 * needs no system call at all (glibc's timegm opens /etc/localtime, and
 * a sandboxed fetcher is killed for that): it runs here under seccomp's
 * strict mode, which kills on anything but read, write and exit. Also
 * RateLimit-Reset values in ISO 8601 (Atlassian's X-RateLimit-Reset),
 * computed without the process's time zone.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "retry.h"
#include "t.h"

/* The wait for s at now, worked out in a strict-mode child; -2: killed. */
static long long
retry_strict(const char *s, time_t now)
{
	long long	v = -2;
	int		p[2], st;
	pid_t		pid;

	if (pipe(p) != 0 || (pid = fork()) == -1)
		return -3;
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
			syscall(SYS_exit, 1);
		v = retry_wait_ms(s, NULL, now);
		if (write(p[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
			syscall(SYS_exit, 1);
		syscall(SYS_exit, 0);
	}
	close(p[1]);
	if (read(p[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = -2;
	close(p[0]);
	(void)waitpid(pid, &st, 0);
	return v;
}

int
main(void)
{
	t_init("test_retry");
	/* First: a date call made before would have loaded the zone. */
	t_int("HTTP-date with no system call (seccomp strict)", retry_strict(
	    "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 1), 1000);
	/* 2099-01-01T00:00:00Z is 4070908800. */
	t_int("HTTP-date", retry_wait_ms("Thu, 01 Jan 2099 00:00:00 GMT", NULL,
	    4070908800 - 10), 10000);
	t_int("HTTP-date across a leap day", retry_wait_ms("Wed, 01 Mar 2028 "
	    "00:00:00 GMT", NULL, 1835481600 - 86400), 86400000);
	t_int("seconds", retry_wait_ms("7", NULL, 0), 7000);
	/* A zone the process would apply if it used one. */
	(void)setenv("TZ", "Pacific/Chatham", 1);
	tzset();
	/* 2026-12-01T13:13:00Z */
	t_int("X-RateLimit-Reset ISO 8601 Z", retry_wait_ms("",
	    "X-RateLimit-Reset: 2026-12-01T13:13:05Z\n", 1796130780), 5000);
	t_int("ISO 8601 with fractions", retry_wait_ms("", "X-RateLimit-Reset: "
	    "2026-12-01T13:14:00.250Z\n", 1796130780), 60000);
	t_int("HTTP date in a zone far from UTC", retry_wait_ms("Tue, 01 Dec "
	    "2026 13:13:10 GMT", "", 1796130780), 10000);
	t_int("nothing usable", retry_wait_ms("", "", 1796130780), -1);
	return t_done();
}
