/* Runs in: agent. Input: child exit statuses (kernel, trusted). */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "supervise.h"

static const struct {
	int		 sig;
	const char	*name;
} supervise_sigs[] = {
	{ SIGSYS,	"SIGSYS (seccomp violation)" },
	{ SIGSEGV,	"SIGSEGV (invalid memory access)" },
	{ SIGABRT,	"SIGABRT (aborted)" },
	{ SIGBUS,	"SIGBUS (bus error)" },
	{ SIGILL,	"SIGILL (illegal instruction)" },
	{ SIGFPE,	"SIGFPE (arithmetic error)" },
	{ SIGKILL,	"SIGKILL" },
	{ SIGTERM,	"SIGTERM" },
	{ SIGXFSZ,	"SIGXFSZ (file size limit)" },
	{ SIGPIPE,	"SIGPIPE" },
};

const char *
supervise_signame(int sig)
{
	static char	other[32];
	size_t		i;

	for (i = 0; i < sizeof(supervise_sigs) / sizeof(supervise_sigs[0]);
	    i++)
		if (supervise_sigs[i].sig == sig)
			return supervise_sigs[i].name;
	(void)snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}

int
supervise_wait(pid_t pid, char *buf, size_t bufsz)
{
	int	status;
	pid_t	r;

	do
		r = waitpid(pid, &status, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		(void)snprintf(buf, bufsz, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		(void)snprintf(buf, bufsz, "killed by %s",
		    supervise_signame(WTERMSIG(status)));
		return 2;
	}
	if (WEXITSTATUS(status) != 0) {
		(void)snprintf(buf, bufsz, "exited with status %d",
		    WEXITSTATUS(status));
		return 1;
	}
	(void)snprintf(buf, bufsz, "exited normally");
	return 0;
}
