/*
 * Runs in: the Atlas fetcher. Input: federation answers (untrusted JSON):
 * GET /orgs/{id}/federationSettings, then that federation's identity
 * providers, the org's connected-org config and its role mappings, in
 * that order: the config names its login IdP by oktaIdpId and only the
 * providers' listing maps that to the provider's id. Read-only. An org
 * that is not federated (404) or a key that may not read federation
 * (403: the operations need Organization Owner) is a one-line warning.
 * "Bypass SAML mode" is the provider's ssoDebugEnabled flag (the Atlas
 * console's name for it); "restrict org membership" is in no response of
 * the Admin API v2 spec, so it is not shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "grammar.h"
#include "jw.h"

static void
atlas_fed_release(void *obj)
{
	free(obj);
}

struct atlas_fed *
atlas_fed_new(struct conn *c, const char *fid, const char *org, int first)
{
	struct atlas_fed	*fd;

	if ((fd = calloc(1, sizeof(*fd))) == NULL) {
		(void)conn_fail(c, PC_E_NOMEM, "out of memory");
		return NULL;
	}
	(void)fetch_fmt(fd->fid, sizeof(fd->fid), "%s", fid);
	(void)fetch_fmt(fd->org, sizeof(fd->org), "%s", org);
	fd->first = first;
	fd->ref.release = atlas_fed_release;
	fd->ref.obj = fd;
	return fd;
}

/*
 * 1 when this run has not shown federation fid yet (and now has), 0
 * when another org of the run already showed it, or an error: orgs of
 * one federation share its resource and providers.
 */
static int
atlas_fed_first(struct conn *c, const char *fid)
{
	struct atlas	*a = ATLAS(c);
	size_t		 i;

	for (i = 0; i < a->nfeds; i++)
		if (strcmp(a->feds[i], fid) == 0)
			return 0;
	if (a->nfeds == ATLAS_FEDS_MAX)
		return conn_fail(c, PC_E_TOOBIG, "more than %d federations",
		    ATLAS_FEDS_MAX);
	(void)fetch_fmt(a->feds[a->nfeds++], sizeof(a->feds[0]), "%s", fid);
	return 1;
}

int
atlas_fed_strs(struct buf *b, const struct pcj_doc *d, int arr, unsigned *n)
{
	char	s[256];
	size_t	len;
	int	i, e;

	*n = 0;
	if ((e = buf_add_str(b, "[")) != 0)
		return e;
	for (i = pcj_first(d, arr); i >= 0; i = pcj_next(d, i)) {
		if (pcj_type(d, i) != PCJ_STRING ||
		    pcj_str(d, i, s, sizeof(s), &len, 0) != 0 ||
		    len != strlen(s) || ++*n > ATLAS_FED_LIST)
			continue;
		if ((*n > 1 && (e = buf_add_str(b, ",")) != 0) ||
		    (e = jw_str(b, s)) != 0)
			return e;
	}
	return buf_add_str(b, "]");
}

/* Warn and go on for "not federated" and "may not read it". */
static int
atlas_fed_skip(struct conn *c, const struct conn_resp *r, const char *org,
    const char *what)
{
	if (r->r.status == 404)
		fetch_log(c->f, 1, "warning: organization %s: %s: not "
		    "federated (404%s%s): federation not synced", org, what,
		    c->last[0] ? ", " : "", c->last);
	else if (r->r.status == 403)
		fetch_log(c->f, 1, "warning: organization %s: %s: the key may "
		    "not read federation settings (403: needs Organization "
		    "Owner): federation not synced", org, what);
	else
		return 0;
	return 1;
}

/* ---- the org's federation settings --------------------------------- */

