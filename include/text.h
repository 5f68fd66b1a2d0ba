/*
 * Text from another process or a vendor, checked before it reaches a
 * log line, the audit log, a terminal or a request: valid UTF-8 with no
 * control character (C0, DEL, or C1: U+0080-U+009F, which terminals act
 * on as raw 0x80-0x9f bytes or as their UTF-8 form).
 */
#ifndef PC_TEXT_H
#define PC_TEXT_H

#include <stddef.h>

/* 1 when the n bytes at s are such text (tab refused too). */
int	text_ok(const char *s, size_t n);
/*
 * Copy src into dst (dstsz bytes, NUL-terminated) with every byte of an
 * invalid sequence or a control character replaced by '?'. Returns dst.
 */
char	*text_clean(char *dst, size_t dstsz, const char *src);

#endif /* PC_TEXT_H */
