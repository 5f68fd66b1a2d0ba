/*
 * Runs in: agent (the c1z command). Input: a .c1z file, ours or baton's
 * (untrusted: the decoder caps the window and the decoded size, the
 * protobuf decoder is protobuf-c's).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "c1z.h"
#include "text.h"
#include "c1z.pb-c.h"

/* baton's own reader caps: 128 MiB window, 10 GiB decoded. */
#define C1Z_WINDOW_LOG_MAX	27
#define C1Z_DECODED_MAX		(10ULL * 1024 * 1024 * 1024)

static int
c1z_unpack_stream(FILE *fp, int out, char *err, size_t errsz)
{
	ZSTD_DCtx		*dc;
	uint8_t			*ib, *ob;
	size_t			 isz = ZSTD_DStreamInSize(), osz = ZSTD_DStreamOutSize();
	size_t			 n, r = 1;
	unsigned long long	 total = 0;
	int			 e = 0;

	if ((dc = ZSTD_createDCtx()) == NULL || (ib = malloc(isz)) == NULL ||
	    (ob = malloc(osz)) == NULL)
		return PC_E_NOMEM;
	(void)ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax,
	    C1Z_WINDOW_LOG_MAX);
	while (e == 0 && (n = fread(ib, 1, isz, fp)) > 0) {
		ZSTD_inBuffer	in = { ib, n, 0 };

		while (e == 0 && in.pos < in.size) {
			ZSTD_outBuffer	o = { ob, osz, 0 };

			r = ZSTD_decompressStream(dc, &o, &in);
			if (ZSTD_isError(r)) {
				(void)snprintf(err, errsz, "zstd: %s",
				    ZSTD_getErrorName(r));
				e = PC_E_VALUE;
			} else if ((total += o.pos) > C1Z_DECODED_MAX) {
				(void)snprintf(err, errsz, "decoded size over "
				    "%llu bytes", C1Z_DECODED_MAX);
				e = PC_E_TOOBIG;
			} else if (write(out, ob, o.pos) != (ssize_t)o.pos)
				e = PC_E_SYS;
		}
	}
	if (e == 0 && r != 0) {
		(void)snprintf(err, errsz, "truncated zstd stream");
		e = PC_E_SHORT;
	}
	ZSTD_freeDCtx(dc);
	free(ib);
	free(ob);
	return e;
}

