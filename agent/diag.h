/*
 * The one line a failed run says: what (the request line, no query),
 * where (host:port, the address tried), why, and what to do, with every
 * file name (allowlist, egress rules, CA bundle) and option name taken
 * from the agent's own configuration, never from the fetcher.
 */
#ifndef PC_DIAG_H
#define PC_DIAG_H

#include <stddef.h>

#include "msgs.h"

struct agent_app;

/*
 * Render f (cause FAIL_NONE: text alone) for app aa into dst (dstsz
 * bytes, always terminated, cleaned of control characters). text is
 * the sender's own line, kept for causes whose detail is the vendor's
 * (HTTP statuses).
 */
void	diag_line(const struct agent_app *aa, const struct fail_msg *f,
	    const char *text, char *dst, size_t dstsz);

#endif /* PC_DIAG_H */
