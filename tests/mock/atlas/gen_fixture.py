#!/usr/bin/env python3
"""Deterministic Atlas fixtures for the mock.

gen_fixture.py --small              the committed small org (correctness tests)
gen_fixture.py --rich               the committed rich fixture (fixtures/rich.json)
gen_fixture.py --rich --federation shared|open|none   its federation varied
gen_fixture.py --users N --projects M [--seed S]   large orgs for benchmarks
Writes JSON to stdout (or --out FILE). The same arguments always give the
same bytes.

Fixture keys (server.py reads them; only the first group is required):
  orgs [{id, name}]; users [{id, username, orgId, orgMembershipStatus
    (ACTIVE | PENDING | INVITATION_EXPIRED | INVITATION_REJECTED), orgRoles,
    firstName, lastName, country}] (one entry per org membership);
  projects [{id, name, orgId}]; projectUsers {groupId: {userId: [GROUP_*]}}
    (direct project roles); teams [{id, name, orgId, users [userId]}];
  databaseUsers [{groupId, databaseName (admin | $external), username,
    roles [{databaseName, roleName, collectionName?}], scopes?
    [{name, type}], awsIAMType? x509Type? ldapAuthType? oidcAuthType?,
    description?, labels?}];
  clusters [{groupId, id, name, stateName, databases [names listDatabases
    answers], paused?, instanceSize? (M0/M2/M5: a TENANT cluster),
    providerName?, backingProviderName?, regionName?, clusterType?}];
  credentials [{publicKey, privateKey, roles?}] (Digest API keys);
  serviceAccounts [{clientId, clientSecret, roles?}] (OAuth2). A credential
    without roles may call everything; with roles [{orgId | groupId,
    roleName}] it gets 403 where x-rolesRequirements are not met.
  Optional: apiKeys [{id, desc, publicKey, orgId, roles?}] (listed by
    GET /orgs/{id}/apiKeys, and by GET /groups/{id}/apiKeys when a role
    names that project); projectTeams {groupId: {teamId: [GROUP_*]}};
    customDbRoles {groupId: [UserCustomDBRole]}; federations [{id,
    federatedDomains, identityProviders [FederationIdentityProvider],
    connectedOrgConfigs [ConnectedOrgConfig with roleMappings]}].

--small: one org, 8 users (one PENDING), 3 projects (one empty), 2 teams,
  6 database users (SCRAM, AWS IAM role, x.509, OIDC workload; a
  collection-scoped role), clusters IDLE and DELETING, one API key.

--rich: two orgs. "Acme" is federated: 160 users (PENDING, expired and
  rejected invitations among them; three contractors whose domain is not
  approved, so they show as userConflicts), 7 projects, 7 teams. "Plain"
  has no federation: 40 users, 3 projects, 3 teams. 13 team-to-project
  role assignments and direct project roles on every project; about 40
  database-role assignments: collection-scoped ones, custom roles (with
  actions and inheritedRoles), roles on databases no cluster lists, users
  scoped to some clusters (CLUSTER and DATA_LAKE scopes), every
  authentication method (OIDC IDP_GROUP users authenticate on admin).
  Clusters IDLE, paused, CREATING, DELETING, UPDATING and an M0 tenant;
  the paused and CREATING ones answer 404 PROCESS_NOT_FOUND for their
  databases. API keys with org and project roles, one of them a
  credential (pubkey02: Organization Member only, so federation reads get
  403) and a read-only service account. Acme's federation: a SAML IdP
  with bypass SAML mode (ssoDebugEnabled) and a slug, an OIDC workforce
  IdP for data access, domain restriction with an allow list, post-auth
  role grants and role mappings to org and project roles.
  --federation shared: "Plain" is connected to Acme's federation too
  (login through the SAML IdP, no domain restriction, ORG_READ_ONLY after
  authentication, one role mapping), so two orgs share one federation;
  open: Acme's domain restriction is off; none: no federation at all.

--users N --projects M: one org of N ACTIVE users, M projects with five
  direct members each, N/1000 teams of 20, three database users and one
  IDLE cluster per project, and (projectTeams) every other project
  assigned one team; the other keys are as they were before teams on
  projects existed, byte for byte."""
