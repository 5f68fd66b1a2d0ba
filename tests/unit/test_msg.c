/* Frames and channels: round trips, chunking, and every rejection. */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "msgs.h"
#include "t.h"

static void	fail_roundtrip(struct chan *, struct chan *);

static size_t
frame(uint8_t *d, uint32_t type, uint32_t len, uint32_t id, uint32_t flags,
    const void *payload, size_t plen)
{
	buf_put_u32(d, type);
	buf_put_u32(d + 4, len);
	buf_put_u32(d + 8, id);
	buf_put_u32(d + 12, flags);
	memcpy(d + 16, payload, plen);
	return 16 + plen;
}

static const uint8_t req_ok[] = "\0\1\0\0\0\3GET\0\2\0\0\0\6/hello";

/* One datagram fed to a broker-side channel; returns the result. */
static int
feed1(uint32_t type, uint32_t len, uint32_t flags, const void *p, size_t n,
    char *why, size_t whysz)
{
	struct chan	c;
	struct msg	m;
	uint8_t		d[256];
	int		e, complete;

	if (chan_init(&c, -1, P_BROKER, P_FETCHER, "t") != 0)
		return -999;
	e = chan_feed(&c, d, frame(d, type, len, 1, flags, p, n), &m,
	    &complete);
	if (e == 0 && !complete)
		e = 1;
	(void)snprintf(why, whysz, "%s", c.why);
	chan_clear(&c);
	return e;
}

static void
test_feed_rows(void)
{
	char	why[160];

	t_int("accepts a valid HTTP_REQ", feed1(MSG_HTTP_REQ,
	    sizeof(req_ok) - 1, 0, req_ok, sizeof(req_ok) - 1, why,
	    sizeof(why)), 0);
	t_int("rejects a length field that does not match", feed1(MSG_HTTP_REQ,
	    999, 0, req_ok, sizeof(req_ok) - 1, why, sizeof(why)), PC_E_SHORT);
	t_ok(strstr(why, "frame length 999") != NULL, "names the length",
	    "why \"%s\"", why);
	t_int("rejects an unknown type", feed1(0x4242, sizeof(req_ok) - 1, 0,
	    req_ok, sizeof(req_ok) - 1, why, sizeof(why)), PC_E_TYPE);
	t_int("rejects TASK sent by a fetcher", feed1(MSG_TASK, 0, 0, "", 0,
	    why, sizeof(why)), PC_E_DIR);
	t_int("rejects HTTP_RESP sent by a fetcher", feed1(MSG_HTTP_RESP, 0, 0,
	    "", 0, why, sizeof(why)), PC_E_DIR);
	t_int("rejects unknown flag bits", feed1(MSG_HTTP_REQ,
	    sizeof(req_ok) - 1, 0x4, req_ok, sizeof(req_ok) - 1, why,
	    sizeof(why)), PC_E_VALUE);
	t_int("rejects chunk 1 without chunk 0", feed1(MSG_HTTP_REQ,
	    sizeof(req_ok) - 1, 1 << MSG_SEQ_SHIFT, req_ok,
	    sizeof(req_ok) - 1, why, sizeof(why)), PC_E_ORDER);
	t_int("rejects a missing required tag", feed1(MSG_HTTP_REQ, 9, 0,
	    "\0\1\0\0\0\3GET", 9, why, sizeof(why)), PC_E_MISSING);
	t_ok(strstr(why, "HTTP_REQ tag 2 (PATH)") != NULL,
	    "names type and tag", "why \"%s\"", why);
	t_int("rejects an over-long field", feed1(MSG_HTTP_REQ, 15, 0,
	    "\0\1\0\0\0\11GETGETGET", 15, why, sizeof(why)), PC_E_TOOBIG);
	t_ok(strstr(why, "HTTP_REQ tag 1 (METHOD): length 9") != NULL,
	    "names the over-long field", "why \"%s\"", why);
}

static void
test_short_frame(void)
{
	struct chan	c;
	struct msg	m;
	int		complete;

	if (chan_init(&c, -1, P_BROKER, P_FETCHER, "t") != 0)
		return;
	t_int("rejects a frame shorter than its header",
	    chan_feed(&c, (const uint8_t *)"\0\0\0\x10", 4, &m, &complete),
	    PC_E_SHORT);
	chan_clear(&c);
}

