/*
 * The MongoDB Atlas Admin API v2 fetcher, on the connector kit: what its
 * files share. Every call names the media-type version its operation is
 * declared with (the version differs by method on one path), pages are
 * 1-based with 500 items, and vendor JSON is read only through pcj.
 */
#ifndef PC_ATLAS_H
#define PC_ATLAS_H

#include "kit.h"

#define ATLAS_V2023	"application/vnd.atlas.2023-01-01+json"
#define ATLAS_V2024	"application/vnd.atlas.2024-08-05+json"
#define ATLAS_V2025	"application/vnd.atlas.2025-02-19+json"

#define ATLAS_PAGE	500	/* the API's maximum itemsPerPage */
#define ATLAS_ID_MAX	1100	/* 24-hex ids, or 1024-byte user names */
#define ATLAS_FEDS_MAX	256	/* federations of one run's orgs */
#define ATLAS_FED_IDPS	256	/* providers of one federation mapped */
#define ATLAS_FED_LIST	64	/* domains or ids shown in one profile */

/* The connector's state: its options. */
struct atlas {
	int	sync_dbs;	/* enable-sync-databases */
	int	invite;		/* create-invite-key */
	int	del_read_only;	/* delete-database-user-with-read-only */
	int	rm_last_role;	/* remove-org-user-on-last-role */
	char	feds[ATLAS_FEDS_MAX][32];	/* federations shown */
	size_t	nfeds;
};

#define ATLAS(c)	((struct atlas *)(c)->vendor)

/* A shared id (an org's, a project's) held by the listings under it. */
struct atlas_id {
	struct conn_ref	 ref;
	char		 id[ATLAS_ID_MAX];
	char		 org[32];
};

/*
 * List path (count: the operation takes includeCount) with item on
 * every object of every page; end after the last, ref held meanwhile.
 */
int	atlas_list(struct conn *c, const char *path, const char *ver,
	    int count, pager_item_fn item, pager_end_fn end, void *arg,
	    struct conn_ref *ref) PC_WUR;
/* One call, the Accept and Content-Type of its operation's version. */
int	atlas_call(struct conn *c, const char *method, const char *path,
	    const char *ver, const struct buf *body, const char *op,
	    const char *target, struct conn_resp *r) PC_WUR;
/* A shared id for listings, released by the last of them. */
struct atlas_id *atlas_id_new(struct conn *c, const char *id, const char *org);

/*
 * 1 when s is a 24-hex Atlas id (orgId, groupId, userId, teamId). Ids
 * from responses go into request paths only after this check.
 */
int	atlas_hexid(const char *s);
/* Atlas error body code ("USER_NOT_FOUND") of a failed call. */
int	atlas_errcode_is(const struct conn_resp *r, const char *code);

/* Role name <-> slug tables (baton's slugs). */
const char *atlas_org_role_slug(const char *role);
const char *atlas_org_role_name(const char *slug);
const char *atlas_project_role_slug(const char *role);
const char *atlas_project_role_name(const char *slug);
extern const char *const atlas_org_roles[];
extern const char *const atlas_project_roles[];
extern const char *const atlas_db_roles[];
extern const char *const atlas_admin_roles[];

/* Provisioning helpers (grant.c). */
int	atlas_current(struct kit_op *o, const char *path, const char *ver,
	    struct conn_resp *r, int *gone) PC_WUR;
int	atlas_write(struct kit_op *o, const char *method, const char *path,
	    const char *ver, const struct buf *body, struct conn_resp *r)
	    PC_WUR;
/* Copy member key of obj into b as "key":<raw value> (JSON object). */
int	atlas_copy_raw(struct buf *b, const struct pcj_doc *d, int obj,
	    const char *key, int *first) PC_WUR;

int	atlas_org_grant(struct kit_op *o) PC_WUR;
int	atlas_team_grant(struct kit_op *o) PC_WUR;
int	atlas_project_grant(struct kit_op *o) PC_WUR;
int	atlas_dbrole_grant(struct kit_op *o) PC_WUR;

int	atlas_sync(struct conn *c) PC_WUR;
int	atlas_create_account(struct conn *c) PC_WUR;
int	atlas_delete(struct conn *c) PC_WUR;

/*
 * A database role held by a database user of the project being synced:
 * on db, slug is the role, or `<role>@<collection>` for one collection.
 * scopes: NULL when the user reaches every cluster of the project, else
 * "\n<name>\n<name>\n..." (only "\n": none) from its CLUSTER scopes.
 */
struct atlas_dbrole {
	char	 user[ATLAS_ID_MAX];	/* database_user resource id */
	char	 db[128];
	char	 slug[256];
	char	*scopes;
};

#define ATLAS_SLUG_MAX	256	/* the agent's entitlement slug bound */

