/*
 * Runs in: every process. Input: datagrams from the peer process, which
 * the broker and agent do not trust when it is a fetcher.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "msgs.h"

#define CHAN_FRAME_MAX	(MSG_HDR_LEN + MSG_PAYLOAD_MAX)
#define CHAN_SEQ_MAX	0xffffffU

int
chan_init(struct chan *c, int fd, enum msg_peer self, enum msg_peer peer,
    const char *name)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->self = self;
	c->peer = peer;
	c->name = name;
	buf_init(&c->in, 0, 0);
	if ((c->frame = malloc(CHAN_FRAME_MAX)) == NULL)
		return PC_E_NOMEM;
	return 0;
}

static void
chan_oq_free(struct chan *c)
{
	struct chan_out	*o, *n;

	for (o = c->oq; o != NULL; o = n) {
		n = o->next;
		free(o);
	}
	c->oq = c->oq_tail = NULL;
	c->oq_bytes = 0;
}

void
chan_clear(struct chan *c)
{
	/* Never initialized (or cleared already): nothing is ours. */
	if (c->frame == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->frame);
	c->frame = NULL;
	buf_clear(&c->in);
	chan_oq_free(c);
	c->assembling = 0;
}

long long
chan_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
chan_nonblock(struct chan *c, size_t max)
{
	int	fl;

	if ((fl = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return PC_E_SYS;
	c->nonblock = 1;
	c->oq_max = max;
	return 0;
}

int
chan_wants_write(const struct chan *c)
{
	return c->oq != NULL;
}

long long
chan_stuck_ms(const struct chan *c, long long now_ms)
{
	long long	a = c->assembling ? now_ms - c->asm_since : 0;
	long long	o = c->oq != NULL ? now_ms - c->oq_since : 0;

	return a > o ? a : o;
}

static int
chan_fail(struct chan *c, int e, const char *fmt, ...) PC_PRINTF(3, 4);

static int
chan_fail(struct chan *c, int e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	c->assembling = 0;
	buf_clear(&c->in);
	return e;
}

static int
chan_may_send(const struct chan *c, const struct msg_info *mi)
{
	return (mi->from == P_ANY || mi->from == c->self) &&
	    (mi->to == P_ANY || mi->to == c->peer);
}

static int
chan_may_recv(const struct chan *c, const struct msg_info *mi)
{
	return (mi->from == P_ANY || mi->from == c->peer) &&
	    (mi->to == P_ANY || mi->to == c->self);
}

/* One datagram; PC_E_AGAIN when a non-blocking peer's buffer is full. */
static int
chan_put(struct chan *c, const uint8_t *hdr, const uint8_t *p, size_t len)
{
	struct iovec	iov[2];
	struct msghdr	mh;
	ssize_t		n;

	iov[0].iov_base = (void *)(uintptr_t)hdr;
	iov[0].iov_len = MSG_HDR_LEN;
	iov[1].iov_base = (void *)(uintptr_t)p;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	do
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL |
		    (c->nonblock ? MSG_DONTWAIT : 0));
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return PC_E_AGAIN;
	if (n == -1)
		return errno == EPIPE || errno == ECONNRESET ? PC_E_EOF :
		    PC_E_SYS;
	return (size_t)n == MSG_HDR_LEN + len ? 0 : PC_E_SYS;
}

/* Keep a frame for later; the queue's ceiling fails a peer that sleeps. */
static int
chan_queue(struct chan *c, const uint8_t *hdr, const uint8_t *p, size_t len)
{
	struct chan_out	*o;

	if (len + MSG_HDR_LEN > c->oq_max - c->oq_bytes ||
	    c->oq_bytes > c->oq_max)
		return chan_fail(c, PC_E_TOOBIG, "%zu bytes queued: the peer "
		    "does not read", c->oq_bytes);
	if ((o = malloc(sizeof(*o) + MSG_HDR_LEN + len)) == NULL)
		return PC_E_NOMEM;
	o->next = NULL;
	o->len = MSG_HDR_LEN + len;
	memcpy(o->data, hdr, MSG_HDR_LEN);
	if (len > 0)
		memcpy(o->data + MSG_HDR_LEN, p, len);
	if (c->oq == NULL)
		c->oq_since = chan_now_ms();
	if (c->oq_tail != NULL)
		c->oq_tail->next = o;
	else
		c->oq = o;
	c->oq_tail = o;
	c->oq_bytes += o->len;
	return 0;
}

int
chan_flush(struct chan *c)
{
	struct chan_out	*o;
	int		 e;

	while ((o = c->oq) != NULL) {
		if ((e = chan_put(c, o->data, o->data + MSG_HDR_LEN,
		    o->len - MSG_HDR_LEN)) == PC_E_AGAIN)
			return 0;
		if (e != 0)
			return e;
		c->oq = o->next;
		if (c->oq == NULL)
			c->oq_tail = NULL;
		c->oq_bytes -= o->len;
		c->oq_since = chan_now_ms();
		free(o);
	}
	return 0;
}

static int
chan_send_frame(struct chan *c, uint32_t type, uint32_t id, uint32_t flags,
    const uint8_t *p, size_t len)
{
	uint8_t	hdr[MSG_HDR_LEN];
	int	e;

	buf_put_u32(hdr, type);
	buf_put_u32(hdr + 4, (uint32_t)len);
	buf_put_u32(hdr + 8, id);
	buf_put_u32(hdr + 12, flags);
	/* Order is kept: nothing jumps a queue that is not empty. */
	if (c->oq != NULL)
		return chan_queue(c, hdr, p, len);
	if ((e = chan_put(c, hdr, p, len)) == PC_E_AGAIN)
		return chan_queue(c, hdr, p, len);
	return e;
}

int
chan_send(struct chan *c, uint32_t type, uint32_t id, const void *p,
    size_t len)
{
	const struct msg_info	*mi;
	const uint8_t		*q = p;
	uint32_t		 seq = 0, flags;
	size_t			 n;
	int			 e;

	if ((mi = msg_info(type)) == NULL)
		return PC_E_TYPE;
	if (!chan_may_send(c, mi))
		return PC_E_DIR;
	if (len > mi->max)
		return PC_E_TOOBIG;
	do {
		n = len > MSG_PAYLOAD_MAX ? MSG_PAYLOAD_MAX : len;
		flags = seq << MSG_SEQ_SHIFT | (len > n ? MSG_F_MORE : 0);
		if ((e = chan_send_frame(c, type, id, flags, q, n)) != 0)
			return e;
		q += n;
		len -= n;
		seq++;
	} while (len > 0);
	return 0;
}

int
chan_send_buf(struct chan *c, uint32_t type, uint32_t id, struct buf *b)
{
	if (b->err != 0)
		return b->err;
	return chan_send(c, type, id, b->p, b->len);
}

int
chan_send_err(struct chan *c, uint32_t id, int code, const char *fmt, ...)
{
	struct text_msg	t;
	struct buf	b;
	va_list		ap;
	int		e;

	t.num = (uint32_t)-code;
	va_start(ap, fmt);
	(void)vsnprintf(t.text, sizeof(t.text), fmt, ap);
	va_end(ap);
	buf_init(&b, MSG_TEXT_MAX + 64, 0);
	if ((e = msg_text_encode(MSG_ERR, &t, &b)) == 0)
		e = chan_send_buf(c, MSG_ERR, id, &b);
	buf_clear(&b);
	return e;
}

/* Decode the finished payload against its type's tag table. */
static int
chan_finish(struct chan *c, const struct msg_info *mi, struct msg *m)
{
	int	e;

	if ((e = tlv_decode(mi->spec, mi->nspec, m->p, m->len, &m->tf)) == 0)
		return 0;
	if (e == PC_E_TOOBIG)
		return chan_fail(c, e, "%s tag %u (%s): length %u > max",
		    mi->name, m->tf.bad_tag, msg_tag_name(m->type,
		    m->tf.bad_tag), m->tf.bad_len);
	return chan_fail(c, e, "%s tag %u (%s): %s", mi->name, m->tf.bad_tag,
	    msg_tag_name(m->type, m->tf.bad_tag), err_str(e));
}

/* One frame of a chunked message: same type and id, next number. */
static int
chan_chunk(struct chan *c, const struct msg_info *mi, uint32_t id,
    uint32_t seq, const uint8_t *p, size_t len)
{
	if (!c->assembling) {
		if (seq != 0)
			return chan_fail(c, PC_E_ORDER, "%s: chunk %u "
			    "without chunk 0", mi->name, seq);
		c->assembling = 1;
		c->asm_since = chan_now_ms();
		c->atype = mi->type;
		c->aid = id;
		c->aseq = 0;
		buf_clear(&c->in);
		buf_init(&c->in, mi->max, 0);
	} else if (mi->type != c->atype || id != c->aid ||
	    seq != c->aseq + 1)
		return chan_fail(c, PC_E_ORDER, "%s: chunk %u after %s chunk "
		    "%u", mi->name, seq, msg_name(c->atype), c->aseq);
	else
		c->aseq = seq;
	if (buf_add(&c->in, p, len) != 0)
		return chan_fail(c, PC_E_TOOBIG, "%s: total over %zu bytes",
		    mi->name, mi->max);
	return 0;
}

static int
chan_header(struct chan *c, const uint8_t *d, size_t n,
    const struct msg_info **mip)
{
	uint32_t	type = buf_get_u32(d), len = buf_get_u32(d + 4);
	uint32_t	flags = buf_get_u32(d + 12);

	if (len != n - MSG_HDR_LEN)
		return chan_fail(c, PC_E_SHORT, "frame length %u != %zu "
		    "received", len, n - MSG_HDR_LEN);
	if ((*mip = msg_info(type)) == NULL)
		return chan_fail(c, PC_E_TYPE, "unknown message type 0x%x",
		    type);
	if (!chan_may_recv(c, *mip))
		return chan_fail(c, PC_E_DIR, "%s not allowed from %s to %s",
		    (*mip)->name, msg_peer_name(c->peer),
		    msg_peer_name(c->self));
	if ((flags & 0xfe) != 0)
		return chan_fail(c, PC_E_VALUE, "%s: unknown frame flags "
		    "0x%x", (*mip)->name, flags & 0xff);
	return 0;
}

int
chan_feed(struct chan *c, const uint8_t *d, size_t n, struct msg *m,
    int *complete)
{
	const struct msg_info	*mi = NULL;
	uint32_t		 id, flags;
	int			 e;

	*complete = 0;
	if (n < MSG_HDR_LEN)
		return chan_fail(c, PC_E_SHORT, "frame of %zu bytes is shorter "
		    "than its header", n);
	if (n > CHAN_FRAME_MAX)
		return chan_fail(c, PC_E_TOOBIG, "frame of %zu bytes", n);
	if ((e = chan_header(c, d, n, &mi)) != 0)
		return e;
	id = buf_get_u32(d + 8);
	flags = buf_get_u32(d + 12);
	memset(m, 0, sizeof(*m));
	m->type = mi->type;
	m->id = id;
	if (!c->assembling && flags == 0) {
		if (n - MSG_HDR_LEN > mi->max)
			return chan_fail(c, PC_E_TOOBIG, "%s: %zu bytes > "
			    "max %zu", mi->name, n - MSG_HDR_LEN, mi->max);
		m->p = d + MSG_HDR_LEN;
		m->len = n - MSG_HDR_LEN;
	} else {
		if ((e = chan_chunk(c, mi, id, flags >> MSG_SEQ_SHIFT,
		    d + MSG_HDR_LEN, n - MSG_HDR_LEN)) != 0)
			return e;
		if (flags & MSG_F_MORE)
			return 0;
		c->assembling = 0;
		m->p = c->in.p;
		m->len = c->in.len;
	}
	if ((e = chan_finish(c, mi, m)) != 0)
		return e;
	*complete = 1;
	return 0;
}

static int
chan_read_frame(struct chan *c, size_t *np)
{
	struct iovec	iov;
	struct msghdr	mh;
	ssize_t		n;

	iov.iov_base = c->frame;
	iov.iov_len = CHAN_FRAME_MAX;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC |
		    (c->nonblock ? MSG_DONTWAIT : 0));
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return PC_E_AGAIN;
	if (n == -1)
		return errno == ECONNRESET ? chan_fail(c, PC_E_EOF,
		    "connection reset") : chan_fail(c, PC_E_SYS, "recvmsg: %s",
		    strerror(errno));
	if (n == 0)
		return chan_fail(c, PC_E_EOF, "channel closed");
	/* No type carries descriptors; a truncated frame is an attack. */
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return chan_fail(c, PC_E_TOOBIG, "frame over %d bytes or with "
		    "ancillary data", CHAN_FRAME_MAX);
	*np = (size_t)n;
	return 0;
}

int
chan_recv(struct chan *c, struct msg *m)
{
	size_t	n = 0;
	int	e, complete = 0;

	if (!c->assembling)
		buf_reset(&c->in);
	while (!complete) {
		/* PC_E_AGAIN keeps a chunked message for the next call. */
		if ((e = chan_read_frame(c, &n)) != 0)
			return e;
		if ((e = chan_feed(c, c->frame, n, m, &complete)) != 0)
			return e;
	}
	return 0;
}

int
msg_dispatch(struct chan *c, const struct msg_route *routes, size_t nroutes,
    struct msg *m, void *ctx)
{
	size_t	i;

	for (i = 0; i < nroutes; i++) {
		if (routes[i].type != m->type)
			continue;
		if (routes[i].flags & R_ONCE) {
			if (i < 32 && (c->once & (1U << i)))
				return chan_fail(c, PC_E_STATE, "%s sent twice",
				    msg_name(m->type));
			if (i < 32)
				c->once |= 1U << i;
		}
		return routes[i].fn(c, m, ctx);
	}
	return chan_fail(c, PC_E_STATE, "unexpected %s from %s",
	    msg_name(m->type), msg_peer_name(c->peer));
}
