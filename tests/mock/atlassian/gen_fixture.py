#!/usr/bin/env python3
"""Deterministic fixtures for the Atlassian Cloud mock (server.py).

gen_fixture.py --small [--out F]          the committed fixtures/small.json
gen_fixture.py --users N [--groups G] [--workspaces W] [--seed S] [--out F]
                                          large orgs (up to 50k users / 2k groups)

Fixture keys (everything the server reads):
  org              {id (uuid), name}
  verifiedDomains  e-mail domains the org has verified; SCIM can only create
                   users on these, and accounts on them are "managed"
  directories      [{directoryId, name, icon, scim}]; exactly one has scim=true
  workspaces       [{id (the ARI that role assignments use), name, typeKey,
                   cloudId, hostUrl, status, directoryId, roles (the role ids
                   valid on this product), capacity, usage, createdAt}]
  users            [{accountId, accountType (atlassian; customer and app
                   accounts never show in the directory APIs), email, name, nickname,
                   accountStatus (active|inactive|closed), claimStatus
                   (managed|unmanaged), forDeletion, mfaEnabled, emailVerified,
                   memberships {directoryId: active|suspended} (empty = no
                   membership, i.e. status not_invited), managementSource
                   (invited|synced|null), addedToOrg, jobTitle?, department?,
                   platformRoles [org-level PlatformRole ids],
                   roles {resourceId: [role ids]} (direct roles: workspace ARIs,
                   or ari:cloud:platform::site/<cloudId> for site-admin),
                   ownerRoles [{resourceId, resourceOwner (project|goal),
                   directoryId, roles}] (Atlas project/goal owners: a client
                   counts them but must not turn them into grants)}]
  groups           [{id, name, description?, directoryId, externalSynced,
                   managedBy (external = IdP-managed, admins, open),
                   members [accountId], roles {workspace ARI: [role ids]}}]
  scimUsers        [{id, directoryId, userName, externalId, accountId, active,
                   displayName, name {givenName, familyName}, emails, created}]
                   users provisioned through the SCIM directory
  apiTokens        {accountId: [{id, label, createdAt, expiry, lastAccess}]}
  credentials      {adminKey: org API key, scimTokens {directoryId: token}}
  roleApiEnabled   whether POST /v1/orgs/{orgId}/users/{id}/roles/assign|revoke
                   are enabled (Atlassian support must switch them on)
  seatLimit        max distinct active users holding a billable role
                   (atlassian/user or atlassian/admin on any workspace,
                   directly or through a group); null = unlimited

Small fixture features: users in every status (active, suspended,
deactivated, for_deletion, not_invited), a user active in one directory and
suspended in the other, e-mails with a plus sign, a legacy 24-hex account id,
an unmanaged (gmail) account, a JSM customer account (accountType customer,
in no directory), an org admin, a site admin, direct and group workspace
roles, project/goal owner roles, IdP-managed groups in the SCIM directory,
a group with a description, an empty group, six workspaces of five products
(one on a second site), API tokens for three users.
"""
import argparse, json, random, uuid

ORG = "a0a0a0a0-0000-4000-8000-000000000001"
D1 = "d1000000-0000-4000-8000-000000000001"
D2 = "d2000000-0000-4000-8000-000000000002"
C1 = "c1000000-0000-4000-8000-000000000001"
C2 = "c2000000-0000-4000-8000-000000000002"
ADMIN_KEY = "atl-org-key-5e3c4b2a9d"
SCIM_KEY = "scim-d2-7f3e91c0aa"
JIRA_ROLES = ["atlassian/user", "atlassian/admin", "atlassian/user-access-admin"]
PRODUCT_ROLES = {
    "jira-software": JIRA_ROLES,
    "confluence": JIRA_ROLES + ["atlassian/guest"],
    "jira-servicedesk": JIRA_ROLES + ["atlassian/customer", "atlassian/stakeholder"],
    "jira-product-discovery": JIRA_ROLES + ["atlassian/contributor"],
    "bitbucket": ["atlassian/user", "atlassian/admin"],
}
PRODUCT_NAMES = {"jira-software": "Jira", "confluence": "Confluence",
                 "jira-servicedesk": "Jira Service Management",
                 "jira-product-discovery": "Jira Product Discovery", "bitbucket": "Bitbucket"}


