/*
 * Writing JSON request bodies: strings escaped per RFC 8259, so a value
 * from the task can never break out of its string.
 */
#ifndef PC_JW_H
#define PC_JW_H

#include "buf.h"

/* Append s as a JSON string, quotes included. */
int	jw_str(struct buf *b, const char *s) PC_WUR;
/* Append "key": */
int	jw_key(struct buf *b, const char *key) PC_WUR;
/* Percent-encode s (all but unreserved) for one URL path segment. */
int	jw_path_seg(char *dst, size_t dstsz, const char *s) PC_WUR;

#endif /* PC_JW_H */
