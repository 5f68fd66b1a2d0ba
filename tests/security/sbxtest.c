/*
 * portcullis-fetch-sbxtest: a fetcher that misbehaves on request, for the
 * security tests. Each action does one thing the sandbox or the broker
 * must stop; "hold" and "hello" behave and let a test inspect the process.
 * Never installed.
 */
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "log.h"
#include "sbx.h"

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
