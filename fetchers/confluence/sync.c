/*
 * Runs in: the Confluence fetcher. Input: none beyond the task. A sync
 * lists users, groups and spaces side by side; then, knowing them, the
 * members of each group and the permissions of each space, side by
 * side, so that every grant names a principal the sync holds.
 */
#include <stdio.h>

#include "confluence.h"
#include "log.h"

/*
 * Per-group and per-user listings go out a window at a time, the next
 * when one ends: a listing holds some 40 KiB of page fingerprints, and
 * 20,000 memberof listings queued at once took the fetcher to 700 MiB.
 */
static int	conf_feed(struct conn *c);

static int
conf_feed_end(struct conn *c, void *arg)
{
	(void)arg;
	CONF(c)->feed_active--;
	return conf_feed(c);
}

static int
conf_feed(struct conn *c)
{
	struct conf	*cf = CONF(c);
	const char	*g;
	int		 e;

	while (cf->feed_active < 4 * c->max_inflight) {
		if (cf->feed_group < cf->groups.n) {
			g = cf->groups.v[cf->feed_group++];
			if (conf_odd_name(g))
				continue;
			if ((e = conf_members_list(c, g, conf_feed_end)) != 0)
				return e;
			cf->feed_active++;
			if ((e = conf_children_list(c, g, conf_feed_end)) != 0)
				return e;
			cf->feed_active++;
		} else if (cf->odd.n > 0 && cf->feed_user < cf->users.n) {
			if ((e = conf_memberof_list(c,
			    cf->users.v[cf->feed_user++], conf_feed_end)) != 0)
				return e;
			cf->feed_active++;
		} else
			break;
	}
	return 0;
}

static void
conf_sync_odd_log(struct conn *c)
{
	struct conf	*cf = CONF(c);

	fetch_log(c->f, LOG_L_INFO, "confluence: %zu group name(s) hold '/' "
	    "or '\\' (no path can name them, Tomcat refuses %%2F): their "
	    "members come from each user's GET /rest/api/user/memberof "
	    "(%zu listings); groups nested in them are not listed", cf->odd.n,
	    cf->users.n);
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
	if (cf->odd.n > 0)
		conf_sync_odd_log(c);
	if ((e = conf_feed(c)) != 0)
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
