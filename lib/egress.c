/*
 * Runs in: agent (parsing), broker (checking every request). Input:
 * rules files (operator's) and request paths from fetchers (untrusted).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "egress.h"
#include "lines.h"

static const char *const egress_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
};

static int
egress_fail(char *errbuf, size_t errlen, const char *fmt, ...)
    PC_PRINTF(3, 4);

static int
egress_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return PC_E_SYNTAX;
}

static int
egress_method_known(const char *m)
{
	size_t	i;

	for (i = 0; i < sizeof(egress_methods) / sizeof(egress_methods[0]); i++)
		if (strcmp(m, egress_methods[i]) == 0)
			return 1;
	return 0;
}

/* A pattern: absolute, no empty segment, `**` only last. */
static const char *
egress_pattern_bad(const char *p)
{
	const char	*seg, *end;

	if (p[0] != '/')
		return "must start with /";
	for (seg = p + 1; ; seg = end + 1) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		if (end == seg && *end != '\0')
			return "empty segment";
		if (end - seg == 2 && memcmp(seg, "**", 2) == 0 && *end != '\0')
			return "** must be the last segment";
		if (memchr(seg, '?', (size_t)(end - seg)) != NULL ||
		    memchr(seg, '#', (size_t)(end - seg)) != NULL)
			return "no query or fragment in a pattern";
		if (*end == '\0')
			return NULL;
	}
}

/* "-", or names of [a-z0-9] joined by commas. */
static int
egress_creds_ok(const char *s)
{
	size_t	i, run = 0;

	if (strcmp(s, "-") == 0)
		return 1;
	if (strlen(s) >= sizeof(((struct egress_rule *)0)->creds))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ',') {
			if (run == 0)
				return 0;
			run = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9'))
			run++;
		else
			return 0;
	}
	return run > 0;
}

static int
egress_line(struct egress_rules *r, char *s, unsigned line,
    const char *fname, char *errbuf, size_t errlen)
{
	struct egress_rule	*nr, *x;
	char			*f[5], *save = NULL;
	const char		*why;
	int			 n = 0, rd = 0;

	for (f[0] = strtok_r(s, " \t", &save); f[n] != NULL && n < 4; )
		f[++n] = strtok_r(NULL, " \t", &save);
	if (n < 3 || (n == 4 && f[4] != NULL))
		return egress_fail(errbuf, errlen, "%s:%u: expected \"METHOD "
		    "HOST PATH [CREDENTIALS]\"", fname, line);
	if (n == 4 && !egress_creds_ok(f[3]))
		return egress_fail(errbuf, errlen, "%s:%u: credentials \"%.64s\" "
		    "are not a comma-separated list of names, or -", fname,
		    line, f[3]);
	if (strcmp(f[0], "POST/read") == 0) {
		f[0][4] = '\0';	/* a search: POST on the wire */
		rd = 1;
	}
	if (!egress_method_known(f[0]))
		return egress_fail(errbuf, errlen, "%s:%u: unknown method "
		    "\"%.16s\"", fname, line, f[0]);
	if (strlen(f[1]) >= sizeof(x->host))
		return egress_fail(errbuf, errlen, "%s:%u: host too long",
		    fname, line);
	if ((why = egress_pattern_bad(f[2])) != NULL)
		return egress_fail(errbuf, errlen, "%s:%u: path \"%.64s\": %s",
		    fname, line, f[2], why);
	if (r->n >= EGRESS_MAX_RULES)
		return egress_fail(errbuf, errlen, "%s:%u: more than %d rules",
		    fname, line, EGRESS_MAX_RULES);
	if ((nr = reallocarray(r->r, r->n + 1, sizeof(*nr))) == NULL)
		return egress_fail(errbuf, errlen, "%s:%u: out of memory",
		    fname, line);
	r->r = nr;
	x = &nr[r->n++];
	(void)snprintf(x->method, sizeof(x->method), "%s", f[0]);
	x->read = rd;
	(void)snprintf(x->host, sizeof(x->host), "%s", f[1]);
	(void)snprintf(x->pattern, sizeof(x->pattern), "%s", f[2]);
	(void)snprintf(x->creds, sizeof(x->creds), "%s", n == 4 ? f[3] : "");
	x->line = line;
	return 0;
}