int
c1z_unpack(const char *path, const char *dbpath, char *err, size_t errsz)
{
	FILE	*fp;
	char	 magic[C1Z_MAGIC_LEN];
	int	 out, e;

	if ((fp = fopen(path, "rb")) == NULL) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return PC_E_SYS;
	}
	if (fread(magic, 1, sizeof(magic), fp) != sizeof(magic) ||
	    memcmp(magic, C1Z_MAGIC, C1Z_MAGIC_LEN) != 0) {
		fclose(fp);
		(void)snprintf(err, errsz, "%s: not a v1 .c1z (no C1ZF "
		    "header; v3/Pebble files are not supported)", path);
		return PC_E_VALUE;
	}
	if ((out = open(dbpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		fclose(fp);
		(void)snprintf(err, errsz, "%s: %s", dbpath, strerror(errno));
		return PC_E_SYS;
	}
	e = c1z_unpack_stream(fp, out, err, errsz);
	fclose(fp);
	close(out);
	return e;
}

struct c1z_show {
	sqlite3		*db;
	int		 json;
	char		 sync[64];
};

/* JSON string with everything below 0x20, " and \ escaped. */
static void
c1z_json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

#define C1Z_SHOW_TYPE_URL	"type.googleapis.com/c1.connector.v2."

static void	c1z_json_value(const Pc__Value *v, int depth);
static void	c1z_row_open(const struct c1z_show *, const char *const *,
		    const char *const *, int);

/* A profile Struct as a JSON object; nesting past 16 levels is cut. */
static void
c1z_json_struct_out(const Pc__Struct *st, int depth)
{
	size_t	i;

	putchar('{');
	for (i = 0; st != NULL && depth < 16 && i < st->n_fields; i++) {
		printf(i ? "," : "");
		c1z_json_str(st->fields[i]->key);
		putchar(':');
		c1z_json_value(st->fields[i]->value, depth + 1);
	}
	putchar('}');
}

static void
c1z_json_value(const Pc__Value *v, int depth)
{
	size_t	i;

	if (v == NULL || depth > 16) {
		printf("null");
		return;
	}
	switch (v->kind_case) {
	case PC__VALUE__KIND_NUMBER_VALUE:
		printf("%.17g", v->number_value);
		break;
	case PC__VALUE__KIND_STRING_VALUE:
		c1z_json_str(v->string_value);
		break;
	case PC__VALUE__KIND_BOOL_VALUE:
		printf(v->bool_value ? "true" : "false");
		break;
	case PC__VALUE__KIND_STRUCT_VALUE:
		c1z_json_struct_out(v->struct_value, depth);
		break;
	case PC__VALUE__KIND_LIST_VALUE:
		putchar('[');
		for (i = 0; v->list_value != NULL &&
		    i < v->list_value->n_values; i++) {
			printf(i ? "," : "");
			c1z_json_value(v->list_value->values[i], depth + 1);
		}
		putchar(']');
		break;
	default:
		printf("null");
	}
}

/*
 * The user trait of a resource, for auditors: e-mails, login, status
 * and the profile exactly as stored (a reader of the file sees the same).
 */
static void
c1z_json_user(const ProtobufCBinaryData *b)
{
	Pc__UserTrait	*u = pc__user_trait__unpack(NULL, b->len, b->data);
	size_t		 i;

	if (u == NULL)
		return;
	printf(",\"emails\":[");
	for (i = 0; i < u->n_emails; i++) {
		printf(i ? "," : "");
		c1z_json_str(u->emails[i]->address);
	}
	printf("],\"login\":");
	c1z_json_str(u->login);
	printf(",\"status\":%d", u->status != NULL ? u->status->status : 0);
	printf(",\"profile\":");
	c1z_json_struct_out(u->profile, 0);
	pc__user_trait__free_unpacked(u, NULL);
}

/* The profile of a group, role or app trait. */
static void
c1z_json_profile(const char *name, const ProtobufCBinaryData *b)
{
	Pc__Struct	*prof = NULL;
	void		*m = NULL;

	if (strcmp(name, "GroupTrait") == 0) {
		Pc__GroupTrait *g = pc__group_trait__unpack(NULL, b->len, b->data);
		m = g, prof = g != NULL ? g->profile : NULL;
	} else if (strcmp(name, "RoleTrait") == 0) {
		Pc__RoleTrait *r = pc__role_trait__unpack(NULL, b->len, b->data);
		m = r, prof = r != NULL ? r->profile : NULL;
	} else if (strcmp(name, "AppTrait") == 0) {
		Pc__AppTrait *a = pc__app_trait__unpack(NULL, b->len, b->data);
		m = a, prof = a != NULL ? a->profile : NULL;
	}
	if (m == NULL)
		return;
	printf(",\"profile\":");
	c1z_json_struct_out(prof, 0);
	protobuf_c_message_free_unpacked(m, NULL);
}

/* What the annotations of r say, as more JSON members. */
static void
c1z_json_traits(const Pc__Resource *r)
{
	const size_t	 plen = sizeof(C1Z_SHOW_TYPE_URL) - 1;
	size_t		 i;

	for (i = 0; i < r->n_annotations; i++) {
		const Pc__Any *a = r->annotations[i];

		if (a->type_url == NULL || strncmp(a->type_url,
		    C1Z_SHOW_TYPE_URL, plen) != 0)
			continue;
		if (strcmp(a->type_url + plen, "UserTrait") == 0)
			c1z_json_user(&a->value);
		else
			c1z_json_profile(a->type_url + plen, &a->value);
	}
}

/* One row: in JSON as {"k":"v",...}, else tab-separated. */
static void
c1z_row(const struct c1z_show *s, const char *const *keys,
    const char *const *vals, int n)
{
	c1z_row_open(s, keys, vals, n);
	printf(s->json ? "}\n" : "\n");
}

/*
 * A value for the terminal: what a vendor named may hold tabs (a column
 * shift), newlines (an invented row) or escape sequences; each becomes
 * '?' (--json keeps the exact string). One static buffer: one call per
 * printf.
 */
static const char *
c1z_cell(const char *v)
{
	static char	cell[8192];

	return v == NULL ? "" : text_clean(cell, sizeof(cell), v);
}

static void
c1z_row_open(const struct c1z_show *s, const char *const *keys,
    const char *const *vals, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (s->json) {
			printf(i ? "," : "{");
			c1z_json_str(keys[i]);
			putchar(':');
			c1z_json_str(vals[i]);
		} else
			printf("%s%s", i ? "\t" : "", c1z_cell(vals[i]));
	}
}

static void
c1z_header(const struct c1z_show *s, const char *const *keys, int n)
{
	int	i;

	if (s->json)
		return;
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", keys[i]);
	putchar('\n');
}

static sqlite3_stmt *
c1z_query(struct c1z_show *s, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "portcullis: c1z: %s\n", sqlite3_errmsg(s->db));
		return NULL;
	}
	(void)sqlite3_bind_text(st, 1, s->sync, -1, SQLITE_STATIC);
	return st;
}

