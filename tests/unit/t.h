/*
 * Minimal unit-test support. Each check prints one line on failure:
 * "test_tlv: rejects duplicate tag: got 0, want -4". t_done() prints the
 * closing "N passed, N failed[, N skipped]" line and gives the exit code.
 */
#ifndef PC_T_H
#define PC_T_H

#include <stdint.h>

void	t_init(const char *name);
/* Record one check: ok non-zero is a pass. */
void	t_ok(int ok, const char *what, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	t_int(const char *what, long long got, long long want);
void	t_str(const char *what, const char *got, const char *want);
void	t_skip(const char *what, const char *why);
int	t_done(void);

#endif