int
egress_rules_parse(struct egress_rules *r, const char *text, size_t len,
    const char *fname, char *errbuf, size_t errlen)
{
	struct lines	 lr;
	char		 line[EGRESS_MAX_LINE], *s;
	int		 e;

	(void)snprintf(r->src, sizeof(r->src), "%s", fname);
	errbuf[0] = '\0';
	lines_init(&lr, text, len);
	while ((e = lines_next(&lr, line, sizeof(line), &s)) > 0)
		if ((e = egress_line(r, s, lr.lineno, fname, errbuf,
		    errlen)) != 0)
			return e;
	if (e < 0)
		return egress_fail(errbuf, errlen, "%s:%u: line too "
		    "long or not text", fname, lr.lineno);
	return 0;
}

void
egress_rules_clear(struct egress_rules *r)
{
	free(r->r);
	memset(r, 0, sizeof(*r));
}

static int
egress_hex(int c)
{
	return isxdigit(c) != 0;
}

/* One segment: escapes valid, not "." or ".." even when encoded. */
static int
egress_seg_check(const char *s, size_t n)
{
	size_t	i, dots = 0, chars = 0;

	for (i = 0; i < n; i++, chars++) {
		if (s[i] == '%') {
			if (n - i < 3 || !egress_hex((unsigned char)s[i + 1]) ||
			    !egress_hex((unsigned char)s[i + 2]))
				return PC_E_VALUE;
			if (s[i + 1] == '2' && (s[i + 2] == 'e' ||
			    s[i + 2] == 'E'))
				dots++;
			/* An encoded NUL or backslash has no business here. */
			if ((s[i + 1] == '0' && s[i + 2] == '0') ||
			    (s[i + 1] == '5' && (s[i + 2] == 'c' ||
			    s[i + 2] == 'C')))
				return PC_E_VALUE;
			i += 2;
		} else if (s[i] == '.')
			dots++;
	}
	if (n == 0 || (dots == chars && chars <= 2))
		return PC_E_VALUE;
	return 0;
}

int
egress_path_check(const char *path, size_t len)
{
	size_t	i, seg;

	if (len == 0 || len > EGRESS_MAX_PATH || path[0] != '/')
		return PC_E_VALUE;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#' ||
		    c == '"' || c == '<' || c == '>')
			return PC_E_VALUE;
	}
	for (seg = 1; seg <= len; ) {
		size_t n = strcspn(path + seg, "/");

		if (seg + n > len)
			n = len - seg;
		if (egress_seg_check(path + seg, n) != 0)
			return PC_E_VALUE;
		seg += n + 1;
	}
	return 0;
}

/* The query is passed through unmatched; it must still be clean. */
static int
egress_query_check(const char *q)
{
	size_t	i;

	for (i = 0; q[i] != '\0'; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#' ||
		    c == '"' || c == '<' || c == '>')
			return PC_E_VALUE;
		if (c == '%' && (!egress_hex((unsigned char)q[i + 1]) ||
		    !egress_hex((unsigned char)q[i + 2])))
			return PC_E_VALUE;
	}
	return i > EGRESS_MAX_PATH ? PC_E_VALUE : 0;
}

static int
egress_seg_match(const char *pat, size_t pn, const char *s, size_t sn)
{
	if (pn == 1 && pat[0] == '*')
		return sn > 0;
	if (pn > 1 && pat[0] == '*')
		return sn > pn - 1 && memcmp(s + sn - (pn - 1), pat + 1,
		    pn - 1) == 0;
	return pn == sn && memcmp(pat, s, sn) == 0;
}