/* Names held once each (a project's admin roles), ATLAS_ADMIN_MAX at most. */
struct atlas_names {
	char	**v;
	size_t	  n;
};

struct atlas_cl;

/*
 * A project under sync: its database users' roles, for its databases,
 * and the admin role entitlements made beyond the built-in table
 * (custom roles, roles Atlas knows and this table does not). Its custom
 * roles, database users and clusters are listed side by side; what one
 * needs of another's answer waits here. roles_in: the custom roles are
 * in (before, an admin role a database user holds that is not built in
 * waits in later: a custom role's entitlement must win over the generic
 * one). users_in: every database user is read, r is whole (before, a
 * cluster whose databases are listed waits in waiting). users is held
 * by the database-user listing, and holds the project: its release
 * lets go of the clusters still waiting when that listing ends, in
 * success or failure.
 */
struct atlas_proj {
	struct conn_ref		 ref;
	struct conn_ref		 users;
	char			 gid[32];
	char			 org[32];
	struct atlas_dbrole	*r;
	size_t			 n;
	struct atlas_names	 admin;
	struct atlas_names	 later;
	int			 roles_in;
	int			 users_in;
	struct atlas_cl		*waiting;
};

/* 1 when the dbrole x reaches the cluster named name (its scopes). */
int	atlas_dbrole_reaches(const struct atlas_dbrole *x, const char *name);
/* Add name to l: 1 when new, 0 when known, or an error. */
int	atlas_names_add(struct atlas_names *l, const char *name) PC_WUR;
void	atlas_names_clear(struct atlas_names *l);
/*
 * The entitlement of admin role role, not built in, once: after the
 * custom roles (a custom role's is made by customroles.c); before them
 * the role is kept in p->later, and made when they are in.
 */
int	atlas_admin_ent(struct conn *c, struct atlas_proj *p, const char *role)
	    PC_WUR;
/* A name that may go into an id: printable, no ':' or '/', bounded. */
int	atlas_name_ok(const char *s, size_t max);

/* Resource sync steps (one file each); each queues its listings. */
int	atlas_orgs_sync(struct conn *c) PC_WUR;
int	atlas_users_sync(struct conn *c, struct atlas_id *org) PC_WUR;
int	atlas_teams_sync(struct conn *c, struct atlas_id *org) PC_WUR;
int	atlas_projects_sync(struct conn *c, struct atlas_id *org) PC_WUR;
int	atlas_apikeys_sync(struct conn *c, struct atlas_id *org) PC_WUR;
int	atlas_pteams_sync(struct conn *c, struct atlas_proj *p) PC_WUR;
/* Custom roles, database users and clusters of p, side by side. */
int	atlas_project_db_sync(struct conn *c, struct atlas_proj *p) PC_WUR;
int	atlas_customroles_sync(struct conn *c, struct atlas_proj *p) PC_WUR;
/* Free a project and what it collected (its conn_ref release). */
void	atlas_proj_release(void *obj);
int	atlas_dbusers_sync(struct conn *c, struct atlas_proj *p) PC_WUR;
int	atlas_clusters_sync(struct conn *c, struct atlas_proj *p) PC_WUR;
/* users_in is set: the waiting clusters' databases are shown now. */
int	atlas_clusters_ready(struct conn *c, struct atlas_proj *p) PC_WUR;
/* The database-user listing ended: let go of the clusters still waiting. */
void	atlas_clusters_unwait(struct atlas_proj *p);

/*
 * An org's federation under sync (federation.c, fedorgs.c): its id, the
 * org, whether this org shows the federation's records (the first org
 * of the run in it does), and the providers' oktaIdpId -> id map.
 */
struct atlas_fed {
	struct conn_ref	 ref;
	char		 fid[32];
	char		 org[32];
	int		 first;
	size_t		 nidp;
	char		 okta[ATLAS_FED_IDPS][24];
	char		 idp[ATLAS_FED_IDPS][32];
};

/* A federation state for org (released by its last conn_ref_drop). */
struct atlas_fed *atlas_fed_new(struct conn *c, const char *fid,
	    const char *org, int first);
/*
 * The strings of array arr as a JSON array in b (a profile value), the
 * first ATLAS_FED_LIST of them; *n counts them all.
 */
int	atlas_fed_strs(struct buf *b, const struct pcj_doc *d, int arr,
	    unsigned *n) PC_WUR;
/* GET /orgs/{id}/federationSettings, then the steps below in order. */
int	atlas_federation_sync(struct conn *c, struct atlas_id *org) PC_WUR;
int	atlas_idps_sync(struct conn *c, struct atlas_fed *fd) PC_WUR;
int	atlas_orgcfg_sync(struct conn *c, struct atlas_fed *fd) PC_WUR;
int	atlas_rolemaps_sync(struct conn *c, struct atlas_fed *fd) PC_WUR;

#endif /* PC_ATLAS_H */
