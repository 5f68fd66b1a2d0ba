/*
 * The .c1z writer: baton's v1 format, "C1ZF\0" then one zstd stream of
 * a SQLite database with baton's v1 tables. Records stream into the
 * database in transactions; finish compresses it into a 0600 temporary
 * file beside the output, fsyncs and renames it over the output, so a
 * crash at any moment leaves the old file or the new one.
 */
#ifndef PC_C1Z_H
#define PC_C1Z_H

#include <stddef.h>

#include "err.h"
#include "record.h"

#define C1Z_MAGIC	"C1ZF\0"
#define C1Z_MAGIC_LEN	5
#define C1Z_BATCH	1000	/* rows per transaction */
#define C1Z_ZSTD_LEVEL	3	/* window 8 MiB: old readers cap at 32 */
#define C1Z_ZSTD_WORKERS 2	/* compression threads at the end, */
#define C1Z_ZSTD_MT_BYTES (128ULL << 20)	/* for a rows' file this big */

struct sqlite3;
struct sqlite3_stmt;

struct c1z_writer {
	char			 path[4096];	/* the output */
	char			 db[4200];	/* the SQLite scratch file */
	struct sqlite3		*sql;
	struct sqlite3_stmt	*st[4];		/* one insert per table */
	char			 sync_id[28];	/* KSUID */
	char			 started[40];
	unsigned long		 rows, pending;
	unsigned long		 count[5];	/* per record kind */
	unsigned long long	 max_bytes;	/* cap on the scratch file */
	char			 err[512];
};

/*
 * Start a sync for path, its scratch database capped at max_bytes
 * (PC_E_LIMIT past it); cleans temps a dead run left. 0 or PC_E_*.
 */
int	c1z_writer_open(struct c1z_writer *w, const char *path,
	    unsigned long long max_bytes) PC_WUR;
/* Store one record (upsert on its id). */
int	c1z_writer_add(struct c1z_writer *w, const struct record *r) PC_WUR;
/* End the sync and publish the file atomically. */
int	c1z_writer_finish(struct c1z_writer *w) PC_WUR;
/* Drop everything; the old output stays as it was. */
void	c1z_writer_abort(struct c1z_writer *w);

/* "portcullis c1z show|diff|export ...". Exit code. */
int	c1z_show_main(int argc, char **argv);
/*
 * Resources and grants of the newest finished full sync in the .c1z at
 * path, unpacked through the scratch file (removed after). 0 or PC_E_*.
 */
int	c1z_counts(const char *path, const char *scratch, unsigned long *res,
	    unsigned long *grants, char *err, size_t errsz) PC_WUR;
/* Decompress a c1z into a private SQLite file at dbpath. 0 or PC_E_*. */
int	c1z_unpack(const char *path, const char *dbpath, char *err,
	    size_t errsz) PC_WUR;

/* Service mode `keep = N`: previous outputs as FILE.1 .. FILE.N. */
#define C1Z_KEEP_MAX	100

struct c1z_keep {
	char		path[4096], snap[4200];
	unsigned	n;
	unsigned long	dev, ino;
};

/* 0 when keep is a valid `keep` value, else PC_E_VALUE. */
int	c1z_keep_check(const char *keep) PC_WUR;
/*
 * Before a run: keep (decimal 0..C1Z_KEEP_MAX) previous files of path;
 * the current one gets a second name. 0 or PC_E_VALUE / PC_E_SYS.
 */
int	c1z_keep_begin(struct c1z_keep *k, const char *path,
	    const char *keep) PC_WUR;
/*
 * After it: when path is a new file, FILE.i moves to FILE.i+1 (the
 * last one drops off) and the old file becomes FILE.1. 0 or PC_E_SYS.
 */
int	c1z_keep_end(struct c1z_keep *k) PC_WUR;

/* baton-sdk's v1 schema as the writer makes it (c1z.c). */
extern const char c1z_schema[];

#endif /* PC_C1Z_H */
