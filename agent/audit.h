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
/* Record one AUDIT message; dry runs are also printed on stdout. */
int	audit_record(const struct msg *m);
void	audit_close(void);

#endif /* PC_AUDIT_H */
