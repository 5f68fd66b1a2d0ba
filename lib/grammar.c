/*
 * Runs in: broker (every HTTP_REQ from a fetcher) and the fuzz stubs
 * (every request a connector builds from hostile answers). Input: the
 * fields of a request, untrusted: each is held to its RFC grammar so no
 * byte can end a request line or a header early.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grammar.h"
#include "text.h"

static const char *const gram_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
};

static int
gram_fail(char *why, size_t whysz, const char *fmt, ...) PC_PRINTF(3, 4);

static int
gram_fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return PC_E_POLICY;
}

/* RFC 9110 5.6.2 tchar. */
static int
gram_tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A token at s[*i]; at least one tchar. */
static int
gram_token(const char *s, size_t *i)
{
	size_t	start = *i;

	while (s[*i] != '\0' && gram_tchar((unsigned char)s[*i]))
		(*i)++;
	return *i > start;
}

/* quoted-string: HTAB, SP, VCHAR but " and \, or a quoted pair. */
static int
gram_quoted(const char *s, size_t *i)
{
	unsigned char	c;

	if (s[*i] != '"')
		return 0;
	for ((*i)++; (c = (unsigned char)s[*i]) != '"'; (*i)++) {
		if (c == '\\') {
			c = (unsigned char)s[++*i];
			if (c != '\t' && (c < 0x20 || c >= 0x7f))
				return 0;
		} else if (c != '\t' && (c < 0x20 || c >= 0x7f))
			return 0;
	}
	(*i)++;
	return 1;
}

static void
gram_ows(const char *s, size_t *i)
{
	while (s[*i] == ' ' || s[*i] == '\t')
		(*i)++;
}

/*
 * type "/" subtype *( OWS ";" OWS name "=" ( token / quoted-string ) ),
 * RFC 9110 8.3.1 ("*" is a tchar: media ranges pass the same way).
 */
static int
gram_media(const char *s, size_t *i)
{
	if (!gram_token(s, i) || s[(*i)++] != '/' || !gram_token(s, i))
		return 0;
	for (;;) {
		size_t	j = *i;

		gram_ows(s, &j);
		if (s[j] != ';')
			return 1;
		j++;
		gram_ows(s, &j);
		if (!gram_token(s, &j) || s[j++] != '=' ||
		    !(gram_quoted(s, &j) || gram_token(s, &j)))
			return 0;
		*i = j;
	}
}

/* Content-Type: one media type. Accept: a list of media ranges. */
int
gram_media_ok(const char *s, int list)
{
	size_t	i = 0;

	if (s[0] == '\0')
		return 1;
	for (;;) {
		gram_ows(s, &i);
		if (!gram_media(s, &i))
			return 0;
		gram_ows(s, &i);
		if (s[i] == '\0')
			return 1;
		if (!list || s[i++] != ',')
			return 0;
	}
}

/*
 * RFC 3986 path-abempty [ "?" query ]: unreserved, %HH, sub-delims, ":",
 * "@", "/" and in the query also "?". Nothing else: no space, no byte a
 * server or proxy could read as the end of the request line.
 */
int
gram_path_ok(const char *p, size_t *bad)
{
	size_t	i;

	if (p[0] != '/')
		return *bad = 0, 0;
	for (i = 0; p[i] != '\0'; i++) {
		unsigned char c = (unsigned char)p[i];

		if (isalnum(c) || strchr("-._~!$&'()*+,;=:@/", c) != NULL)
			continue;
		if (c == '?')	/* the query's start, or inside it */
			continue;
		if (c == '%' && isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2])) {
			i += 2;
			continue;
		}
		*bad = i;
		return 0;
	}
	return 1;
}

/* [a-z0-9_]: operation names and credential names. */
int
gram_name_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

int
gram_hexid_ok(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return i == n;
}

int
gram_request(const struct http_req_msg *m, char *why, size_t whysz)
{
	size_t	i, bad;

	for (i = 0; i < sizeof(gram_methods) / sizeof(gram_methods[0]); i++)
		if (strcmp(m->method, gram_methods[i]) == 0)
			break;
	if (i == sizeof(gram_methods) / sizeof(gram_methods[0]))
		return gram_fail(why, whysz, "method \"%.16s\" is not allowed",
		    text_ok(m->method, strlen(m->method)) ? m->method : "?");
	if (!gram_path_ok(m->path, &bad))
		return gram_fail(why, whysz, "path: byte 0x%02x at offset %zu is "
		    "not allowed in a URL path (RFC 3986)", (unsigned char)
		    m->path[bad], bad);
	if (!gram_media_ok(m->accept, 1))
		return gram_fail(why, whysz, "Accept is not a list of media "
		    "types (RFC 9110 12.5.1)");
	if (!gram_media_ok(m->ctype, 0))
		return gram_fail(why, whysz, "Content-Type is not a media type "
		    "(RFC 9110 8.3)");
	if (!gram_name_ok(m->cred) || !gram_name_ok(m->operation))
		return gram_fail(why, whysz, "credential and operation names "
		    "are [a-z0-9_]");
	if (!text_ok(m->target, strlen(m->target)) ||
	    !text_ok(m->slot, strlen(m->slot)))
		return gram_fail(why, whysz, "target and slot must be text "
		    "without control characters");
	if (m->body != NULL && m->ctype[0] == '\0')
		return gram_fail(why, whysz, "a body needs a Content-Type");
	return 0;
}
