/*
 * Runs in: agent (the c1z command). Input: two .c1z files, ours or
 * baton's (untrusted, read as c1z_read.c reads one).
 *
 * `c1z diff OLD NEW [--json]`: resources, entitlements and grants
 * created, deleted and modified (same id, other bytes) between the
 * syncs baton's readers would show, matched by their stable external
 * ids in one merge of the two sorted lists; then the effective access
 * that changed, per principal. Exit 0 when equal, 1 when not, 2 on an
 * error. --json: baton's C1ZDiffOutput ({"resources":{"created":[..],
 * "deleted":[..],"modified":[..]},"entitlements":..,"grants":..}) and
 * "access":[{"principal":..,"added":[..],"removed":[..]}].
 */
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>

#include "c1z.h"
#include "c1z_pj.h"
#include "c1z_rd.h"
#include "text.h"
#include <unistd.h>

struct c1z_diff {
	struct c1z_rd	 o, n;
	int		 json, top;	/* JSON: a top-level member came */
	unsigned long	 changes;
};

static const struct {
	const char				*table, *json, *text;
	const ProtobufCMessageDescriptor	*desc;
} c1z_diff_tables[] = {
	{ "v1_resources",	"resources",	"resource",
	    &pc__resource__descriptor },
	{ "v1_entitlements",	"entitlements",	"entitlement",
	    &pc__entitlement__descriptor },
	{ "v1_grants",		"grants",	"grant",
	    &pc__grant__descriptor },
};

static sqlite3_stmt *
c1z_diff_scan(struct c1z_rd *r, const char *table)
{
	char	sql[256];

	/* Grants carry their principal: whose access may have changed. */
	(void)snprintf(sql, sizeof(sql), "SELECT external_id, data%s FROM %s "
	    "WHERE sync_id = ?1 ORDER BY external_id", strcmp(table,
	    "v1_grants") == 0 ? ", principal_resource_type_id, "
	    "principal_resource_id" : ", '', ''", table);
	return c1z_rd_query(r, sql);
}

static void
c1z_diff_note(sqlite3_stmt *ins, int tbl, int kind, sqlite3_stmt *row)
{
	(void)sqlite3_bind_int(ins, 1, tbl);
	(void)sqlite3_bind_int(ins, 2, kind);
	(void)sqlite3_bind_text(ins, 3, c1z_rd_text(row, 0), -1,
	    SQLITE_TRANSIENT);
	(void)sqlite3_bind_text(ins, 4, c1z_rd_text(row, 2), -1,
	    SQLITE_TRANSIENT);
	(void)sqlite3_bind_text(ins, 5, c1z_rd_text(row, 3), -1,
	    SQLITE_TRANSIENT);
	(void)sqlite3_step(ins);
	(void)sqlite3_reset(ins);
}

