/*
 * Runs in: the Ironclad fetcher. Input: the task's entitlement and
 * principal ids (from the operator, checked here) and Ironclad answers
 * (untrusted). Group membership through SCIM PATCH (RFC 7644 3.5.2):
 * "add" on members, "remove" on members[value eq "id"]. The group is
 * read first, so a member added twice or a non-member removed is
 * success that says so.
 */
#include <stdio.h>
#include <string.h>

#include "ironclad.h"

/* 1 when the group in r lists uid among its members. */
static int
ic_is_member(const struct conn_resp *r, const char *uid)
{
	const struct pcj_doc	*d = &r->doc;
	char			 v[IC_ID_MAX];
	int			 arr, i;

	arr = pcj_get(d, pcj_root(d), "members");
	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i))
		if (strcmp(conn_str(d, i, "value", v, sizeof(v)), uid) == 0)
			return 1;
	return 0;
}

static int
ic_patch_body(struct buf *b, const struct kit_op *o)
{
	/* Both ids are [A-Za-z0-9_-]: nothing in them needs escaping. */
	if (o->revoke)
		return buf_printf(b, "{\"schemas\":[\"%s\"],\"Operations\":"
		    "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"%s\\\"]"
		    "\"}]}", IC_PATCHOP, o->g.pid);
	return buf_printf(b, "{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":"
	    "\"add\",\"path\":\"members\",\"value\":[{\"value\":\"%s\"}]}]}",
	    IC_PATCHOP, o->g.pid);
}

static int
ic_patch(struct kit_op *o, const char *path)
{
	struct conn_resp	 w;
	struct buf		 b;
	int			 e;

	conn_resp_init(&w);
	buf_init(&b, 1024, 0);
	if ((e = ic_patch_body(&b, o)) == 0)
		e = ic_call(o->c, "PATCH", path, &b, o->revoke ? "revoke" :
		    "grant", o->target, &w);
	/* Gone between our read and the write: what we wanted. */
	if (e == PC_E_REMOTE && o->revoke && w.r.status == 400 &&
	    ic_scimtype_is(&w, "noTarget")) {
		o->c->err[0] = '\0';
		e = kit_done(o, 1);
	} else if (e == 0)
		e = kit_done(o, 0);
	buf_clear(&b);
	conn_resp_clear(&w);
	return e;
}

int
ic_group_grant(struct kit_op *o)
{
	struct conn_resp	 r;
	char			 path[128];
	int			 e;

	if (strcmp(o->g.ent.slug, "member") != 0)
		return PC_E_NOTFOUND;
	if (strcmp(o->g.ptype, "user") != 0)
		return kit_bad_principal(o, "user");
	if (!ic_id_ok(o->g.ent.rid) || !ic_id_ok(o->g.pid))
		return PC_E_VALUE;
	if ((e = ic_need_actor(o->c)) != 0)
		return e;
	(void)fetch_fmt(path, sizeof(path), "/scim/v2/Groups/%s", o->g.ent.rid);
	conn_resp_init(&r);
	e = ic_call(o->c, "GET", path, NULL, NULL, NULL, &r);
	if (e == PC_E_REMOTE && o->revoke && r.r.status == 404) {
		/* No group, no membership. */
		o->c->err[0] = '\0';
		e = kit_done(o, 1);
	} else if (e == 0 && !r.parsed)
		e = conn_fail(o->c, PC_E_VALUE, "ironclad GET %s: not JSON",
		    path);
	else if (e == 0 && ic_is_member(&r, o->g.pid) == !o->revoke)
		e = kit_done(o, 1);
	else if (e == 0)
		e = ic_patch(o, path);
	conn_resp_clear(&r);
	return e;
}