def uid(prefix, n):
    return "%s-0000-4000-8000-%012d" % (prefix, n)


def workspace(key, cloud, name, directory, host, capacity=None, usage=None):
    scope = "workspace" if key == "bitbucket" else "site"
    return {"id": "ari:cloud:%s::%s/%s" % (key, scope, cloud), "name": name, "typeKey": key,
            "cloudId": cloud, "hostUrl": host, "status": "online", "directoryId": directory,
            "roles": PRODUCT_ROLES[key], "capacity": capacity, "usage": usage,
            "createdAt": "2023-03-01T10:00:00.000Z"}


def user(acc, nick, email, **kw):
    u = {"accountId": acc, "accountType": "atlassian", "email": email,
         "name": "%s Example" % nick.capitalize(), "nickname": nick, "accountStatus": "active",
         "claimStatus": "managed", "forDeletion": False, "mfaEnabled": False,
         "emailVerified": True, "memberships": {D1: "active"}, "managementSource": "invited",
         "addedToOrg": "2024-01-15T09:00:00.000Z", "platformRoles": [], "roles": {},
         "ownerRoles": []}
    u.update(kw)
    return u


def small_workspaces():
    return [
        workspace("jira-software", C1, "Example Jira", D1, "https://example.atlassian.net"),
        workspace("confluence", C1, "Example Confluence", D1,
                  "https://example.atlassian.net/wiki"),
        workspace("jira-servicedesk", C1, "Example Service Desk", D1,
                  "https://example.atlassian.net"),
        workspace("jira-product-discovery", C1, "Example Discovery", D1,
                  "https://example.atlassian.net"),
        workspace("confluence", C2, "Okta Confluence", D2,
                  "https://okta-example.atlassian.net/wiki"),
        workspace("bitbucket", "b1000000-0000-4000-8000-000000000001", "example-code", D1,
                  "https://bitbucket.org/example-code", capacity=5, usage=3),
    ]


def small_users(ws):
    jira, conf, jsm, okta_conf = ws[0]["id"], ws[1]["id"], ws[2]["id"], ws[4]["id"]
    a = lambda n: "712020:%s" % uid("5a1f0000", n)  # noqa: E731
    goal = "ari:cloud:townsquare:%s:goal/%s" % (C1, uid("60a10000", 1))
    project = "ari:cloud:townsquare:%s:project/%s" % (C1, uid("9e0f0000", 1))
    owner = lambda res, kind: {"resourceId": res, "resourceOwner": kind,  # noqa: E731
                               "directoryId": D1, "roles": ["atlassian/admin"]}
    return [
        user(a(1), "alice", "alice@example.com", platformRoles=["atlassian/org-admin"],
             mfaEnabled=True, jobTitle="IT Lead", department="IT"),
        user(a(2), "bob", "bob@example.com", roles={jira: ["atlassian/admin"]},
             ownerRoles=[owner(goal, "goal")]),
        user(a(3), "carol", "carol+jira@example.com"),
        user(a(4), "dave", "dave@example.com", memberships={D1: "suspended"}),
        user(a(5), "erin", "erin@example.com", accountStatus="inactive",
             roles={conf: ["atlassian/user"]}),
        user(a(6), "frank", "frank@example.com", accountStatus="inactive", forDeletion=True),
        user(a(7), "grace", "grace@example.com", memberships={}, managementSource=None),
        user(a(8), "heidi", "heidi@example.org", memberships={D2: "active"},
             managementSource="synced"),
        user(a(9), "ivan", "ivan+it@example.com", memberships={D1: "suspended", D2: "active"},
             managementSource="synced", roles={jsm: ["atlassian/user"]}),
        user("5b10ac8d82e05b22cc7d4ef5", "judy", "judy.j@gmail.com", claimStatus="unmanaged",
             managementSource=None, emailVerified=False),
        user(a(11), "oscar", "oscar@example.com",
             roles={"ari:cloud:platform::site/%s" % C1: ["atlassian/site-admin"]}),
        user(a(12), "peggy", "peggy+ops@example.com",
             roles={conf: ["atlassian/user-access-admin"], okta_conf: ["atlassian/user"]},
             ownerRoles=[owner(project, "project"), owner(goal, "goal")]),
        user("qm:%s:%s" % (uid("7c000000", 1), uid("7c000000", 2)), "trent",
             "trent@customer.test", accountType="customer", claimStatus="unmanaged",
             memberships={}, managementSource=None),
    ]