static int
atlas_fed_resource(struct conn *c, struct atlas_fed *fd,
    const struct pcj_doc *d, int root)
{
	struct emit_res	 r = { .rtype = "federation",
			    .traits = REC_TRAIT_APP };
	struct emit_kv	 kv[2];
	struct buf	 b;
	const char	*doms = NULL;
	char		 n[16];
	unsigned	 nd;
	int		 e;

	buf_init(&b, 4096, 0);
	if ((e = atlas_fed_strs(&b, d, pcj_get(d, root, "federatedDomains"),
	    &nd)) != 0 || (e = buf_cstr(&b, &doms)) != 0)
		goto out;
	(void)fetch_fmt(n, sizeof(n), "%u", nd);
	kv[0] = (struct emit_kv){ "federated_domains", doms, 1 };
	kv[1] = (struct emit_kv){ "federated_domains_count", n, 1 };
	r.id = fd->fid;
	r.name = fd->fid;
	r.desc = "federated authentication (identity providers, domains)";
	r.profile = kv;
	r.nprofile = 2;
	e = emit_resource(c->f, &r);
out:
	buf_clear(&b);
	return e;
}

static int
atlas_fed_settings(struct conn *c, struct conn_resp *r, void *arg)
{
	struct atlas_id		*org = arg;
	struct atlas_fed	*fd;
	char			 fid[64];
	int			 root, first, e = 0;

	if (r == NULL || atlas_fed_skip(c, r, org->id, "federationSettings"))
		goto out;
	if (r->r.status < 200 || r->r.status > 299 || !r->parsed ||
	    pcj_type(&r->doc, root = pcj_root(&r->doc)) != PCJ_OBJECT ||
	    pcj_type(&r->doc, pcj_get(&r->doc, root, "federatedDomains")) !=
	    PCJ_ARRAY || !atlas_hexid(conn_str(&r->doc, root, "id", fid,
	    sizeof(fid)))) {
		e = conn_fail(c, PC_E_REMOTE, "federationSettings of "
		    "organization %s: %s", org->id, c->last[0] ? c->last :
		    "no 24-hex id or federatedDomains");
		goto out;
	}
	if ((first = atlas_fed_first(c, fid)) < 0) {
		e = first;
		goto out;
	}
	if ((fd = atlas_fed_new(c, fid, org->id, first)) == NULL) {
		e = PC_E_NOMEM;
		goto out;
	}
	conn_ref_hold(&fd->ref);
	if (!first || (e = atlas_fed_resource(c, fd, &r->doc, root)) == 0)
		e = atlas_idps_sync(c, fd);
	conn_ref_drop(&fd->ref);
out:
	conn_ref_drop(&org->ref);
	return e;
}

int
atlas_federation_sync(struct conn *c, struct atlas_id *org)
{
	struct conn_call	 call;
	char			 path[256];
	int			 e;

	memset(&call, 0, sizeof(call));
	(void)fetch_fmt(path, sizeof(path),
	    "/api/atlas/v2/orgs/%s/federationSettings", org->id);
	call.path = path;
	call.accept = ATLAS_V2023;
	conn_ref_hold(&org->ref);
	if ((e = conn_submit(c, &call, atlas_fed_settings, org)) != 0)
		conn_ref_drop(&org->ref);
	return e;
}

/* ---- identity providers -------------------------------------------- */

