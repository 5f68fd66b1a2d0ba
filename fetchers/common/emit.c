/*
 * Runs in: every fetcher. Input: values the fetcher decoded (bounded by
 * the RECORD tag maxima: an over-long value fails that record).
 */
#include <stdio.h>

#include "emit.h"
#include "fetch.h"

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

int
emit_rtype(struct fetch *f, const char *id, const char *name,
    uint32_t traits, const char *desc)
{
	struct buf	b;
	int		e;

	buf_init(&b, MSG_RECORD_MAX, 0);
	e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_RESOURCE_TYPE);
	if (e == 0)
		e = tlv_add_str(&b, TAG_RECORD_RTYPE, id);
	if (e == 0)
		e = emit_str(&b, TAG_RECORD_NAME, name);
	if (e == 0)
		e = tlv_add_u32(&b, TAG_RECORD_TRAITS, traits);
	if (e == 0)
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
	    (e = emit_str(&b, TAG_RECORD_EMAILS, r->emails)) == 0 &&
	    (e = emit_str(&b, TAG_RECORD_PROFILE, r->profile)) == 0)
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
	    (e = emit_str(&b, TAG_RECORD_GRANTABLE, grantable)) == 0)
		e = emit_str(&b, TAG_RECORD_DESC, desc);
	return emit_send(f, &b, e);
}

int
emit_grant(struct fetch *f, const char *rtype, const char *id,
    const char *slug, const char *ptype, const char *pid, uint32_t flags)
{
	struct buf	b;
	char		ent[4096];
	int		e;

	if (snprintf(ent, sizeof(ent), "%s:%s:%s", rtype, id, slug) >=
	    (int)sizeof(ent))
		return PC_E_TOOBIG;
	buf_init(&b, MSG_RECORD_MAX, 0);
	if ((e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_GRANT)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_RTYPE, rtype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ID, id)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_SLUG, slug)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_ENT, ent)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_PRTYPE, ptype)) == 0 &&
	    (e = tlv_add_str(&b, TAG_RECORD_PRID, pid)) == 0)
		e = tlv_add_u32(&b, TAG_RECORD_FLAGS, flags);
	return emit_send(f, &b, e);
}
