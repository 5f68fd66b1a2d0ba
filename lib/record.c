/* Runs in: agent. Input: RECORD messages from fetchers (untrusted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "pcj.h"
#include "record.h"

/* Small documents: a profile is at most one RECORD tag long. */
static const struct pcj_limits record_json = { 64 * 1024, 8192,
    REC_PROFILE_DEPTH + 1 };

static const struct {
	unsigned	 tag;
	size_t		 off;
} record_strs[] = {
	{ TAG_RECORD_RTYPE,	offsetof(struct record, rtype) },
	{ TAG_RECORD_ID,	offsetof(struct record, id) },
	{ TAG_RECORD_NAME,	offsetof(struct record, name) },
	{ TAG_RECORD_DESC,	offsetof(struct record, desc) },
	{ TAG_RECORD_PTYPE,	offsetof(struct record, ptype) },
	{ TAG_RECORD_PID,	offsetof(struct record, pid) },
	{ TAG_RECORD_LOGIN,	offsetof(struct record, login) },
	{ TAG_RECORD_EMAILS,	offsetof(struct record, emails) },
	{ TAG_RECORD_PROFILE,	offsetof(struct record, profile) },
	{ TAG_RECORD_DETAIL,	offsetof(struct record, detail) },
	{ TAG_RECORD_SLUG,	offsetof(struct record, slug) },
	{ TAG_RECORD_GRANTABLE,	offsetof(struct record, grantable) },
	{ TAG_RECORD_ENT,	offsetof(struct record, ent) },
	{ TAG_RECORD_PRTYPE,	offsetof(struct record, prtype) },
	{ TAG_RECORD_PRID,	offsetof(struct record, prid) },
	{ TAG_RECORD_EXPAND,	offsetof(struct record, expand) },
};

#define NSTRS	(sizeof(record_strs) / sizeof(record_strs[0]))

static char **
record_slot(struct record *r, size_t i)
{
	return (char **)(void *)((char *)r + record_strs[i].off);
}

void
record_clear(struct record *r)
{
	size_t	i;

	for (i = 0; i < NSTRS; i++)
		free(*record_slot(r, i));
	memset(r, 0, sizeof(*r));
}

static int
record_fail(const char **why, const char *text, int e)
{
	*why = text;
	return e;
}

/* Type ids are identifiers: a ':' in one would make ids ambiguous. */
int
record_type_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0;
}