def small_groups(ws, users):
    acc = {u["nickname"]: u["accountId"] for u in users}
    g = lambda n: uid("9f000000", n)  # noqa: E731
    return [
        {"id": g(1), "name": "jira-software-users", "directoryId": D1, "externalSynced": False,
         "managedBy": "admins", "members": [acc["bob"], acc["carol"], acc["dave"]],
         "roles": {ws[0]["id"]: ["atlassian/user"]}},
        {"id": g(2), "name": "confluence-admins", "directoryId": D1, "externalSynced": False,
         "description": "Administrators of Example Confluence", "managedBy": "admins",
         "members": [acc["alice"]], "roles": {ws[1]["id"]: ["atlassian/admin"]}},
        {"id": g(3), "name": "jsm-agents", "directoryId": D1, "externalSynced": False,
         "managedBy": "open", "members": [acc["judy"]], "roles": {ws[2]["id"]: ["atlassian/user"]}},
        {"id": g(4), "name": "okta-engineering", "directoryId": D2, "externalSynced": True,
         "managedBy": "external", "members": [acc["heidi"], acc["ivan"]],
         "roles": {ws[4]["id"]: ["atlassian/user"]}},
        {"id": g(5), "name": "okta-contractors", "directoryId": D2, "externalSynced": True,
         "managedBy": "external", "members": [acc["heidi"]],
         "roles": {ws[4]["id"]: ["atlassian/guest"]}},
        {"id": g(6), "name": "empty-team", "directoryId": D1, "externalSynced": False,
         "managedBy": "admins", "members": [], "roles": {}},
    ]


def scim_user(n, u, directory):
    given, family = u["name"].split(" ", 1)
    return {"id": uid("5c000000", n), "directoryId": directory, "userName": u["email"],
            "externalId": "okta-%05d" % n, "accountId": u["accountId"], "active": True,
            "displayName": u["name"], "name": {"givenName": given, "familyName": family},
            "emails": [{"value": u["email"], "type": "work", "primary": True}],
            "created": "2024-02-01T08:00:00.000Z"}


def token(n, label, expiry="2026-12-31T00:00:00.000Z", last="2025-06-01T12:00:00.000Z"):
    return {"id": uid("70c00000", n), "label": label, "createdAt": "2025-01-10T10:00:00.000Z",
            "expiry": expiry, "lastAccess": last}


def base(users, groups, ws, scim):
    return {"org": {"id": ORG, "name": "Example Org"},
            "verifiedDomains": ["example.com", "example.org"],
            "directories": [
                {"directoryId": D1, "name": "Primary Directory",
                 "icon": "https://icon.example.com/primary.png", "scim": False},
                {"directoryId": D2, "name": "Okta Directory",
                 "icon": "https://icon.example.com/okta.png", "scim": True}],
            "workspaces": ws, "users": users, "groups": groups, "scimUsers": scim,
            "credentials": {"adminKey": ADMIN_KEY, "scimTokens": {D2: SCIM_KEY}},
            "roleApiEnabled": True}


def small():
    ws = small_workspaces()
    users = small_users(ws)
    by = {u["nickname"]: u for u in users}
    doc = base(users, small_groups(ws, users), ws,
               [scim_user(1, by["heidi"], D2), scim_user(2, by["ivan"], D2)])
    doc["apiTokens"] = {by["alice"]["accountId"]: [token(1, "ci pipeline"), token(2, "laptop")],
                        by["bob"]["accountId"]: [token(3, "old script",
                                                       expiry="2025-03-01T00:00:00.000Z")],
                        by["peggy"]["accountId"]: [token(4, "ops bot")]}
    doc["seatLimit"] = 25
    return doc


