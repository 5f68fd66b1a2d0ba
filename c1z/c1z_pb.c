/* Runs in: agent. Input: records already checked by record_decode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c1z.pb-c.h"
#include "c1z_json.h"
#include "c1z_pb.h"

#define C1Z_TYPE_URL	"type.googleapis.com/c1.connector.v2."

/* Everything one message needs, on the stack: protobuf-c points. */
struct c1z_pb {
	Pc__ResourceId		 id, parent;
	Pc__Resource		 res;
	Pc__Status		 status;
	Pc__UserStatus		 ustatus;
	Pc__Any			 any, *anys[1];
	Pc__UserTrait		 user;
	Pc__GroupTrait		 group;
	Pc__AppTrait		 app;
	Pc__RoleTrait		 role;
	Pc__SecretTrait		 secret;
	Pc__Email		 email[REC_EMAILS_MAX], *emails[REC_EMAILS_MAX];
	Pc__Struct		 prof;
	struct c1z_json		 json;
	uint8_t			*trait;
};

static uint8_t *
c1z_pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t	*p;

	*len = protobuf_c_message_get_packed_size(m);
	if ((p = malloc(*len > 0 ? *len : 1)) == NULL)
		return NULL;
	(void)protobuf_c_message_pack(m, p);
	return p;
}

static int
c1z_user_trait(struct c1z_pb *b, const struct record *r)
{
	char	**mails;
	size_t	  n, i;
	int	  e;

	pc__user_trait__init(&b->user);
	if ((e = c1z_json_strings(&b->json, r->emails, &mails, &n)) != 0)
		return e;
	for (i = 0; i < n && i < REC_EMAILS_MAX; i++) {
		pc__email__init(&b->email[i]);
		b->email[i].address = mails[i];
		b->email[i].is_primary = i == 0;
		b->emails[i] = &b->email[i];
	}
	b->user.n_emails = i;
	b->user.emails = b->emails;
	pc__user_status__init(&b->ustatus);
	b->ustatus.status = (Pc__UserStatus__Status)r->status;
	b->ustatus.details = r->detail;
	b->user.status = &b->ustatus;
	b->user.profile = &b->prof;
	b->user.account_type = (r->flags & REC_F_SERVICE) ?
	    PC__USER_TRAIT__ACCOUNT_TYPE__ACCOUNT_TYPE_SERVICE :
	    PC__USER_TRAIT__ACCOUNT_TYPE__ACCOUNT_TYPE_HUMAN;
	b->user.login = r->login;
	return 0;
}

/* The trait annotation, as google.protobuf.Any. */
static int
c1z_trait(struct c1z_pb *b, const struct record *r, char *url, size_t urlsz)
{
	const ProtobufCMessage	*m;
	const char		*name;

	if (c1z_json_struct(&b->json, r->profile, &b->prof) != 0)
		return PC_E_NOMEM;
	if (r->traits & REC_TRAIT_USER) {
		if (c1z_user_trait(b, r) != 0)
			return PC_E_NOMEM;
		m = &b->user.base, name = "UserTrait";
	} else if (r->traits & REC_TRAIT_GROUP) {
		pc__group_trait__init(&b->group);
		b->group.profile = &b->prof;
		m = &b->group.base, name = "GroupTrait";
	} else if (r->traits & REC_TRAIT_ROLE) {
		pc__role_trait__init(&b->role);
		b->role.profile = &b->prof;
		m = &b->role.base, name = "RoleTrait";
	} else if (r->traits & REC_TRAIT_APP) {
		pc__app_trait__init(&b->app);
		b->app.profile = &b->prof;
		m = &b->app.base, name = "AppTrait";
	} else if (r->traits & REC_TRAIT_SECRET) {
		pc__secret_trait__init(&b->secret);
		b->secret.credential_detail = r->detail;
		m = &b->secret.base, name = "SecretTrait";
	} else
		return 0;
	(void)snprintf(url, urlsz, C1Z_TYPE_URL "%s", name);
	pc__any__init(&b->any);
	if ((b->trait = c1z_pack(m, &b->any.value.len)) == NULL)
		return PC_E_NOMEM;
	b->any.value.data = b->trait;
	b->any.type_url = url;
	b->anys[0] = &b->any;
	return 1;
}

static void
c1z_resource_id(Pc__ResourceId *id, const char *type, const char *rid)
{
	pc__resource_id__init(id);
	id->resource_type = (char *)(uintptr_t)type;
	id->resource = (char *)(uintptr_t)rid;
}

static uint8_t *
c1z_resource(const struct record *r, size_t *len)
{
	struct c1z_pb	*b;
	char		 url[96];
	uint8_t		*out = NULL;
	int		 t;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	c1z_json_init(&b->json);
	pc__resource__init(&b->res);
	c1z_resource_id(&b->id, r->rtype, r->id);
	b->res.id = &b->id;
	if (r->ptype[0] != '\0') {
		c1z_resource_id(&b->parent, r->ptype, r->pid);
		b->res.parent_resource_id = &b->parent;
	}
	b->res.display_name = r->name[0] ? r->name : r->id;
	b->res.description = r->desc;
	if ((t = c1z_trait(b, r, url, sizeof(url))) < 0)
		goto out;
	b->res.n_annotations = (size_t)t;
	b->res.annotations = b->anys;
	if (r->status != 0 || r->detail[0] != '\0') {
		pc__status__init(&b->status);
		b->status.status = (Pc__Status__ResourceStatus)r->status;
		b->status.details = r->detail;
		b->res.status = &b->status;
	}
	out = c1z_pack(&b->res.base, len);
out:
	free(b->trait);
	c1z_json_free(&b->json);
	free(b);
	return out;
}

