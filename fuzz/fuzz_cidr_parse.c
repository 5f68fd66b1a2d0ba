/* Fuzz the allowlist parser, then check a fixed address against it. */
#include <stdint.h>
#include <stddef.h>

#include "cidr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const uint8_t	a6[16] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,
				    127,0,0,1 };
	struct cidr_list	l = { 0 };
	char			err[256];

	if (cidr_list_parse(&l, (const char *)p, n, "fuzz", err,
	    sizeof(err)) == 0)
		(void)!cidr_list_check_addr(&l, 10, a6);
	cidr_list_clear(&l);
	return 0;
}