static int
egress_path_match(const char *pat, const char *path, size_t plen)
{
	size_t	pn, sn;

	for (;;) {
		pat++;		/* both sit on a '/' */
		path++;
		plen--;
		pn = strcspn(pat, "/");
		sn = strcspn(path, "/");
		if (sn > plen)
			sn = plen;
		if (pn == 2 && memcmp(pat, "**", 2) == 0)
			return 1;
		if (!egress_seg_match(pat, pn, path, sn))
			return 0;
		pat += pn;
		path += sn;
		plen -= sn;
		if (plen == 0 && strcmp(pat, "/**") == 0)
			return 1;	/* ** also matches zero segments */
		if (*pat == '\0' || plen == 0)
			return *pat == '\0' && plen == 0;
	}
}

/* May the request's credential use rule x? */
static int
egress_cred_match(const struct egress_rule *x, const struct egress_req *q)
{
	const char	*p = x->creds;
	size_t		 n, cl = strlen(q->cred);

	if (p[0] == '\0')
		return q->primary;
	for (; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n == cl && memcmp(p, q->cred, n) == 0)
			return 1;
	}
	return 0;
}

static int
egress_host_match(const struct egress_rule *x, const struct egress_req *q)
{
	if (x->host[0] == '$')
		return q->host_token != NULL &&
		    strcmp(x->host, q->host_token) == 0;
	return strcasecmp(x->host, q->host) == 0;
}

int
egress_check(const struct egress_rules *r, const struct egress_req *q,
    const struct egress_rule **hit)
{
	const char	*path = q->path, *qs;
	size_t		 i, plen;

	if (hit != NULL)
		*hit = NULL;
	if (r == NULL)
		return PC_E_POLICY;
	qs = strchr(path, '?');
	plen = qs != NULL ? (size_t)(qs - path) : strlen(path);
	if (egress_path_check(path, plen) != 0)
		return PC_E_POLICY;
	if (qs != NULL && egress_query_check(qs + 1) != 0)
		return PC_E_POLICY;
	for (i = 0; i < r->n; i++) {
		const struct egress_rule *x = &r->r[i];

		if (strcmp(x->method, q->method) != 0 ||
		    !egress_host_match(x, q) ||
		    !egress_path_match(x->pattern, path, plen))
			continue;
		if (egress_cred_match(x, q)) {
			if (hit != NULL)
				*hit = x;
			return 0;
		}
		if (hit != NULL && *hit == NULL)
			*hit = x;	/* all but the credential */
	}
	return PC_E_POLICY;
}

/* How many leading segments of path pattern pat matches. */
static unsigned
egress_path_common(const char *pat, const char *path, size_t plen)
{
	size_t		pn, sn;
	unsigned	k = 0;

	while (*pat == '/' && plen > 0 && *path == '/') {
		pat++, path++, plen--;
		pn = strcspn(pat, "/");
		sn = strcspn(path, "/");
		if (sn > plen)
			sn = plen;
		if (pn == 2 && memcmp(pat, "**", 2) == 0)
			return k + 1;
		if (!egress_seg_match(pat, pn, path, sn))
			break;
		k++;
		pat += pn, path += sn, plen -= sn;
	}
	return k;
}

const struct egress_rule *
egress_rule_nearest(const struct egress_rules *r, const struct egress_req *q)
{
	const struct egress_rule	*best = NULL;
	unsigned			 score, top = 0;
	size_t				 i, plen;

	if (r == NULL)
		return NULL;
	plen = strcspn(q->path, "?");
	for (i = 0; i < r->n; i++) {
		const struct egress_rule *x = &r->r[i];

		if (!egress_host_match(x, q))
			continue;
		score = (strcmp(x->method, q->method) == 0 ? 1000 : 1) +
		    egress_path_common(x->pattern, q->path, plen);
		if (score > top) {
			top = score;
			best = x;
		}
	}
	return best;
}

void
egress_rules_explain(const struct egress_rules *r, FILE *fp)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		fprintf(fp, "%-6s %s %s%s%s  # %s:%u\n", r->r[i].read ?
		    "POST/read" : r->r[i].method, r->r[i].host, r->r[i].pattern, r->r[i].creds[0] ? " " : "",
		    r->r[i].creds, r->src, r->r[i].line);
	if (r->n == 0)
		fprintf(fp, "# (empty: every request is refused)\n");
}
