/* The strict JSON layer: accept/reject table, typed access, caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcj.h"
#include "t.h"

struct row {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen */
	int		 want;		/* 0 or a PC_E_* code */
};

#define A(n, s)		{ n, s, 0, 0 }
#define R(n, s)		{ n, s, 0, PC_E_SYNTAX }
#define RU(n, s)	{ n, s, 0, PC_E_UTF8 }
#define RL(n, s, l, w)	{ n, s, l, w }

static const struct row rows[] = {
	/* one top-level value */
	A("accepts an empty object", "{}"),
	A("accepts an empty array", "[]"),
	A("accepts a top-level string", "\"x\""),
	A("accepts a top-level number", "42"),
	A("accepts top-level true", "true"),
	A("accepts top-level false", "false"),
	A("accepts top-level null", "null"),
	A("accepts surrounding whitespace", " \t\r\n{} \n"),
	R("rejects empty input", ""),
	R("rejects only whitespace", "   "),
	R("rejects two roots", "{} {}"),
	R("rejects two numbers", "1 2"),
	R("rejects garbage after the root", "{}x"),
	R("rejects a comma after the root", "[],"),
	RL("rejects a NUL after the root", "{}\0junk", 7, PC_E_SYNTAX),
	RL("rejects a NUL inside a string", "[\"a\0b\"]", 7, PC_E_SYNTAX),
	/* objects */
	A("accepts a member", "{\"a\":1}"),
	A("accepts members with spaces", "{ \"a\" : 1 , \"b\" : [ ] }"),
	A("accepts nested objects", "{\"a\":{\"b\":{\"c\":null}}}"),
	R("rejects key without colon", "{\"a\" \"b\"}"),
	R("rejects key without value", "{\"a\":}"),
	R("rejects missing key", "{:1}"),
	R("rejects unquoted key", "{a:1}"),
	R("rejects number key", "{1:1}"),
	R("rejects single-quoted key", "{'a':1}"),
	R("rejects trailing comma in object", "{\"a\":1,}"),
	R("rejects leading comma in object", "{,\"a\":1}"),
	R("rejects double comma in object", "{\"a\":1,,\"b\":2}"),
	R("rejects missing comma in object", "{\"a\":1 \"b\":2}"),
	R("rejects unclosed object", "{\"a\":1"),
	R("rejects object closed by ]", "{\"a\":1]"),
	R("rejects two colons", "{\"a\"::1}"),
	R("rejects duplicate key", "{\"a\":1,\"a\":2}"),
	R("rejects duplicate key spelled with an escape",
	    "{\"a\":1,\"\\u0061\":2}"),
	R("rejects duplicate key in a nested object",
	    "{\"x\":{\"k\":1,\"j\":2,\"k\":3}}"),
	A("accepts the same key in sibling objects",
	    "[{\"a\":1},{\"a\":2}]"),
	R("rejects duplicate empty keys", "{\"\":1,\"\":2}"),
	A("accepts keys of one length and first byte", "{\"ab\":1,\"ac\":2}"),
	R("rejects the 16th key repeating the 1st",
	    "{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k00\":0}"),
	A("accepts 17 distinct keys (checked after tokenizing)",
	    "{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16}"),
	R("rejects the 17th key repeating the 3rd",
	    "{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k02\":0}"),
	R("rejects an escaped key repeating a plain one in a big object",
	    "{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"\\u006b05\":0}"),
	R("rejects a duplicate under an escaped key's sibling",
	    "{\"\\u0061\":1,\"b\":2,\"b\":3}"),
	A("accepts an escaped key that differs",
	    "{\"\\u0061\":1,\"b\":2,\"c\":3}"),
	A("accepts keys differing by case", "{\"a\":1,\"A\":2}"),
	A("accepts keys that are prefixes", "{\"ab\":1,\"a\":2}"),
	A("accepts an empty key", "{\"\":1}"),
	/* arrays */
	A("accepts elements", "[1,\"a\",true,false,null,{},[]]"),
	R("rejects trailing comma in array", "[1,]"),
	R("rejects leading comma in array", "[,1]"),
	R("rejects double comma in array", "[1,,2]"),
	R("rejects missing comma in array", "[1 2]"),
	R("rejects unclosed array", "[1,2"),
	R("rejects array closed by }", "[1}"),
	R("rejects a colon in an array", "[1:2]"),
	R("rejects a lone comma", ","),
	R("rejects a lone bracket", "]"),
	/* literals */
	R("rejects tru", "tru"),
	R("rejects True", "True"),
	R("rejects nul", "[nul]"),
	R("rejects nulls", "[nulls]"),
	R("rejects falsey", "falsey"),
	R("rejects undefined", "undefined"),
	R("rejects NaN", "NaN"),
	R("rejects Infinity", "[Infinity]"),
	/* numbers */
	A("accepts 0", "0"),
	A("accepts -0", "-0"),
	A("accepts a negative", "-12"),
	A("accepts a fraction", "1.5"),
	A("accepts an exponent", "1e10"),
	A("accepts a signed exponent", "1E-10"),
	A("accepts a full number", "-12.34e+56"),
	A("accepts a big integer", "123456789012345678901234567890"),
	R("rejects a leading zero", "01"),
	R("rejects a leading plus", "+1"),
	R("rejects a bare minus", "-"),
	R("rejects a minus before a letter", "-a"),
	R("rejects a trailing dot", "1."),
	R("rejects a leading dot", ".5"),
	R("rejects an empty exponent", "1e"),
	R("rejects a signed empty exponent", "1e+"),
	R("rejects hex", "0x10"),
	R("rejects two dots", "1.2.3"),
	R("rejects a space inside a number", "[1 0]"),
	R("rejects -01", "-01"),
	R("rejects 00", "00"),
	/* strings */
	A("accepts an empty string", "\"\""),
	A("accepts every simple escape", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
	A("accepts \\u escapes", "\"\\u00e9\\u4e2d\""),
	A("accepts a surrogate pair", "\"\\ud83d\\ude00\""),
	A("accepts upper-case hex", "\"\\u00E9\""),
	A("accepts \\u0000 in a plain string", "\"a\\u0000b\""),
	A("accepts 2-byte UTF-8", "\"\xc3\xa9\""),
	A("accepts 3-byte UTF-8", "\"\xe4\xb8\xad\""),
	A("accepts 4-byte UTF-8", "\"\xf0\x9f\x98\x80\""),
	A("accepts DEL", "\"\x7f\""),
	R("rejects an unterminated string", "\"abc"),
	R("rejects a raw newline", "\"a\nb\""),
	R("rejects a raw tab", "\"a\tb\""),
	R("rejects a raw 0x1f", "\"a\x1f\""),
	R("rejects an unknown escape", "\"\\x\""),
	R("rejects escaped apostrophe", "\"\\'\""),
	R("rejects a short \\u", "\"\\u12\""),
	R("rejects bad hex in \\u", "\"\\u12g4\""),
	R("rejects a lone high surrogate", "\"\\ud83d\""),
	R("rejects a high surrogate then text", "\"\\ud83dx\""),
	R("rejects two high surrogates", "\"\\ud83d\\ud83d\""),
	R("rejects a lone low surrogate", "\"\\ude00\""),
	R("rejects a trailing backslash", "\"\\\""),
	R("rejects single quotes", "'a'"),
	RU("rejects a lone continuation byte", "\"\x80\""),
	RU("rejects 0xff", "\"\xff\""),
	RU("rejects 0xfe", "\"\xfe\""),
	RU("rejects an overlong 2-byte form", "\"\xc0\xaf\""),
	RU("rejects an overlong C1 form", "\"\xc1\xbf\""),
	RU("rejects an overlong 3-byte form", "\"\xe0\x80\xaf\""),
	RU("rejects an overlong 4-byte form", "\"\xf0\x80\x80\xaf\""),
	RU("rejects a UTF-8 surrogate", "\"\xed\xa0\x80\""),
	RU("rejects above U+10FFFF", "\"\xf4\x90\x80\x80\""),
	RU("rejects 0xf5", "\"\xf5\x80\x80\x80\""),
	RU("rejects a truncated 2-byte form", "\"\xc3\""),
	RU("rejects a truncated 3-byte form", "\"\xe4\xb8\""),
	RU("rejects a truncated 4-byte form", "\"\xf0\x9f\x98\""),
	RU("rejects a bad continuation", "\"\xc3\x28\""),
	RU("rejects UTF-8 in a key too", "{\"\xff\":1}"),
	/* whitespace */
	R("rejects a form feed as whitespace", "[1,\f2]"),
	R("rejects a vertical tab as whitespace", "[\v]"),
	R("rejects a non-breaking space", "[\xc2\xa0]"),
	R("rejects a BOM", "\xef\xbb\xbf{}"),
	/* comments and other extensions */
	R("rejects a // comment", "{}//x"),
	R("rejects a /* comment */", "/*x*/{}"),
	R("rejects a hash comment", "# x\n{}"),
	/* depth */
	A("accepts 64 levels",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
	RL("rejects 65 levels",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	    0, PC_E_DEPTH),
	/* vendor-shaped documents */
	A("accepts an Atlas page", "{\"links\":[{\"href\":\"https://x/api?"
	    "pageNum=1\",\"rel\":\"self\"}],\"results\":[{\"id\":\"5f1a\","
	    "\"username\":\"a@b.c\",\"roles\":{\"orgRoles\":[\"ORG_MEMBER\"]}}],"
	    "\"totalCount\":1}"),
	A("accepts an Atlas error", "{\"detail\":\"No user.\",\"error\":404,"
	    "\"errorCode\":\"USER_NOT_FOUND\",\"parameters\":[],\"reason\":"
	    "\"Not Found\"}"),
	A("accepts a SCIM list", "{\"schemas\":[\"urn:ietf:params:scim:api:"
	    "messages:2.0:ListResponse\"],\"totalResults\":0,\"startIndex\":1,"
	    "\"itemsPerPage\":0,\"Resources\":[]}"),
	R("rejects a cut Atlas page", "{\"results\":[{\"id\":\"5f1a\""),
	R("rejects a JSONP wrapper", "cb({})"),
	/* more structure */
	A("accepts an array of objects", "[{},{},{}]"),
	A("accepts an object of arrays", "{\"a\":[],\"b\":[[]]}"),
	A("accepts numbers as array elements", "[0,-0,1e1,2.5E-3]"),
	A("accepts escapes in keys", "{\"\\n\":1}"),
	A("accepts a slash escape", "\"a\\/b\""),
	A("accepts many members", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,"
	    "\"e\":5,\"f\":6,\"g\":7,\"h\":8}"),
	R("rejects an object as a key", "{{}:1}"),
	R("rejects an array as a key", "{[]:1}"),
	R("rejects true as a key", "{true:1}"),
	R("rejects a value after a member without comma", "{\"a\":1 2}"),
	R("rejects a colon after a value", "{\"a\":1:2}"),
	R("rejects a key-value in an array", "[\"a\":1]"),
	R("rejects a string with a raw newline key", "{\"a\nb\":1}"),
	R("rejects a number then a letter", "[1a]"),
	R("rejects a literal then a letter", "[truex]"),
	R("rejects an exponent with a dot", "1e1.5"),
	R("rejects a minus in the middle", "1-2"),
	R("rejects nested trailing commas", "[[1,],2]"),
	R("rejects an unclosed nested object", "{\"a\":{\"b\":1}"),
	R("rejects extra closers", "{}}"),
	R("rejects \\U (upper-case u) escape", "\"\\U0041\""),
	RU("rejects a truncated sequence before the quote", "[\"\xe2\x82\"]"),
};

static void
test_rows(void)
{
	struct pcj_doc	d;
	size_t		i, len;
	int		e;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char	*copy;

		/* An exact-size copy, not NUL-terminated, as the wire gives
		 * it: a sanitized build catches any read past the end. */
		len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		if ((copy = malloc(len ? len : 1)) == NULL)
			continue;
		memcpy(copy, rows[i].in, len);
		e = pcj_parse(&d, copy, len, NULL);
		t_int(rows[i].name, e, rows[i].want);
		pcj_free(&d);
		free(copy);
	}
	t_ok(sizeof(rows) / sizeof(rows[0]) >= 150, "at least 150 rows",
	    "%zu rows", sizeof(rows) / sizeof(rows[0]));
}

static void
test_access(void)
{
	static const char js[] = "{\"s\":\"h\\u00e9\\n\",\"i\":-42,\"u\":"
	    "18446744073709551615,\"big\":9223372036854775808,\"f\":1.5,"
	    "\"t\":true,\"n\":null,\"a\":[1,[2,3],{\"k\":\"v\"},4],"
	    "\"nul\":\"a\\u0000b\",\"o\":{}}";
	struct pcj_doc	d;
	char		buf[16];
	size_t		len;
	int64_t		i;
	uint64_t	u;
	int		b, root, a, el, n;

	t_int("parses the access document", pcj_parse(&d, js, sizeof(js) - 1,
	    NULL), 0);
	root = pcj_root(&d);
	t_int("root is an object", pcj_type(&d, root), PCJ_OBJECT);
	t_int("object member count", pcj_count(&d, root), 10);
	t_int("pcj_str unescapes", pcj_str(&d, pcj_get(&d, root, "s"), buf,
	    sizeof(buf), &len, 0), 0);
	t_str("unescaped text", buf, "h\xc3\xa9\n");
	t_int("unescaped length", (long long)len, 4);
	t_int("pcj_str refuses a small buffer", pcj_str(&d, pcj_get(&d, root,
	    "s"), buf, 4, NULL, 0), PC_E_TOOBIG);
	t_int("\\u0000 refused for ids", pcj_str(&d, pcj_get(&d, root, "nul"),
	    buf, sizeof(buf), NULL, PCJ_STR_ID), PC_E_VALUE);
	t_int("\\u0000 kept otherwise", pcj_str(&d, pcj_get(&d, root, "nul"),
	    buf, sizeof(buf), &len, 0) || len != 3, 0);
	t_int("int64", pcj_int64(&d, pcj_get(&d, root, "i"), &i), 0);
	t_int("int64 value", i, -42);
	t_int("int64 overflow", pcj_int64(&d, pcj_get(&d, root, "big"), &i),
	    PC_E_RANGE);
	t_int("uint64 max", pcj_uint64(&d, pcj_get(&d, root, "u"), &u), 0);
	t_ok(u == UINT64_MAX, "uint64 value", "%llu", (unsigned long long)u);
	t_int("uint64 refuses a negative", pcj_uint64(&d, pcj_get(&d, root,
	    "i"), &u), PC_E_RANGE);
	t_int("int64 refuses a fraction", pcj_int64(&d, pcj_get(&d, root, "f"),
	    &i), PC_E_VALUE);
	t_int("int64 refuses a string", pcj_int64(&d, pcj_get(&d, root, "s"),
	    &i), PC_E_VALUE);
	t_int("bool", pcj_bool(&d, pcj_get(&d, root, "t"), &b) || !b, 0);
	t_int("bool refuses null", pcj_bool(&d, pcj_get(&d, root, "n"), &b),
	    PC_E_VALUE);
	t_ok(pcj_is_null(&d, pcj_get(&d, root, "n")), "null", "not null");
	t_int("missing key", pcj_get(&d, root, "nope"), -1);
	t_int("get on a non-object", pcj_get(&d, pcj_get(&d, root, "a"), "k"),
	    -1);
	a = pcj_get(&d, root, "a");
	t_int("array count", pcj_count(&d, a), 4);
	for (n = 0, el = pcj_first(&d, a); el >= 0; el = pcj_next(&d, el))
		n++;
	t_int("array iteration skips nested values", n, 4);
	el = pcj_next(&d, pcj_next(&d, pcj_first(&d, a)));
	t_int("third element is an object", pcj_type(&d, el), PCJ_OBJECT);
	t_ok(pcj_str_eq(&d, pcj_get(&d, el, "k"), "v"), "nested lookup",
	    "no");
	for (n = 0, el = pcj_first(&d, root); el >= 0; el = pcj_next(&d, el))
		n++;
	t_int("key iteration", n, 10);
	t_int("empty object has no first", pcj_first(&d, pcj_get(&d, root,
	    "o")), -1);
	t_int("out of range index", pcj_type(&d, 9999), PCJ_NONE);
	t_int("negative index", pcj_type(&d, -1), PCJ_NONE);
	pcj_free(&d);
}

static void
test_depth(void)
{
	struct pcj_doc	d;
	char		js[400];
	int		n;

	for (n = 0; n < 65; n++)
		memcpy(js + n * 5, "{\"a\":", 5);
	memcpy(js + 65 * 5, "1", 1);
	memset(js + 65 * 5 + 1, '}', 65);
	t_int("rejects 65 nested objects", pcj_parse(&d, js, 65 * 6 + 1,
	    NULL), PC_E_DEPTH);
	t_int("accepts 64 nested objects", pcj_parse(&d, js + 5, 64 * 6 + 1,
	    NULL), 0);
	pcj_free(&d);
}

static void
test_caps(void)
{
	struct pcj_limits	lim = { 16, 4, 2 };
	struct pcj_doc		d;

	t_int("size cap", pcj_parse(&d, "[1,2,3,4,5,6,7,8,9]", 19, &lim),
	    PC_E_TOOBIG);
	t_int("token cap", pcj_parse(&d, "[1,2,3,4,5]", 11, &lim),
	    PC_E_TOOBIG);
	t_int("token cap: exactly as many tokens as allowed",
	    pcj_parse(&d, "[1,2,3]", 7, &lim), 0);
	pcj_free(&d);
	t_int("token cap: one key too many", pcj_parse(&d, "{\"a\":1,\"b\":2}",
	    13, &lim), PC_E_TOOBIG);
	t_int("depth cap", pcj_parse(&d, "[[[1]]]", 7, &lim), PC_E_DEPTH);
	t_int("error offset", pcj_parse(&d, "[1,2,x]", 7, NULL), PC_E_SYNTAX);
	t_int("error offset value", (long long)d.off, 5);
	t_ok(d.why != NULL && strlen(d.why) > 0, "error reason", "none");
	pcj_free(&d);
}

int
main(void)
{
	t_init("test_pcj");
	test_rows();
	test_access();
	test_depth();
	test_caps();
	return t_done();
}
