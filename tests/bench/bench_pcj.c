/*
 * make bench: the JSON layer on a 500-user Atlas org-users page, next to
 * plain jsmn on the same bytes. Targets: >= 200 MB/s, <= 2x jsmn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "pcj.h"

static void
bench_page(struct buf *b)
{
	int	i;

	(void)!buf_add_str(b, "{\"links\":[{\"href\":\"https://cloud.mongodb.com"
	    "/api/atlas/v2/orgs/5f1a2b3c4d5e6f7a8b9c0d1e/users?pageNum=1&"
	    "itemsPerPage=500\",\"rel\":\"self\"}],\"results\":[");
	for (i = 0; i < 500; i++)
		(void)!buf_printf(b, "%s{\"id\":\"5f1a2b3c4d5e6f7a8b9c%04x\","
		    "\"username\":\"user%d@example.com\",\"firstName\":\"First"
		    "%d\",\"lastName\":\"L\\u00e9vy\",\"country\":\"FR\","
		    "\"createdAt\":\"2024-03-01T10:00:00Z\",\"lastAuth\":"
		    "\"2026-11-01T08:30:00Z\",\"mobileNumber\":\"+33100000000\","
		    "\"orgMembershipStatus\":\"ACTIVE\",\"roles\":{\"orgRoles\":"
		    "[\"ORG_MEMBER\",\"ORG_READ_ONLY\"],\"groupRoleAssignments\":"
		    "[{\"groupId\":\"6a1b2c3d4e5f6a7b8c9d0e1f\",\"groupRoles\":"
		    "[\"GROUP_READ_ONLY\",\"GROUP_DATA_ACCESS_READ_ONLY\"]}]},"
		    "\"teamIds\":[\"7b1c2d3e4f5a6b7c8d9e0f1a\"]}", i ? "," : "",
		    i, i, i);
	(void)!buf_add_str(b, "],\"totalCount\":500}");
}

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds per parse of b by jsmn alone (pcj == 0) or by pcj. */
static double
bench_round(const struct buf *b, int pcj, int n, int *ntok)
{
	static jsmntok_t	toks[200000];
	struct pcj_doc		d;
	jsmn_parser		p;
	double			t0;
	int			i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (!pcj) {
			jsmn_init(&p);
			*ntok = jsmn_parse(&p, (const char *)b->p, b->len,
			    toks, 200000);
			continue;
		}
		if (pcj_parse(&d, (const char *)b->p, b->len, NULL) != 0) {
			fprintf(stderr, "bench: page rejected: %s\n", d.why);
			exit(1);
		}
		pcj_free(&d);
	}
	return (bench_now() - t0) / n;
}

/*
 * Rounds alternate between the two so both see the same machine; the
 * best round of each is kept, as other load only ever adds time.
 */
int
main(void)
{
	struct buf	b;
	double		tj = 1e9, tp = 1e9, t, mb;
	int		r, met, ntok = 0;

	buf_init(&b, 4 * 1024 * 1024, 0);
	bench_page(&b);
	mb = (double)b.len / (1024.0 * 1024.0);
	for (r = 0; r < 15; r++) {
		if ((t = bench_round(&b, 0, 40, &ntok)) < tj)
			tj = t;
		if ((t = bench_round(&b, 1, 40, &ntok)) < tp)
			tp = t;
	}
	printf("input: 500-user Atlas page, %zu bytes, %d tokens "
	    "(best of 15 rounds of 40 parses)\n", b.len, ntok);
	printf("jsmn:      %8.1f MB/s  %10.0f tokens/s\n", mb / tj,
	    (double)ntok / tj);
	printf("pcj:       %8.1f MB/s  %10.0f tokens/s  (%.2fx jsmn)\n",
	    mb / tp, (double)ntok / tp, tp / tj);
	met = mb / tp >= 200 && tp / tj <= 2;
	printf("target:    >= 200 MB/s, <= 2.00x jsmn: %s\n",
	    met ? "met" : "NOT MET");
	buf_clear(&b);
	return met ? 0 : 1;	/* make bench fails when it is missed */
}