import argparse, json, random

ORG_ROLES = ["ORG_OWNER", "ORG_GROUP_CREATOR", "ORG_BILLING_ADMIN",
             "ORG_BILLING_READ_ONLY", "ORG_READ_ONLY", "ORG_MEMBER"]
GROUP_ROLES = ["GROUP_OWNER", "GROUP_CLUSTER_MANAGER", "GROUP_STREAM_PROCESSING_OWNER",
               "GROUP_DATA_ACCESS_ADMIN", "GROUP_DATA_ACCESS_READ_WRITE",
               "GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY", "GROUP_SEARCH_INDEX_EDITOR",
               "GROUP_BACKUP_MANAGER", "GROUP_OBSERVABILITY_VIEWER",
               "GROUP_DATABASE_ACCESS_ADMIN"]
CREDENTIALS = [{"publicKey": "pubkey01", "privateKey": "priv-5e3c-4b2a"}]
SERVICE_ACCOUNTS = [{"clientId": "mdb_sa_id_test", "clientSecret": "mdb_sa_sk_test"}]


def hexid(prefix, n, width=24):
    return "%s%0*x" % (prefix, width - len(prefix), n)


def small():
    org = hexid("a0", 1)
    users = []
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    for i, n in enumerate(names):
        users.append({
            "id": hexid("b0", i + 1), "username": "%s@example.com" % n,
            "firstName": n.capitalize(), "lastName": "Test", "country": "US",
            "orgMembershipStatus": "PENDING" if n == "heidi" else "ACTIVE",
            "orgId": org,
            "orgRoles": [["ORG_OWNER"], ["ORG_MEMBER"], ["ORG_MEMBER", "ORG_READ_ONLY"],
                         ["ORG_BILLING_ADMIN"], ["ORG_MEMBER"], ["ORG_GROUP_CREATOR"],
                         ["ORG_BILLING_READ_ONLY"], ["ORG_MEMBER"]][i],
        })
    projects = [
        {"id": hexid("c0", 1), "name": "prod", "orgId": org},
        {"id": hexid("c0", 2), "name": "staging", "orgId": org},
        {"id": hexid("c0", 3), "name": "empty", "orgId": org},
    ]
    project_users = {
        projects[0]["id"]: {users[0]["id"]: ["GROUP_OWNER"],
                            users[1]["id"]: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]},
        projects[1]["id"]: {users[2]["id"]: ["GROUP_CLUSTER_MANAGER"]},
        projects[2]["id"]: {},
    }
    teams = [
        {"id": hexid("d0", 1), "name": "admins", "orgId": org, "users": [users[0]["id"], users[3]["id"]]},
        {"id": hexid("d0", 2), "name": "devs", "orgId": org, "users": [users[1]["id"], users[2]["id"], users[4]["id"]]},
    ]
    p0, p1 = projects[0]["id"], projects[1]["id"]
    dbusers = [
        {"groupId": p0, "databaseName": "admin", "username": "app",
         "roles": [{"databaseName": "orders", "roleName": "readWrite"},
                   {"databaseName": "admin", "roleName": "read"}]},
        {"groupId": p0, "databaseName": "admin", "username": "reporter",
         "roles": [{"databaseName": "orders", "roleName": "read"},
                   {"databaseName": "billing", "roleName": "read", "collectionName": "invoices"},
                   {"databaseName": "admin", "roleName": "readAnyDatabase"}]},
        {"groupId": p0, "databaseName": "$external", "awsIAMType": "ROLE",
         "username": "arn:aws:iam::123456789012:role/etl",
         "roles": [{"databaseName": "billing", "roleName": "dbAdmin"}]},
        {"groupId": p0, "databaseName": "$external", "x509Type": "CUSTOMER",
         "username": "CN=svc,OU=ops,O=example", "roles": [{"databaseName": "admin", "roleName": "atlasAdmin"}]},
        {"groupId": p1, "databaseName": "admin", "username": "app",
         "roles": [{"databaseName": "orders", "roleName": "read"}]},
        {"groupId": p1, "databaseName": "$external", "oidcAuthType": "USER",
         "username": "idp1/worker", "roles": [{"databaseName": "admin", "roleName": "read"}]},
    ]
    clusters = [
        {"groupId": p0, "id": hexid("e0", 1), "name": "Cluster0", "stateName": "IDLE",
         "databases": ["orders", "billing", "admin", "local"]},
        {"groupId": p0, "id": hexid("e0", 2), "name": "old", "stateName": "DELETING",
         "databases": ["orders"]},
        {"groupId": p1, "id": hexid("e0", 3), "name": "stage-1", "stateName": "IDLE",
         "databases": ["orders"]},
    ]
    apikeys = [{"id": hexid("f0", 1), "desc": "ci key", "publicKey": "abcdefgh", "orgId": org}]
    return {"orgs": [{"id": org, "name": "Example Org"}], "users": users,
            "projects": projects, "projectUsers": project_users, "teams": teams,
            "databaseUsers": dbusers, "clusters": clusters, "apiKeys": apikeys,
            "credentials": CREDENTIALS, "serviceAccounts": SERVICE_ACCOUNTS}


