/*
 * portcullis-fetch-sbxtest: a fetcher that misbehaves on request, for the
 * security tests: the compromised fetcher of the hostile-world suite.
 * Each action does one thing the sandbox, the broker or the agent must
 * stop; "hold" and "hello" behave and let a test inspect the process.
 * Option values that start with "hex:" are hex-decoded first, so a test
 * can put any byte (CR, LF, DEL, C1) where it likes. Never installed.
 */
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <sys/syscall.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "log.h"
#include "msgs.h"
#include "record.h"
#include "sbx.h"

#define SBX_OPT_MAX	4096

static int
sbxtest_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Option key into dst (hex-decoded after "hex:"); NULL when absent. */
static const char *
sbxtest_opt(struct fetch *f, const char *key, char *dst, size_t dstsz)
{
	static char	raw[SBX_OPT_MAX];
	size_t		i, n = 0;
	int		hi, lo;

	if (fetch_opt(f, key, raw, sizeof(raw)) == NULL)
		return NULL;
	if (strncmp(raw, "hex:", 4) != 0)
		return snprintf(dst, dstsz, "%s", raw) < (int)dstsz ? dst : NULL;
	for (i = 4; raw[i] != '\0' && raw[i + 1] != '\0' && n + 1 < dstsz;
	    i += 2) {
		if ((hi = sbxtest_hexval(raw[i])) < 0 ||
		    (lo = sbxtest_hexval(raw[i + 1])) < 0)
			return NULL;
		dst[n++] = (char)(hi << 4 | lo);
	}
	dst[n] = '\0';
	return dst;
}

static int
sbxtest_get(struct fetch *f)
{
	struct fetch_req	req = { .method = "GET", .path = "/hello",
				    .accept = "application/json" };
	struct fetch_resp	resp;
	char			path[1024];
	int			e;

	if (fetch_opt(f, "path", path, sizeof(path)) != NULL)
		req.path = path;
	fetch_resp_init(&resp);
	e = fetch_http(f, &req, &resp);
	if (e == 0)
		fetch_result(f, "HTTP %u, %zu bytes", resp.status,
		    resp.body.len);
	else
		fetch_result(f, "refused: %s", resp.err[0] != '\0' ? resp.err :
		    err_str(e));
	fetch_resp_clear(&resp);
	return e;
}

/* One request with every field as the options say, however wrong. */
static int
sbxtest_raw(struct fetch *f)
{
	static char		 v[9][SBX_OPT_MAX];
	static const char *const keys[] = { "method", "path", "accept",
				    "ctype", "body", "cred", "target",
				    "operation", "slot" };
	const char		*got[9];
	struct fetch_req	 req;
	struct fetch_resp	 resp;
	size_t			 i;
	int			 e;

	for (i = 0; i < 9; i++)
		got[i] = sbxtest_opt(f, keys[i], v[i], sizeof(v[i]));
	memset(&req, 0, sizeof(req));
	req.method = got[0] != NULL ? got[0] : "GET";
	req.path = got[1] != NULL ? got[1] : "/hello";
	req.accept = got[2];
	req.ctype = got[3];
	if (got[4] != NULL) {
		req.body = got[4];
		req.len = strlen(got[4]);
	}
	req.cred = got[5];
	req.target = got[6];
	req.operation = got[7];
	req.slot = got[8];
	fetch_resp_init(&resp);
	if ((e = fetch_http(f, &req, &resp)) == 0)
		fetch_result(f, "HTTP %u %.*s", resp.status,
		    (int)(resp.body.len > 1500 ? 1500 : resp.body.len),
		    resp.body.p != NULL ? (const char *)resp.body.p : "");
	else
		fetch_result(f, "refused: %s", resp.err[0] != '\0' ? resp.err :
		    err_str(e));
	/* how = hide: a fetcher that keeps a refusal to itself (the broker
	 * tells the agent anyway). */
	if (e != 0 && sbxtest_opt(f, "how", v[0], sizeof(v[0])) != NULL &&
	    strcmp(v[0], "hide") == 0) {
		fetch_result(f, "all is well");
		e = 0;
	}
	fetch_resp_clear(&resp);
	return e;
}

/*
 * Signals anywhere but at itself: every form must be killed by the
 * filter (or, for abort, end the fetcher). "how" picks the form.
 */
static int
sbxtest_signal(struct fetch *f)
{
	char	how[64];
	pid_t	me = getpid();

	if (fetch_opt(f, "how", how, sizeof(how)) == NULL)
		return PC_E_MISSING;
	if (strcmp(how, "kill-parent") == 0)
		return kill(getppid(), SIGTERM) == 0 ? 0 : PC_E_SYS;
	if (strcmp(how, "kill-all") == 0)
		return kill(-1, SIGKILL) == 0 ? 0 : PC_E_SYS;
	if (strcmp(how, "kill-self") == 0)
		return kill(me, SIGABRT) == 0 ? 0 : PC_E_SYS;
	if (strcmp(how, "tkill") == 0)
		return syscall(SYS_tkill, me, SIGABRT) == 0 ? 0 : PC_E_SYS;
	if (strcmp(how, "tgkill-other") == 0)
		return syscall(SYS_tgkill, me + 1, me + 1, SIGABRT) == 0 ? 0 :
		    PC_E_SYS;
	if (strcmp(how, "tgkill-pid1") == 0)
		return syscall(SYS_tgkill, 1, 1, SIGABRT) == 0 && me != 1 ? 0 :
		    PC_E_SYS;
	if (strcmp(how, "tgkill-sigkill") == 0)
		return syscall(SYS_tgkill, me, me, SIGKILL) == 0 ? 0 : PC_E_SYS;
	if (strcmp(how, "abort") == 0)
		abort();
	return PC_E_VALUE;
}

