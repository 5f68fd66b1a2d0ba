/* Runs in: broker, fetchers. Input: vendor headers (untrusted). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "retry.h"

#define RETRY_EPOCH_MIN	1000000000LL	/* a count this big is a time */
#define RETRY_VALUE_MAX	64

/* Decimal seconds, the whole value; -1 when it is not one. */
static long long
retry_seconds(const char *s)
{
	char		*end;
	long long	 v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	return v;
}

/*
 * timegm(3) without it: glibc's opens /etc/localtime (tzset), and a
 * sandboxed fetcher is killed for that openat. Days from the civil date
 * (proleptic Gregorian, H. Hinnant's algorithm), then the time of day.
 */
static long long
retry_timegm(const struct tm *tm)
{
	long long	y = (long long)tm->tm_year + 1900, m = tm->tm_mon + 1;
	long long	era, yoe, doy, doe;

	if (m < 1 || m > 12)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + tm->tm_hour * 3600LL +
	    tm->tm_min * 60LL + tm->tm_sec;
}

/* A whole value in format fmt (UTC), as seconds from now; -1 if not. */
static long long
retry_date(const char *s, const char *fmt, time_t now)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, fmt, &tm)) == NULL)
		return -1;
	/* ISO 8601 may carry fractions and a zone: only Z is UTC. */
	if (*end == '.')
		for (end++; isdigit((unsigned char)*end); end++)
			;
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return -1;
	return retry_timegm(&tm) - (long long)now;
}

/* Seconds to wait for one header value; -1 when it says nothing usable. */
static long long
retry_value(const char *v, time_t now)
{
	long long	s;

	if (strlen(v) >= RETRY_VALUE_MAX)
		return -1;
	if ((s = retry_seconds(v)) >= 0)
		return s >= RETRY_EPOCH_MIN ? s - (long long)now : s;
	if ((s = retry_date(v, "%a, %d %b %Y %H:%M:%S GMT", now)) != -1 ||
	    (s = retry_date(v, "%Y-%m-%dT%H:%M:%S", now)) != -1)
		return s;
	return -1;
}

/* The value of header name among "Name: value\n" lines, into dst. */
static int
retry_line(const char *lines, const char *name, char *dst, size_t dstsz)
{
	size_t		 n = strlen(name), k;
	const char	*p;

	for (p = lines; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		p += n + 1;
		p += strspn(p, " \t");
		k = strcspn(p, "\n");
		if (k >= dstsz)
			return -1;
		memcpy(dst, p, k);
		dst[k] = '\0';
		return 0;
	}
	return -1;
}

long long
retry_wait_ms(const char *retry, const char *ratelimit, time_t now)
{
	static const char *const resets[] = { "X-RateLimit-Reset",
	    "RateLimit-Reset" };
	char		v[RETRY_VALUE_MAX];
	long long	s;
	size_t		i;

	if (retry != NULL && retry[0] != '\0')
		return (s = retry_value(retry, now)) < 0 ? -1 : s * 1000;
	for (i = 0; ratelimit != NULL && i < 2; i++)
		if (retry_line(ratelimit, resets[i], v, sizeof(v)) == 0 &&
		    (s = retry_value(v, now)) >= 0)
			return s * 1000;
	return -1;
}
