/*
 * Runs in: agent. Input: checked records (record_decode) and the output
 * path (operator's). Writes baton's v1 .c1z.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "c1z.h"
#include "c1z_pb.h"

/* baton-sdk's v1 schema (baton-sdk.md section 1.3), names as it has them:
 * the tables and the unique indexes the upserts need, first. */
const char c1z_schema[] =
"CREATE TABLE v1_resource_types (id integer primary key, external_id text "
"not null, data blob not null, sync_id text not null, discovered_at datetime "
"not null);\n"
"CREATE UNIQUE INDEX idx_resource_types_external_sync_v1 on "
"v1_resource_types (external_id, sync_id);\n"
"CREATE TABLE v1_resources (id integer primary key, resource_type_id text "
"not null, external_id text not null, parent_resource_type_id text, "
"parent_resource_id text, data blob not null, sync_id text not null, "
"discovered_at datetime not null);\n"
"CREATE UNIQUE INDEX idx_resources_parent_resource_id_v1 on v1_resources "
"(external_id, sync_id);\n"
"CREATE TABLE v1_entitlements (id integer primary key, resource_type_id text "
"not null, resource_id text not null, external_id text not null, data blob "
"not null, sync_id text not null, discovered_at datetime not null);\n"
"CREATE UNIQUE INDEX idx_entitlements_external_sync_v1 on v1_entitlements "
"(external_id, sync_id);\n"
"CREATE TABLE v1_sync_runs (id integer primary key, sync_id text not null, "
"started_at datetime not null, ended_at datetime, sync_token text not null, "
"sync_type text not null default 'full', parent_sync_id text not null "
"default '', linked_sync_id text not null default '', supports_diff integer "
"not null default 0, grants_backfilled integer not null default 0, stats "
"text, ingest_invariant_generation text not null default '', "
"ingest_invariant_coverage text not null default '', ingest_invariant_mode "
"text not null default '');\n"
"CREATE UNIQUE INDEX idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id);\n"
"CREATE TABLE v1_grants (id integer primary key, resource_type_id text not "
"null, resource_id text not null, entitlement_id text not null, "
"principal_resource_type_id text not null, principal_resource_id text not "
"null, external_id text not null, expansion blob, needs_expansion integer "
"not null default 0, data blob not null, sync_id text not null, "
"discovered_at datetime not null);\n"
"CREATE UNIQUE INDEX idx_grants_external_sync_v1 on v1_grants (external_id, "
"sync_id);\n"
"CREATE TABLE v1_assets (id integer primary key, external_id text not null, "
"content_type text not null, data blob not null, sync_id text not null, "
"discovered_at datetime not null);\n"
"CREATE UNIQUE INDEX idx_assets_external_sync_v1 on v1_assets (external_id, "
"sync_id);\n"
"CREATE TABLE v1_connector_sessions (id integer primary key, sync_id text "
"NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL);\n"
"CREATE UNIQUE INDEX idx_session_store_sync_key_v1 on v1_connector_sessions "
"(sync_id, key);\n";

/* Its other indexes, made once the rows are in: one sorted build per
 * index instead of a b-tree update per row. */
static const char c1z_indexes[] =
"CREATE INDEX idx_resources_resource_type_id_v1 on v1_resources "
"(resource_type_id);\n"
"CREATE INDEX idx_resources_external_sync_v1 on v1_resources "
"(parent_resource_type_id, parent_resource_id);\n"
"CREATE INDEX idx_entitlements_resource_id_v1 on v1_entitlements "
"(resource_type_id, resource_id);\n"
"CREATE INDEX idx_grants_resource_type_id_resource_id_v1 on v1_grants "
"(resource_type_id, resource_id);\n"
"CREATE INDEX idx_grants_principal_id_v1 on v1_grants "
"(principal_resource_type_id, principal_resource_id);\n"
"CREATE INDEX idx_grants_entitlement_id_principal_id_v1 on v1_grants "
"(entitlement_id, principal_resource_type_id, principal_resource_id);\n"
"CREATE INDEX idx_grants_entitlement_sync_grant_v1 on v1_grants "
"(entitlement_id, sync_id, id);\n"
"CREATE INDEX idx_grants_sync_expansion_v1 on v1_grants (sync_id) WHERE "
"expansion IS NOT NULL;\n"
"CREATE INDEX idx_grants_sync_needs_expansion_v1 on v1_grants (sync_id) "
"WHERE needs_expansion = 1;\n";