/* Chunked HTTP_REQ of n payload bytes, split as given. */
static int
feed_chunks(const uint32_t *seqs, size_t nseq, uint32_t type2, uint32_t id2)
{
	struct chan	 c;
	struct msg	 m;
	uint8_t		*d = malloc(16 + MSG_PAYLOAD_MAX);
	uint8_t		*p = calloc(1, MSG_PAYLOAD_MAX);
	size_t		 i;
	int		 e = 0, complete = 0;

	if (d == NULL || p == NULL ||
	    chan_init(&c, -1, P_BROKER, P_FETCHER, "t") != 0)
		return -999;
	for (i = 0; i < nseq && e == 0; i++) {
		uint32_t flags = seqs[i] << MSG_SEQ_SHIFT |
		    (i + 1 < nseq ? MSG_F_MORE : 0);

		e = chan_feed(&c, d, frame(d, i == 1 ? type2 : MSG_HTTP_REQ,
		    MSG_PAYLOAD_MAX, i == 1 ? id2 : 5, flags, p,
		    MSG_PAYLOAD_MAX), &m, &complete);
	}
	chan_clear(&c);
	free(d);
	free(p);
	return e;
}

static void
test_chunk_rows(void)
{
	static const uint32_t gap[] = { 0, 2 };
	static const uint32_t dup[] = { 0, 0 };
	static const uint32_t ok3[] = { 0, 1, 2 };
	uint32_t	 many[20];
	size_t		 i;

	t_int("rejects chunk 2 after chunk 0", feed_chunks(gap, 2,
	    MSG_HTTP_REQ, 5), PC_E_ORDER);
	t_int("rejects chunk 0 twice", feed_chunks(dup, 2, MSG_HTTP_REQ, 5),
	    PC_E_ORDER);
	t_int("rejects another id in the middle", feed_chunks(ok3, 3,
	    MSG_HTTP_REQ, 6), PC_E_ORDER);
	t_int("rejects another type in the middle", feed_chunks(ok3, 3,
	    MSG_ERR, 5), PC_E_ORDER);
	for (i = 0; i < 20; i++)
		many[i] = (uint32_t)i;
	t_int("rejects a total over the type's cap (HTTP_REQ > 1 MiB)",
	    feed_chunks(many, 20, MSG_HTTP_REQ, 5), PC_E_TOOBIG);
}

static void
test_socketpair(void)
{
	struct chan	 f, b;
	struct msg	 m;
	struct buf	 body;
	uint8_t		*zeros;
	int		 sv[2];
	size_t		 n = 200 * 1024, len;
	const uint8_t	*p;
	uint32_t	 st;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
	    chan_init(&f, sv[0], P_FETCHER, P_BROKER, "f") != 0 ||
	    chan_init(&b, sv[1], P_BROKER, P_FETCHER, "b") != 0) {
		t_ok(0, "socketpair", "set-up failed");
		return;
	}
	t_int("send HTTP_REQ", chan_send(&f, MSG_HTTP_REQ, 3, req_ok,
	    sizeof(req_ok) - 1), 0);
	t_int("recv HTTP_REQ", chan_recv(&b, &m), 0);
	t_ok(m.type == MSG_HTTP_REQ && m.id == 3, "type and id kept",
	    "type %u id %u", m.type, m.id);
	buf_init(&body, MSG_RESP_MAX + MSG_PAYLOAD_MAX, 0);
	zeros = calloc(1, n);
	t_int("build a 200 KiB HTTP_RESP", zeros == NULL || tlv_add_u32(&body,
	    TAG_HTTP_RESP_STATUS, 200) | tlv_add_bytes(&body,
	    TAG_HTTP_RESP_BODY, zeros, n), 0);
	free(zeros);
	t_int("send it (chunked)", chan_send_buf(&b, MSG_HTTP_RESP, 3, &body),
	    0);
	t_int("recv it reassembled", chan_recv(&f, &m), 0);
	p = tlv_bytes(&m.tf, TAG_HTTP_RESP_BODY, &len);
	t_ok(p != NULL && len == n, "body length kept", "len %zu", len);
	t_int("status kept", tlv_u32(&m.tf, TAG_HTTP_RESP_STATUS, &st) ||
	    st != 200, 0);
	t_int("sender refuses a type it may not send",
	    chan_send(&f, MSG_TASK, 0, "", 0), PC_E_DIR);
	t_int("sender refuses an over-size payload", chan_send(&f, MSG_ERR, 0,
	    body.p, MSG_TEXT_MAX + MSG_FAIL_MAX + 1), PC_E_TOOBIG);
	buf_clear(&body);
	fail_roundtrip(&b, &f);
	chan_clear(&b);
	t_int("recv after the peer closed is EOF", chan_recv(&f, &m), PC_E_EOF);
	chan_clear(&f);
}

