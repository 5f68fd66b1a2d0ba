"""Federated authentication, read-only: an organization's federation
settings, the federation's identity providers (SAML and OIDC), its
connected organization configurations and their role mappings, and the
domain restriction that refuses invitations outside the approved domains
(Atlas docs, "Advanced Options for Federated Authentication").

Every operation here needs Organization Owner (x-rolesRequirements): in
the organization asked about, or in one of the federation's connected
organizations for the federation-wide listings."""
from core import ApiError, Route, V2023, V2023_11, PAGED_NO_COUNT, page
from views import Base, ROLE_DENIED

PROTOCOLS, IDP_TYPES = ("SAML", "OIDC"), ("WORKFORCE", "WORKLOAD")
F = "/federationSettings/{federationSettingsId}"


class FederationApi(Base):
    def federation_routes(self):
        return [
            Route("GET", "/orgs/{orgId}/federationSettings", "getFederationSettings", V2023,
                  self.org_federation, need=("org", "owner")),
            Route("GET", F + "/identityProviders", "listIdentityProviders", V2023, self.list_idps,
                  dict(PAGED_NO_COUNT, protocol=PROTOCOLS, idpType=IDP_TYPES)),
            Route("GET", F + "/identityProviders/{identityProviderId}", "getIdentityProvider",
                  V2023_11, self.get_idp),
            Route("GET", F + "/connectedOrgConfigs", "listConnectedOrgConfigs", V2023,
                  self.list_org_configs, PAGED_NO_COUNT),
            Route("GET", F + "/connectedOrgConfigs/{orgId}", "getConnectedOrgConfig", V2023,
                  self.get_org_config),
            # listRoleMappings declares no query parameter: one page of all.
            Route("GET", F + "/connectedOrgConfigs/{orgId}/roleMappings", "listRoleMappings", V2023,
                  self.list_role_mappings),
            Route("GET", F + "/connectedOrgConfigs/{orgId}/roleMappings/{id}", "getRoleMapping",
                  V2023, self.get_role_mapping),
        ]

    # -- lookups -------------------------------------------------------------
    def federation(self, fid):
        for f in self.st.federations:
            if f["id"] == fid:
                return f
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource federation settings %s." % fid)

    def federation_of(self, oid):
        for f in self.st.federations:
            for c in f["connectedOrgConfigs"]:
                if c["orgId"] == oid:
                    return f, c
        return None, None

    def owner_in(self, f, oid=None):
        orgs = [oid] if oid else [c["orgId"] for c in f["connectedOrgConfigs"]]
        if not any(self.may_org(o, "owner") for o in orgs):
            raise ApiError(403, *ROLE_DENIED)

    def org_config(self, fid, oid):
        f = self.federation(fid)
        for c in f["connectedOrgConfigs"]:
            if c["orgId"] == oid:
                self.owner_in(f, oid)
                return f, c
        raise ApiError(404, "RESOURCE_NOT_FOUND",
                       "Cannot find resource connected organization %s in federation %s." % (oid, fid))

    # -- views ---------------------------------------------------------------
    def idp_view(self, f, idp):
        v = dict(idp, createdAt="2024-01-01T00:00:00Z", updatedAt="2024-06-01T00:00:00Z")
        v["associatedOrgs"] = [self.org_config_view(f, c) for c in f["connectedOrgConfigs"]
                               if c.get("identityProviderId") == idp["oktaIdpId"]
                               or idp["id"] in c.get("dataAccessIdentityProviderIds", [])]
        return v

    def org_config_view(self, f, c):
        v = {k: c[k] for k in ("orgId", "domainRestrictionEnabled", "domainAllowList",
                               "postAuthRoleGrants", "identityProviderId",
                               "dataAccessIdentityProviderIds", "roleMappings") if k in c}
        v["userConflicts"] = self.user_conflicts(f, c)
        return v

    def user_conflicts(self, f, c):
        """Members whose e-mail domain is not approved: they keep their
        access, the console lists them as conflicts."""
        if not c.get("domainRestrictionEnabled"):
            return []
        ok = allowed_domains(f, c)
        return [{"emailAddress": u["username"], "federationSettingsId": f["id"],
                 "firstName": u.get("firstName", ""), "lastName": u.get("lastName", ""), "userId": u["id"]}
                for u in self.index().org_users.get(c["orgId"], []) if domain(u["username"]) not in ok]

    # -- handlers ------------------------------------------------------------
    def org_federation(self, m, q, body):
        self.org(m[0])
        f, c = self.federation_of(m[0])
        if f is None:
            raise ApiError(404, "RESOURCE_NOT_FOUND",
                           "Cannot find resource federation settings for organization %s." % m[0])
        ui = [i for i in f["identityProviders"] if i["oktaIdpId"] == c.get("identityProviderId")]
        v = {"id": f["id"], "federatedDomains": list(f["federatedDomains"]),
             "hasRoleMappings": bool(c.get("roleMappings"))}
        if ui:
            v.update(identityProviderId=ui[0]["oktaIdpId"], identityProviderStatus=ui[0].get("status", "ACTIVE"))
        return 200, v

    def list_idps(self, m, q, body):
        # "If no protocol is specified, only SAML identity providers will be
        # returned. If no idpType is specified, only WORKFORCE ..."
        f = self.federation(m[0])
        self.owner_in(f)
        protos, kinds = q.get("protocol", ["SAML"]), q.get("idpType", ["WORKFORCE"])
        idps = [i for i in f["identityProviders"] if i["protocol"] in protos
                and i.get("idpType", "WORKFORCE") in kinds]
        return 200, page(idps, q, view=lambda i: self.idp_view(f, i))

    def get_idp(self, m, q, body):
        f = self.federation(m[0])
        self.owner_in(f)
        for i in f["identityProviders"]:
            if m[1] == i["id"]:
                return 200, self.idp_view(f, i)
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource identity provider %s." % m[1])

    def list_org_configs(self, m, q, body):
        f = self.federation(m[0])
        self.owner_in(f)
        return 200, page(f["connectedOrgConfigs"], q, view=lambda c: self.org_config_view(f, c))

    def get_org_config(self, m, q, body):
        f, c = self.org_config(m[0], m[1])
        return 200, self.org_config_view(f, c)

    def list_role_mappings(self, m, q, body):
        f, c = self.org_config(m[0], m[1])
        return 200, page(c.get("roleMappings", []), q, unpaged=True)

    def get_role_mapping(self, m, q, body):
        f, c = self.org_config(m[0], m[1])
        for r in c.get("roleMappings", []):
            if r["id"] == m[2]:
                return 200, r
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource role mapping %s." % m[2])

    def mutate_domain_restriction(self, op):
        """An owner turns "Restrict Access by Domain" on or off."""
        f, c = self.federation_of(op.get("orgId", ""))
        if f is None or not isinstance(op.get("enabled"), bool):
            raise ApiError(400, "INVALID_OP", "set_domain_restriction needs a federated orgId and enabled.")
        c["domainRestrictionEnabled"] = op["enabled"]

    # -- domain restriction on invitations ---------------------------------------
    def domain_refusal(self, oid, username):
        """'You can only invite new users to join your organization whose
        email addresses are in the approved list of domains.' Our client
        must never send such an invitation: a contract violation."""
        f, c = self.federation_of(oid)
        if f is None or not c.get("domainRestrictionEnabled"):
            return
        if domain(username) not in allowed_domains(f, c):
            raise ApiError(400, "USER_DOMAIN_NOT_ALLOWED", "The domain of %s is not in the approved "
                           "domains of organization %s." % (username, oid), contract=True)


def domain(email):
    return email.rsplit("@", 1)[-1].lower()


def allowed_domains(f, c):
    # "Any domains which are mapped to your IdP are automatically added to
    # the approved list."
    return {d.lower() for d in c.get("domainAllowList", []) + f.get("federatedDomains", [])}
