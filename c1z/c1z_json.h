/*
 * The JSON fields of a record as protobuf-c values: a profile as a
 * google.protobuf.Struct (strings, numbers, booleans, null, nested lists
 * and objects), the lists (e-mails, grantable types, expand ids) as
 * string arrays. The arena owns everything it hands out.
 */
#ifndef PC_C1Z_JSON_H
#define PC_C1Z_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "c1z.pb-c.h"
#include "err.h"
#include "pcj.h"

#define C1Z_JSON_CHUNK	(16 * 1024)
#define C1Z_JSON_BLOCKS	64	/* chunks: a record's fields are < 32 KiB */

struct c1z_json {
	void	*blocks[C1Z_JSON_BLOCKS];
	size_t	 nblocks;
	uint8_t	*cur;
	size_t	 left;
};

void	c1z_json_init(struct c1z_json *j);
void	c1z_json_free(struct c1z_json *j);
/* "" gives an empty Struct. 0, PC_E_VALUE or PC_E_NOMEM. */
int	c1z_json_struct(struct c1z_json *j, const char *text, Pc__Struct *out)
	    PC_WUR;
/* A JSON array of strings; "" gives none. */
int	c1z_json_strings(struct c1z_json *j, const char *text, char ***out,
	    size_t *n) PC_WUR;

#endif /* PC_C1Z_JSON_H */
