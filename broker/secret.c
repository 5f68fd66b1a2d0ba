/*
 * Runs in: broker. Input: slot specs and bodies from fetchers
 * (untrusted: a fetcher may try to read a secret back, reuse a slot or
 * smuggle the mark into a URL; all of it is refused).
 */
#include <sys/mman.h>
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secret.h"

struct secret_policy {
	const char	*name;
	const char	*symbols;	/* besides letters and digits */
};

/*
 * No character JSON must or may escape (" \ / < > & and controls: Go
 * and Java servers escape some of these), so a value reads the same in
 * a request and in an echo. Atlas SCRAM passwords go into mongodb://
 * URIs: only unreserved and sub-delimiter marks that need no
 * percent-encoding there.
 */
static const struct secret_policy secret_policies[] = {
	{ "default",		"-_.~!#%*+=^@:,;?" },
	{ "atlas-scram",	"-_.~!*+=" },
	{ "confluence",		"!#$%()*+,-.:;=?@[]^_{|}~" },
	{ "ironclad",		"!#$%()*+,-.:;=?@[]^_{|}~" },
	{ "alnum",		"" },
};

#define SECRET_ALNUM	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define SECRET_REDACTED	"[redacted]"

/* Everything secret in one locked, non-dumpable mapping. */
struct secret_state {
	br_hmac_drbg_context	drbg;
	char			value[SECRET_LEN_MAX + 1];
	size_t			vlen;
	uint8_t			body[SECRET_BODY_MAX + SECRET_LEN_MAX];
	size_t			blen;
	char			rec[SECRET_REC_MAX];
	size_t			rlen;
};

static struct secret_state	*secret_st;

static void
secret_entropy(void *p, size_t len)
{
	ssize_t	n;

	while ((n = getrandom(p, len, 0)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)len)
		fatal("getrandom");
}

void
secret_init(void)
{
	uint8_t	seed[48];

	if (secret_st != NULL)
		return;
	secret_st = mmap(NULL, sizeof(*secret_st), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (secret_st == MAP_FAILED)
		fatal("secret state");
	if (mlock(secret_st, sizeof(*secret_st)) == -1)
		log_warn("mlock secret state");
	if (madvise(secret_st, sizeof(*secret_st), MADV_DONTDUMP) == -1)
		log_warn("MADV_DONTDUMP");
	secret_entropy(seed, sizeof(seed));
	br_hmac_drbg_init(&secret_st->drbg, &br_sha256_vtable, seed,
	    sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
}

void
secret_clear(void)
{
	if (secret_st == NULL)
		return;
	explicit_bzero(secret_st, sizeof(*secret_st));
	munmap(secret_st, sizeof(*secret_st));
	secret_st = NULL;
}

const br_prng_class **
secret_rng(void)
{
	return &secret_st->drbg.vtable;
}

const struct secret_policy *
secret_policy_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(secret_policies) / sizeof(secret_policies[0]);
	    i++)
		if (strcmp(secret_policies[i].name, name) == 0)
			return &secret_policies[i];
	return NULL;
}

const char *
secret_policy_name(const struct secret_policy *p)
{
	return p->name;
}

