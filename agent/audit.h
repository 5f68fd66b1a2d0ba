/*
 * The audit log: one append-only line per write request (sent, refused
 * or dry-run), written by the agent from the broker's AUDIT records.
 * Text: `TIME app=.. op=.. method=.. path=.. target=.. status=..
 * request=.. result=..`; JSON lines with the same keys. Never a secret:
 * the broker sends no header and no body except a dry run's, which still
 * holds its {{secret:..}} placeholders.
 */
#ifndef PC_AUDIT_H
#define PC_AUDIT_H

struct config;
struct msg;

/* Check audit-format. EXIT_* code. */
int	audit_check(struct config *cfg);
/* Open the configured log (audit-log, audit-format). EXIT_* code. */
int	audit_open(struct config *cfg);
#include <stddef.h>

#define AUDIT_NOACK	1	/* a line the broker does not wait for */

/*
 * Record one AUDIT message; dry runs are also printed on stdout. For a
 * write about to be sent (result "sending") reqid gets its request id
 * and the result says whether the line was written (0) or not; other
 * lines return AUDIT_NOACK.
 */
int	audit_record(const struct msg *m, char *reqid, size_t reqidsz);
void	audit_close(void);

#endif /* PC_AUDIT_H */
