/*
 * Watching children: wait for one and describe how it ended in words an
 * operator can act on ("killed by SIGSYS (seccomp violation)").
 */
#ifndef PC_SUPERVISE_H
#define PC_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Wait for pid and describe its end in buf. Returns 0 when it exited 0,
 * 1 when it exited non-zero, 2 when a signal killed it, -1 on error.
 */
int	supervise_wait(pid_t pid, char *buf, size_t bufsz);
/* "SIGSYS (seccomp violation)" and so on; never NULL. */
const char *supervise_signame(int sig);

#endif /* PC_SUPERVISE_H */
