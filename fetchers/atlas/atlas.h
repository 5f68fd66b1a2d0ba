/*
 * The MongoDB Atlas Admin API v2 fetcher: what its files share. Every
 * call names the media-type version its operation is declared with (the
 * version differs by method on one path), pages are 1-based with 500
 * items, and vendor JSON is read only through pcj.
 */
#ifndef PC_ATLAS_H
#define PC_ATLAS_H

#include "emit.h"
#include "fetch.h"
#include "pcj.h"

#define ATLAS_V2023	"application/vnd.atlas.2023-01-01+json"
#define ATLAS_V2024	"application/vnd.atlas.2024-08-05+json"
#define ATLAS_V2025	"application/vnd.atlas.2025-02-19+json"

#define ATLAS_PAGE		500	/* the API's maximum itemsPerPage */
#define ATLAS_TRIES		6	/* per call, on 429 and 5xx */
#define ATLAS_BACKOFF_MAX	60	/* seconds */
#define ATLAS_ID_MAX		1100	/* 24-hex ids, or 1024-byte user names */

struct atlas {
	struct fetch	*f;
	int		 sync_dbs;	/* enable-sync-databases */
	int		 invite;	/* create-invite-key */
	int		 del_read_only;	/* delete-database-user-with-read-only */
	int		 rm_last_role;	/* remove-org-user-on-last-role */
	unsigned	 calls;
	const char	*slot;		/* secret slot for the next call */
	char		 err[512];	/* the last Atlas error, one line */
};

struct atlas_resp {
	struct fetch_resp	r;
	struct pcj_doc		doc;	/* parsed body of a 2xx, if any */
	int			parsed;
};

void	atlas_resp_init(struct atlas_resp *ar);
void	atlas_resp_clear(struct atlas_resp *ar);
/*
 * One call, retried on 429/5xx after Retry-After or a backoff. 0 on a
 * 2xx (body parsed when it is JSON); PC_E_REMOTE with ar->r.status and
 * a->err set on any other status; a channel or broker error otherwise.
 */
int	atlas_call(struct atlas *a, const char *method, const char *path,
	    const char *ver, const struct buf *body, const char *op,
	    const char *target, struct atlas_resp *ar) PC_WUR;

typedef int (*atlas_item_fn)(struct atlas *, const struct pcj_doc *, int,
	    void *);
/* Every item of a paginated list; count 0 for ops without includeCount. */
int	atlas_list(struct atlas *a, const char *path, const char *ver,
	    int count, atlas_item_fn fn, void *arg) PC_WUR;

/* String member key of obj into dst ("" when absent or not a string). */
const char *atlas_str(const struct pcj_doc *d, int obj, const char *key,
	    char *dst, size_t dstsz);
/*
 * 1 when s is a 24-hex Atlas id (orgId, groupId, userId, teamId). Ids
 * from responses go into request paths only after this check.
 */
int	atlas_hexid(const char *s);
/* Atlas error body code ("USER_NOT_FOUND") of the last failed call. */
int	atlas_errcode_is(const struct atlas_resp *ar, const char *code);

/* Role name <-> slug tables (baton's slugs). */
const char *atlas_org_role_slug(const char *role);
const char *atlas_org_role_name(const char *slug);
const char *atlas_project_role_slug(const char *role);
const char *atlas_project_role_name(const char *slug);
extern const char *const atlas_org_roles[];
extern const char *const atlas_project_roles[];
extern const char *const atlas_db_roles[];
extern const char *const atlas_admin_roles[];

/* One grant or revoke being carried out (grant.c, roles.c). */
struct atlas_op {
	struct atlas	*a;
	int		 revoke;
	char		 rtype[32], rid[600], slug[80];
	char		 ptype[32], pid[ATLAS_ID_MAX];
	char		 target[1024];	/* the grant id, for the audit */
};

/* Result line "granted X to Y" / "already revoked ..."; returns 0. */
int	atlas_done(struct atlas_op *o, int already);
int	atlas_current(struct atlas_op *o, const char *path, const char *ver,
	    struct atlas_resp *ar, int *gone) PC_WUR;
int	atlas_write(struct atlas_op *o, const char *method, const char *path,
	    const char *ver, const struct buf *body, struct atlas_resp *ar)
	    PC_WUR;
int	atlas_bad_principal(struct atlas_op *o, const char *want);
int	atlas_has(const struct pcj_doc *d, int arr, const char *s);
/* Copy member key of obj into b as "key":<raw value> (JSON object). */
int	atlas_copy_raw(struct buf *b, const struct pcj_doc *d, int obj,
	    const char *key, int *first) PC_WUR;
int	atlas_project_grant(struct atlas_op *o) PC_WUR;
int	atlas_dbrole_grant(struct atlas_op *o) PC_WUR;

int	atlas_sync(struct atlas *a) PC_WUR;
int	atlas_grant(struct atlas *a, int revoke) PC_WUR;
int	atlas_create_account(struct atlas *a) PC_WUR;
int	atlas_delete(struct atlas *a) PC_WUR;

/* A database role held by a database user of the project being synced. */
struct atlas_dbrole {
	char	user[ATLAS_ID_MAX];	/* database_user resource id */
	char	db[128];
	char	role[64];
};

struct atlas_dbroles {
	struct atlas_dbrole	*r;
	size_t			 n;
};

/* Resource sync steps (one file each). */
int	atlas_orgs_sync(struct atlas *a) PC_WUR;
int	atlas_users_sync(struct atlas *a, const char *org) PC_WUR;
int	atlas_teams_sync(struct atlas *a, const char *org) PC_WUR;
int	atlas_projects_sync(struct atlas *a, const char *org) PC_WUR;
int	atlas_dbusers_sync(struct atlas *a, const char *group,
	    struct atlas_dbroles *roles) PC_WUR;
int	atlas_clusters_sync(struct atlas *a, const char *group,
	    const struct atlas_dbroles *roles) PC_WUR;
int	atlas_apikeys_sync(struct atlas *a, const char *org) PC_WUR;

#endif /* PC_ATLAS_H */
