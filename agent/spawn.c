/*
 * Runs in: agent (and its children between fork and exec). Input: paths
 * and ids from the configuration (trusted).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "spawn.h"

/* Move fd to want, which must not be one of the other channel fds. */
static void
spawn_fd_to(int fd, int want, const char *step)
{
	if (fd == want) {
		if (fcntl(fd, F_SETFD, 0) == -1)
			fatal("spawn: %s", step);
		return;
	}
	if (dup2(fd, want) == -1)
		fatal("spawn: %s", step);
}

static void
spawn_child(const char *path, int broker_fd, int agent_fd,
    const struct priv_id *id)
{
	char *const	 argv[] = { (char *)(uintptr_t)path, NULL };
	char *const	 envp[] = { NULL };
	int		 null, bfd, afd;

	/* Park the channels above 4 so the dup2s below cannot clobber. */
	if ((bfd = fcntl(broker_fd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (afd = fcntl(agent_fd, F_DUPFD_CLOEXEC, 10)) == -1)
		fatal("spawn: park channels");
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("spawn: /dev/null");
	spawn_fd_to(null, 0, "stdin");
	spawn_fd_to(null, 1, "stdout");
	spawn_fd_to(null, 2, "stderr");
	spawn_fd_to(bfd, 3, "broker channel");
	spawn_fd_to(afd, 4, "agent channel");
	if (close_range(5, ~0U, 0) == -1)
		fatal("spawn: close_range");
	priv_demote(id, "spawn");
	execve(path, argv, envp);
	fatal("spawn: execve %s", path);
}

pid_t
spawn_fetcher(const char *path, int broker_fd, int agent_fd,
    const struct priv_id *id)
{
	pid_t	pid;

	if ((pid = fork()) == -1) {
		log_warn("spawn: fork");
		return -1;
	}
	if (pid == 0) {
		/* Our log lines must not reach the fetcher's /dev/null. */
		spawn_child(path, broker_fd, agent_fd, id);
		_exit(127);
	}
	return pid;
}
