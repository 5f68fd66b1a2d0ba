/*
 * The Atlassian decoder harnesses: one sync step of fetchers/atlassian
 * on the real kit, its answers from the input (fuzz/kit_stub.c). A
 * harness file is its comment and one ATL_FUZZ line.
 */
#ifndef PC_ATLASSIAN_STUB_H
#define PC_ATLASSIAN_STUB_H

#include "../fetchers/atlassian/atlassian.h"
#include "kit_stub.h"

#define ATL_STUB_ORG	"a0a0a0a0-0000-4000-8000-000000000001"
#define ATL_STUB_USER	"712020:5a1f0000-0000-4000-8000-000000000001"
#define ATL_STUB_GROUP	"9f000000-0000-4000-8000-000000000001"

extern const struct conn_def	atlassian_def;

/* The organization-id option the fuzzer cannot give (kit_stub.c). */
void		 atl_stub_org(struct conn *c);
/* A user's or a group's id, held by the harness until it ends. */
struct atl_id	*atl_stub_id(struct conn *c, const char *id);
void		 atl_stub_release(void);

#define ATL_FUZZ(call)	\
	KIT_FUZZ(&atlassian_def, "{\"data\":[],\"links\":{}}", \
	    atl_stub_org(&c), call, atl_stub_release(), (void)0)

#endif /* PC_ATLASSIAN_STUB_H */