/* The first chunk of a request, then silence. */
static int
sbxtest_halfframe(void)
{
	uint8_t		d[MSG_HDR_LEN + 64];
	struct timespec	ts = { 60, 0 };

	memset(d, 0, sizeof(d));
	buf_put_u32(d, MSG_HTTP_REQ);
	buf_put_u32(d + 4, 64);
	buf_put_u32(d + 8, 1);
	buf_put_u32(d + 12, MSG_F_MORE);
	(void)!write(3, d, sizeof(d));
	(void)nanosleep(&ts, NULL);
	return 0;
}

/* count requests sent, not one answer read. */
static int
sbxtest_flood(struct fetch *f)
{
	struct fetch_req	req = { .method = "GET", .path = "/hello",
				    .accept = "application/json" };
	struct timespec		ts = { 60, 0 };
	char			v[32];
	long			i, n = 10000;
	uint32_t		id;

	if (fetch_opt(f, "count", v, sizeof(v)) != NULL)
		n = strtol(v, NULL, 10);
	for (i = 0; i < n; i++)
		if (fetch_submit(f, &req, &id) != 0)
			break;
	fetch_log(f, LOG_L_INFO, "flooded %ld requests", i);
	(void)nanosleep(&ts, NULL);
	return 0;
}

/* A frame larger than any the broker takes. */
static int
sbxtest_bigframe(void)
{
	static uint8_t	d[MSG_HDR_LEN + MSG_PAYLOAD_MAX + 4096];

	buf_put_u32(d, MSG_HTTP_REQ);
	buf_put_u32(d + 4, sizeof(d) - MSG_HDR_LEN);
	(void)!write(3, d, sizeof(d));
	(void)!read(3, d, 64);
	return PC_E_REMOTE;
}

/* A message of a type only the broker may send, to the broker. */
static int
sbxtest_wrongdir(void)
{
	uint8_t	d[MSG_HDR_LEN];

	memset(d, 0, sizeof(d));
	buf_put_u32(d, MSG_AUDIT);
	(void)!write(3, d, sizeof(d));
	(void)!read(3, d, sizeof(d));
	return PC_E_REMOTE;
}

/* A record the agent must refuse, then a clean end; "how" picks it. */
static int
sbxtest_records(struct fetch *f)
{
	char		how[64];
	struct buf	b;
	int		e = 0;

	if (fetch_opt(f, "how", how, sizeof(how)) == NULL)
		return PC_E_MISSING;
	buf_init(&b, MSG_RECORD_MAX * 2, 0);
	if (strcmp(how, "kind") == 0)
		e = tlv_add_u32(&b, TAG_RECORD_KIND, 99) ||
		    tlv_add_str(&b, TAG_RECORD_RTYPE, "user");
	else if (strcmp(how, "noslug") == 0)
		e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_ENTITLEMENT) ||
		    tlv_add_str(&b, TAG_RECORD_RTYPE, "team") ||
		    tlv_add_str(&b, TAG_RECORD_ID, "t1");
	else if (strcmp(how, "mismatch") == 0)
		e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_GRANT) ||
		    tlv_add_str(&b, TAG_RECORD_RTYPE, "team") ||
		    tlv_add_str(&b, TAG_RECORD_ID, "t1") ||
		    tlv_add_str(&b, TAG_RECORD_SLUG, "member") ||
		    tlv_add_str(&b, TAG_RECORD_ENT, "team:t2:member") ||
		    tlv_add_str(&b, TAG_RECORD_PRTYPE, "user") ||
		    tlv_add_str(&b, TAG_RECORD_PRID, "u1");
	else if (strcmp(how, "profile") == 0)
		e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_RESOURCE) ||
		    tlv_add_str(&b, TAG_RECORD_RTYPE, "user") ||
		    tlv_add_str(&b, TAG_RECORD_ID, "u1") ||
		    tlv_add_str(&b, TAG_RECORD_PROFILE, "{\"a\":1,\"a\":2}");
	else if (strcmp(how, "emails") == 0)
		e = tlv_add_u32(&b, TAG_RECORD_KIND, REC_RESOURCE) ||
		    tlv_add_str(&b, TAG_RECORD_RTYPE, "user") ||
		    tlv_add_str(&b, TAG_RECORD_ID, "u1") ||
		    tlv_add_str(&b, TAG_RECORD_EMAILS, "a@x.com,b@y.com");
	else
		e = PC_E_VALUE;
	if (e == 0)
		e = fetch_record(f, &b);
	buf_clear(&b);
	if (e == 0)
		fetch_result(f, "records sent");
	return e;
}