# -- rich ---------------------------------------------------------------------
ACME, PLAIN = hexid("a1", 1), hexid("a1", 2)
SAML_IDP, OIDC_IDP = hexid("f2", 1), hexid("f2", 2)
SAML_OKTA, OIDC_OKTA = hexid("0a", 1, 20), hexid("0a", 2, 20)
FEDERATION = hexid("f1", 1)
ACME_DOMAINS = ["acme.example", "eng.acme.example"]


def rich_users(rnd):
    """160 Acme and 40 Plain users. Each org's first user is its owner;
    statuses other than ACTIVE sit at fixed positions."""
    users = []
    for i in range(200):
        org = ACME if i < 160 else PLAIN
        n = i if org == ACME else i - 160
        dom = "plain.example" if org == PLAIN else (
            "contractor.example" if n in (150, 151, 152) else ACME_DOMAINS[n % 3 == 2])
        status = {153: "PENDING", 154: "PENDING", 155: "PENDING", 156: "PENDING", 157: "INVITATION_EXPIRED",
                  158: "INVITATION_EXPIRED", 159: "INVITATION_REJECTED"}.get(n, "ACTIVE")
        if org == PLAIN and n >= 38:
            status = "PENDING"
        roles = ["ORG_OWNER"] if n == 0 else [rnd.choice(ORG_ROLES[1:])]
        if n % 11 == 5 and roles[0] != "ORG_MEMBER":
            roles.append("ORG_MEMBER")
        users.append({"id": hexid("b1", i + 1), "username": "user%03d@%s" % (i + 1, dom),
                      "firstName": "User%03d" % (i + 1), "lastName": "Rich", "country": "US",
                      "orgMembershipStatus": status, "orgId": org, "orgRoles": roles})
    return users


def rich_projects():
    names = ["prod", "staging", "dev", "analytics", "billing", "search", "sandbox", "web", "batch", "legacy"]
    return [{"id": hexid("c1", i + 1), "name": n, "orgId": ACME if i < 7 else PLAIN}
            for i, n in enumerate(names)]


def rich_memberships(rnd, users, projects):
    """Direct project roles (pending users among them), teams, and the
    team role assignments on projects: 13 in all."""
    of = {ACME: [u for u in users if u["orgId"] == ACME and u["orgMembershipStatus"] in ("ACTIVE", "PENDING")],
          PLAIN: [u for u in users if u["orgId"] == PLAIN]}
    pu = {}
    for p in projects:
        members = rnd.sample(of[p["orgId"]], 8)
        pu[p["id"]] = {u["id"]: rnd.sample(GROUP_ROLES, 1 + (k % 3 == 0)) for k, u in enumerate(members)}
    team_names = ["platform", "dba", "sre", "data", "security", "frontend", "auditors", "ops", "analysts", "interns"]
    teams = []
    for i, n in enumerate(team_names):
        org = ACME if i < 7 else PLAIN
        teams.append({"id": hexid("d1", i + 1), "name": n, "orgId": org,
                      "users": [u["id"] for u in rnd.sample(of[org], 3 + i)]})
    assign = [(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 3), (4, 4), (5, 5), (6, 1),
              (7, 7), (8, 8), (9, 7)]        # (project, team), same org
    pt = {}
    for pi, ti in assign:
        pt.setdefault(projects[pi]["id"], {})[teams[ti]["id"]] = rnd.sample(GROUP_ROLES, 1 + (pi % 2))
    return pu, teams, pt


