/*
 * When a vendor says to come back: Retry-After as delay-seconds or an
 * HTTP-date (RFC 9110 10.2.3), or a rate-limit reset time
 * (X-RateLimit-Reset, RateLimit-Reset) as ISO 8601 UTC, epoch seconds
 * or seconds from now. Used by the broker (to pause an app) and the
 * connector kit (to wait before a retry).
 */
#ifndef PC_RETRY_H
#define PC_RETRY_H

#include <time.h>

/*
 * Milliseconds to wait from now (wall clock `now`), from the Retry-After
 * value retry and the "Name: value\n" rate-limit lines; -1 when neither
 * says (or says nonsense: negative, unparsable). Values are not capped
 * here: the caller compares with its own cap.
 */
long long retry_wait_ms(const char *retry, const char *ratelimit, time_t now);

#endif /* PC_RETRY_H */
