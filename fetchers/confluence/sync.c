/*
 * Runs in: the Confluence fetcher. Input: none beyond the task. A sync
 * lists users, groups and spaces side by side; then, knowing them, the
 * members of each group and the permissions of each space, side by
 * side, so that every grant names a principal the sync holds.
 */
#include <stdio.h>

#include "confluence.h"
#include "log.h"

static int
conf_sync_odd(struct conn *c)
{
	struct conf	*cf = CONF(c);
	size_t		 i;
	int		 e;

	fetch_log(c->f, LOG_L_INFO, "confluence: %zu group name(s) hold '/' "
	    "or '\\' (no path can name them, Tomcat refuses %%2F): their "
	    "members come from each user's GET /rest/api/user/memberof "
	    "(%zu listings); groups nested in them are not listed", cf->odd.n,
	    cf->users.n);
	for (i = 0; i < cf->users.n; i++)
		if ((e = conf_memberof_list(c, cf->users.v[i])) != 0)
			return e;
	return 0;
}

static int
conf_sync_members(struct conn *c)
{
	struct conf	*cf = CONF(c);
	size_t		 i;
	int		 e;

	for (i = 0; i < cf->groups.n; i++)
		if (!conf_odd_name(cf->groups.v[i]) &&
		    ((e = conf_members_list(c, cf->groups.v[i])) != 0 ||
		    (e = conf_children_list(c, cf->groups.v[i])) != 0))
			return e;
	return cf->odd.n > 0 ? conf_sync_odd(c) : 0;
}

int
conf_sync(struct conn *c)
{
	struct conf	*cf = CONF(c);
	size_t		 i;
	int		 e;

	if ((e = conf_users_list(c)) != 0 || (e = conf_groups_list(c)) != 0 ||
	    (e = conf_spaces_list(c)) != 0 || (e = conn_run(c)) != 0)
		return e;
	if ((e = conf_sync_members(c)) != 0)
		return e;
	for (i = 0; i < cf->spaces.n; i++)
		if ((e = conf_perms_get(c, cf->spaces.v[i])) != 0)
			return e;
	if ((e = conn_run(c)) != 0)
		return e;
	if (cf->dangling > 0)
		fetch_log(c->f, LOG_L_WARN, "confluence: %lu grant(s) name a "
		    "user or group the listings did not return; left out",
		    cf->dangling);
	return 0;
}
