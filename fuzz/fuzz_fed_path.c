/*
 * Runs in: the fuzzer (the broker's code). Input: a write's method and
 * path as a fetcher sends them ("M path": M 'G' for GET, 'P' PUT, else
 * POST), matched against the Atlas domain check's guards (broker/fed.c
 * fed_guarded, fed_start).
 *
 * A guarded write's check starts with a read built from the path's id:
 * that read must be one of the descriptor's, with a 24-hex id in it
 * (never a piece of the fetcher's path), or the write is refused. A GET
 * is never guarded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "fed_stub.h"
#include "grammar.h"

/* 1 when path is prefix + a 24-hex id + suffix. */
static int
ffp_is(const char *path, const char *prefix, const char *suffix)
{
	size_t	pn = strlen(prefix), sn = strlen(suffix), n = strlen(path);
	char	id[25];

	if (n != pn + 24 + sn || strncmp(path, prefix, pn) != 0 ||
	    strcmp(path + pn + 24, suffix) != 0)
		return 0;
	memcpy(id, path + pn, 24);
	id[24] = '\0';
	return gram_hexid_ok(id, 24);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct breq	*r, *q;
	int		 g;

	ffa_setup();
	ffa_app.live = 1;
	ffa_queued = NULL;
	ffa_refused = 0;
	if (n < 2 || (r = calloc(1, sizeof(*r))) == NULL)
		return 0;
	r->a = &ffa_app;
	r->cred = &ffa_app.creds[0];
	(void)snprintf(r->method, sizeof(r->method), "%s", p[0] == 'G' ?
	    "GET" : p[0] == 'P' ? "PUT" : "POST");
	r->write = p[0] != 'G';
	(void)snprintf(r->path, sizeof(r->path), "%.*s", (int)(n - 2),
	    (const char *)p + 2);
	if (!(g = fed_guarded(r)) || !r->write) {
		if (g)
			abort();	/* a read held for a check */
		req_free(r);
		return 0;
	}
	fed_start(&ffa_b, r);
	if ((q = ffa_queued) == NULL) {
		if (ffa_refused != 1)
			abort();	/* neither read nor refused */
	} else {
		if (q->parent != r || (!ffp_is(q->path, "/api/atlas/v2/groups/",
		    "") && !ffp_is(q->path, "/api/atlas/v2/orgs/",
		    "/federationSettings")))
			abort();	/* a read the descriptor does not name */
		req_free(q);	/* and its write */
	}
	if (ffa_app.checking != 0)
		abort();
	return 0;
}
