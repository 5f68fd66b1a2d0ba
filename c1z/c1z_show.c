/*
 * Runs in: agent (the c1z command). Input: a .c1z file, ours or baton's
 * (untrusted: see c1z_read.c; every value printed for a terminal goes
 * through text_clean, every JSON string through c1z_pj_str).
 *
 * `c1z show FILE TABLE [filters] [--json]`: text is tab-separated with
 * a header row; --json is baton's `-o json` layout (baton.v1 outputs:
 * {"grants":[{"grant":..,"entitlement":..,"resource":..,
 * "resourceType":..,"principal":..}]}), one list element per line.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c1z.h"
#include "c1z_pj.h"
#include "c1z_rd.h"
#include "text.h"

struct c1z_show {
	struct c1z_rd	 r;
	int		 json, n;
	const char	*list;		/* JSON: the output's list name */
	const char	*t, *res, *e, *p, *sync;
	char		 rt[256], pt[256];
	const char	*rid, *pid;	/* into res / p */
	sqlite3_stmt	*q_res, *q_rt, *q_ent;	/* lookups by external id */
};

/* A value for the terminal; one static buffer: one call per printf. */
static const char *
c1z_cell(const char *v)
{
	static char	cell[8192];

	return v == NULL ? "" : text_clean(cell, sizeof(cell), v);
}

static void
c1z_header(const struct c1z_show *s, const char *h)
{
	if (!s->json)
		printf("%s\n", h);
}

/* JSON: the list opens with its first element (protojson leaves an
 * empty list out: baton prints {} then). */
static void
c1z_item(struct c1z_show *s)
{
	if (s->n++ == 0)
		printf("{\"%s\":[\n", s->list);
	else
		fputs(",\n", stdout);
}

static void
c1z_list_end(const struct c1z_show *s)
{
	if (s->json)
		fputs(s->n > 0 ? "\n]}\n" : "{}\n", stdout);
}

/* Member "name": the row of q keyed key, as message d (null if none). */
static void
c1z_member(struct c1z_show *s, const char *name, sqlite3_stmt *q,
    const char *key, const ProtobufCMessageDescriptor *d)
{
	printf(",\"%s\":", name);
	if (c1z_rd_print(&s->r, q, key, d, stdout) != 0)
		fputs("null", stdout);
}

static int
c1z_lookups(struct c1z_show *s)
{
	static const char *const sql[] = {
		"SELECT data FROM v1_resources WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_resource_types WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_entitlements WHERE sync_id = ?1 AND "
		"external_id = ?2",
	};
	sqlite3_stmt	**q[] = { &s->q_res, &s->q_rt, &s->q_ent };
	size_t		 i;

	for (i = 0; i < 3; i++)
		if ((*q[i] = c1z_rd_query(&s->r, sql[i])) == NULL)
			return -1;
	return 0;
}

/* SQL for a table's rows with the filters given; binds ?2..?6. */
static sqlite3_stmt *
c1z_filtered(struct c1z_show *s, const char *base, const char *const *cond,
    const char *order)
{
	char		 sql[1024];
	sqlite3_stmt	*st;
	size_t		 n;

	n = (size_t)snprintf(sql, sizeof(sql), "%s", base);
	if (s->t != NULL || s->res != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s", cond[0]);
	if (s->res != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s", cond[1]);
	if (s->e != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s", cond[2]);
	if (s->p != NULL)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s", cond[3]);
	if (n >= sizeof(sql) || snprintf(sql + n, sizeof(sql) - n, "%s",
	    order) >= (int)(sizeof(sql) - n) ||
	    (st = c1z_rd_query(&s->r, sql)) == NULL)
		return NULL;
	(void)sqlite3_bind_text(st, 2, s->rt, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 3, s->rid, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 4, s->e, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 5, s->pt, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 6, s->pid, -1, SQLITE_STATIC);
	return st;
}

static int
c1z_show_rtypes(struct c1z_show *s)
{
	static const char *const cond[] = { " AND external_id = ?2", "", "",
	    "" };
	sqlite3_stmt	*st = c1z_filtered(s, "SELECT data FROM "
			    "v1_resource_types WHERE sync_id = ?1", cond,
			    " ORDER BY external_id");
	char		 traits[256];
	size_t		 i, n;

	if (st == NULL)
		return 2;
	s->list = "resourceTypes";
	c1z_header(s, "id\tdisplay_name\ttraits");
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__ResourceType *rt = pc__resource_type__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));

		if (rt == NULL)
			continue;
		if (s->json) {
			c1z_item(s);
			fputs("{\"resourceType\":", stdout);
			c1z_pj_message(stdout, &rt->base);
			putchar('}');
		} else {
			for (i = 0, n = 0, traits[0] = '\0'; i < rt->n_traits &&
			    n < sizeof(traits); i++) {
				const ProtobufCEnumValue *v =
				    protobuf_c_enum_descriptor_get_value(
				    &pc__resource_type__trait__descriptor,
				    rt->traits[i]);

				/* "TRAIT_USER" prints as "user". */
				n += (size_t)snprintf(traits + n, sizeof(traits)
				    - n, "%s%s", n ? "," : "", v != NULL ?
				    v->name + 6 : "?");
			}
			for (i = 0; traits[i] != '\0'; i++)
				if (traits[i] >= 'A' && traits[i] <= 'Z')
					traits[i] = (char)(traits[i] - 'A' + 'a');
			printf("%s\t", c1z_cell(rt->id));
			printf("%s\t", c1z_cell(rt->display_name));
			printf("%s\n", c1z_cell(traits));
		}
		pc__resource_type__free_unpacked(rt, NULL);
	}
	sqlite3_finalize(st);
	c1z_list_end(s);
	return 0;
}

