/*
 * The state a Confluence sync step is started with: what the first
 * phase of a sync (users, groups) would have listed.
 */
#include <stdlib.h>

#include "confluence_stub.h"

void
conf_stub_state(struct conn *c)
{
	struct conf	*cf = CONF(c);

	if (conf_set_add(c, &cf->users, "k1") != 0 ||
	    conf_set_add(c, &cf->users, "k2") != 0 ||
	    conf_set_add(c, &cf->groups, "team") != 0 ||
	    conf_set_add(c, &cf->groups, "team a") != 0 ||
	    conf_set_add(c, &cf->groups, "ops/infra") != 0 ||
	    conf_set_add(c, &cf->odd, "ops/infra") != 0)
		abort();
}

void
conf_stub_release(struct conn *c)
{
	struct conf	*cf = CONF(c);

	conf_set_free(&cf->users);
	conf_set_free(&cf->groups);
	conf_set_free(&cf->odd);
	conf_set_free(&cf->spaces);
}