static int
secret_name_ok(const char *p, size_t n)
{
	size_t	i;

	if (n == 0 || n > SECRET_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_' ||
		    (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

int
secret_slot_parse(const char *spec, struct secret_slot *s, char *why,
    size_t whysz)
{
	char		 pol[32];
	const char	*c1, *c2;
	char		*end;
	unsigned long	 n;

	memset(s, 0, sizeof(*s));
	if ((c1 = strchr(spec, ':')) == NULL ||
	    !secret_name_ok(spec, (size_t)(c1 - spec))) {
		(void)snprintf(why, whysz, "slot \"%.64s\" is not NAME:POLICY"
		    "[:LENGTH] with NAME of a-z, 0-9, _", spec);
		return PC_E_VALUE;
	}
	memcpy(s->name, spec, (size_t)(c1 - spec));
	c2 = strchr(c1 + 1, ':');
	(void)snprintf(pol, sizeof(pol), "%.*s", c2 != NULL ?
	    (int)(c2 - c1 - 1) : (int)strlen(c1 + 1), c1 + 1);
	if ((s->policy = secret_policy_find(pol)) == NULL) {
		(void)snprintf(why, whysz, "slot %s: unknown charset policy "
		    "\"%.32s\"", s->name, pol);
		return PC_E_VALUE;
	}
	if (c2 == NULL)
		return 0;
	errno = 0;
	n = strtoul(c2 + 1, &end, 10);
	if (c2[1] < '1' || c2[1] > '9' || *end != '\0' || errno != 0 ||
	    n > SECRET_LEN_MAX) {
		(void)snprintf(why, whysz, "slot %s: length must be at most "
		    "%d", s->name, SECRET_LEN_MAX);
		return PC_E_VALUE;
	}
	s->len = (unsigned)n;
	return 0;
}

int
secret_scan(const uint8_t *p, size_t len, struct secret_hit *hits,
    size_t max)
{
	const uint8_t	*m, *end = p + len, *name, *close;
	size_t		 n = 0;

	for (m = p; (m = memmem(m, (size_t)(end - m), SECRET_MARK,
	    SECRET_MARK_LEN)) != NULL; m = close + 2) {
		name = m + SECRET_MARK_LEN;
		close = memmem(name, (size_t)(end - name), "}}", 2);
		if (close == NULL || !secret_name_ok((const char *)name,
		    (size_t)(close - name)))
			return PC_E_VALUE;
		if (n < max) {
			hits[n].off = (size_t)(m - p);
			hits[n].len = (size_t)(close + 2 - m);
			hits[n].name_off = (size_t)(name - p);
			hits[n].name_len = (size_t)(close - name);
		}
		n++;
	}
	return (int)n;
}

int
secret_mark_in(const char *s)
{
	return strstr(s, SECRET_MARK) != NULL;
}

/* One uniformly drawn character of set (rejection sampling). */
static char
secret_pick(const char *set, size_t m)
{
	uint8_t	b;
	size_t	lim = 256 - 256 % m;

	do
		br_hmac_drbg_generate(&secret_st->drbg, &b, 1);
	while (b >= lim);
	return set[b % m];
}

static int
secret_classes_ok(const char *v, size_t n, const char *symbols)
{
	size_t	i;
	int	lo = 0, up = 0, dg = 0, sy = symbols[0] == '\0';

	for (i = 0; i < n; i++) {
		if (v[i] >= 'a' && v[i] <= 'z')
			lo = 1;
		else if (v[i] >= 'A' && v[i] <= 'Z')
			up = 1;
		else if (v[i] >= '0' && v[i] <= '9')
			dg = 1;
		else
			sy = 1;
	}
	return lo && up && dg && sy;
}

/* Vendors' rules want every class present: redraw until they are. */
static void
secret_generate(const struct secret_policy *pol, size_t n)
{
	char	set[128];
	size_t	i, m;
	uint8_t	fresh[32];

	m = (size_t)snprintf(set, sizeof(set), "%s%s", SECRET_ALNUM,
	    pol->symbols);
	/* Fresh entropy for every secret, on top of the seed. */
	secret_entropy(fresh, sizeof(fresh));
	br_hmac_drbg_update(&secret_st->drbg, fresh, sizeof(fresh));
	explicit_bzero(fresh, sizeof(fresh));
	do {
		for (i = 0; i < n; i++)
			secret_st->value[i] = secret_pick(set, m);
	} while (!secret_classes_ok(secret_st->value, n, pol->symbols));
	secret_st->value[n] = '\0';
	secret_st->vlen = n;
}

int
secret_fill(const struct secret_slot *slot, unsigned min,
    const uint8_t *body, size_t len, const struct secret_hit *hit,
    const uint8_t **out, size_t *outlen)
{
	size_t	n = slot->len > min ? slot->len : min;

	if (secret_st == NULL || n > SECRET_LEN_MAX)
		return PC_E_STATE;
	if (len > SECRET_BODY_MAX || hit->off + hit->len > len)
		return PC_E_TOOBIG;
	secret_forget();
	secret_generate(slot->policy, n);
	memcpy(secret_st->body, body, hit->off);
	memcpy(secret_st->body + hit->off, secret_st->value, n);
	memcpy(secret_st->body + hit->off + n, body + hit->off + hit->len,
	    len - hit->off - hit->len);
	secret_st->blen = len - hit->len + n;
	*out = secret_st->body;
	*outlen = secret_st->blen;
	return 0;
}

const char *
secret_value(void)
{
	return secret_st != NULL && secret_st->vlen > 0 ? secret_st->value :
	    NULL;
}

void
secret_forget(void)
{
	if (secret_st == NULL)
		return;
	explicit_bzero(secret_st->value, sizeof(secret_st->value));
	explicit_bzero(secret_st->body, secret_st->blen);
	explicit_bzero(secret_st->rec, secret_st->rlen);
	secret_st->vlen = secret_st->blen = secret_st->rlen = 0;
}

size_t
secret_scrub(uint8_t *p, size_t len)
{
	const char	*v = secret_value();
	size_t		 vl, rl = sizeof(SECRET_REDACTED) - 1, i = 0, o = 0;

	if (v == NULL || (vl = secret_st->vlen) < rl)
		return len;
	while (i < len) {
		if (len - i >= vl && memcmp(p + i, v, vl) == 0) {
			memcpy(p + o, SECRET_REDACTED, rl);
			o += rl;
			i += vl;
		} else
			p[o++] = p[i++];
	}
	/* The tail still holds the bytes we moved from, copies included. */
	explicit_bzero(p + o, len - o);
	return o;
}

/* Append s JSON-escaped to the record; 0 or PC_E_TOOBIG. */
static int
secret_rec_str(const char *s)
{
	struct secret_state	*st = secret_st;
	char			 esc[8];
	const char		*add;
	size_t			 n;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			(void)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			(void)snprintf(esc, sizeof(esc), "\\u%04x", c);
		else {
			esc[0] = (char)c;
			esc[1] = '\0';
		}
		add = esc;
		n = strlen(add);
		if (n >= sizeof(st->rec) - st->rlen)
			return PC_E_TOOBIG;
		memcpy(st->rec + st->rlen, add, n);
		st->rlen += n;
	}
	return 0;
}

static int
secret_rec_raw(const char *s)
{
	struct secret_state	*st = secret_st;
	size_t			 n = strlen(s);

	if (n >= sizeof(st->rec) - st->rlen)
		return PC_E_TOOBIG;
	memcpy(st->rec + st->rlen, s, n);
	st->rlen += n;
	return 0;
}

int
secret_record(const char *const kv[][2], size_t n, int wrap,
    const uint8_t **out, size_t *outlen)
{
	size_t	i;
	int	e;

	if (secret_value() == NULL)
		return PC_E_STATE;
	secret_st->rlen = 0;
	if ((e = secret_rec_raw(wrap ? "{\"data\":{" : "{")) != 0)
		return e;
	for (i = 0; i < n; i++)
		if ((e = secret_rec_raw(i > 0 ? ",\"" : "\"")) != 0 ||
		    (e = secret_rec_str(kv[i][0])) != 0 ||
		    (e = secret_rec_raw("\":\"")) != 0 ||
		    (e = secret_rec_str(kv[i][1] != NULL ? kv[i][1] :
		    secret_st->value)) != 0 ||
		    (e = secret_rec_raw("\"")) != 0)
			return e;
	if ((e = secret_rec_raw(wrap ? "}}" : "}")) != 0)
		return e;
	*out = (const uint8_t *)secret_st->rec;
	*outlen = secret_st->rlen;
	return 0;
}
