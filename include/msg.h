/*
 * Messages between agent, broker and fetchers. The tables in msgtypes.h
 * and msgtags.h are expanded here into the enum, the names, directions,
 * limits and per-type tag specs, so they cannot drift.
 *
 * A frame is one SOCK_SEQPACKET datagram: a 16-byte header
 * {u32 type; u32 len; u32 id; u32 flags} (big-endian) and len <= 64 KiB
 * of payload. A longer message travels as frames with the same type and
 * id, numbered in flags (seq << 8) with MSG_F_MORE on all but the last.
 */
#ifndef PC_MSG_H
#define PC_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "pclimits.h"
#include "tlv.h"

enum msg_peer {
	P_ANY = 0,
	P_AGENT,
	P_BROKER,
	P_FETCHER,
	P_NONE			/* a payload nested in another message */
};

enum msg_type {
#define MSG_DEF(n, v, from, to, max)	MSG_##n = v,
#include "msgtypes.h"
#undef MSG_DEF
};

enum {
#define TAG_DEF(type, name, v, kind, max, flags)	TAG_##type##_##name = v,
#include "msgtags.h"
#undef TAG_DEF
};

/* Each tag's maximum length: codec structs size their fields by it. */
enum {
#define TAG_DEF(type, name, v, kind, max, flags)	\
	TAGMAX_##type##_##name = max,
#include "msgtags.h"
#undef TAG_DEF
};

/* TASK operations (TAG_TASK_OP). */
enum task_op {
	TASK_SYNC = 1,
	TASK_GRANT,
	TASK_REVOKE,
	TASK_CREATE_ACCOUNT,
	TASK_DELETE_RESOURCE,
	TASK_ACTION,
	TASK_DEMO		/* demo fetcher: one GET, print the result */
};

#define TASK_F_DRY_RUN	0x1

/* VAULT_SEALED status values. */
#define VAULT_OK	0	/* stored where configured */
#define VAULT_FALLBACK	1	/* KV failed, sealed to the spool instead */
#define VAULT_LOST	2	/* nothing could store it */

#define MSG_F_MORE	0x1
#define MSG_SEQ_SHIFT	8

struct msg_info {
	uint32_t		 type;
	const char		*name;
	enum msg_peer		 from, to;
	size_t			 max;
	const struct tlv_spec	*spec;
	size_t			 nspec;
};

struct msg {
	uint32_t		 type;
	uint32_t		 id;
	const uint8_t		*p;	/* payload, valid until next recv */
	size_t			 len;
	struct tlv_fields	 tf;	/* decoded against the type's spec */
};

/* Row for a type, NULL when the type is unknown. */
const struct msg_info	*msg_info(uint32_t type);
/* "HTTP_REQ"; "unknown" for an unknown type. */
const char		*msg_name(uint32_t type);
const char		*msg_peer_name(enum msg_peer p);
/* "PATH" for (MSG_HTTP_REQ, 2); "?" when not declared. */
const char		*msg_tag_name(uint32_t type, unsigned tag);

/*
 * A channel: one end of a socketpair, who we are and who the peer is.
 * chan_recv checks, in order: frame size, known type, direction, the
 * type's size limit, chunk order, then the TLV payload.
 */
/* A frame waiting for the peer to read (non-blocking channels). */
struct chan_out {
	struct chan_out	*next;
	size_t		 len;
	uint8_t		 data[];	/* header and payload */
};

struct chan {
	int		 fd;
	enum msg_peer	 self, peer;
	const char	*name;		/* "fetcher atlas", for errors */
	uint8_t		*frame;		/* one datagram, MSG_HDR_LEN + 64 KiB */
	struct buf	 in;		/* reassembly of chunked messages */
	int		 assembling;	/* a chunked message is under way */
	uint32_t	 atype, aid, aseq;
	long long	 asm_since;	/* monotonic ms its first chunk came */
	uint32_t	 once;		/* R_ONCE routes already used */
	int		 nonblock;	/* never wait on the peer */
	struct chan_out	*oq, *oq_tail;	/* frames the peer has not read */
	size_t		 oq_bytes, oq_max;
	long long	 oq_since;	/* monotonic ms the queue last moved */
	char		 why[160];	/* detail of the last failure */
};

int	chan_init(struct chan *c, int fd, enum msg_peer self,
	    enum msg_peer peer, const char *name) PC_WUR;
/* Close fd, free buffers; a no-op on a channel never initialized. */
void	chan_clear(struct chan *c);
/*
 * Make c non-blocking: chan_recv returns PC_E_AGAIN when no datagram is
 * there (a chunked message stays under way), and chan_send queues what
 * the peer has not read, up to max bytes (then PC_E_TOOBIG: a peer that
 * does not read is failed, not waited for). chan_flush sends the queue.
 */
int	chan_nonblock(struct chan *c, size_t max) PC_WUR;
int	chan_flush(struct chan *c) PC_WUR;
/* 1 when frames wait to be sent (poll for POLLOUT). */
int	chan_wants_write(const struct chan *c);
/*
 * Milliseconds the channel has been stuck at now_ms: a chunked message
 * begun and not finished, or queued output the peer did not read; 0
 * when neither.
 */
long long chan_stuck_ms(const struct chan *c, long long now_ms);
/* The monotonic clock in milliseconds. */
long long chan_now_ms(void);
/*
 * Send one message, split into frames when len > 64 KiB. The type must
 * be one we may send to this peer and len within its limit (else
 * PC_E_DIR / PC_E_TOOBIG, nothing sent). PC_E_SYS or PC_E_EOF on I/O.
 */
int	chan_send(struct chan *c, uint32_t type, uint32_t id, const void *p,
	    size_t len) PC_WUR;
int	chan_send_buf(struct chan *c, uint32_t type, uint32_t id,
	    struct buf *b) PC_WUR;
/* Send ERR {code, text}; text is one line, never a secret. */
int	chan_send_err(struct chan *c, uint32_t id, int code,
	    const char *fmt, ...) PC_PRINTF(4, 5);
/*
 * Receive and validate one message (blocking). On failure c->why holds
 * one line naming the type and field at fault; PC_E_EOF on a clean close.
 */
int	chan_recv(struct chan *c, struct msg *m) PC_WUR;
/* Validate one already-received datagram (for fuzzing and tests). */
int	chan_feed(struct chan *c, const uint8_t *dgram, size_t n,
	    struct msg *m, int *complete) PC_WUR;

/* Dispatch: a const table per receiver (STYLE "Dispatch"). */
#define R_ONCE		0x1

struct msg_route {
	uint32_t	  type;
	unsigned	  flags;
	int		(*fn)(struct chan *, struct msg *, void *);
};

/*
 * Run the handler for m: PC_E_STATE when no row exists for the type or
 * an R_ONCE row was used before, else the handler's result.
 */
int	msg_dispatch(struct chan *c, const struct msg_route *routes,
	    size_t nroutes, struct msg *m, void *ctx) PC_WUR;

#endif /* PC_MSG_H */
