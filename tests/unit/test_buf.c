/* Read cursors and bounded buffers. */
#include <string.h>

#include "buf.h"
#include "t.h"

int
main(void)
{
	static const uint8_t	 in[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	struct rd		 r;
	struct buf		 b;
	const uint8_t		*p = in;
	uint32_t		 v32 = 7;
	uint16_t		 v16;
	uint64_t		 v64 = 9;
	size_t			 out;
	const char		*s;

	t_init("test_buf");
	rd_init(&r, in, sizeof(in));
	t_int("rd_u16", rd_u16(&r, &v16), 0);
	t_int("rd_u16 is big-endian", v16, 0x1234);
	t_int("rd_u32 past the end fails", rd_u32(&r, &v32), PC_E_SHORT);
	t_int("failed getter clears its output", v32, 0);
	t_int("failed getter does not move", (long long)r.left, 3);
	t_int("rd_u64 past the end fails", rd_u64(&r, &v64), PC_E_SHORT);
	t_int("rd_bytes within", rd_bytes(&r, 2, &p), 0);
	t_int("rd_end with a byte left", rd_end(&r), PC_E_TRAILING);
	t_int("rd_bytes of SIZE_MAX fails", rd_bytes(&r, SIZE_MAX, &p),
	    PC_E_SHORT);
	t_ok(p == NULL, "failed rd_bytes clears the pointer", "not NULL");
	t_int("rd_bytes of the last byte", rd_bytes(&r, 1, &p), 0);
	t_int("rd_end at the end", rd_end(&r), 0);

	buf_init(&b, 8, 1);
	t_int("buf_add within the ceiling", buf_add(&b, "abcd", 4), 0);
	t_int("buf_add_u32", buf_add_u32(&b, 0x01020304), 0);
	t_ok(b.len == 8 && memcmp(b.p + 4, "\1\2\3\4", 4) == 0,
	    "u32 written big-endian", "len %zu", b.len);
	t_int("buf_add past the ceiling", buf_add(&b, "x", 1), PC_E_TOOBIG);
	t_ok(b.p == NULL && b.len == 0, "contents released past the ceiling",
	    "len %zu", b.len);
	t_int("error is sticky", buf_add(&b, "", 0), PC_E_TOOBIG);
	buf_clear(&b);
	t_int("buf_clear resets the error", buf_add(&b, "ok", 2), 0);
	t_int("buf_cstr", buf_cstr(&b, &s), 0);
	t_str("buf_cstr is NUL-terminated", s, "ok");
	buf_reset(&b);
	t_int("buf_printf", buf_printf(&b, "%d-%s", 42, "x"), 0);
	t_int("buf_printf over the ceiling", buf_printf(&b, "%s",
	    "0123456789"), PC_E_TOOBIG);
	buf_clear(&b);
	t_int("buf_mul overflow", buf_mul(SIZE_MAX / 2, 3, &out), PC_E_RANGE);
	t_int("buf_mul result cleared", (long long)out, 0);
	t_int("buf_mul fits", buf_mul(1000, 1000, &out), 0);
	t_int("buf_mul value", (long long)out, 1000000);
	return t_done();
}
