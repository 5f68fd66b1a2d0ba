/*
 * Starting children: the broker is forked (it keeps the parsed config),
 * each fetcher is fork+exec'd fresh from libexec with an empty
 * environment, fds 0-2 on /dev/null, 3 = broker channel, 4 = agent
 * channel and nothing else open. As root both run as an unprivileged
 * user with every capability cleared.
 */
#ifndef PC_SPAWN_H
#define PC_SPAWN_H

#include <sys/types.h>

struct spawn_id {
	int	 demote;	/* running as root: change to uid/gid */
	uid_t	 uid;
	gid_t	 gid;
	char	 name[64];
};

/*
 * Resolve the unprivileged user (name, falling back to "nobody").
 * When we are not root, demote is 0 and nothing changes. Returns 0 or
 * -1 with a message logged.
 */
int	spawn_id_resolve(struct spawn_id *id, const char *user);
/* Drop to id for good (capng_change_id, all capabilities cleared). */
void	spawn_demote(const struct spawn_id *id, const char *who);
/*
 * fork+exec path as a fetcher with broker_fd on 3 and agent_fd on 4.
 * Returns the child's pid or -1. The child never returns.
 */
pid_t	spawn_fetcher(const char *path, int broker_fd, int agent_fd,
	    const struct spawn_id *id);

#endif /* PC_SPAWN_H */
