/*
 * Runs in: every process. Input: type and tag numbers from the wire
 * (untrusted), looked up in the tables expanded from msgtypes.h and
 * msgtags.h.
 */
#include <stddef.h>

#include "msg.h"
#include "msgs.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define TAG_DEF(type, name, v, kind, max, flags)			\
	{ MSG_##type, { v, kind, flags, max, #name } },
static const struct {
	uint32_t	type;
	struct tlv_spec	spec;
} msg_tags[] = {
#include "msgtags.h"
};
#undef TAG_DEF

static struct msg_info msg_infos[] = {
#define MSG_DEF(n, v, from, to, max)	{ v, #n, from, to, max, NULL, 0 },
#include "msgtypes.h"
#undef MSG_DEF
};

/* The specs of msg_tags[], copied so each type's run is contiguous. */
static struct tlv_spec	msg_specs[NITEMS(msg_tags)];

/*
 * Tags of one type are contiguous in msgtags.h; point each info row at
 * its run. Done once, before any message is read. A table where one
 * type's tags are split is a build defect and leaves that type with its
 * first run only, which its unit test catches.
 */
static void
msg_tables_init(void)
{
	static int	done;
	size_t		i, j;

	if (done)
		return;
	for (j = 0; j < NITEMS(msg_tags); j++)
		msg_specs[j] = msg_tags[j].spec;
	for (i = 0; i < NITEMS(msg_infos); i++) {
		for (j = 0; j < NITEMS(msg_tags); j++) {
			if (msg_tags[j].type != msg_infos[i].type)
				continue;
			if (msg_infos[i].spec == NULL)
				msg_infos[i].spec = &msg_specs[j];
			else if (msg_infos[i].spec + msg_infos[i].nspec !=
			    &msg_specs[j])
				break;
			msg_infos[i].nspec++;
		}
	}
	done = 1;
}

const struct msg_info *
msg_info(uint32_t type)
{
	size_t	i;

	msg_tables_init();
	for (i = 0; i < NITEMS(msg_infos); i++)
		if (msg_infos[i].type == type)
			return &msg_infos[i];
	return NULL;
}

const char *
msg_name(uint32_t type)
{
	const struct msg_info	*mi = msg_info(type);

	return mi == NULL ? "unknown" : mi->name;
}

const char *
msg_peer_name(enum msg_peer p)
{
	static const char *const names[] = { "any", "agent", "broker",
	    "fetcher", "none" };

	return (unsigned)p < NITEMS(names) ? names[p] : "?";
}

const char *
msg_tag_name(uint32_t type, unsigned tag)
{
	const struct msg_info	*mi = msg_info(type);
	size_t			 k;

	if (mi == NULL)
		return "?";
	for (k = 0; k < mi->nspec; k++)
		if (mi->spec[k].tag == tag)
			return mi->spec[k].name;
	return "?";
}

int
msg_fields_encode(const void *s, const struct msg_field *f, size_t n,
    struct buf *b)
{
	const char	*v;
	size_t		 i;
	int		 e;

	for (i = 0; i < n; i++) {
		v = (const char *)s + f[i].off;
		if (v[0] != '\0' && (e = tlv_add_str(b, f[i].tag, v)) != 0)
			return e;
	}
	return 0;
}

int
msg_fields_decode(const struct msg *m, void *s, const struct msg_field *f,
    size_t n)
{
	size_t	i;
	int	e;

	for (i = 0; i < n; i++) {
		e = tlv_str(&m->tf, f[i].tag, (char *)s + f[i].off, f[i].size);
		if (e != 0 && e != PC_E_MISSING)
			return e;
	}
	return 0;
}
