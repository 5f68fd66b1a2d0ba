#!/usr/bin/env python3
"""Self-test of the Atlassian Cloud mock: starts server.py on an ephemeral
loopback port with a throw-away CA, drives every route over TLS (good and
bad requests, paging to the end, error paths, 429 injection in both styles,
latency overlap, a 20k-user paging run) and validates the main responses
against the vendor specs' JSON schemas. The schema part is skipped when
../shared/specs is absent. Closing line: "N passed, N failed"."""
import http.client, json, os, shutil, ssl, subprocess, sys, tempfile, threading, time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SPECS = os.path.join(TOP, "..", "shared", "specs", "atlassian")
FX = json.load(open(os.path.join(HERE, "fixtures", "small.json")))
ORG = FX["org"]["id"]
D1, D2 = (d["directoryId"] for d in FX["directories"])
ADMIN_KEY = FX["credentials"]["adminKey"]
SCIM_KEY = FX["credentials"]["scimTokens"][D2]
ACC = {u["nickname"]: u["accountId"] for u in FX["users"]}
GRP = {g["name"]: g["id"] for g in FX["groups"]}
WS = {w["name"]: w["id"] for w in FX["workspaces"]}
V2 = "/admin/v2/orgs/%s" % ORG
V1 = "/admin/v1/orgs/%s" % ORG
SC = "/scim/directory/%s" % D2
SCIM_CT = "application/scim+json"
P = {"passed": 0, "failed": 0}
SAMPLES = []    # (spec file, spec path, method, status, body, strict)


def ok(cond, name, detail=""):
    P["passed" if cond else "failed"] += 1
    if not cond:
        print("FAIL %s %s" % (name, detail))


