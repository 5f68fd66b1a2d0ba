/*
 * Runs in: broker (sealing), agent (`vault keygen`, `vault open`).
 * Input: the operator's key file (trusted but checked) and, when
 * opening, a JWE file that may have been tampered with: every length
 * is bounded and every header member checked before any crypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"
#include "pcj.h"

#define JOSE_HDR_MAX	4096	/* decoded protected header */
#define JOSE_PARTY_MAX	256	/* decoded apu / apv */
#define JOSE_CURVE	BR_EC_secp256r1

static const char jose_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The order of P-256: d must be below it. */
static const uint8_t jose_p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};

static const struct pcj_limits jose_json_limits = { JOSE_JWK_MAX, 64, 4 };

size_t
jose_b64u_len(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void
jose_b64u_enc(const uint8_t *p, size_t n, char *out)
{
	uint32_t	v;
	size_t		i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = jose_alpha[v >> 18];
		out[o++] = jose_alpha[v >> 12 & 63];
		out[o++] = jose_alpha[v >> 6 & 63];
		out[o++] = jose_alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = jose_alpha[v >> 18];
		out[o++] = jose_alpha[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = jose_alpha[v >> 18];
		out[o++] = jose_alpha[v >> 12 & 63];
		out[o++] = jose_alpha[v >> 6 & 63];
	}
	out[o] = '\0';
}

static int
jose_b64u_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

int
jose_b64u_dec(const char *s, size_t n, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	uint32_t	acc = 0;
	size_t		i, o = 0, bits = 0;
	int		v;

	*outlen = 0;
	if (n % 4 == 1)
		return PC_E_VALUE;
	if (n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1) > outsz)
		return PC_E_TOOBIG;
	for (i = 0; i < n; i++) {
		if ((v = jose_b64u_val((unsigned char)s[i])) < 0)
			return PC_E_VALUE;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one encoding per byte string. */
	if (acc != 0)
		return PC_E_VALUE;
	*outlen = o;
	return 0;
}

static const br_ec_impl *
jose_ec(void)
{
	return br_ec_get_default();
}

static int
jose_fail(char *why, size_t whysz, int e, const char *text)
{
	if (why != NULL && whysz > 0)
		(void)snprintf(why, whysz, "%s", text);
	return e;
}

/* A member that must decode to exactly len bytes. */
static int
jose_member(const struct pcj_doc *d, int obj, const char *name,
    uint8_t *out, size_t len)
{
	const char	*raw;
	size_t		 rl, got;
	int		 v;

	if ((v = pcj_get(d, obj, name)) < 0 || pcj_type(d, v) != PCJ_STRING)
		return PC_E_MISSING;
	raw = pcj_raw(d, v, &rl);
	if (jose_b64u_dec(raw, rl, out, len, &got) != 0 || got != len)
		return PC_E_VALUE;
	return 0;
}

static void
jose_thumbprint(struct jose_key *k)
{
	br_sha256_context	h;
	char			x[JOSE_KID_LEN + 1], y[JOSE_KID_LEN + 1];
	uint8_t			sum[32];

	jose_b64u_enc(k->pub + 1, 32, x);
	jose_b64u_enc(k->pub + 33, 32, y);
	br_sha256_init(&h);
	/* RFC 7638: required members only, sorted, no whitespace. */
	br_sha256_update(&h, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", 31);
	br_sha256_update(&h, x, strlen(x));
	br_sha256_update(&h, "\",\"y\":\"", 7);
	br_sha256_update(&h, y, strlen(y));
	br_sha256_update(&h, "\"}", 2);
	br_sha256_out(&h, sum);
	jose_b64u_enc(sum, sizeof(sum), k->kid);
}

static int
jose_scalar_ok(const uint8_t *d)
{
	static const uint8_t	zero[32];

	return memcmp(d, zero, 32) != 0 && memcmp(d, jose_p256_n, 32) < 0;
}

/* d must produce the public point the key file claims. */
static int
jose_priv_matches(const struct jose_key *k)
{
	br_ec_private_key	sk = { JOSE_CURVE, (unsigned char *)k->priv, 32 };
	uint8_t			pub[65];
	int			ok;

	ok = br_ec_compute_pub(jose_ec(), NULL, pub, &sk) == 65 &&
	    memcmp(pub, k->pub, 65) == 0;
	explicit_bzero(pub, sizeof(pub));
	return ok;
}

/* The key object at obj; allow_priv 0 refuses a "d" (an epk). */
static int
jose_key_obj(const struct pcj_doc *d, int obj, struct jose_key *k,
    int allow_priv, char *why, size_t whysz)
{
	uint8_t	 tmp[65];
	int	 v, e;
	static const uint8_t one[1] = { 1 };

	memset(k, 0, sizeof(*k));
	if (pcj_type(d, obj) != PCJ_OBJECT)
		return jose_fail(why, whysz, PC_E_VALUE, "not a JSON object");
	if (!pcj_str_eq(d, pcj_get(d, obj, "kty"), "EC") ||
	    !pcj_str_eq(d, pcj_get(d, obj, "crv"), "P-256"))
		return jose_fail(why, whysz, PC_E_VALUE, "not an EC P-256 key "
		    "(kty \"EC\", crv \"P-256\")");
	if ((v = pcj_get(d, obj, "use")) >= 0 && !pcj_str_eq(d, v, "enc"))
		return jose_fail(why, whysz, PC_E_VALUE, "key \"use\" is not "
		    "\"enc\"");
	k->pub[0] = 0x04;
	if (jose_member(d, obj, "x", k->pub + 1, 32) != 0 ||
	    jose_member(d, obj, "y", k->pub + 33, 32) != 0)
		return jose_fail(why, whysz, PC_E_VALUE, "x and y must be "
		    "base64url of 32 bytes each");
	memcpy(tmp, k->pub, sizeof(tmp));
	if (jose_ec()->mul(tmp, sizeof(tmp), one, 1, JOSE_CURVE) != 1)
		return jose_fail(why, whysz, PC_E_CRYPTO, "the point is not "
		    "on P-256");
	if (pcj_get(d, obj, "d") >= 0) {
		if (!allow_priv)
			return jose_fail(why, whysz, PC_E_VALUE, "an ephemeral "
			    "key must not carry \"d\"");
		if ((e = jose_member(d, obj, "d", k->priv, 32)) != 0 ||
		    !jose_scalar_ok(k->priv) || !jose_priv_matches(k)) {
			jose_key_wipe(k);
			return jose_fail(why, whysz, PC_E_CRYPTO, "\"d\" is not "
			    "the private key of x and y");
		}
		k->has_priv = 1;
	}
	jose_thumbprint(k);
	return 0;
}

int
jose_jwk_parse(const char *js, size_t len, struct jose_key *k, char *why,
    size_t whysz)
{
	struct pcj_doc	d;
	int		e;

	memset(k, 0, sizeof(*k));
	if (len > JOSE_JWK_MAX)
		return jose_fail(why, whysz, PC_E_TOOBIG, "key file is over "
		    "8 KiB");
	if ((e = pcj_parse(&d, js, len, &jose_json_limits)) != 0) {
		(void)snprintf(why, whysz, "not JSON: %s at byte %zu", d.why,
		    d.off);
		pcj_free(&d);
		return e;
	}
	e = jose_key_obj(&d, pcj_root(&d), k, 1, why, whysz);
	pcj_free(&d);
	return e;
}

void
jose_key_wipe(struct jose_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

int
jose_jwk_write(const struct jose_key *k, int priv, struct buf *b)
{
	char	x[JOSE_KID_LEN + 1], y[JOSE_KID_LEN + 1], d[JOSE_KID_LEN + 1];
	int	e;

	jose_b64u_enc(k->pub + 1, 32, x);
	jose_b64u_enc(k->pub + 33, 32, y);
	e = buf_printf(b, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
	    "\"y\":\"%s\"", x, y);
	if (e == 0 && priv && k->has_priv) {
		jose_b64u_enc(k->priv, 32, d);
		e = buf_printf(b, ",\"d\":\"%s\"", d);
		explicit_bzero(d, sizeof(d));
	}
	if (e == 0)
		e = buf_printf(b, ",\"use\":\"enc\",\"alg\":\"ECDH-ES\","
		    "\"kid\":\"%s\"}\n", k->kid);
	return e;
}

int
jose_keygen(const br_prng_class **rng, struct jose_key *k)
{
	br_ec_private_key	sk;
	uint8_t			kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];

	memset(k, 0, sizeof(*k));
	if (br_ec_keygen(rng, jose_ec(), &sk, kbuf, JOSE_CURVE) != 32 ||
	    br_ec_compute_pub(jose_ec(), NULL, k->pub, &sk) != 65) {
		explicit_bzero(kbuf, sizeof(kbuf));
		return PC_E_CRYPTO;
	}
	memcpy(k->priv, sk.x, 32);
	explicit_bzero(kbuf, sizeof(kbuf));
	k->has_priv = 1;
	jose_thumbprint(k);
	return 0;
}

static void
jose_be32(br_sha256_context *h, uint32_t v)
{
	uint8_t	b[4];

	buf_put_u32(b, v);
	br_sha256_update(h, b, 4);
}

/*
 * Concat KDF, RFC 7518 section 4.6.2: one SHA-256 round gives the 256
 * bits A256GCM needs. AlgorithmID is the "enc" value for direct
 * agreement; the lengths are 32-bit big-endian prefixes.
 */
static void
jose_kdf(const uint8_t z[32], const uint8_t *apu, size_t apul,
    const uint8_t *apv, size_t apvl, uint8_t cek[32])
{
	br_sha256_context	h;

	br_sha256_init(&h);
	jose_be32(&h, 1);
	br_sha256_update(&h, z, 32);
	jose_be32(&h, 7);
	br_sha256_update(&h, "A256GCM", 7);
	jose_be32(&h, (uint32_t)apul);
	br_sha256_update(&h, apu, apul);
	jose_be32(&h, (uint32_t)apvl);
	br_sha256_update(&h, apv, apvl);
	jose_be32(&h, 256);
	br_sha256_out(&h, cek);
	explicit_bzero(&h, sizeof(h));
}

/* x coordinate of priv * pub, or PC_E_CRYPTO for a bad point. */
static int
jose_ecdh(const uint8_t pub[65], const uint8_t *priv, size_t privlen,
    uint8_t z[32])
{
	uint8_t	g[65];
	int	e = 0;

	memcpy(g, pub, sizeof(g));
	if (jose_ec()->mul(g, sizeof(g), priv, privlen, JOSE_CURVE) != 1)
		e = PC_E_CRYPTO;
	else
		memcpy(z, g + 1, 32);
	explicit_bzero(g, sizeof(g));
	return e;
}

static void
jose_gcm(const uint8_t cek[32], const uint8_t iv[12], const char *aad,
    size_t aadlen, uint8_t *data, size_t len, int encrypt,
    br_gcm_context *gc, br_aes_ct_ctr_keys *ac)
{
	br_aes_ct_ctr_init(ac, cek, 32);
	br_gcm_init(gc, &ac->vtable, br_ghash_ctmul);
	br_gcm_reset(gc, iv, 12);
	br_gcm_aad_inject(gc, aad, aadlen);
	br_gcm_flip(gc);
	br_gcm_run(gc, encrypt, data, len);
}

static int
jose_add_b64u(struct buf *b, const uint8_t *p, size_t n)
{
	size_t	 el = jose_b64u_len(n);
	char	*s;
	int	 e;

	if ((s = malloc(el + 1)) == NULL)
		return PC_E_NOMEM;
	jose_b64u_enc(p, n, s);
	e = buf_add(b, s, el);
	free(s);
	return e;
}

static int
jose_seal_header(const struct jose_key *to, const struct jose_key *epk,
    struct buf *out)
{
	char	 x[JOSE_KID_LEN + 1], y[JOSE_KID_LEN + 1];
	char	 hdr[512];
	int	 n;

	jose_b64u_enc(epk->pub + 1, 32, x);
	jose_b64u_enc(epk->pub + 33, 32, y);
	n = snprintf(hdr, sizeof(hdr), "{\"alg\":\"ECDH-ES\",\"enc\":"
	    "\"A256GCM\",\"kid\":\"%s\",\"epk\":{\"kty\":\"EC\",\"crv\":"
	    "\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}}", to->kid, x, y);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return PC_E_TOOBIG;
	return jose_add_b64u(out, (const uint8_t *)hdr, (size_t)n);
}

int
jose_seal(const struct jose_key *to, const br_prng_class **rng,
    const uint8_t *pt, size_t len, struct buf *out)
{
	struct jose_key		 eph;
	br_gcm_context		 gc;
	br_aes_ct_ctr_keys	 ac;
	uint8_t			 z[32], cek[32], iv[12], tag[16], *ct = NULL;
	size_t			 aadlen;
	int			 e;

	if (len > JOSE_JWE_MAX / 2)
		return PC_E_TOOBIG;
	if ((e = jose_keygen(rng, &eph)) != 0 ||
	    (e = jose_ecdh(to->pub, eph.priv, 32, z)) != 0)
		goto out;
	jose_kdf(z, NULL, 0, NULL, 0, cek);
	(*rng)->generate(rng, iv, sizeof(iv));
	if ((e = jose_seal_header(to, &eph, out)) != 0)
		goto out;
	aadlen = out->len;
	if ((ct = malloc(len + 1)) == NULL) {
		e = PC_E_NOMEM;
		goto out;
	}
	memcpy(ct, pt, len);
	jose_gcm(cek, iv, (const char *)out->p, aadlen, ct, len, 1, &gc, &ac);
	br_gcm_get_tag(&gc, tag);
	if ((e = buf_add(out, "..", 2)) != 0 ||
	    (e = jose_add_b64u(out, iv, sizeof(iv))) != 0 ||
	    (e = buf_add(out, ".", 1)) != 0 ||
	    (e = jose_add_b64u(out, ct, len)) != 0 ||
	    (e = buf_add(out, ".", 1)) != 0 ||
	    (e = jose_add_b64u(out, tag, sizeof(tag))) != 0)
		goto out;
out:
	jose_key_wipe(&eph);
	explicit_bzero(z, sizeof(z));
	explicit_bzero(cek, sizeof(cek));
	explicit_bzero(&gc, sizeof(gc));
	explicit_bzero(&ac, sizeof(ac));
	if (ct != NULL)
		explicit_bzero(ct, len);
	free(ct);
	return e;
}

struct jose_parts {
	const char	*p[5];
	size_t		 n[5];
};

static int
jose_split(const char *s, size_t len, struct jose_parts *jp)
{
	size_t	i, k = 0, start = 0;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (k == 5)
			return PC_E_SYNTAX;
		jp->p[k] = s + start;
		jp->n[k++] = i - start;
		start = i + 1;
	}
	return k == 5 ? 0 : PC_E_SYNTAX;
}

/* Optional base64url party info member. */
static int
jose_party(const struct pcj_doc *d, int root, const char *name,
    uint8_t *out, size_t *outlen)
{
	const char	*raw;
	size_t		 rl;
	int		 v;

	*outlen = 0;
	if ((v = pcj_get(d, root, name)) < 0)
		return 0;
	if (pcj_type(d, v) != PCJ_STRING)
		return PC_E_VALUE;
	raw = pcj_raw(d, v, &rl);
	return jose_b64u_dec(raw, rl, out, JOSE_PARTY_MAX, outlen);
}

struct jose_hdr {
	struct jose_key	epk;
	uint8_t		apu[JOSE_PARTY_MAX], apv[JOSE_PARTY_MAX];
	size_t		apul, apvl;
};

/* Only our suite; "crit" and "zip" are extensions we do not do. */
static int
jose_hdr_parse(const uint8_t *h, size_t hl, struct jose_hdr *jh, char *why,
    size_t whysz)
{
	struct pcj_doc	d;
	int		root, e;

	if ((e = pcj_parse(&d, (const char *)h, hl, &jose_json_limits)) != 0) {
		pcj_free(&d);
		return jose_fail(why, whysz, e, "protected header is not JSON");
	}
	root = pcj_root(&d);
	if (pcj_type(&d, root) != PCJ_OBJECT)
		e = jose_fail(why, whysz, PC_E_VALUE, "protected header is not "
		    "an object");
	else if (!pcj_str_eq(&d, pcj_get(&d, root, "alg"), "ECDH-ES") ||
	    !pcj_str_eq(&d, pcj_get(&d, root, "enc"), "A256GCM"))
		e = jose_fail(why, whysz, PC_E_VALUE, "only alg \"ECDH-ES\" "
		    "with enc \"A256GCM\" is supported");
	else if (pcj_get(&d, root, "crit") >= 0 ||
	    pcj_get(&d, root, "zip") >= 0)
		e = jose_fail(why, whysz, PC_E_VALUE, "\"crit\" and \"zip\" "
		    "are not supported");
	else if (jose_party(&d, root, "apu", jh->apu, &jh->apul) != 0 ||
	    jose_party(&d, root, "apv", jh->apv, &jh->apvl) != 0)
		e = jose_fail(why, whysz, PC_E_VALUE, "bad \"apu\" or \"apv\"");
	else
		e = jose_key_obj(&d, pcj_get(&d, root, "epk"), &jh->epk, 0,
		    why, whysz);
	pcj_free(&d);
	return e;
}

static int
jose_open_parts(const struct jose_key *k, const struct jose_parts *jp,
    struct buf *pt, char *why, size_t whysz)
{
	struct jose_hdr		 jh;
	br_gcm_context		 gc;
	br_aes_ct_ctr_keys	 ac;
	uint8_t			 hdr[JOSE_HDR_MAX], iv[12], tag[16];
	uint8_t			 z[32], cek[32], *ct = NULL;
	size_t			 hl, n, ctl;
	int			 e;

	if (jose_b64u_dec(jp->p[0], jp->n[0], hdr, sizeof(hdr), &hl) != 0)
		return jose_fail(why, whysz, PC_E_VALUE, "bad protected "
		    "header encoding");
	if ((e = jose_hdr_parse(hdr, hl, &jh, why, whysz)) != 0)
		return e;
	if (jp->n[1] != 0)
		return jose_fail(why, whysz, PC_E_VALUE, "direct agreement "
		    "has no encrypted key");
	if (jose_b64u_dec(jp->p[2], jp->n[2], iv, sizeof(iv), &n) != 0 ||
	    n != sizeof(iv) ||
	    jose_b64u_dec(jp->p[4], jp->n[4], tag, sizeof(tag), &n) != 0 ||
	    n != sizeof(tag))
		return jose_fail(why, whysz, PC_E_VALUE, "the IV must be 12 "
		    "bytes and the tag 16");
	if ((ct = malloc(jp->n[3] + 1)) == NULL)
		return PC_E_NOMEM;
	if (jose_b64u_dec(jp->p[3], jp->n[3], ct, jp->n[3] + 1, &ctl) != 0) {
		free(ct);
		return jose_fail(why, whysz, PC_E_VALUE, "bad ciphertext "
		    "encoding");
	}
	if ((e = jose_ecdh(jh.epk.pub, k->priv, 32, z)) != 0) {
		free(ct);
		return jose_fail(why, whysz, e, "key agreement failed");
	}
	jose_kdf(z, jh.apu, jh.apul, jh.apv, jh.apvl, cek);
	jose_gcm(cek, iv, jp->p[0], jp->n[0], ct, ctl, 0, &gc, &ac);
	if (br_gcm_check_tag(&gc, tag) != 1)
		e = jose_fail(why, whysz, PC_E_CRYPTO, "authentication failed: "
		    "wrong key or the file was altered");
	else
		e = buf_add(pt, ct, ctl);
	explicit_bzero(z, sizeof(z));
	explicit_bzero(cek, sizeof(cek));
	explicit_bzero(&gc, sizeof(gc));
	explicit_bzero(&ac, sizeof(ac));
	explicit_bzero(ct, ctl);
	free(ct);
	return e;
}

int
jose_open(const struct jose_key *k, const char *jwe, size_t len,
    struct buf *pt, char *why, size_t whysz)
{
	struct jose_parts	jp;

	if (!k->has_priv)
		return jose_fail(why, whysz, PC_E_VALUE, "the key has no "
		    "private part (\"d\")");
	if (len > JOSE_JWE_MAX)
		return jose_fail(why, whysz, PC_E_TOOBIG, "over 256 KiB");
	if (jose_split(jwe, len, &jp) != 0)
		return jose_fail(why, whysz, PC_E_SYNTAX, "not a compact JWE "
		    "(five parts separated by dots)");
	return jose_open_parts(k, &jp, pt, why, whysz);
}
