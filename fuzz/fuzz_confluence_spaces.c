/*
 * Fuzz the Confluence decoder of space pages (GET /rest/api/space):
 * space resources.
 */
#include <stddef.h>
#include <stdint.h>

#include "confluence_stub.h"

CONF_FUZZ(conf_spaces_list(&c), CONF_STUB_EMPTY)
