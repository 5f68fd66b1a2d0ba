/*
 * Runs in: every process. Input: none (static tables). The one list of
 * apps: adding an app adds one row here and its descriptor file.
 */
#include <stdio.h>
#include <string.h>

#include "apps.h"
#include "record.h"

extern const struct app_def	app_atlas, app_atlassian, app_confluence,
				app_demo, app_ironclad, app_sbxtest, app_sbxsync,
				app_replay, app_vault;

const struct app_def *const apps[] = {
	&app_atlas,
	&app_atlassian,
	&app_confluence,
	&app_ironclad,
	&app_demo,
	&app_sbxtest,
	&app_sbxsync,
	&app_replay,
	&app_vault,
	NULL
};

const struct app_def *
apps_find(const char *name)
{
	size_t	i;

	for (i = 0; apps[i] != NULL; i++)
		if (strcmp(apps[i]->name, name) == 0)
			return apps[i];
	return NULL;
}

const struct app_cred *
apps_cred(const struct app_def *d, const char *name)
{
	size_t	i;

	for (i = 0; i < APP_MAX_CREDS && d->creds[i].name != NULL; i++)
		if (strcmp(d->creds[i].name, name) == 0)
			return &d->creds[i];
	return NULL;
}

const struct opt_def *
apps_opt(const struct app_def *d, const char *name)
{
	const struct opt_def	*o;

	for (o = d->opts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

const struct opt_def *
apps_opt_any(const char *name, const struct app_def **d)
{
	const struct opt_def	*o;
	size_t			 i;

	for (i = 0; apps[i] != NULL; i++)
		if ((o = apps_opt(apps[i], name)) != NULL) {
			if (d != NULL)
				*d = apps[i];
			return o;
		}
	return NULL;
}

static const char *const apps_auth_names[] = {
	[AUTH_NONE] = "none", [AUTH_BEARER] = "bearer", [AUTH_BASIC] = "basic",
	[AUTH_DIGEST] = "digest", [AUTH_OAUTH2] = "oauth2",
	[AUTH_HEADER] = "header",
};

int
apps_auth_parse(const char *s)
{
	size_t	i;

	/* "header" is the Vault token's: not for an operator to pick. */
	for (i = 0; i < AUTH_HEADER; i++)
		if (strcmp(s, apps_auth_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
apps_auth_name(enum auth_kind k)
{
	return (unsigned)k <= AUTH_HEADER ? apps_auth_names[k] : "?";
}

/* Append ", x" (or "x" first) to dst, bounded. */
static void
apps_list_add(char *dst, size_t dstsz, const char *x, int *first)
{
	size_t	n = strlen(dst);

	if (n < dstsz)
		(void)snprintf(dst + n, dstsz - n, "%s%s", *first ? "" : ", ", x);
	*first = 0;
}

void
apps_caps(const struct app_def *d, char *dst, size_t dstsz)
{
	char				 sync[512] = "", prov[512] = "";
	char				 acts[512] = "";
	const struct app_rtype		*r;
	const struct app_action		*a;
	int				 fs = 1, fp = 1, fa = 1;

	for (r = d->rtypes; r != NULL && r->id != NULL; r++) {
		apps_list_add(sync, sizeof(sync), r->id, &fs);
		if (r->provision != NULL)
			apps_list_add(prov, sizeof(prov), r->provision, &fp);
	}
	for (a = d->actions; a != NULL && a->name != NULL; a++) {
		char	one[128];

		(void)snprintf(one, sizeof(one), "%s(%s)", a->name, a->args);
		apps_list_add(acts, sizeof(acts), one, &fa);
	}
	(void)snprintf(dst, dstsz, "%s: sync %s%s%s%s%s%s%s%s%s", d->name,
	    sync[0] ? sync : "nothing",
	    prov[0] ? ";\n       provision " : "", prov,
	    d->creates ? ";\n       create account (" : "",
	    d->creates ? d->creates : "", d->creates ? ")" : "",
	    d->deletes ? "; delete " : "", d->deletes ? d->deletes : "",
	    acts[0] ? ";\n       actions " : "");
	if (acts[0] != '\0' && strlen(dst) + strlen(acts) < dstsz)
		memcpy(dst + strlen(dst), acts, strlen(acts) + 1);
}