static int
c1z_show_rtypes(struct c1z_show *s)
{
	static const char *const keys[] = { "id", "display_name", "traits" };
	static const char *const tn[] = { "", "user", "group", "role", "app",
	    "secret" };
	sqlite3_stmt	*st = c1z_query(s, "SELECT data FROM v1_resource_types "
			    "WHERE sync_id = ?1 ORDER BY external_id");
	char		 traits[128];
	size_t		 i;

	if (st == NULL)
		return 1;
	c1z_header(s, keys, 3);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__ResourceType *rt = pc__resource_type__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const char *vals[3];

		if (rt == NULL)
			continue;
		traits[0] = '\0';
		for (i = 0; i < rt->n_traits; i++)
			if (rt->traits[i] > 0 && rt->traits[i] <= 5)
				(void)snprintf(traits + strlen(traits),
				    sizeof(traits) - strlen(traits), "%s%s",
				    i ? "," : "", tn[rt->traits[i]]);
		vals[0] = rt->id;
		vals[1] = rt->display_name;
		vals[2] = traits;
		c1z_row(s, keys, vals, 3);
		pc__resource_type__free_unpacked(rt, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_show_resources(struct c1z_show *s)
{
	static const char *const keys[] = { "resource_type", "id",
	    "display_name", "parent" };
	sqlite3_stmt	*st = c1z_query(s, "SELECT data FROM v1_resources "
			    "WHERE sync_id = ?1 ORDER BY external_id");
	char		 parent[2100];

	if (st == NULL)
		return 1;
	c1z_header(s, keys, 4);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Resource *r = pc__resource__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const char *vals[4];

		if (r == NULL || r->id == NULL) {
			pc__resource__free_unpacked(r, NULL);
			continue;
		}
		parent[0] = '\0';
		if (r->parent_resource_id != NULL)
			(void)snprintf(parent, sizeof(parent), "%s:%s",
			    r->parent_resource_id->resource_type,
			    r->parent_resource_id->resource);
		vals[0] = r->id->resource_type;
		vals[1] = r->id->resource;
		vals[2] = r->display_name;
		vals[3] = parent;
		c1z_row_open(s, keys, vals, 4);
		if (s->json)
			c1z_json_traits(r);
		printf(s->json ? "}\n" : "\n");
		pc__resource__free_unpacked(r, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_show_entitlements(struct c1z_show *s)
{
	static const char *const keys[] = { "id", "display_name", "resource",
	    "purpose", "grantable_to" };
	static const char *const purposes[] = { "", "assignment",
	    "permission", "ownership" };
	sqlite3_stmt	*st = c1z_query(s, "SELECT data, resource_type_id || "
			    "':' || resource_id FROM v1_entitlements WHERE "
			    "sync_id = ?1 ORDER BY external_id");
	char		 gt[1024];
	size_t		 i;

	if (st == NULL)
		return 1;
	c1z_header(s, keys, 5);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Entitlement *e = pc__entitlement__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const char *vals[5];

		if (e == NULL)
			continue;
		gt[0] = '\0';
		for (i = 0; i < e->n_grantable_to; i++)
			(void)snprintf(gt + strlen(gt), sizeof(gt) - strlen(gt),
			    "%s%s", i ? "," : "", e->grantable_to[i]->id);
		vals[0] = e->id;
		vals[1] = e->display_name;
		vals[2] = (const char *)sqlite3_column_text(st, 1);
		vals[3] = e->purpose >= 0 && e->purpose <= 3 ?
		    purposes[e->purpose] : "";
		vals[4] = gt;
		c1z_row(s, keys, vals, 5);
		pc__entitlement__free_unpacked(e, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_show_grants(struct c1z_show *s)
{
	static const char *const keys[] = { "id", "entitlement", "principal" };
	sqlite3_stmt	*st = c1z_query(s, "SELECT external_id, entitlement_id, "
			    "principal_resource_type_id || ':' || "
			    "principal_resource_id FROM v1_grants WHERE sync_id "
			    "= ?1 ORDER BY external_id");
	const char	*vals[3];

	if (st == NULL)
		return 1;
	c1z_header(s, keys, 3);
	while (sqlite3_step(st) == SQLITE_ROW) {
		vals[0] = (const char *)sqlite3_column_text(st, 0);
		vals[1] = (const char *)sqlite3_column_text(st, 1);
		vals[2] = (const char *)sqlite3_column_text(st, 2);
		c1z_row(s, keys, vals, 3);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_show_stats(struct c1z_show *s)
{
	static const char *const keys[] = { "what", "count" };
	static const char *const sql[][2] = {
		{ "resource_types", "SELECT 'resource_types', count(*) FROM "
		    "v1_resource_types WHERE sync_id = ?1" },
		{ "resources", "SELECT 'resources', count(*) FROM v1_resources "
		    "WHERE sync_id = ?1" },
		{ "entitlements", "SELECT 'entitlements', count(*) FROM "
		    "v1_entitlements WHERE sync_id = ?1" },
		{ "grants", "SELECT 'grants', count(*) FROM v1_grants WHERE "
		    "sync_id = ?1" },
		{ "by type", "SELECT 'resources:' || resource_type_id, count(*) "
		    "FROM v1_resources WHERE sync_id = ?1 GROUP BY "
		    "resource_type_id ORDER BY resource_type_id" },
	};
	size_t	i;

	c1z_header(s, keys, 2);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = c1z_query(s, sql[i][1]);

		if (st == NULL)
			return 1;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *vals[2] = {
			    (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1) };
			c1z_row(s, keys, vals, 2);
		}
		sqlite3_finalize(st);
	}
	return 0;
}

/* The sync readers show: the newest finished full one (baton's rule). */
static int
c1z_pick_sync(struct c1z_show *s)
{
	sqlite3_stmt	*st;
	int		 ok = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT sync_id FROM v1_sync_runs WHERE "
	    "ended_at IS NOT NULL AND sync_type = 'full' ORDER BY ended_at "
	    "DESC, sync_id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		(void)snprintf(s->sync, sizeof(s->sync), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		ok = 1;
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

static const struct {
	const char	*name;
	int		(*fn)(struct c1z_show *);
} c1z_tables[] = {
	{ "resource-types",	c1z_show_rtypes },
	{ "resources",		c1z_show_resources },
	{ "entitlements",	c1z_show_entitlements },
	{ "grants",		c1z_show_grants },
	{ "stats",		c1z_show_stats },
};

static int
c1z_show_run(const char *file, const char *table, int json)
{
	struct c1z_show	 s;
	char		 dir[] = "/tmp/portcullis-c1z.XXXXXX", db[64], err[512];
	size_t		 i;
	int		 rc = 2;

	memset(&s, 0, sizeof(s));
	s.json = json;
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "portcullis: c1z: mkdtemp: %s\n",
		    strerror(errno));
		return 1;
	}
	(void)snprintf(db, sizeof(db), "%s/db", dir);
	if (c1z_unpack(file, db, err, sizeof(err)) != 0) {
		fprintf(stderr, "portcullis: c1z: %s\n", err);
		rc = 1;
	} else if (sqlite3_open_v2(db, &s.db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || c1z_pick_sync(&s) != 0) {
		fprintf(stderr, "portcullis: c1z: %s: no finished full sync\n",
		    file);
		rc = 1;
	} else {
		for (i = 0; i < sizeof(c1z_tables) / sizeof(c1z_tables[0]); i++)
			if (strcmp(table, c1z_tables[i].name) == 0)
				rc = c1z_tables[i].fn(&s);
		if (rc == 2)
			fprintf(stderr, "portcullis: c1z: unknown table \"%s\" "
			    "(resource-types, resources, entitlements, grants, "
			    "stats)\n", table);
	}
	if (s.db != NULL)
		sqlite3_close(s.db);
	(void)unlink(db);
	(void)rmdir(dir);
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}

int
c1z_counts(const char *path, const char *scratch, unsigned long *res,
    unsigned long *grants, char *err, size_t errsz)
{
	struct c1z_show	 s;
	sqlite3_stmt	*st;
	int		 e = PC_E_VALUE;

	memset(&s, 0, sizeof(s));
	*res = *grants = 0;
	if ((e = c1z_unpack(path, scratch, err, errsz)) != 0)
		goto out;
	e = PC_E_VALUE;
	if (sqlite3_open_v2(scratch, &s.db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || c1z_pick_sync(&s) != 0) {
		(void)snprintf(err, errsz, "%s: no finished full sync", path);
		goto out;
	}
	if ((st = c1z_query(&s, "SELECT (SELECT count(*) FROM v1_resources "
	    "WHERE sync_id = ?1), (SELECT count(*) FROM v1_grants WHERE "
	    "sync_id = ?1)")) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*res = (unsigned long)sqlite3_column_int64(st, 0);
			*grants = (unsigned long)sqlite3_column_int64(st, 1);
			e = 0;
		}
		sqlite3_finalize(st);
	}
out:
	if (s.db != NULL)
		sqlite3_close(s.db);
	(void)unlink(scratch);
	return e;
}

int
c1z_show_main(int argc, char **argv)
{
	const char	*file = NULL, *table = "stats";
	int		 i, json = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "show") == 0 && i == 0)
			continue;
		else if (file == NULL)
			file = argv[i];
		else
			table = argv[i];
	}
	if (argc < 1 || strcmp(argv[0], "show") != 0 || file == NULL) {
		fprintf(stderr, "usage: portcullis c1z show FILE "
		    "[resource-types|resources|entitlements|grants|stats] "
		    "[--json]\n");
		return 2;
	}
	return c1z_show_run(file, table, json);
}
