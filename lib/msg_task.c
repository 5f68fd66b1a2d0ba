/*
 * Runs in: agent (encoding), fetchers (decoding). Input: the task the
 * agent built (trusted by the fetcher, checked by chan_recv's table).
 */
#include <stddef.h>

#include "msgs.h"

static const struct msg_field task_fields[] = {
	MSG_FIELD(task_msg, TAG_TASK_APP, app),
	MSG_FIELD(task_msg, TAG_TASK_RTYPE, rtype),
	MSG_FIELD(task_msg, TAG_TASK_RID, rid),
	MSG_FIELD(task_msg, TAG_TASK_ENT, ent),
	MSG_FIELD(task_msg, TAG_TASK_PTYPE, ptype),
	MSG_FIELD(task_msg, TAG_TASK_PID, pid),
	MSG_FIELD(task_msg, TAG_TASK_GRANT, grant),
	MSG_FIELD(task_msg, TAG_TASK_LOGIN, login),
	MSG_FIELD(task_msg, TAG_TASK_EMAIL, email),
	MSG_FIELD(task_msg, TAG_TASK_PROFILE, profile),
	MSG_FIELD(task_msg, TAG_TASK_OPTS, opts),
	MSG_FIELD(task_msg, TAG_TASK_ACTION, action),
	MSG_FIELD(task_msg, TAG_TASK_ARGS, args),
};

int
msg_task_encode(const struct task_msg *t, struct buf *b)
{
	int	e;

	if ((e = tlv_add_u32(b, TAG_TASK_OP, t->op)) != 0 ||
	    (e = tlv_add_u32(b, TAG_TASK_FLAGS, t->flags)) != 0)
		return e;
	return msg_fields_encode(t, task_fields, MSG_NFIELDS(task_fields), b);
}

int
msg_task_decode(const struct msg *m, struct task_msg *t)
{
	int	e;

	if ((e = tlv_u32(&m->tf, TAG_TASK_OP, &t->op)) != 0)
		return e;
	(void)!tlv_u32(&m->tf, TAG_TASK_FLAGS, &t->flags);
	return msg_fields_decode(m, t, task_fields, MSG_NFIELDS(task_fields));
}
