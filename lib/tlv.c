/* Runs in: every process. Input: message payloads (untrusted). */
#include <stdlib.h>
#include <string.h>

#include "tlv.h"

static const struct tlv_spec *
tlv_spec_find(const struct tlv_spec *spec, size_t nspec, uint16_t tag)
{
	size_t	i;

	for (i = 0; i < nspec; i++)
		if (spec[i].tag == tag)
			return &spec[i];
	return NULL;
}

/* Check a value against its kind once the length passed. */
static int
tlv_kind_check(const struct tlv_spec *f, const uint8_t *val, uint32_t len)
{
	switch (f->kind) {
	case TK_U32:
		return len == 4 ? 0 : PC_E_VALUE;
	case TK_U64:
		return len == 8 ? 0 : PC_E_VALUE;
	case TK_STR:
		/* A NUL would cut the text short where C code reads it. */
		return memchr(val, '\0', len) == NULL ? 0 : PC_E_VALUE;
	default:
		return 0;
	}
}

static int
tlv_field_decode(const struct tlv_spec *spec, size_t nspec, struct rd *r,
    struct tlv_fields *out)
{
	const struct tlv_spec	*f;
	const uint8_t		*val;
	uint16_t		 tag;
	uint32_t		 len;
	int			 e;

	/* Tag and length first; the value is not touched until both pass. */
	if ((e = rd_u16(r, &tag)) != 0 || (e = rd_u32(r, &len)) != 0)
		return e;
	out->bad_tag = tag;
	out->bad_len = len;
	if ((f = tlv_spec_find(spec, nspec, tag)) == NULL || tag > TLV_MAX_TAG)
		return PC_E_TAG;
	if (out->f[tag].present)
		return PC_E_DUPTAG;
	if (len > f->max)
		return PC_E_TOOBIG;
	if ((e = rd_bytes(r, len, &val)) != 0)
		return e;
	if ((e = tlv_kind_check(f, val, len)) != 0)
		return e;
	out->f[tag].p = val;
	out->f[tag].len = len;
	out->f[tag].present = 1;
	return 0;
}

int
tlv_decode(const struct tlv_spec *spec, size_t nspec, const uint8_t *p,
    size_t len, struct tlv_fields *out)
{
	struct rd	r;
	size_t		i;
	int		e;

	memset(out, 0, sizeof(*out));
	rd_init(&r, p, len);
	while (r.left > 0)
		if ((e = tlv_field_decode(spec, nspec, &r, out)) != 0)
			return e;
	out->bad_len = 0;
	for (i = 0; i < nspec; i++) {
		if ((spec[i].flags & T_REQ) && !out->f[spec[i].tag].present) {
			out->bad_tag = spec[i].tag;
			return PC_E_MISSING;
		}
	}
	out->bad_tag = 0;
	return 0;
}

int
tlv_has(const struct tlv_fields *f, unsigned tag)
{
	return tag <= TLV_MAX_TAG && f->f[tag].present;
}

int
tlv_u32(const struct tlv_fields *f, unsigned tag, uint32_t *v)
{
	*v = 0;
	if (!tlv_has(f, tag) || f->f[tag].len != 4)
		return PC_E_MISSING;
	*v = buf_get_u32(f->f[tag].p);
	return 0;
}

int
tlv_u64(const struct tlv_fields *f, unsigned tag, uint64_t *v)
{
	*v = 0;
	if (!tlv_has(f, tag) || f->f[tag].len != 8)
		return PC_E_MISSING;
	*v = (uint64_t)buf_get_u32(f->f[tag].p) << 32 |
	    buf_get_u32(f->f[tag].p + 4);
	return 0;
}

int
tlv_str(const struct tlv_fields *f, unsigned tag, char *dst, size_t dstsz)
{
	size_t	len;

	if (dstsz == 0)
		return PC_E_TOOBIG;
	dst[0] = '\0';
	if (!tlv_has(f, tag))
		return PC_E_MISSING;
	len = f->f[tag].len;
	if (len >= dstsz)
		return PC_E_TOOBIG;
	memcpy(dst, f->f[tag].p, len);
	dst[len] = '\0';
	return 0;
}

int
tlv_strdup(const struct tlv_fields *f, unsigned tag, char **out)
{
	size_t	len;

	*out = NULL;
	if (!tlv_has(f, tag))
		return 0;
	len = f->f[tag].len;
	if ((*out = malloc(len + 1)) == NULL)
		return PC_E_NOMEM;
	memcpy(*out, f->f[tag].p, len);
	(*out)[len] = '\0';
	return 0;
}

const uint8_t *
tlv_bytes(const struct tlv_fields *f, unsigned tag, size_t *len)
{
	*len = 0;
	if (!tlv_has(f, tag))
		return NULL;
	*len = f->f[tag].len;
	return f->f[tag].p;
}

static int
tlv_add_head(struct buf *b, unsigned tag, size_t len)
{
	int	e;

	if (tag > TLV_MAX_TAG || len > UINT32_MAX)
		return PC_E_TOOBIG;
	if ((e = buf_add_u16(b, (uint16_t)tag)) != 0 ||
	    (e = buf_add_u32(b, (uint32_t)len)) != 0)
		return e;
	return 0;
}

int
tlv_add_u32(struct buf *b, unsigned tag, uint32_t v)
{
	int	e;

	if ((e = tlv_add_head(b, tag, 4)) != 0)
		return e;
	return buf_add_u32(b, v);
}

int
tlv_add_u64(struct buf *b, unsigned tag, uint64_t v)
{
	int	e;

	if ((e = tlv_add_head(b, tag, 8)) != 0)
		return e;
	return buf_add_u64(b, v);
}

int
tlv_add_str(struct buf *b, unsigned tag, const char *s)
{
	return tlv_add_bytes(b, tag, s, strlen(s));
}

int
tlv_add_bytes(struct buf *b, unsigned tag, const void *p, size_t len)
{
	int	e;

	if ((e = tlv_add_head(b, tag, len)) != 0)
		return e;
	return buf_add(b, p, len);
}
