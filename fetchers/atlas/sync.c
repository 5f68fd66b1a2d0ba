/* Runs in: the Atlas fetcher. Input: none beyond the task. */
#include "atlas.h"

static const struct {
	const char	*id, *name;
	uint32_t	 traits;
} atlas_rtypes[] = {
	{ "organization",	"Organization",		0 },
	{ "user",		"User",			REC_TRAIT_USER },
	{ "team",		"Team",			REC_TRAIT_GROUP },
	{ "project",		"Project",		REC_TRAIT_GROUP },
	{ "database_user",	"Database User",	REC_TRAIT_USER },
	{ "mongo_cluster",	"Mongo Cluster",	REC_TRAIT_APP },
	{ "database",		"Database",		REC_TRAIT_APP },
	{ "org_api_key",	"Organization API Key",	REC_TRAIT_SECRET },
};

int
atlas_sync(struct atlas *a)
{
	size_t	i;
	int	e;

	for (i = 0; i < sizeof(atlas_rtypes) / sizeof(atlas_rtypes[0]); i++) {
		if (!a->sync_dbs && i == 6)
			continue;
		if ((e = emit_rtype(a->f, atlas_rtypes[i].id,
		    atlas_rtypes[i].name, atlas_rtypes[i].traits, NULL)) != 0)
			return e;
	}
	if ((e = atlas_orgs_sync(a)) != 0)
		return e;
	fetch_result(a->f, "synced (%u API calls)", a->calls);
	return 0;
}
