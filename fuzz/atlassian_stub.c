/*
 * The state an Atlassian sync step is started with: the org option and
 * a user or group id, reference-counted as the connector's steps make
 * them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "atlassian_stub.h"

static struct atl_id	*stub_id;

void
atl_stub_org(struct conn *c)
{
	(void)snprintf(ATL(c)->org, sizeof(ATL(c)->org), "%s", ATL_STUB_ORG);
}

struct atl_id *
atl_stub_id(struct conn *c, const char *id)
{
	if ((stub_id = atl_id_new(c, id)) == NULL)
		abort();
	conn_ref_hold(&stub_id->ref);
	return stub_id;
}

void
atl_stub_release(void)
{
	if (stub_id != NULL)
		conn_ref_drop(&stub_id->ref);
	stub_id = NULL;
}
