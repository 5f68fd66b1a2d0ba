/*
 * Runs in: agent (the c1z command). Input: an unpacked .c1z (untrusted:
 * every value is bound, never spliced into SQL; walks are capped at
 * C1Z_RD_DEPTH levels and visit each entitlement once, so a cycle in
 * the expansion graph ends).
 *
 * Effective access: what a principal holds directly (its grants) and
 * through expandable grants (baton's GrantExpandable: "holders of the
 * source entitlements also hold this one"), e.g. a team's project role
 * held by each member of the team, with the path ("via team T").
 */
#include <stdlib.h>
#include <string.h>

#include "c1z_pj.h"
#include "c1z_rd.h"
#include "text.h"

#define C1Z_EXPANDABLE_URL	"type.googleapis.com/c1.connector.v2." \
				"GrantExpandable"

static int
c1z_edge_add(sqlite3_stmt *ins, const char *dst, const char *vt,
    const char *vid, const uint8_t *b, size_t len)
{
	Pc__GrantExpandable	*g;
	char			 types[1024];
	size_t			 i, n = 0;

	if ((g = pc__grant_expandable__unpack(NULL, len, b)) == NULL)
		return 0;	/* not one: nothing expands from it */
	types[0] = '\0';
	for (i = 0; i < g->n_resource_type_ids && n < sizeof(types); i++)
		n += (size_t)snprintf(types + n, sizeof(types) - n, "%s%s"
		    C1Z_RD_SEP, n == 0 ? C1Z_RD_SEP : "",
		    g->resource_type_ids[i]);
	for (i = 0; i < g->n_entitlement_ids; i++) {
		if (g->entitlement_ids[i][0] == '\0')
			continue;
		(void)sqlite3_bind_text(ins, 1, g->entitlement_ids[i], -1,
		    SQLITE_STATIC);
		(void)sqlite3_bind_text(ins, 2, dst, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(ins, 3, vt, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(ins, 4, vid, -1, SQLITE_STATIC);
		(void)sqlite3_bind_int(ins, 5, g->shallow);
		(void)sqlite3_bind_text(ins, 6, n < sizeof(types) ? types : "",
		    -1, SQLITE_STATIC);
		(void)sqlite3_step(ins);
		(void)sqlite3_reset(ins);
	}
	pc__grant_expandable__free_unpacked(g, NULL);
	return 0;
}

/* A grant of a file older than the expansion column: its annotation. */
static void
c1z_edge_legacy(sqlite3_stmt *ins, sqlite3_stmt *st)
{
	Pc__Grant	*g;
	size_t		 i;

	if ((g = pc__grant__unpack(NULL, (size_t)sqlite3_column_bytes(st, 3),
	    sqlite3_column_blob(st, 3))) == NULL)
		return;
	for (i = 0; i < g->n_annotations; i++)
		if (g->annotations[i]->type_url != NULL &&
		    strcmp(g->annotations[i]->type_url, C1Z_EXPANDABLE_URL) == 0)
			(void)c1z_edge_add(ins, c1z_rd_text(st, 0),
			    c1z_rd_text(st, 1), c1z_rd_text(st, 2),
			    g->annotations[i]->value.data,
			    g->annotations[i]->value.len);
	pc__grant__free_unpacked(g, NULL);
}

int
c1z_rd_edges(struct c1z_rd *r)
{
	sqlite3_stmt	*st, *ins;

	if (r->edges)
		return 0;
	if (c1z_rd_exec(r, "CREATE TEMP TABLE edge (src TEXT, dst TEXT, vt "
	    "TEXT, vid TEXT, shallow INT, types TEXT)") != 0 ||
	    sqlite3_prepare_v2(r->db, "INSERT INTO temp.edge VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6)", -1, &ins, NULL) != SQLITE_OK)
		return -1;
	st = c1z_rd_query(r, r->has_expansion ? "SELECT entitlement_id, "
	    "principal_resource_type_id, principal_resource_id, expansion "
	    "FROM v1_grants WHERE sync_id = ?1 AND expansion IS NOT NULL" :
	    "SELECT entitlement_id, principal_resource_type_id, "
	    "principal_resource_id, data FROM v1_grants WHERE sync_id = ?1 "
	    "AND instr(data, 'GrantExpandable') > 0");
	if (st == NULL) {
		sqlite3_finalize(ins);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (r->has_expansion)
			(void)c1z_edge_add(ins, c1z_rd_text(st, 0),
			    c1z_rd_text(st, 1), c1z_rd_text(st, 2),
			    sqlite3_column_blob(st, 3),
			    (size_t)sqlite3_column_bytes(st, 3));
		else
			c1z_edge_legacy(ins, st);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	r->edges = 1;
	return c1z_rd_exec(r, "CREATE INDEX temp.edge_src ON edge (src); "
	    "CREATE INDEX temp.edge_dst ON edge (dst)");
}

/* Run st (already bound) level by level until no row is added. */
static int
c1z_walk(struct c1z_rd *r, sqlite3_stmt *st)
{
	int	d, rc = 0;

	for (d = 0; d < C1Z_RD_DEPTH; d++) {
		(void)sqlite3_bind_int(st, 1, d);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "portcullis: c1z: %s: %s\n", r->file,
			    sqlite3_errmsg(r->db));
			rc = -1;
			break;
		}
		(void)sqlite3_reset(st);
		if (sqlite3_changes(r->db) == 0)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

int
c1z_rd_access(struct c1z_rd *r, const char *pt, const char *pid)
{
	sqlite3_stmt	*st;

	if (c1z_rd_edges(r) != 0 || c1z_rd_exec(r, "CREATE TEMP TABLE IF NOT "
	    "EXISTS seen (ent TEXT PRIMARY KEY, depth INT, path TEXT, direct "
	    "INT); DELETE FROM temp.seen") != 0 ||
	    (st = c1z_rd_query(r, "INSERT OR IGNORE INTO temp.seen SELECT "
	    "entitlement_id, 0, '', 1 FROM v1_grants WHERE sync_id = ?1 AND "
	    "principal_resource_type_id = ?2 AND principal_resource_id = ?3"))
	    == NULL)
		return -1;
	(void)sqlite3_bind_text(st, 2, pt, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 3, pid, -1, SQLITE_STATIC);
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
	/* Shallow: only who holds the source directly gets it. The ORDER
	 * BY makes the path kept for an entitlement the same every run. */
	if (sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO temp.seen SELECT "
	    "e.dst, ?1 + 1, CASE WHEN s.path = '' THEN e.vt || ':' || e.vid "
	    "ELSE s.path || char(31) || e.vt || ':' || e.vid END, 0 FROM "
	    "temp.seen s JOIN temp.edge e ON e.src = s.ent WHERE s.depth = ?1 "
	    "AND (e.shallow = 0 OR s.direct = 1) AND (e.types = '' OR "
	    "instr(e.types, char(31) || ?2 || char(31)) > 0) ORDER BY e.dst, "
	    "e.vt, e.vid", -1, &st, NULL) != SQLITE_OK)
		return -1;
	(void)sqlite3_bind_text(st, 2, pt, -1, SQLITE_TRANSIENT);
	return c1z_walk(r, st);
}

/* Who holds ent: temp table hold(ent, depth, path, shallow, types). */
static int
c1z_holders(struct c1z_rd *r, const char *ent)
{
	sqlite3_stmt	*st;

	if (c1z_rd_edges(r) != 0 || c1z_rd_exec(r, "CREATE TEMP TABLE hold "
	    "(ent TEXT PRIMARY KEY, depth INT, path TEXT, shallow INT, types "
	    "TEXT)") != 0 || sqlite3_prepare_v2(r->db, "INSERT INTO temp.hold "
	    "VALUES (?1, 0, '', 0, '')", -1, &st, NULL) != SQLITE_OK)
		return -1;
	(void)sqlite3_bind_text(st, 1, ent, -1, SQLITE_STATIC);
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
	/* A holder of src gets dst; past a shallow edge only directly. */
	if (sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO temp.hold SELECT "
	    "e.src, ?1 + 1, CASE WHEN h.path = '' THEN e.vt || ':' || e.vid "
	    "ELSE e.vt || ':' || e.vid || char(31) || h.path END, e.shallow, "
	    "e.types FROM temp.hold h JOIN temp.edge e ON e.dst = h.ent WHERE "
	    "h.depth = ?1 AND h.shallow = 0 ORDER BY e.src, e.vt, e.vid", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	return c1z_walk(r, st);
}

/* The display name of resource "type:id", else the id itself. */
static void
c1z_name(sqlite3_stmt *st, const char *ext, char *out, size_t outsz)
{
	Pc__Resource	*res = NULL;

	(void)sqlite3_reset(st);
	(void)sqlite3_bind_text(st, 2, ext, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		res = pc__resource__unpack(NULL, (size_t)sqlite3_column_bytes(
		    st, 0), sqlite3_column_blob(st, 0));
	if (res != NULL && res->display_name != NULL &&
	    res->display_name[0] != '\0')
		(void)snprintf(out, outsz, "%s", res->display_name);
	else
		(void)snprintf(out, outsz, "%s", strchr(ext, ':') ?
		    strchr(ext, ':') + 1 : ext);
	pc__resource__free_unpacked(res, NULL);
	(void)sqlite3_reset(st);
}

/* A path "t:id<SEP>t:id" for people: "via team Red > group Ops". */
static void
c1z_via_text(sqlite3_stmt *names, const char *path, FILE *fp)
{
	char		 hop[2100], name[1100], clean[1100], type[300];
	const char	*p = path, *end;
	size_t		 n;

	fputs("via ", fp);
	while (*p != '\0') {
		end = strstr(p, C1Z_RD_SEP);
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		(void)snprintf(hop, sizeof(hop), "%.*s", (int)n, p);
		c1z_name(names, hop, name, sizeof(name));
		(void)snprintf(clean, sizeof(clean), "%.*s", (int)(strchr(hop,
		    ':') ? strchr(hop, ':') - hop : 0), hop);
		fprintf(fp, "%s%s ", p == path ? "" : " > ", text_clean(type,
		    sizeof(type), clean));
		fputs(text_clean(clean, sizeof(clean), name), fp);
		p += n;
		if (end != NULL)
			p++;
	}
}

static void
c1z_via_json(sqlite3_stmt *names, const char *path, FILE *fp)
{
	char		 hop[2100], name[1100];
	const char	*p = path, *end, *id;
	size_t		 n;

	fputs("{\"path\":[", fp);
	while (*p != '\0') {
		end = strstr(p, C1Z_RD_SEP);
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		(void)snprintf(hop, sizeof(hop), "%.*s", (int)n, p);
		c1z_name(names, hop, name, sizeof(name));
		id = "";
		if (strchr(hop, ':') != NULL) {
			id = strchr(hop, ':') + 1;
			hop[id - hop - 1] = '\0';
		}
		fputs(p == path ? "{\"resourceType\":" : ",{\"resourceType\":",
		    fp);
		c1z_pj_str(fp, *id != '\0' ? hop : "");
		fputs(",\"resource\":", fp);
		c1z_pj_str(fp, id);
		fputs(",\"displayName\":", fp);
		c1z_pj_str(fp, name);
		putc('}', fp);
		p += n;
		if (end != NULL)
			p++;
	}
	fputs("]}", fp);
}

void
c1z_rd_path(struct c1z_rd *r, const char *path, int json, FILE *fp)
{
	sqlite3_stmt	*names;

	if ((names = c1z_rd_query(r, "SELECT data FROM v1_resources WHERE "
	    "sync_id = ?1 AND external_id = ?2")) == NULL)
		return;
	if (*path == '\0')
		fputs(json ? "{\"direct\":true}" : "direct", fp);
	else if (json)
		c1z_via_json(names, path, fp);
	else
		c1z_via_text(names, path, fp);
	sqlite3_finalize(names);
}

/*
 * A direct grant's baton sources (a file baton already expanded): the
 * source entitlements other than its own, into src ("" when direct).
 */
static void
c1z_sources(sqlite3_stmt *gst, const char *key, const char *ent, char *src,
    size_t srcsz)
{
	Pc__Grant	*g = NULL;
	size_t		 i, n = 0;
	int		 own = 0;

	src[0] = '\0';
	(void)sqlite3_reset(gst);
	(void)sqlite3_bind_text(gst, 2, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(gst) == SQLITE_ROW)
		g = pc__grant__unpack(NULL, (size_t)sqlite3_column_bytes(gst,
		    0), sqlite3_column_blob(gst, 0));
	if (g != NULL && g->sources != NULL) {
		for (i = 0; i < g->sources->n_sources; i++)
			own |= strcmp(g->sources->sources[i]->key, ent) == 0;
		for (i = 0; !own && i < g->sources->n_sources &&
		    n < srcsz; i++)
			n += (size_t)snprintf(src + n, srcsz - n, "%s%s",
			    n ? C1Z_RD_SEP : "", g->sources->sources[i]->key);
		if (n >= srcsz)
			src[srcsz - 1] = '\0';
	}
	pc__grant__free_unpacked(g, NULL);
	(void)sqlite3_reset(gst);
}

struct c1z_acc {
	struct c1z_rd	*r;
	sqlite3_stmt	*names, *grant, *ent, *res, *rtype;
	int		 json;
	char		 pkey[2100];	/* ":type:id" of the principal */
};

/* How row st (ent, depth, path, direct) is held, as text or JSON. */
static void
c1z_acc_via(struct c1z_acc *a, sqlite3_stmt *st, FILE *fp)
{
	char		 key[4300], src[4096], *s, *end;
	int		 direct = sqlite3_column_int(st, 3);

	(void)snprintf(key, sizeof(key), "%s%s", c1z_rd_text(st, 0), a->pkey);
	src[0] = '\0';
	if (direct)
		c1z_sources(a->grant, key, c1z_rd_text(st, 0), src,
		    sizeof(src));
	if (!direct && a->json)
		c1z_via_json(a->names, c1z_rd_text(st, 2), fp);
	else if (!direct)
		c1z_via_text(a->names, c1z_rd_text(st, 2), fp);
	else if (src[0] == '\0')
		fputs(a->json ? "{\"direct\":true}" : "direct", fp);
	else if (!a->json) {
		for (s = src; (s = strstr(s, C1Z_RD_SEP)) != NULL; )
			*s = ',';
		fprintf(fp, "expanded from %s", text_clean(key, sizeof(key),
		    src));
	} else {
		fputs("{\"sources\":[", fp);
		for (s = src; s != NULL; s = end) {
			if ((end = strstr(s, C1Z_RD_SEP)) != NULL)
				*end++ = '\0';
			c1z_pj_str(fp, s);
			fputs(end != NULL ? "," : "", fp);
		}
		fputs("]}", fp);
	}
}

static int
c1z_acc_prepare(struct c1z_acc *a)
{
	static const char *const sql[] = {
		"SELECT data FROM v1_resources WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_grants WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_entitlements WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_resources WHERE sync_id = ?1 AND "
		"external_id = ?2",
		"SELECT data FROM v1_resource_types WHERE sync_id = ?1 AND "
		"external_id = ?2",
	};
	sqlite3_stmt	**out[] = { &a->names, &a->grant, &a->ent, &a->res,
			    &a->rtype };
	size_t		  i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if ((*out[i] = c1z_rd_query(a->r, sql[i])) == NULL)
			return -1;
	return 0;
}

static void
c1z_acc_clear(struct c1z_acc *a)
{
	sqlite3_finalize(a->names);
	sqlite3_finalize(a->grant);
	sqlite3_finalize(a->ent);
	sqlite3_finalize(a->res);
	sqlite3_finalize(a->rtype);
}

/* Open one ResourceAccessOutput: {"resourceType","resource","entitlements":[ */
static void
c1z_acc_open(struct c1z_acc *a, const char *rt, const char *rid, int first)
{
	char	ext[2100];

	/* protojson leaves an empty list out: "access" opens here. */
	fputs(first ? ",\"access\":[\n{" : ",\n{", stdout);
	(void)snprintf(ext, sizeof(ext), "%s:%s", rt, rid);
	fputs("\"resourceType\":", stdout);
	if (c1z_rd_print(a->r, a->rtype, rt, &pc__resource_type__descriptor,
	    stdout) != 0)
		fputs("null", stdout);
	fputs(",\"resource\":", stdout);
	if (c1z_rd_print(a->r, a->res, ext, &pc__resource__descriptor,
	    stdout) != 0)
		fputs("null", stdout);
	fputs(",\"entitlements\":[", stdout);
}

/* The rows of temp.seen grouped by resource (baton's access layout). */
static int
c1z_acc_rows(struct c1z_acc *a, sqlite3_stmt *st)
{
	char	 last[2100] = "", cur[2100], *vbuf = NULL;
	size_t	 vlen = 0;
	FILE	*via = NULL;
	int	 n = 0, k = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rt = c1z_rd_text(st, 4), *rid = c1z_rd_text(st, 5);

		(void)snprintf(cur, sizeof(cur), "%s:%s", rt, rid);
		if (!a->json) {
			printf("%s\t", text_clean(last, sizeof(last), rt));
			printf("%s\t", text_clean(last, sizeof(last), rid));
			printf("%s\t", text_clean(last, sizeof(last),
			    c1z_rd_text(st, 0)));
			c1z_acc_via(a, st, stdout);
			putchar('\n');
			continue;
		}
		if (n == 0 || strcmp(cur, last) != 0) {
			if (via != NULL) {
				fclose(via);
				printf("],\"via\":[%s]}", vbuf);
				free(vbuf);
			}
			if ((via = open_memstream(&vbuf, &vlen)) == NULL)
				return -1;
			c1z_acc_open(a, rt, rid, n == 0);
			(void)snprintf(last, sizeof(last), "%s", cur);
			k = 0;
		}
		n++;
		fputs(k ? "," : "", stdout);
		fputs(k++ ? "," : "", via);
		if (c1z_rd_print(a->r, a->ent, c1z_rd_text(st, 0),
		    &pc__entitlement__descriptor, stdout) != 0) {
			fputs("{\"id\":", stdout);
			c1z_pj_str(stdout, c1z_rd_text(st, 0));
			putchar('}');
		}
		c1z_acc_via(a, st, via);
	}
	if (via != NULL) {
		fclose(via);
		printf("],\"via\":[%s]}", vbuf);
		free(vbuf);
	}
	return n;
}

static int
c1z_access_run(struct c1z_acc *a, const char *pt, const char *pid)
{
	sqlite3_stmt	*st;
	char		 ext[2100];
	int		 n;

	if (c1z_rd_access(a->r, pt, pid) != 0 || (st = c1z_rd_query(a->r,
	    "SELECT s.ent, s.depth, s.path, s.direct, coalesce("
	    "e.resource_type_id, ''), coalesce(e.resource_id, '') FROM "
	    "temp.seen s LEFT JOIN v1_entitlements e ON e.external_id = "
	    "s.ent AND e.sync_id = ?1 ORDER BY 5, 6, s.ent")) == NULL)
		return 2;
	(void)snprintf(ext, sizeof(ext), "%s:%s", pt, pid);
	if (a->json) {
		fputs("{\"principal\":", stdout);
		if (c1z_rd_print(a->r, a->res, ext, &pc__resource__descriptor,
		    stdout) != 0)
			fputs("null", stdout);
	} else
		printf("resource_type\tresource\tentitlement\tvia\n");
	n = c1z_acc_rows(a, st);
	sqlite3_finalize(st);
	if (a->json)
		fputs(n > 0 ? "\n]}\n" : "}\n", stdout);
	return n < 0 ? 2 : 0;
}

/* Holders of temp.hold's entitlements, nearest path per principal. */
static int
c1z_principals_run(struct c1z_acc *a)
{
	sqlite3_stmt	*st;
	char		 ext[2100], c[2100];
	int		 n = 0;

	if ((st = c1z_rd_query(a->r, "SELECT g.principal_resource_type_id, "
	    "g.principal_resource_id, min(h.depth), h.path FROM temp.hold h "
	    "JOIN v1_grants g ON g.entitlement_id = h.ent AND g.sync_id = ?1 "
	    "WHERE h.types = '' OR instr(h.types, char(31) || "
	    "g.principal_resource_type_id || char(31)) > 0 GROUP BY 1, 2 "
	    "ORDER BY 1, 2")) == NULL)
		return 2;
	if (!a->json)
		printf("resource_type\tid\tdisplay_name\tvia\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *pt = c1z_rd_text(st, 0), *path = c1z_rd_text(st, 3);

		(void)snprintf(ext, sizeof(ext), "%s:%s", pt,
		    c1z_rd_text(st, 1));
		if (a->json) {
			fputs(n++ ? ",\n{\"resource\":" :
			    "{\"resources\":[\n{\"resource\":", stdout);
			if (c1z_rd_print(a->r, a->res, ext,
			    &pc__resource__descriptor, stdout) != 0)
				fputs("null", stdout);
			fputs(",\"resourceType\":", stdout);
			if (c1z_rd_print(a->r, a->rtype, pt,
			    &pc__resource_type__descriptor, stdout) != 0)
				fputs("null", stdout);
			fputs(",\"via\":", stdout);
			if (*path == '\0')
				fputs("{\"direct\":true}", stdout);
			else
				c1z_via_json(a->names, path, stdout);
			fputs("}", stdout);
			continue;
		}
		c1z_name(a->names, ext, c, sizeof(c));
		printf("%s\t", text_clean(ext, sizeof(ext), pt));
		printf("%s\t", text_clean(ext, sizeof(ext),
		    c1z_rd_text(st, 1)));
		printf("%s\t", text_clean(ext, sizeof(ext), c));
		if (*path == '\0')
			fputs("direct", stdout);
		else
			c1z_via_text(a->names, path, stdout);
		putchar('\n');
	}
	sqlite3_finalize(st);
	if (a->json)
		fputs(n > 0 ? "\n]}\n" : "{}\n", stdout);
	return 0;
}

int
c1z_access_main(struct c1z_rd *r, const char *cmd, const char *p,
    const char *e, int json)
{
	struct c1z_acc	 a;
	char		 pt[256];
	const char	*pid;
	int		 rc = 2;

	memset(&a, 0, sizeof(a));
	a.r = r;
	a.json = json;
	if (strcmp(cmd, "access") == 0 && (p == NULL ||
	    c1z_rd_split(p, pt, sizeof(pt), &pid) != 0)) {
		fprintf(stderr, "portcullis: c1z: access needs -p TYPE:ID\n");
		return 2;
	}
	if (strcmp(cmd, "principals") == 0 && e == NULL) {
		fprintf(stderr, "portcullis: c1z: principals needs -e "
		    "ENTITLEMENT\n");
		return 2;
	}
	if (c1z_acc_prepare(&a) == 0) {
		if (strcmp(cmd, "access") == 0) {
			(void)snprintf(a.pkey, sizeof(a.pkey), ":%s", p);
			rc = c1z_access_run(&a, pt, pid);
		} else if (c1z_holders(r, e) == 0)
			rc = c1z_principals_run(&a);
	}
	c1z_acc_clear(&a);
	return rc;
}
