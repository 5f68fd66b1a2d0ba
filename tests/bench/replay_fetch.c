/*
 * portcullis-fetch-replay (bench only, never installed): the privsep
 * row of make bench. Runs in: a fetcher's sandbox, as the test app
 * "replay" (lib/app_test.c). Input: the request log of an Atlas sync,
 * which the Atlas mock (--replay-list) answers to one GET of
 * RP_LIST_PATH (the fetcher can open no file; the agent's task holds
 * 4 KiB of options, far less than a log); then the answers.
 *
 * The same requests as the sync, issued through the broker (Atlas egress
 * rules, allowlist and Digest in force: the bench's config names them),
 * gated as tests/bench/direct_curl gates them (replay_plan.c), up to
 * twice max-in-flight submitted as the kit keeps them (conn.c); bodies
 * only scanned for the ids that unlock requests, no JSON parsed, no
 * records: what remains over direct_curl is the process boundary.
 */
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "replay_plan.h"
#include "sbx.h"

#define RP_LIST_PATH	"/api/atlas/v2/orgs?replayList=1"
#define RP_AHEAD	2		/* as CONN_AHEAD (conn.c) */
#define RP_SLOTS	128

struct rp_slot {
	uint32_t	id;
	size_t		req;
	int		busy;
};

/* The log, one line at a time (NUL-terminated body, lines bounded). */
static int
rp_plan(struct fetch_resp *r)
{
	char	*p = (char *)r->body.p, *nl;

	if (r->status != 200 || p == NULL)
		return PC_E_HTTP;
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (p[0] == 'S' && (size_t)(nl - p) < DC_LINE + 600)
			dc_parse_start(p);
	}
	dc_plan_done();
	return dc_nreq > 0 ? 0 : PC_E_VALUE;
}

static int
rp_submit(struct fetch *f, struct rp_slot *s, size_t idx)
{
	struct fetch_req	req = { .method = dc_req[idx].method,
				    .path = dc_req[idx].target,
				    .accept = dc_req[idx].accept };

	s->req = idx;
	s->busy = 1;
	dc_req[idx].started = 1;
	return fetch_submit(f, &req, &s->id);
}

/* Submit ready requests, in logged order, while there is room. */
static int
rp_fill(struct fetch *f, struct rp_slot *slots, size_t room, size_t *first,
    size_t *inflight)
{
	size_t	i, k = 0;
	int	e;

	while (*first < dc_nreq && dc_req[*first].started)
		(*first)++;
	for (i = *first; i < dc_nreq && *inflight < room; i++) {
		if (dc_req[i].started || !dc_ready(&dc_req[i]))
			continue;
		while (k < RP_SLOTS && slots[k].busy)
			k++;
		if (k == RP_SLOTS)
			return PC_E_STATE;
		if (strcmp(dc_req[i].method, "GET") != 0)
			return PC_E_VALUE;	/* no bodies logged */
		if ((e = rp_submit(f, &slots[k], i)) != 0)
			return e;
		(*inflight)++;
	}
	return 0;
}

static int
rp_replay(struct fetch *f, size_t room, unsigned *errors)
{
	struct rp_slot		slots[RP_SLOTS] = { { 0 } };
	struct fetch_resp	r;
	size_t			first = 0, inflight = 0, done = 0, k;
	uint32_t		id;
	int			e;

	while (done < dc_nreq) {
		if ((e = rp_fill(f, slots, room, &first, &inflight)) != 0)
			return e;
		if (inflight == 0)
			return PC_E_STATE;
		fetch_resp_init(&r);
		if ((e = fetch_wait(f, &id, &r)) != 0) {
			fetch_resp_clear(&r);
			return e;
		}
		for (k = 0; k < RP_SLOTS && !(slots[k].busy &&
		    slots[k].id == id); k++)
			;
		if (k == RP_SLOTS) {
			fetch_resp_clear(&r);
			return PC_E_STATE;
		}
		dc_answered(slots[k].req, (const char *)r.body.p, r.body.len);
		*errors += r.status != 200;
		slots[k].busy = 0;
		inflight--;
		done++;
		fetch_resp_clear(&r);
	}
	return 0;
}

static int
rp_run(struct fetch *f)
{
	struct fetch_req	req = { .method = "GET", .path = RP_LIST_PATH,
				    .accept = "text/plain" };
	struct fetch_resp	r;
	char			v[16], *end;
	unsigned long		mif = 8;
	unsigned		errors = 0;
	int			e;

	if (fetch_opt(f, "max-in-flight", v, sizeof(v)) != NULL &&
	    ((mif = strtoul(v, &end, 10)), *end != '\0'))
		mif = 0;
	if (mif < 1 || mif > RP_SLOTS / RP_AHEAD) {
		fetch_result(f, "max-in-flight out of range");
		return PC_E_VALUE;
	}
	fetch_resp_init(&r);
	e = fetch_http(f, &req, &r);
	if (e == 0)
		e = rp_plan(&r);
	fetch_resp_clear(&r);
	if (e != 0) {
		fetch_result(f, "GET %s: no request list (%s)", RP_LIST_PATH,
		    err_str(e));
		return e;
	}
	if ((e = rp_replay(f, mif * RP_AHEAD, &errors)) != 0) {
		fetch_result(f, "replay failed: %s", err_str(e));
		return e;
	}
	/* A 404 is part of the sequence (an org that is not federated):
	 * the bench compares the statuses at the mock. */
	fetch_result(f, "replayed %zu requests, %u not 200", dc_nreq, errors);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--export-seccomp") == 0)
		return sbx_export(1) == 0 ? 0 : 1;
	sbx_enter();
	return fetch_main(rp_run);
}
