/* Runs in: every fetcher. Input: task values (checked) and vendor ids. */
#include <stdio.h>
#include <string.h>

#include "jw.h"

int
jw_str(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 e = buf_add(b, "\"", 1);

	for (; e == 0 && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			e = buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			e = buf_printf(b, "\\u%04x", *p);
		else
			e = buf_add(b, p, 1);
	}
	return e != 0 ? e : buf_add(b, "\"", 1);
}

int
jw_key(struct buf *b, const char *key)
{
	int	e;

	if ((e = jw_str(b, key)) != 0)
		return e;
	return buf_add(b, ":", 1);
}

int
jw_path_seg(char *dst, size_t dstsz, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			if (n + 1 >= dstsz)
				return PC_E_TOOBIG;
			dst[n++] = (char)c;
			continue;
		}
		if (n + 3 >= dstsz)
			return PC_E_TOOBIG;
		dst[n++] = '%';
		dst[n++] = hex[c >> 4];
		dst[n++] = hex[c & 15];
	}
	if (n >= dstsz)
		return PC_E_TOOBIG;
	dst[n] = '\0';
	return 0;
}
