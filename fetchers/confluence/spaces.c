/*
 * Runs in: the Confluence fetcher. Input: GET /rest/api/space pages and
 * GET /rest/api/space/{spaceKey}/permissions answers (untrusted). A
 * space's entitlements are the "<operationKey>-<targetType>" pairs its
 * own permissions hold, computed from that space's answer alone (the
 * reference reused the first space's for every space). Grants go to
 * users (by userKey) and groups the sync listed; anonymous access is a
 * grant to the one "anonymous" resource, never dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confluence.h"
#include "log.h"

#define CONF_SLUGS_MAX	64	/* distinct pairs in one space */
#define CONF_SLUG_MAX	64

static int
conf_space_item(struct conn *c, const struct pcj_doc *d, int s, void *arg)
{
	struct emit_res	 r = { .rtype = "space" };
	char		 key[CONF_NAME_MAX], name[CONF_NAME_MAX], type[32];
	char		 st[32], id[32];
	int64_t		 n;
	int		 e;

	(void)arg;
	if (conn_str(d, s, "key", key, sizeof(key))[0] == '\0') {
		fetch_log(c->f, LOG_L_WARN, "confluence: a space without a "
		    "usable key is left out");
		return 0;
	}
	(void)conn_str(d, s, "name", name, sizeof(name));
	(void)conn_str(d, s, "type", type, sizeof(type));
	(void)conn_str(d, s, "status", st, sizeof(st));
	id[0] = '\0';
	if (pcj_int64(d, pcj_get(d, s, "id"), &n) == 0)
		(void)fetch_fmt(id, sizeof(id), "%lld", (long long)n);
	const struct emit_kv prof[] = {
		{ "space_key", key, 0 }, { "space_type", type, 0 },
		{ "space_status", st, 0 }, { "space_id", id, 1 },
	};

	r.id = key;
	r.name = name[0] ? name : key;
	r.profile = prof;
	r.nprofile = sizeof(prof) / sizeof(prof[0]);
	if ((e = emit_resource(c->f, &r)) != 0)
		return e;
	return conf_set_add(c, &CONF(c)->spaces, key);
}

/*
 * Current and archived spaces, each asked for by name: what a bare
 * listing returns is not stated by the spec, and a review must see both.
 */
int
conf_spaces_list(struct conn *c)
{
	int	e;

	if ((e = conf_list(c, "/rest/api/space?status=current",
	    conf_space_item, NULL, NULL, NULL)) != 0)
		return e;
	return conf_list(c, "/rest/api/space?status=archived", conf_space_item,
	    NULL, NULL, NULL);
}

/* The one holder of anonymous access, emitted once. */
int
conf_anonymous_emit(struct conn *c)
{
	struct emit_res	r = { .rtype = "anonymous", .id = "anonymous",
			    .name = "Anonymous (anyone, without signing in)",
			    .desc = "space permissions Confluence grants to "
			    "anonymous users" };

	if (CONF(c)->anon)
		return 0;
	CONF(c)->anon = 1;
	return emit_resource(c->f, &r);
}

/* "<operationKey>-<targetType>" of one permission, if well-formed. */
static int
conf_perm_slug(const struct pcj_doc *d, int p, char *slug, size_t slugsz)
{
	char	op[32], target[32];
	int	o = pcj_get(d, p, "operation");
	size_t	i;

	(void)conn_str(d, o, "operationKey", op, sizeof(op));
	(void)conn_str(d, o, "targetType", target, sizeof(target));
	if (op[0] == '\0' || target[0] == '\0')
		return 0;
	/* Vendor words become slugs: [a-z_] only, so ids split one way. */
	for (i = 0; op[i] != '\0'; i++)
		if (!((op[i] >= 'a' && op[i] <= 'z') || op[i] == '_'))
			return 0;
	for (i = 0; target[i] != '\0'; i++)
		if (!((target[i] >= 'a' && target[i] <= 'z') || target[i] == '_'))
			return 0;
	return fetch_fmt(slug, slugsz, "%s-%s", op, target) == 0;
}

