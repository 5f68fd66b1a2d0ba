/*
 * Runs in: the fuzzer (the broker's code). Input: hostile Atlas answers
 * to the broker's own domain-restriction reads (broker/fed.c).
 *
 * The write and its answers go through fed_start and fed_done exactly
 * as the broker runs them (broker/fed.c and broker/req.c linked as they
 * are; only the broker loop, the scheduler and the audit are stubbed):
 * the first line picks the guarded write ("o" an org invitation, else a
 * project add) and its body, then one answer per "\n--\n"-separated
 * chunk, each "NNN\n<body>" (NNN the HTTP status; "000" a failed
 * transfer; no status line: 200 and the chunk as the body). Whatever
 * they hold, the write ends passed or refused, never both, the app's
 * other requests are held while it is checked and let go after, and
 * nothing is left allocated; a write passes on a failed read only when
 * that read was the settings' 404 (the org is not federated).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "egress.h"
#include "http.h"
#include "fed_stub.h"

#define FFA_MAX_ANSWERS	8	/* more than the three steps and retries */

/* The guarded write the first line asks for, or NULL. */
static struct breq *
ffa_write(const uint8_t *p, size_t n)
{
	struct breq	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->a = &ffa_app;
	r->cred = &ffa_app.creds[0];
	r->id = 7;
	r->write = 1;
	(void)snprintf(r->method, sizeof(r->method), "POST");
	(void)snprintf(r->path, sizeof(r->path), "/api/atlas/v2/%s/"
	    "5f1b2c3d4e5f6a7b8c9d0e1f/users", n > 0 && p[0] == 'o' ?
	    "orgs" : "groups");
	if (n > 1) {
		if ((r->body = malloc(n - 1)) == NULL) {
			free(r);
			return NULL;
		}
		memcpy(r->body, p + 1, n - 1);
		r->len = n - 1;
	}
	return r;
}

/* The next chunk of [*p, end) as an answer into h; 0 when none is left. */
static int
ffa_answer(const uint8_t **p, const uint8_t *end, struct http_resp *h,
    int *result)
{
	const uint8_t	*s = *p, *e;
	size_t		 n;

	if (s == NULL)
		return 0;
	e = memmem(s, (size_t)(end - s), "\n--\n", 4);
	n = e != NULL ? (size_t)(e - s) : (size_t)(end - s);
	*p = e != NULL ? e + 4 : NULL;
	memset(h, 0, sizeof(*h));
	*result = 0;
	h->status = 200;
	if (n >= 4 && s[3] == '\n' && s[0] >= '0' && s[0] <= '9' &&
	    s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9') {
		h->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 +
		    (s[2] - '0');
		s += 4, n -= 4;
	}
	if (h->status == 0) {
		*result = PC_E_HTTP;
		(void)snprintf(h->err, sizeof(h->err), "connection refused");
	}
	buf_init(&h->body, MSG_RESP_MAX, 0);
	if (buf_add(&h->body, s, n) != 0)
		abort();
	return 1;
}

static int
ffa_suffix(const char *s, const char *suf)
{
	size_t	n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*end = data + size, *p, *nl;
	struct http_resp	 h;
	struct breq		*r, *q;
	char			 last[BROKER_PATH_MAX] = "";
	long			 status = 0;
	int			 result, i, passed = 0;

	ffa_setup();
	ffa_app.live = 1;
	ffa_app.paused_until = 0;
	ffa_queued = NULL;
	ffa_refused = 0;
	nl = memchr(data, '\n', size);
	p = nl != NULL ? nl + 1 : NULL;
	if ((r = ffa_write(data, nl != NULL ? (size_t)(nl - data) : size)) ==
	    NULL)
		return 0;
	fed_start(&ffa_b, r);
	for (i = 0; i < FFA_MAX_ANSWERS && ffa_queued != NULL; i++) {
		q = ffa_queued;
		ffa_queued = NULL;
		if (q == r) {
			passed = 1;	/* back at the head, checked */
			break;
		}
		if (q->parent != r || q->write || strcmp(q->method, "GET") != 0)
			abort();	/* the broker's reads are GETs for r */
		if (ffa_app.checking != 1)
			abort();	/* the app must wait for the check */
		if (!ffa_answer(&p, end, &h, &result)) {
			req_free(q);	/* no answer: the run ends */
			q = NULL;
			break;
		}
		(void)snprintf(last, sizeof(last), "%s", q->path);
		status = result != 0 ? 0 : h.status;
		fed_done(&ffa_b, q, result, &h);
		buf_clear(&h.body);
	}
	if (ffa_queued != NULL && ffa_queued != r)
		req_free(ffa_queued);	/* a read past FFA_MAX_ANSWERS */
	else if (ffa_queued == r)
		passed = 1;
	if (passed) {
		if (!r->checked || ffa_refused != 0)
			abort();	/* passed unchecked, or also refused */
		if ((status < 200 || status > 299) && (status != 404 ||
		    !ffa_suffix(last, "/federationSettings")))
			abort();	/* passed on a failed read: only "not
					 * federated" (settings 404) lets go */
		req_free(r);
	}
	if (ffa_app.checking != 0)
		abort();	/* the app's other requests stay held */
	return 0;
}