static const char *
c1z_status_name(int v)
{
	static const char *const names[] = { "", "enabled", "disabled",
	    "deleted" };

	return v >= 0 && v <= 3 ? names[v] : "?";
}

void
c1z_resinfo_get(const Pc__Resource *r, struct c1z_resinfo *ri)
{
	const Pc__Struct	*prof = r->profile;
	Pc__UserTrait		*u;
	size_t			 i, blen = 0;
	FILE			*pj;

	memset(ri, 0, sizeof(*ri));
	ri->mail = ri->login = ri->status = "";
	if (r->status != NULL)
		ri->status = c1z_status_name(r->status->status);
	for (i = 0; i < r->n_annotations && ri->m == NULL; i++) {
		const char *url = r->annotations[i]->type_url;
		const ProtobufCBinaryData *b = &r->annotations[i]->value;
		static const struct {
			const char *name;
			const ProtobufCMessageDescriptor *d;
			size_t off;
		} tr[] = {
			{ "GroupTrait", &pc__group_trait__descriptor,
			    offsetof(Pc__GroupTrait, profile) },
			{ "RoleTrait", &pc__role_trait__descriptor,
			    offsetof(Pc__RoleTrait, profile) },
			{ "AppTrait", &pc__app_trait__descriptor,
			    offsetof(Pc__AppTrait, profile) },
			{ "UserTrait", &pc__user_trait__descriptor,
			    offsetof(Pc__UserTrait, profile) },
		};
		size_t k;

		if (url == NULL || strncmp(url, "type.googleapis.com/c1."
		    "connector.v2.", 36) != 0)
			continue;
		for (k = 0; k < 4 && strcmp(url + 36, tr[k].name) != 0; k++)
			;
		if (k == 4 || (ri->m = protobuf_c_message_unpack(tr[k].d, NULL,
		    b->len, b->data)) == NULL)
			continue;
		if (*(Pc__Struct **)((char *)ri->m + tr[k].off) != NULL)
			prof = *(Pc__Struct **)((char *)ri->m + tr[k].off);
		if (k != 3)
			continue;
		u = (Pc__UserTrait *)ri->m;
		for (k = 0; k < u->n_emails; k++)
			if (u->emails[k]->is_primary || k == 0)
				ri->mail = u->emails[k]->address;
		for (k = 0; k < u->n_emails; k++)
			if (u->emails[k]->is_primary)
				ri->mail = u->emails[k]->address;
		ri->login = u->login;
		if (u->status != NULL)
			ri->status = c1z_status_name(u->status->status);
	}
	if (prof != NULL && prof->n_fields > 0 &&
	    (pj = open_memstream(&ri->profile, &blen)) != NULL) {
		c1z_pj_message(pj, &prof->base);
		fclose(pj);
	}
}

void
c1z_resinfo_clear(struct c1z_resinfo *ri)
{
	if (ri->m != NULL)
		protobuf_c_message_free_unpacked(ri->m, NULL);
	free(ri->profile);
	memset(ri, 0, sizeof(*ri));
}

