/*
 * Runs in: agent. Input: the structured fields of a record (profile,
 * e-mails, grantable types, expand ids), JSON already checked by
 * record_decode; turned into protobuf-c values for the baton messages.
 * Everything allocated here lives until c1z_json_free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c1z_json.h"

void
c1z_json_init(struct c1z_json *j)
{
	memset(j, 0, sizeof(*j));
}

void
c1z_json_free(struct c1z_json *j)
{
	size_t	i;

	for (i = 0; i < j->nblocks; i++)
		free(j->blocks[i]);
	memset(j, 0, sizeof(*j));
}

/* Bump allocation from zeroed chunks; a large request gets its own. */
static void *
c1z_json_alloc(struct c1z_json *j, size_t n, size_t size)
{
	size_t	 want, chunk;
	uint8_t	*p;

	if (n == 0)
		n = 1;
	if (size != 0 && n > SIZE_MAX / size - 16)
		return NULL;
	want = (n * size + 15) & ~(size_t)15;
	if (want > j->left) {
		chunk = want > C1Z_JSON_CHUNK ? want : C1Z_JSON_CHUNK;
		if (j->nblocks >= C1Z_JSON_BLOCKS ||
		    (p = calloc(1, chunk)) == NULL)
			return NULL;
		j->blocks[j->nblocks++] = p;
		j->cur = p;
		j->left = chunk;
	}
	p = j->cur;
	j->cur += want;
	j->left -= want;
	return p;
}

/* The unescaped text of string v, in the arena. */
static char *
c1z_json_text(struct c1z_json *j, const struct pcj_doc *d, int v)
{
	size_t	 len;
	char	*s;

	if (pcj_raw(d, v, &len) == NULL ||
	    (s = c1z_json_alloc(j, len + 1, 1)) == NULL ||
	    pcj_str(d, v, s, len + 1, NULL, 0) != 0)
		return NULL;
	return s;
}

static int	c1z_json_value(struct c1z_json *, const struct pcj_doc *, int,
		    Pc__Value *);

static int
c1z_json_object(struct c1z_json *j, const struct pcj_doc *d, int o,
    Pc__Struct *st)
{
	Pc__Struct__FieldsEntry	 *fe, **fes;
	Pc__Value		 *val;
	size_t			  n = pcj_count(d, o), i = 0;
	int			  k;

	pc__struct__init(st);
	if (n == 0)
		return 0;
	if ((fe = c1z_json_alloc(j, n, sizeof(*fe))) == NULL ||
	    (fes = c1z_json_alloc(j, n, sizeof(*fes))) == NULL ||
	    (val = c1z_json_alloc(j, n, sizeof(*val))) == NULL)
		return PC_E_NOMEM;
	for (k = pcj_first(d, o); k >= 0 && i < n; k = pcj_next(d, k), i++) {
		pc__struct__fields_entry__init(&fe[i]);
		if ((fe[i].key = c1z_json_text(j, d, k)) == NULL ||
		    c1z_json_value(j, d, pcj_value(d, k), &val[i]) != 0)
			return PC_E_NOMEM;
		fe[i].value = &val[i];
		fes[i] = &fe[i];
	}
	st->n_fields = i;
	st->fields = fes;
	return 0;
}

static int
c1z_json_array(struct c1z_json *j, const struct pcj_doc *d, int a,
    Pc__ListValue *l)
{
	Pc__Value	*val, **vals;
	size_t		 n = pcj_count(d, a), i = 0;
	int		 k;

	pc__list_value__init(l);
	if (n == 0)
		return 0;
	if ((val = c1z_json_alloc(j, n, sizeof(*val))) == NULL ||
	    (vals = c1z_json_alloc(j, n, sizeof(*vals))) == NULL)
		return PC_E_NOMEM;
	for (k = pcj_first(d, a); k >= 0 && i < n; k = pcj_next(d, k), i++) {
		if (c1z_json_value(j, d, k, &val[i]) != 0)
			return PC_E_NOMEM;
		vals[i] = &val[i];
	}
	l->n_values = i;
	l->values = vals;
	return 0;
}

/* Depth was bounded by record_decode (REC_PROFILE_DEPTH). */
static int
c1z_json_value(struct c1z_json *j, const struct pcj_doc *d, int v,
    Pc__Value *out)
{
	const char	*raw;
	size_t		 len;
	char		 num[64];

	pc__value__init(out);
	switch (pcj_type(d, v)) {
	case PCJ_STRING:
		out->kind_case = PC__VALUE__KIND_STRING_VALUE;
		return (out->string_value = c1z_json_text(j, d, v)) != NULL ?
		    0 : PC_E_NOMEM;
	case PCJ_NUMBER:
		raw = pcj_raw(d, v, &len);
		if (raw == NULL || len >= sizeof(num))
			return PC_E_VALUE;
		memcpy(num, raw, len);
		num[len] = '\0';
		out->kind_case = PC__VALUE__KIND_NUMBER_VALUE;
		out->number_value = strtod(num, NULL);
		return 0;
	case PCJ_TRUE:
	case PCJ_FALSE:
		out->kind_case = PC__VALUE__KIND_BOOL_VALUE;
		out->bool_value = pcj_type(d, v) == PCJ_TRUE;
		return 0;
	case PCJ_NULL:
		out->kind_case = PC__VALUE__KIND_NULL_VALUE;
		return 0;
	case PCJ_OBJECT:
		out->kind_case = PC__VALUE__KIND_STRUCT_VALUE;
		if ((out->struct_value = c1z_json_alloc(j, 1,
		    sizeof(Pc__Struct))) == NULL)
			return PC_E_NOMEM;
		return c1z_json_object(j, d, v, out->struct_value);
	case PCJ_ARRAY:
		out->kind_case = PC__VALUE__KIND_LIST_VALUE;
		if ((out->list_value = c1z_json_alloc(j, 1,
		    sizeof(Pc__ListValue))) == NULL)
			return PC_E_NOMEM;
		return c1z_json_array(j, d, v, out->list_value);
	default:
		return PC_E_VALUE;
	}
}

int
c1z_json_struct(struct c1z_json *j, const char *text, Pc__Struct *out)
{
	struct pcj_doc	d;
	int		e;

	pc__struct__init(out);
	if (text[0] == '\0')
		return 0;
	if ((e = pcj_parse(&d, text, strlen(text), NULL)) != 0)
		return e;
	e = pcj_type(&d, pcj_root(&d)) == PCJ_OBJECT ?
	    c1z_json_object(j, &d, pcj_root(&d), out) : PC_E_VALUE;
	pcj_free(&d);
	return e;
}

int
c1z_json_strings(struct c1z_json *j, const char *text, char ***out,
    size_t *n)
{
	struct pcj_doc	d;
	size_t		max;
	int		k, e = 0;

	*out = NULL;
	*n = 0;
	if (text[0] == '\0')
		return 0;
	if ((e = pcj_parse(&d, text, strlen(text), NULL)) != 0)
		return e;
	max = pcj_count(&d, pcj_root(&d));
	if (pcj_type(&d, pcj_root(&d)) != PCJ_ARRAY)
		e = PC_E_VALUE;
	else if ((*out = c1z_json_alloc(j, max, sizeof(**out))) == NULL)
		e = PC_E_NOMEM;
	for (k = pcj_first(&d, pcj_root(&d)); e == 0 && k >= 0;
	    k = pcj_next(&d, k))
		if (((*out)[(*n)++] = c1z_json_text(j, &d, k)) == NULL)
			e = PC_E_NOMEM;
	pcj_free(&d);
	return e;
}
