/*
 * The .c1z reader shared by `c1z show`, `diff` and `export`: a file
 * unpacked into a private scratch directory, opened with SQLite, one
 * sync chosen (baton's rule, or the one named), and the helpers each
 * command needs on it.
 */
#ifndef PC_C1Z_RD_H
#define PC_C1Z_RD_H

#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "c1z.pb-c.h"

#define C1Z_RD_DEPTH	64	/* expansion levels followed: cycles end */
#define C1Z_RD_SEP	"\x1f"	/* between hops of a path (unit separator) */

struct c1z_rd {
	sqlite3		*db;
	const char	*file;
	char		 dir[64], dbpath[96];
	char		 sync[64];
	int		 has_expansion;	/* v1_grants.expansion column */
	int		 edges;		/* temp table edge built */
};

/*
 * Unpack file, open it, pick sync_id (NULL: the newest finished full
 * sync, else the newest unfinished one, with a warning). 0, or -1 with
 * one line on stderr; r is then closed.
 */
int	c1z_rd_open(struct c1z_rd *r, const char *file, const char *sync_id);
void	c1z_rd_close(struct c1z_rd *r);
/* The steps of c1z_rd_open: a scratch directory (r cleared first),
 * c1z_unpack into r->dbpath, then open and pick the sync. */
int	c1z_rd_scratch(struct c1z_rd *r, const char *file);
int	c1z_rd_attach(struct c1z_rd *r, const char *sync_id);
/* Prepare sql with ?1 bound to the sync; NULL (and a line) on error. */
sqlite3_stmt *c1z_rd_query(struct c1z_rd *r, const char *sql);
/* Run sql (no rows); 0 or -1 with a line on stderr. */
int	c1z_rd_exec(struct c1z_rd *r, const char *sql);
/* Column i of st as text, "" when NULL. */
const char *c1z_rd_text(sqlite3_stmt *st, int i);

/*
 * The expansion graph in temp table edge(src, dst, vt, vid, shallow,
 * types): one row per source entitlement of each expandable grant
 * (dst granted to vt:vid). From the expansion column, or the grant's
 * own GrantExpandable annotation in files older than that column.
 */
int	c1z_rd_edges(struct c1z_rd *r);
/*
 * Everything principal pt:pid holds, into temp table seen(ent, depth,
 * path, direct): its grants, then entitlements through expandable
 * grants, level by level (shallow and resource_type_ids respected), at
 * most C1Z_RD_DEPTH levels; each entitlement once (cycles end).
 */
int	c1z_rd_access(struct c1z_rd *r, const char *pt, const char *pid);
/* A path of temp.seen or temp.hold: "direct", "via team T > ..." or JSON. */
void	c1z_rd_path(struct c1z_rd *r, const char *path, int json, FILE *fp);
/* Split "TYPE:ID" at its first ':' (types hold none). 0 or -1. */
int	c1z_rd_split(const char *s, char *type, size_t typesz,
	    const char **id);

/* The protojson of the row found by sql (bound ?1 sync, ?2 key). */
int	c1z_rd_print(struct c1z_rd *r, sqlite3_stmt *st, const char *key,
	    const ProtobufCMessageDescriptor *d, FILE *fp);

/* What a reviewer reads off a resource's trait (or itself). */
struct c1z_resinfo {
	const char		*mail, *login, *status;	/* "" when none */
	char			*profile;	/* JSON, NULL when none */
	ProtobufCMessage	*m;		/* the trait, owned */
};

void	c1z_resinfo_get(const Pc__Resource *r, struct c1z_resinfo *ri);
void	c1z_resinfo_clear(struct c1z_resinfo *ri);

/* Subcommands (c1z_show.c dispatches). Exit codes. */
int	c1z_access_main(struct c1z_rd *r, const char *cmd, const char *p,
	    const char *e, int json);
int	c1z_diff_main(int argc, char **argv);
int	c1z_csv_main(int argc, char **argv);
/*
 * One table of `c1z show` (i: resource-types resources entitlements
 * grants stats syncs access principals; no filters, all to stdout) or
 * of `c1z export --csv` (i: resource_types resources entitlements
 * grants sync_runs, to fp) from r, open: the commands' own code, for
 * fuzz/fuzz_c1z_row.c.
 */
int	c1z_show_rd(struct c1z_rd *r, size_t i, int json);
int	c1z_csv_table(struct c1z_rd *r, size_t i, FILE *fp);

#endif /* PC_C1Z_RD_H */
