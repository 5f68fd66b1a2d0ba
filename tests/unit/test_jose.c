/*
 * JOSE: base64url (RFC 4648 vectors and strict rejections), JWK checks,
 * RFC 7638 thumbprints, a known-answer JWE made by the jose tool (with
 * apu/apv), seal/open round trips and every refusal of a bad JWE.
 */
#include <stdio.h>
#include <string.h>

#include "jose.h"
#include "t.h"

/* A key pair made by `portcullis vault keygen` (test data only). */
static const char kat_priv[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"_rdPXhIREhL3-rA09YAkhNZgQPEir5DtDxm2kHCH7cA\","
    "\"y\":\"9qoI9_17M_iSdTEF5X1_xHFy8r27X3V_1xvVtAGg9NA\","
    "\"d\":\"WURAZhcQ6ujcDtzTQa3o_F_9hY4vKGM-A3YrfyE52aM\"}";
/* `jose jwe enc` of "known answer" to it, with apu "Alice", apv "Bob". */
static const char kat_jwe[] =
    "eyJhbGciOiJFQ0RILUVTIiwiYXB1IjoiUVd4cFkyVSIsImFwdiI6IlFtOWkiLCJlbmMi"
    "OiJBMjU2R0NNIiwiZXBrIjp7ImNydiI6IlAtMjU2Iiwia3R5IjoiRUMiLCJ4IjoiQVl1"
    "NGc0cXloYUprM2wwMzRYaWFjX1NVQTJQY3Vma09mNzFfX3pJUVdBQSIsInkiOiJCc3Bu"
    "Mk1VN2xGbjNxWTQ4T1VLbFFrVk96MUVpaGk4Zk9ZY2RQS1loakRBIn19..rOLiFFy08F_"
    "Rrth-.Pz5fnRQ_nQrA6clT.ssRgi12C2xViswbCboFlUg";

static void
test_b64u(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" }, { "\xfb\xff", "-_8" },
	};
	static const char *bad[] = { "Z", "Zh", "Zm9v=", "Zm+v", "Zm/v",
	    "Zm9 v", "Zm9vY" };
	uint8_t	 out[16];
	char	 enc[32], what[64];
	size_t	 i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		jose_b64u_enc((const uint8_t *)v[i].in, strlen(v[i].in), enc);
		(void)snprintf(what, sizeof(what), "b64u encodes \"%s\"",
		    v[i].in);
		t_str(what, enc, v[i].out);
		(void)snprintf(what, sizeof(what), "b64u decodes \"%s\"",
		    v[i].out);
		t_ok(jose_b64u_dec(v[i].out, strlen(v[i].out), out,
		    sizeof(out), &n) == 0 && n == strlen(v[i].in) &&
		    memcmp(out, v[i].in, n) == 0, what, "mismatch");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(what, sizeof(what), "b64u rejects \"%s\"",
		    bad[i]);
		t_int(what, jose_b64u_dec(bad[i], strlen(bad[i]), out,
		    sizeof(out), &n), PC_E_VALUE);
	}
	t_int("b64u: output too small", jose_b64u_dec("Zm9vYmFy", 8, out, 5,
	    &n), PC_E_TOOBIG);
}

