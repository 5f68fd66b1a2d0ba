/*
 * Runs in: agent (resolving the user), broker and fetchers' parents
 * (demoting). Input: the configured user name (trusted).
 */
#include <sys/types.h>

#include <cap-ng.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

int
priv_id_resolve(struct priv_id *id, const char *user)
{
	struct passwd	*pw;

	memset(id, 0, sizeof(*id));
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_info("user \"%s\" does not exist, using \"nobody\"", user);
		if ((pw = getpwnam("nobody")) == NULL) {
			log_warnx("neither \"%s\" nor \"nobody\" exists", user);
			return -1;
		}
	}
	if (pw->pw_uid == 0) {
		log_warnx("unprivileged user \"%s\" is root", pw->pw_name);
		return -1;
	}
	id->demote = 1;
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	(void)snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	return 0;
}

void
priv_demote(const struct priv_id *id, const char *who)
{
	if (!id->demote)
		return;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_change_id((int)id->uid, (int)id->gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0)
		fatalx("%s: cannot drop privileges to %s", who, id->name);
	/* Prove the drop, as OpenSSH's permanently_set_uid() does. */
	if (setuid(0) != -1 || seteuid(0) != -1 || getuid() != id->uid ||
	    geteuid() != id->uid || getgid() != id->gid)
		fatalx("%s: was able to regain root", who);
}

