/*
 * Runs in: the fuzzer (the c1z command's code). Input: rows of a .c1z
 * from elsewhere (a file handed to an auditor): hostile protobuf blobs.
 *
 * The input is up to C1ZF_ROWS segments, separated by "\n~~\n". Each is
 * decoded as every row message (resource type, resource, entitlement,
 * grant, grant sources) and printed as protojson (c1z_pj_blob), then
 * stored as row k of every table of an in-memory database with the
 * writer's schema (its data, and the next segment as the grant's
 * expansion; the sync run's type is the segment as text) and read back
 * by `c1z show` (text and --json, every table), `c1z show access` and
 * `principals` (the expansion walk) and `c1z export --csv` (every
 * table), as the commands run them. Output goes to /dev/null; nothing
 * may crash, leak or loop.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "c1z.h"
#include "c1z_pj.h"
#include "c1z_rd.h"

#define C1ZF_ROWS	6
#define C1ZF_SHOWS	6	/* c1z_show_rd's tables before access */
#define C1ZF_CSVS	5

static const ProtobufCMessageDescriptor *const c1zf_descs[] = {
	&pc__resource_type__descriptor, &pc__resource__descriptor,
	&pc__entitlement__descriptor, &pc__grant__descriptor,
	&pc__grant_sources__descriptor,
};

struct c1zf_seg {
	const uint8_t	*p;
	size_t		 n;
};

static size_t
c1zf_split(const uint8_t *p, size_t n, struct c1zf_seg *seg)
{
	const uint8_t	*end = p + n, *e;
	size_t		 k = 0;

	while (k < C1ZF_ROWS) {
		e = memmem(p, (size_t)(end - p), "\n~~\n", 4);
		seg[k].p = p;
		seg[k].n = e != NULL ? (size_t)(e - p) : (size_t)(end - p);
		k++;
		if (e == NULL)
			break;
		p = e + 4;
	}
	return k;
}

/* Row k of every table: segment k as its data. */
static int
c1zf_rows(sqlite3 *db, const struct c1zf_seg *seg, size_t nseg, size_t k)
{
	static const char sql[] =
	    "INSERT INTO v1_resource_types (external_id, data, sync_id, "
	    "discovered_at) VALUES ('rt' || ?1, ?2, 'S', 0);"
	    "INSERT INTO v1_resources (resource_type_id, external_id, "
	    "parent_resource_type_id, parent_resource_id, data, sync_id, "
	    "discovered_at) VALUES ('user', 'user:u' || ?1, 'group', 'g0', "
	    "?2, 'S', 0);"
	    "INSERT INTO v1_entitlements (resource_type_id, resource_id, "
	    "external_id, data, sync_id, discovered_at) VALUES ('group', "
	    "'g' || ?1, 'group:g' || ?1 || ':member', ?2, 'S', 0);"
	    "INSERT INTO v1_grants (resource_type_id, resource_id, "
	    "entitlement_id, principal_resource_type_id, "
	    "principal_resource_id, external_id, expansion, needs_expansion, "
	    "data, sync_id, discovered_at) VALUES ('group', 'g' || ?1, "
	    "'group:g' || ?1 || ':member', iif(?1 % 2, 'group', 'user'), "
	    "iif(?1 % 2, 'g' || (?1 - 1), 'u' || ?1), 'gr' || ?1, ?3, "
	    "?3 IS NOT NULL, ?2, 'S', 0);"
	    "INSERT INTO v1_sync_runs (sync_id, started_at, ended_at, "
	    "sync_token, sync_type) VALUES (iif(?1, 'T' || ?1, 'S'), ?1, "
	    "?1, '', CAST(?2 AS TEXT));";
	const char	*tail = sql;
	sqlite3_stmt	*st;
	int		 rc = 0;

	while (rc == 0 && *tail != '\0') {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			abort();	/* the harness's own SQL */
		(void)sqlite3_bind_int(st, 1, (int)k);
		(void)sqlite3_bind_blob(st, 2, seg[k].n ? (const void *)
		    seg[k].p : "", (int)seg[k].n, SQLITE_STATIC);
		if (k + 1 < nseg)
			(void)sqlite3_bind_blob(st, 3, seg[k + 1].p,
			    (int)seg[k + 1].n, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_finalize(st);
	}
	return rc;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static FILE	*null;
	static int	 out = -1, nullfd = -1;
	struct c1zf_seg	 seg[C1ZF_ROWS];
	struct c1z_rd	 r;
	size_t		 nseg, k, i;

	if (null == NULL && ((null = fopen("/dev/null", "w")) == NULL ||
	    (nullfd = fileno(null)) < 0 || (out = dup(1)) < 0))
		abort();
	/* show prints to stdout: /dev/null while it runs, the driver's
	 * own lines (replay's count) still go out. */
	(void)fflush(stdout);
	if (dup2(nullfd, 1) < 0)
		abort();
	nseg = c1zf_split(p, n, seg);
	for (k = 0; k < nseg; k++)
		for (i = 0; i < sizeof(c1zf_descs) / sizeof(c1zf_descs[0]); i++)
			(void)c1z_pj_blob(null, c1zf_descs[i], seg[k].p,
			    seg[k].n);
	memset(&r, 0, sizeof(r));
	r.file = "fuzz.c1z";
	(void)snprintf(r.sync, sizeof(r.sync), "S");
	r.has_expansion = 1;
	if (sqlite3_open(":memory:", &r.db) != SQLITE_OK ||
	    sqlite3_exec(r.db, c1z_schema, NULL, NULL, NULL) != SQLITE_OK)
		abort();
	for (k = 0; k < nseg; k++)
		if (c1zf_rows(r.db, seg, nseg, k) != 0)
			abort();
	for (i = 0; i < C1ZF_SHOWS; i++) {
		(void)c1z_show_rd(&r, i, 0);
		(void)c1z_show_rd(&r, i, 1);
	}
	/* One of each, as one command runs (their temp tables stay). */
	(void)c1z_access_main(&r, "access", n % 2 ? "group:g1" : "user:u0",
	    NULL, (int)(n / 2 % 2));
	(void)c1z_access_main(&r, "principals", NULL, n % 2 ?
	    "group:g0:member" : "group:g2:member", (int)(n / 4 % 2));
	for (i = 0; i < C1ZF_CSVS; i++)
		(void)c1z_csv_table(&r, i, null);
	(void)fflush(null);
	(void)fflush(stdout);
	if (dup2(out, 1) < 0)
		abort();
	sqlite3_close(r.db);
	return 0;
}