static const struct {
	const char	*name, *jwk;
	int		 ok;
} jwk_rows[] = {
	{ "RFC 7517 A.1 EC public key",
	  "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8"
	  "AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IF"
	  "yM\",\"use\":\"enc\",\"kid\":\"1\"}", 1 },
	{ "RSA refused", "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", 0 },
	{ "P-384 refused", "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"MKBCTNIcK"
	  "USDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuh"
	  "p7x8PxltmWWlbbM4IFyM\"}", 0 },
	{ "point off the curve refused", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x"
	  "\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2"
	  "YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyA\"}", 0 },
	{ "short x refused", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNI"
	  "cKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHu"
	  "hp7x8PxltmWWlbbM4IFyM\"}", 0 },
	{ "use sig refused", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNI"
	  "cKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVH"
	  "uhp7x8PxltmWWlbbM4IFyM\",\"use\":\"sig\"}", 0 },
	{ "d of another key refused", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	  "\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiL"
	  "UrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\",\"d\":\"WURAZhcQ6ujcDtzTQa3o_F_9hY"
	  "4vKGM-A3YrfyE52aM\"}", 0 },
	{ "d = 0 refused", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"_rdPXhIRE"
	  "hL3-rA09YAkhNZgQPEir5DtDxm2kHCH7cA\",\"y\":\"9qoI9_17M_iSdTEF5X1_xHF"
	  "y8r27X3V_1xvVtAGg9NA\",\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAA\"}", 0 },
	{ "not an object refused", "[1,2]", 0 },
	{ "not JSON refused", "{\"kty\":", 0 },
	{ "duplicate member refused", "{\"kty\":\"EC\",\"kty\":\"EC\"}", 0 },
};