/* A profile value: a scalar, or an array or object of them, bounded. */
static int
record_value_ok(const struct pcj_doc *d, int v, unsigned depth)
{
	int	i;

	switch (pcj_type(d, v)) {
	case PCJ_STRING: case PCJ_NUMBER: case PCJ_TRUE: case PCJ_FALSE:
	case PCJ_NULL:
		return 1;
	case PCJ_ARRAY:
		if (depth >= REC_PROFILE_DEPTH)
			return 0;
		for (i = pcj_first(d, v); i >= 0; i = pcj_next(d, i))
			if (!record_value_ok(d, i, depth + 1))
				return 0;
		return 1;
	case PCJ_OBJECT:
		if (depth >= REC_PROFILE_DEPTH)
			return 0;
		for (i = pcj_first(d, v); i >= 0; i = pcj_next(d, i))
			if (!record_value_ok(d, pcj_value(d, i), depth + 1))
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* An array of strings, each accepted by ok() when given. */
static int
record_list_ok(const struct pcj_doc *d, int v, size_t max, size_t maxlen,
    int (*ok)(const char *))
{
	char	s[REC_ID_MAX];
	int	i;

	if (pcj_type(d, v) != PCJ_ARRAY || pcj_count(d, v) > max)
		return 0;
	for (i = pcj_first(d, v); i >= 0; i = pcj_next(d, i))
		if (pcj_str(d, i, s, maxlen + 1 < sizeof(s) ? maxlen + 1 :
		    sizeof(s), NULL, PCJ_STR_ID) != 0 || s[0] == '\0' ||
		    (ok != NULL && !ok(s)))
			return 0;
	return 1;
}

enum { RJ_PROFILE, RJ_EMAILS, RJ_TYPES, RJ_IDS };

/* "" is absent; anything else must be the JSON its field says. */
static int
record_json_ok(const char *text, int kind)
{
	struct pcj_doc	d;
	int		ok, root;

	if (text[0] == '\0')
		return 1;
	if (pcj_parse(&d, text, strlen(text), &record_json) != 0)
		return 0;
	root = pcj_root(&d);
	switch (kind) {
	case RJ_PROFILE:
		ok = pcj_type(&d, root) == PCJ_OBJECT &&
		    record_value_ok(&d, root, 0);
		break;
	case RJ_EMAILS:
		ok = record_list_ok(&d, root, REC_EMAILS_MAX, REC_EMAIL_MAX,
		    NULL);
		break;
	case RJ_TYPES:
		ok = record_list_ok(&d, root, REC_LIST_MAX, 64, record_type_ok);
		break;
	default:
		ok = record_list_ok(&d, root, REC_LIST_MAX, REC_ID_MAX - 1,
		    NULL);
		break;
	}
	pcj_free(&d);
	return ok;
}

static int
record_structured(const struct record *r, const char **why)
{
	if (!record_json_ok(r->profile, RJ_PROFILE))
		return record_fail(why, "profile is not a JSON object of "
		    "plain values", PC_E_VALUE);
	if (!record_json_ok(r->emails, RJ_EMAILS))
		return record_fail(why, "emails is not a JSON array of "
		    "addresses", PC_E_VALUE);
	if (!record_json_ok(r->grantable, RJ_TYPES))
		return record_fail(why, "grantable is not a JSON array of "
		    "type ids", PC_E_VALUE);
	if (!record_json_ok(r->expand, RJ_IDS))
		return record_fail(why, "expand is not a JSON array of "
		    "entitlement ids", PC_E_VALUE);
	return 0;
}

static const struct app_rtype	*record_rtype(const struct app_def *,
				    const char *, size_t);

/*
 * A slug holds no ':', but where the app's resource type says its slugs
 * are "<prefix><name>" (apps.h slug_colon): then the name holds none.
 */
static int
record_slug_ok(const struct app_def *d, const char *rtype, const char *slug)
{
	const struct app_rtype	*rt;
	size_t			 pl;

	if (strchr(slug, ':') == NULL)
		return 1;
	if (d == NULL || (rt = record_rtype(d, rtype, strlen(rtype))) ==
	    NULL || rt->slug_colon == NULL)
		return 0;
	pl = strlen(rt->slug_colon);
	return strncmp(slug, rt->slug_colon, pl) == 0 && slug[pl] != '\0' &&
	    strchr(slug + pl, ':') == NULL;
}

static int
record_check(const struct app_def *d, struct record *r, const char **why)
{
	int	e;

	if ((e = record_structured(r, why)) != 0)
		return e;
	if (!record_type_ok(r->rtype))
		return record_fail(why, "resource type id is not [a-z0-9_-]+",
		    PC_E_VALUE);
	switch (r->kind) {
	case REC_RESOURCE_TYPE:
		return 0;
	case REC_RESOURCE:
		if (r->id[0] == '\0')
			return record_fail(why, "resource without an id",
			    PC_E_MISSING);
		if ((r->ptype[0] == '\0') != (r->pid[0] == '\0') ||
		    (r->ptype[0] != '\0' && !record_type_ok(r->ptype)))
			return record_fail(why, "bad parent resource",
			    PC_E_VALUE);
		return 0;
	case REC_ENTITLEMENT:
		if (r->id[0] == '\0' || r->slug[0] == '\0' ||
		    !record_slug_ok(d, r->rtype, r->slug))
			return record_fail(why, "entitlement needs a resource "
			    "id and a slug without ':'", PC_E_VALUE);
		if (snprintf(r->ent_id, sizeof(r->ent_id), "%s:%s:%s",
		    r->rtype, r->id, r->slug) >= (int)sizeof(r->ent_id))
			return record_fail(why, "entitlement id too long",
			    PC_E_TOOBIG);
		return 0;
	case REC_GRANT:
		if (r->id[0] == '\0' || r->ent[0] == '\0' ||
		    !record_type_ok(r->prtype) || r->prid[0] == '\0')
			return record_fail(why, "grant needs an entitlement and "
			    "a principal", PC_E_MISSING);
		if (r->slug[0] != '\0' && (snprintf(r->ent_id, sizeof(r->ent_id),
		    "%s:%s:%s", r->rtype, r->id, r->slug) >=
		    (int)sizeof(r->ent_id) || strcmp(r->ent_id, r->ent) != 0))
			return record_fail(why, "grant entitlement id does not "
			    "match its resource and slug", PC_E_VALUE);
		if (snprintf(r->grant_id, sizeof(r->grant_id), "%s:%s:%s",
		    r->ent, r->prtype, r->prid) >= (int)sizeof(r->grant_id))
			return record_fail(why, "grant id too long",
			    PC_E_TOOBIG);
		return 0;
	default:
		return record_fail(why, "unknown record kind", PC_E_VALUE);
	}
}

int
record_decode(const struct tlv_fields *tf, struct record *r, const char **why)
{
	return record_decode_app(NULL, tf, r, why);
}

int
record_decode_app(const struct app_def *d, const struct tlv_fields *tf,
    struct record *r, const char **why)
{
	size_t	i;
	int	e;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	if (tlv_u32(tf, TAG_RECORD_KIND, &r->kind) != 0)
		return record_fail(why, "no kind", PC_E_MISSING);
	(void)!tlv_u32(tf, TAG_RECORD_TRAITS, &r->traits);
	(void)!tlv_u32(tf, TAG_RECORD_STATUS, &r->status);
	(void)!tlv_u32(tf, TAG_RECORD_PURPOSE, &r->purpose);
	(void)!tlv_u32(tf, TAG_RECORD_FLAGS, &r->flags);
	for (i = 0; i < NSTRS; i++) {
		if ((e = tlv_strdup(tf, record_strs[i].tag,
		    record_slot(r, i))) == 0 && *record_slot(r, i) == NULL &&
		    (*record_slot(r, i) = strdup("")) == NULL)
			e = PC_E_NOMEM;
		if (e != 0) {
			record_clear(r);
			return record_fail(why, "out of memory", e);
		}
	}
	/* A refused record holds nothing: the caller need not clear it. */
	if ((e = record_check(d, r, why)) != 0)
		record_clear(r);
	return e;
}

static const struct app_rtype *
record_rtype(const struct app_def *d, const char *id, size_t n)
{
	const struct app_rtype	*r;

	for (r = d->rtypes; r != NULL && r->id != NULL; r++)
		if (strlen(r->id) == n && strncmp(r->id, id, n) == 0)
			return r;
	return NULL;
}

int
record_ent_parse(const struct app_def *d, const char *ent,
    struct ent_ref *out)
{
	const struct app_rtype	*rt;
	const char		*rest, *cut = NULL, *p;
	size_t			 n = strcspn(ent, ":"), pl;

	memset(out, 0, sizeof(*out));
	if (ent[n] != ':' || (rt = record_rtype(d, ent, n)) == NULL)
		return PC_E_VALUE;
	rest = ent + n + 1;
	if (rt->slug_colon != NULL) {
		/* The last ":<prefix>" whose tail holds no ':'. */
		pl = strlen(rt->slug_colon);
		for (p = rest; (p = strchr(p, ':')) != NULL; p++)
			if (strncmp(p + 1, rt->slug_colon, pl) == 0 &&
			    strchr(p + 1 + pl, ':') == NULL)
				cut = p;
	} else
		cut = strrchr(rest, ':');
	if (cut == NULL || cut == rest || cut[1] == '\0' ||
	    (size_t)(cut - rest) >= sizeof(out->rid) ||
	    strlen(cut + 1) >= sizeof(out->slug) || n >= sizeof(out->rtype))
		return PC_E_VALUE;
	memcpy(out->rtype, ent, n);
	memcpy(out->rid, rest, (size_t)(cut - rest));
	memcpy(out->slug, cut + 1, strlen(cut + 1));
	return 0;
}

int
record_grant_parse(const struct app_def *d, const char *grant,
    struct grant_ref *out)
{
	const struct app_rtype	*pt;
	char			 ent[REC_ID_MAX];
	const char		*p;
	size_t			 n;

	memset(out, 0, sizeof(*out));
	/* Leftmost ":<ptype>:" whose left part is an entitlement of d. */
	for (p = grant; (p = strchr(p, ':')) != NULL; p++) {
		n = strcspn(p + 1, ":");
		if (p[1 + n] != ':' || p[2 + n] == '\0' ||
		    (pt = record_rtype(d, p + 1, n)) == NULL ||
		    (size_t)(p - grant) >= sizeof(ent))
			continue;
		memcpy(ent, grant, (size_t)(p - grant));
		ent[p - grant] = '\0';
		if (record_ent_parse(d, ent, &out->ent) != 0 ||
		    strlen(p + 2 + n) >= sizeof(out->pid))
			continue;
		(void)snprintf(out->ptype, sizeof(out->ptype), "%s", pt->id);
		(void)snprintf(out->pid, sizeof(out->pid), "%s", p + 2 + n);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return PC_E_VALUE;
}
