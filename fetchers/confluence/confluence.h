/*
 * The Confluence Data Center REST API fetcher, on the connector kit:
 * what its files share. Paths are relative to the operator's hostname
 * (its context path included, the broker prepends it); every name that
 * goes into a path or a query is percent-encoded; lists are pages of
 * start/limit with a _links.next while more remain.
 */
#ifndef PC_CONFLUENCE_H
#define PC_CONFLUENCE_H

#include "kit.h"

#define CONF_JSON	"application/json"
#define CONF_PAGE	200	/* the usual server maximum of limit */
#define CONF_NAME_MAX	1024	/* userKey, username, group name, space key */
#define CONF_ENC_MAX	(3 * CONF_NAME_MAX + 1)
#define CONF_SET_MAX	(8 * 1024 * 1024)	/* names kept per kind */

/*
 * A set of names in the order they came, with a hash index (no qsort:
 * glibc's asks sysinfo(2) for large arrays, which the sandbox kills).
 */
struct conf_set {
	char	**v;
	size_t	  n, cap;
	size_t	 *idx;		/* open addressing: position + 1, 0 free */
	size_t	  icap;
};

/* The connector's state: its options and what a sync has seen. */
struct conf {
	int		notify;		/* notify-via-email */
	struct conf_set	users;		/* userKeys */
	struct conf_set	groups;		/* group names */
	struct conf_set	odd;		/* groups no path can name */
	struct conf_set	spaces;		/* space keys */
	unsigned long	dangling;	/* grants to principals not synced */
	int		anon;		/* the anonymous holder is out */
	size_t		feed_group;	/* next group to list members of */
	size_t		feed_user;	/* next user to list memberof of */
	unsigned	feed_active;	/* those listings running */
};

#define CONF(c)	((struct conf *)(c)->vendor)

/* Add v (a name already there is kept once). */
int	conf_set_add(struct conn *c, struct conf_set *s, const char *v) PC_WUR;
int	conf_set_has(const struct conf_set *s, const char *v);
void	conf_set_free(struct conf_set *s);

/*
 * 1 when a group name cannot go into a path segment: stock Tomcat
 * refuses an encoded '/' or '\' (400), and "." or ".." are path steps
 * the broker refuses. Those groups take the memberof route.
 */
int	conf_odd_name(const char *name);
/* s percent-encoded (all but unreserved) for a path segment or a query. */
int	conf_enc(char *dst, size_t dstsz, const char *s) PC_WUR;
/* List path with item on every object of every page. */
int	conf_list(struct conn *c, const char *path, pager_item_fn item,
	    pager_end_fn end, void *arg, struct conn_ref *ref) PC_WUR;
/* One call; body (JSON) or NULL. */
int	conf_call(struct conn *c, const char *method, const char *path,
	    const struct buf *body, const char *op, const char *target,
	    struct conn_resp *r) PC_WUR;

/* The supported (operationKey, targetType) pairs of space permissions. */
int	conf_space_op(const char *slug, char *op, size_t opsz, char *target,
	    size_t targetsz);
/* 1 when (op, target) is one of those pairs. */
int	conf_space_op_ok(const char *op, const char *target);

/* Sync steps. */
int	conf_sync(struct conn *c) PC_WUR;
int	conf_users_list(struct conn *c) PC_WUR;
int	conf_groups_list(struct conn *c) PC_WUR;
int	conf_spaces_list(struct conn *c) PC_WUR;
/* Per-group and per-user listings; end (or NULL) runs after the last page. */
int	conf_members_list(struct conn *c, const char *group, pager_end_fn end)
	    PC_WUR;
int	conf_memberof_list(struct conn *c, const char *userkey,
	    pager_end_fn end) PC_WUR;
int	conf_children_list(struct conn *c, const char *group, pager_end_fn end)
	    PC_WUR;
int	conf_perms_get(struct conn *c, const char *space) PC_WUR;
int	conf_anonymous_emit(struct conn *c) PC_WUR;

/* Provisioning. */
int	conf_group_grant(struct kit_op *o) PC_WUR;
int	conf_space_grant(struct kit_op *o) PC_WUR;
int	conf_create_account(struct conn *c) PC_WUR;
int	conf_delete(struct conn *c) PC_WUR;
/* The username of userKey key (GET /rest/api/user?key=) into dst. */
int	conf_username(struct conn *c, const char *key, char *dst,
	    size_t dstsz) PC_WUR;

#endif /* PC_CONFLUENCE_H */
