/*
 * Runs in: every fetcher. Input: values the fetcher decoded (bounded by
 * the RECORD tag maxima: an over-long value fails that record).
 */
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "fetch.h"
#include "jw.h"

static int
emit_str(struct buf *b, unsigned tag, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return 0;
	return tlv_add_str(b, tag, v);
}

static int
emit_send(struct fetch *f, struct buf *b, int e)
{
	if (e == 0)
		e = fetch_record(f, b);
	buf_clear(b);
	return e;
}

/* A JSON array of n strings into tag (nothing when n is 0). */
static int
emit_list(struct buf *b, unsigned tag, const char *const *v, size_t n)
{
	struct buf	 j;
	const char	*text;
	size_t		 i;
	int		 e;

	if (n == 0)
		return 0;
	buf_init(&j, TAGMAX_RECORD_EMAILS > TAGMAX_RECORD_EXPAND ?
	    TAGMAX_RECORD_EMAILS : TAGMAX_RECORD_EXPAND, 0);
	e = buf_add(&j, "[", 1);
	for (i = 0; e == 0 && i < n; i++)
		if ((i > 0 && (e = buf_add(&j, ",", 1)) != 0) ||
		    (e = jw_str(&j, v[i])) != 0)
			break;
	if (e == 0 && (e = buf_add(&j, "]", 1)) == 0 &&
	    (e = buf_cstr(&j, &text)) == 0)
		e = tlv_add_str(b, tag, text);
	buf_clear(&j);
	return e;
}

/* "user,team" (the fetcher's own literal) as a JSON array. */
static int
emit_types(struct buf *b, const char *list)
{
	const char	*v[16];
	char		 tmp[256], *p, *save = NULL;
	size_t		 n = 0;

	if (list == NULL || list[0] == '\0')
		return 0;
	if (fetch_fmt(tmp, sizeof(tmp), "%s", list) != 0)
		return PC_E_TOOBIG;
	for (p = strtok_r(tmp, ",", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, ",", &save))
		v[n++] = p;
	return emit_list(b, TAG_RECORD_GRANTABLE, v, n);
}

static int
emit_profile(struct buf *b, const struct emit_kv *kv, size_t n)
{
	struct buf	 j;
	const char	*text;
	size_t		 i;
	int		 e, first = 1;

	if (n == 0)
		return 0;
	buf_init(&j, TAGMAX_RECORD_PROFILE, 0);
	e = buf_add(&j, "{", 1);
	for (i = 0; e == 0 && i < n; i++) {
		if (kv[i].value == NULL || kv[i].value[0] == '\0')
			continue;
		if ((!first && (e = buf_add(&j, ",", 1)) != 0) ||
		    (e = jw_key(&j, kv[i].key)) != 0 ||
		    (e = kv[i].raw ? buf_add_str(&j, kv[i].value) :
		    jw_str(&j, kv[i].value)) != 0)
			break;
		first = 0;
	}
	if (e == 0 && (e = buf_add(&j, "}", 1)) == 0 &&
	    (e = buf_cstr(&j, &text)) == 0)
		e = tlv_add_str(b, TAG_RECORD_PROFILE, text);
	buf_clear(&j);
	return e;
}

int
emit_rtype(struct fetch *f, const char *id, const char *name,
    uint32_t traits, const char *desc)
{
	struct buf	b;
	int		e;

	buf_init(&b, MSG_RECORD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_RESOURCE_TYPE)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_RTYPE, id)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_NAME, name)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_RECORD_TRAITS, traits)) == 0)
		e = emit_str(&b, TAG_RECORD_DESC, desc);
	return emit_send(f, &b, e);
}

int
emit_resource(struct fetch *f, const struct emit_res *r)
{
	struct buf	b;
	int		e;

	buf_init(&b, MSG_RECORD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_RESOURCE)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_RTYPE, r->rtype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ID, r->id)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_NAME, r->name)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_DESC, r->desc)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_PTYPE, r->ptype)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_PID, r->pid)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_RECORD_TRAITS, r->traits)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_RECORD_STATUS, r->status)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_RECORD_FLAGS, r->flags)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_LOGIN, r->login)) == 0 &&
	    (e = emit_list(&b, TAG_RECORD_EMAILS, r->emails,
	    r->nemails)) == 0 &&
	    (e = emit_profile(&b, r->profile, r->nprofile)) == 0)
		e = emit_str(&b, TAG_RECORD_DETAIL, r->detail);
	return emit_send(f, &b, e);
}

int
emit_ent(struct fetch *f, const char *rtype, const char *id,
    const char *slug, const char *name, uint32_t purpose,
    const char *grantable, const char *desc)
{
	struct buf	b;
	int		e;

	buf_init(&b, MSG_RECORD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_ENTITLEMENT)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_RTYPE, rtype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ID, id)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_SLUG, slug)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_NAME, name)) == 0 &&
	    (e = tlv_add_u32(&b, TAG_RECORD_PURPOSE, purpose)) == 0 &&
	    (e = emit_types(&b, grantable)) == 0)
		e = emit_str(&b, TAG_RECORD_DESC, desc);
	return emit_send(f, &b, e);
}

int
emit_grant_via(struct fetch *f, const char *rtype, const char *id,
    const char *slug, const char *ptype, const char *pid,
    const char *const *via, size_t nvia, uint32_t flags)
{
	struct buf	b;
	char		ent[REC_ID_MAX];
	int		e;

	if (fetch_fmt(ent, sizeof(ent), "%s:%s:%s", rtype, id, slug) != 0)
		return PC_E_TOOBIG;
	buf_init(&b, MSG_RECORD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_GRANT)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_RTYPE, rtype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ID, id)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_SLUG, slug)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ENT, ent)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_PRTYPE, ptype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_PRID, pid)) == 0 &&
	    (e = emit_list(&b, TAG_RECORD_EXPAND, via, nvia)) == 0)
		e = tlv_add_u32(&b, TAG_RECORD_FLAGS, flags);
	return emit_send(f, &b, e);
}

int
emit_grant(struct fetch *f, const char *rtype, const char *id,
    const char *slug, const char *ptype, const char *pid, uint32_t flags)
{
	return emit_grant_via(f, rtype, id, slug, ptype, pid, NULL, 0, flags);
}
