/*
 * Baton protobuf messages for records: the bytes of the `data` column.
 */
#ifndef PC_C1Z_PB_H
#define PC_C1Z_PB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

/*
 * Encode r (any kind) as its baton message into a malloc'd buffer
 * (*out, *len); for a grant also the GrantExpandable bytes for the
 * `expansion` column (*exp NULL when none). 0 or PC_E_NOMEM.
 */
int	c1z_pb_encode(const struct record *r, uint8_t **out, size_t *len,
	    uint8_t **exp, size_t *explen) PC_WUR;

#endif /* PC_C1Z_PB_H */