/* One merge of both sorted lists into temp.d (kind 0 new, 1 gone, 2 changed). */
static int
c1z_diff_merge(struct c1z_diff *df, int tbl, sqlite3_stmt *ins)
{
	sqlite3_stmt	*a = c1z_diff_scan(&df->o, c1z_diff_tables[tbl].table);
	sqlite3_stmt	*b = c1z_diff_scan(&df->n, c1z_diff_tables[tbl].table);
	int		 ra, rb, c;

	if (a == NULL || b == NULL) {
		sqlite3_finalize(a);
		sqlite3_finalize(b);
		return -1;
	}
	ra = sqlite3_step(a);
	rb = sqlite3_step(b);
	while (ra == SQLITE_ROW || rb == SQLITE_ROW) {
		c = ra != SQLITE_ROW ? 1 : rb != SQLITE_ROW ? -1 :
		    strcmp(c1z_rd_text(a, 0), c1z_rd_text(b, 0));
		if (c > 0) {
			c1z_diff_note(ins, tbl, 0, b);
			rb = sqlite3_step(b);
			continue;
		}
		if (c < 0)
			c1z_diff_note(ins, tbl, 1, a);
		else if (sqlite3_column_bytes(a, 1) != sqlite3_column_bytes(b,
		    1) || memcmp(sqlite3_column_blob(a, 1),
		    sqlite3_column_blob(b, 1), (size_t)sqlite3_column_bytes(a,
		    1)) != 0)
			c1z_diff_note(ins, tbl, 2, b);
		if (c == 0)
			rb = sqlite3_step(b);
		ra = sqlite3_step(a);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	return ra == SQLITE_DONE && rb == SQLITE_DONE ? 0 : -1;
}

static void
c1z_diff_top(struct c1z_diff *df, const char *name)
{
	printf("%s\"%s\":", df->top++ ? ",\n" : "{", name);
}

/* Print the changes of one table from temp.d. */
static int
c1z_diff_print(struct c1z_diff *df, int tbl)
{
	static const char *const kinds[] = { "created", "deleted", "modified" };
	static const char signs[] = "+-~";
	sqlite3_stmt	*st, *get[2];
	char		 sql[160], clean[4200];
	int		 k, n, obj = 0, lists = 0;

	(void)snprintf(sql, sizeof(sql), "SELECT data FROM %s WHERE sync_id "
	    "= ?1 AND external_id = ?2", c1z_diff_tables[tbl].table);
	if ((get[0] = c1z_rd_query(&df->o, sql)) == NULL ||
	    (get[1] = c1z_rd_query(&df->n, sql)) == NULL ||
	    (st = c1z_rd_query(&df->n, "SELECT ext FROM temp.d WHERE tbl = ?2 "
	    "AND kind = ?3 ORDER BY ext")) == NULL)
		return -1;
	for (k = 0; k < 3; k++) {
		(void)sqlite3_reset(st);
		(void)sqlite3_bind_int(st, 2, tbl);
		(void)sqlite3_bind_int(st, 3, k);
		for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++, df->changes++) {
			if (!df->json) {
				printf("%c %s %s\n", signs[k],
				    c1z_diff_tables[tbl].text, text_clean(clean,
				    sizeof(clean), c1z_rd_text(st, 0)));
				continue;
			}
			if (obj++ == 0) {
				c1z_diff_top(df, c1z_diff_tables[tbl].json);
				putchar('{');
			}
			if (n == 0)
				printf("%s\"%s\":[\n", lists++ ? "],\n" : "",
				    kinds[k]);
			else
				fputs(",\n", stdout);
			if (c1z_rd_print(&df->n, get[k == 1 ? 0 : 1],
			    c1z_rd_text(st, 0), c1z_diff_tables[tbl].desc,
			    stdout) != 0)
				fputs("null", stdout);
		}
	}
	if (obj > 0)
		fputs("]}", stdout);
	sqlite3_finalize(st);
	sqlite3_finalize(get[0]);
	sqlite3_finalize(get[1]);
	return 0;
}

struct c1z_held {
	char	*ent, *path;
};

struct c1z_heldv {
	struct c1z_held	*v;
	size_t		 n, cap;
};

static void
c1z_heldv_clear(struct c1z_heldv *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].ent);
		free(h->v[i].path);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* What pt:pid holds in r, sorted by entitlement. */
static int
c1z_diff_held(struct c1z_rd *r, const char *pt, const char *pid,
    struct c1z_heldv *h)
{
	sqlite3_stmt	*st;
	void		*nv;

