/* Fuzz the config file parser. */
#include <stdint.h>
#include <stddef.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct config	c;

	config_init(&c);
	(void)!config_parse(&c, (const char *)p, n, "fuzz.conf");
	config_clear(&c);
	return 0;
}
