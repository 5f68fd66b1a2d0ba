/* TLV codec: every rejection the decoder must make, one row each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "t.h"

static const struct tlv_spec spec[] = {
	{ 1, TK_STR,	T_REQ,	8,	"NAME" },
	{ 2, TK_U32,	0,	4,	"NUM" },
	{ 3, TK_BYTES,	0,	16,	"BLOB" },
	{ 4, TK_U64,	0,	8,	"BIG" },
};

struct row {
	const char	*name;
	const char	*in;	/* bytes, as an escaped string */
	size_t		 len;
	int		 want;
	unsigned	 bad_tag;
};

#define R(n, s, w, t)	{ n, s, sizeof(s) - 1, w, t }

static const struct row rows[] = {
	R("accepts name only", "\0\1\0\0\0\3abc", 0, 0),
	R("accepts every tag", "\0\1\0\0\0\1a" "\0\2\0\0\0\4\0\0\0\7"
	    "\0\3\0\0\0\2\xff\0" "\0\4\0\0\0\10\0\0\0\0\0\0\0\1", 0, 0),
	R("accepts empty string", "\0\1\0\0\0\0", 0, 0),
	R("rejects empty payload (missing required)", "", PC_E_MISSING, 1),
	R("rejects missing required tag", "\0\2\0\0\0\4\0\0\0\7",
	    PC_E_MISSING, 1),
	R("rejects truncated tag", "\0", PC_E_SHORT, 0),
	R("rejects truncated length", "\0\1\0\0", PC_E_SHORT, 0),
	R("rejects truncated value", "\0\1\0\0\0\5ab", PC_E_SHORT, 1),
	R("rejects length 0xffffffff", "\0\1\xff\xff\xff\xff" "ab",
	    PC_E_TOOBIG, 1),
	R("rejects unknown tag", "\0\1\0\0\0\1a" "\0\11\0\0\0\0", PC_E_TAG, 9),
	R("rejects tag above TLV_MAX_TAG", "\xff\xff\0\0\0\0", PC_E_TAG,
	    0xffff),
	R("rejects duplicate tag", "\0\1\0\0\0\1a" "\0\1\0\0\0\1b",
	    PC_E_DUPTAG, 1),
	R("rejects value over the tag max", "\0\1\0\0\0\11abcdefghi",
	    PC_E_TOOBIG, 1),
	R("rejects u32 of 3 bytes", "\0\1\0\0\0\1a" "\0\2\0\0\0\3\0\0\7",
	    PC_E_VALUE, 2),
	R("rejects u32 of 5 bytes", "\0\1\0\0\0\1a"
	    "\0\2\0\0\0\5\0\0\0\0\7", PC_E_TOOBIG, 2),
	R("rejects u64 of 4 bytes", "\0\1\0\0\0\1a" "\0\4\0\0\0\4\0\0\0\1",
	    PC_E_VALUE, 4),
	R("rejects NUL inside a string", "\0\1\0\0\0\3a\0b", PC_E_VALUE, 1),
	R("accepts NUL inside bytes", "\0\1\0\0\0\1a" "\0\3\0\0\0\3a\0b", 0,
	    0),
	R("rejects trailing garbage", "\0\1\0\0\0\1a" "\0", PC_E_SHORT, 0),
};

static void
test_rows(void)
{
	struct tlv_fields	f;
	size_t			i;
	int			e;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		e = tlv_decode(spec, 4, (const uint8_t *)rows[i].in,
		    rows[i].len, &f);
		t_int(rows[i].name, e, rows[i].want);
		if (e != 0 && rows[i].bad_tag != 0)
			t_int(rows[i].name, f.bad_tag, rows[i].bad_tag);
	}
}

static void
test_roundtrip(void)
{
	struct tlv_fields	f;
	struct buf		b;
	char			s[9], *dup = NULL;
	uint32_t		v;
	uint64_t		big;
	size_t			len;
	const uint8_t		*p;

	buf_init(&b, 1024, 0);
	t_int("writer: string", tlv_add_str(&b, 1, "hello"), 0);
	t_int("writer: u32", tlv_add_u32(&b, 2, 0xdeadbeef), 0);
	t_int("writer: bytes", tlv_add_bytes(&b, 3, "\0\1\2", 3), 0);
	t_int("writer: u64", tlv_add_u64(&b, 4, 0x0102030405060708ULL), 0);
	t_int("writer: refuses tag above max", tlv_add_u32(&b, 99, 1),
	    PC_E_TOOBIG);
	buf_reset(&b);
	t_int("writer: again", tlv_add_str(&b, 1, "hello") |
	    tlv_add_u32(&b, 2, 0xdeadbeef) | tlv_add_bytes(&b, 3, "\0\1\2", 3) |
	    tlv_add_u64(&b, 4, 0x0102030405060708ULL), 0);
	t_int("round trip decodes", tlv_decode(spec, 4, b.p, b.len, &f), 0);
	t_int("tlv_str copies", tlv_str(&f, 1, s, sizeof(s)), 0);
	t_str("tlv_str value", s, "hello");
	t_int("tlv_str refuses a small buffer", tlv_str(&f, 1, s, 5),
	    PC_E_TOOBIG);
	t_int("tlv_u32", tlv_u32(&f, 2, &v), 0);
	t_int("tlv_u32 value", v, 0xdeadbeef);
	t_int("tlv_u64", tlv_u64(&f, 4, &big), 0);
	t_ok(big == 0x0102030405060708ULL, "tlv_u64 value", "got %llx",
	    (unsigned long long)big);
	p = tlv_bytes(&f, 3, &len);
	t_ok(p != NULL && len == 3 && memcmp(p, "\0\1\2", 3) == 0,
	    "tlv_bytes view", "len %zu", len);
	t_int("tlv_strdup", tlv_strdup(&f, 1, &dup), 0);
	t_str("tlv_strdup value", dup, "hello");
	free(dup);
	t_int("tlv_u32 on an absent tag", tlv_u32(&f, 9, &v), PC_E_MISSING);
	buf_clear(&b);
	buf_init(&b, 8, 0);
	t_int("writer: ceiling of the buffer holds",
	    tlv_add_str(&b, 1, "123456789"), PC_E_TOOBIG);
	buf_clear(&b);
}

int
main(void)
{
	t_init("test_tlv");
	test_rows();
	test_roundtrip();
	return t_done();
}