static uint8_t *
c1z_rtype(const struct record *r, size_t *len)
{
	static const struct {
		uint32_t			bit;
		Pc__ResourceType__Trait		trait;
	} map[] = {
		{ REC_TRAIT_USER, 1 }, { REC_TRAIT_GROUP, 2 },
		{ REC_TRAIT_ROLE, 3 }, { REC_TRAIT_APP, 4 },
		{ REC_TRAIT_SECRET, 5 },
	};
	Pc__ResourceType	rt;
	Pc__ResourceType__Trait	traits[5];
	size_t			i, n = 0;

	pc__resource_type__init(&rt);
	rt.id = r->rtype;
	rt.display_name = r->name[0] ? r->name : r->rtype;
	rt.description = r->desc;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (r->traits & map[i].bit)
			traits[n++] = map[i].trait;
	rt.n_traits = n;
	rt.traits = traits;
	return c1z_pack(&rt.base, len);
}

static uint8_t *
c1z_entitlement(const struct record *r, size_t *len)
{
	Pc__Entitlement		 e;
	Pc__Resource		 res;
	Pc__ResourceId		 id;
	Pc__ResourceType	 gt[REC_LIST_MAX], *gts[REC_LIST_MAX];
	struct c1z_json		 j;
	char			**types;
	size_t			 n, i;
	uint8_t			*out = NULL;

	pc__entitlement__init(&e);
	pc__resource__init(&res);
	c1z_resource_id(&id, r->rtype, r->id);
	res.id = &id;
	e.resource = &res;
	e.id = (char *)(uintptr_t)r->ent_id;
	e.display_name = r->name[0] ? r->name : (char *)(uintptr_t)r->ent_id;
	e.description = r->desc;
	e.purpose = (Pc__Entitlement__PurposeValue)r->purpose;
	e.slug = r->slug;
	c1z_json_init(&j);
	if (c1z_json_strings(&j, r->grantable, &types, &n) != 0)
		goto out;
	for (i = 0; i < n && i < REC_LIST_MAX; i++) {
		pc__resource_type__init(&gt[i]);
		gt[i].id = types[i];
		gts[i] = &gt[i];
	}
	e.n_grantable_to = i;
	e.grantable_to = gts;
	out = c1z_pack(&e.base, len);
out:
	c1z_json_free(&j);
	return out;
}

/* GrantExpandable bytes when the grant names source entitlements. */
static int
c1z_expand(const struct record *r, uint8_t **exp, size_t *explen)
{
	Pc__GrantExpandable	 g;
	struct c1z_json		 j;
	char			**ids;
	size_t			 n;
	int			 e;

	*exp = NULL;
	*explen = 0;
	pc__grant_expandable__init(&g);
	c1z_json_init(&j);
	if ((e = c1z_json_strings(&j, r->expand, &ids, &n)) == 0 && n > 0) {
		g.n_entitlement_ids = n;
		g.entitlement_ids = ids;
		if ((*exp = c1z_pack(&g.base, explen)) == NULL)
			e = PC_E_NOMEM;
	}
	c1z_json_free(&j);
	return e;
}

static uint8_t *
c1z_grant(const struct record *r, size_t *len)
{
	Pc__Grant		 g;
	Pc__Entitlement		 e;
	Pc__Resource		 res, pr;
	Pc__ResourceId		 id, pid;
	Pc__GrantImmutable	 im;
	Pc__Any			 any, *anys[1];
	uint8_t			*imb = NULL, *out;

	pc__grant__init(&g);
	pc__entitlement__init(&e);
	pc__resource__init(&res);
	pc__resource__init(&pr);
	c1z_resource_id(&id, r->rtype, r->id);
	c1z_resource_id(&pid, r->prtype, r->prid);
	res.id = &id;
	pr.id = &pid;
	e.resource = &res;
	e.id = r->ent;
	g.entitlement = &e;
	g.principal = &pr;
	g.id = (char *)(uintptr_t)r->grant_id;
	if (r->flags & REC_F_IMMUTABLE) {
		pc__grant_immutable__init(&im);
		pc__any__init(&any);
		if ((imb = c1z_pack(&im.base, &any.value.len)) == NULL)
			return NULL;
		any.value.data = imb;
		any.type_url = C1Z_TYPE_URL "GrantImmutable";
		anys[0] = &any;
		g.n_annotations = 1;
		g.annotations = anys;
	}
	out = c1z_pack(&g.base, len);
	free(imb);
	return out;
}

int
c1z_pb_encode(const struct record *r, uint8_t **out, size_t *len,
    uint8_t **exp, size_t *explen)
{
	*exp = NULL;
	*explen = 0;
	switch (r->kind) {
	case REC_RESOURCE_TYPE:
		*out = c1z_rtype(r, len);
		break;
	case REC_RESOURCE:
		*out = c1z_resource(r, len);
		break;
	case REC_ENTITLEMENT:
		*out = c1z_entitlement(r, len);
		break;
	default:
		if (c1z_expand(r, exp, explen) != 0)
			return PC_E_NOMEM;
		*out = c1z_grant(r, len);
		break;
	}
	return *out != NULL ? 0 : PC_E_NOMEM;
}