/* The trait data a reviewer needs: e-mail, status, login, profile. */
static void
c1z_res_traits(const Pc__Resource *r, FILE *fp)
{
	struct c1z_resinfo	ri;

	c1z_resinfo_get(r, &ri);
	fprintf(fp, "\t%s", c1z_cell(ri.mail));
	fprintf(fp, "\t%s", c1z_cell(ri.status));
	fprintf(fp, "\t%s", c1z_cell(ri.login));
	fprintf(fp, "\t%s", c1z_cell(ri.profile));
	c1z_resinfo_clear(&ri);
}

static void
c1z_res_json(struct c1z_show *s, sqlite3_stmt *st, const Pc__Resource *r)
{
	char	parent[2100];

	c1z_item(s);
	fputs("{\"resource\":", stdout);
	c1z_pj_blob(stdout, &pc__resource__descriptor,
	    sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	c1z_member(s, "resourceType", s->q_rt, r->id->resource_type,
	    &pc__resource_type__descriptor);
	if (r->parent_resource_id != NULL) {
		(void)snprintf(parent, sizeof(parent), "%s:%s",
		    r->parent_resource_id->resource_type,
		    r->parent_resource_id->resource);
		c1z_member(s, "parent", s->q_res, parent,
		    &pc__resource__descriptor);
	}
	putchar('}');
}

static int
c1z_show_resources(struct c1z_show *s)
{
	static const char *const cond_r[] = { " AND resource_type_id = ?2",
	    " AND external_id = ?2 || ':' || ?3", "", "" };
	sqlite3_stmt	*st;

	if ((st = c1z_filtered(s, "SELECT data FROM v1_resources WHERE "
	    "sync_id = ?1", cond_r, " ORDER BY external_id")) == NULL)
		return 2;
	s->list = "resources";
	c1z_header(s, "resource_type\tid\tdisplay_name\tparent\temail\t"
	    "status\tlogin\tprofile");
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Resource *r = pc__resource__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));

		if (r == NULL || r->id == NULL) {
			pc__resource__free_unpacked(r, NULL);
			continue;
		}
		if (s->json)
			c1z_res_json(s, st, r);
		else {
			printf("%s\t", c1z_cell(r->id->resource_type));
			printf("%s\t", c1z_cell(r->id->resource));
			printf("%s\t", c1z_cell(r->display_name));
			if (r->parent_resource_id != NULL) {
				printf("%s:", c1z_cell(r->parent_resource_id->
				    resource_type));
				printf("%s", c1z_cell(r->parent_resource_id->
				    resource));
			}
			c1z_res_traits(r, stdout);
			putchar('\n');
		}
		pc__resource__free_unpacked(r, NULL);
	}
	sqlite3_finalize(st);
	c1z_list_end(s);
	return 0;
}

static int
c1z_show_entitlements(struct c1z_show *s)
{
	static const char *const cond[] = { " AND resource_type_id = ?2",
	    " AND resource_id = ?3", " AND external_id = ?4", "" };
	static const char *const purposes[] = { "", "assignment",
	    "permission", "ownership" };
	sqlite3_stmt	*st;
	char		 gt[1024], ext[2100];
	size_t		 i, n;

	if ((st = c1z_filtered(s, "SELECT data, resource_type_id, "
	    "resource_id FROM v1_entitlements WHERE sync_id = ?1", cond,
	    " ORDER BY external_id")) == NULL)
		return 2;
	s->list = "entitlements";
	c1z_header(s, "id\tdisplay_name\tresource\tpurpose\tgrantable_to");
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Entitlement *e = pc__entitlement__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));

		if (e == NULL)
			continue;
		(void)snprintf(ext, sizeof(ext), "%s:%s", c1z_rd_text(st, 1),
		    c1z_rd_text(st, 2));
		if (s->json) {
			c1z_item(s);
			fputs("{\"entitlement\":", stdout);
			c1z_pj_message(stdout, &e->base);
			c1z_member(s, "resource", s->q_res, ext,
			    &pc__resource__descriptor);
			c1z_member(s, "resourceType", s->q_rt,
			    c1z_rd_text(st, 1), &pc__resource_type__descriptor);
			putchar('}');
		} else {
			for (i = 0, n = 0, gt[0] = '\0'; i < e->n_grantable_to &&
			    n < sizeof(gt); i++)
				n += (size_t)snprintf(gt + n, sizeof(gt) - n,
				    "%s%s", i ? "," : "", e->grantable_to[i]->id);
			printf("%s\t", c1z_cell(e->id));
			printf("%s\t", c1z_cell(e->display_name));
			printf("%s\t", c1z_cell(ext));
			printf("%s\t", e->purpose >= 0 && e->purpose <= 3 ?
			    purposes[e->purpose] : "");
			printf("%s\n", c1z_cell(gt));
		}
		pc__entitlement__free_unpacked(e, NULL);
	}
	sqlite3_finalize(st);
	c1z_list_end(s);
	return 0;
}

