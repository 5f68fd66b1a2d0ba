/*
 * Runs in: fetchers and the broker, both ends of HTTP_REQ and HTTP_RESP.
 * Input: the peer's message, shape-checked by chan_recv. The meaning of
 * a request (grammar of every field, policy) is the broker's to check
 * (broker/req.c): a decoded request is still a fetcher's words.
 */
#include <stddef.h>

#include "msgs.h"

static const struct msg_field req_fields[] = {
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_METHOD, method),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_PATH, path),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_ACCEPT, accept),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_CTYPE, ctype),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_SLOT, slot),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_TARGET, target),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_OPERATION, operation),
	MSG_FIELD(http_req_msg, TAG_HTTP_REQ_CRED, cred),
};

static const struct msg_field resp_fields[] = {
	MSG_FIELD(http_resp_msg, TAG_HTTP_RESP_CTYPE, ctype),
	MSG_FIELD(http_resp_msg, TAG_HTTP_RESP_LINK, link),
	MSG_FIELD(http_resp_msg, TAG_HTTP_RESP_RETRY, retry),
	MSG_FIELD(http_resp_msg, TAG_HTTP_RESP_RATELIMIT, ratelimit),
	MSG_FIELD(http_resp_msg, TAG_HTTP_RESP_REQID, reqid),
};

int
msg_http_req_encode(const struct http_req_msg *r, struct buf *b)
{
	int	e;

	if ((e = msg_fields_encode(r, req_fields, MSG_NFIELDS(req_fields),
	    b)) != 0)
		return e;
	if (r->body != NULL)
		return tlv_add_bytes(b, TAG_HTTP_REQ_BODY, r->body, r->len);
	return 0;
}

int
msg_http_req_decode(const struct msg *m, struct http_req_msg *r)
{
	int	e;

	if ((e = msg_fields_decode(m, r, req_fields,
	    MSG_NFIELDS(req_fields))) != 0)
		return e;
	r->body = tlv_has(&m->tf, TAG_HTTP_REQ_BODY) ?
	    tlv_bytes(&m->tf, TAG_HTTP_REQ_BODY, &r->len) : NULL;
	if (r->body == NULL)
		r->len = 0;
	return 0;
}

int
msg_http_resp_encode(const struct http_resp_msg *r, struct buf *b)
{
	int	e;

	if ((e = tlv_add_u32(b, TAG_HTTP_RESP_STATUS, r->status)) != 0 ||
	    (e = msg_fields_encode(r, resp_fields, MSG_NFIELDS(resp_fields),
	    b)) != 0)
		return e;
	return tlv_add_bytes(b, TAG_HTTP_RESP_BODY, r->body != NULL ?
	    r->body : (const uint8_t *)"", r->len);
}

int
msg_http_resp_decode(const struct msg *m, struct http_resp_msg *r)
{
	int	e;

	if ((e = tlv_u32(&m->tf, TAG_HTTP_RESP_STATUS, &r->status)) != 0 ||
	    (e = msg_fields_decode(m, r, resp_fields,
	    MSG_NFIELDS(resp_fields))) != 0)
		return e;
	r->body = tlv_bytes(&m->tf, TAG_HTTP_RESP_BODY, &r->len);
	if (r->body == NULL) {
		r->body = (const uint8_t *)"";
		r->len = 0;
	}
	return 0;
}