static int
on_log(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)m;
	(*(int *)arg)++;
	return 0;
}

static void
test_dispatch(void)
{
	static const struct msg_route routes[] = {
		{ MSG_LOG,	R_ONCE,	on_log },
	};
	struct chan	c;
	struct msg	m;
	int		calls = 0;

	if (chan_init(&c, -1, P_AGENT, P_FETCHER, "t") != 0)
		return;
	memset(&m, 0, sizeof(m));
	m.type = MSG_LOG;
	t_int("dispatch runs the handler", msg_dispatch(&c, routes, 1, &m,
	    &calls), 0);
	t_int("R_ONCE refuses a second use", msg_dispatch(&c, routes, 1, &m,
	    &calls), PC_E_STATE);
	m.type = MSG_RECORD;
	t_int("no route is a state error", msg_dispatch(&c, routes, 1, &m,
	    &calls), PC_E_STATE);
	t_int("handler ran once", calls, 1);
	chan_clear(&c);
}

/* Every type's tags form one contiguous run of the table. */
static void
test_tables(void)
{
	static const struct { uint32_t type; } rows[] = {
#define TAG_DEF(type, name, v, kind, max, flags)	{ MSG_##type },
#include "msgtags.h"
#undef TAG_DEF
	};
	const struct msg_info	*mi;
	size_t			 i, count;
	uint32_t		 types[] = { MSG_TASK, MSG_HTTP_REQ,
				    MSG_HTTP_RESP, MSG_RECORD, MSG_LOG,
				    MSG_DONE, MSG_AUDIT, MSG_VAULT_SEALED,
				    MSG_BROKER_END, MSG_ERR };
	size_t			 k;

	for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		for (i = count = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			count += rows[i].type == types[k];
		mi = msg_info(types[k]);
		t_ok(mi != NULL && mi->nspec == count, msg_name(types[k]),
		    "nspec %zu, rows %zu", mi ? mi->nspec : 0, count);
	}
	t_str("msg_name", msg_name(MSG_HTTP_REQ), "HTTP_REQ");
	t_str("msg_name of an unknown type", msg_name(0x999), "unknown");
	t_str("msg_tag_name", msg_tag_name(MSG_HTTP_REQ, 2), "PATH");
}

/* ERR with fail fields: every field arrives, the query does not. */
static void
fail_roundtrip(struct chan *from, struct chan *to)
{
	struct fail_msg	f, g;
	struct text_msg	t;
	struct msg	m;

	memset(&f, 0, sizeof(f));
	f.cause = FAIL_EGRESS;
	f.port = 8443;
	f.line = 12;
	msg_fail_request(&f, "GET", "/api/v2/orgs/1/teams?pageNum=2&key=x");
	(void)snprintf(f.host, sizeof(f.host), "h.example");
	(void)snprintf(f.addr, sizeof(f.addr), "192.0.2.1");
	t_str("fail: the query is cut off the path", f.path,
	    "/api/v2/orgs/1/teams");
	t_int("fail: ERR with fields sent", msg_err_send(from, 7, PC_E_POLICY,
	    &f, "refused"), 0);
	t_int("fail: received", chan_recv(to, &m), 0);
	t_int("fail: text decodes", msg_text_decode(&m, &t), 0);
	t_int("fail: fields decode", msg_fail_decode(&m, &g), 0);
	t_ok(g.cause == FAIL_EGRESS && g.port == 8443 && g.line == 12 &&
	    strcmp(g.method, "GET") == 0 && strcmp(g.path, f.path) == 0 &&
	    strcmp(g.host, "h.example") == 0 && strcmp(g.addr, "192.0.2.1") ==
	    0 && t.num == (uint32_t)-PC_E_POLICY, "fail: every field kept",
	    "cause %u port %u line %u", g.cause, g.port, g.line);
}

int
main(void)
{
	t_init("test_msg");
	test_feed_rows();
	test_short_frame();
	test_chunk_rows();
	test_socketpair();
	test_dispatch();
	test_tables();
	return t_done();
}
