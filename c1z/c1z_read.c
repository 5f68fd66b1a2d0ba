/*
 * Runs in: agent (the c1z commands). Input: a .c1z file, ours or
 * baton's (untrusted: the decoder caps the window and the decoded size,
 * protobuf-c decodes the messages, SQL only ever binds its values).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "c1z.h"
#include "c1z_pj.h"
#include "c1z_rd.h"

/* baton's own reader caps: 128 MiB window, 10 GiB decoded. */
#define C1Z_WINDOW_LOG_MAX	27
#define C1Z_DECODED_MAX		(10ULL * 1024 * 1024 * 1024)
#define C1Z_V3_MAGIC		"C1Z3\0"

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
		/* baton-sdk >= 0.25 writes v3 unless told otherwise. */
		if (memcmp(magic, C1Z_V3_MAGIC, C1Z_MAGIC_LEN) == 0)
			(void)snprintf(err, errsz, "%s: a baton v3 (Pebble) "
			    ".c1z; only v1 (SQLite) is read: re-run the "
			    "connector with --storage-engine sqlite", path);
		else
			(void)snprintf(err, errsz, "%s: not a v1 .c1z (no "
			    "C1ZF header)", path);
		fclose(fp);
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

sqlite3_stmt *
c1z_rd_query(struct c1z_rd *r, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "portcullis: c1z: %s: %s\n", r->file,
		    sqlite3_errmsg(r->db));
		return NULL;
	}
	if (sqlite3_bind_parameter_count(st) >= 1)
		(void)sqlite3_bind_text(st, 1, r->sync, -1, SQLITE_STATIC);
	return st;
}

int
c1z_rd_exec(struct c1z_rd *r, const char *sql)
{
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "portcullis: c1z: %s: %s\n", r->file,
	    sqlite3_errmsg(r->db));
	return -1;
}

const char *
c1z_rd_text(sqlite3_stmt *st, int i)
{
	const char	*s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

/* One row of sql into r->sync; 1 found, 0 not. */
static int
c1z_rd_pick1(struct c1z_rd *r, const char *sql, const char *arg,
    char *when, size_t whensz)
{
	sqlite3_stmt	*st;
	int		 found = 0;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (arg != NULL)
		(void)sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		(void)snprintf(r->sync, sizeof(r->sync), "%s",
		    c1z_rd_text(st, 0));
		(void)snprintf(when, whensz, "%s%s%s", c1z_rd_text(st, 1),
		    *c1z_rd_text(st, 2) ? ", " : "", c1z_rd_text(st, 2));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

/*
 * baton's rule: the newest finished full sync. A file with none (a sync
 * that was cut off, or only partial syncs) is still read, with a
 * warning: what it holds may be incomplete.
 */
static int
c1z_rd_pick(struct c1z_rd *r, const char *want)
{
	char	when[128];

	if (want != NULL) {
		if (c1z_rd_pick1(r, "SELECT sync_id, '', '' FROM v1_sync_runs "
		    "WHERE sync_id = ?1", want, when, sizeof(when)))
			return 0;
		fprintf(stderr, "portcullis: c1z: %s: no sync \"%.64s\"\n",
		    r->file, want);
		return -1;
	}
	if (c1z_rd_pick1(r, "SELECT sync_id, '', '' FROM v1_sync_runs WHERE "
	    "ended_at IS NOT NULL AND sync_type = 'full' ORDER BY ended_at "
	    "DESC, sync_id DESC LIMIT 1", NULL, when, sizeof(when)))
		return 0;
	if (c1z_rd_pick1(r, "SELECT sync_id, CASE WHEN ended_at IS NULL THEN "
	    "'unfinished (started ' || started_at || ')' ELSE 'finished' END, "
	    "CASE WHEN sync_type = 'full' THEN '' ELSE sync_type || ' sync' "
	    "END FROM v1_sync_runs ORDER BY ended_at IS NULL, coalesce("
	    "ended_at, started_at) DESC, sync_id DESC LIMIT 1", NULL, when,
	    sizeof(when)) ||
	    c1z_rd_pick1(r, "SELECT sync_id, CASE WHEN ended_at IS NULL THEN "
	    "'unfinished (started ' || started_at || ')' ELSE 'finished' END, "
	    "'' FROM v1_sync_runs ORDER BY ended_at IS NULL, coalesce("
	    "ended_at, started_at) DESC, sync_id DESC LIMIT 1", NULL, when,
	    sizeof(when))) {
		fprintf(stderr, "portcullis: c1z: %s: warning: no finished "
		    "full sync; reading sync %s, %s: it may be incomplete\n",
		    r->file, r->sync, when);
		return 0;
	}
	fprintf(stderr, "portcullis: c1z: %s: no sync runs\n", r->file);
	return -1;
}

static int
c1z_rd_column(struct c1z_rd *r, const char *table, const char *col)
{
	sqlite3_stmt	*st;
	int		 found = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM pragma_table_info(?1) "
	    "WHERE name = ?2", -1, &st, NULL) != SQLITE_OK)
		return 0;
	(void)sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int
c1z_rd_scratch(struct c1z_rd *r, const char *file)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	(void)snprintf(r->dir, sizeof(r->dir), "/tmp/portcullis-c1z.XXXXXX");
	if (mkdtemp(r->dir) == NULL) {
		fprintf(stderr, "portcullis: c1z: mkdtemp: %s\n",
		    strerror(errno));
		r->dir[0] = '\0';
		return -1;
	}
	(void)snprintf(r->dbpath, sizeof(r->dbpath), "%s/db", r->dir);
	return 0;
}

