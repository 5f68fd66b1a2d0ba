/*
 * Runs in: the Confluence fetcher. Input: the task's entitlement and
 * principal ids (from the operator, checked here) and Confluence answers
 * (untrusted). Group membership and space permissions, each read first
 * so that granting what is held (or revoking what is not) is reported as
 * already done and sends nothing; an ambiguous write is read back.
 */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "confluence.h"
#include "log.h"
#include "jw.h"

int
conf_username(struct conn *c, const char *key, char *dst, size_t dstsz)
{
	struct conn_resp	r;
	char			enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 32];
	int			e;

	dst[0] = '\0';
	if (conf_enc(enc, sizeof(enc), key) != 0)
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/rest/api/user?key=%s", enc);
	conn_resp_init(&r);
	if ((e = conf_call(c, "GET", path, NULL, NULL, NULL, &r)) == 0 &&
	    conn_str(&r.doc, pcj_root(&r.doc), "username", dst,
	    dstsz)[0] == '\0')
		e = conn_fail(c, PC_E_VALUE, "confluence: user %s has no "
		    "username", key);
	if (e == PC_E_REMOTE && r.r.status == 404)
		e = PC_E_NOTFOUND;
	conn_resp_clear(&r);
	return e;
}

static int
conf_refuse_odd(struct kit_op *o, const char *what, const char *name)
{
	return conn_fail(o->c, PC_E_STATE, "confluence: %s \"%s\" holds '/' or "
	    "'\\' (or is a dot step): Confluence's REST API takes it in the "
	    "path and stock Tomcat refuses it encoded; change this in "
	    "Confluence's user management", what, name);
}

/* ---- group membership ------------------------------------------------ */

struct conf_member {
	const char	*group;
	int		 has;
};

static int
conf_member_of(struct conn *c, const struct pcj_doc *d, int g, void *arg)
{
	struct conf_member	*m = arg;
	char			 name[CONF_NAME_MAX];

	(void)c;
	/* The whole name, never a prefix: "team" is not "team a". */
	if (conn_str(d, g, "name", name, sizeof(name))[0] != '\0' &&
	    strcasecmp(name, m->group) == 0)
		m->has = 1;
	return 0;
}

static int
conf_is_member(struct conn *c, const char *key, const char *group, int *has)
{
	struct conf_member	m = { group, 0 };
	char			enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 40];
	int			e;

	if (conf_enc(enc, sizeof(enc), key) != 0)
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/rest/api/user/memberof?key=%s",
	    enc);
	if ((e = conf_list(c, path, conf_member_of, NULL, &m, NULL)) == 0)
		e = conn_run(c);
	*has = m.has;
	return e;
}

static int
conf_membership_write(struct kit_op *o, const char *user, const char *group)
{
	struct conn_resp	r;
	char			eu[CONF_ENC_MAX], eg[CONF_ENC_MAX];
	char			path[2 * CONF_ENC_MAX + 32];
	int			e;

	if (conf_enc(eu, sizeof(eu), user) != 0 ||
	    conf_enc(eg, sizeof(eg), group) != 0 ||
	    fetch_fmt(path, sizeof(path), "/rest/api/user/%s/group/%s", eu,
	    eg) != 0)
		return PC_E_TOOBIG;
	conn_resp_init(&r);
	e = conf_call(o->c, o->revoke ? "DELETE" : "PUT", path, NULL,
	    o->revoke ? "revoke" : "grant", o->target, &r);
	conn_resp_clear(&r);
	return e;
}