def rich_clusters(projects):
    """Every state the sync must survive; the paused and CREATING ones
    run no process, the DELETING one is skipped by the client."""
    spec = [(0, "prod-main", {"stateName": "IDLE"}, ["orders", "billing", "admin", "local"]),
            (0, "prod-archive", {"stateName": "IDLE", "paused": True}, ["archive"]),
            (1, "stage-1", {"stateName": "UPDATING"}, ["orders", "admin"]),
            (2, "dev-free", {"stateName": "IDLE", "instanceSize": "M0", "regionName": "US_EAST_1"}, ["scratch"]),
            (3, "analytics-new", {"stateName": "CREATING"}, []),
            (3, "analytics", {"stateName": "IDLE", "providerName": "GCP", "regionName": "CENTRAL_US"},
             ["events", "reports"]),
            (4, "billing", {"stateName": "IDLE"}, ["billing", "invoices"]),
            (5, "search", {"stateName": "REPAIRING"}, ["catalog"]),
            (6, "sandbox-old", {"stateName": "DELETING"}, ["tmp"]),
            (7, "web", {"stateName": "IDLE", "providerName": "AZURE", "regionName": "US_EAST_2"}, ["sessions"]),
            (8, "batch", {"stateName": "IDLE", "clusterType": "SHARDED"}, ["jobs"]),
            (9, "legacy", {"stateName": "IDLE", "instanceSize": "M2"}, ["old"])]
    out = []
    for i, (pi, name, extra, dbs) in enumerate(spec):
        c = {"groupId": projects[pi]["id"], "id": hexid("e1", i + 1), "name": name, "databases": dbs}
        c.update(extra)
        out.append(c)
    return out


def role(db, name, coll=None):
    r = {"databaseName": db, "roleName": name}
    if coll:
        r["collectionName"] = coll
    return r


