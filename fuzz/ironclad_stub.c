/*
 * The state the Ironclad harnesses start with: none for the listings;
 * for the error decoder, the stub's first answer (the input) read as
 * the body of a failed call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ironclad_stub.h"

int
ic_stub_error(struct conn *c)
{
	struct conn_call	 call = { .path = "/scim/v2/Groups/x",
				    .accept = IC_JSON };
	struct conn_resp	 r;
	char			 line[CONN_ERR_MAX + 8];
	size_t			 n;

	conn_resp_init(&r);
	/* Answered from the input; status 200 from the stub: call it 400. */
	if (conn_call(c, &call, &r) != 0) {
		conn_resp_clear(&r);
		return 0;
	}
	r.r.status = 400;
	memset(line, 'x', sizeof(line));
	ironclad_def.error(&r, line, CONN_ERR_MAX);
	n = strnlen(line, CONN_ERR_MAX);
	if (n == CONN_ERR_MAX || memchr(line, '\n', n) != NULL)
		abort();	/* unterminated, or a second line */
	(void)ic_scimtype_is(&r, "noTarget");
	conn_resp_clear(&r);
	return 0;
}