static void
test_jwk(void)
{
	struct jose_key	k;
	char		why[256];
	size_t		i;

	for (i = 0; i < sizeof(jwk_rows) / sizeof(jwk_rows[0]); i++) {
		int e = jose_jwk_parse(jwk_rows[i].jwk, strlen(jwk_rows[i].jwk),
		    &k, why, sizeof(why));
		t_ok((e == 0) == jwk_rows[i].ok, jwk_rows[i].name, "got %d (%s)",
		    e, e ? why : "accepted");
	}
	if (jose_jwk_parse(jwk_rows[0].jwk, strlen(jwk_rows[0].jwk), &k, why,
	    sizeof(why)) == 0)
		t_str("RFC 7638 thumbprint (as jose jwk thp)", k.kid,
		    "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
	if (jose_jwk_parse(kat_priv, strlen(kat_priv), &k, why,
	    sizeof(why)) == 0) {
		t_int("private key parsed with d", k.has_priv, 1);
		t_str("private key thumbprint", k.kid,
		    "wTvxEA-G6U-8dh9HsCSOQ_va5bOX2dDHjuon0CaYXk8");
	} else
		t_ok(0, "private key parses", "%s", why);
}

static br_hmac_drbg_context	rng;

static void
test_roundtrip(const struct jose_key *k)
{
	struct jose_key	pub = *k, again;
	struct buf	jwe, pt, out;
	char		why[256];
	const char	msg[] = "{\"secret\":\"s3cr3t\"}";

	pub.has_priv = 0;
	memset(pub.priv, 0, sizeof(pub.priv));
	buf_init(&jwe, JOSE_JWE_MAX, 0);
	buf_init(&pt, JOSE_JWE_MAX, 1);
	t_int("seal", jose_seal(&pub, &rng.vtable, (const uint8_t *)msg,
	    strlen(msg), &jwe), 0);
	t_int("open what we sealed", jose_open(k, (const char *)jwe.p, jwe.len,
	    &pt, why, sizeof(why)), 0);
	t_ok(pt.len == strlen(msg) && memcmp(pt.p, msg, pt.len) == 0,
	    "round trip gives the plaintext", "mismatch");
	t_ok(memmem(jwe.p, jwe.len, "s3cr3t", 6) == NULL,
	    "sealed text does not hold the plaintext", "it does");
	buf_reset(&pt);
	t_int("open with the public key only: refused", jose_open(&pub,
	    (const char *)jwe.p, jwe.len, &pt, why, sizeof(why)), PC_E_VALUE);
	buf_init(&out, JOSE_JWK_MAX, 1);
	t_int("write the key as a JWK", jose_jwk_write(k, 1, &out), 0);
	t_int("the written JWK parses back", jose_jwk_parse((const char *)
	    out.p, out.len, &again, why, sizeof(why)), 0);
	t_ok(memcmp(again.pub, k->pub, 65) == 0 && again.has_priv &&
	    memcmp(again.priv, k->priv, 32) == 0, "JWK round trip", "differs");
	buf_clear(&out);
	buf_clear(&pt);
	buf_clear(&jwe);
}

/* One altered compact JWE that must not open. */
static void
test_bad_jwe(const struct jose_key *k, const char *name, const char *jwe,
    int want)
{
	struct buf	pt;
	char		why[256];

	buf_init(&pt, JOSE_JWE_MAX, 1);
	t_int(name, jose_open(k, jwe, strlen(jwe), &pt, why, sizeof(why)),
	    want);
	t_int("nothing decrypted", (long long)pt.len, 0);
	buf_clear(&pt);
}

static void
test_kat(void)
{
	struct jose_key	k;
	struct buf	pt;
	char		why[256], bad[sizeof(kat_jwe) + 64], *dot;

	if (jose_jwk_parse(kat_priv, strlen(kat_priv), &k, why,
	    sizeof(why)) != 0)
		return;
	buf_init(&pt, JOSE_JWE_MAX, 1);
	t_int("opens jose's JWE (apu, apv)", jose_open(&k, kat_jwe,
	    strlen(kat_jwe), &pt, why, sizeof(why)), 0);
	t_ok(pt.len == 12 && memcmp(pt.p, "known answer", 12) == 0,
	    "jose's plaintext", "mismatch");
	buf_clear(&pt);
	test_roundtrip(&k);

	(void)snprintf(bad, sizeof(bad), "%s", kat_jwe);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	test_bad_jwe(&k, "altered tag: refused", bad, PC_E_CRYPTO);
	(void)snprintf(bad, sizeof(bad), "%s", kat_jwe);
	dot = strrchr(bad, '.');
	dot[-2] = dot[-2] == 'A' ? 'B' : 'A';
	test_bad_jwe(&k, "altered ciphertext: refused", bad, PC_E_CRYPTO);
	(void)snprintf(bad, sizeof(bad), "%s", kat_jwe);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	test_bad_jwe(&k, "altered header: refused", bad, PC_E_SYNTAX);
	(void)snprintf(bad, sizeof(bad), "%s", strchr(kat_jwe, '.'));
	test_bad_jwe(&k, "no header: refused", bad, PC_E_SYNTAX);
	test_bad_jwe(&k, "four parts: refused", "a.b.c.d", PC_E_SYNTAX);
	test_bad_jwe(&k, "six parts: refused", "a.b.c.d.e.f", PC_E_SYNTAX);
	/* {"alg":"ECDH-ES+A128KW","enc":"A256GCM"} */
	test_bad_jwe(&k, "another alg: refused",
	    "eyJhbGciOiJFQ0RILUVTK0ExMjhLVyIsImVuYyI6IkEyNTZHQ00ifQ.x.aaaaaaaa"
	    "aaaaaaaa.aa.aaaaaaaaaaaaaaaaaaaaaa", PC_E_VALUE);
	/* {"alg":"ECDH-ES","enc":"A256GCM","crit":["x"],"x":1} */
	test_bad_jwe(&k, "crit: refused",
	    "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTI1NkdDTSIsImNyaXQiOlsieCJdLCJ4I"
	    "joxfQ..aaaaaaaaaaaaaaaa.aa.aaaaaaaaaaaaaaaaaaaaaa", PC_E_VALUE);
	(void)snprintf(bad, sizeof(bad), "%s", kat_jwe);
	dot = strstr(bad, "..");
	memmove(dot + 2, dot + 1, strlen(dot + 1) + 1);
	dot[1] = 'A';
	test_bad_jwe(&k, "an encrypted key: refused", bad, PC_E_VALUE);
	jose_key_wipe(&k);
}

int
main(void)
{
	uint8_t	seed[32] = { 1, 2, 3 };

	t_init("test_jose");
	br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
	test_b64u();
	test_jwk();
	test_kat();
	return t_done();
}
