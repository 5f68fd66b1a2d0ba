/*
 * portcullis-fetch-demo: one GET through the broker, the answer handed
 * back to the agent as the run's result. It shows the whole path a real
 * fetcher takes, and the tests use it end to end.
 */
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "sbx.h"

#define DEMO_SHOW_MAX	512

/* Only printable ASCII reaches the operator's terminal. */
static void
demo_printable(char *dst, size_t dstsz, const uint8_t *p, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len && n + 1 < dstsz; i++)
		dst[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	dst[n] = '\0';
}

static int
demo_run(struct fetch *f)
{
	struct fetch_req	req = { .method = "GET", .path = "/hello",
				    .accept = "application/json" };
	struct fetch_resp	resp;
	char			path[1024], shown[DEMO_SHOW_MAX];
	int			e;

	if (fetch_opt(f, "path", path, sizeof(path)) != NULL)
		req.path = path;
	fetch_resp_init(&resp);
	if ((e = fetch_http(f, &req, &resp)) != 0) {
		fetch_result(f, "GET %s: %s", req.path, resp.err[0] != '\0' ?
		    resp.err : err_str(e));
		fetch_resp_clear(&resp);
		return e;
	}
	demo_printable(shown, sizeof(shown), resp.body.p, resp.body.len);
	fetch_result(f, "GET %s: HTTP %u: %s", req.path, resp.status, shown);
	e = resp.status >= 200 && resp.status < 300 ? 0 : PC_E_HTTP;
	fetch_resp_clear(&resp);
	return e;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--export-seccomp") == 0)
		return sbx_export(1) == 0 ? 0 : 1;
	sbx_enter();
	return fetch_main(demo_run);
}