int
conf_group_grant(struct kit_op *o)
{
	struct conn	*c = o->c;
	char		 user[CONF_NAME_MAX];
	const char	*group = o->g.ent.rid, *key = o->g.pid;
	int		 e, has;

	if (strcmp(o->g.ent.slug, "member") != 0)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (conf_odd_name(group))
		return conf_refuse_odd(o, "group", group);
	if ((e = conf_username(c, key, user, sizeof(user))) == PC_E_NOTFOUND &&
	    o->revoke) {
		c->err[0] = '\0';
		return kit_done(o, 1);		/* the user is gone */
	}
	if (e == PC_E_NOTFOUND)
		return conn_fail(c, e, "confluence: no user with userKey %s",
		    key);
	if (e != 0)
		return e;
	if (conf_odd_name(user))
		return conf_refuse_odd(o, "username", user);
	if ((e = conf_is_member(c, key, group, &has)) != 0)
		return e;
	if (has == !o->revoke)
		return kit_done(o, 1);
	e = conf_membership_write(o, user, group);
	if (e == PC_E_AMBIGUOUS && conf_is_member(c, key, group, &has) == 0 &&
	    has == !o->revoke) {
		c->err[0] = '\0';
		e = 0;
	}
	return e != 0 ? e : kit_done(o, 0);
}

/* ---- space permissions ----------------------------------------------- */

struct conf_perm {
	const char	*ptype, *pid, *op, *target;
	int		 has;
	char		 ops[2048];	/* the subject's others, as JSON */
	size_t		 nops;
};

static int
conf_subject_is(const struct pcj_doc *d, int s, const struct conf_perm *q)
{
	char	type[32], id[CONF_NAME_MAX];

	(void)conn_str(d, s, "type", type, sizeof(type));
	if (strcmp(type, q->ptype) != 0)
		return 0;
	if (strcmp(type, "anonymous") == 0)
		return 1;
	if (strcmp(type, "user") == 0)
		return strcmp(conn_str(d, s, "userKey", id, sizeof(id)),
		    q->pid) == 0;
	return conn_str(d, s, "name", id, sizeof(id))[0] != '\0' &&
	    strcasecmp(id, q->pid) == 0;
}

/* Whether the subject holds the pair, and the other pairs it holds. */
static int
conf_perm_scan(struct conn *c, const struct pcj_doc *d, int arr,
    struct conf_perm *q)
{
	char	op[32], target[32];
	int	p, o, n;

	q->has = 0;
	q->nops = 0;
	q->ops[0] = '\0';
	for (p = pcj_first(d, arr); p >= 0; p = pcj_next(d, p)) {
		if (!conf_subject_is(d, pcj_get(d, p, "subject"), q))
			continue;
		o = pcj_get(d, p, "operation");
		(void)conn_str(d, o, "operationKey", op, sizeof(op));
		(void)conn_str(d, o, "targetType", target, sizeof(target));
		if (strcmp(op, q->op) == 0 && strcmp(target, q->target) == 0) {
			q->has = 1;
			continue;
		}
		if (conf_space_op_ok(op, target) == 0)
			continue;
		n = snprintf(q->ops + q->nops, sizeof(q->ops) - q->nops,
		    "%s{\"operationKey\":\"%s\",\"targetType\":\"%s\"}",
		    q->nops ? "," : "", op, target);
		if (n < 0 || (size_t)n >= sizeof(q->ops) - q->nops)
			return conn_fail(c, PC_E_TOOBIG, "too many permissions");
		q->nops += (size_t)n;
	}
	return 0;
}

static int
conf_perm_read(struct conn *c, const char *space, struct conf_perm *q)
{
	struct conn_resp	r;
	char			enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 40];
	int			e;

	if (conf_enc(enc, sizeof(enc), space) != 0)
		return PC_E_VALUE;
	(void)fetch_fmt(path, sizeof(path), "/rest/api/space/%s/permissions",
	    enc);
	conn_resp_init(&r);
	if ((e = conf_call(c, "GET", path, NULL, NULL, NULL, &r)) == 0) {
		if (pcj_type(&r.doc, pcj_root(&r.doc)) != PCJ_ARRAY)
			e = conn_fail(c, PC_E_VALUE, "confluence: space %s: the "
			    "permissions are not a JSON array", space);
		else
			e = conf_perm_scan(c, &r.doc, pcj_root(&r.doc), q);
	}
	conn_resp_clear(&r);
	return e;
}