int
c1z_rd_attach(struct c1z_rd *r, const char *sync_id)
{
	/* Our private copy: writable, for the temp tables of a walk; mapped,
	 * so lookups by id do not re-read pages. */
	if (sqlite3_open_v2(r->dbpath, &r->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_exec(r->db, "PRAGMA journal_mode=OFF; "
	    "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; "
	    "PRAGMA mmap_size=1073741824; "
	    "PRAGMA cache_size=-65536", NULL, NULL, NULL) != SQLITE_OK ||
	    !c1z_rd_column(r, "v1_sync_runs", "sync_id")) {
		fprintf(stderr, "portcullis: c1z: %s: not a baton v1 "
		    "database\n", r->file);
		goto fail;
	}
	if (c1z_rd_pick(r, sync_id) != 0)
		goto fail;
	r->has_expansion = c1z_rd_column(r, "v1_grants", "expansion");
	return 0;
fail:
	c1z_rd_close(r);
	return -1;
}

int
c1z_rd_open(struct c1z_rd *r, const char *file, const char *sync_id)
{
	char	err[512];

	if (c1z_rd_scratch(r, file) != 0)
		return -1;
	if (c1z_unpack(file, r->dbpath, err, sizeof(err)) != 0) {
		fprintf(stderr, "portcullis: c1z: %s\n", err);
		c1z_rd_close(r);
		return -1;
	}
	return c1z_rd_attach(r, sync_id);
}

void
c1z_rd_close(struct c1z_rd *r)
{
	if (r->db != NULL)
		sqlite3_close(r->db);
	r->db = NULL;
	if (r->dbpath[0] != '\0')
		(void)unlink(r->dbpath);
	if (r->dir[0] != '\0')
		(void)rmdir(r->dir);
	r->dbpath[0] = r->dir[0] = '\0';
}

int
c1z_rd_split(const char *s, char *type, size_t typesz, const char **id)
{
	const char	*c = strchr(s, ':');

	if (c == NULL || c == s || c[1] == '\0' || (size_t)(c - s) >= typesz)
		return -1;
	memcpy(type, s, (size_t)(c - s));
	type[c - s] = '\0';
	*id = c + 1;
	return 0;
}

int
c1z_rd_print(struct c1z_rd *r, sqlite3_stmt *st, const char *key,
    const ProtobufCMessageDescriptor *d, FILE *fp)
{
	int	rc = -1;

	(void)r;
	(void)sqlite3_reset(st);
	(void)sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = c1z_pj_blob(fp, d, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
	(void)sqlite3_reset(st);
	return rc;
}

int
c1z_counts(const char *path, const char *scratch, unsigned long *res,
    unsigned long *grants, char *err, size_t errsz)
{
	struct c1z_rd	 r;
	sqlite3_stmt	*st = NULL;
	char		 when[128];
	int		 e;

	memset(&r, 0, sizeof(r));
	r.file = path;
	*res = *grants = 0;
	if ((e = c1z_unpack(path, scratch, err, errsz)) != 0)
		goto out;
	e = PC_E_VALUE;
	if (sqlite3_open_v2(scratch, &r.db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || !c1z_rd_pick1(&r, "SELECT sync_id, '', '' FROM "
	    "v1_sync_runs WHERE ended_at IS NOT NULL AND sync_type = 'full' "
	    "ORDER BY ended_at DESC, sync_id DESC LIMIT 1", NULL, when,
	    sizeof(when))) {
		(void)snprintf(err, errsz, "%s: no finished full sync", path);
		goto out;
	}
	if ((st = c1z_rd_query(&r, "SELECT (SELECT count(*) FROM v1_resources "
	    "WHERE sync_id = ?1), (SELECT count(*) FROM v1_grants WHERE "
	    "sync_id = ?1)")) != NULL && sqlite3_step(st) == SQLITE_ROW) {
		*res = (unsigned long)sqlite3_column_int64(st, 0);
		*grants = (unsigned long)sqlite3_column_int64(st, 1);
		e = 0;
	}
out:
	if (st != NULL)
		sqlite3_finalize(st);
	if (r.db != NULL)
		sqlite3_close(r.db);
	(void)unlink(scratch);
	return e;
}
