/*
 * Runs in: broker (encoding), agent (decoding). AUDIT, VAULT_SEALED,
 * PROGRESS and CLOSED: what the broker tells the agent. The agent trusts the
 * broker; these decoders still bound every field.
 */
#include <stddef.h>

#include "msgs.h"

static const struct msg_field audit_fields[] = {
	MSG_FIELD(audit_msg, TAG_AUDIT_APP, app),
	MSG_FIELD(audit_msg, TAG_AUDIT_OP, op),
	MSG_FIELD(audit_msg, TAG_AUDIT_METHOD, method),
	MSG_FIELD(audit_msg, TAG_AUDIT_PATH, path),
	MSG_FIELD(audit_msg, TAG_AUDIT_TARGET, target),
	MSG_FIELD(audit_msg, TAG_AUDIT_REQID, reqid),
	MSG_FIELD(audit_msg, TAG_AUDIT_RESULT, result),
	MSG_FIELD(audit_msg, TAG_AUDIT_PEER, peer),
};

static const struct msg_field sealed_fields[] = {
	MSG_FIELD(sealed_msg, TAG_VAULT_SEALED_APP, app),
	MSG_FIELD(sealed_msg, TAG_VAULT_SEALED_LOGIN, login),
	MSG_FIELD(sealed_msg, TAG_VAULT_SEALED_WHERE, where),
	MSG_FIELD(sealed_msg, TAG_VAULT_SEALED_STATE, state),
};

static const struct msg_field closed_fields[] = {
	MSG_FIELD(closed_msg, TAG_CLOSED_APP, app),
	MSG_FIELD(closed_msg, TAG_CLOSED_TEXT, text),
};

static const struct msg_field progress_fields[] = {
	MSG_FIELD(progress_msg, TAG_PROGRESS_APP, app),
	MSG_FIELD(progress_msg, TAG_PROGRESS_WAIT, wait),
};

int
msg_audit_encode(const struct audit_msg *a, struct buf *b)
{
	int	e;

	if ((e = msg_fields_encode(a, audit_fields, MSG_NFIELDS(audit_fields),
	    b)) != 0 || (e = tlv_add_u32(b, TAG_AUDIT_STATUS, a->status)) != 0)
		return e;
	if (a->body != NULL)
		return tlv_add_bytes(b, TAG_AUDIT_BODY, a->body, a->len);
	return 0;
}

int
msg_audit_decode(const struct msg *m, struct audit_msg *a)
{
	int	e;

	if ((e = msg_fields_decode(m, a, audit_fields,
	    MSG_NFIELDS(audit_fields))) != 0)
		return e;
	(void)!tlv_u32(&m->tf, TAG_AUDIT_STATUS, &a->status);
	a->body = tlv_bytes(&m->tf, TAG_AUDIT_BODY, &a->len);
	return 0;
}

int
msg_sealed_encode(const struct sealed_msg *s, struct buf *b)
{
	int	e;

	if ((e = msg_fields_encode(s, sealed_fields,
	    MSG_NFIELDS(sealed_fields), b)) != 0)
		return e;
	return tlv_add_u32(b, TAG_VAULT_SEALED_STATUS, s->status);
}

int
msg_sealed_decode(const struct msg *m, struct sealed_msg *s)
{
	int	e;

	if ((e = msg_fields_decode(m, s, sealed_fields,
	    MSG_NFIELDS(sealed_fields))) != 0)
		return e;
	return tlv_u32(&m->tf, TAG_VAULT_SEALED_STATUS, &s->status);
}

int
msg_progress_encode(const struct progress_msg *p, struct buf *b)
{
	int	e;

	if ((e = msg_fields_encode(p, progress_fields,
	    MSG_NFIELDS(progress_fields), b)) != 0 ||
	    (e = tlv_add_u32(b, TAG_PROGRESS_DONE, p->done)) != 0 ||
	    (e = tlv_add_u32(b, TAG_PROGRESS_INFLIGHT, p->inflight)) != 0)
		return e;
	return tlv_add_u32(b, TAG_PROGRESS_WAITS, p->waits);
}

int
msg_progress_decode(const struct msg *m, struct progress_msg *p)
{
	int	e;

	if ((e = msg_fields_decode(m, p, progress_fields,
	    MSG_NFIELDS(progress_fields))) != 0 ||
	    (e = tlv_u32(&m->tf, TAG_PROGRESS_DONE, &p->done)) != 0 ||
	    (e = tlv_u32(&m->tf, TAG_PROGRESS_INFLIGHT, &p->inflight)) != 0)
		return e;
	(void)!tlv_u32(&m->tf, TAG_PROGRESS_WAITS, &p->waits);
	return 0;
}

int
msg_audit_ack_encode(const struct audit_ack_msg *a, struct buf *b)
{
	int	e;

	if ((e = tlv_add_str(b, TAG_AUDIT_ACK_REQID, a->reqid)) != 0)
		return e;
	return tlv_add_u32(b, TAG_AUDIT_ACK_STATUS, a->status);
}

int
msg_audit_ack_decode(const struct msg *m, struct audit_ack_msg *a)
{
	int	e;

	if ((e = tlv_str(&m->tf, TAG_AUDIT_ACK_REQID, a->reqid,
	    sizeof(a->reqid))) != 0)
		return e;
	return tlv_u32(&m->tf, TAG_AUDIT_ACK_STATUS, &a->status);
}

int
msg_closed_encode(const struct closed_msg *c, struct buf *b)
{
	int	e;

	if ((e = msg_fields_encode(c, closed_fields,
	    MSG_NFIELDS(closed_fields), b)) != 0)
		return e;
	return tlv_add_u32(b, TAG_CLOSED_CODE, c->code);
}

int
msg_closed_decode(const struct msg *m, struct closed_msg *c)
{
	int	e;

	if ((e = msg_fields_decode(m, c, closed_fields,
	    MSG_NFIELDS(closed_fields))) != 0)
		return e;
	return tlv_u32(&m->tf, TAG_CLOSED_CODE, &c->code);
}
