/*
 * Dropping privilege: as root, the broker and every fetcher run as an
 * unprivileged user with every capability cleared, and prove it.
 */
#ifndef PC_PRIV_H
#define PC_PRIV_H

#include <sys/types.h>

enum priv_ns {
	PRIV_NS_AUTO = 0,	/* when the kernel allows, else say so */
	PRIV_NS_REQUIRE,	/* or the fetcher does not start */
	PRIV_NS_OFF
};

struct priv_id {
	int	 demote;	/* running as root: change to uid/gid */
	int	 ns;		/* enum priv_ns, for fetchers */
	uid_t	 uid;
	gid_t	 gid;
	char	 name[64];
};

/*
 * Resolve the unprivileged user (name, falling back to "nobody").
 * When we are not root, demote is 0 and nothing changes. Returns 0 or
 * -1 with a message logged.
 */
int	priv_id_resolve(struct priv_id *id, const char *user);
/* Drop to id for good (capng_change_id, all capabilities cleared). */
void	priv_demote(const struct priv_id *id, const char *who);

#endif /* PC_PRIV_H */
