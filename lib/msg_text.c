/*
 * Runs in: every process. LOG, DONE and ERR: a number and one line of
 * text (never a secret: the sender's rule). The receiver shows the text
 * only after log.c made it printable.
 */
#include <string.h>

#include "msgs.h"

int
msg_text_encode(uint32_t type, const struct text_msg *t, struct buf *b)
{
	int	e;

	/* The three types number their tags alike: 1 number, 2 text. */
	if ((e = tlv_add_u32(b, TAG_LOG_LEVEL, t->num)) != 0)
		return e;
	return t->text[0] != '\0' || type != MSG_DONE ?
	    tlv_add_str(b, TAG_LOG_TEXT, t->text) : 0;
}

int
msg_text_decode(const struct msg *m, struct text_msg *t)
{
	int	e;

	if ((e = tlv_u32(&m->tf, TAG_LOG_LEVEL, &t->num)) != 0)
		return e;
	e = tlv_str(&m->tf, TAG_LOG_TEXT, t->text, sizeof(t->text));
	return e == PC_E_MISSING ? 0 : e;
}
