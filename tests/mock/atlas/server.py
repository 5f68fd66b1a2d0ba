#!/usr/bin/env python3
"""Stateful mock of the MongoDB Atlas Admin API v2, on loopback TLS.

What it checks like Atlas does: HTTP Digest (MD5 or SHA-256, qop=auth,
nonces that expire with stale=true, nc strictly increasing per nonce),
OAuth2 client credentials at /api/oauth/token with Bearer tokens, the
versioned media type each operation is declared with (406 otherwise),
1-based pagination (pageNum >= 1, itemsPerPage 1..500, totalCount unless
includeCount=false), ApiError bodies, 201/200/204 as the spec says.
Writes change the state that later reads return. Test control (no auth):
GET /__mock/stats, GET /__mock/state, POST /__mock/config {json},
POST /__mock/reset-stats.
"""
import argparse, hashlib, http.server, json, os, re, secrets, sys
import threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

V2023 = "application/vnd.atlas.2023-01-01+json"
V2024 = "application/vnd.atlas.2024-08-05+json"
V2025 = "application/vnd.atlas.2025-02-19+json"
REALM = "MMS Public API"
HEX24 = r"([0-9a-f]{24})"


class ApiError(Exception):
    def __init__(self, status, code, detail, reason=None, headers=None):
        self.status, self.code, self.detail = status, code, detail
        self.reason = reason or {400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
                                 406: "Not Acceptable", 409: "Conflict", 415: "Unsupported Media Type",
                                 429: "Too Many Requests"}.get(status, "Error")
        self.headers = headers or {}


class State:
    def __init__(self, fx):
        self.lock = threading.RLock()
        self.orgs = {o["id"]: o for o in fx["orgs"]}
        self.users = {u["id"]: u for u in fx["users"]}
        self.projects = {p["id"]: p for p in fx["projects"]}
        self.project_users = {g: dict(m) for g, m in fx["projectUsers"].items()}
        self.teams = {t["id"]: t for t in fx["teams"]}
        self.dbusers = {}
        for d in fx["databaseUsers"]:
            self.dbusers[(d["groupId"], d["databaseName"], d["username"])] = d
        self.clusters = fx["clusters"]
        self.apikeys = fx.get("apiKeys", [])
        self.creds = {c["publicKey"]: c["privateKey"] for c in fx["credentials"]}
        self.sa = {c["clientId"]: c["clientSecret"] for c in fx.get("serviceAccounts", [])}
        self.tokens = {}
        self.nonces = {}
        self.stats = {"requests": 0, "api_requests": 0, "challenges": 0, "stale": 0,
                      "tokens_issued": 0, "rate_limited": 0, "by_route": {}}
        self.inject_429 = 0
        self.retry_after = 1
        self.nonce_ttl = 300
        self.nonce_max_uses = 0
        self.token_ttl = 3600
        self.algorithm = "MD5"
        self.generation = 0     # bumped by every write, for cached views


def page(items, q, count=True, view=None):
    """One page of items; view (when given) renders only that page's."""
    try:
        num = int(q.get("pageNum", ["1"])[0])
        per = int(q.get("itemsPerPage", ["100"])[0])
    except ValueError:
        raise ApiError(400, "INVALID_PARAMETER", "pageNum and itemsPerPage must be integers.")
    if num < 1:
        raise ApiError(400, "INVALID_PARAMETER", "Invalid parameter pageNum: must be >= 1.")
    if per < 1 or per > 500:
        raise ApiError(400, "INVALID_PARAMETER", "Invalid parameter itemsPerPage: must be 1..500.")
    start = (num - 1) * per
    out = {"links": [{"href": "https://cloud.mongodb.com/api/atlas/v2?pageNum=%d" % num,
                      "rel": "self"}], "results": [view(i) if view else i for i in items[start:start + per]]}
    if start + per < len(items):
        out["links"].append({"href": "https://cloud.mongodb.com/api/atlas/v2?pageNum=%d" % (num + 1),
                             "rel": "next"})
    if count and q.get("includeCount", ["true"])[0] != "false":
        out["totalCount"] = len(items)
    return out


