/*
 * The state an Atlas sync step is started with: an org, a project or a
 * federation,
 * reference-counted as the connector's own steps make them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_stub.h"

static struct atlas_id		*stub_org;
static struct atlas_proj	*stub_proj;
static struct atlas_fed		*stub_fed;

struct atlas_id *
atlas_stub_org(struct conn *c)
{
	if ((stub_org = atlas_id_new(c, ATLAS_STUB_ORG, ATLAS_STUB_ORG)) ==
	    NULL)
		abort();
	conn_ref_hold(&stub_org->ref);
	return stub_org;
}

struct atlas_proj *
atlas_stub_proj(struct conn *c, int named)
{
	struct atlas_proj	*p;

	(void)c;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		abort();
	(void)snprintf(p->gid, sizeof(p->gid), "%s", ATLAS_STUB_GROUP);
	(void)snprintf(p->org, sizeof(p->org), "%s", ATLAS_STUB_ORG);
	p->ref.release = atlas_proj_release;
	p->ref.obj = p;
	if (named) {
		/* One role on the whole database, one on a collection for
		 * a user scoped to Cluster0. */
		if ((p->r = calloc(2, sizeof(*p->r))) == NULL ||
		    (p->r[1].scopes = strdup("\nCluster0\n")) == NULL)
			abort();
		(void)snprintf(p->r->user, sizeof(p->r->user), "%s/admin/app",
		    ATLAS_STUB_GROUP);
		(void)snprintf(p->r->db, sizeof(p->r->db), "sales");
		(void)snprintf(p->r->slug, sizeof(p->r->slug), "readWrite");
		(void)snprintf(p->r[1].user, sizeof(p->r[1].user),
		    "%s/admin/scoped", ATLAS_STUB_GROUP);
		(void)snprintf(p->r[1].db, sizeof(p->r[1].db), "sales");
		(void)snprintf(p->r[1].slug, sizeof(p->r[1].slug),
		    "read@invoices");
		p->n = 2;
		/* The database users are read: databases are shown at once. */
		p->users_in = 1;
	}
	conn_ref_hold(&p->ref);
	stub_proj = p;
	return p;
}

int
atlas_stub_db_sync(struct conn *c)
{
	struct atlas_proj	*p = atlas_stub_proj(c, 0);
	int			 e;

	if ((e = atlas_customroles_sync(c, p)) == 0 &&
	    (e = atlas_dbusers_sync(c, p)) == 0)
		e = atlas_clusters_sync(c, p);
	return e;
}

struct atlas_fed *
atlas_stub_fed(struct conn *c)
{
	if ((stub_fed = atlas_fed_new(c, ATLAS_STUB_FED, ATLAS_STUB_ORG, 1)) ==
	    NULL)
		abort();
	/* The login IdP the config names, as the providers' listing maps it. */
	(void)snprintf(stub_fed->okta[0], sizeof(stub_fed->okta[0]), "%s",
	    ATLAS_STUB_OKTA);
	(void)snprintf(stub_fed->idp[0], sizeof(stub_fed->idp[0]), "%s",
	    ATLAS_STUB_IDP);
	stub_fed->nidp = 1;
	conn_ref_hold(&stub_fed->ref);
	return stub_fed;
}

void
atlas_stub_release(void)
{
	if (stub_org != NULL)
		conn_ref_drop(&stub_org->ref);
	if (stub_proj != NULL)
		conn_ref_drop(&stub_proj->ref);
	if (stub_fed != NULL)
		conn_ref_drop(&stub_fed->ref);
	stub_org = NULL;
	stub_proj = NULL;
	stub_fed = NULL;
}
