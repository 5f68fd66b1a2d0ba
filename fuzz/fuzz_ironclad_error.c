/*
 * Fuzz the Ironclad error envelope decoder: the input as the body of a
 * failed call (a SCIM Error, an OAuth error, or anything a hostile
 * server sends) becomes one bounded line.
 */
#include <stddef.h>
#include <stdint.h>

#include "ironclad_stub.h"

IC_FUZZ(ic_stub_error(&c))