/* Upserts: a record sent twice in one sync keeps its last data. */
static const char *const c1z_inserts[4] = {
	"INSERT INTO v1_resource_types (external_id, data, sync_id, "
	"discovered_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (external_id, "
	"sync_id) DO UPDATE SET data = excluded.data",
	"INSERT INTO v1_resources (resource_type_id, external_id, "
	"parent_resource_type_id, parent_resource_id, data, sync_id, "
	"discovered_at) VALUES (?5, ?1, ?6, ?7, ?2, ?3, ?4) ON CONFLICT "
	"(external_id, sync_id) DO UPDATE SET data = excluded.data",
	"INSERT INTO v1_entitlements (resource_type_id, resource_id, "
	"external_id, data, sync_id, discovered_at) VALUES (?5, ?6, ?1, ?2, ?3, "
	"?4) ON CONFLICT (external_id, sync_id) DO UPDATE SET data = "
	"excluded.data",
	"INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, "
	"principal_resource_type_id, principal_resource_id, external_id, "
	"expansion, needs_expansion, data, sync_id, discovered_at) VALUES (?5, "
	"?6, ?7, ?8, ?9, ?1, ?10, ?11, ?2, ?3, ?4) ON CONFLICT (external_id, "
	"sync_id) DO UPDATE SET data = excluded.data, expansion = "
	"excluded.expansion, needs_expansion = excluded.needs_expansion",
};

static int
c1z_fail(struct c1z_writer *w, int e, const char *fmt, ...)
    PC_PRINTF(3, 4);

static int
c1z_fail(struct c1z_writer *w, int e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return e;
}

/* baton's layout "2006-01-02 15:04:05.999999999", local, zeros trimmed. */
static void
c1z_now(char *dst, size_t dstsz)
{
	struct timespec	ts;
	struct tm	tm;
	char		base[32];
	size_t		n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	(void)strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	(void)snprintf(dst, dstsz, "%.19s.%09u", base,
	    (unsigned)(ts.tv_nsec % 1000000000L));
	n = strlen(dst);
	while (n > 0 && dst[n - 1] == '0')
		dst[--n] = '\0';
	if (n > 0 && dst[n - 1] == '.')
		dst[--n] = '\0';
}

/* A KSUID: 4 bytes of seconds since 1400000000, 16 random; base62. */
static int
c1z_ksuid(char out[28])
{
	static const char	 alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	uint8_t			 b[20];
	uint32_t		 t = (uint32_t)(time(NULL) - 1400000000);
	int			 i, j, rem;

	b[0] = (uint8_t)(t >> 24);
	b[1] = (uint8_t)(t >> 16);
	b[2] = (uint8_t)(t >> 8);
	b[3] = (uint8_t)t;
	if (getrandom(b + 4, 16, 0) != 16)
		return PC_E_SYS;
	/* Long division of the 160-bit number by 62, 27 digits. */
	for (i = 26; i >= 0; i--) {
		rem = 0;
		for (j = 0; j < 20; j++) {
			int acc = rem * 256 + b[j];

			b[j] = (uint8_t)(acc / 62);
			rem = acc % 62;
		}
		out[i] = alpha[rem];
	}
	out[27] = '\0';
	return 0;
}

/*
 * Temps are ".<name>.<pid>.db|tmp|db.prev|keep" beside the output
 * (db.prev: the previous file unpacked for the shrink guard; keep: the
 * service's second name for it, c1z_keep.c). A dead pid's go.
 */
static void
c1z_sweep(const char *dir, const char *name)
{
	struct dirent	*de;
	char		 prefix[300], path[4200], *end;
	size_t		 plen;
	long		 pid;
	DIR		*d;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", name);
	if (plen >= sizeof(prefix) || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (pid <= 0 || (strcmp(end, ".db") != 0 &&
		    strcmp(end, ".tmp") != 0 && strcmp(end, ".db.prev") != 0 &&
		    strcmp(end, ".keep") != 0))
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			(void)unlink(path);
	}
	closedir(d);
}

static int
c1z_split(const char *path, char *dir, size_t dirsz, char *name,
    size_t namesz)
{
	char	a[4096], b[4096];

	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s", path) >= (int)sizeof(b))
		return PC_E_TOOBIG;
	if (snprintf(dir, dirsz, "%s", dirname(a)) >= (int)dirsz ||
	    snprintf(name, namesz, "%s", basename(b)) >= (int)namesz)
		return PC_E_TOOBIG;
	return 0;
}

