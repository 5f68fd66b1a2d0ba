/*
 * Runs in: every process. The fail fields of ERR, DONE and REFUSED, and
 * REFUSED itself. Input: the peer's message, shape-checked by chan_recv;
 * a fetcher's fields are still a fetcher's words: the agent shows them
 * only cleaned (text_clean) and takes file names from its own config.
 */
#include <stdio.h>
#include <string.h>

#include "msgs.h"

/* One codec for three types: their fail tags must stay alike. */
_Static_assert(TAG_DONE_CAUSE == TAG_ERR_CAUSE &&
    TAG_REFUSED_CAUSE == TAG_ERR_CAUSE && TAG_DONE_HOST == TAG_ERR_HOST &&
    TAG_REFUSED_HOST == TAG_ERR_HOST && TAG_DONE_PATH == TAG_ERR_PATH &&
    TAG_REFUSED_PATH == TAG_ERR_PATH && TAGMAX_DONE_PATH ==
    TAGMAX_ERR_PATH && TAGMAX_REFUSED_DETAIL == TAGMAX_ERR_DETAIL &&
    TAGMAX_DONE_DETAIL == TAGMAX_ERR_DETAIL, "fail tags differ");
_Static_assert(TAG_ERR_TEXT == TAG_REFUSED_TEXT && TAG_ERR_CODE ==
    TAG_REFUSED_CODE, "ERR and REFUSED number code and text alike");

static const struct msg_field fail_fields[] = {
	MSG_FIELD(fail_msg, TAG_ERR_METHOD, method),
	MSG_FIELD(fail_msg, TAG_ERR_PATH, path),
	MSG_FIELD(fail_msg, TAG_ERR_CRED, cred),
	MSG_FIELD(fail_msg, TAG_ERR_ADDR, addr),
	MSG_FIELD(fail_msg, TAG_ERR_DETAIL, detail),
	MSG_FIELD(fail_msg, TAG_ERR_HOST, host),
};

static const struct {
	unsigned	tag;
	size_t		off;
} fail_nums[] = {
	{ TAG_ERR_CAUSE, offsetof(struct fail_msg, cause) },
	{ TAG_ERR_HTTP, offsetof(struct fail_msg, http) },
	{ TAG_ERR_PORT, offsetof(struct fail_msg, port) },
	{ TAG_ERR_LINE, offsetof(struct fail_msg, line) },
};

int
msg_fail_encode(const struct fail_msg *f, struct buf *b)
{
	uint32_t	v;
	size_t		i;
	int		e;

	if (f == NULL || f->cause == FAIL_NONE)
		return 0;
	for (i = 0; i < sizeof(fail_nums) / sizeof(fail_nums[0]); i++) {
		memcpy(&v, (const char *)f + fail_nums[i].off, sizeof(v));
		if (v != 0 && (e = tlv_add_u32(b, fail_nums[i].tag, v)) != 0)
			return e;
	}
	return msg_fields_encode(f, fail_fields, MSG_NFIELDS(fail_fields), b);
}

int
msg_fail_decode(const struct msg *m, struct fail_msg *f)
{
	uint32_t	v;
	size_t		i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(fail_nums) / sizeof(fail_nums[0]); i++)
		if (tlv_u32(&m->tf, fail_nums[i].tag, &v) == 0)
			memcpy((char *)f + fail_nums[i].off, &v, sizeof(v));
	if (f->cause >= FAIL_LAST)
		f->cause = FAIL_NONE;	/* a cause we do not know: the text */
	return msg_fields_decode(m, f, fail_fields, MSG_NFIELDS(fail_fields));
}

void
msg_fail_request(struct fail_msg *f, const char *method, const char *path)
{
	size_t	n = strcspn(path, "?");

	(void)snprintf(f->method, sizeof(f->method), "%s", method);
	if (n >= sizeof(f->path))
		n = sizeof(f->path) - 1;
	memcpy(f->path, path, n);
	f->path[n] = '\0';
}

int
msg_err_send(struct chan *c, uint32_t id, int code, const struct fail_msg *f,
    const char *text)
{
	struct text_msg	t;
	struct buf	b;
	int		e;

	t.num = (uint32_t)-code;
	(void)snprintf(t.text, sizeof(t.text), "%s", text);
	buf_init(&b, MSG_TEXT_MAX + MSG_FAIL_MAX, 0);
	if ((e = msg_text_encode(MSG_ERR, &t, &b)) == 0 &&
	    (e = msg_fail_encode(f, &b)) == 0)
		e = chan_send_buf(c, MSG_ERR, id, &b);
	buf_clear(&b);
	return e;
}

int
msg_refused_encode(const struct refused_msg *r, struct buf *b)
{
	int	e;

	if ((e = tlv_add_u32(b, TAG_REFUSED_CODE, r->code)) != 0 ||
	    (e = tlv_add_str(b, TAG_REFUSED_TEXT, r->text)) != 0 ||
	    (e = tlv_add_str(b, TAG_REFUSED_APP, r->app)) != 0)
		return e;
	return msg_fail_encode(&r->fail, b);
}

int
msg_refused_decode(const struct msg *m, struct refused_msg *r)
{
	int	e;

	if ((e = tlv_u32(&m->tf, TAG_REFUSED_CODE, &r->code)) != 0 ||
	    (e = tlv_str(&m->tf, TAG_REFUSED_TEXT, r->text,
	    sizeof(r->text))) != 0 ||
	    (e = tlv_str(&m->tf, TAG_REFUSED_APP, r->app, sizeof(r->app))) != 0)
		return e;
	return msg_fail_decode(m, &r->fail);
}