static int
atlas_idp_emit(struct conn *c, struct atlas_fed *fd, const struct pcj_doc *d,
    int o, const char *id)
{
	struct emit_res	 r = { .rtype = "identity_provider",
			    .ptype = "federation", .traits = REC_TRAIT_APP };
	struct emit_kv	 kv[8];
	struct buf	 b;
	const char	*doms = NULL;
	char		 name[256], desc[512], proto[16], kind[16], st[32],
			 iss[512], okta[32], disp[400];
	unsigned	 nd;
	int		 e, bypass = 0, v = pcj_get(d, o, "ssoDebugEnabled");

	if (v >= 0 && pcj_bool(d, v, &bypass) != 0)
		bypass = 0;
	buf_init(&b, 4096, 0);
	if ((e = atlas_fed_strs(&b, d, pcj_get(d, o, "associatedDomains"),
	    &nd)) != 0 || (e = buf_cstr(&b, &doms)) != 0)
		goto out;
	(void)conn_str(d, o, "displayName", name, sizeof(name));
	(void)conn_str(d, o, "description", desc, sizeof(desc));
	kv[0] = (struct emit_kv){ "protocol", conn_str(d, o, "protocol",
	    proto, sizeof(proto)), 0 };
	kv[1] = (struct emit_kv){ "idp_type", conn_str(d, o, "idpType", kind,
	    sizeof(kind)), 0 };
	kv[2] = (struct emit_kv){ "status", conn_str(d, o, "status", st,
	    sizeof(st)), 0 };
	kv[3] = (struct emit_kv){ "issuer_uri", conn_str(d, o, "issuerUri",
	    iss, sizeof(iss)), 0 };
	kv[4] = (struct emit_kv){ "okta_idp_id", conn_str(d, o, "oktaIdpId",
	    okta, sizeof(okta)), 0 };
	kv[5] = (struct emit_kv){ "associated_domains", doms, 1 };
	/* The lock-out escape hatch: a login URL that skips the IdP. */
	kv[6] = (struct emit_kv){ "bypass_saml_mode", bypass ? "true" :
	    "false", 1 };
	kv[7] = (struct emit_kv){ "federation", fd->fid, 0 };
	r.id = id;
	r.pid = fd->fid;
	r.name = name[0] ? name : id;
	r.desc = desc;
	r.detail = st;
	r.profile = kv;
	r.nprofile = 8;
	(void)fetch_fmt(disp, sizeof(disp), "authenticates through %s", r.name);
	if ((e = emit_resource(c->f, &r)) == 0)
		e = emit_ent(c->f, "identity_provider", id, "user", disp,
		    REC_PURPOSE_ASSIGNMENT, "user", "users who sign in through "
		    "this identity provider");
out:
	buf_clear(&b);
	return e;
}

static int
atlas_idp_item(struct conn *c, const struct pcj_doc *d, int o, void *arg)
{
	struct atlas_fed	*fd = arg;
	char			 id[64], okta[64];

	if (!atlas_hexid(conn_str(d, o, "id", id, sizeof(id))))
		return 0;
	/* Kept to name the config's login IdP (by oktaIdpId) by its id. */
	if (gram_hexid_ok(conn_str(d, o, "oktaIdpId", okta, sizeof(okta)),
	    20) && fd->nidp < ATLAS_FED_IDPS) {
		(void)fetch_fmt(fd->okta[fd->nidp], sizeof(fd->okta[0]), "%s",
		    okta);
		(void)fetch_fmt(fd->idp[fd->nidp++], sizeof(fd->idp[0]), "%s",
		    id);
	}
	return fd->first ? atlas_idp_emit(c, fd, d, o, id) : 0;
}

static int
atlas_idps_miss(struct conn *c, const struct conn_resp *r, void *arg)
{
	struct atlas_fed	*fd = arg;

	return atlas_fed_skip(c, r, fd->org, "identityProviders");
}

static int
atlas_idps_end(struct conn *c, void *arg)
{
	return atlas_orgcfg_sync(c, arg);
}

int
atlas_idps_sync(struct conn *c, struct atlas_fed *fd)
{
	struct pager_list	 l = { .kind = PAGER_NUMBERED,
		.accept = ATLAS_V2023, .items = "results",
		.per_page = ATLAS_PAGE, .item = atlas_idp_item,
		.end = atlas_idps_end, .miss = atlas_idps_miss,
		.arg = fd, .ref = &fd->ref };
	char			 path[300];

	/* Without protocol and idpType the listing is SAML WORKFORCE only
	 * (the operation's defaults); no includeCount on this one. */
	(void)fetch_fmt(path, sizeof(path), "/api/atlas/v2/federationSettings/"
	    "%s/identityProviders?protocol=SAML&protocol=OIDC&"
	    "idpType=WORKFORCE&idpType=WORKLOAD", fd->fid);
	l.path = path;
	return pager_list(c, &l);
}
