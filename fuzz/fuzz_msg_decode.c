/* Fuzz the channel decoder: the input is a run of datagrams, each cut
 * where its own header's length field says. */
#include <stdint.h>
#include <stddef.h>

#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct chan	c;
	struct msg	m;
	size_t		len;
	int		complete;

	if (chan_init(&c, -1, P_BROKER, P_FETCHER, "fuzz") != 0)
		return 0;
	while (n >= MSG_HDR_LEN) {
		len = MSG_HDR_LEN + (buf_get_u32(p + 4) & 0x1ffff);
		if (len > n)
			len = n;
		if (chan_feed(&c, p, len, &m, &complete) != 0)
			break;
		p += len;
		n -= len;
	}
	chan_clear(&c);
	return 0;
}
