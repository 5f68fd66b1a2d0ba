/*
 * Runs in: the Confluence fetcher (sandboxed). Input: Confluence answers
 * relayed by the broker (untrusted JSON, read through pcj only) and the
 * task. The connector's descriptor, its error envelope, the space
 * permission table, name sets and the call and listing shapes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confluence.h"
#include "jw.h"

/*
 * The pairs grantPermissionsToUser_1 and its siblings support (the
 * spec's operation descriptions); the slug is "<operationKey>-<targetType>".
 */
static const char *const conf_ops[][2] = {
	{ "read", "space" }, { "administer", "space" }, { "export", "space" },
	{ "restrict", "space" }, { "delete_own", "space" },
	{ "delete_mail", "space" }, { "create", "page" }, { "delete", "page" },
	{ "create", "blogpost" }, { "delete", "blogpost" },
	{ "create", "comment" }, { "delete", "comment" },
	{ "create", "attachment" }, { "delete", "attachment" },
};

int
conf_space_op(const char *slug, char *op, size_t opsz, char *target,
    size_t targetsz)
{
	const char	*dash = strrchr(slug, '-');
	size_t		 i, n;

	if (dash == NULL)
		return 0;
	n = (size_t)(dash - slug);
	for (i = 0; i < sizeof(conf_ops) / sizeof(conf_ops[0]); i++)
		if (strlen(conf_ops[i][0]) == n && strncmp(slug, conf_ops[i][0],
		    n) == 0 && strcmp(dash + 1, conf_ops[i][1]) == 0)
			return fetch_fmt(op, opsz, "%s", conf_ops[i][0]) == 0 &&
			    fetch_fmt(target, targetsz, "%s", conf_ops[i][1]) == 0;
	return 0;
}

int
conf_space_op_ok(const char *op, const char *target)
{
	size_t	i;

	for (i = 0; i < sizeof(conf_ops) / sizeof(conf_ops[0]); i++)
		if (strcmp(op, conf_ops[i][0]) == 0 &&
		    strcmp(target, conf_ops[i][1]) == 0)
			return 1;
	return 0;
}

/* ---- name sets ------------------------------------------------------ */

static uint64_t
conf_hash(const char *v)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *v != '\0'; v++) {
		h ^= (unsigned char)*v;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of v in the index: where it is, or the free one it would take. */
static size_t
conf_slot(const struct conf_set *s, const char *v)
{
	size_t	i = (size_t)conf_hash(v) & (s->icap - 1);

	while (s->idx[i] != 0 && strcmp(s->v[s->idx[i] - 1], v) != 0)
		i = (i + 1) & (s->icap - 1);
	return i;
}

static int
conf_index_grow(struct conf_set *s)
{
	size_t	 cap = s->icap ? s->icap * 2 : 512, i, *old = s->idx;
	size_t	 ocap = s->icap;

	if ((s->idx = calloc(cap, sizeof(*s->idx))) == NULL) {
		s->idx = old;
		return PC_E_NOMEM;
	}
	s->icap = cap;
	for (i = 0; i < ocap; i++)
		if (old[i] != 0)
			s->idx[conf_slot(s, s->v[old[i] - 1])] = old[i];
	free(old);
	return 0;
}

int
conf_set_add(struct conn *c, struct conf_set *s, const char *v)
{
	char	**n;
	size_t	  slot;

	if (s->n >= CONF_SET_MAX)
		return conn_fail(c, PC_E_LIMIT, "more than %d names of one kind",
		    CONF_SET_MAX);
	if ((s->n + 1) * 2 > s->icap && conf_index_grow(s) != 0)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	if (s->idx[(slot = conf_slot(s, v))] != 0)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;

		if ((n = reallocarray(s->v, cap, sizeof(*n))) == NULL)
			return conn_fail(c, PC_E_NOMEM, "out of memory");
		s->v = n;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(v)) == NULL)
		return conn_fail(c, PC_E_NOMEM, "out of memory");
	s->idx[slot] = ++s->n;
	return 0;
}

int
conf_set_has(const struct conf_set *s, const char *v)
{
	return s->icap > 0 && s->idx[conf_slot(s, v)] != 0;
}

void
conf_set_free(struct conf_set *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}

/* ---- names in requests ---------------------------------------------- */

int
conf_odd_name(const char *name)
{
	return strchr(name, '/') != NULL || strchr(name, '\\') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

int
conf_enc(char *dst, size_t dstsz, const char *s)
{
	return jw_path_seg(dst, dstsz, s);
}

/* ---- calls ---------------------------------------------------------- */

int
conf_call(struct conn *c, const char *method, const char *path,
    const struct buf *body, const char *op, const char *target,
    struct conn_resp *r)
{
	return conn_json(c, method, path, CONF_JSON, NULL, body, op, target, r);
}

int
conf_list(struct conn *c, const char *path, pager_item_fn item,
    pager_end_fn end, void *arg, struct conn_ref *ref)
{
	struct pager_list	l = { .kind = PAGER_OFFSET, .path = path,
				    .accept = CONF_JSON, .items = "results",
				    .next = "_links.next", .per_page = CONF_PAGE,
				    .item = item, .end = end, .arg = arg,
				    .ref = ref };

	return pager_list(c, &l);
}

/*
 * RestError {statusCode, message, reason, data: {errors: [{message:
 * {key, translation}}]}}: "<reason>: <message> (<first key>)".
 */
static void
conf_error(const struct conn_resp *r, char *line, size_t linesz)
{
	char	reason[64], msg[400], key[128];
	int	root, errs, first;

	line[0] = '\0';
	if (!r->parsed || pcj_type(&r->doc, (root = pcj_root(&r->doc))) !=
	    PCJ_OBJECT)
		return;
	(void)conn_str(&r->doc, root, "reason", reason, sizeof(reason));
	(void)conn_str(&r->doc, root, "message", msg, sizeof(msg));
	errs = pcj_get(&r->doc, pcj_get(&r->doc, root, "data"), "errors");
	first = pcj_type(&r->doc, errs) == PCJ_ARRAY ? pcj_first(&r->doc,
	    errs) : -1;
	(void)conn_str(&r->doc, pcj_get(&r->doc, first, "message"), "key", key,
	    sizeof(key));
	(void)fetch_fmt(line, linesz, "%s%s%s%s%s%s", reason, reason[0] &&
	    msg[0] ? ": " : "", msg, key[0] ? " (" : "", key, key[0] ? ")" :
	    "");
}

static int
conf_start(struct conn *c)
{
	static struct conf	cf;

	memset(&cf, 0, sizeof(cf));
	cf.notify = conn_opt_bool(c, "notify-via-email", 0);
	c->vendor = &cf;
	return 0;
}

static const struct kit_grant conf_grants[] = {
	{ "group",	conf_group_grant },
	{ "space",	conf_space_grant },
	{ NULL,		NULL }
};

const struct conn_def confluence_def = {
	.app = "confluence",
	.error = conf_error,
	.start = conf_start,
	.sync = conf_sync,
	.grants = conf_grants,
	.create = conf_create_account,
	.remove = conf_delete,
};
