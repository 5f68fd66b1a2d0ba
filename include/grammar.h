/*
 * The grammar of what a fetcher may put in a request: method, RFC 3986
 * path and query, RFC 9110 media types, [a-z0-9_] names, control-free
 * text. The broker holds every HTTP_REQ to it before anything else.
 */
#ifndef PC_GRAMMAR_H
#define PC_GRAMMAR_H

#include <stddef.h>

#include "err.h"
#include "msgs.h"

/* 1 when p is path-abempty [ "?" query ]; else 0 with *bad its offset. */
int	gram_path_ok(const char *p, size_t *bad);
/* 1 when s is one media type (list 0) or a list of ranges (list 1). */
int	gram_media_ok(const char *s, int list);
/* 1 when s is [a-z0-9_]*. */
int	gram_name_ok(const char *s);
/* 1 when s is exactly n lowercase hex digits (a vendor id in a path). */
int	gram_hexid_ok(const char *s, size_t n);
/* 0, or PC_E_POLICY with why naming the first field that is not. */
int	gram_request(const struct http_req_msg *m, char *why, size_t whysz)
	    PC_WUR;

#endif /* PC_GRAMMAR_H */
