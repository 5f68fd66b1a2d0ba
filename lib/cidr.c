/*
 * Runs in: agent (parsing), broker (checking every connection). Input:
 * allowlist files (operator's) and resolved addresses (untrusted).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "lines.h"

/* Never public: RFC 6890 special-purpose ranges, plus Teredo. */
static const char *const cidr_default_deny[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
	"192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "100::/64", "2001::/32", "2001:db8::/32",
	"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
};

static int
cidr_v4_strict(const char *s)
{
	int	digits = 0, dots = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (digits == 0)
				return 0;
			dots++;
			digits = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return 0;
		/* "010" is octal to some parsers and decimal to others. */
		if (digits == 1 && s[-1] == '0')
			return 0;
		if (++digits > 3)
			return 0;
	}
	return dots == 3 && digits > 0;
}

static int
cidr_host_bits_clear(const struct cidr *c)
{
	unsigned	i, nbytes = c->af == AF_INET ? 4 : 16;

	for (i = 0; i < nbytes; i++) {
		unsigned	first = i * 8;
		uint8_t		mask;

		if (first + 8 <= c->bits)
			continue;
		mask = first >= c->bits ? 0 : (uint8_t)(0xff << (8 -
		    (c->bits - first)));
		if (c->addr[i] & (uint8_t)~mask)
			return 0;
	}
	return 1;
}

int
cidr_parse(const char *s, struct cidr *out)
{
	char		 buf[64], *slash, *end, *a = buf;
	size_t		 n = strlen(s);
	long		 bits;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf))
		return PC_E_SYNTAX;
	memcpy(buf, s, n + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (a[0] == '[') {
		n = strlen(a);
		if (n < 3 || a[n - 1] != ']')
			return PC_E_SYNTAX;
		a[n - 1] = '\0';
		a++;
	}
	if (strchr(a, ':') != NULL) {
		if (inet_pton(AF_INET6, a, out->addr) != 1)
			return PC_E_SYNTAX;
		out->af = AF_INET6;
		out->bits = 128;
	} else {
		if (!cidr_v4_strict(a) || inet_pton(AF_INET, a, out->addr) != 1)
			return PC_E_SYNTAX;
		out->af = AF_INET;
		out->bits = 32;
	}
	if (slash != NULL) {
		if (*slash == '\0' || !isdigit((unsigned char)*slash) ||
		    (slash[0] == '0' && slash[1] != '\0'))
			return PC_E_SYNTAX;
		bits = strtol(slash, &end, 10);
		if (*end != '\0' || bits < 0 || bits > out->bits)
			return PC_E_RANGE;
		out->bits = (uint8_t)bits;
	}
	return cidr_host_bits_clear(out) ? 0 : PC_E_VALUE;
}

static int
cidr_fail(char *errbuf, size_t errlen, int e, const char *fmt, ...)
    PC_PRINTF(4, 5);

static int
cidr_fail(char *errbuf, size_t errlen, int e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return e;
}

static int
cidr_list_add(struct cidr_list *l, const struct cidr *c, int allow,
    int builtin, unsigned line)
{
	struct cidr_entry	*ne;

	if (l->n >= CIDR_MAX_ENTRIES)
		return PC_E_TOOBIG;
	if ((ne = reallocarray(l->e, l->n + 1, sizeof(*ne))) == NULL)
		return PC_E_NOMEM;
	l->e = ne;
	ne[l->n].net = *c;
	ne[l->n].allow = (uint8_t)allow;
	ne[l->n].builtin = (uint8_t)builtin;
	ne[l->n].line = line;
	l->n++;
	return 0;
}

static int
cidr_list_public(struct cidr_list *l, unsigned line)
{
	struct cidr	c;
	size_t		i;
	int		e;

	for (i = 0; i < sizeof(cidr_default_deny) /
	    sizeof(cidr_default_deny[0]); i++) {
		if ((e = cidr_parse(cidr_default_deny[i], &c)) != 0 ||
		    (e = cidr_list_add(l, &c, 0, 1, line)) != 0)
			return e;
	}
	l->public = 1;
	return 0;
}

static int
cidr_list_line(struct cidr_list *l, char *s, unsigned line,
    const char *fname, char *errbuf, size_t errlen)
{
	static const char *const why[] = { [-PC_E_SYNTAX] = "not an address",
	    [-PC_E_RANGE] = "prefix length out of range",
	    [-PC_E_VALUE] = "host bits set past the prefix" };
	struct cidr	 c;
	char		*word, *arg;
	int		 allow, e;

	word = s;
	arg = strpbrk(s, " \t");
	if (arg != NULL) {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
	}
	if (strcmp(word, "default") == 0) {
		if (arg == NULL || strcmp(arg, "public") != 0)
			return cidr_fail(errbuf, errlen, PC_E_SYNTAX, "%s:%u: "
			    "expected \"default public\"", fname, line);
		return cidr_list_public(l, line);
	}
	if (strcmp(word, "allow") != 0 && strcmp(word, "deny") != 0)
		return cidr_fail(errbuf, errlen, PC_E_SYNTAX, "%s:%u: unknown "
		    "directive \"%.32s\" (allow, deny, default public)", fname,
		    line, word);
	allow = word[0] == 'a';
	if (arg == NULL || *arg == '\0' || strpbrk(arg, " \t") != NULL)
		return cidr_fail(errbuf, errlen, PC_E_SYNTAX, "%s:%u: %s needs "
		    "one CIDR", fname, line, word);
	if ((e = cidr_parse(arg, &c)) != 0)
		return cidr_fail(errbuf, errlen, e, "%s:%u: \"%.64s\": %s",
		    fname, line, arg, why[-e]);
	if ((e = cidr_list_add(l, &c, allow, 0, line)) != 0)
		return cidr_fail(errbuf, errlen, e, "%s:%u: more than %d "
		    "entries", fname, line, CIDR_MAX_ENTRIES);
	return 0;
}

