/*
 * Runs in: fetchers (batching), agent (unbatching). Input: a batch from
 * a fetcher (untrusted: every length is checked against what is left
 * and against one record's maximum before the record is decoded).
 */
#include "msgs.h"

int
msg_records_add(struct buf *items, const struct buf *record)
{
	int	e;

	if (record->err != 0)
		return record->err;
	if (record->len > MSG_RECORD_MAX)
		return PC_E_TOOBIG;
	if ((e = buf_add_u32(items, (uint32_t)record->len)) != 0)
		return e;
	return buf_add(items, record->p, record->len);
}

int
msg_records_encode(const struct buf *items, struct buf *b)
{
	if (items->err != 0)
		return items->err;
	return tlv_add_bytes(b, TAG_RECORDS_ITEMS, items->p, items->len);
}

int
msg_records_first(const struct msg *m, struct rd *items)
{
	const uint8_t	*p;
	size_t		 len;

	if ((p = tlv_bytes(&m->tf, TAG_RECORDS_ITEMS, &len)) == NULL)
		return PC_E_MISSING;
	rd_init(items, p, len);
	return 0;
}

int
msg_records_next(struct rd *items, struct tlv_fields *tf)
{
	const struct msg_info	*mi = msg_info(MSG_RECORD);
	const uint8_t		*p;
	uint32_t		 len;
	int			 e;

	if (items->left == 0)
		return 0;
	if ((e = rd_u32(items, &len)) != 0)
		return e;
	if (len > MSG_RECORD_MAX)
		return PC_E_TOOBIG;
	if ((e = rd_bytes(items, len, &p)) != 0)
		return e;
	if ((e = tlv_decode(mi->spec, mi->nspec, p, len, tf)) != 0)
		return e;
	return 1;
}