static void
c1z_grant_json(struct c1z_show *s, sqlite3_stmt *st)
{
	char	ext[2100];

	c1z_item(s);
	fputs("{\"grant\":", stdout);
	if (c1z_pj_blob(stdout, &pc__grant__descriptor,
	    sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) != 0)
		fputs("null", stdout);
	c1z_member(s, "entitlement", s->q_ent, c1z_rd_text(st, 2),
	    &pc__entitlement__descriptor);
	(void)snprintf(ext, sizeof(ext), "%s:%s", c1z_rd_text(st, 4),
	    c1z_rd_text(st, 5));
	c1z_member(s, "resource", s->q_res, ext, &pc__resource__descriptor);
	c1z_member(s, "resourceType", s->q_rt, c1z_rd_text(st, 4),
	    &pc__resource_type__descriptor);
	c1z_member(s, "principal", s->q_res, c1z_rd_text(st, 3),
	    &pc__resource__descriptor);
	putchar('}');
}

static int
c1z_show_grants(struct c1z_show *s)
{
	static const char *const cond[] = { " AND resource_type_id = ?2",
	    " AND resource_id = ?3", " AND entitlement_id = ?4",
	    " AND principal_resource_type_id = ?5 AND principal_resource_id "
	    "= ?6" };
	sqlite3_stmt	*st;

	if ((st = c1z_filtered(s, "SELECT data, external_id, entitlement_id, "
	    "principal_resource_type_id || ':' || principal_resource_id, "
	    "resource_type_id, resource_id FROM v1_grants WHERE sync_id = ?1",
	    cond, " ORDER BY external_id")) == NULL)
		return 2;
	s->list = "grants";
	c1z_header(s, "id\tentitlement\tprincipal");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (s->json) {
			c1z_grant_json(s, st);
			continue;
		}
		printf("%s\t", c1z_cell(c1z_rd_text(st, 1)));
		printf("%s\t", c1z_cell(c1z_rd_text(st, 2)));
		printf("%s\n", c1z_cell(c1z_rd_text(st, 3)));
	}
	sqlite3_finalize(st);
	c1z_list_end(s);
	return 0;
}

/* Counts; --json as numbers, keyed like baton's SyncStats (snake_case). */
static int
c1z_show_stats(struct c1z_show *s)
{
	static const char *const keys[] = { "resource_types", "resources",
	    "entitlements", "grants" };
	static const char *const text[] = { "resource-types", "resources",
	    "entitlements", "grants" };
	sqlite3_stmt	*st;
	size_t		 i;
	int		 n = 0;

	if ((st = c1z_rd_query(&s->r, "SELECT (SELECT count(*) FROM "
	    "v1_resource_types WHERE sync_id = ?1), (SELECT count(*) FROM "
	    "v1_resources WHERE sync_id = ?1), (SELECT count(*) FROM "
	    "v1_entitlements WHERE sync_id = ?1), (SELECT count(*) FROM "
	    "v1_grants WHERE sync_id = ?1)")) == NULL ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return 2;
	}
	c1z_header(s, "what\tcount");
	for (i = 0; i < 4; i++)
		printf(s->json ? "%s\"%s\":%lld" : "%s%s\t%lld\n",
		    s->json ? (i ? "," : "{") : "", s->json ? keys[i] : text[i],
		    (long long)sqlite3_column_int64(st, (int)i));
	sqlite3_finalize(st);
	if ((st = c1z_rd_query(&s->r, "SELECT resource_type_id, count(*) FROM "
	    "v1_resources WHERE sync_id = ?1 GROUP BY resource_type_id ORDER "
	    "BY resource_type_id")) == NULL)
		return 2;
	if (s->json)
		fputs(",\"resources_by_resource_type\":{", stdout);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (s->json) {
			fputs(n++ ? "," : "", stdout);
			c1z_pj_str(stdout, c1z_rd_text(st, 0));
			printf(":%lld", (long long)sqlite3_column_int64(st, 1));
		} else
			printf("resources:%s\t%lld\n", c1z_cell(c1z_rd_text(st,
			    0)), (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (s->json)
		fputs("}}\n", stdout);
	return 0;
}

/* "2006-01-02 15:04:05.999" (local, baton's layout) as RFC 3339 UTC. */
static void
c1z_sync_time(const char *v)
{
	struct tm	 tm;
	time_t		 t;
	const char	*frac, *end;
	char		 buf[40];
	size_t		 n;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, "%Y-%m-%d %H:%M:%S", &tm)) == NULL) {
		c1z_pj_str(stdout, v);
		return;
	}
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* The fraction: its digits only (the file is not trusted). */
	frac = *end == '.' ? end + 1 : "";
	for (n = 0; n < 9 && frac[n] >= '0' && frac[n] <= '9'; n++)
		;
	(void)strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t,
	    &tm));
	printf("\"%s%s%.*sZ\"", buf, n > 0 ? "." : "", (int)n, frac);
}

