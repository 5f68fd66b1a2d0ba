/*
 * Runs in: make bench (tests/bench/bench_atlas.sh), one process, no
 * sandbox. Input: a request log the Atlas mock wrote during a portcullis
 * sync (tests/mock/atlas/server.py --request-log: "S seq ms METHOD target
 * accept" as each request was answered, "E seq ms" once it was sent),
 * DC_USERPWD ("user:password", from the environment, never argv).
 *
 * The privsep baseline: the same requests by a plain libcurl multi loop,
 * no broker, no fetcher, no JSON parsing, each started as soon as a
 * client could know it, in the recorded order among those ready, at most
 * max-in-flight at once (what a request needs: replay_plan.c, shared
 * with the replay through the broker, tests/bench/replay_fetch.c).
 * Not gated on the recorded timing, so the broker's own delays are not
 * copied into the baseline. Same Digest auth (libcurl's, one easy handle
 * per slot, reused, as the broker does), same CA, same Accept.
 *
 * usage: direct_curl ORIGIN CAFILE LOG MAX_IN_FLIGHT
 * prints: requests N not200 N wall_ms N (a vendor's 404 is part of the
 * sequence; a transfer that fails exits 2)
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay_plan.h"

#define DC_SLOTS	64

struct dc_slot {
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			*body;
	size_t			 len, cap, req;
	int			 busy;
};

static void
dc_read(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 line[DC_LINE + 600];

	if (f == NULL)
		dc_die("cannot open the request log");
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] == 'S')
			dc_parse_start(line);
	fclose(f);
	dc_plan_done();
}

static size_t
dc_body(char *p, size_t size, size_t n, void *arg)
{
	struct dc_slot	*s = arg;
	size_t		 len = size * n;

	if (s->len + len + 1 > s->cap) {
		s->cap = (s->len + len + 1) * 2;
		if ((s->body = realloc(s->body, s->cap)) == NULL)
			dc_die("out of memory");
	}
	memcpy(s->body + s->len, p, len);
	s->len += len;
	return len;
}

static long long
dc_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
dc_slot_init(struct dc_slot *s, const char *ca, const char *userpwd)
{
	if ((s->easy = curl_easy_init()) == NULL)
		dc_die("curl_easy_init failed");
	curl_easy_setopt(s->easy, CURLOPT_CAINFO, ca);
	curl_easy_setopt(s->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	curl_easy_setopt(s->easy, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, dc_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
}

static void
dc_start(CURLM *m, struct dc_slot *s, size_t idx, const char *origin)
{
	struct dc_req	*r = &dc_req[idx];
	char		 url[DC_LINE + 512], acc[600];

	if (snprintf(url, sizeof(url), "%s%s", origin, r->target) >=
	    (int)sizeof(url) || snprintf(acc, sizeof(acc), "Accept: %s",
	    r->accept) >= (int)sizeof(acc))
		dc_die("request too long");
	if (strcmp(r->method, "GET") != 0)
		dc_die("only GET requests can be replayed (no bodies logged)");
	curl_slist_free_all(s->hdrs);
	if ((s->hdrs = curl_slist_append(NULL, acc)) == NULL)
		dc_die("out of memory");
	curl_easy_setopt(s->easy, CURLOPT_URL, url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	s->req = idx;
	s->len = 0;
	s->busy = 1;
	r->started = 1;
	if (curl_multi_add_handle(m, s->easy) != CURLM_OK)
		dc_die("curl_multi_add_handle failed");
}

/* Fill the free slots with ready requests, in recorded order. */
static size_t
dc_fill(CURLM *m, struct dc_slot *slots, size_t mif, size_t *first,
    const char *origin)
{
	size_t	i, k = 0, started = 0;

	while (*first < dc_nreq && dc_req[*first].started)
		(*first)++;
	for (i = *first; i < dc_nreq; i++) {
		if (dc_req[i].started || !dc_ready(&dc_req[i]))
			continue;
		while (k < mif && slots[k].busy)
			k++;
		if (k == mif)
			break;
		dc_start(m, &slots[k], i, origin);
		started++;
	}
	return started;
}

/* A finished transfer: its ids seen, its list one page further. */
static int
dc_finish(CURLM *m, CURLMsg *msg)
{
	struct dc_slot	*s;
	long		 status = 0;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(m, s->easy);
	dc_answered(s->req, s->body, s->len);
	s->busy = 0;
	if (msg->data.result != CURLE_OK)
		dc_die(curl_easy_strerror(msg->data.result));
	return status != 200;
}

int
main(int argc, char **argv)
{
	struct dc_slot	 slots[DC_SLOTS] = { { 0 } };
	const char	*userpwd = getenv("DC_USERPWD");
	CURLM		*m;
	CURLMsg		*msg;
	size_t		 first = 0, inflight = 0, ndone = 0, i, mif;
	long long	 t0;
	int		 running, left, errors = 0;

	if (argc != 5 || userpwd == NULL)
		dc_die("usage: DC_USERPWD=u:p direct_curl ORIGIN CAFILE LOG MIF");
	mif = (size_t)strtoul(argv[4], NULL, 10);
	if (mif < 1 || mif > DC_SLOTS)
		dc_die("max-in-flight out of range");
	dc_read(argv[3]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((m = curl_multi_init()) == NULL)
		dc_die("curl_multi_init failed");
	for (i = 0; i < mif; i++)
		dc_slot_init(&slots[i], argv[2], userpwd);
	t0 = dc_now_ms();
	while (ndone < dc_nreq) {
		inflight += dc_fill(m, slots, mif, &first, argv[1]);
		if (inflight == 0)
			dc_die("requests left that nothing received unlocks");
		if (curl_multi_perform(m, &running) != CURLM_OK)
			dc_die("curl_multi_perform failed");
		/* Poll only when nothing finished: a transfer may end inside
		 * perform, and what it unlocks must start at once. */
		if ((msg = curl_multi_info_read(m, &left)) == NULL) {
			if (curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
				dc_die("curl_multi_poll failed");
			continue;
		}
		for (; msg != NULL; msg = curl_multi_info_read(m, &left)) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			errors += dc_finish(m, msg);
			inflight--;
			ndone++;
		}
	}
	printf("requests %zu not200 %d wall_ms %lld\n", dc_nreq, errors,
	    dc_now_ms() - t0);
	return 0;
}
