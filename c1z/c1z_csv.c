/*
 * Runs in: agent (the c1z command). Input: a .c1z file (untrusted, read
 * as c1z_read.c reads it) and the operator's output directory.
 *
 * `c1z export FILE --csv DIR`: one RFC 4180 file per table (header row,
 * CRLF line ends, a field quoted when it holds a comma, a quote, CR or
 * LF, quotes doubled), values exactly as stored. DIR is made (0700)
 * when missing; an existing file of the five is never overwritten: the
 * export refuses before it writes anything, so an auditor's edited copy
 * is not lost. Files are 0600: they hold the same data as the .c1z.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c1z_rd.h"

static const char *const c1z_csv_files[] = { "resource_types.csv",
    "resources.csv", "entitlements.csv", "grants.csv", "sync_runs.csv" };

static void
c1z_csv_field(FILE *fp, const char *v, int last)
{
	const char	*p;

	v = v != NULL ? v : "";
	if (strpbrk(v, ",\"\r\n") == NULL)
		fputs(v, fp);
	else {
		putc('"', fp);
		for (p = v; *p != '\0'; p++) {
			if (*p == '"')
				putc('"', fp);
			putc(*p, fp);
		}
		putc('"', fp);
	}
	fputs(last ? "\r\n" : ",", fp);
}

static void
c1z_csv_row(FILE *fp, const char *const *v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		c1z_csv_field(fp, v[i], i == n - 1);
}

static int
c1z_csv_rtypes(struct c1z_rd *r, FILE *fp)
{
	static const char *const hdr[] = { "id", "display_name", "traits",
	    "description" };
	sqlite3_stmt	*st = c1z_rd_query(r, "SELECT data FROM "
			    "v1_resource_types WHERE sync_id = ?1 ORDER BY "
			    "external_id");
	char		 traits[512];
	size_t		 i, n;

	if (st == NULL)
		return -1;
	c1z_csv_row(fp, hdr, 4);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__ResourceType *t = pc__resource_type__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const char *v[4];

		if (t == NULL)
			continue;
		for (i = 0, n = 0, traits[0] = '\0'; i < t->n_traits &&
		    n < sizeof(traits); i++) {
			const ProtobufCEnumValue *ev =
			    protobuf_c_enum_descriptor_get_value(
			    &pc__resource_type__trait__descriptor, t->traits[i]);

			n += (size_t)snprintf(traits + n, sizeof(traits) - n,
			    "%s%s", n ? " " : "", ev ? ev->name : "?");
		}
		v[0] = t->id, v[1] = t->display_name, v[2] = traits;
		v[3] = t->description;
		c1z_csv_row(fp, v, 4);
		pc__resource_type__free_unpacked(t, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_csv_resources(struct c1z_rd *r, FILE *fp)
{
	static const char *const hdr[] = { "resource_type", "id",
	    "display_name", "parent_resource_type", "parent_resource",
	    "description", "email", "login", "status", "profile" };
	sqlite3_stmt		*st = c1z_rd_query(r, "SELECT data FROM "
				    "v1_resources WHERE sync_id = ?1 ORDER BY "
				    "external_id");
	struct c1z_resinfo	 ri;

	if (st == NULL)
		return -1;
	c1z_csv_row(fp, hdr, 10);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Resource *x = pc__resource__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const char *v[10];

		if (x == NULL || x->id == NULL) {
			pc__resource__free_unpacked(x, NULL);
			continue;
		}
		c1z_resinfo_get(x, &ri);
		v[0] = x->id->resource_type, v[1] = x->id->resource;
		v[2] = x->display_name;
		v[3] = x->parent_resource_id ? x->parent_resource_id->
		    resource_type : "";
		v[4] = x->parent_resource_id ? x->parent_resource_id->resource :
		    "";
		v[5] = x->description, v[6] = ri.mail, v[7] = ri.login;
		v[8] = ri.status, v[9] = ri.profile;
		c1z_csv_row(fp, v, 10);
		c1z_resinfo_clear(&ri);
		pc__resource__free_unpacked(x, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_csv_ents(struct c1z_rd *r, FILE *fp)
{
	static const char *const hdr[] = { "id", "resource_type", "resource",
	    "display_name", "slug", "purpose", "grantable_to", "description" };
	sqlite3_stmt	*st = c1z_rd_query(r, "SELECT data, resource_type_id, "
			    "resource_id FROM v1_entitlements WHERE sync_id = "
			    "?1 ORDER BY external_id");
	char		 gt[1024];
	size_t		 i, n;

	if (st == NULL)
		return -1;
	c1z_csv_row(fp, hdr, 8);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Pc__Entitlement *e = pc__entitlement__unpack(NULL,
		    (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_blob(st, 0));
		const ProtobufCEnumValue *pv;
		const char *v[8];

		if (e == NULL)
			continue;
		for (i = 0, n = 0, gt[0] = '\0'; i < e->n_grantable_to &&
		    n < sizeof(gt); i++)
			n += (size_t)snprintf(gt + n, sizeof(gt) - n, "%s%s",
			    n ? " " : "", e->grantable_to[i]->id);
		pv = protobuf_c_enum_descriptor_get_value(
		    &pc__entitlement__purpose_value__descriptor, e->purpose);
		v[0] = e->id, v[1] = c1z_rd_text(st, 1);
		v[2] = c1z_rd_text(st, 2), v[3] = e->display_name;
		v[4] = e->slug, v[5] = pv != NULL ? pv->name : "";
		v[6] = gt, v[7] = e->description;
		c1z_csv_row(fp, v, 8);
		pc__entitlement__free_unpacked(e, NULL);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_csv_grants(struct c1z_rd *r, FILE *fp)
{
	static const char *const hdr[] = { "id", "entitlement",
	    "resource_type", "resource", "principal_type", "principal",
	    "expandable_from" };
	sqlite3_stmt	*st;
	const char	*v[7];
	int		 i;

	/* Sources of an expandable grant, space-separated (ids hold none). */
	if (c1z_rd_edges(r) != 0 || (st = c1z_rd_query(r, "SELECT "
	    "g.external_id, g.entitlement_id, g.resource_type_id, "
	    "g.resource_id, g.principal_resource_type_id, "
	    "g.principal_resource_id, (SELECT group_concat(e.src, ' ') FROM "
	    "temp.edge e WHERE e.dst = g.entitlement_id AND e.vt = "
	    "g.principal_resource_type_id AND e.vid = g.principal_resource_id) "
	    "FROM v1_grants g WHERE g.sync_id = ?1 ORDER BY g.external_id")) ==
	    NULL)
		return -1;
	c1z_csv_row(fp, hdr, 7);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 7; i++)
			v[i] = c1z_rd_text(st, i);
		c1z_csv_row(fp, v, 7);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
