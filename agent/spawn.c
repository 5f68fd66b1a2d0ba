/*
 * Runs in: agent (and its children between fork and exec). Input: paths
 * and ids from the configuration (trusted).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
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

static int
spawn_write(const char *file, const char *text)
{
	int	fd, ok;

	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * The parent left outside: it holds nothing (every fd closed), waits
 * for the fetcher and ends the way it did, so the agent's waitpid sees
 * the fetcher's own status (a seccomp kill stays SIGSYS).
 */
static void
spawn_reap(pid_t child)
{
	struct rlimit	rl = { 0, 0 };
	int		st;

	(void)close_range(0, ~0U, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
	while (waitpid(child, &st, 0) == -1)
		if (errno != EINTR)
			_exit(127);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	if (WIFSIGNALED(st)) {
		(void)signal(WTERMSIG(st), SIG_DFL);
		(void)raise(WTERMSIG(st));
	}
	_exit(127);
}

/*
 * A user namespace of its own (our uid and gid mapped to themselves, so
 * files look as they did), and in it a pid namespace (the fetcher is pid
 * 1 and sees no other process to signal), a network namespace (nothing
 * to connect to, only a loopback that is down) and an IPC namespace.
 * Needs no privilege. 0 in the fetcher-to-be; -1 when the kernel
 * refuses (nothing changed).
 */
static int
spawn_isolate(void)
{
	char	map[64];
	pid_t	pid;

	/* setuid() made us undumpable, and /proc/self root's: our own maps
	 * need it ours (briefly; the agent's copy holds no secret, and the
	 * fetcher makes itself undumpable again first thing). */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1 ||
	    unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
	    CLONE_NEWIPC) == -1)
		return -1;
	(void)snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getuid(),
	    (unsigned)getuid());
	if (spawn_write("/proc/self/uid_map", map) != 0 ||
	    spawn_write("/proc/self/setgroups", "deny") != 0)
		fatal("spawn: user namespace map");
	(void)snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getgid(),
	    (unsigned)getgid());
	if (spawn_write("/proc/self/gid_map", map) != 0)
		fatal("spawn: user namespace map");
	if ((pid = fork()) == -1)
		fatal("spawn: fork into the pid namespace");
	if (pid != 0)
		spawn_reap(pid);
	/* Gone with the parent, which goes with the agent. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("spawn: PR_SET_PDEATHSIG");
	return 0;
}

static void
spawn_child(const char *path, int broker_fd, int agent_fd,
    const struct priv_id *id)
{
	char *const	 argv[] = { (char *)(uintptr_t)path, NULL };
	char *const	 envp[] = { NULL };
	int		 null, bfd, afd;

	priv_demote(id, "spawn");
	/* The agent's stderr is still ours: a refusal can be told. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("spawn: PR_SET_PDEATHSIG");
	if (id->ns != PRIV_NS_OFF && spawn_isolate() != 0) {
		if (id->ns == PRIV_NS_REQUIRE)
			fatal("spawn: %s: namespaces (namespaces = require)",
			    path);
		log_warn("spawn: %s runs without namespaces of its own "
		    "(seccomp alone keeps its signals to itself)", path);
	}
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