/* A frame with a length field that does not match what was sent. */
static int
sbxtest_badframe(void)
{
	uint8_t		d[32];
	struct iovec	iov = { d, sizeof(d) };
	struct msghdr	mh;

	memset(d, 0, sizeof(d));
	memset(&mh, 0, sizeof(mh));
	buf_put_u32(d, MSG_HTTP_REQ);
	buf_put_u32(d + 4, 9999);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	(void)!sendmsg(3, &mh, MSG_NOSIGNAL);
	/* Wait for the broker's verdict: its ERR, then the close. */
	(void)!recvmsg(3, &mh, 0);
	return PC_E_REMOTE;
}

static int
sbxtest_hold(struct fetch *f)
{
	struct timespec	ts = { 60, 0 };

	(void)sbxtest_get(f);
	(void)nanosleep(&ts, NULL);
	return 0;
}

/*
 * One write: POST opts "body" to opts "path", with opts "slot", "target"
 * and "accept" when set. The answer's body is printed so a test can
 * see what the broker let through (a generated secret must not be).
 */
static int
sbxtest_post(struct fetch *f)
{
	struct fetch_req	req = { .method = "POST", .path = "/data/x",
				    .accept = "application/json",
				    .ctype = "application/json",
				    .operation = "create_account",
				    .target = "user:bob" };
	struct fetch_resp	resp;
	char			path[1024], body[2048], slot[256], target[256];
	char			accept[128];
	int			e;

	if (fetch_opt(f, "path", path, sizeof(path)) != NULL)
		req.path = path;
	if (fetch_opt(f, "body", body, sizeof(body)) == NULL)
		(void)snprintf(body, sizeof(body), "{}");
	req.slot = fetch_opt(f, "slot", slot, sizeof(slot));
	if (fetch_opt(f, "target", target, sizeof(target)) != NULL)
		req.target = target;
	if (fetch_opt(f, "accept", accept, sizeof(accept)) != NULL)
		req.accept = accept;
	req.body = body;
	req.len = strlen(body);
	fetch_resp_init(&resp);
	e = fetch_http(f, &req, &resp);
	if (e == 0)
		fetch_result(f, "HTTP %u %.*s", resp.status,
		    (int)(resp.body.len > 1500 ? 1500 : resp.body.len),
		    resp.body.p != NULL ? (const char *)resp.body.p : "");
	else
		fetch_result(f, "refused: %s", resp.err[0] != '\0' ? resp.err :
		    err_str(e));
	fetch_resp_clear(&resp);
	return e;
}

/* A write, then stay alive so a test can scan this process. */
static int
sbxtest_post_hold(struct fetch *f)
{
	struct timespec	ts = { 60, 0 };
	int		e;

	e = sbxtest_post(f);
	fetch_log(f, LOG_L_INFO, "holding");
	(void)nanosleep(&ts, NULL);
	return e;
}

static int
sbxtest_run(struct fetch *f)
{
	char	a[64];
	void	*p;

	if (fetch_opt(f, "action", a, sizeof(a)) == NULL)
		return PC_E_MISSING;
	if (strcmp(a, "open") == 0)
		return open("/etc/passwd", O_RDONLY) >= 0 ? 0 : PC_E_SYS;
	if (strcmp(a, "socket") == 0)
		return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : PC_E_SYS;
	if (strcmp(a, "execve") == 0) {
		char *const argv[] = { "/bin/true", NULL };
		return execve(argv[0], argv, argv + 1) == 0 ? 0 : PC_E_SYS;
	}
	if (strcmp(a, "ptrace") == 0)
		return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 :
		    PC_E_SYS;
	if (strcmp(a, "mprotect") == 0) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0 ? 0 :
		    PC_E_SYS;
	}
	if (strcmp(a, "mmapexec") == 0)
		return mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ? 0 :
		    PC_E_SYS;
	if (strcmp(a, "badframe") == 0)
		return sbxtest_badframe();
	if (strcmp(a, "hold") == 0)
		return sbxtest_hold(f);
	if (strcmp(a, "hello") == 0)
		return sbxtest_get(f);
	if (strcmp(a, "post") == 0)
		return sbxtest_post(f);
	if (strcmp(a, "post-hold") == 0)
		return sbxtest_post_hold(f);
	if (strcmp(a, "raw") == 0)
		return sbxtest_raw(f);
	if (strcmp(a, "signal") == 0)
		return sbxtest_signal(f);
	if (strcmp(a, "halfframe") == 0)
		return sbxtest_halfframe();
	if (strcmp(a, "flood") == 0)
		return sbxtest_flood(f);
	if (strcmp(a, "bigframe") == 0)
		return sbxtest_bigframe();
	if (strcmp(a, "wrongdir") == 0)
		return sbxtest_wrongdir();
	if (strcmp(a, "records") == 0)
		return sbxtest_records(f);
	return PC_E_VALUE;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--export-seccomp") == 0)
		return sbx_export(1) == 0 ? 0 : 1;
	sbx_enter();
	return fetch_main(sbxtest_run);
}
