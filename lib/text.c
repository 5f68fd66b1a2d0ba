/* Runs in: every process. Input: any bytes (untrusted). */
#include <string.h>

#include "text.h"

/*
 * Length of the valid UTF-8 sequence at s (n bytes left) that is not a
 * control character, or 0. Overlongs, surrogates and code points past
 * U+10FFFF are refused (RFC 3629).
 */
static size_t
text_seq(const unsigned char *s, size_t n)
{
	unsigned	c = s[0], cp, need, i;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;	/* C0, DEL, continuation, overlong lead */
	need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	if (n <= need)
		return 0;
	cp = c & (0x3f >> need);
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return need + 1;
}

int
text_ok(const char *s, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i += k)
		if ((k = text_seq((const unsigned char *)s + i, n - i)) == 0)
			return 0;
	return 1;
}

char *
text_clean(char *dst, size_t dstsz, const char *src)
{
	size_t	n = strlen(src), i = 0, o = 0, k;

	if (dstsz == 0)
		return dst;
	while (i < n && o + 1 < dstsz) {
		if ((k = text_seq((const unsigned char *)src + i, n - i)) == 0) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= dstsz)
			break;
		memcpy(dst + o, src + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
	return dst;
}