static int
c1z_show_syncs(struct c1z_show *s)
{
	static const char *const names[] = { "id", "startedAt", "endedAt",
	    "syncToken", "syncType", "parentSyncId" };
	sqlite3_stmt	*st;
	int		 i;

	if ((st = c1z_rd_query(&s->r, "SELECT sync_id, started_at, ended_at, "
	    "sync_token, sync_type, parent_sync_id FROM v1_sync_runs ORDER BY "
	    "started_at, sync_id")) == NULL)
		return 2;
	s->list = "syncs";
	c1z_header(s, "id\tstarted_at\tended_at\tsync_type\tparent_sync_id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!s->json) {
			for (i = 0; i < 6; i++)
				if (i != 3)
					printf("%s%s", i ? "\t" : "",
					    c1z_cell(sqlite3_column_type(st, i)
					    == SQLITE_NULL && i == 2 ?
					    "unfinished" : c1z_rd_text(st, i)));
			putchar('\n');
			continue;
		}
		c1z_item(s);
		for (i = 0; i < 6; i++) {
			if (*c1z_rd_text(st, i) == '\0')
				continue;	/* protojson: unset */
			printf("%s\"%s\":", i ? "," : "{", names[i]);
			if (i == 1 || i == 2)
				c1z_sync_time(c1z_rd_text(st, i));
			else
				c1z_pj_str(stdout, c1z_rd_text(st, i));
		}
		putchar('}');
	}
	sqlite3_finalize(st);
	c1z_list_end(s);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct c1z_show *);
	const char	*filters;	/* the ones it takes */
} c1z_tables[] = {
	{ "resource-types",	c1z_show_rtypes,	"t" },
	{ "resources",		c1z_show_resources,	"tr" },
	{ "entitlements",	c1z_show_entitlements,	"tre" },
	{ "grants",		c1z_show_grants,	"trep" },
	{ "stats",		c1z_show_stats,		"" },
	{ "syncs",		c1z_show_syncs,		"" },
	{ "access",		NULL,			"p" },
	{ "principals",		NULL,			"e" },
};

static const char c1z_usage[] =
"usage: portcullis c1z show FILE [resource-types|resources|entitlements|\n"
"           grants|stats|syncs] [-t TYPE] [-r RESOURCE] [-e ENTITLEMENT]\n"
"           [-p TYPE:ID] [--sync-id ID] [--json]\n"
"       portcullis c1z show FILE access -p TYPE:ID [--json]\n"
"       portcullis c1z show FILE principals -e ENTITLEMENT [--json]\n"
"       portcullis c1z diff OLD NEW [--json]\n"
"       portcullis c1z export FILE --csv DIR\n";

