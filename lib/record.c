/* Runs in: agent. Input: RECORD messages from fetchers (untrusted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

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
static int
record_type_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0;
}

static int
record_check(struct record *r, const char **why)
{
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
		    strchr(r->slug, ':') != NULL)
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
record_decode(const struct msg *m, struct record *r, const char **why)
{
	size_t	i;
	int	e;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	if (tlv_u32(&m->tf, TAG_RECORD_KIND, &r->kind) != 0)
		return record_fail(why, "no kind", PC_E_MISSING);
	(void)!tlv_u32(&m->tf, TAG_RECORD_TRAITS, &r->traits);
	(void)!tlv_u32(&m->tf, TAG_RECORD_STATUS, &r->status);
	(void)!tlv_u32(&m->tf, TAG_RECORD_PURPOSE, &r->purpose);
	(void)!tlv_u32(&m->tf, TAG_RECORD_FLAGS, &r->flags);
	for (i = 0; i < NSTRS; i++) {
		if ((e = tlv_strdup(&m->tf, record_strs[i].tag,
		    record_slot(r, i))) != 0)
			return record_fail(why, "out of memory", e);
		if (*record_slot(r, i) == NULL &&
		    (*record_slot(r, i) = strdup("")) == NULL)
			return record_fail(why, "out of memory", PC_E_NOMEM);
	}
	return record_check(r, why);
}
