/*
 * Retry-After and RateLimit-Reset values: seconds, HTTP dates and ISO
 * 8601 (Atlassian's X-RateLimit-Reset), computed without the process's
 * time zone (a sandboxed fetcher cannot open /etc/localtime).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry.h"
#include "t.h"

int
main(void)
{
	/* 2026-12-01T13:13:00Z */
	const time_t	now = 1796130780;

	t_init("test_retry");
	/* A zone the process would apply if it used one. */
	(void)setenv("TZ", "Pacific/Chatham", 1);
	tzset();
	t_int("Retry-After seconds", retry_wait_ms("3", "", now), 3000);
	t_int("X-RateLimit-Reset ISO 8601 Z",
	    retry_wait_ms("", "X-RateLimit-Reset: 2026-12-01T13:13:05Z\n", now),
	    5000);
	t_int("ISO 8601 with fractions",
	    retry_wait_ms("", "X-RateLimit-Reset: 2026-12-01T13:14:00.250Z\n",
	    now), 60000);
	t_int("HTTP date", retry_wait_ms("Tue, 01 Dec 2026 13:13:10 GMT", "",
	    now), 10000);
	t_int("across a leap day", retry_wait_ms("", "X-RateLimit-Reset: "
	    "2028-03-01T00:00:00Z\n", 1835481600 - 86400), 86400000);
	t_int("nothing usable", retry_wait_ms("", "", now), -1);
	return t_done();
}
