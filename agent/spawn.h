/*
 * Starting fetchers: each is fork+exec'd fresh from libexec with an
 * empty environment, fds 0-2 on /dev/null, 3 = broker channel, 4 = agent
 * channel and nothing else open; as root it runs as the unprivileged
 * user with every capability cleared.
 */
#ifndef PC_SPAWN_H
#define PC_SPAWN_H

#include <sys/types.h>

#include "priv.h"

/*
 * fork+exec path as a fetcher with broker_fd on 3 and agent_fd on 4.
 * Returns the child's pid or -1. The child never returns.
 */
pid_t	spawn_fetcher(const char *path, int broker_fd, int agent_fd,
	    const struct priv_id *id);

#endif /* PC_SPAWN_H */