def rich_dbusers(projects):
    """Roles on listed and unlisted databases, collection-scoped and
    custom roles, cluster and data lake scopes, every auth method."""
    p = [x["id"] for x in projects]
    return [
        {"groupId": p[0], "databaseName": "admin", "username": "orders-app",
         "roles": [role("orders", "readWrite"), role("admin", "read")]},
        {"groupId": p[0], "databaseName": "admin", "username": "reporter",
         "roles": [role("orders", "read"), role("billing", "read", "invoices"),
                   role("billing", "readWrite", "drafts"), role("admin", "readAnyDatabase")]},
        {"groupId": p[0], "databaseName": "admin", "username": "archivist",
         "scopes": [{"name": "prod-archive", "type": "CLUSTER"}],
         "roles": [role("archive", "readWrite"), role("ghost", "read")]},
        {"groupId": p[0], "databaseName": "admin", "username": "order-auditor",
         "roles": [role("admin", "ordersAuditor")], "description": "custom role user"},
        {"groupId": p[0], "databaseName": "$external", "awsIAMType": "ROLE",
         "username": "arn:aws:iam::123456789012:role/etl",
         "roles": [role("billing", "dbAdmin"), role("orders", "read")]},
        {"groupId": p[0], "databaseName": "$external", "x509Type": "CUSTOMER",
         "username": "CN=svc,OU=ops,O=acme", "roles": [role("admin", "atlasAdmin")]},
        {"groupId": p[0], "databaseName": "admin", "oidcAuthType": "IDP_GROUP",
         "username": "%s/atlas-dbas" % OIDC_IDP, "roles": [role("admin", "dbAdminAnyDatabase")]},
        {"groupId": p[1], "databaseName": "admin", "username": "orders-app",
         "roles": [role("orders", "read"), role("admin", "read")],
         "labels": [{"key": "team", "value": "platform"}]},
        {"groupId": p[1], "databaseName": "$external", "ldapAuthType": "GROUP",
         "username": "CN=dbas,OU=groups,DC=acme,DC=example", "roles": [role("admin", "clusterMonitor")]},
        {"groupId": p[1], "databaseName": "$external", "oidcAuthType": "USER",
         "username": "%s/ci-runner" % OIDC_IDP, "roles": [role("orders", "readWrite", "queue")]},
        {"groupId": p[2], "databaseName": "admin", "username": "dev",
         "scopes": [{"name": "dev-free", "type": "CLUSTER"}],
         "roles": [role("scratch", "readWrite"), role("scratch", "dbAdmin")]},
        {"groupId": p[3], "databaseName": "admin", "username": "analyst",
         "scopes": [{"name": "analytics", "type": "CLUSTER"}, {"name": "lake", "type": "DATA_LAKE"}],
         "roles": [role("events", "read"), role("reports", "read"), role("warehouse", "read"),
                   role("admin", "eventsReader")]},
        {"groupId": p[3], "databaseName": "$external", "awsIAMType": "USER",
         "username": "arn:aws:iam::123456789012:user/loader",
         "roles": [role("events", "readWrite"), role("events", "read", "raw")]},
        {"groupId": p[4], "databaseName": "admin", "username": "billing-svc",
         "roles": [role("billing", "readWrite"), role("invoices", "readWrite"), role("ledger", "read")]},
        {"groupId": p[4], "databaseName": "$external", "x509Type": "MANAGED",
         "username": "CN=billing-job", "roles": [role("invoices", "read", "paid")]},
        {"groupId": p[5], "databaseName": "admin", "username": "indexer",
         "roles": [role("catalog", "readWrite"), role("admin", "enableSharding")]},
        {"groupId": p[7], "databaseName": "admin", "username": "web",
         "roles": [role("sessions", "readWrite"), role("admin", "backup")]},
        {"groupId": p[7], "databaseName": "$external", "ldapAuthType": "USER",
         "username": "CN=web-ops,OU=people,DC=plain,DC=example", "roles": [role("sessions", "read")]},
        {"groupId": p[8], "databaseName": "admin", "username": "batch",
         "scopes": [{"name": "batch", "type": "CLUSTER"}],
         "roles": [role("jobs", "readWrite"), role("admin", "readWriteAnyDatabase"), role("results", "read")]},
        {"groupId": p[9], "databaseName": "admin", "username": "legacy",
         "roles": [role("old", "read")]},
    ]


def rich_custom_roles(projects):
    p = [x["id"] for x in projects]
    ns = lambda db, coll="": {"cluster": False, "collection": coll, "db": db}  # noqa: E731
    return {
        p[0]: [{"roleName": "ordersAuditor",
                "actions": [{"action": "FIND", "resources": [ns("orders"), ns("billing", "invoices")]},
                            {"action": "LIST_COLLECTIONS", "resources": [ns("orders")]}],
                "inheritedRoles": [{"db": "admin", "role": "clusterMonitor"}]},
               {"roleName": "opsKiller",
                "actions": [{"action": "KILL_OP", "resources": [{"cluster": True, "collection": "", "db": ""}]}],
                "inheritedRoles": []}],
        p[3]: [{"roleName": "eventsReader", "actions": [],
                "inheritedRoles": [{"db": "events", "role": "read"}, {"db": "reports", "role": "read"}]}],
    }


def rich_keys(projects):
    p = [x["id"] for x in projects]
    ro = [{"orgId": ACME, "roleName": "ORG_MEMBER"}, {"groupId": p[1], "roleName": "GROUP_READ_ONLY"}]
    keys = [
        {"id": hexid("f0", 1), "desc": "terraform", "publicKey": "tfkey001", "orgId": ACME,
         "roles": [{"orgId": ACME, "roleName": "ORG_OWNER"}]},
        {"id": hexid("f0", 2), "desc": "ci deploy", "publicKey": "cikey002", "orgId": ACME,
         "roles": [{"orgId": ACME, "roleName": "ORG_MEMBER"}, {"groupId": p[0], "roleName": "GROUP_OWNER"},
                   {"groupId": p[1], "roleName": "GROUP_CLUSTER_MANAGER"}]},
        {"id": hexid("f0", 3), "desc": "read only sync", "publicKey": "pubkey02", "orgId": ACME, "roles": ro},
        {"id": hexid("f0", 4), "desc": "plain admin", "publicKey": "plainkey", "orgId": PLAIN,
         "roles": [{"orgId": PLAIN, "roleName": "ORG_OWNER"},
                   {"groupId": p[8], "roleName": "GROUP_DATA_ACCESS_READ_WRITE"}]},
    ]
    creds = CREDENTIALS + [{"publicKey": "pubkey02", "privateKey": "priv-ro-7c1d", "roles": ro}]
    sas = SERVICE_ACCOUNTS + [{"clientId": "mdb_sa_id_ro", "clientSecret": "mdb_sa_sk_ro",
                               "roles": [{"orgId": ACME, "roleName": "ORG_READ_ONLY"}]}]
    return keys, creds, sas