static int
c1z_exec(struct c1z_writer *w, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(w->sql, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	(void)c1z_fail(w, PC_E_SYS, "sqlite: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return PC_E_SYS;
}

int
c1z_writer_open(struct c1z_writer *w, const char *path,
    unsigned long long max_bytes)
{
	char	dir[4096], name[256], pragma[160];
	size_t	i;
	int	fd;

	memset(w, 0, sizeof(*w));
	if (c1z_split(path, dir, sizeof(dir), name, sizeof(name)) != 0 ||
	    snprintf(w->path, sizeof(w->path), "%s", path) >=
	    (int)sizeof(w->path) || snprintf(w->db, sizeof(w->db),
	    "%s/.%s.%d.db", dir, name, (int)getpid()) >= (int)sizeof(w->db))
		return c1z_fail(w, PC_E_TOOBIG, "%s: path too long", path);
	c1z_sweep(dir, name);
	(void)unlink(w->db);
	/* 0600 from the start: records are not for other users. */
	if ((fd = open(w->db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return c1z_fail(w, PC_E_SYS, "%s: %s", w->db, strerror(errno));
	close(fd);
	if (sqlite3_open_v2(w->db, &w->sql, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		return c1z_fail(w, PC_E_SYS, "%s: cannot open", w->db);
	/* A scratch file: a crash discards it, so no journal. Its size is
	 * capped: a vendor inventing records forever fills no disk. */
	(void)snprintf(pragma, sizeof(pragma), "PRAGMA journal_mode=OFF; "
	    "PRAGMA synchronous=OFF; PRAGMA max_page_count=%llu;",
	    max_bytes / 4096 > 0 ? max_bytes / 4096 : 1);
	w->max_bytes = max_bytes;
	if (c1z_exec(w, "PRAGMA page_size=4096;") || c1z_exec(w, pragma) ||
	    c1z_exec(w, c1z_schema) != 0 || c1z_ksuid(w->sync_id) != 0)
		return PC_E_SYS;
	for (i = 0; i < 4; i++)
		if (sqlite3_prepare_v2(w->sql, c1z_inserts[i], -1, &w->st[i],
		    NULL) != SQLITE_OK)
			return c1z_fail(w, PC_E_SYS, "sqlite: %s",
			    sqlite3_errmsg(w->sql));
	c1z_now(w->started, sizeof(w->started));
	return c1z_exec(w, "BEGIN");
}

static void
c1z_bind_text(struct sqlite3_stmt *st, int i, const char *s)
{
	(void)sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void
c1z_bind_row(const struct record *r, struct sqlite3_stmt *st,
    const uint8_t *exp, size_t explen)
{
	if (r->kind == REC_RESOURCE_TYPE)
		c1z_bind_text(st, 1, r->rtype);
	else if (r->kind == REC_RESOURCE) {
		char	ext[REC_ID_MAX];

		/* baton: "<type>:<id>" for resources. */
		(void)snprintf(ext, sizeof(ext), "%s:%s", r->rtype, r->id);
		c1z_bind_text(st, 1, ext);
		c1z_bind_text(st, 5, r->rtype);
		if (r->ptype[0] != '\0') {
			c1z_bind_text(st, 6, r->ptype);
			c1z_bind_text(st, 7, r->pid);
		} else {
			(void)sqlite3_bind_null(st, 6);
			(void)sqlite3_bind_null(st, 7);
		}
	} else if (r->kind == REC_ENTITLEMENT) {
		c1z_bind_text(st, 1, r->ent_id);
		c1z_bind_text(st, 5, r->rtype);
		c1z_bind_text(st, 6, r->id);
	} else if (r->kind == REC_GRANT) {
		c1z_bind_text(st, 1, r->grant_id);
		c1z_bind_text(st, 5, r->rtype);
		c1z_bind_text(st, 6, r->id);
		c1z_bind_text(st, 7, r->ent);
		c1z_bind_text(st, 8, r->prtype);
		c1z_bind_text(st, 9, r->prid);
		if (exp != NULL)
			(void)sqlite3_bind_blob(st, 10, exp, (int)explen,
			    SQLITE_TRANSIENT);
		else
			(void)sqlite3_bind_null(st, 10);
		(void)sqlite3_bind_int(st, 11, exp != NULL);
	}
}

int
c1z_writer_add(struct c1z_writer *w, const struct record *r)
{
	struct sqlite3_stmt	*st;
	uint8_t			*data = NULL, *exp = NULL;
	size_t			 len = 0, explen = 0;
	char			 now[40];
	int			 rc;

	if (r->kind < REC_RESOURCE_TYPE || r->kind > REC_GRANT)
		return c1z_fail(w, PC_E_VALUE, "unknown record kind %u",
		    r->kind);
	if (c1z_pb_encode(r, &data, &len, &exp, &explen) != 0)
		return c1z_fail(w, PC_E_NOMEM, "out of memory");
	st = w->st[r->kind - 1];
	c1z_now(now, sizeof(now));
	c1z_bind_row(r, st, exp, explen);
	(void)sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_TRANSIENT);
	c1z_bind_text(st, 3, w->sync_id);
	c1z_bind_text(st, 4, now);
	rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	free(data);
	free(exp);
	if (rc == SQLITE_FULL)
		return c1z_fail(w, PC_E_LIMIT, "the sync's scratch database "
		    "reached max-scratch-mb (%llu MiB)", w->max_bytes >> 20);
	if (rc != SQLITE_DONE)
		return c1z_fail(w, PC_E_SYS, "sqlite insert: %s",
		    sqlite3_errmsg(w->sql));
	w->count[r->kind]++;
	w->rows++;
	/* Bounded memory: commit in batches, never hold a whole sync. */
	if (++w->pending >= C1Z_BATCH) {
		w->pending = 0;
		return c1z_exec(w, "COMMIT; BEGIN");
	}
	return 0;
}

static int
c1z_sync_row(struct c1z_writer *w)
{
	struct sqlite3_stmt	*st;
	char			 ended[40];
	int			 rc;

	c1z_now(ended, sizeof(ended));
	if (sqlite3_prepare_v2(w->sql, "INSERT INTO v1_sync_runs (sync_id, "
	    "started_at, ended_at, sync_token, sync_type, parent_sync_id, "
	    "grants_backfilled) VALUES (?, ?, ?, '{\"version\":1}', 'full', '', "
	    "1)", -1, &st, NULL) != SQLITE_OK)
		return c1z_fail(w, PC_E_SYS, "sqlite: %s",
		    sqlite3_errmsg(w->sql));
	c1z_bind_text(st, 1, w->sync_id);
	c1z_bind_text(st, 2, w->started);
	c1z_bind_text(st, 3, ended);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : c1z_fail(w, PC_E_SYS, "sqlite: %s",
	    sqlite3_errmsg(w->sql));
}

static void
c1z_close_db(struct c1z_writer *w)
{
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (w->st[i] != NULL)
			sqlite3_finalize(w->st[i]);
		w->st[i] = NULL;
	}
	if (w->sql != NULL)
		sqlite3_close(w->sql);
	w->sql = NULL;
}

/* Stream db through zstd into fd after the magic; bounded buffers. */
static int
c1z_compress(struct c1z_writer *w, int in, int out)
{
	ZSTD_CCtx	*cc;
	uint8_t		*ib, *ob;
	size_t		 isz = ZSTD_CStreamInSize(), osz = ZSTD_CStreamOutSize();
	ssize_t		 n;
	int		 e = 0, last;
	struct stat	 st;

	if ((cc = ZSTD_createCCtx()) == NULL || (ib = malloc(isz)) == NULL ||
	    (ob = malloc(osz)) == NULL)
		return c1z_fail(w, PC_E_NOMEM, "out of memory");
	(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel,
	    C1Z_ZSTD_LEVEL);
	(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	if (fstat(in, &st) == 0) {
		(void)ZSTD_CCtx_setPledgedSrcSize(cc, (unsigned long long)
		    st.st_size);
		/*
		 * A big file is compressed by two workers (the fetchers and
		 * the broker have exited by now) in 4 MiB jobs: 100k users,
		 * 250 MB, 0.93 s -> 0.62 s, for ~21 MiB of RSS, so a smaller
		 * one stays in this thread. A libzstd without threads refuses
		 * the parameter and compresses here too.
		 */
		if ((unsigned long long)st.st_size >= C1Z_ZSTD_MT_BYTES &&
		    !ZSTD_isError(ZSTD_CCtx_setParameter(cc,
		    ZSTD_c_nbWorkers, C1Z_ZSTD_WORKERS)))
			(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_jobSize,
			    4 << 20);
	}
	if (write(out, C1Z_MAGIC, C1Z_MAGIC_LEN) != C1Z_MAGIC_LEN)
		e = PC_E_SYS;
	do {
		n = e == 0 ? read(in, ib, isz) : -1;
		last = n < (ssize_t)isz;
		ZSTD_inBuffer	ibuf = { ib, n > 0 ? (size_t)n : 0, 0 };
		int		done = 0;

		while (e == 0 && n >= 0 && !done) {
			ZSTD_outBuffer	obuf = { ob, osz, 0 };
			size_t		r = ZSTD_compressStream2(cc, &obuf, &ibuf,
					    last ? ZSTD_e_end : ZSTD_e_continue);

			if (ZSTD_isError(r) || write(out, ob, obuf.pos) !=
			    (ssize_t)obuf.pos)
				e = PC_E_SYS;
			done = last ? r == 0 : ibuf.pos == ibuf.size;
		}
	} while (e == 0 && n >= 0 && !last);
	if (n < 0)
		e = PC_E_SYS;
	ZSTD_freeCCtx(cc);
	free(ib);
	free(ob);
	return e != 0 ? c1z_fail(w, e, "compress: %s", strerror(errno)) : 0;
}

static int
c1z_publish(struct c1z_writer *w)
{
	char	tmp[4300], dir[4096], name[256];
	int	in, out, e, dfd;

	if (c1z_split(w->path, dir, sizeof(dir), name, sizeof(name)) != 0)
		return PC_E_TOOBIG;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, name,
	    (int)getpid()) >= (int)sizeof(tmp))
		return PC_E_TOOBIG;
	(void)unlink(tmp);
	if ((in = open(w->db, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (in != -1)
			close(in);
		return c1z_fail(w, PC_E_SYS, "%s: %s", tmp, strerror(errno));
	}
	e = c1z_compress(w, in, out);
	close(in);
	/* The data must be on disk before the name points at it. */
	if (e == 0 && fsync(out) != 0)
		e = c1z_fail(w, PC_E_SYS, "fsync %s: %s", tmp, strerror(errno));
	close(out);
	if (e == 0 && rename(tmp, w->path) != 0)
		e = c1z_fail(w, PC_E_SYS, "rename to %s: %s", w->path,
		    strerror(errno));
	if (e != 0) {
		(void)unlink(tmp);
		return e;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The rows' file in bytes so far, from SQLite's own page count. */
static unsigned long long
c1z_db_bytes(struct c1z_writer *w)
{
	struct sqlite3_stmt	*st;
	unsigned long long	 n = 0;

	if (sqlite3_prepare_v2(w->sql, "PRAGMA page_count", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (unsigned long long)sqlite3_column_int64(st, 0) * 4096;
	sqlite3_finalize(st);
	return n;
}

static unsigned long long
c1z_cache_kib(struct c1z_writer *w)
{
	unsigned long long	kib = c1z_db_bytes(w) / 16 / 1024;

	return kib < 2048 ? 2048 : kib > 16384 ? 16384 : kib;
}

int
c1z_writer_finish(struct c1z_writer *w)
{
	char	pragma[64];
	int	e;

	/*
	 * The indexes are built after the rows, each a sort of its table
	 * that spills to temporary files past the page cache: the cache is
	 * sized for the load, 1/16 of the rows' file between SQLite's 2 MiB
	 * and 16 MiB (100k users, 402k grants, 250 MB: 1.2 s instead of
	 * 2.0 s; a 10k-user sync keeps the 2 MiB and its RSS). The rows
	 * themselves go in faster with the default (5.8-6.7 s vs 7.2-8.2 s
	 * measured with 16 MiB from the start).
	 */
	(void)snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%llu;",
	    c1z_cache_kib(w));
	if ((e = c1z_sync_row(w)) != 0 || (e = c1z_exec(w, pragma)) != 0 ||
	    (e = c1z_exec(w, c1z_indexes)) != 0 ||
	    (e = c1z_exec(w, "COMMIT")) != 0) {
		c1z_writer_abort(w);
		return e;
	}
	c1z_close_db(w);
	e = c1z_publish(w);
	(void)unlink(w->db);
	return e;
}

void
c1z_writer_abort(struct c1z_writer *w)
{
	c1z_close_db(w);
	if (w->db[0] != '\0')
		(void)unlink(w->db);
}
