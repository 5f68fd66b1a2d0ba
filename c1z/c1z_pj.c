/*
 * Runs in: agent (the c1z command). Input: messages protobuf-c decoded
 * from a .c1z (untrusted contents: strings are escaped and their UTF-8
 * checked, nesting is capped, every Any is decoded again from bytes).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c1z.pb-c.h"
#include "c1z_pj.h"

#define C1Z_PJ_URL	"type.googleapis.com/c1.connector.v2."

static void	c1z_pj_msg(FILE *, const ProtobufCMessage *, int);

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t
c1z_pj_utf8(const unsigned char *s)
{
	size_t		n, i;
	uint32_t	c;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void
c1z_pj_str(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s ? s : "");
	size_t			 n;

	putc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p++);
		else if (*p == '\n')
			fputs("\\n", fp), p++;
		else if (*p == '\t')
			fputs("\\t", fp), p++;
		else if (*p == '\r')
			fputs("\\r", fp), p++;
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p++);
		else if (*p < 0x80)
			putc(*p++, fp);
		else if ((n = c1z_pj_utf8(p)) > 0) {
			(void)fwrite(p, 1, n, fp);
			p += n;
		} else {
			fputs("\\ufffd", fp);
			p++;
		}
	}
	putc('"', fp);
}

static void
c1z_pj_base64(FILE *fp, const ProtobufCBinaryData *b)
{
	static const char	 a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				    "opqrstuvwxyz0123456789+/";
	size_t			 i;
	uint32_t		 v;

	putc('"', fp);
	for (i = 0; i + 2 < b->len; i += 3) {
		v = (uint32_t)b->data[i] << 16 | b->data[i + 1] << 8 |
		    b->data[i + 2];
		fprintf(fp, "%c%c%c%c", a[v >> 18], a[v >> 12 & 63],
		    a[v >> 6 & 63], a[v & 63]);
	}
	if (b->len - i == 1) {
		v = (uint32_t)b->data[i] << 16;
		fprintf(fp, "%c%c==", a[v >> 18], a[v >> 12 & 63]);
	} else if (b->len - i == 2) {
		v = (uint32_t)b->data[i] << 16 | b->data[i + 1] << 8;
		fprintf(fp, "%c%c%c=", a[v >> 18], a[v >> 12 & 63],
		    a[v >> 6 & 63]);
	}
	putc('"', fp);
}

/* The shortest form that reads back as d (Go's 'g', -1). */
static void
c1z_pj_double(FILE *fp, double d)
{
	char	buf[40];
	int	prec;

	if (!isfinite(d)) {
		fputs("null", fp);
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		(void)snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	(void)snprintf(buf, sizeof(buf), "%.*g", prec, d);
	fputs(buf, fp);
}

/* protojson's field name: snake_case to lowerCamelCase. */
static void
c1z_pj_name(FILE *fp, const char *name)
{
	int	up = 0;

	putc('"', fp);
	for (; *name != '\0'; name++) {
		if (*name == '_')
			up = 1;
		else {
			putc(up && *name >= 'a' && *name <= 'z' ?
			    *name - 'a' + 'A' : *name, fp);
			up = 0;
		}
	}
	fputs("\":", fp);
}

/* RFC 3339 in UTC with 0, 3, 6 or 9 digits of fraction, as protojson. */
static void
c1z_pj_time(FILE *fp, const Pc__Timestamp *t)
{
	struct tm	tm;
	time_t		s = (time_t)t->seconds;
	char		buf[40];
	int		ns = t->nanos;

	if (gmtime_r(&s, &tm) == NULL || ns < 0 || ns > 999999999 ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		fputs("null", fp);
		return;
	}
	if (ns == 0)
		fprintf(fp, "\"%sZ\"", buf);
	else if (ns % 1000000 == 0)
		fprintf(fp, "\"%s.%03dZ\"", buf, ns / 1000000);
	else if (ns % 1000 == 0)
		fprintf(fp, "\"%s.%06dZ\"", buf, ns / 1000);
	else
		fprintf(fp, "\"%s.%09dZ\"", buf, ns);
}

static void	c1z_pj_value(FILE *, const Pc__Value *, int);

static void
c1z_pj_struct(FILE *fp, const Pc__Struct *st, int depth)
{
	size_t	i;

	putc('{', fp);
	for (i = 0; i < st->n_fields; i++) {
		if (i > 0)
			putc(',', fp);
		c1z_pj_str(fp, st->fields[i]->key);
		putc(':', fp);
		c1z_pj_value(fp, st->fields[i]->value, depth + 1);
	}
	putc('}', fp);
}

static void
c1z_pj_value(FILE *fp, const Pc__Value *v, int depth)
{
	size_t	i;

	if (v == NULL || depth > C1Z_PJ_DEPTH) {
		fputs("null", fp);
		return;
	}
	switch (v->kind_case) {
	case PC__VALUE__KIND_NUMBER_VALUE:
		c1z_pj_double(fp, v->number_value);
		break;
	case PC__VALUE__KIND_STRING_VALUE:
		c1z_pj_str(fp, v->string_value);
		break;
	case PC__VALUE__KIND_BOOL_VALUE:
		fputs(v->bool_value ? "true" : "false", fp);
		break;
	case PC__VALUE__KIND_STRUCT_VALUE:
		c1z_pj_struct(fp, v->struct_value, depth);
		break;
	case PC__VALUE__KIND_LIST_VALUE:
		putc('[', fp);
		for (i = 0; i < v->list_value->n_values; i++) {
			if (i > 0)
				putc(',', fp);
			c1z_pj_value(fp, v->list_value->values[i], depth + 1);
		}
		putc(']', fp);
		break;
	default:
		fputs("null", fp);
	}
}

static const struct {
	const char				*name;
	const ProtobufCMessageDescriptor	*desc;
} c1z_pj_anys[] = {
	{ "UserTrait",			&pc__user_trait__descriptor },
	{ "GroupTrait",			&pc__group_trait__descriptor },
	{ "RoleTrait",			&pc__role_trait__descriptor },
	{ "AppTrait",			&pc__app_trait__descriptor },
	{ "SecretTrait",		&pc__secret_trait__descriptor },
	{ "GrantExpandable",		&pc__grant_expandable__descriptor },
	{ "GrantImmutable",		&pc__grant_immutable__descriptor },
	{ "GrantMetadata",		&pc__grant_metadata__descriptor },
	{ "ChildResourceType",		&pc__child_resource_type__descriptor },
	{ "SkipEntitlementsAndGrants",
	    &pc__skip_entitlements_and_grants__descriptor },
	{ "SkipGrants",			&pc__skip_grants__descriptor },
	{ "SkipEntitlements",		&pc__skip_entitlements__descriptor },
};

/* The fields of m, without braces; *had: a member came before. */
static void	c1z_pj_fields(FILE *, const ProtobufCMessage *, int, int *);

static void
c1z_pj_any(FILE *fp, const Pc__Any *a, int depth)
{
	const size_t		 plen = sizeof(C1Z_PJ_URL) - 1;
	ProtobufCMessage	*m = NULL;
	size_t			 i;
	int			 had = 1;

	fputs("{\"@type\":", fp);
	c1z_pj_str(fp, a->type_url);
	for (i = 0; a->type_url != NULL && strncmp(a->type_url, C1Z_PJ_URL,
	    plen) == 0 && i < sizeof(c1z_pj_anys) / sizeof(c1z_pj_anys[0]);
	    i++)
		if (strcmp(a->type_url + plen, c1z_pj_anys[i].name) == 0) {
			m = protobuf_c_message_unpack(c1z_pj_anys[i].desc,
			    NULL, a->value.len, a->value.data);
			break;
		}
	if (m != NULL) {
		c1z_pj_fields(fp, m, depth, &had);
		protobuf_c_message_free_unpacked(m, NULL);
	} else if (a->value.len > 0) {
		fputs(",\"value\":", fp);
		c1z_pj_base64(fp, &a->value);
	}
	putc('}', fp);
}

/* A map field: protobuf-c's repeated XxxEntry{key, value}. */
static int
c1z_pj_is_map(const ProtobufCFieldDescriptor *f)
{
	const ProtobufCMessageDescriptor	*d = f->descriptor;
	size_t					 n;

	if (f->type != PROTOBUF_C_TYPE_MESSAGE || d->n_fields != 2)
		return 0;
	n = strlen(d->name);
	return n > 5 && strcmp(d->name + n - 5, "Entry") == 0 &&
	    strcmp(d->fields[0].name, "key") == 0;
}

/* One value of field f stored at p. */
static void
c1z_pj_one(FILE *fp, const ProtobufCFieldDescriptor *f, const void *p,
    int depth)
{
	const ProtobufCEnumValue	*ev;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(fp, "%d", (int)*(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(fp, "%u", (unsigned)*(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(fp, "\"%lld\"", (long long)*(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(fp, "\"%llu\"", (unsigned long long)
		    *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		c1z_pj_double(fp, *(const float *)p);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		c1z_pj_double(fp, *(const double *)p);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", fp);
		break;
	case PROTOBUF_C_TYPE_ENUM:
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor,
		    *(const int *)p);
		if (ev != NULL)
			c1z_pj_str(fp, ev->name);
		else
			fprintf(fp, "%d", *(const int *)p);
		break;
	case PROTOBUF_C_TYPE_STRING:
		c1z_pj_str(fp, *(char *const *)p);
		break;
	case PROTOBUF_C_TYPE_BYTES:
		c1z_pj_base64(fp, p);
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		c1z_pj_msg(fp, *(ProtobufCMessage *const *)p, depth + 1);
		break;
	}
}

/* Scalar sizes in protobuf-c's repeated arrays. */
static size_t
c1z_pj_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	default:
		return 4;
	}
}

static void
c1z_pj_repeated(FILE *fp, const ProtobufCFieldDescriptor *f,
    const char *arr, size_t n, int depth)
{
	const ProtobufCMessage *const	*ms = (const void *)arr;
	size_t				 i, sz = c1z_pj_size(f);

	if (c1z_pj_is_map(f)) {
		putc('{', fp);
		for (i = 0; i < n; i++) {
			const char *base = (const char *)ms[i];
			const ProtobufCFieldDescriptor *kv = ((const
			    ProtobufCMessageDescriptor *)f->descriptor)->fields;

			if (i > 0)
				putc(',', fp);
			c1z_pj_str(fp, *(char *const *)(base + kv[0].offset));
			putc(':', fp);
			c1z_pj_one(fp, &kv[1], base + kv[1].offset, depth);
		}
		putc('}', fp);
		return;
	}
	putc('[', fp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(',', fp);
		c1z_pj_one(fp, f, arr + i * sz, depth);
	}
	putc(']', fp);
}

/* proto3: a singular field is there when it is not its zero value. */
static int
c1z_pj_set(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const char	*p = (const char *)m + f->offset;
	size_t		 i, sz;

	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)((const char *)m +
		    f->quantifier_offset) == f->id;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE &&
	    f->type != PROTOBUF_C_TYPE_STRING)
		return *(const protobuf_c_boolean *)((const char *)m +
		    f->quantifier_offset);
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		return *(char *const *)p != NULL && **(char *const *)p != '\0';
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(void *const *)p != NULL;
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len > 0;
	default:
		sz = c1z_pj_size(f);
		for (i = 0; i < sz; i++)
			if (p[i] != 0)
				return 1;
		return 0;
	}
}

static void
c1z_pj_fields(FILE *fp, const ProtobufCMessage *m, int depth, int *had)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	unsigned				 i;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor	*f = &d->fields[i];
		const char			*base = (const char *)m;
		size_t				 n = 0;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(base + f->quantifier_offset);
			if (n == 0)
				continue;
		} else if (!c1z_pj_set(m, f))
			continue;
		if (*had)
			putc(',', fp);
		*had = 1;
		c1z_pj_name(fp, f->name);
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			c1z_pj_repeated(fp, f, *(char *const *)(base +
			    f->offset), n, depth);
		else
			c1z_pj_one(fp, f, base + f->offset, depth);
	}
}