class Resp:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.json = json.loads(raw) if raw else None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Client:
    def __init__(self, port, ca):
        self.port, self.ctx, self.conn = port, ssl.create_default_context(cafile=ca), None

    def req(self, method, path, body=None, token=ADMIN_KEY, headers=None, raw=None,
            ctype="application/json"):
        h = {"Accept": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        if data is not None and ctype:
            h["Content-Type"] = ctype
        h.update(headers or {})
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                                            context=self.ctx, timeout=30)
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            except (ConnectionError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise


def qs(**kw):
    return "?" + urllib.parse.urlencode(kw, doseq=True, quote_via=urllib.parse.quote)


def enc(tok):
    return urllib.parse.quote(tok, safe="")


def sample(spec, path, method, r, strict=True):
    SAMPLES.append((spec, path, method, r.status, r.json, strict))


ORGSPEC, UMSPEC = "admin-organization.2026-08-21.json", "admin-user-management.2026-08-21.json"
SCIMSPEC = "user-provisioning-scim.2022-08-29.json"


class Mock:
    def __init__(self, tmp, ca, fixture, *extra):
        self.pf = os.path.join(tmp, "port-%d" % id(self))
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "server.py"), "--cert", ca + "/server.pem",
             "--key", ca + "/server.key", "--port-file", self.pf, "--fixture", fixture] +
            list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            if os.path.exists(self.pf):
                break
            time.sleep(0.05)
        self.port = int(open(self.pf).read())
        self.c = Client(self.port, ca + "/ca.pem")
        self.ca = ca

    def stats(self):
        return self.c.req("GET", "/__mock/stats", token=None).json

    def state(self):
        return self.c.req("GET", "/__mock/state", token=None).json

    def config(self, **kw):
        return self.c.req("POST", "/__mock/config", body=kw, token=None).json

    def reset(self):
        self.c.req("POST", "/__mock/reset-stats", token=None)

    def violations(self):
        return self.stats()["violations"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def expect_violation(m, name, needle):
    v = m.violations()
    ok(any(needle in x for x in v), name + " recorded as violation", "%r not in %r" % (needle, v))
    m.reset()


def clean(m, name):
    v = m.violations()
    ok(v == [], name + ": no violations", repr(v))
    m.reset()


def err_code(r):
    return ((r.json or {}).get("errors") or [{}])[0].get("code")


# -- tests --------------------------------------------------------------------
def test_auth(m):
    c = m.c
    r = c.req("GET", V1, token=None)
    ok(r.status == 401 and r.json == {"code": 401, "message": "Unauthorized"}, "no key -> 401",
       repr(r))
    sample(ORGSPEC, "/v1/orgs/{orgId}", "get", r)
    r = c.req("GET", V1, token=SCIM_KEY)
    ok(r.status == 401, "SCIM key on admin -> 401", repr(r))
    r = c.req("GET", V2 + "/directories", token="wrong")
    ok(r.status == 401 and r.json.get("code") == 401, "bad key on v2 -> 401 ProxyError", repr(r))
    SAMPLES.append(("component", "ProxyError", None, 401, r.json, True))
    r = c.req("GET", SC + "/Users", token=ADMIN_KEY)
    ok(r.status == 401 and "traceId" in r.json, "admin key on SCIM -> 401 Failure", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users", "get", r)
    r = c.req("GET", "/scim/directory/%s/Users" % D1, token=SCIM_KEY)
    ok(r.status == 401, "SCIM key of another directory -> 401", repr(r))
    r = c.req("GET", "/users/%s/manage/api-tokens" % ACC["alice"], token=None)
    ok(r.status == 401 and r.json == {"key": "unauthorized"}, "user mgmt 401 key", repr(r))
    seen = m.stats()["auth_seen"]
    ok(seen["org.get"] == {"admin": 0, "scim": 1, "none": 1, "other": 0}, "auth_seen org.get",
       repr(seen["org.get"]))
    ok(seen["scim.users.list"]["admin"] == 1 and seen["scim.users.list"]["scim"] == 1,
       "auth_seen scim.users.list", repr(seen["scim.users.list"]))
    clean(m, "auth")


def test_org_and_directories(m):
    c = m.c
    r = c.req("GET", V1)
    ok(r.status == 200 and r.json["data"]["id"] == ORG and
       r.json["data"]["attributes"]["name"] == "Example Org", "GET org", repr(r))
    sample(ORGSPEC, "/v1/orgs/{orgId}", "get", r)
    r = c.req("GET", "/admin/v1/orgs")
    ok(r.status == 200 and len(r.json["data"]) == 1, "GET orgs", repr(r))
    sample(ORGSPEC, "/v1/orgs", "get", r)
    r = c.req("GET", "/admin/v1/orgs?cursor=abc")
    ok(r.status == 400 and err_code(r) == "ADMIN-400-1", "GET orgs with a cursor -> 400", repr(r))
    sample(ORGSPEC, "/v1/orgs", "get", r)
    expect_violation(m, "orgs cursor", "Invalid page cursor")
    r = c.req("GET", "/admin/v1/orgs/00000000-0000-4000-8000-000000000000")
    ok(r.status == 404 and err_code(r) == "ADMIN-404-2", "unknown org -> 404 ADMIN-404-2", repr(r))
    sample(ORGSPEC, "/v1/orgs/{orgId}", "get", r)
    seen, path = [], V2 + "/directories" + qs(limit=1)
    while path:
        r = c.req("GET", path)
        ok(r.status == 200, "directories page", repr(r))
        sample(ORGSPEC, "/v2/orgs/{orgId}/directories", "get", r)
        seen += [d["directoryId"] for d in r.json["data"]]
        nxt = r.json["links"].get("next")
        path = V2 + "/directories?cursor=" + enc(nxt) if nxt else None
    ok(sorted(seen) == sorted([D1, D2]), "directories paged to the end", repr(seen))
    r = c.req("GET", V2 + "/directories" + qs(accountId=ACC["heidi"]))
    ok([d["directoryId"] for d in r.json["data"]] == [D2], "directories by accountId", repr(r))
    clean(m, "org and directories")


def page_all(m, path, body, limit, sample_as=None):
    """Every page of a POST search, following links.next alone."""
    out, b, pages = [], dict(body, limit=limit), 0
    while True:
        r = m.c.req("POST", path, body=b)
        ok(r.status == 200, "search page %s" % path, repr(r))
        if r.status != 200:
            return out, pages
        if sample_as:
            sample(ORGSPEC, sample_as, "post", r)
        out += r.json["data"]
        pages += 1
        nxt = r.json["links"].get("next")
        if not nxt:
            return out, pages
        b = {"cursor": nxt}


def visible_membered():
    return sorted(u["accountId"] for u in FX["users"]
                  if u["accountType"] == "atlassian" and u["memberships"])


def test_users(m):
    c, search = m.c, V2 + "/directories/-/users/search"
    users, pages = page_all(m, search, {}, 3,
                            "/v2/orgs/{orgId}/directories/{directoryId}/users/search")
    ids = [u["accountId"] for u in users]
    ok(sorted(ids) == visible_membered() and pages == 4, "users search '-' paged to the end",
       "%d pages %r" % (pages, ids))
    st = {u["nickname"]: u["status"] for u in users}
    ok(st["dave"] == "suspended" and st["erin"] == "deactivated" and
       st["frank"] == "for_deletion" and st["alice"] == "active" and "grace" not in st and
       st["ivan"] == "active", "composite statuses", repr(st))
    clean(m, "users search")
    expanded, _ = page_all(m, search, {"expand": ["groups"]}, 2)
    ok(len(expanded) == len(users) and all("groups" in u for u in expanded),
       "expand kept on cursor pages", repr(expanded[-1]))
    r = c.req("POST", search, body={"groupIds": [GRP["jira-software-users"]], "limit": 2})
    r = c.req("POST", search, body={"cursor": r.json["links"]["next"], "limit": 2,
                                    "groupIds": [GRP["jira-software-users"]]})
    ok(r.status == 200 and len(r.json["data"]) == 1, "cursor + the same fields -> 200", repr(r))
    managed, _ = page_all(m, search, {"claimStatus": "managed"}, 100)
    ok("grace" in [u["nickname"] for u in managed] and
       "judy" not in [u["nickname"] for u in managed], "claimStatus=managed adds not_invited")
    r = c.req("POST", search, body={"status": ["not_invited"], "claimStatus": "managed"})
    ok([u["nickname"] for u in r.json["data"]] == ["grace"] and
       r.json["data"][0]["status"] == "not_invited", "status filter not_invited", repr(r))
    r = c.req("POST", V2 + "/directories/%s/users/search" % D1, body={"limit": 100})
    ivan = [u for u in r.json["data"] if u["nickname"] == "ivan"]
    ok(ivan and ivan[0]["status"] == "suspended" and "heidi" not in
       [u["nickname"] for u in r.json["data"]], "directory-scoped status", repr(ivan))
    r = c.req("POST", search, body={"emails": ["CAROL+jira@example.com"],
                                    "expand": ["groups", "platformRoles", "counts.resources",
                                               "productAccess"]})
    ok(len(r.json["data"]) == 1 and r.json["data"][0]["groups"][0]["id"] ==
       GRP["jira-software-users"] and "platformRoles" in r.json["data"][0],
       "emails filter + expand", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users/search", "post", r)
    r = c.req("POST", search, body={"groupIds": [GRP["jira-software-users"]]})
    ok(sorted(u["nickname"] for u in r.json["data"]) == ["bob", "carol", "dave"],
       "group members via groupIds", repr(r))
    r = c.req("POST", search, body={"searchTerm": "peggy", "limit": 1})
    ok([u["nickname"] for u in r.json["data"]] == ["peggy"], "searchTerm", repr(r))
    clean(m, "users filters")
    test_users_errors(m, search)


def test_users_errors(m, search):
    c = m.c
    r = c.req("POST", search, body={"emails": ["a@example.com"], "searchTerm": "a"})
    ok(r.status == 400, "emails+searchTerm -> 400", repr(r))
    expect_violation(m, "emails+searchTerm", "mutually exclusive")
    r = c.req("POST", search, body={"bogus": 1})
    ok(r.status == 400 and err_code(r) == "ADMIN-400-24", "unknown body field -> 400", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users/search", "post", r)
    expect_violation(m, "unknown body field", "unknown field body.bogus")
    r = c.req("POST", search, body={"limit": 101})
    ok(r.status == 400, "search limit 101 -> 400", repr(r))
    expect_violation(m, "search limit", "between 1 and 100")
    r = c.req("POST", search, raw=b"{not json")
    ok(r.status == 400, "malformed JSON -> 400", repr(r))
    expect_violation(m, "malformed JSON", "malformed JSON")
    r = c.req("POST", search, body={}, ctype="text/plain")
    ok(r.status == 415, "wrong media type -> 415", repr(r))
    expect_violation(m, "media type", "Content-Type text/plain")
    r = c.req("POST", search, body={"limit": 2})
    nxt = r.json["links"]["next"]
    ok(all(ch in nxt for ch in "+/.="), "cursor holds + / . =", nxt)
    r = c.req("POST", search, body={"cursor": nxt, "limit": 3})
    ok(r.status == 400, "cursor with changed fields -> 400", repr(r))
    expect_violation(m, "changed search fields", "differ from the query")
    r = c.req("POST", search, body={"cursor": nxt, "limit": 2})
    ok(r.status == 200, "cursor with the same fields -> 200", repr(r))
    r = c.req("POST", search, body={"cursor": nxt})
    ok(r.status == 400, "repeated cursor -> 400", repr(r))
    expect_violation(m, "repeated cursor", "already used")
    test_users_get(m)


def test_users_get(m):
    c, path = m.c, V2 + "/directories/-/users"
    r = c.req("GET", path + qs(limit=5))
    ok(r.status == 200 and len(r.json["data"]) == 5, "deprecated GET users works", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users", "get", r)
    expect_violation(m, "deprecated GET users", "deprecated endpoint GET")
    tok = r.json["links"]["next"]
    r = c.req("GET", path + "?cursor=" + tok)         # '+' left raw: a space to a Java server
    ok(r.status == 400, "unencoded cursor -> 400", repr(r))
    expect_violation(m, "unencoded cursor", "not percent-encoded")
    r = c.req("GET", path + "?cursor=" + urllib.parse.quote(tok, safe="/="))
    ok(r.status == 200, "cursor with raw '/' and '=' is fine", repr(r))
    m.reset()
    r = c.req("GET", path + qs(limit=5))
    r = c.req("GET", path + "?cursor=%s&limit=5" % enc(r.json["links"]["next"]))
    ok(r.status == 200, "cursor + limit still answered (others discarded)", repr(r))
    expect_violation(m, "cursor + limit", "discarded: limit")
    r = c.req("GET", path + "?cursor=" + enc("++++////AAAAAAAA.AAAAAA=="))
    ok(r.status == 400 and err_code(r) == "ADMIN-400-1", "unknown cursor -> 400 ADMIN-400-1",
       repr(r))
    m.reset()
    for bad, why in ((qs(limit=101), "limit 101"), (qs(limit=0), "limit 0"),
                     (qs(limit="x"), "limit x"), (qs(foo=1), "unknown param"),
                     (qs(status="gone"), "bad enum"),
                     (qs(accountIds=["a"] * 11), "11 accountIds")):
        r = c.req("GET", path + bad)
        ok(r.status == 400, "GET users %s -> 400" % why, repr(r))
        ok(len([v for v in m.violations() if "deprecated" not in v]) == 1,
           "GET users %s violation" % why, repr(m.violations()))
        m.reset()
    r = c.req("GET", path + qs(groupIds=GRP["okta-engineering"], limit=100))
    ok(sorted(u["nickname"] for u in r.json["data"]) == ["heidi", "ivan"],
       "deprecated GET with groupIds", repr(r))
    m.reset()
    r = c.req("GET", V2 + "/directories/-/users/%s" % urllib.parse.quote(ACC["ivan"], safe=""))
    ok(r.status == 200 and r.json["data"]["accountId"] == ACC["ivan"], "user detail %3A", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users/{userId}", "get", r)
    r = c.req("GET", V2 + "/directories/-/users/%s" % ACC["erin"])
    ok(r.status == 200 and "deactivatedOn" in r.json["data"], "user detail raw ':'", repr(r))
    r = c.req("GET", V2 + "/directories/%s/users/%s" % (D2, ACC["alice"]))
    ok(r.status == 404 and err_code(r) == "ADMIN-404-8", "user not in directory -> 404", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users/{userId}", "get", r)
    r = c.req("GET", V2 + "/directories/%s/users/%s" % ("nope", ACC["alice"]))
    ok(r.status == 404, "unknown directory -> 404", repr(r))
    r = c.req("GET", V2 + "/directories/-/users/%s" % ACC["trent"])
    ok(r.status == 404, "customer account not in directory API", repr(r))
    clean(m, "user detail")


def ra_map(m, acc, limit=100, scope="-"):
    out, path = [], V2 + "/directories/%s/users/%s/role-assignments%s" % (scope, acc, qs(
        limit=limit))
    while path:
        r = m.c.req("GET", path)
        ok(r.status == 200, "role assignments page", repr(r))
        sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/"
               "role-assignments", "get", r)
        out += r.json["data"]
        nxt = r.json["links"].get("next")
        path = path.split("?")[0] + "?cursor=" + enc(nxt) if nxt else None
    return {e["resourceId"]: e for e in out}


def test_role_assignments(m):
    alice = ra_map(m, ACC["alice"])
    org_ari = "ari:cloud:platform::org/" + ORG
    ok(alice[org_ari]["roles"] == ["atlassian/org-admin"] and
       alice[org_ari]["resourceOwner"] == "platform" and alice[org_ari]["directoryId"] is None,
       "org-admin is a platform assignment", repr(alice))
    conf = alice[WS["Example Confluence"]]
    ok(conf["roleAssignments"] == [{"role": "atlassian/admin",
                                    "roleAssignmentMethods": ["group_direct"]}] and
       conf["resourceOwner"] == "confluence", "group-derived role", repr(conf))
    bob = ra_map(m, ACC["bob"], limit=1)
    jira = bob[WS["Example Jira"]]
    ok(jira["roles"] == ["atlassian/admin", "atlassian/user"] and
       {r["role"]: r["roleAssignmentMethods"] for r in jira["roleAssignments"]} ==
       {"atlassian/admin": ["direct"], "atlassian/user": ["group_direct"]},
       "direct + group roles merged, paged with limit=1", repr(jira))
    owners = sorted(e["resourceOwner"] for e in ra_map(m, ACC["peggy"]).values())
    ok(owners.count("project") == 1 and owners.count("goal") == 1, "project/goal owners",
       repr(owners))
    oscar = ra_map(m, ACC["oscar"])
    site = "ari:cloud:platform::site/" + FX["workspaces"][0]["cloudId"]
    ok(oscar[site]["roles"] == ["atlassian/site-admin"], "site-admin on platform site",
       repr(oscar))
    d2 = ra_map(m, ACC["ivan"], scope=D2)
    ok(list(d2) == [] or all(e["directoryId"] == D2 for e in d2.values()),
       "directory-scoped role assignments", repr(d2))
    r = m.c.req("GET", V2 + "/directories/-/users/%s/role-assignments%s" % (
        ACC["peggy"], qs(resourceOwners="goal")))
    ok([e["resourceOwner"] for e in r.json["data"]] == ["goal"], "resourceOwners filter",
       repr(r))
    r = m.c.req("GET", V2 + "/directories/-/users/nobody/role-assignments")
    ok(r.status == 404, "role assignments of unknown user -> 404", repr(r))
    clean(m, "role assignments")


def test_groups(m):
    c, search = m.c, V2 + "/directories/-/groups/search"
    groups, pages = page_all(m, search, {"expand": ["counts.users"]}, 4,
                             "/v2/orgs/{orgId}/directories/{directoryId}/groups/search")
    ok(sorted(g["id"] for g in groups) == sorted(GRP.values()) and pages == 2,
       "groups search paged to the end", repr(groups))
    by = {g["name"]: g for g in groups}
    ok(by["okta-engineering"]["externalSynced"] and by["okta-engineering"]["managedBy"] ==
       "external" and by["jira-software-users"]["counts"] == {"users": 3},
       "IdP group flags and counts", repr(by["okta-engineering"]))
    ok(by["confluence-admins"]["description"].startswith("Administrators"), "group description")
    r = c.req("POST", search, body={"accountIds": [ACC["heidi"]]})
    ok(sorted(g["name"] for g in r.json["data"]) == ["okta-contractors", "okta-engineering"],
       "groups by member", repr(r))
    r = c.req("POST", search, body={"groupNames": ["JSM-AGENTS"]})
    ok([g["name"] for g in r.json["data"]] == ["jsm-agents"], "groupNames case-insensitive")
    r = c.req("POST", search, body={"groupNames": ["x"], "searchTerm": "x"})
    ok(r.status == 400, "groupNames + searchTerm -> 400", repr(r))
    expect_violation(m, "groupNames + searchTerm", "mutually exclusive")
    r = c.req("GET", V2 + "/directories/%s/groups%s" % (D1, qs(includeUsers="true", limit=3)))
    ok(r.status == 200 and all(g["directoryId"] == D1 for g in r.json["data"]) and
       all("users" in g["counts"] for g in r.json["data"]), "deprecated GET groups", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/groups", "get", r)
    r = c.req("GET", V2 + "/directories/%s/groups?cursor=%s" % (D1, enc(r.json["links"]["next"])))
    ok(r.status == 200 and len(r.json["data"]) == 1 and "counts" in r.json["data"][0] and
       "next" not in r.json["links"] and "prev" in r.json["links"],
       "GET groups page 2 keeps includeUsers", repr(r))
    expect_violation(m, "deprecated GET groups", "deprecated endpoint GET")
    r = c.req("GET", V2 + "/directories/-/groups/%s" % GRP["okta-engineering"])
    ok(r.status == 200 and r.json["data"]["directoryId"] == D2 and
       r.json["data"]["counts"]["users"] == 2, "group detail via '-'", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}", "get", r)
    r = c.req("GET", V2 + "/directories/%s/groups/%s" % (D1, GRP["okta-engineering"]))
    ok(r.status == 404 and err_code(r) == "ADMIN-404-10", "group in another directory -> 404",
       repr(r))
    r = c.req("GET", V2 + "/directories/-/groups/%s/role-assignments" % GRP["confluence-admins"])
    ok(r.json["data"] == [{"resourceId": WS["Example Confluence"], "resourceOwner": "confluence",
                           "roles": ["atlassian/admin"]}], "group role assignments", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/"
           "role-assignments", "get", r)
    clean(m, "groups")


def test_group_writes(m):
    c, g = m.c, GRP["empty-team"]
    base = V2 + "/directories/%s/groups/%s" % (D1, g)
    body = {"resourceId": WS["Example Jira"], "roleId": "atlassian/user"}
    r = c.req("POST", base + "/role-assignments/assign", body=body)
    ok(r.status == 200 and r.raw == b"", "group role assign -> 200", repr(r))
    r = c.req("GET", V2 + "/directories/-/groups/%s/role-assignments" % g)
    ok([e["resourceId"] for e in r.json["data"]] == [WS["Example Jira"]], "assign visible",
       repr(r))
    r = c.req("POST", base + "/role-assignments/revoke", body=body)
    ok(r.status == 204, "group role revoke -> 204", repr(r))
    r = c.req("GET", V2 + "/directories/-/groups/%s/role-assignments" % g)
    ok(r.json["data"] == [], "revoke visible", repr(r))
    clean(m, "group roles")
    r = c.req("POST", base + "/role-assignments/assign",
              body={"resourceId": WS["Example Jira"], "roleId": "atlassian/guest"})
    ok(r.status == 400 and err_code(r) == "ADMIN-UAM-400-3", "role invalid for product -> 400-3",
       repr(r))
    r = c.req("POST", base + "/role-assignments/assign",
              body={"resourceId": "ari:cloud:jira::site/nope", "roleId": "atlassian/user"})
    ok(r.status == 404, "unknown resource -> 404", repr(r))
    clean(m, "group role errors")
    r = c.req("POST", V2 + "/directories/-/groups/%s/role-assignments/assign" % g, body=body)
    ok(r.status == 404, "write with directory '-' -> 404", repr(r))
    expect_violation(m, "write with '-'", "only valid on read")
    test_memberships(m)


def test_memberships(m):
    c = m.c
    base = V2 + "/directories/%s/groups/%s/memberships" % (D1, GRP["jira-software-users"])
    r = c.req("POST", base, body={"accountId": ACC["peggy"]})
    ok(r.status == 204, "add member -> 204", repr(r))
    r = c.req("POST", V2 + "/directories/-/users/search",
              body={"groupIds": [GRP["jira-software-users"]]})
    ok("peggy" in [u["nickname"] for u in r.json["data"]], "new member visible", repr(r))
    r = c.req("POST", base, body={"accountId": ACC["peggy"]})
    ok(r.status == 409 and err_code(r) == "ADMIN-UAM-409-2", "existing member -> 409-2", repr(r))
    SAMPLES.append(("component", "ApiErrorResponse", None, 409, r.json, True))
    r = c.req("DELETE", base + "/" + ACC["peggy"])
    ok(r.status == 204, "remove member -> 204", repr(r))
    r = c.req("DELETE", base + "/" + ACC["peggy"])
    ok(r.status == 404 and err_code(r) == "ADMIN-UAM-404-1", "remove non-member -> 404", repr(r))
    r = c.req("POST", base, body={"accountId": ACC["heidi"]})
    ok(r.status == 404, "user of another directory -> 404", repr(r))
    idp = V2 + "/directories/%s/groups/%s/memberships" % (D2, GRP["okta-engineering"])
    r = c.req("POST", idp, body={"accountId": ACC["ivan"]})
    ok(r.status == 403 and err_code(r) == "ADMIN-UAM-403-1", "IdP group add -> 403", repr(r))
    r = c.req("DELETE", idp + "/" + ACC["heidi"])
    ok(r.status == 403, "IdP group remove -> 403", repr(r))
    clean(m, "memberships")
    r = c.req("POST", base, body={"account_id": ACC["peggy"]})
    ok(r.status == 400, "account_id instead of accountId -> 400", repr(r))
    expect_violation(m, "membership body", "unknown field body.account_id")
    m.config(seat_limit=seats_in_use(m.state()))    # full: one more billable user is too many
    r = c.req("POST", base, body={"accountId": ACC["oscar"]})
    ok(r.status == 409 and err_code(r) == "ADMIN-UAM-409-3", "seat limit -> 409-3", repr(r))
    m.config(seat_limit=None)
    clean(m, "seat limit")


def seats_in_use(st):
    ws = {w["id"] for w in st["workspaces"]}
    groups = {g["id"]: g for g in st["groups"]}
    member = {}
    for g in st["groups"]:
        for a in g["members"]:
            member.setdefault(a, []).append(g["id"])
    billable = {"atlassian/user", "atlassian/admin"}
    n = 0
    for u in st["users"]:
        if u["accountStatus"] != "active" or u["forDeletion"]:
            continue
        direct = any(set(rs) & billable for r, rs in u["roles"].items() if r in ws)
        via = any(set(rs) & billable for g in member.get(u["accountId"], [])
                  for rs in groups[g]["roles"].values())
        n += direct or via
    return n


def test_user_roles(m):
    c, carol = m.c, ACC["carol"]
    path = V1 + "/users/%s/roles/" % carol
    body = {"role": "atlassian/user", "resource": WS["Example Service Desk"]}
    r = c.req("POST", path + "assign", body=body)
    ok(r.status == 204, "roles/assign -> 204", repr(r))
    ok(WS["Example Service Desk"] in ra_map(m, carol), "assigned role visible")
    r = c.req("POST", path + "revoke", body=body)
    ok(r.status == 204 and WS["Example Service Desk"] not in ra_map(m, carol),
       "roles/revoke -> 204", repr(r))
    r = c.req("POST", path + "assign", body={"role": "atlassian/customer",
                                             "resource": WS["Example Jira"]})
    ok(r.status == 400 and err_code(r) == "ADMIN-UAM-400-3", "invalid role for resource", repr(r))
    SAMPLES.append(("component", "Errors.ApplicationErrors.Model", None, 400, r.json, True))
    r = c.req("POST", V1 + "/users/%s/roles/assign" % ACC["erin"],
              body={"role": "atlassian/user", "resource": WS["Example Jira"]})
    ok(r.status == 400 and err_code(r) == "ADMIN-UAM-400-2", "inactive user -> 400-2", repr(r))
    r = c.req("POST", V1 + "/users/nobody/roles/assign", body=body)
    ok(r.status == 404 and err_code(r) == "ADMIN-UAM-404-3", "unknown user -> 404", repr(r))
    site = "ari:cloud:platform::site/" + FX["workspaces"][0]["cloudId"]
    r = c.req("POST", path + "assign", body={"role": "atlassian/site-admin", "resource": site})
    ok(r.status == 204 and site in ra_map(m, carol), "site-admin assign", repr(r))
    clean(m, "roles api")
    r = c.req("POST", path + "assign", body={"role": "atlassian/user"})
    ok(r.status == 400, "missing resource -> 400", repr(r))
    expect_violation(m, "missing resource", "resource is required")
    m.config(role_api_enabled=False)
    r = c.req("POST", path + "assign", body=body)
    ok(r.status == 403 and err_code(r) == "ADMIN-UAM-403-1", "role API disabled -> 403", repr(r))
    m.config(role_api_enabled=True)
    org = V1 + "/users/%s/role-assignments/" % carol
    r = c.req("POST", org + "assign", body={"role": "atlassian/org-admin"})
    org_ari = "ari:cloud:platform::org/" + ORG
    ok(r.status == 204 and org_ari in ra_map(m, carol), "org-admin assign", repr(r))
    r = c.req("POST", org + "revoke", body={"role": "atlassian/org-admin"})
    ok(r.status == 204 and org_ari not in ra_map(m, carol), "org-admin revoke", repr(r))
    clean(m, "org role")
    r = c.req("POST", org + "assign", body={"role": "atlassian/site-admin"})
    ok(r.status == 400, "org role enum -> 400", repr(r))
    expect_violation(m, "org role enum", "body.role must be one of")


def user_status(m, acc, scope="-"):
    r = m.c.req("GET", V2 + "/directories/%s/users/%s" % (scope, acc))
    return r.json["data"]["status"]


def test_suspend(m):
    c = m.c
    u = V2 + "/directories/%s/users/%s/" % (D1, ACC["bob"])
    r = c.req("POST", u + "suspend")
    ok(r.status == 204 and user_status(m, ACC["bob"]) == "suspended", "suspend -> 204", repr(r))
    r = c.req("POST", u + "restore")
    ok(r.status == 204 and user_status(m, ACC["bob"]) == "active", "restore -> 204", repr(r))
    r = c.req("POST", V2 + "/directories/%s/users/%s/suspend" % (D1, ACC["alice"]))
    ok(r.status == 400 and err_code(r) == "ADMIN-UAM-400-1", "suspend org admin -> 400", repr(r))
    r = c.req("POST", V2 + "/directories/%s/users/%s/suspend" % (D1, ACC["heidi"]))
    ok(r.status == 404, "suspend outside the directory -> 404", repr(r))
    clean(m, "suspend")
    r = c.req("POST", V2 + "/directories/-/users/%s/suspend" % ACC["bob"])
    ok(r.status == 404, "suspend with '-' -> 404", repr(r))
    expect_violation(m, "suspend '-'", "only valid on read")
    r = c.req("POST", V1 + "/directory/users/%s/suspend-access" % ACC["bob"])
    ok(r.status == 404 and user_status(m, ACC["bob"]) == "active", "v1 suspend-access -> 404",
       repr(r))
    expect_violation(m, "v1 suspend-access", "removed endpoint POST")
    r = c.req("POST", V1 + "/directory/users/%s/restore-access" % ACC["bob"])
    ok(r.status == 404, "v1 restore-access -> 404", repr(r))
    expect_violation(m, "v1 restore-access", "removed endpoint POST")


def test_workspaces(m):
    c, path = m.c, V2 + "/workspaces"
    seen, body, pages = [], {"limit": 2}, 0
    while True:
        r = c.req("POST", path, body=body)
        ok(r.status == 200, "workspaces page", repr(r))
        sample(ORGSPEC, "/v2/orgs/{orgId}/workspaces", "post", r)
        seen += [w["id"] for w in r.json["data"]]
        pages += 1
        ok(r.json["meta"]["total"] == 6 and r.json["meta"]["pageSize"] == 2, "workspaces meta")
        if "next" not in r.json["links"]:
            break
        body = {"cursor": r.json["links"]["next"]}
    ok(sorted(seen) == sorted(WS.values()) and pages == 3, "workspaces paged to the end",
       repr(seen))
    r = c.req("POST", path)
    ok(r.status == 200 and len(r.json["data"]) == 6, "workspaces without a body", repr(r))
    r = c.req("POST", path, body={"query": {"field": {"name": "attributes.typeKey",
                                                      "values": ["confluence"]}},
                                  "sort": [{"field": "attributes.name", "order": "desc"}]})
    ok([w["attributes"]["name"] for w in r.json["data"]] ==
       ["Okta Confluence", "Example Confluence"], "workspaces query + sort", repr(r))
    clean(m, "workspaces")
    r = c.req("POST", path, body={"limit": 2})
    r = c.req("POST", path, body={"cursor": r.json["links"]["next"], "limit": 2})
    ok(r.status == 400 and r.json.get("code") == "ADMIN-400-4", "cursor + limit -> 400", repr(r))
    sample(ORGSPEC, "/v2/orgs/{orgId}/workspaces", "post", r)
    expect_violation(m, "workspaces cursor + limit", "No other properties")
    r = c.req("POST", path, body={"limit": 1001})
    ok(r.status == 400, "workspaces limit 1001 -> 400", repr(r))
    expect_violation(m, "workspaces limit", "between 1 and 1000")


def test_user_management(m):
    c, um = m.c, "/users/%s/manage"
    r = c.req("GET", um % ACC["alice"] + "/api-tokens")
    ok(r.status == 200 and [t["label"] for t in r.json] == ["ci pipeline", "laptop"],
       "api tokens", repr(r))
    sample(UMSPEC, "/users/{account_id}/manage/api-tokens", "get", r)
    r = c.req("GET", um % ACC["judy"] + "/api-tokens")
    ok(r.status == 403 and r.json["key"] == "forbidden", "unmanaged -> 403", repr(r))
    r = c.req("GET", um % "nobody" + "/api-tokens")
    ok(r.status == 404 and r.json["key"] == "accountNotFound", "unknown -> 404", repr(r))
    sample(UMSPEC, "/users/{account_id}/manage/api-tokens", "get", r, strict=False)
    tid = FX["apiTokens"][ACC["alice"]][1]["id"]
    r = c.req("DELETE", um % ACC["alice"] + "/api-tokens/" + tid)
    ok(r.status == 204 and len(c.req("GET", um % ACC["alice"] + "/api-tokens").json) == 1,
       "delete api token", repr(r))
    r = c.req("GET", um % ACC["alice"] + "/profile")
    ok(r.status == 200 and r.json["account"]["account_id"] == ACC["alice"], "profile", repr(r))
    sample(UMSPEC, "/users/{account_id}/manage/profile", "get", r)
    r = c.req("GET", um % ACC["trent"] + "/profile")
    ok(r.json["account"]["account_type"] == "customer", "customer account profile", repr(r))
    r = c.req("POST", um % ACC["carol"] + "/lifecycle/delete")
    ok(r.status == 200 and user_status(m, ACC["carol"]) == "for_deletion", "lifecycle delete",
       repr(r))
    sample(UMSPEC, "/users/{account_id}/manage/lifecycle/delete", "post", r)
    r = c.req("POST", um % ACC["carol"] + "/lifecycle/delete")
    ok(r.status == 409 and r.json["key"] == "conflict.lifecycleErrors", "delete twice -> 409",
       repr(r))
    sample(UMSPEC, "/users/{account_id}/manage/lifecycle/delete", "post", r)
    r = c.req("POST", um % ACC["carol"] + "/lifecycle/enable")
    ok(r.status == 409, "enable while for deletion -> 409", repr(r))
    r = c.req("POST", um % ACC["carol"] + "/lifecycle/cancel-delete")
    ok(r.status == 200 and user_status(m, ACC["carol"]) == "active", "cancel delete", repr(r))
    r = c.req("POST", um % "nobody" + "/lifecycle/delete")
    ok(r.status == 404 and r.json == {"key": "accountNotFound", "errorKey": "account-not-found",
                                      "errorDetail": "Error: User account not found"},
       "delete unknown -> accountNotFound", repr(r))
    r = c.req("POST", um % ACC["bob"] + "/lifecycle/disable", body={"message": "leave"})
    ok(r.status == 204 and user_status(m, ACC["bob"]) == "deactivated", "disable", repr(r))
    r = c.req("POST", um % ACC["bob"] + "/lifecycle/enable")
    ok(r.status == 204 and user_status(m, ACC["bob"]) == "active", "enable", repr(r))
    clean(m, "user management")
    r = c.req("POST", um % ACC["bob"] + "/lifecycle/disable")
    ok(r.status == 400 and r.json["key"] == "bodyParseFailure", "disable without body -> 400",
       repr(r))
    expect_violation(m, "disable without body", "request body is required")


def scim(m, method, path, body=None, token=SCIM_KEY, ctype=SCIM_CT, **kw):
    return m.c.req(method, SC + path, body=body, token=token, ctype=ctype,
                   headers={"Accept": SCIM_CT}, **kw)


def new_user(name, email, **extra):
    b = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
         "emails": [{"value": email, "type": "work", "primary": True}],
         "name": {"givenName": name.split("@")[0], "familyName": "Scim"},
         "displayName": "%s Scim" % name.split("@")[0], "active": True}
    b.update(extra)
    return b


def test_scim_read(m):
    r = scim(m, "GET", "/Users")
    ok(r.status == 200 and r.json["totalResults"] == 2 and r.headers["content-type"] == SCIM_CT,
       "SCIM list users", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users", "get", r)
    r = scim(m, "GET", "/Users" + qs(filter='userName eq "IVAN+it@example.com"'))
    ok(r.json["totalResults"] == 1 and r.json["Resources"][0][
        "urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"] == ACC["ivan"],
        "SCIM filter userName (case-insensitive, '+' encoded)", repr(r))
    r = scim(m, "GET", "/Users?filter=" + urllib.parse.quote(
        'userName eq "ivan+it@example.com"', safe="+"))
    ok(r.json["totalResults"] == 0, "unencoded '+' in filter misread as space", repr(r))
    expect_violation(m, "SCIM '+' filter", "unencoded '+'")
    r = scim(m, "GET", "/Users" + qs(startIndex=2, count=1))
    ok(r.json["startIndex"] == 2 and r.json["itemsPerPage"] == 1 and len(r.json["Resources"]) == 1,
       "SCIM startIndex/count", repr(r))
    r = scim(m, "GET", "/Users" + qs(attributes="userName"))
    ok(set(r.json["Resources"][0]) == {"id", "schemas", "userName"}, "SCIM attributes",
       repr(r.json["Resources"][0]))
    r = scim(m, "GET", "/Groups" + qs(filter='displayName eq "okta-engineering"'))
    ok(r.status == 200 and r.json["totalResults"] == 1 and
       len(r.json["Resources"][0]["members"]) == 2, "SCIM groups filter", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Groups", "get", r)
    r = scim(m, "GET", "/Groups/" + GRP["okta-contractors"])
    ok(r.status == 200 and r.json["displayName"] == "okta-contractors", "SCIM group get", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Groups/{id}", "get", r)
    clean(m, "SCIM reads")
    r = scim(m, "GET", "/Users" + qs(filter='emails co "x"'))
    ok(r.status == 400 and r.json["scimType"] == "invalidFilter", "unsupported filter -> 400",
       repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users", "get", r)
    expect_violation(m, "unsupported filter", "Unsupported filter")
    r = scim(m, "GET", "/Users/nope")
    ok(r.status == 404 and r.json["status"] == "404", "SCIM unknown user -> 404", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users/{userId}", "get", r)
    m.reset()


def test_scim_writes(m):
    r = scim(m, "POST", "/Users", new_user("newbie@example.com", "newbie@example.com"))
    ok(r.status == 201 and r.headers.get("location", "").endswith("/Users/" + r.json["id"]),
       "SCIM create -> 201 + Location", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users", "post", r)
    sid = r.json["id"]
    acc = r.json["urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"]
    r = m.c.req("GET", V2 + "/directories/%s/users/%s" % (D2, acc))
    ok(r.status == 200 and r.json["data"]["managementSource"] == "synced",
       "SCIM user is a directory user", repr(r))
    r = scim(m, "POST", "/Users", new_user("grace", "grace@example.com"), ctype="application/json")
    linked = r.json["urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"]
    ok(r.status == 201 and linked == ACC["grace"], "SCIM create links the managed account",
       repr(r))
    ok(any(x["accountId"] == ACC["grace"] for x in m.state()["scimLinked"]), "state scimLinked")
    ok(user_status(m, ACC["grace"]) == "active", "linked account joins the directory")
    r = scim(m, "POST", "/Users", new_user("NEWBIE@example.com", "other@example.com"))
    ok(r.status == 409 and r.json["scimType"] == "uniqueness", "duplicate userName -> 409",
       repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users", "post", r)
    r = scim(m, "POST", "/Users", new_user("x@gmail.com", "x@gmail.com"))
    ok(r.status == 400, "unverified domain -> 400", repr(r))
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "Replace", "path": "active", "value": False},
                            {"op": "replace", "path": "name.givenName", "value": "Neo"}]}
    r = scim(m, "PATCH", "/Users/" + sid, patch)
    ok(r.status == 200 and r.json["active"] is False and r.json["name"]["givenName"] == "Neo",
       "SCIM PATCH", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users/{userId}", "patch", r)
    ok(user_status(m, acc) == "deactivated", "PATCH active=false deactivates the account")
    r = scim(m, "PUT", "/Users/" + sid, new_user("newbie@example.com", "newbie@example.com",
                                                 title="Engineer"))
    ok(r.status == 200 and r.json["active"] is True and r.json["title"] == "Engineer",
       "SCIM PUT", repr(r))
    sample(SCIMSPEC, "/scim/directory/{directoryId}/Users/{userId}", "put", r)
    r = scim(m, "DELETE", "/Users/" + sid)
    ok(r.status == 204 and scim(m, "GET", "/Users/" + sid).status == 404 and
       user_status(m, acc) == "deactivated", "SCIM DELETE deactivates", repr(r))
    clean(m, "SCIM writes")
    test_scim_errors(m, sid)


def test_scim_errors(m, sid):
    b = new_user("nosch@example.com", "nosch@example.com")
    del b["schemas"]
    r = scim(m, "POST", "/Users", b)
    ok(r.status == 400, "SCIM create without schemas -> 400", repr(r))
    expect_violation(m, "SCIM schemas", "missing required field body.schemas")
    r = scim(m, "POST", "/Users", new_user("t@example.com", "t@example.com"), ctype="text/xml")
    ok(r.status == 415, "SCIM wrong media type -> 415", repr(r))
    expect_violation(m, "SCIM media type", "Content-Type text/xml")
    r = scim(m, "PATCH", "/Users/" + FX["scimUsers"][0]["id"],
             {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "remove"}]})
    ok(r.status == 400 and r.json["scimType"] == "noTarget", "remove without path -> noTarget",
       repr(r))
    expect_violation(m, "noTarget", "remove needs a path")


def test_extras(m):
    """Smaller paths: PATCH spellings, SCIM re-activation, chunked bodies,
    sorting and the remaining filters."""
    c, sid = m.c, FX["scimUsers"][0]["id"]
    r = scim(m, "PATCH", "/Users/" + sid, {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "operations": [{"op": "replace", "value": {"title": "Lead", "nickName": "hei"}},
                       {"op": "replace", "path": 'emails[type eq "work"].value',
                        "value": "heidi.new@example.org"}]})
    ok(r.status == 200 and r.json["title"] == "Lead" and
       r.json["emails"][0]["value"] == "heidi.new@example.org", "PATCH lowercase operations",
       repr(r))
    r = c.req("GET", V2 + "/directories/-/users/%s" % ACC["heidi"])
    ok(r.json["data"]["email"] == "heidi.new@example.org", "SCIM e-mail mirrored", repr(r))
    r = scim(m, "GET", "/Users/%s%s" % (sid, qs(excludedAttributes="emails.type,groups")))
    ok("groups" not in r.json and "type" not in r.json["emails"][0], "excludedAttributes",
       repr(r))
    r = scim(m, "POST", "/Users", new_user("newbie@example.com", "newbie@example.com"))
    ok(r.status == 201 and r.json["active"] is True, "re-POST of a deleted userName revives",
       repr(r))
    r = scim(m, "GET", "/Groups/nope")
    ok(r.status == 404, "SCIM unknown group -> 404", repr(r))
    r = scim(m, "GET", "/Users" + qs(count=0))
    ok(r.json["itemsPerPage"] == 0 and r.json["totalResults"] >= 3, "SCIM count=0", repr(r))
    test_chunked(m)
    r = c.req("POST", V2 + "/directories/-/groups/search", body={
        "sortBy": [{"field": "name", "direction": "desc"}], "limit": 100})
    names = [g["name"] for g in r.json["data"]]
    ok(names == sorted(names, reverse=True), "groups sortBy name desc", repr(names))
    r = c.req("POST", V2 + "/directories/-/users/search", body={
        "sortBy": [{"field": "nick_name", "direction": "desc"}], "limit": 100,
        "emailDomains": ["example.org"]})
    ok([u["nickname"] for u in r.json["data"]] == ["heidi"], "emailDomains filter", repr(r))
    r = c.req("POST", V2 + "/directories/-/users/search",
              body={"roleIds": ["atlassian/site-admin"]})
    ok("oscar" in [u["nickname"] for u in r.json["data"]], "roleIds filter", repr(r))
    r = c.req("GET", V2 + "/directories" + qs(searchTerm="okta"))
    ok([d["name"] for d in r.json["data"]] == ["Okta Directory"], "directories searchTerm")
    r = c.req("POST", V2 + "/workspaces", body={"query": {"and": [
        {"searchWorkspaces": "example"}, {"nor": [{"field": {"name": "attributes.typeKey",
                                                            "values": ["confluence"]}}]}]}})
    ok(sorted(w["attributes"]["typeKey"] for w in r.json["data"]) ==
       ["bitbucket", "jira-product-discovery", "jira-servicedesk", "jira-software"],
       "workspaces and/nor/searchWorkspaces", repr(r))
    r = c.req("DELETE", "/users/%s/manage/api-tokens/nope" % ACC["peggy"])
    ok(r.status == 404 and r.json["key"] == "notFound", "unknown API token -> 404", repr(r))
    r = c.req("POST", "/users/%s/manage/lifecycle/disable" % ACC["frank"], body={})
    ok(r.status == 409, "disable an account for deletion -> 409", repr(r))
    clean(m, "extras")
    r = c.req("POST", "/__mock/config", body={"no_such_knob": 1}, token=None)
    ok(r.status == 400, "unknown knob -> 400", repr(r))


def test_chunked(m):
    conn = http.client.HTTPSConnection("127.0.0.1", m.port, context=m.c.ctx, timeout=10)
    conn.putrequest("POST", V2 + "/directories/-/users/search")
    for k, v in (("Authorization", "Bearer " + ADMIN_KEY), ("Content-Type", "application/json"),
                 ("Transfer-Encoding", "chunked")):
        conn.putheader(k, v)
    conn.endheaders()
    for part in (b'{"limit"', b': 1}'):
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    r = conn.getresponse()
    body = json.loads(r.read())
    ok(r.status == 200 and len(body["data"]) == 1, "chunked request body", repr(body)[:200])
    conn.request("GET", V1, headers={"Authorization": "Bearer " + ADMIN_KEY})
    ok(conn.getresponse().status == 200, "keep-alive after a chunked body")
    conn.close()


def test_misc(m):
    c = m.c
    r = c.req("GET", V2 + "/nothing-here")
    ok(r.status == 404, "unknown route -> 404", repr(r))
    expect_violation(m, "unknown route", "No route")
    r = c.req("DELETE", V2 + "/directories")
    ok(r.status == 405 and err_code(r) == "ADMIN-405-1", "wrong method -> 405", repr(r))
    expect_violation(m, "wrong method", "not supported")
    r = c.req("GET", V2 + '/directories?searchTerm="x"')
    ok(r.status == 400, "raw '\"' in query -> 400", repr(r))
    expect_violation(m, "raw quote", "unencoded character")
    r = c.req("GET", V2 + "/directories/-/users/5b10%7Cx")
    ok(r.status == 404, "encoded '|' is fine", repr(r))
    m.reset()
    r = c.req("GET", V2 + "/directories", headers={"Accept": "text/html"})
    ok(r.status == 406, "Accept text/html -> 406", repr(r))
    expect_violation(m, "Accept", "answers JSON")
    r = c.req("GET", V2 + "/directories/-/users/count")
    ok(r.status == 501, "unimplemented route -> 501", repr(r))
    expect_violation(m, "unimplemented", "unimplemented by mock")


def test_rate_limit(m):
    c = m.c
    m.config(inject_429=1, retry_after=2)
    r = c.req("GET", V1)
    ok(r.status == 429 and r.headers.get("retry-after") == "2" and
       r.json == {"code": 429, "message": "Rate limit exceeded"}, "429 Retry-After", repr(r))
    SAMPLES.append(("component", "ProxyError", None, 429, r.json, True))
    m.config(retry_style="reset")
    r = c.req("GET", V1)
    reset = r.headers.get("x-ratelimit-reset", "")
    ok(r.status == 429 and "retry-after" not in r.headers and reset.endswith("Z") and
       r.headers.get("x-ratelimit-remaining") == "0", "429 X-RateLimit-Reset", repr(r.headers))
    m.config(inject_429=3, retry_style="retry-after")
    codes = [c.req("GET", V1).status for _ in range(6)]
    ok(codes.count(429) == 2, "every 3rd request limited", repr(codes))
    m.config(inject_429=0)
    ok(m.stats()["rate_limited"] == 4, "rate_limited counted", repr(m.stats()["rate_limited"]))
    m.config(inject_500=1)
    r = c.req("GET", V2 + "/directories")
    ok(r.status == 500 and err_code(r) == "ADMIN-500-1", "inject_500", repr(r))
    m.config(inject_500=0)
    clean(m, "faults")


def test_latency(m):
    m.config(latency_ms=200)
    clients = [Client(m.port, m.ca + "/ca.pem") for _ in range(8)]
    for cl in clients:
        cl.req("GET", "/__mock/stats", token=None)     # handshakes before the clock starts
    res = []
    t0 = time.monotonic()
    th = [threading.Thread(target=lambda cl=cl: res.append(cl.req("GET", V1).status))
          for cl in clients]
    for t in th:
        t.start()
    for t in th:
        t.join()
    dt = time.monotonic() - t0
    m.config(latency_ms=0)
    ok(res == [200] * 8 and dt >= 0.2 and dt < 0.8, "8 concurrent requests overlap at 200 ms",
       "%.3fs %r" % (dt, res))
    m.reset()


def test_big(tmp, ca):
    fx = os.path.join(tmp, "big.json")
    subprocess.check_call([sys.executable, os.path.join(HERE, "gen_fixture.py"), "--users",
                           "20000", "--groups", "400", "--seed", "3", "--out", fx])
    doc = json.load(open(fx))
    want = sum(1 for u in doc["users"] if u["memberships"])
    m = Mock(tmp, ca, fx)
    try:
        times, n, body = [], 0, {"limit": 100}
        while True:
            t0 = time.monotonic()
            r = m.c.req("POST", V2 + "/directories/-/users/search", body=body)
            times.append(time.monotonic() - t0)
            n += len(r.json["data"])
            if "next" not in r.json["links"]:
                break
            body = {"cursor": r.json["links"]["next"]}
        late = sorted(times[-20:])[10]
        early = sorted(times[1:21])[10]
        ok(n == want, "20k users paged to the end", "%d != %d" % (n, want))
        ok(late < max(3 * early, 0.02), "late pages cost like early ones",
           "early %.4f late %.4f" % (early, late))
        t0 = time.monotonic()
        for u in doc["users"][:300]:
            m.c.req("GET", V2 + "/directories/-/users/%s/role-assignments" % u["accountId"])
        ok(time.monotonic() - t0 < 6, "300 role-assignment reads", "%.2fs" %
           (time.monotonic() - t0))
        clean(m, "big fixture")
    finally:
        m.stop()


def test_fixture_deterministic():
    out = subprocess.check_output([sys.executable, os.path.join(HERE, "gen_fixture.py"),
                                   "--small"])
    ok(out == open(os.path.join(HERE, "fixtures", "small.json"), "rb").read(),
       "gen_fixture --small reproduces fixtures/small.json")
    a = subprocess.check_output([sys.executable, os.path.join(HERE, "gen_fixture.py"),
                                 "--users", "300", "--groups", "20", "--seed", "5"])
    b = subprocess.check_output([sys.executable, os.path.join(HERE, "gen_fixture.py"),
                                 "--users", "300", "--groups", "20", "--seed", "5"])
    ok(a == b, "gen_fixture is deterministic for a seed")


# -- spec schemas ---------------------------------------------------------------
class Spec:
    """Enough of OpenAPI 3.0 schema semantics to check a response: $ref,
    allOf / anyOf / oneOf, nullable, type, enum, required, properties,
    items, and (strict) no properties the schema does not declare."""

    def __init__(self, path):
        self.doc = json.load(open(path))
        self.doc.pop("_meta", None)     # cnspec's re-serialisation adds it

    def ref(self, r):
        node = self.doc
        for part in r.lstrip("#/").split("/"):
            node = node[part]
        return node

    def response(self, path, method, status):
        op = self.doc["paths"][path][method]
        resp = op["responses"].get(str(status))
        if resp is None:
            return "undeclared"
        if "$ref" in resp:
            resp = self.ref(resp["$ref"])
        content = resp.get("content")
        if not content:
            return None
        media = content.get("application/json") or content.get("application/scim+json")
        return media["schema"]

    def errors(self, v, s, where, strict):
        if "$ref" in s:
            if v is None and s.get("nullable"):
                return []
            return self.errors(v, self.ref(s["$ref"]), where, strict)
        if v is None and s.get("nullable"):
            return []
        errs = []
        for sub in s.get("allOf", []):
            errs += self.errors(v, sub, where, False)
        for key in ("anyOf", "oneOf"):
            if key in s and not any(not self.errors(v, x, where, strict) for x in s[key]):
                errs.append("%s: matches no %s branch" % (where, key))
        errs += self.typed(v, s, where, strict)
        return errs

    def typed(self, v, s, where, strict):
        t = s.get("type")
        checks = {"object": dict, "array": list, "string": str, "boolean": bool}
        if t in checks and not isinstance(v, checks[t]):
            return ["%s: %r is not %s" % (where, v, t)]
        if t in ("integer", "number") and (isinstance(v, bool) or not isinstance(
                v, int if t == "integer" else (int, float))):
            return ["%s: %r is not %s" % (where, v, t)]
        if "enum" in s and v not in s["enum"]:
            return ["%s: %r not in enum" % (where, v)]
        if isinstance(v, list) and "items" in s:
            return [e for i, x in enumerate(v) for e in self.errors(x, s["items"],
                                                                    "%s[%d]" % (where, i), strict)]
        if isinstance(v, dict):
            return self.object(v, s, where, strict)
        return []

    def object(self, v, s, where, strict):
        """Own properties are checked here (allOf branches check theirs);
        a property no branch declares is an error in strict mode."""
        errs = ["%s: missing %s" % (where, k) for k in s.get("required", []) if k not in v]
        props = s.get("properties", {})
        known = set(props)
        for sub in s.get("allOf", []):
            known |= set((self.ref(sub["$ref"]) if "$ref" in sub else sub).get("properties", {}))
        for k, x in v.items():
            if k in props:
                errs += self.errors(x, props[k], "%s.%s" % (where, k), strict)
            elif strict and known and k not in known and "additionalProperties" not in s:
                errs.append("%s: undeclared property %s" % (where, k))
        return errs


def test_schemas():
    if not os.path.isdir(SPECS):
        print("schema: 0 passed, 0 failed, 1 skipped")
        return 1
    specs = {f: Spec(os.path.join(SPECS, f)) for f in (ORGSPEC, UMSPEC, SCIMSPEC)}
    comp = specs[ORGSPEC]
    for spec, path, method, status, body, strict in SAMPLES:
        if spec == "component":
            schema, name = {"$ref": "#/components/schemas/" + path}, path
            errs = comp.errors(body, schema, "body", strict)
        else:
            schema = specs[spec].response(path, method, status)
            name = "%s %s %d" % (method.upper(), path, status)
            if schema == "undeclared":
                ok(False, "schema %s: status not declared" % name)
                continue
            errs = ([] if body is None else ["unexpected body"]) if schema is None else \
                specs[spec].errors(body, schema, "body", strict)
        ok(not errs, "schema %s" % name, "; ".join(errs[:5]))
    return 0


def main():
    tmp = tempfile.mkdtemp(prefix="atlassian-selftest-")
    ca = os.path.join(tmp, "ca")
    subprocess.check_call(["sh", os.path.join(TOP, "tests", "lib", "testca.sh"), ca])
    m = Mock(tmp, ca, os.path.join(HERE, "fixtures", "small.json"))
    skipped = 0
    try:
        for t in (test_auth, test_org_and_directories, test_users, test_role_assignments,
                  test_groups, test_group_writes, test_user_roles, test_suspend,
                  test_workspaces, test_user_management, test_scim_read, test_scim_writes,
                  test_extras, test_misc, test_rate_limit, test_latency):
            t(m)
        test_big(tmp, ca)
        test_fixture_deterministic()
        skipped = test_schemas()
    finally:
        m.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    tail = ", %d skipped" % skipped if skipped else ""
    print("%d passed, %d failed%s" % (P["passed"], P["failed"], tail))
    return 1 if P["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