/* The space's distinct pairs as entitlements. */
static int
conf_perm_ents(struct conn *c, const char *space, const struct pcj_doc *d,
    int arr)
{
	char	slugs[CONF_SLUGS_MAX][CONF_SLUG_MAX], disp[CONF_NAME_MAX + 80];
	size_t	n = 0, k;
	int	p, e;

	for (p = pcj_first(d, arr); p >= 0; p = pcj_next(d, p)) {
		if (!conf_perm_slug(d, p, slugs[n], sizeof(slugs[n])))
			continue;
		for (k = 0; k < n && strcmp(slugs[k], slugs[n]) != 0; k++)
			;
		if (k < n)
			continue;
		if (n + 1 == CONF_SLUGS_MAX)
			return conn_fail(c, PC_E_LIMIT, "confluence: space %s: "
			    "more than %d distinct permissions", space,
			    CONF_SLUGS_MAX - 1);
		(void)fetch_fmt(disp, sizeof(disp), "%s space: %s", space,
		    slugs[n]);
		if ((e = emit_ent(c->f, "space", space, slugs[n], disp,
		    REC_PURPOSE_PERMISSION, "user,group,anonymous", NULL)) != 0)
			return e;
		n++;
	}
	return 0;
}

static int
conf_perm_grant(struct conn *c, const char *space, const struct pcj_doc *d,
    int p)
{
	char		 slug[CONF_SLUG_MAX], type[32], id[CONF_NAME_MAX];
	char		 via[CONF_NAME_MAX + 16];
	const char	*vv[1] = { via };
	int		 s = pcj_get(d, p, "subject");

	if (!conf_perm_slug(d, p, slug, sizeof(slug)))
		return 0;
	(void)conn_str(d, s, "type", type, sizeof(type));
	if (strcmp(type, "anonymous") == 0) {
		int e = conf_anonymous_emit(c);

		return e != 0 ? e : emit_grant(c->f, "space", space, slug,
		    "anonymous", "anonymous", 0);
	}
	if (strcmp(type, "user") == 0 && conn_str(d, s, "userKey", id,
	    sizeof(id))[0] != '\0' && conf_set_has(&CONF(c)->users, id))
		return emit_grant(c->f, "space", space, slug, "user", id, 0);
	if (strcmp(type, "group") == 0 && conn_str(d, s, "name", id,
	    sizeof(id))[0] != '\0' && conf_set_has(&CONF(c)->groups, id)) {
		(void)fetch_fmt(via, sizeof(via), "group:%s:member", id);
		return emit_grant_via(c->f, "space", space, slug, "group", id, vv,
		    1, 0);
	}
	CONF(c)->dangling++;
	fetch_log(c->f, LOG_L_DEBUG, "confluence: space %s: %s holder \"%s\" "
	    "is not a listed user or group", space, slug, type);
	return 0;
}

static int
conf_perms_on(struct conn *c, struct conn_resp *r, void *arg)
{
	char	*space = arg;
	int	 arr, p, e = 0;

	if (r == NULL) {
		free(space);
		return 0;
	}
	if (r->r.status < 200 || r->r.status > 299)
		e = conn_fail(c, PC_E_REMOTE, "%s (space permissions need "
		    "Confluence or space admin)", c->last);
	else if (!r->parsed || pcj_type(&r->doc, (arr = pcj_root(&r->doc))) !=
	    PCJ_ARRAY)
		e = conn_fail(c, PC_E_VALUE, "confluence: space %s: the "
		    "permissions are not a JSON array", space);
	else if ((e = conf_perm_ents(c, space, &r->doc, arr)) == 0)
		for (p = pcj_first(&r->doc, arr); p >= 0 && e == 0;
		    p = pcj_next(&r->doc, p))
			e = conf_perm_grant(c, space, &r->doc, p);
	free(space);
	return e;
}

int
conf_perms_get(struct conn *c, const char *space)
{
	struct conn_call	 call = { .accept = CONF_JSON };
	char			 enc[CONF_ENC_MAX], path[CONF_ENC_MAX + 64];
	char			*arg;
	int			 e;

	if (conf_enc(enc, sizeof(enc), space) != 0 ||
	    fetch_fmt(path, sizeof(path), "/rest/api/space/%s/permissions",
	    enc) != 0)
		return conn_fail(c, PC_E_TOOBIG, "space key too long");
	if ((arg = strdup(space)) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	call.path = path;
	if ((e = conn_submit(c, &call, conf_perms_on, arg)) != 0)
		free(arg);
	return e;
}