int
cidr_list_parse(struct cidr_list *l, const char *text, size_t len,
    const char *fname, char *errbuf, size_t errlen)
{
	struct lines	 lr;
	char		 line[CIDR_MAX_LINE], *s;
	int		 e;

	(void)snprintf(l->src, sizeof(l->src), "%s", fname);
	errbuf[0] = '\0';
	lines_init(&lr, text, len);
	while ((e = lines_next(&lr, line, sizeof(line), &s)) > 0)
		if ((e = cidr_list_line(l, s, lr.lineno, fname, errbuf,
		    errlen)) != 0)
			return e;
	if (e < 0)
		return cidr_fail(errbuf, errlen, PC_E_SYNTAX, "%s:%u: "
		    "line too long or not text", fname, lr.lineno);
	return 0;
}

void
cidr_list_clear(struct cidr_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static int
cidr_match(const struct cidr *c, int af, const uint8_t *addr)
{
	unsigned	full = c->bits / 8, rest = c->bits % 8;

	if (c->af != af)
		return 0;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((c->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) ==
	    0;
}

/*
 * The IPv4 address an IPv6 address stands for, if any: mapped
 * (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96 and the
 * local-use 64:ff9b:1::/48), 6to4 (2002::/16).
 */
static int
cidr_embedded_v4(const uint8_t *a6, uint8_t *v4)
{
	static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	static const uint8_t compat[12] = { 0 };
	static const uint8_t nat64[12] = { 0,0x64,0xff,0x9b,0,0,0,0,0,0,0,0 };
	static const uint8_t nat64l[6] = { 0,0x64,0xff,0x9b,0,1 };

	if (memcmp(a6, mapped, 12) == 0 || memcmp(a6, nat64, 12) == 0 ||
	    (memcmp(a6, compat, 12) == 0 && (a6[12] | a6[13]) != 0) ||
	    memcmp(a6, nat64l, 6) == 0) {
		memcpy(v4, a6 + 12, 4);
		return 1;
	}
	if (a6[0] == 0x20 && a6[1] == 0x02) {
		memcpy(v4, a6 + 2, 4);
		return 1;
	}
	return 0;
}

struct cidr_verdict {
	int	deny;		/* an explicit deny matched */
	int	allow;		/* an explicit allow matched */
	int	builtin;	/* a built-in (default public) denial matched */
};

static void
cidr_scan(const struct cidr_list *l, int af, const uint8_t *addr,
    struct cidr_verdict *v)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (!cidr_match(&l->e[i].net, af, addr))
			continue;
		if (l->e[i].builtin)
			v->builtin = 1;
		else if (l->e[i].allow)
			v->allow = 1;
		else
			v->deny = 1;
	}
}

/*
 * Explicit deny wins; then an explicit allow (which lifts a built-in
 * denial: that is how tests allow loopback); then `default public`
 * allows what no built-in denial covers; everything else is refused.
 */
int
cidr_list_check_addr(const struct cidr_list *l, int af, const uint8_t *addr)
{
	struct cidr_verdict	v = { 0, 0, 0 };
	uint8_t			v4[4];

	if (l == NULL || (af != AF_INET && af != AF_INET6))
		return PC_E_POLICY;
	cidr_scan(l, af, addr, &v);
	if (af == AF_INET6 && cidr_embedded_v4(addr, v4))
		cidr_scan(l, AF_INET, v4, &v);
	if (v.deny)
		return PC_E_POLICY;
	if (v.allow)
		return 0;
	if (l->public && !v.builtin)
		return 0;
	return PC_E_POLICY;
}

int
cidr_list_check(const struct cidr_list *l, const struct sockaddr *sa,
    socklen_t salen)
{
	if (sa->sa_family == AF_INET &&
	    salen >= (socklen_t)sizeof(struct sockaddr_in))
		return cidr_list_check_addr(l, AF_INET, (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6 &&
	    salen >= (socklen_t)sizeof(struct sockaddr_in6))
		return cidr_list_check_addr(l, AF_INET6, ((const struct
		    sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	return PC_E_POLICY;
}

void
cidr_list_explain(const struct cidr_list *l, FILE *fp)
{
	char	a[INET6_ADDRSTRLEN];
	size_t	i;

	if (l->public)
		fprintf(fp, "default public  # every public unicast address, "
		    "less the built-in denials below\n");
	for (i = 0; i < l->n; i++) {
		const struct cidr_entry *x = &l->e[i];

		if (inet_ntop(x->net.af, x->net.addr, a, sizeof(a)) == NULL)
			continue;
		fprintf(fp, "%-5s %s/%u  # %s:%u%s\n", x->allow ? "allow" :
		    "deny", a, x->net.bits, l->src, x->line, x->builtin ?
		    " (built-in)" : "");
	}
	if (l->n == 0)
		fprintf(fp, "# (empty: every address is refused)\n");
}