/* The filters: -r is TYPE:ID, or ID with -t; -p is TYPE:ID. */
static int
c1z_show_filters(struct c1z_show *s, const char *allowed)
{
	const char	*given[] = { s->t, s->res, s->e, s->p };
	const char	 flags[] = "trep";
	size_t		 i;

	for (i = 0; i < 4; i++)
		if (given[i] != NULL && strchr(allowed, flags[i]) == NULL) {
			fprintf(stderr, "portcullis: c1z: this table takes "
			    "no -%c\n", flags[i]);
			return -1;
		}
	if (s->t != NULL)
		(void)snprintf(s->rt, sizeof(s->rt), "%s", s->t);
	if (s->res != NULL && s->t != NULL)
		s->rid = s->res;
	else if (s->res != NULL && c1z_rd_split(s->res, s->rt, sizeof(s->rt),
	    &s->rid) != 0) {
		fprintf(stderr, "portcullis: c1z: -r wants TYPE:ID (or -t "
		    "TYPE -r ID)\n");
		return -1;
	}
	if (s->p != NULL && c1z_rd_split(s->p, s->pt, sizeof(s->pt),
	    &s->pid) != 0) {
		fprintf(stderr, "portcullis: c1z: -p wants TYPE:ID\n");
		return -1;
	}
	return 0;
}

static int
c1z_show_args(struct c1z_show *s, int argc, char **argv, const char **file,
    const char **table)
{
	const char	**opt[] = { &s->t, &s->res, &s->e, &s->p, &s->sync };
	const char	*const names[] = { "-t", "-r", "-e", "-p", "--sync-id" };
	int		 i;
	size_t		 k;

	for (i = 1; i < argc; i++) {
		for (k = 0; k < 5 && strcmp(argv[i], names[k]) != 0; k++)
			;
		if (k < 5 && i + 1 < argc)
			*opt[k] = argv[++i];
		else if (k < 5)
			return -1;
		else if (strcmp(argv[i], "--json") == 0)
			s->json = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return -1;
		else if (*file == NULL)
			*file = argv[i];
		else if (strcmp(*table, "stats") == 0 && *table != argv[i])
			*table = argv[i];
		else
			return -1;
	}
	return *file == NULL ? -1 : 0;
}

/* Table i of c1z_tables from s->r, open; its function's result, 2 failed. */
static int
c1z_show_on(struct c1z_show *s, size_t i)
{
	int	rc = 2;

	if (c1z_tables[i].fn == NULL)
		rc = c1z_access_main(&s->r, c1z_tables[i].name, s->p, s->e,
		    s->json);
	else if (c1z_lookups(s) == 0)
		rc = c1z_tables[i].fn(s);
	sqlite3_finalize(s->q_res);
	sqlite3_finalize(s->q_rt);
	sqlite3_finalize(s->q_ent);
	s->q_res = s->q_rt = s->q_ent = NULL;
	return rc;
}

int
c1z_show_rd(struct c1z_rd *r, size_t i, int json)
{
	struct c1z_show	s;
	int		rc;

	if (i >= sizeof(c1z_tables) / sizeof(c1z_tables[0]))
		return -1;
	memset(&s, 0, sizeof(s));
	s.r = *r;
	s.json = json;
	rc = c1z_show_on(&s, i);
	*r = s.r;
	return rc;
}

static int
c1z_show_run(struct c1z_show *s, const char *file, const char *table)
{
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(c1z_tables) / sizeof(c1z_tables[0]); i++)
		if (strcmp(table, c1z_tables[i].name) == 0)
			break;
	if (i == sizeof(c1z_tables) / sizeof(c1z_tables[0])) {
		fprintf(stderr, "portcullis: c1z: unknown table \"%.64s\"\n%s",
		    table, c1z_usage);
		return 2;
	}
	if (c1z_show_filters(s, c1z_tables[i].filters) != 0)
		return 2;
	if (c1z_rd_open(&s->r, file, s->sync) != 0)
		return 1;
	rc = c1z_show_on(s, i);
	c1z_rd_close(&s->r);
	if (fflush(stdout) != 0)
		rc = 2;
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}

int
c1z_show_main(int argc, char **argv)
{
	struct c1z_show	 s;
	const char	*file = NULL, *table = "stats";

	if (argc >= 1 && strcmp(argv[0], "diff") == 0)
		return c1z_diff_main(argc, argv);
	if (argc >= 1 && strcmp(argv[0], "export") == 0)
		return c1z_csv_main(argc, argv);
	memset(&s, 0, sizeof(s));
	if (argc < 1 || strcmp(argv[0], "show") != 0 ||
	    c1z_show_args(&s, argc, argv, &file, &table) != 0) {
		fputs(c1z_usage, stderr);
		return 2;
	}
	return c1z_show_run(&s, file, table);
}
