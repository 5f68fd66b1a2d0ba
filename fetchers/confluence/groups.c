/*
 * Runs in: the Confluence fetcher. Input: group, group member and
 * memberof pages (untrusted). A group's id is its name. Members come
 * from GET /rest/api/group/{groupName}/member, the name percent-encoded;
 * a name no path can carry (a '/': stock Tomcat refuses %2F) has its
 * members found from each user's GET /rest/api/user/memberof instead
 * (groups nested in it stay unknown: the log says so). Nested groups
 * (.../groupmember) are grants to the child group.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confluence.h"
#include "log.h"

/* A name held by the listings under it (a group's, a user's). */
struct conf_name {
	struct conn_ref	ref;
	char		name[CONF_NAME_MAX];
};

static void
conf_name_release(void *obj)
{
	free(obj);
}

static struct conf_name *
conf_name_new(struct conn *c, const char *name)
{
	struct conf_name	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		(void)conn_fail(c, PC_E_NOMEM, "out of memory");
		return NULL;
	}
	(void)fetch_fmt(x->name, sizeof(x->name), "%s", name);
	x->ref.release = conf_name_release;
	x->ref.obj = x;
	return x;
}

static int
conf_group_item(struct conn *c, const struct pcj_doc *d, int g, void *arg)
{
	struct emit_res	 r = { .rtype = "group", .traits = REC_TRAIT_GROUP };
	char		 name[CONF_NAME_MAX], disp[CONF_NAME_MAX + 16];
	int		 e;

	(void)arg;
	/* Too long is left out, never cut: a cut name is another group. */
	if (conn_str(d, g, "name", name, sizeof(name))[0] == '\0') {
		fetch_log(c->f, LOG_L_WARN, "confluence: a group without a "
		    "usable name is left out");
		return 0;
	}
	const struct emit_kv prof[] = { { "group_name", name, 0 } };

	r.id = name;
	r.name = name;
	r.profile = prof;
	r.nprofile = 1;
	(void)fetch_fmt(disp, sizeof(disp), "%s group member", name);
	if ((e = emit_resource(c->f, &r)) != 0 ||
	    (e = emit_ent(c->f, "group", name, "member", disp,
	    REC_PURPOSE_ASSIGNMENT, "user,group", NULL)) != 0 ||
	    (e = conf_set_add(c, &CONF(c)->groups, name)) != 0)
		return e;
	return conf_odd_name(name) ? conf_set_add(c, &CONF(c)->odd, name) : 0;
}

int
conf_groups_list(struct conn *c)
{
	return conf_list(c, "/rest/api/group", conf_group_item, NULL, NULL,
	    NULL);
}

/* A member grant, to a user the sync has (else counted as dangling). */
static int
conf_member_grant(struct conn *c, const char *group, const char *key)
{
	if (!conf_set_has(&CONF(c)->users, key)) {
		CONF(c)->dangling++;
		fetch_log(c->f, LOG_L_DEBUG, "confluence: group %s: member %s "
		    "is not a listed user", group, key);
		return 0;
	}
	return emit_grant(c->f, "group", group, "member", "user", key, 0);
}

static int
conf_member_item(struct conn *c, const struct pcj_doc *d, int u, void *arg)
{
	struct conf_name	*g = arg;
	char			 key[CONF_NAME_MAX];

	if (conn_str(d, u, "userKey", key, sizeof(key))[0] == '\0')
		return 0;
	return conf_member_grant(c, g->name, key);
}

int
conf_members_list(struct conn *c, const char *group, pager_end_fn end)
{
	struct conf_name	*g;
	char			 enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 64];
	int			 e;

	if (conf_enc(enc, sizeof(enc), group) != 0 ||
	    fetch_fmt(path, sizeof(path), "/rest/api/group/%s/member", enc) != 0)
		return conn_fail(c, PC_E_TOOBIG, "group name too long");
	if ((g = conf_name_new(c, group)) == NULL)
		return PC_E_NOMEM;
	conn_ref_hold(&g->ref);
	e = conf_list(c, path, conf_member_item, end, g, &g->ref);
	conn_ref_drop(&g->ref);
	return e;
}

/*
 * A nested group: its members hold the parent's access too, so it is a
 * grant of the parent's member to the child group, expandable to the
 * child's members. Read-only: the REST API cannot nest groups.
 */
static int
conf_child_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct conf_name	*g = arg;
	char			 name[CONF_NAME_MAX], via[CONF_NAME_MAX + 16];
	const char		*vv[1] = { via };

	if (conn_str(d, o, "name", name, sizeof(name))[0] == '\0')
		return 0;
	if (!conf_set_has(&CONF(c)->groups, name)) {
		CONF(c)->dangling++;
		return 0;
	}
	(void)fetch_fmt(via, sizeof(via), "group:%s:member", name);
	return emit_grant_via(c->f, "group", g->name, "member", "group", name,
	    vv, 1, REC_F_IMMUTABLE);
}

int
conf_children_list(struct conn *c, const char *group, pager_end_fn end)
{
	struct conf_name	*g;
	char			 enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 64];
	int			 e;

	if (conf_enc(enc, sizeof(enc), group) != 0 ||
	    fetch_fmt(path, sizeof(path), "/rest/api/group/%s/groupmember",
	    enc) != 0)
		return conn_fail(c, PC_E_TOOBIG, "group name too long");
	if ((g = conf_name_new(c, group)) == NULL)
		return PC_E_NOMEM;
	conn_ref_hold(&g->ref);
	e = conf_list(c, path, conf_child_item, end, g, &g->ref);
	conn_ref_drop(&g->ref);
	return e;
}

/* memberof: only the groups no path can name (the others are listed). */
static int
conf_memberof_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct conf_name	*u = arg;
	char			 name[CONF_NAME_MAX];

	if (conn_str(d, o, "name", name, sizeof(name))[0] == '\0' ||
	    !conf_set_has(&CONF(c)->odd, name))
		return 0;
	return conf_member_grant(c, name, u->name);
}

int
conf_memberof_list(struct conn *c, const char *userkey, pager_end_fn end)
{
	struct conf_name	*u;
	char			 enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 64];
	int			 e;

	if (conf_enc(enc, sizeof(enc), userkey) != 0 ||
	    fetch_fmt(path, sizeof(path), "/rest/api/user/memberof?key=%s",
	    enc) != 0)
		return conn_fail(c, PC_E_TOOBIG, "userKey too long");
	if ((u = conf_name_new(c, userkey)) == NULL)
		return PC_E_NOMEM;
	conn_ref_hold(&u->ref);
	e = conf_list(c, path, conf_memberof_item, end, u, &u->ref);
	conn_ref_drop(&u->ref);
	return e;
}
