/*
 * protojson for the baton messages c1z.proto knows, as Go's
 * protojson.Marshal prints them (baton's `-o json`): lowerCamelCase
 * names, unset fields left out, enums by name, 64-bit integers as
 * strings, bytes as base64, Struct as a plain object, Timestamp in
 * RFC 3339, Any as {"@type": URL, ...fields}. One difference: an Any
 * of a type not in c1z.proto prints {"@type": URL, "value": base64}
 * where protojson would fail.
 */
#ifndef PC_C1Z_PJ_H
#define PC_C1Z_PJ_H

#include <stddef.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* s as a JSON string (NULL prints ""); invalid UTF-8 becomes U+FFFD. */
void	c1z_pj_str(FILE *fp, const char *s);
/* m as a JSON object; nesting past C1Z_PJ_DEPTH prints null. */
void	c1z_pj_message(FILE *fp, const ProtobufCMessage *m);
/*
 * Unpack len bytes at data as a d message and print it; 0, or -1 (and
 * nothing printed) when the bytes are not such a message.
 */
int	c1z_pj_blob(FILE *fp, const ProtobufCMessageDescriptor *d,
	    const void *data, size_t len);

#define C1Z_PJ_DEPTH	32

#endif /* PC_C1Z_PJ_H */