	if (c1z_rd_access(r, pt, pid) != 0 || (st = c1z_rd_query(r, "SELECT "
	    "ent, path FROM temp.seen ORDER BY ent")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (h->n == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 16;
			if ((nv = reallocarray(h->v, h->cap, sizeof(*h->v))) ==
			    NULL)
				break;
			h->v = nv;
		}
		h->v[h->n].ent = strdup(c1z_rd_text(st, 0));
		h->v[h->n].path = strdup(c1z_rd_text(st, 1));
		if (h->v[h->n].ent == NULL || h->v[h->n].path == NULL) {
			free(h->v[h->n].ent);
			free(h->v[h->n].path);
			break;
		}
		h->n++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Copy rows of sql in `from` into the table `ins` prepares in `to`. */
static int
c1z_diff_copy(struct c1z_rd *from, const char *sql, struct c1z_rd *to,
    const char *ins, int ncol)
{
	sqlite3_stmt	*a, *b;
	int		 i;

	if ((a = c1z_rd_query(from, sql)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(to->db, ins, -1, &b, NULL) != SQLITE_OK) {
		sqlite3_finalize(a);
		return -1;
	}
	while (sqlite3_step(a) == SQLITE_ROW) {
		for (i = 0; i < ncol; i++)
			(void)sqlite3_bind_value(b, i + 1,
			    sqlite3_column_value(a, i));
		(void)sqlite3_step(b);
		(void)sqlite3_reset(b);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	return 0;
}

/*
 * Whose effective access may differ: the principals of changed grants,
 * and every direct holder (in either file) of an entitlement from which
 * a changed expansion edge can be reached. Into n's temp.aff.
 */
static int
c1z_diff_affected(struct c1z_diff *df)
{
	if (c1z_rd_edges(&df->o) != 0 || c1z_rd_edges(&df->n) != 0 ||
	    c1z_rd_exec(&df->n, "CREATE TEMP TABLE edge_o (src TEXT, dst TEXT, "
	    "vt TEXT, vid TEXT, shallow INT, types TEXT); CREATE TEMP TABLE "
	    "rset (ent TEXT PRIMARY KEY); CREATE TEMP TABLE aff (pt TEXT, pid "
	    "TEXT, PRIMARY KEY (pt, pid))") != 0 ||
	    c1z_rd_exec(&df->o, "CREATE TEMP TABLE rset (ent TEXT PRIMARY "
	    "KEY)") != 0 ||
	    c1z_diff_copy(&df->o, "SELECT * FROM temp.edge", &df->n,
	    "INSERT INTO temp.edge_o VALUES (?1, ?2, ?3, ?4, ?5, ?6)", 6) != 0 ||
	    c1z_rd_exec(&df->n, "CREATE INDEX temp.edge_o_dst ON edge_o (dst); "
	    "WITH RECURSIVE chg(src) AS (SELECT src FROM (SELECT * FROM "
	    "temp.edge EXCEPT SELECT * FROM temp.edge_o) UNION SELECT src FROM "
	    "(SELECT * FROM temp.edge_o EXCEPT SELECT * FROM temp.edge)), "
	    "r(ent) AS (SELECT src FROM chg UNION SELECT e.src FROM r JOIN "
	    "(SELECT src, dst FROM temp.edge UNION SELECT src, dst FROM "
	    "temp.edge_o) e ON e.dst = r.ent) INSERT OR IGNORE INTO temp.rset "
	    "SELECT ent FROM r; INSERT OR IGNORE INTO temp.aff SELECT pt, pid "
	    "FROM temp.d WHERE tbl = 2") != 0 ||
	    c1z_diff_copy(&df->n, "SELECT ent FROM temp.rset", &df->o,
	    "INSERT INTO temp.rset VALUES (?1)", 1) != 0 ||
	    c1z_diff_copy(&df->o, "SELECT principal_resource_type_id, "
	    "principal_resource_id FROM v1_grants WHERE sync_id = ?1 AND "
	    "entitlement_id IN (SELECT ent FROM temp.rset)", &df->n,
	    "INSERT OR IGNORE INTO temp.aff VALUES (?1, ?2)", 2) != 0 ||
	    c1z_diff_copy(&df->n, "SELECT principal_resource_type_id, "
	    "principal_resource_id FROM v1_grants WHERE sync_id = ?1 AND "
	    "entitlement_id IN (SELECT ent FROM temp.rset)", &df->n,
	    "INSERT OR IGNORE INTO temp.aff VALUES (?1, ?2)", 2) != 0)
		return -1;
	return 0;
}

/* One access line (text) or element (JSON) of a principal's change. */
static void
c1z_diff_held_out(struct c1z_diff *df, struct c1z_rd *r, int add,
    const char *p, const struct c1z_held *h, int *n)
{
	char	clean[4200];

	if (!df->json) {
		printf("%c access %s ", add ? '+' : '-', text_clean(clean,
		    sizeof(clean), p));
		printf("%s ", text_clean(clean, sizeof(clean), h->ent));
		c1z_rd_path(r, h->path, 0, stdout);
		putchar('\n');
		return;
	}
	fputs((*n)++ ? "," : "", stdout);
	fputs("{\"entitlement\":", stdout);
	c1z_pj_str(stdout, h->ent);
	fputs(",\"via\":", stdout);
	c1z_rd_path(r, h->path, 1, stdout);
	putchar('}');
}

/* The entitlements only in a (kind add: a is NEW, else OLD). */
static void
c1z_diff_side(struct c1z_diff *df, struct c1z_rd *r, int add, const char *p,
    const struct c1z_heldv *a, const struct c1z_heldv *b)
{
	size_t	i = 0, j = 0;
	int	c, n = 0;

	if (df->json)
		printf(",\"%s\":[", add ? "added" : "removed");
	while (i < a->n) {
		c = j >= b->n ? -1 : strcmp(a->v[i].ent, b->v[j].ent);
		if (c < 0)
			c1z_diff_held_out(df, r, add, p, &a->v[i++], &n);
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	if (df->json)
		putchar(']');
}

static int
c1z_diff_access(struct c1z_diff *df)
{
	struct c1z_heldv	 ho, hn;
	sqlite3_stmt		*st;
	char			 p[2100];
	int			 n = 0;

	if (c1z_diff_affected(df) != 0 || (st = c1z_rd_query(&df->n,
	    "SELECT pt, pid FROM temp.aff ORDER BY pt, pid")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *pt = c1z_rd_text(st, 0), *pid = c1z_rd_text(st, 1);
		size_t i;

		memset(&ho, 0, sizeof(ho));
		memset(&hn, 0, sizeof(hn));
		if (c1z_diff_held(&df->o, pt, pid, &ho) != 0 ||
		    c1z_diff_held(&df->n, pt, pid, &hn) != 0)
			break;
		for (i = 0; i < ho.n && i < hn.n &&
		    strcmp(ho.v[i].ent, hn.v[i].ent) == 0; i++)
			;
		if (i < ho.n || i < hn.n) {
			(void)snprintf(p, sizeof(p), "%s:%s", pt, pid);
			if (df->json) {
				if (n++ == 0)
					c1z_diff_top(df, "access"), putchar('[');
				else
					putchar(',');
				printf("\n{\"principal\":{\"resourceType\":");
				c1z_pj_str(stdout, pt);
				fputs(",\"resource\":", stdout);
				c1z_pj_str(stdout, pid);
				putchar('}');
			}
			c1z_diff_side(df, &df->n, 1, p, &hn, &ho);
			c1z_diff_side(df, &df->o, 0, p, &ho, &hn);
			if (df->json)
				putchar('}');
		}
		c1z_heldv_clear(&ho);
		c1z_heldv_clear(&hn);
	}
	sqlite3_finalize(st);
	if (df->json && n > 0)
		fputs("\n]", stdout);
	return 0;
}

static int
c1z_diff_run(struct c1z_diff *df)
{
	sqlite3_stmt	*ins;
	int		 t;

	if (c1z_rd_exec(&df->n, "CREATE TEMP TABLE d (tbl INT, kind INT, ext "
	    "TEXT, pt TEXT, pid TEXT)") != 0 || sqlite3_prepare_v2(df->n.db,
	    "INSERT INTO temp.d VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL) !=
	    SQLITE_OK)
		return -1;
	for (t = 0; t < 3; t++)
		if (c1z_diff_merge(df, t, ins) != 0) {
			sqlite3_finalize(ins);
			return -1;
		}
	sqlite3_finalize(ins);
	if (c1z_rd_exec(&df->n, "CREATE INDEX temp.d_kind ON d (tbl, kind, "
	    "ext)") != 0)
		return -1;
	for (t = 0; t < 3; t++)
		if (c1z_diff_print(df, t) != 0)
			return -1;
	if (c1z_diff_access(df) != 0)
		return -1;
	if (df->json)
		fputs(df->top ? "\n}\n" : "{}\n", stdout);
	return 0;
}

/*
 * Both files at once, one in a child (decompressing and writing out the
 * database is most of the time on a large file). The child only writes
 * into the scratch directory made for it before the fork.
 */
static int
c1z_diff_unpack(struct c1z_diff *df, const char *const f[2])
{
	char	err[512];
	pid_t	pid;
	int	st, e = -1;

	if (c1z_rd_scratch(&df->o, f[0]) != 0)
		return -1;
	if (c1z_rd_scratch(&df->n, f[1]) != 0) {
		c1z_rd_close(&df->o);
		return -1;
	}
	(void)fflush(NULL);
	if ((pid = fork()) == 0) {
		if (c1z_unpack(f[1], df->n.dbpath, err, sizeof(err)) == 0)
			_exit(0);
		fprintf(stderr, "portcullis: c1z: %s\n", err);
		_exit(1);
	}
	if (pid != -1) {
		if (c1z_unpack(f[0], df->o.dbpath, err, sizeof(err)) == 0)
			e = 0;
		else
			fprintf(stderr, "portcullis: c1z: %s\n", err);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			e = -1;
	}
	if (e != 0) {
		c1z_rd_close(&df->o);
		c1z_rd_close(&df->n);
	}
	return e;
}

int
c1z_diff_main(int argc, char **argv)
{
	struct c1z_diff	 df;
	const char	*f[2] = { NULL, NULL };
	int		 i, k = 0, rc = 2;

	memset(&df, 0, sizeof(df));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			df.json = 1;
		else if (argv[i][0] != '-' && k < 2)
			f[k++] = argv[i];
		else
			k = 3;
	}
	if (k != 2) {
		fprintf(stderr, "usage: portcullis c1z diff OLD NEW [--json]\n");
		return 2;
	}
	if (c1z_diff_unpack(&df, f) != 0)
		return 2;
	if (c1z_rd_attach(&df.o, NULL) != 0) {
		c1z_rd_close(&df.n);
		return 2;
	}
	if (c1z_rd_attach(&df.n, NULL) == 0) {
		if (c1z_diff_run(&df) == 0 && fflush(stdout) == 0)
			rc = df.changes > 0 ? 1 : 0;
		c1z_rd_close(&df.n);
	}
	c1z_rd_close(&df.o);
	return rc;
}