def rich_federation(projects):
    p = [x["id"] for x in projects]
    saml = {"id": SAML_IDP, "oktaIdpId": SAML_OKTA, "protocol": "SAML", "idpType": "WORKFORCE",
            "displayName": "Acme Okta", "description": "Workforce SSO",
            "issuerUri": "http://www.okta.com/exk1acme", "status": "ACTIVE",
            "associatedDomains": list(ACME_DOMAINS),
            "ssoUrl": "https://acme.okta.example/app/atlas/sso/saml",
            "acsUrl": "https://auth.mongodb.com/sso/saml2/%s" % SAML_OKTA,
            "audienceUri": "https://www.okta.com/saml2/service-provider/spacme",
            "requestBinding": "HTTP-POST", "responseSignatureAlgorithm": "SHA-256",
            "slug": "acme", "ssoDebugEnabled": True,     # Bypass SAML Mode
            "pemFileInfo": {"fileName": "okta.pem", "certificates": [
                {"notBefore": "2025-01-01T00:00:00Z", "notAfter": "2028-01-01T00:00:00Z"}]}}
    oidc = {"id": OIDC_IDP, "oktaIdpId": OIDC_OKTA, "protocol": "OIDC", "idpType": "WORKFORCE",
            "displayName": "Acme Entra", "description": "Database access",
            "issuerUri": "https://login.microsoftonline.example/acme/v2.0",
            "associatedDomains": [], "audience": "api://atlas-acme", "clientId": "atlas-acme-client",
            "authorizationType": "GROUP", "groupsClaim": "groups", "userClaim": "sub",
            "requestedScopes": ["openid", "profile"]}
    mappings = [
        {"id": hexid("f3", 1), "externalGroupName": "atlas-admins",
         "roleAssignments": [{"orgId": ACME, "role": "ORG_OWNER"}]},
        {"id": hexid("f3", 2), "externalGroupName": "atlas-devs",
         "roleAssignments": [{"orgId": ACME, "role": "ORG_MEMBER"},
                             {"groupId": p[0], "role": "GROUP_DATA_ACCESS_READ_WRITE"},
                             {"groupId": p[1], "role": "GROUP_READ_ONLY"}]},
        {"id": hexid("f3", 3), "externalGroupName": "atlas-auditors",
         "roleAssignments": [{"orgId": ACME, "role": "ORG_READ_ONLY"},
                             {"groupId": p[3], "role": "GROUP_OBSERVABILITY_VIEWER"}]},
    ]
    config = {"orgId": ACME, "identityProviderId": SAML_OKTA, "dataAccessIdentityProviderIds": [OIDC_IDP],
              "domainRestrictionEnabled": True,
              "domainAllowList": ACME_DOMAINS + ["partner.example"],
              "postAuthRoleGrants": ["ORG_MEMBER"], "roleMappings": mappings}
    return [{"id": FEDERATION, "federatedDomains": list(ACME_DOMAINS),
             "identityProviders": [saml, oidc], "connectedOrgConfigs": [config]}]


def plain_config(projects):
    p = [x["id"] for x in projects if x["orgId"] == PLAIN]
    return {"orgId": PLAIN, "identityProviderId": SAML_OKTA, "dataAccessIdentityProviderIds": [],
            "domainRestrictionEnabled": False, "domainAllowList": [],
            "postAuthRoleGrants": ["ORG_READ_ONLY"],
            "roleMappings": [{"id": hexid("f3", 4), "externalGroupName": "plain-ops",
                              "roleAssignments": [{"orgId": PLAIN, "role": "ORG_MEMBER"},
                                                  {"groupId": p[0], "role": "GROUP_CLUSTER_MANAGER"}]}]}