def big_workspaces(n):
    keys = list(PRODUCT_ROLES)
    out = []
    for i in range(n):
        cloud = uid("c3000000", i // 4)
        key = keys[i % 4]   # four sited products per cloud id
        out.append(workspace(key, cloud, "%s %d" % (PRODUCT_NAMES[key], i), D1 if i % 5 else D2,
                             "https://site%d.atlassian.net" % (i // 4)))
    return out


def big_user(rnd, i, ws):
    acc = "712020:%s" % uuid.UUID(int=rnd.getrandbits(128), version=4)
    email = "user%d%s@example.com" % (i, "+tag" if i % 17 == 0 else "")
    u = user(acc, "user%d" % i, email)
    r = rnd.random()
    if r < 0.10:
        u.update(memberships={D2: "active"}, managementSource="synced")
    elif r < 0.15:
        u["memberships"] = {D1: "suspended"}
    elif r < 0.18:
        u["accountStatus"] = "inactive"
    elif r < 0.19:
        u.update(accountStatus="inactive", forDeletion=True)
    elif r < 0.20:
        u.update(memberships={}, managementSource=None)
    elif r < 0.22:
        u.update(email="user%d@gmail.com" % i, claimStatus="unmanaged", managementSource=None)
    if i < 3:
        u["platformRoles"] = ["atlassian/org-admin"]
    if rnd.random() < 0.2:
        w = rnd.choice(ws)
        u["roles"] = {w["id"]: [rnd.choice(w["roles"])]}
    if rnd.random() < 0.05:
        u["ownerRoles"] = [{"resourceId": "ari:cloud:townsquare:%s:project/%s" % (
            ws[0]["cloudId"], uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "resourceOwner": rnd.choice(["project", "goal"]), "directoryId": D1,
            "roles": ["atlassian/admin"]}]
    return u


def big_groups(rnd, n, users, ws):
    by_dir = {D1: [u["accountId"] for u in users if D1 in u["memberships"]],
              D2: [u["accountId"] for u in users if D2 in u["memberships"]]}
    out = []
    for i in range(n):
        idp = i % 10 == 0 and by_dir[D2]
        d = D2 if idp else D1
        pool = by_dir[d]
        members = rnd.sample(pool, min(len(pool), rnd.randint(0, 50)))
        w = rnd.choice([x for x in ws if x["directoryId"] == d] or ws)
        g = {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "name": "group-%04d" % i,
             "directoryId": d, "externalSynced": bool(idp),
             "managedBy": "external" if idp else "admins", "members": members,
             "roles": {w["id"]: [rnd.choice(w["roles"])]} if i % 3 else {}}
        if i % 7 == 0:
            g["description"] = "Generated group %d" % i
        out.append(g)
    return out


def big(nusers, ngroups, nws, seed):
    rnd = random.Random(seed)
    ws = big_workspaces(max(nws, 1))
    users = [big_user(rnd, i, ws) for i in range(nusers)]
    scim = [scim_user(i + 1, u, D2) for i, u in enumerate(users) if D2 in u["memberships"]]
    doc = base(users, big_groups(rnd, ngroups, users, ws), ws, scim)
    doc["apiTokens"] = {u["accountId"]: [token(i, "token %d" % i)]
                        for i, u in enumerate(users) if i % 20 == 0}
    doc["seatLimit"] = None
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--users", type=int, default=50000)
    ap.add_argument("--groups", type=int, default=2000)
    ap.add_argument("--workspaces", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = small() if a.small else big(a.users, a.groups, a.workspaces, a.seed)
    s = json.dumps(doc, indent=1 if a.small else None, sort_keys=a.small) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(s)
    else:
        print(s, end="")


if __name__ == "__main__":
    main()
