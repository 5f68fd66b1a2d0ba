/*
 * Runs in: the Atlas fetcher. Input: the custom database roles of a
 * project (untrusted; one bare array, not a page). Each is an
 * entitlement on the project, `admin-<roleName>` like the built-in
 * roles on admin (custom roles live there), its privileges and
 * inherited roles in the description. Listed beside the database users,
 * whose grants name them: a role on admin a user holds that is not
 * built in gets the generic entitlement ("database role on admin") only
 * once these are in, unless it is one of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"

#define ATLAS_DESC_MAX	2048	/* a custom role's description */

/* "db.collection", "db", "cluster" or "any" for one privilege resource. */
static int
atlas_priv_res(struct buf *b, const struct pcj_doc *d, int r, int *n)
{
	char	db[128], coll[200];
	int	cl = pcj_get(d, r, "cluster");
	const char *raw;
	size_t	len;

	(void)conn_str(d, r, "db", db, sizeof(db));
	(void)conn_str(d, r, "collection", coll, sizeof(coll));
	if (cl >= 0 && (raw = pcj_raw(d, cl, &len)) != NULL && len == 4 &&
	    memcmp(raw, "true", 4) == 0)
		return buf_printf(b, "%scluster", (*n)++ ? "," : "");
	return buf_printf(b, "%s%s%s%s", (*n)++ ? "," : "", db[0] ? db : "*",
	    coll[0] ? "." : "", coll);
}

/* "FIND on orders,billing.invoices; ...; inherits read@events" */
static void
atlas_custom_desc(struct buf *b, const struct pcj_doc *d, int o)
{
	char	act[64], role[64], db[128];
	int	a, r, n, first = 1;

	if (buf_add_str(b, "custom role: ") != 0)
		return;
	for (a = pcj_first(d, pcj_get(d, o, "actions")); a >= 0;
	    a = pcj_next(d, a), first = 0) {
		(void)conn_str(d, a, "action", act, sizeof(act));
		if (buf_printf(b, "%s%s on ", first ? "" : "; ", act) != 0)
			return;
		n = 0;
		for (r = pcj_first(d, pcj_get(d, a, "resources")); r >= 0;
		    r = pcj_next(d, r))
			if (atlas_priv_res(b, d, r, &n) != 0)
				return;
	}
	n = 0;
	for (r = pcj_first(d, pcj_get(d, o, "inheritedRoles")); r >= 0;
	    r = pcj_next(d, r), first = 0) {
		(void)conn_str(d, r, "role", role, sizeof(role));
		(void)conn_str(d, r, "db", db, sizeof(db));
		if (buf_printf(b, "%s%s@%s", n++ ? "," : first ? "inherits " :
		    "; inherits ", role, db) != 0)
			return;
	}
}

static int
atlas_custom_item(struct conn *c, struct atlas_proj *p,
    const struct pcj_doc *d, int o)
{
	struct buf	 b;
	const char	*desc = NULL;
	char		 role[64], slug[ATLAS_SLUG_MAX], disp[300];
	int		 e;

	if (!atlas_name_ok(conn_str(d, o, "roleName", role, sizeof(role)),
	    sizeof(role)) || strchr(role, '@') != NULL)
		return 0;
	if ((e = atlas_names_add(&p->admin, role)) <= 0)
		return e;		/* a repeat is shown once */
	(void)fetch_fmt(slug, sizeof(slug), "admin-%s", role);
	(void)fetch_fmt(disp, sizeof(disp), "project %s@admin", role);
	/* A description cut at ATLAS_DESC_MAX keeps what fitted. */
	buf_init(&b, ATLAS_DESC_MAX, 0);
	atlas_custom_desc(&b, d, o);
	if (buf_cstr(&b, &desc) != 0)
		desc = "custom role";
	e = emit_ent(c->f, "project", p->gid, slug, disp, REC_PURPOSE_ASSIGNMENT,
	    "database_user", desc);
	buf_clear(&b);
	return e;
}

/*
 * The custom roles are in: the admin roles database users held before,
 * that none of them is, get the generic entitlement now.
 */
static int
atlas_customroles_in(struct conn *c, struct atlas_proj *p)
{
	size_t	i;
	int	e = 0;

	p->roles_in = 1;
	for (i = 0; i < p->later.n && e == 0; i++)
		e = atlas_admin_ent(c, p, p->later.v[i]);
	atlas_names_clear(&p->later);
	return e;
}

static int
atlas_customroles_answer(struct conn *c, struct conn_resp *r, void *arg)
{
	struct atlas_proj	*p = arg;
	int			 root, o, e = 0;

	if (r == NULL)			/* the run failed first */
		goto out;
	if (r->r.status < 200 || r->r.status > 299 || !r->parsed ||
	    pcj_type(&r->doc, root = pcj_root(&r->doc)) != PCJ_ARRAY) {
		e = conn_fail(c, PC_E_REMOTE, "%s", c->last[0] ? c->last :
		    "custom roles: not an array");
		goto out;
	}
	for (o = pcj_first(&r->doc, root); o >= 0 && e == 0;
	    o = pcj_next(&r->doc, o))
		e = atlas_custom_item(c, p, &r->doc, o);
	if (e == 0)
		e = atlas_customroles_in(c, p);
	if (e == PC_E_LIMIT && c->failed == 0)
		e = conn_fail(c, e, "atlas project %s: custom roles: more records "
		    "than max-records (%lu) allows", p->gid, c->f->max_records);
out:
	conn_ref_drop(&p->ref);
	return e;
}

int
atlas_customroles_sync(struct conn *c, struct atlas_proj *p)
{
	struct conn_call	 call;
	char			 path[256];
	int			 e;

	memset(&call, 0, sizeof(call));
	(void)fetch_fmt(path, sizeof(path),
	    "/api/atlas/v2/groups/%s/customDBRoles/roles", p->gid);
	call.path = path;
	call.accept = ATLAS_V2023;
	conn_ref_hold(&p->ref);
	if ((e = conn_submit(c, &call, atlas_customroles_answer, p)) != 0)
		conn_ref_drop(&p->ref);
	return e;
}