class Api:
    """Route table: (method, regex, media type, handler)."""

    def __init__(self, st):
        self.st = st
        P = "/api/atlas/v2"
        self.routes = [
            ("GET", P + r"/orgs", V2023, self.list_orgs),
            ("GET", P + r"/orgs/" + HEX24 + r"/users", V2025, self.list_org_users),
            ("POST", P + r"/orgs/" + HEX24 + r"/users", V2025, self.invite),
            ("GET", P + r"/orgs/" + HEX24 + r"/users/" + HEX24, V2025, self.get_org_user),
            ("PATCH", P + r"/orgs/" + HEX24 + r"/users/" + HEX24, V2025, self.patch_org_user),
            ("DELETE", P + r"/orgs/" + HEX24 + r"/users/" + HEX24, V2025, self.delete_org_user),
            ("GET", P + r"/orgs/" + HEX24 + r"/teams", V2023, self.list_teams),
            ("GET", P + r"/orgs/" + HEX24 + r"/teams/" + HEX24 + r"/users", V2025, self.team_users),
            ("POST", P + r"/orgs/" + HEX24 + r"/teams/" + HEX24 + r"/users", V2023, self.team_add),
            ("DELETE", P + r"/orgs/" + HEX24 + r"/teams/" + HEX24 + r"/users/" + HEX24, V2023,
             self.team_remove),
            ("GET", P + r"/orgs/" + HEX24 + r"/groups", V2023, self.list_org_groups),
            ("GET", P + r"/orgs/" + HEX24 + r"/apiKeys", V2023, self.list_apikeys),
            ("GET", P + r"/groups", V2023, self.list_groups),
            ("GET", P + r"/groups/" + HEX24, V2023, self.get_group),
            ("GET", P + r"/groups/" + HEX24 + r"/users", V2025, self.list_group_users),
            ("POST", P + r"/groups/" + HEX24 + r"/users", V2025, self.add_group_user),
            ("GET", P + r"/groups/" + HEX24 + r"/users/" + HEX24, V2025, self.get_group_user),
            ("DELETE", P + r"/groups/" + HEX24 + r"/users/" + HEX24, V2025, self.remove_group_user),
            ("POST", P + r"/groups/" + HEX24 + r"/users/" + HEX24 + r":(addRole|removeRole)", V2025,
             self.group_role),
            ("GET", P + r"/groups/" + HEX24 + r"/databaseUsers", V2023, self.list_dbusers),
            ("POST", P + r"/groups/" + HEX24 + r"/databaseUsers", V2023, self.create_dbuser),
            ("GET", P + r"/groups/" + HEX24 + r"/databaseUsers/([^/]+)/([^/]+)", V2023, self.get_dbuser),
            ("PATCH", P + r"/groups/" + HEX24 + r"/databaseUsers/([^/]+)/([^/]+)", V2023,
             self.patch_dbuser),
            ("DELETE", P + r"/groups/" + HEX24 + r"/databaseUsers/([^/]+)/([^/]+)", V2023,
             self.delete_dbuser),
            ("GET", P + r"/groups/" + HEX24 + r"/clusters", V2024, self.list_clusters),
            ("GET", P + r"/groups/" + HEX24 + r"/processes/([^/]+)/databases", V2023, self.list_dbs),
        ]

    # -- views --------------------------------------------------------------
    def memberships(self):
        """uid -> project role assignments and uid -> team ids, rebuilt
        after a write: scanning every project per user makes a large
        org's listing quadratic."""
        st = self.st
        if getattr(self, "_index_gen", None) != st.generation:
            gra, teams = {}, {}
            for g, m in st.project_users.items():
                for uid, roles in m.items():
                    gra.setdefault(uid, []).append({"groupId": g, "groupRoles": roles})
            for t in st.teams.values():
                for uid in t["users"]:
                    teams.setdefault(uid, []).append(t["id"])
            self._index, self._index_gen = (gra, teams), st.generation
        return self._index

    def org_user_view(self, u):
        gra_of, teams_of = self.memberships()
        gra = list(gra_of.get(u["id"], []))
        v = {"id": u["id"], "username": u["username"], "orgMembershipStatus": u["orgMembershipStatus"],
             "roles": {"orgRoles": list(u["orgRoles"]), "groupRoleAssignments": gra},
             "teamIds": list(teams_of.get(u["id"], []))}
        if u["orgMembershipStatus"] == "ACTIVE":
            v.update({"firstName": u.get("firstName", ""), "lastName": u.get("lastName", ""),
                      "country": u.get("country", ""), "createdAt": "2024-01-01T00:00:00Z"})
        else:
            v.update({"invitationCreatedAt": "2026-11-01T00:00:00Z",
                      "invitationExpiresAt": "2026-12-01T00:00:00Z", "inviterUsername": "admin@example.com"})
        return v

    def dbuser_view(self, d):
        v = {"databaseName": d["databaseName"], "username": d["username"],
             "roles": d["roles"], "scopes": d.get("scopes", []), "labels": d.get("labels", []),
             "awsIAMType": d.get("awsIAMType", "NONE"), "x509Type": d.get("x509Type", "NONE"),
             "ldapAuthType": d.get("ldapAuthType", "NONE"), "oidcAuthType": d.get("oidcAuthType", "NONE"),
             "links": [{"href": "https://cloud.mongodb.com/x", "rel": "self"}]}
        if "description" in d:
            v["description"] = d["description"]
        return v

    def org(self, oid):
        if oid not in self.st.orgs:
            raise ApiError(404, "ORG_NOT_FOUND", "Organization %s does not exist." % oid)

    def group(self, gid):
        if gid not in self.st.projects:
            raise ApiError(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % gid)

    def org_member(self, oid, uid):
        self.org(oid)
        u = self.st.users.get(uid)
        if u is None or u["orgId"] != oid:
            raise ApiError(404, "USER_NOT_FOUND", "No user with ID %s exists." % uid)
        return u

    # -- orgs and users ------------------------------------------------------
    def list_orgs(self, m, q, body):
        return 200, page([{"id": o["id"], "name": o["name"], "isDeleted": False}
                          for o in self.st.orgs.values()], q)

    def list_org_users(self, m, q, body):
        self.org(m[0])
        us = [u for u in self.st.users.values() if u["orgId"] == m[0]]
        if "username" in q:
            us = [u for u in us if u["username"] == q["username"][0]]
        return 200, page(us, q, view=self.org_user_view)

    def invite(self, m, q, body):
        self.org(m[0])
        name = body.get("username") if isinstance(body, dict) else None
        roles = (body.get("roles") or {}).get("orgRoles") if isinstance(body, dict) else None
        if not name or not roles:
            raise ApiError(400, "INVALID_ATTRIBUTE", "username and roles.orgRoles are required.")
        for u in self.st.users.values():
            if u["username"] == name and u["orgId"] == m[0]:
                raise ApiError(409, "USER_ALREADY_IN_ORG", "User %s is already in the organization." % name)
        uid = secrets.token_hex(12)
        u = {"id": uid, "username": name, "orgMembershipStatus": "PENDING", "orgId": m[0],
             "orgRoles": list(roles)}
        self.st.users[uid] = u
        for t in body.get("teamIds", []):
            if t in self.st.teams:
                self.st.teams[t]["users"].append(uid)
        return 201, self.org_user_view(u)

    def get_org_user(self, m, q, body):
        return 200, self.org_user_view(self.org_member(m[0], m[1]))

    def patch_org_user(self, m, q, body):
        u = self.org_member(m[0], m[1])
        roles = (body.get("roles") or {}) if isinstance(body, dict) else {}
        if "orgRoles" in roles:
            if not roles["orgRoles"]:
                raise ApiError(400, "INVALID_ATTRIBUTE", "A user must keep at least one org role.")
            u["orgRoles"] = list(roles["orgRoles"])
        if "groupRoleAssignments" in roles:
            for g, mem in self.st.project_users.items():
                mem.pop(u["id"], None)
            for a in roles["groupRoleAssignments"]:
                if a.get("groupRoles"):
                    self.st.project_users.setdefault(a["groupId"], {})[u["id"]] = list(a["groupRoles"])
        if "teamIds" in body:
            for t in self.st.teams.values():
                if u["id"] in t["users"] and t["id"] not in body["teamIds"]:
                    t["users"].remove(u["id"])
                elif u["id"] not in t["users"] and t["id"] in body["teamIds"]:
                    t["users"].append(u["id"])
        return 200, self.org_user_view(u)

    def delete_org_user(self, m, q, body):
        u = self.org_member(m[0], m[1])
        del self.st.users[u["id"]]
        for mem in self.st.project_users.values():
            mem.pop(u["id"], None)
        for t in self.st.teams.values():
            if u["id"] in t["users"]:
                t["users"].remove(u["id"])
        return 204, None

    # -- teams ---------------------------------------------------------------
    def team(self, oid, tid):
        self.org(oid)
        t = self.st.teams.get(tid)
        if t is None or t["orgId"] != oid:
            raise ApiError(404, "TEAM_NOT_FOUND", "Team %s does not exist." % tid)
        return t

    def list_teams(self, m, q, body):
        self.org(m[0])
        return 200, page([{"id": t["id"], "name": t["name"]} for t in self.st.teams.values()
                          if t["orgId"] == m[0]], q)

    def team_users(self, m, q, body):
        t = self.team(m[0], m[1])
        if "includeCount" in q:
            raise ApiError(400, "INVALID_QUERY_PARAMETER", "includeCount is not a parameter of this operation.")
        return 200, page([self.st.users[u] for u in t["users"] if u in self.st.users], q,
                         count=False, view=self.org_user_view)

    def team_add(self, m, q, body):
        t = self.team(m[0], m[1])
        if not isinstance(body, list) or not body:
            raise ApiError(400, "INVALID_ATTRIBUTE", "Body must be a list of {id}.")
        for e in body:
            uid = e.get("id") if isinstance(e, dict) else None
            self.org_member(m[0], uid or "")
            if uid in t["users"]:
                raise ApiError(409, "USER_ALREADY_IN_TEAM", "User %s is already in team %s." % (uid, t["id"]))
            t["users"].append(uid)
        return 200, page([self.org_user_view(self.st.users[u]) for u in t["users"]], {}, True)

    def team_remove(self, m, q, body):
        t = self.team(m[0], m[1])
        if m[2] not in t["users"]:
            raise ApiError(404, "USER_NOT_IN_TEAM", "User %s is not in team %s." % (m[2], t["id"]))
        t["users"].remove(m[2])
        return 204, None

    # -- projects ------------------------------------------------------------
    def group_view(self, p):
        return {"id": p["id"], "name": p["name"], "orgId": p["orgId"], "clusterCount": 0,
                "created": "2024-01-01T00:00:00Z", "links": []}

    def list_org_groups(self, m, q, body):
        self.org(m[0])
        return 200, page([p for p in self.st.projects.values() if p["orgId"] == m[0]], q,
                         view=self.group_view)

    def list_groups(self, m, q, body):
        return 200, page(list(self.st.projects.values()), q, view=self.group_view)

    def get_group(self, m, q, body):
        self.group(m[0])
        return 200, self.group_view(self.st.projects[m[0]])

    def list_apikeys(self, m, q, body):
        self.org(m[0])
        return 200, page([{"id": k["id"], "desc": k["desc"], "publicKey": k["publicKey"],
                           "roles": [{"roleName": "ORG_MEMBER"}]} for k in self.st.apikeys
                          if k["orgId"] == m[0]], q)

    def group_user_view(self, gid, uid):
        u = self.st.users[uid]
        return {"id": uid, "username": u["username"], "orgMembershipStatus": u["orgMembershipStatus"],
                "roles": list(self.st.project_users[gid][uid])}

    def list_group_users(self, m, q, body):
        self.group(m[0])
        mem = self.st.project_users.get(m[0], {})
        return 200, page([u for u in mem if u in self.st.users], q,
                         view=lambda u: self.group_user_view(m[0], u))

    def group_member(self, gid, uid):
        self.group(gid)
        if uid not in self.st.project_users.get(gid, {}) or uid not in self.st.users:
            raise ApiError(404, "USER_NOT_FOUND", "No user with ID %s exists in project %s." % (uid, gid))

    def get_group_user(self, m, q, body):
        self.group_member(m[0], m[1])
        return 200, self.group_user_view(m[0], m[1])

    def add_group_user(self, m, q, body):
        self.group(m[0])
        name = body.get("username") if isinstance(body, dict) else None
        roles = body.get("roles") if isinstance(body, dict) else None
        if not name or not roles:
            raise ApiError(400, "INVALID_ATTRIBUTE", "username and roles are required.")
        org = self.st.projects[m[0]]["orgId"]
        match = [u for u in self.st.users.values() if u["username"] == name and u["orgId"] == org]
        if not match:
            raise ApiError(404, "USER_NOT_FOUND", "No user with username %s exists." % name)
        mem = self.st.project_users.setdefault(m[0], {})
        if match[0]["id"] in mem:
            raise ApiError(409, "USER_ALREADY_IN_GROUP", "User is already in the project.")
        mem[match[0]["id"]] = list(roles)
        return 201, self.group_user_view(m[0], match[0]["id"])

    def remove_group_user(self, m, q, body):
        self.group_member(m[0], m[1])
        del self.st.project_users[m[0]][m[1]]
        return 204, None

    def group_role(self, m, q, body):
        self.group_member(m[0], m[1])
        role = body.get("groupRole") if isinstance(body, dict) else None
        if not role:
            raise ApiError(400, "INVALID_ATTRIBUTE", "groupRole is required.")
        roles = self.st.project_users[m[0]][m[1]]
        if m[2] == "addRole" and role not in roles:
            roles.append(role)
        elif m[2] == "removeRole":
            if role not in roles:
                raise ApiError(400, "ROLE_NOT_FOUND", "The user does not have role %s." % role)
            if len(roles) == 1:
                raise ApiError(400, "CANNOT_REMOVE_LAST_ROLE", "A project user must keep one role.")
            roles.remove(role)
        return 200, self.group_user_view(m[0], m[1])

    # -- database users ------------------------------------------------------
    def dbuser(self, gid, db, name):
        self.group(gid)
        d = self.st.dbusers.get((gid, db, name))
        if d is None:
            raise ApiError(404, "USERNAME_NOT_FOUND", "No user with username %s exists." % name)
        return d

    def list_dbusers(self, m, q, body):
        self.group(m[0])
        return 200, page([self.dbuser_view(d) for k, d in self.st.dbusers.items() if k[0] == m[0]], q)

    def check_dbuser_body(self, gid, body):
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_JSON", "Body must be an object.")
        for f in ("databaseName", "groupId", "username", "roles"):
            if f not in body:
                raise ApiError(400, "MISSING_ATTRIBUTE", "The required attribute %s was not specified." % f)
        if body["groupId"] != gid or body["databaseName"] not in ("admin", "$external"):
            raise ApiError(400, "INVALID_ATTRIBUTE", "groupId or databaseName is invalid.")
        for r in body["roles"]:
            if not isinstance(r, dict) or "databaseName" not in r or "roleName" not in r:
                raise ApiError(400, "INVALID_ATTRIBUTE", "Each role needs databaseName and roleName.")

    def create_dbuser(self, m, q, body):
        self.group(m[0])
        self.check_dbuser_body(m[0], body)
        key = (m[0], body["databaseName"], body["username"])
        if key in self.st.dbusers:
            raise ApiError(409, "USER_ALREADY_EXISTS", "The user %s already exists." % body["username"])
        if body["databaseName"] == "admin":
            pw = body.get("password", "")
            if len(pw) < 8 or "{{" in pw:
                raise ApiError(400, "INVALID_ATTRIBUTE", "A SCRAM user needs a password.")
        d = {k: v for k, v in body.items() if k != "password"}
        if body.get("password"):
            d["passwordSha256"] = hashlib.sha256(body["password"].encode()).hexdigest()
        self.st.dbusers[key] = d
        return 201, self.dbuser_view(d)

    def get_dbuser(self, m, q, body):
        return 200, self.dbuser_view(self.dbuser(m[0], m[1], m[2]))

    def patch_dbuser(self, m, q, body):
        d = self.dbuser(m[0], m[1], m[2])
        self.check_dbuser_body(m[0], body)
        d["roles"] = body["roles"]
        for k in ("awsIAMType", "x509Type", "ldapAuthType", "oidcAuthType", "scopes", "labels", "description"):
            if k in body:
                d[k] = body[k]
        return 200, self.dbuser_view(d)

    def delete_dbuser(self, m, q, body):
        d = self.dbuser(m[0], m[1], m[2])
        del self.st.dbusers[(m[0], m[1], m[2])]
        return 204, None

    # -- clusters and databases ---------------------------------------------
    def list_clusters(self, m, q, body):
        self.group(m[0])
        out = []
        for c in self.st.clusters:
            if c["groupId"] != m[0]:
                continue
            host = "%s-shard-00-00.ab12c.mongodb.net" % c["name"].lower()
            out.append({"id": c["id"], "name": c["name"], "groupId": c["groupId"],
                        "stateName": c["stateName"], "clusterType": "REPLICASET",
                        "connectionStrings": {"standard": "mongodb://%s:27017,%s:27017/?ssl=true" %
                                              (host, host.replace("-00-00", "-00-01")),
                                              "standardSrv": "mongodb+srv://%s.ab12c.mongodb.net" % c["name"]}})
        return 200, page(out, q)

    def list_dbs(self, m, q, body):
        self.group(m[0])
        for c in self.st.clusters:
            host = "%s-shard-00-00.ab12c.mongodb.net:27017" % c["name"].lower()
            if c["groupId"] == m[0] and host == m[1]:
                return 200, page([{"databaseName": d} for d in c["databases"]], q)
        raise ApiError(404, "PROCESS_NOT_FOUND", "No process %s in project %s." % (m[1], m[0]))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AtlasMock"

    def log_message(self, *a):
        pass

    def reply(self, status, obj, ctype, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if obj is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, e):
        self.reply(e.status, {"detail": e.detail, "error": e.status, "errorCode": e.code,
                              "parameters": [], "reason": e.reason}, "application/json", e.headers)

    def body(self):
        n = int(self.headers.get("Content-Length", "0") or "0")
        raw = self.rfile.read(n) if n else b""
        return raw

    def handle_any(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        raw = self.body()
        with st.lock:
            st.stats["requests"] += 1
            try:
                if url.path.startswith("/__mock/"):
                    return self.control(url.path, raw)
                if url.path == "/api/oauth/token":
                    return self.token(raw)
                self.auth()
                st.stats["api_requests"] += 1
                if st.inject_429 and st.stats["api_requests"] % st.inject_429 == 0:
                    st.stats["rate_limited"] += 1
                    raise ApiError(429, "RATE_LIMITED", "Rate limit exceeded; retry after %d seconds."
                                   % st.retry_after, headers={"Retry-After": str(st.retry_after),
                                                              "RateLimit-Limit": "100",
                                                              "RateLimit-Remaining": "0"})
                return self.dispatch(url, raw)
            except ApiError as e:
                return self.error(e)

    def dispatch(self, url, raw):
        st = self.server.state
        path = urllib.parse.unquote(url.path) if "%" in url.path else url.path
        path_match = None
        for method, rx, ver, fn in self.server.api.routes:
            m = re.fullmatch(rx, url.path)
            if m is None:
                continue
            path_match = True
            if method != self.command:
                continue
            st.stats["by_route"][method + " " + rx] = st.stats["by_route"].get(method + " " + rx, 0) + 1
            if self.headers.get("Accept") != ver:
                raise ApiError(406, "INVALID_VERSION_DATE",
                               "Accept %s does not match %s." % (self.headers.get("Accept"), ver))
            body = None
            if self.command in ("POST", "PATCH", "PUT"):
                if self.headers.get("Content-Type") != ver:
                    raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be %s." % ver)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    raise ApiError(400, "INVALID_JSON", "Malformed JSON.")
            groups = [urllib.parse.unquote(g) for g in m.groups()]
            try:
                status, obj = fn(groups, urllib.parse.parse_qs(url.query), body)
            finally:
                if self.command != "GET":
                    st.generation += 1  # after: a view built mid-write is stale
            return self.reply(status, obj, ver)
        if path_match:
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Method %s not allowed." % self.command)
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource %s." % path)

    # -- auth ----------------------------------------------------------------
    def challenge(self, stale=False):
        st = self.server.state
        nonce = secrets.token_hex(16)
        st.nonces[nonce] = {"t": time.monotonic(), "nc": 0}
        st.stats["challenges"] += 1
        if stale:
            st.stats["stale"] += 1
        h = ('Digest realm="%s", domain="", nonce="%s", algorithm=%s, qop="auth", stale=%s'
             % (REALM, nonce, st.algorithm, "true" if stale else "false"))
        raise ApiError(401, "NOT_ORG_GROUP_CREATOR" if False else "UNAUTHORIZED",
                       "You are not authorized for this resource.", headers={"WWW-Authenticate": h})

    def auth(self):
        st = self.server.state
        h = self.headers.get("Authorization", "")
        if h.startswith("Bearer "):
            tok = st.tokens.get(h[7:])
            if tok is None or tok < time.monotonic():
                raise ApiError(401, "UNAUTHORIZED", "Invalid or expired token.")
            return
        if not h.startswith("Digest "):
            self.challenge()
        f = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', h[7:]))
        n = st.nonces.get(f.get("nonce", ""))
        if n is None:
            self.challenge()
        n["uses"] = n.get("uses", 0) + 1
        if time.monotonic() - n["t"] > st.nonce_ttl or (
                st.nonce_max_uses and n["uses"] > st.nonce_max_uses):
            del st.nonces[f["nonce"]]
            self.challenge(stale=True)
        algo = f.get("algorithm", "MD5").upper()
        H = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(algo)
        pw = st.creds.get(f.get("username", ""))
        if H is None or pw is None or f.get("qop") != "auth" or f.get("realm") != REALM:
            self.challenge()
        try:
            nc = int(f.get("nc", "0"), 16)
        except ValueError:
            self.challenge()
        if nc <= n["nc"]:
            self.challenge()
        if f.get("uri") != self.path:
            self.challenge()
        h1 = H(("%s:%s:%s" % (f["username"], REALM, pw)).encode()).hexdigest()
        h2 = H(("%s:%s" % (self.command, f["uri"])).encode()).hexdigest()
        want = H(("%s:%s:%s:%s:auth:%s" % (h1, f["nonce"], f["nc"], f.get("cnonce", ""), h2)).encode()).hexdigest()
        if want != f.get("response"):
            self.challenge()
        n["nc"] = nc

    def token(self, raw):
        st = self.server.state
        if self.command != "POST":
            raise ApiError(405, "METHOD_NOT_ALLOWED", "POST only.")
        form = urllib.parse.parse_qs(raw.decode(errors="replace"))
        cid, csec = None, None
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            import base64
            try:
                cid, csec = base64.b64decode(h[6:]).decode().split(":", 1)
            except Exception:
                pass
        cid = cid or form.get("client_id", [None])[0]
        csec = csec or form.get("client_secret", [None])[0]
        if form.get("grant_type", [None])[0] != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"}, "application/json")
        if cid is None or st.sa.get(cid) != csec:
            return self.reply(401, {"error": "invalid_client"}, "application/json")
        tok = secrets.token_urlsafe(32)
        st.tokens[tok] = time.monotonic() + st.token_ttl
        st.stats["tokens_issued"] += 1
        return self.reply(200, {"access_token": tok, "token_type": "Bearer",
                                "expires_in": st.token_ttl}, "application/json")

    def control(self, path, raw):
        st = self.server.state
        if path == "/__mock/stats":
            return self.reply(200, st.stats, "application/json")
        if path == "/__mock/state":
            return self.reply(200, {
                "users": list(st.users.values()), "projectUsers": st.project_users,
                "teams": list(st.teams.values()),
                "databaseUsers": [dict(d, groupId=k[0]) for k, d in st.dbusers.items()]},
                "application/json")
        if path == "/__mock/reset-stats":
            st.stats.update({"requests": 0, "api_requests": 0, "challenges": 0, "stale": 0,
                             "tokens_issued": 0, "rate_limited": 0, "by_route": {}})
            return self.reply(200, {}, "application/json")
        if path == "/__mock/config":
            cfg = json.loads(raw or b"{}")
            for k in ("inject_429", "retry_after", "nonce_ttl", "nonce_max_uses", "token_ttl",
                      "algorithm"):
                if k in cfg:
                    setattr(st, k, cfg[k])
            return self.reply(200, cfg, "application/json")
        raise ApiError(404, "RESOURCE_NOT_FOUND", path)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


def main():
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--digest-algorithm", default="MD5", choices=["MD5", "SHA-256"])
    ap.add_argument("--nonce-ttl", type=int, default=300)
    ap.add_argument("--token-ttl", type=int, default=3600)
    ap.add_argument("--inject-429", type=int, default=0)
    a = ap.parse_args()
    st = State(json.load(open(a.fixture)))
    st.algorithm, st.nonce_ttl, st.token_ttl = a.digest_algorithm, a.nonce_ttl, a.token_ttl
    st.inject_429 = a.inject_429

    def setup(srv):
        srv.state, srv.api = st, Api(st)

    mocklib.serve("atlas", a, Handler, setup=setup)


if __name__ == "__main__":
    main()