c1z_csv_syncs(struct c1z_rd *r, FILE *fp)
{
	static const char *const hdr[] = { "sync_id", "started_at",
	    "ended_at", "sync_type", "parent_sync_id" };
	sqlite3_stmt	*st = c1z_rd_query(r, "SELECT sync_id, started_at, "
			    "ended_at, sync_type, parent_sync_id FROM "
			    "v1_sync_runs ORDER BY started_at, sync_id");
	const char	*v[5];
	int		 i;

	if (st == NULL)
		return -1;
	c1z_csv_row(fp, hdr, 5);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 5; i++)
			v[i] = c1z_rd_text(st, i);
		c1z_csv_row(fp, v, 5);
	}
	sqlite3_finalize(st);
	return 0;
}

static int (*const c1z_csv_fns[])(struct c1z_rd *, FILE *) = {
	c1z_csv_rtypes, c1z_csv_resources, c1z_csv_ents, c1z_csv_grants,
	c1z_csv_syncs,
};

int
c1z_csv_table(struct c1z_rd *r, size_t i, FILE *fp)
{
	if (i >= sizeof(c1z_csv_fns) / sizeof(c1z_csv_fns[0]))
		return -1;
	return c1z_csv_fns[i](r, fp);
}

/* Refuse before writing anything when one of the files is there. */
static int
c1z_csv_dir(const char *dir)
{
	char	path[4200];
	size_t	i;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "portcullis: c1z: %s: %s\n", dir,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < 5; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
		    c1z_csv_files[i]) >= (int)sizeof(path))
			return -1;
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "portcullis: c1z: %s exists; export "
			    "refuses to overwrite (remove it or pick another "
			    "DIR)\n", path);
			return -1;
		}
	}
	return 0;
}

static int
c1z_csv_write(struct c1z_rd *r, const char *dir)
{
	char	path[4200];
	size_t	i;
	FILE	*fp;
	int	fd, e;

	for (i = 0; i < 5; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir,
		    c1z_csv_files[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "portcullis: c1z: %s: %s\n", path,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			return -1;
		}
		e = c1z_csv_table(r, i, fp);
		if (fclose(fp) != 0 || e != 0) {
			fprintf(stderr, "portcullis: c1z: %s: write failed\n",
			    path);
			return -1;
		}
	}
	return 0;
}

int
c1z_csv_main(int argc, char **argv)
{
	struct c1z_rd	 r;
	const char	*file = NULL, *dir = NULL, *sync = NULL;
	int		 i, rc = 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--sync-id") == 0 && i + 1 < argc)
			sync = argv[++i];
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			file = dir = NULL, i = argc;
	}
	if (file == NULL || dir == NULL) {
		fprintf(stderr, "usage: portcullis c1z export FILE --csv DIR "
		    "[--sync-id ID]\n");
		return 2;
	}
	if (c1z_csv_dir(dir) != 0)
		return 2;
	if (c1z_rd_open(&r, file, sync) != 0)
		return 1;
	if (c1z_csv_write(&r, dir) == 0)
		rc = 0;
	c1z_rd_close(&r);
	return rc;
}