static void
c1z_pj_msg(FILE *fp, const ProtobufCMessage *m, int depth)
{
	int	had = 0;

	if (m == NULL || depth > C1Z_PJ_DEPTH) {
		fputs("null", fp);
		return;
	}
	if (m->descriptor == &pc__struct__descriptor)
		c1z_pj_struct(fp, (const Pc__Struct *)m, depth);
	else if (m->descriptor == &pc__value__descriptor)
		c1z_pj_value(fp, (const Pc__Value *)m, depth);
	else if (m->descriptor == &pc__timestamp__descriptor)
		c1z_pj_time(fp, (const Pc__Timestamp *)m);
	else if (m->descriptor == &pc__any__descriptor)
		c1z_pj_any(fp, (const Pc__Any *)m, depth);
	else {
		putc('{', fp);
		c1z_pj_fields(fp, m, depth, &had);
		putc('}', fp);
	}
}

void
c1z_pj_message(FILE *fp, const ProtobufCMessage *m)
{
	c1z_pj_msg(fp, m, 0);
}

int
c1z_pj_blob(FILE *fp, const ProtobufCMessageDescriptor *d,
    const void *data, size_t len)
{
	ProtobufCMessage	*m;

	if ((m = protobuf_c_message_unpack(d, NULL, len, data)) == NULL)
		return -1;
	c1z_pj_msg(fp, m, 0);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