def vary_federation(doc, how):
    """--federation: the rich fixture's federation varied (default: as is)."""
    feds = doc["federations"]
    if how == "none":
        doc["federations"] = []
    elif how == "open":
        feds[0]["connectedOrgConfigs"][0]["domainRestrictionEnabled"] = False
    elif how == "shared":
        feds[0]["connectedOrgConfigs"].append(plain_config(doc["projects"]))
    return doc


def rich():
    rnd = random.Random(20250312)
    users = rich_users(rnd)
    projects = rich_projects()
    pu, teams, pt = rich_memberships(rnd, users, projects)
    keys, creds, sas = rich_keys(projects)
    return {"orgs": [{"id": ACME, "name": "Acme Federated"}, {"id": PLAIN, "name": "Plain Org"}],
            "users": users, "projects": projects, "projectUsers": pu, "projectTeams": pt,
            "teams": teams, "databaseUsers": rich_dbusers(projects),
            "customDbRoles": rich_custom_roles(projects), "clusters": rich_clusters(projects),
            "apiKeys": keys, "federations": rich_federation(projects),
            "credentials": creds, "serviceAccounts": sas}


# -- benchmark ----------------------------------------------------------------
def big(nusers, nprojects, seed):
    rnd = random.Random(seed)
    org = hexid("a0", 1)
    users = [{"id": hexid("b", i), "username": "u%d@example.com" % i, "firstName": "U",
              "lastName": str(i), "country": "US", "orgMembershipStatus": "ACTIVE",
              "orgId": org, "orgRoles": [rnd.choice(ORG_ROLES)]} for i in range(nusers)]
    projects = [{"id": hexid("c", i), "name": "p%d" % i, "orgId": org} for i in range(nprojects)]
    pu = {}
    for p in projects:
        pu[p["id"]] = {users[rnd.randrange(nusers)]["id"]: [rnd.choice(GROUP_ROLES)]
                       for _ in range(5)}
    teams = [{"id": hexid("d", i), "name": "t%d" % i, "orgId": org,
              "users": [users[rnd.randrange(nusers)]["id"] for _ in range(20)]}
             for i in range(max(1, nusers // 1000))]
    dbusers = [{"groupId": p["id"], "databaseName": "admin", "username": "app%d" % j,
                "roles": [{"databaseName": "db%d" % (j % 3), "roleName": "readWrite"}]}
               for p in projects for j in range(3)]
    clusters = [{"groupId": p["id"], "id": hexid("e", i), "name": "c%d" % i,
                 "stateName": "IDLE", "databases": ["db0", "db1", "db2"]}
                for i, p in enumerate(projects)]
    return {"orgs": [{"id": org, "name": "Big Org"}], "users": users, "projects": projects,
            "projectUsers": pu, "teams": teams, "databaseUsers": dbusers,
            "clusters": clusters, "apiKeys": [],
            "credentials": CREDENTIALS, "serviceAccounts": SERVICE_ACCOUNTS,
            "projectTeams": big_project_teams(projects, teams, seed)}


def big_project_teams(projects, teams, seed):
    # Its own generator: the draws above, and so their output, stay as
    # they were before this key existed.
    rnd = random.Random("teams-%d" % seed)
    return {p["id"]: {teams[rnd.randrange(len(teams))]["id"]: [rnd.choice(GROUP_ROLES)]}
            for p in projects[::2]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--rich", action="store_true")
    ap.add_argument("--users", type=int, default=100000)
    ap.add_argument("--projects", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--federation", choices=["acme", "shared", "open", "none"], default="acme")
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = small() if a.small else vary_federation(rich(), a.federation) if a.rich else \
        big(a.users, a.projects, a.seed)
    s = json.dumps(doc, indent=1 if a.small or a.rich else None)
    if a.out:
        with open(a.out, "w") as f:
            f.write(s)
    else:
        print(s)


if __name__ == "__main__":
    main()