/* PUT .../permissions/{user/K|group/G|anonymous}/{grant|revoke}. */
static int
conf_perm_put(struct kit_op *o, const char *space, const struct conf_perm *q)
{
	struct conn_resp	r;
	struct buf		b;
	char			es[CONF_ENC_MAX], ep[CONF_ENC_MAX];
	char			path[2 * CONF_ENC_MAX + 80];
	int			e;

	if (conf_enc(es, sizeof(es), space) != 0 ||
	    conf_enc(ep, sizeof(ep), q->pid) != 0)
		return PC_E_TOOBIG;
	if (strcmp(q->ptype, "anonymous") == 0)
		e = fetch_fmt(path, sizeof(path), "/rest/api/space/%s/"
		    "permissions/anonymous/%s", es, o->revoke ? "revoke" :
		    "grant");
	else
		e = fetch_fmt(path, sizeof(path), "/rest/api/space/%s/"
		    "permissions/%s/%s/%s", es, q->ptype, ep, o->revoke ?
		    "revoke" : "grant");
	if (e != 0)
		return e;
	buf_init(&b, 256, 0);
	conn_resp_init(&r);
	if ((e = buf_printf(&b, "[{\"operationKey\":\"%s\",\"targetType\":"
	    "\"%s\"}]", q->op, q->target)) == 0)
		e = conf_call(o->c, "PUT", path, &b, o->revoke ? "revoke" :
		    "grant", o->target, &r);
	conn_resp_clear(&r);
	buf_clear(&b);
	return e;
}

/* A group no path can name: POST its whole list (setPermissions_1). */
static int
conf_perm_set(struct kit_op *o, const char *space, const struct conf_perm *q)
{
	struct conn_resp	r;
	struct buf		b;
	char			es[CONF_ENC_MAX], path[CONF_ENC_MAX + 40];
	int			e;

	if (conf_enc(es, sizeof(es), space) != 0)
		return PC_E_TOOBIG;
	(void)fetch_fmt(path, sizeof(path), "/rest/api/space/%s/permissions",
	    es);
	fetch_log(o->c->f, LOG_L_INFO, "confluence: group \"%s\" cannot be "
	    "named in a path: its permissions on %s are set with POST %s",
	    q->pid, space, path);
	buf_init(&b, 8192, 0);
	conn_resp_init(&r);
	if ((e = buf_add_str(&b, "[{\"groupName\":")) == 0 &&
	    (e = jw_str(&b, q->pid)) == 0 &&
	    (e = buf_printf(&b, ",\"operations\":[%s", q->ops)) == 0 &&
	    (o->revoke || (e = buf_printf(&b, "%s{\"operationKey\":\"%s\","
	    "\"targetType\":\"%s\"}", q->nops ? "," : "", q->op,
	    q->target)) == 0) && (e = buf_add_str(&b, "]}]")) == 0)
		e = conf_call(o->c, "POST", path, &b, o->revoke ? "revoke" :
		    "grant", o->target, &r);
	conn_resp_clear(&r);
	buf_clear(&b);
	return e;
}

int
conf_space_grant(struct kit_op *o)
{
	struct conn		*c = o->c;
	static struct conf_perm	 q;
	char			 op[32], target[32];
	const char		*space = o->g.ent.rid;
	int			 e, odd;

	memset(&q, 0, sizeof(q));
	if (!conf_space_op(o->g.ent.slug, op, sizeof(op), target,
	    sizeof(target)))
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0 && strcmp(o->g.ptype, "group") != 0 &&
	    strcmp(o->g.ptype, "anonymous") != 0)
		return kit_bad_principal(o, "user, group or anonymous");
	q.ptype = o->g.ptype;
	q.pid = o->g.pid;
	q.op = op;
	q.target = target;
	odd = strcmp(q.ptype, "group") == 0 && conf_odd_name(q.pid);
	if ((e = conf_perm_read(c, space, &q)) != 0)
		return e;
	if (q.has == !o->revoke)
		return kit_done(o, 1);
	e = odd ? conf_perm_set(o, space, &q) : conf_perm_put(o, space, &q);
	if (e == PC_E_AMBIGUOUS && conf_perm_read(c, space, &q) == 0 &&
	    q.has == !o->revoke) {
		c->err[0] = '\0';
		e = 0;
	}
	return e != 0 ? e : kit_done(o, 0);
}
