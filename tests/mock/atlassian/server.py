#!/usr/bin/env python3
"""Stateful mock of Atlassian Cloud's Organizations (admin) API, User
management API and User provisioning (SCIM) API, on one loopback TLS port.

The client's base URL https://127.0.0.1:PORT stands for
https://api.atlassian.com: admin routes live under /admin/v1 and /admin/v2,
user management under /users/{account_id}/manage, SCIM under
/scim/directory/{directoryId}. Specs: admin-organization.2026-08-21.json
(removed v1 routes from the 2026-06-11 copy), admin-user-management
.2026-08-21.json, user-provisioning-scim.2022-08-29.json.

What it checks like Atlassian does: the org API key only on admin and
user-management routes, each directory's SCIM key only on its SCIM routes;
the query string decoded like a Java servlet container ('+' is a space, raw
characters outside RFC 3986 rejected); opaque single-use cursors full of
'+', '/', '.' and '='; limit bounds; unknown parameters and body fields;
media types; per-route error envelopes; deprecated and removed endpoints.
Every contract breach is answered as the vendor would and listed in
/__mock/stats "violations". Writes change what later reads return.
Test control (no auth): GET /__mock/stats, GET /__mock/state,
POST /__mock/config {json}, POST /__mock/reset-stats.

server.py --cert C --key K [--bind 127.0.0.1|::1] [--port 0] --port-file F
          --fixture FIXTURE.json [--latency-ms N] [--inject-429 N]
          [--retry-style retry-after|reset]
"""
import argparse, base64, collections, datetime, http.server, itertools, json, os, re, sys
import threading, time, traceback, urllib.parse, uuid

sys.dont_write_bytecode = True  # importing mocklib must not write into tests/mock/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

ROLE_IDS = ("atlassian/user", "atlassian/admin", "atlassian/guest", "atlassian/customer",
            "atlassian/user-access-admin", "atlassian/contributor", "atlassian/basic",
            "atlassian/stakeholder", "atlassian/org-admin", "atlassian/site-admin",
            "atlassian/ai-access")
# RoleApiRequest.role enum (POST /v1/orgs/{orgId}/users/{userId}/roles/assign).
ROLE_API_ROLES = ("atlassian/user", "atlassian/user-access-admin", "atlassian/admin",
                  "atlassian/guest", "atlassian/contributor", "atlassian/customer",
                  "atlassian/basic", "atlassian/stakeholder", "atlassian/site-admin",
                  "atlassian/org-admin")
# "Valid values" of roleId in the group role-assignments/assign body.
GROUP_ROLE_IDS = ("atlassian/user", "atlassian/user-access-admin", "atlassian/admin",
                  "atlassian/guest", "atlassian/contributor", "atlassian/customer",
                  "atlassian/basic", "atlassian/stakeholder", "atlassian/viewer")
BILLABLE = ("atlassian/user", "atlassian/admin")
STATUSES = ("active", "suspended", "not_invited", "deactivated", "for_deletion")
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCIM_ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCIM_ATL = "urn:scim:schemas:extension:atlassian-external:1.0"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# AccountId.pattern in the user-management spec.
ACCOUNT_RE = re.compile(r"[a-zA-Z0-9_|:-]{1,128}")
ADMIN = "/admin"
ORG1 = ADMIN + "/v1/orgs/{orgId}"
ORG2 = ADMIN + "/v2/orgs/{orgId}"
DIR = ORG2 + "/directories/{directoryId}"
MANAGE = "/users/{accountId}/manage"
SCIM = "/scim/directory/{directoryId}"


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def lower(s):
    return (s or "").lower()


# -- errors, envelopes, request checks ------------------------------------
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
           415: "Unsupported Media Type", 429: "Too Many Requests",
           500: "Internal Server Error", 501: "Not Implemented"}
# Error codes per route family. v1/dir/ws use ApplicationError codes
# (ADMIN-*), uam the ApiError codes (ADMIN-UAM-*), um the "key" values of
# the user-management spec, scim the RFC 7644 scimType. No 415 code exists
# outside ApiError, so ADMIN-UAM-415-1 serves every admin family.
CODES = {
    "v1": {"param": "ADMIN-400-19", "body": "ADMIN-400-24", "cursor": "ADMIN-400-1",
           "org": "ADMIN-404-2", "route": "ADMIN-404-1", "method": "ADMIN-405-1",
           "media": "ADMIN-UAM-415-1", "internal": "ADMIN-500-1"},
    "uam": {"param": "ADMIN-UAM-400-1", "body": "ADMIN-UAM-400-1", "cursor": "ADMIN-UAM-400-1",
            "org": "ADMIN-UAM-404-2", "route": "ADMIN-UAM-404-1", "dir": "ADMIN-UAM-404-1",
            "user": "ADMIN-UAM-404-1", "group": "ADMIN-UAM-404-3", "resource": "ADMIN-UAM-404-1",
            "method": "ADMIN-UAM-405-1", "media": "ADMIN-UAM-415-1",
            "internal": "ADMIN-UAM-500-1"},
    "ws": {"param": "ADMIN-400-4", "body": "ADMIN-400-4", "cursor": "ADMIN-400-4",
           "org": "ADMIN-404-2", "route": "ADMIN-404-1", "method": "ADMIN-405-1",
           "media": "ADMIN-UAM-415-1", "internal": "ADMIN-500-1"},
    "um": {"param": "bodyParseFailure", "body": "bodyParseFailure", "route": "notFound",
           "method": "notFound", "media": "bodyParseFailure", "internal": "internalServerError"},
    "scim": {"param": "invalidValue", "body": "invalidSyntax", "route": None, "method": None,
             "media": "invalidSyntax", "internal": None},
}
CODES["dir"] = dict(CODES["v1"], dir="ADMIN-404-1", user="ADMIN-404-8", group="ADMIN-404-10",
                    resource="ADMIN-404-1")
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def code(family, kind):
    return CODES[family].get(kind)


class ApiError(Exception):
    def __init__(self, status, code, detail, violation=False, gateway=False, headers=None,
                 extra=None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.violation, self.gateway = violation, gateway
        self.headers, self.extra = headers or {}, extra or {}


def envelope(e, family, n):
    """The body each API answers an error with."""
    if e.gateway:       # ProxyError: the api.atlassian.com gateway (401, 429)
        return {"code": e.status, "message": e.detail}
    if family == "scim":
        if e.status in (401, 403):      # Failure
            return {"error": e.detail, "traceId": "%016x" % (n * 2654435761 % 2 ** 64)}
        out = {"schemas": [SCIM_ERROR], "status": str(e.status), "detail": e.detail}
        if e.code:
            out["scimType"] = e.code
        return out
    if family == "um":      # live bodies add errorKey/errorDetail (reference users_test.go)
        out = {"key": e.code}
        if "errorKey" in e.extra:
            out["errorDetail"] = e.detail
        return dict(out, **e.extra)
    item = {"id": str(uuid.uuid5(uuid.NAMESPACE_OID, "error:%d" % n)), "status": str(e.status),
            "code": e.code, "title": REASONS.get(e.status, "Error"), "detail": e.detail}
    return item if family == "ws" else {"errors": [item]}


class Invalid(Exception):
    pass


STR, BOOL, ANY = ("str",), ("bool",), ("any",)


def INT(lo, hi):
    return ("int", lo, hi)


def ENUM(*values):
    return ("enum", values)


def ARR(item, lo, hi, unique=False):
    return ("arr", item, lo, hi, unique)


def OBJ(fields, required=()):
    return ("obj", fields, tuple(required))


def NULLABLE(spec):
    return ("null", spec)


def check(v, spec, where):
    """A JSON value against a small schema (types, bounds, enums, required
    and unknown fields); returns it or raises Invalid."""
    kind = spec[0]
    if kind == "any":
        return v
    if kind == "null":
        return None if v is None else check(v, spec[1], where)
    if kind == "obj":
        return check_obj(v, spec, where)
    if kind == "arr":
        return check_arr(v, spec, where)
    ok = {"str": isinstance(v, str), "bool": isinstance(v, bool),
          "int": isinstance(v, int) and not isinstance(v, bool),
          "enum": isinstance(v, str)}[kind]
    if not ok:
        raise Invalid("%s has the wrong type" % where)
    if kind == "int" and not spec[1] <= v <= spec[2]:
        raise Invalid("%s must be between %d and %d" % (where, spec[1], spec[2]))
    if kind == "enum" and v not in spec[1]:
        raise Invalid("%s must be one of %s" % (where, ", ".join(spec[1])))
    return v


def check_arr(v, spec, where):
    if not isinstance(v, list):
        raise Invalid("%s must be an array" % where)
    if not spec[2] <= len(v) <= spec[3]:
        raise Invalid("%s must have %d to %d items" % (where, spec[2], spec[3]))
    if spec[4] and len({json.dumps(x, sort_keys=True) for x in v}) != len(v):
        raise Invalid("%s items must be unique" % where)
    return [check(x, spec[1], where + "[]") for x in v]


def check_obj(v, spec, where):
    if not isinstance(v, dict):
        raise Invalid("%s must be an object" % where)
    for k in v:
        if k not in spec[1]:
            raise Invalid("unknown field %s.%s" % (where, k))
    for k in spec[2]:
        if k not in v:
            raise Invalid("missing required field %s.%s" % (where, k))
    return {k: check(x, spec[1][k], "%s.%s" % (where, k)) for k, x in v.items()}


def check_body(b, spec, family):
    try:
        return check(b, spec, "body")
    except Invalid as e:
        raise ApiError(400, code(family, "body"), str(e), violation=True)


def check_query(q, spec, family):
    """Query arguments: known names only, form style (an array is the
    parameter repeated), scalars once, converted and bounded."""
    out = {}
    for name, vals in q.items():
        s = spec.get(name)
        try:
            if s is None:
                raise Invalid("unknown query parameter %s" % name)
            if s[0] == "arr":
                out[name] = check([scalar(x, s[1], name) for x in vals], s, name)
            elif len(vals) != 1:
                raise Invalid("query parameter %s given %d times" % (name, len(vals)))
            else:
                out[name] = check(scalar(vals[0], s, name), s, name)
        except Invalid as e:
            raise ApiError(400, code(family, "param"), str(e), violation=True)
    return out


def scalar(v, s, name):
    if s[0] == "int":
        if not re.fullmatch(r"-?[0-9]{1,10}", v):
            raise Invalid("%s must be an integer" % name)
        return int(v)
    if s[0] == "bool":
        if v not in ("true", "false"):
            raise Invalid("%s must be true or false" % name)
        return v == "true"
    return v


def parse_query(raw):
    """name -> [values], decoded like a Java servlet container does:
    '+' is a space, %XX a byte."""
    q = {}
    for part in raw.split("&") if raw else ():
        if part:
            k, _, v = part.partition("=")
            q.setdefault(urllib.parse.unquote_plus(k), []).append(urllib.parse.unquote_plus(v))
    return q


# RFC 3986: pchar (plus "/" in a path, "/" and "?" in a query); anything
# else must be percent-encoded, and Tomcat answers 400 to it.
PATH_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                 "-._~!$&'()*+,;=:@/%")
QUERY_CHARS = PATH_CHARS | {"?"}


def raw_chars(path, query, family):
    for part, allowed, what in ((path, PATH_CHARS, "path"), (query, QUERY_CHARS, "query")):
        bad = sorted({ch for ch in part if ch not in allowed})
        if bad:
            raise ApiError(400, code(family, "param"), "unencoded character(s) %s in the %s" % (
                "".join(bad), what), violation=True)
        if re.search(r"%(?![0-9A-Fa-f]{2})", part):
            raise ApiError(400, code(family, "param"), "malformed percent-encoding in the %s"
                           % what, violation=True)


def media(headers, family):
    ok = ("application/scim+json", "application/json") if family == "scim" else \
        ("application/json",)
    return lower(headers.get("Content-Type")).split(";")[0].strip(), ok


def parse_body(headers, raw, mode, family):
    """JSON body of a route that takes one ("required" or "optional")."""
    if mode == "none":
        return None
    if not raw.strip():
        if mode == "required":
            raise ApiError(400, code(family, "body"), "request body is required", violation=True)
        return None
    ctype, ok = media(headers, family)
    if ctype not in ok:
        raise ApiError(415, code(family, "media"), "Content-Type %s is not supported; send %s"
                       % (ctype or "(none)", " or ".join(ok)), violation=True)
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, code(family, "body"), "malformed JSON body", violation=True)


def accepts(headers, family):
    """406 unless Accept allows JSON (SCIM: also application/scim+json)."""
    acc = headers.get("Accept")
    if not acc:
        return True
    ok = {"*/*", "application/*", "application/json"}
    if family == "scim":
        ok.add("application/scim+json")
    return any(lower(x).split(";")[0].strip() in ok for x in acc.split(","))


class Cursors:
    """Opaque single-use page tokens. Each carries its listing's snapshot
    of ids, the offset and the page size, so a chain renders only its page.
    The token text is base64 with '+', '/', '=' and a '.' in it (like the
    spec's example "Qh8E1QpVV00ys/xI7pHI7Q.."), so a client that does not
    percent-encode it in a query string gets it back with spaces."""
    PREFIX = b"\xfb\xef\xbe\xff\xff\xff"   # encodes as "++++////"
    CAP = 200000

    def __init__(self):
        self.tokens = collections.OrderedDict()
        self.serial = itertools.count(1)
        self.reuse = False

    def issue(self, route, key, ids, offset, limit, query):
        n = next(self.serial)
        body = base64.b64encode(self.PREFIX + n.to_bytes(6, "big")).decode()
        tail = base64.b64encode(n.to_bytes(4, "little")).decode()
        tok = "%s.%s" % (body, tail)
        self.tokens[tok] = {"route": route, "key": key, "ids": ids, "offset": offset,
                            "limit": limit, "query": query, "used": False}
        while len(self.tokens) > self.CAP:
            self.tokens.popitem(last=False)
        return tok

    def take(self, tok, key, family):
        c = self.tokens.get(tok)
        if c is None and " " in tok and tok.replace(" ", "+") in self.tokens:
            raise ApiError(400, code(family, "cursor"),
                           "Invalid cursor: '+' arrived as a space (cursor not percent-encoded)",
                           violation=True)
        if c is None or c["key"] != key:
            raise ApiError(400, code(family, "cursor"), "Invalid page cursor",
                           violation=True)
        if c["used"] and not self.reuse:
            raise ApiError(400, code(family, "cursor"), "Page cursor was already used",
                           violation=True)
        return c


class State:
    def __init__(self, fx):
        self.lock = threading.RLock()
        self.org = fx["org"]
        self.domains = {lower(d) for d in fx["verifiedDomains"]}
        self.directories = {d["directoryId"]: d for d in fx["directories"]}
        self.workspaces = {w["id"]: w for w in fx["workspaces"]}
        self.users = {u["accountId"]: u for u in fx["users"]}
        self.groups = {g["id"]: g for g in fx["groups"]}
        self.scim = {s["id"]: dict(s, linked=s.get("linked", False), deleted=False)
                     for s in fx["scimUsers"]}
        self.tokens = {a: list(t) for a, t in fx.get("apiTokens", {}).items()}
        self.admin_key = fx["credentials"]["adminKey"]
        self.scim_keys = dict(fx["credentials"]["scimTokens"])
        self.role_api_enabled = fx.get("roleApiEnabled", True)
        self.seat_limit = fx.get("seatLimit")
        self.user_groups = collections.defaultdict(set)
        for g in self.groups.values():
            for a in g["members"]:
                self.user_groups[a].add(g["id"])
        self.by_email = {lower(u["email"]): u["accountId"] for u in self.users.values()
                         if u["claimStatus"] == "managed"}
        self.sites = {w["cloudId"] for w in self.workspaces.values()}
        self.cursors = Cursors()
        self.generation = 0
        self.cache = {}
        self.serial = itertools.count(1)      # error ids and trace ids
        self.ids = itertools.count(1)         # ids of created objects
        self.latency_ms = 0
        self.inject_429 = self.inject_500 = 0
        self.retry_after = 1
        self.retry_style = "retry-after"
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": 0, "api_requests": 0, "by_route": {}, "rate_limited": 0,
                      "violations": [], "auth_seen": {}, "cursors_issued": 0,
                      "server_errors": 0}

    def cached(self, key, build):
        """A listing's sorted id list, rebuilt only after a write."""
        hit = self.cache.get(key)
        if hit is None or hit[0] != self.generation:
            hit = (self.generation, build())
            self.cache[key] = hit
        return hit[1]

    def scim_index(self, d):
        """A SCIM directory's live users in id order, with the lookups the
        routes need; rebuilt only after a write."""
        def build():
            recs = sorted((s for s in self.scim.values() if s["directoryId"] == d),
                          key=lambda s: s["id"])
            live = [s for s in recs if not s["deleted"]]
            return {"ids": [s["id"] for s in live],
                    "userName": {lower(s["userName"]): s["id"] for s in live},
                    "externalId": {s["externalId"]: s["id"] for s in live if "externalId" in s},
                    "email": {lower(primary_email(s)): s["id"] for s in live},
                    "account": {s["accountId"]: s["id"] for s in live},
                    "deleted": {lower(s["userName"]): s["id"] for s in recs if s["deleted"]}}
        return self.cached(("scim", d), build)

    def new_id(self, kind, seed):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "%s:%s:%d" % (kind, seed, next(self.ids))))


# -- views ------------------------------------------------------------------
def membership(u, scope):
    """MembershipStatus in one directory, or across all of them for '-'
    (spec: suspended = suspended in ALL directories)."""
    m = u["memberships"]
    if scope != "-":
        return m.get(scope, "no_membership")
    if "active" in m.values():
        return "active"
    return "suspended" if m else "no_membership"


def status(u, ms):
    """Status = composite of accountStatus and membershipStatus (schema Status)."""
    if u["forDeletion"]:
        return "for_deletion"
    if u["accountStatus"] != "active":
        return "deactivated"
    return {"active": "active", "suspended": "suspended"}.get(ms, "not_invited")


def owner_of(resource_id):
    """ResourceOwner is the ARI's resource-owner segment (spec example:
    ari:cloud:jira-core::site/1 -> jira-core)."""
    parts = resource_id.split(":")
    return parts[2] if len(parts) > 2 else ""


def visible(u):
    # MultiDirectoryUser.accountType allows only "atlassian": customer and
    # app accounts never show in the directory APIs.
    return u["accountType"] == "atlassian"


class Views:
    def __init__(self, st):
        self.st = st

    def platform_roles(self, u):
        roles = list(u["platformRoles"])
        for res, rs in u["roles"].items():
            if owner_of(res) == "platform" and "atlassian/site-admin" in rs:
                roles.append("atlassian/site-admin")
                break
        return roles

    def ra_entries(self, u):
        """A user's role assignments, one entry per resource, with how each
        role was assigned (MultiDirectoryUserRoleAssignment)."""
        st, agg, meta = self.st, {}, {}
        org_ari = "ari:cloud:platform::org/%s" % st.org["id"]

        def add(res, roles, method, owner=None, directory=None):
            slot = agg.setdefault(res, {})
            for r in roles:
                slot.setdefault(r, set()).add(method)
            meta.setdefault(res, (owner, directory))
        for r in u["platformRoles"]:
            add(org_ari, [r], "direct", "platform")
        for res, roles in u["roles"].items():
            add(res, roles, "direct")
        for gid in sorted(st.user_groups.get(u["accountId"], ())):
            for res, roles in st.groups[gid]["roles"].items():
                add(res, roles, "group_direct")
        for o in u["ownerRoles"]:
            add(o["resourceId"], o["roles"], "direct", o["resourceOwner"], o["directoryId"])
        return [self.ra_entry(u, res, agg[res], *meta[res]) for res in sorted(agg)]

    def ra_entry(self, u, res, roles, owner, directory):
        owner = owner or owner_of(res)
        if owner != "platform" and directory is None:
            w = self.st.workspaces.get(res)
            directory = w["directoryId"] if w else None
        return {"directoryId": directory, "resourceId": res, "resourceOwner": owner,
                "roles": sorted(roles),
                "roleAssignments": [{"role": r, "roleAssignmentMethods": sorted(m)}
                                    for r, m in sorted(roles.items())],
                "userDirectoryStatus": membership(u, directory) if directory else None}

    def user(self, u, scope, expand=(), legacy=False):
        ms = membership(u, scope)
        v = {"accountId": u["accountId"], "accountType": u["accountType"],
             "accountStatus": u["accountStatus"], "status": status(u, ms),
             "membershipStatus": ms, "addedToOrg": u["addedToOrg"], "name": u["name"],
             "nickname": u["nickname"], "email": u["email"],
             "emailVerified": u["emailVerified"], "claimStatus": u["claimStatus"],
             "mfaEnabled": u["mfaEnabled"], "managementSource": u["managementSource"],
             "picture": "https://avatar.example.com/%s.png" % u["nickname"],
             "avatar": "https://avatar.example.com/%s-small.png" % u["nickname"]}
        for k in ("jobTitle", "department", "organization", "location", "timeZone"):
            if k in u:
                v[k] = u[k]
        if legacy or "platformRoles" in expand:
            v["platformRoles"] = self.platform_roles(u)
        if legacy or "counts.resources" in expand:
            v["counts"] = {"resources": len(self.ra_entries(u))}
        if "groups" in expand:
            v["groups"] = [self.user_group(self.st.groups[g]) for g in
                           sorted(self.st.user_groups.get(u["accountId"], ()))
                           if scope in ("-", self.st.groups[g]["directoryId"])]
        if "productAccess" in expand:
            v["productAccess"] = [{"id": e["resourceId"], "key": e["resourceOwner"],
                                   "lastActiveTimestamp": u["addedToOrg"]}
                                  for e in self.ra_entries(u) if e["resourceId"] in
                                  self.st.workspaces]
        return v

    def user_details(self, u, scope):
        d = self.user(u, scope, legacy=True)
        if u["accountStatus"] != "active":
            d["deactivatedOn"] = u.get("deactivatedOn", "2025-01-01T00:00:00.000Z")
        return {"data": d}

    @staticmethod
    def user_group(g):
        return {"id": g["id"], "name": g["name"], "description": g.get("description")}

    def group(self, g, counts=()):
        v = {"id": g["id"], "name": g["name"], "directoryId": g["directoryId"],
             "externalSynced": g["externalSynced"], "managedBy": g["managedBy"],
             "managementAccess": {"readable": True, "modifiable": not g["externalSynced"],
                                  "deletable": not g["externalSynced"]}}
        if "description" in g:
            v["description"] = g["description"]
        if counts:
            c = {}
            if "users" in counts:
                c["users"] = len(g["members"])
            if "resources" in counts:
                c["resources"] = len(g["roles"])
            v["counts"] = c
        return v

    def group_ra(self, g):
        return [{"resourceId": res, "resourceOwner": owner_of(res), "roles": sorted(roles)}
                for res, roles in sorted(g["roles"].items()) if roles]

    def workspace(self, w, host):
        return {"id": w["id"], "type": "workspaces",
                "attributes": {"name": w["name"], "typeKey": w["typeKey"], "type": w["typeKey"],
                               "owner": None, "status": w["status"], "statusDetails": [],
                               "icons": {}, "avatars": {}, "labels": [],
                               "sandbox": {"type": "NONE"}, "usage": w.get("usage"),
                               "capacity": w.get("capacity"), "createdAt": w.get("createdAt"),
                               "createdBy": None, "hostUrl": w["hostUrl"], "realm": "us",
                               "regions": ["us-east-1"]},
                "links": {"self": "https://%s/admin/v2/orgs/%s/workspaces/%s" % (
                    host, self.st.org["id"], urllib.parse.quote(w["id"], safe=""))},
                "relationships": {}}

    def org(self, host):
        base = "https://%s/admin/v1/orgs/%s" % (host, self.st.org["id"])
        return {"id": self.st.org["id"], "type": "orgs",
                "attributes": {"name": self.st.org["name"]},
                "relationships": {"domains": {"links": {"related": base + "/domains"}},
                                  "users": {"links": {"related": base + "/users"}}},
                "links": {"self": base}}

    def scim_user(self, s, host):
        loc = "https://%s/scim/directory/%s/Users/%s" % (host, s["directoryId"], s["id"])
        v = {"schemas": [SCIM_USER, SCIM_ENT, SCIM_ATL], "id": s["id"],
             "userName": s["userName"], "emails": s["emails"], "name": s.get("name", {}),
             "displayName": s.get("displayName", ""), "active": s["active"],
             "groups": [{"type": "Group", "value": g, "display": self.st.groups[g]["name"],
                         "$ref": "https://%s/scim/directory/%s/Groups/%s" % (
                             host, s["directoryId"], g)}
                        for g in sorted(self.st.user_groups.get(s["accountId"], ()))
                        if self.st.groups[g]["directoryId"] == s["directoryId"]],
             SCIM_ENT: {k: s[k] for k in ("organization", "department") if k in s},
             SCIM_ATL: {"atlassianAccountId": s["accountId"]},
             # ScimMetadata.resourceType enum is USER/GROUP/DIRECTORY.
             "meta": {"resourceType": "USER", "location": loc, "created": s["created"],
                      "lastModified": s.get("lastModified", s["created"])}}
        for k in ("externalId", "nickName", "title", "preferredLanguage", "department",
                  "organization", "timezone", "phoneNumbers"):
            if k in s:
                v[k] = s[k]
        return v

    def scim_group(self, g, host):
        acc = self.st.scim_index(g["directoryId"])["account"]
        by_acc = {a: self.st.scim[acc[a]] for a in g["members"] if a in acc}
        base = "https://%s/scim/directory/%s" % (host, g["directoryId"])
        return {"schemas": [SCIM_GROUP], "id": g["id"], "displayName": g["name"],
                "members": [{"type": "User", "value": by_acc[a]["id"],
                             "display": by_acc[a]["userName"],
                             "$ref": "%s/Users/%s" % (base, by_acc[a]["id"])}
                            for a in g["members"] if a in by_acc],
                "meta": {"resourceType": "GROUP", "location": "%s/Groups/%s" % (base, g["id"]),
                         "created": "2024-02-01T08:00:00.000Z",
                         "lastModified": "2024-02-01T08:00:00.000Z"}}


# -- parameter and body schemas (from the spec) -----------------------------
CURSOR, LIMIT = STR, INT(1, 100)
IDS10 = ARR(STR, 1, 10)
USER_STATUS = ARR(ENUM(*STATUSES), 1, 4)
ACCOUNT_STATUS = ARR(ENUM("active", "inactive", "closed"), 1, 3)
MEMBERSHIP = ARR(ENUM("active", "suspended", "no_membership"), 1, 3)
ROLES10 = ARR(ENUM(*ROLE_IDS), 1, 10)
USERS_Q = {"cursor": CURSOR, "limit": LIMIT, "accountIds": IDS10, "directoryIds": IDS10,
           "resourceIds": ARR(STR, 1, 20), "groupIds": IDS10, "mfaEnabled": BOOL,
           "claimStatus": ENUM("managed", "unmanaged"), "status": USER_STATUS,
           "accountStatus": ACCOUNT_STATUS, "membershipStatus": MEMBERSHIP, "roleIds": ROLES10,
           "emailDomains": IDS10, "searchTerm": STR,
           "sortBy": ENUM("nick_name", "nick_name:asc", "nick_name:desc")}
USERS_BODY = OBJ({"accountIds": ARR(STR, 1, 10), "accountStatus": ACCOUNT_STATUS,
                  "claimStatus": ENUM("managed", "unmanaged"), "cursor": STR,
                  "directoryIds": IDS10, "emailDomains": IDS10,
                  "emails": ARR(STR, 1, 100, True),
                  "expand": ARR(ENUM("platformRoles", "counts.resources", "productAccess",
                                     "groups"), 0, 4, True),
                  "groupIds": IDS10, "limit": LIMIT, "membershipStatus": MEMBERSHIP,
                  "mfaEnabled": BOOL, "resourceIds": ARR(STR, 1, 20), "roleIds": ROLES10,
                  "searchTerm": STR,
                  "sortBy": ARR(OBJ({"field": ENUM("nick_name"),
                                     "direction": ENUM("asc", "desc")},
                                    ("field", "direction")), 1, 1),
                  "status": USER_STATUS})
GROUPS_Q = {"cursor": CURSOR, "limit": LIMIT, "directoryIds": IDS10, "accountIds": IDS10,
            "groupIds": IDS10, "resourceOwners": IDS10, "resourceIds": ARR(STR, 1, 20),
            "searchTerm": STR, "includeUsers": BOOL, "includeResources": BOOL,
            "sortBy": ENUM("name", "name:asc", "name:desc"), "roleIds": ROLES10}
UIDS10 = ARR(STR, 1, 10, True)
GROUPS_BODY = OBJ({"accountIds": UIDS10, "cursor": STR, "directoryIds": UIDS10,
                   "expand": ARR(ENUM("counts.resources", "counts.users"), 1, 2, True),
                   "groupIds": UIDS10, "groupNames": ARR(STR, 1, 100, True), "limit": LIMIT,
                   "resourceIds": ARR(STR, 1, 20, True), "resourceOwners": UIDS10,
                   "roleIds": UIDS10, "searchTerm": STR,
                   "sortBy": ARR(OBJ({"field": ENUM("name"), "direction": ENUM("asc", "desc")},
                                     ("field", "direction")), 1, 1)})
RA_Q = {"cursor": CURSOR, "limit": LIMIT, "directoryIds": IDS10, "resourceOwners": IDS10,
        "resourceIds": ARR(STR, 1, 20), "roleIds": ROLES10}
DIRS_Q = {"cursor": CURSOR, "limit": LIMIT, "accountId": STR, "directoryIds": IDS10,
          "searchTerm": STR}
WS_BODY = OBJ({"cursor": NULLABLE(STR), "limit": INT(1, 1000), "query": NULLABLE(ANY),
               "sort": NULLABLE(ARR(OBJ({"field": STR, "order": ENUM("asc", "desc")}), 0, 10))})
ROLE_BODY = OBJ({"role": ENUM(*ROLE_API_ROLES), "resource": STR}, ("role",))
ORG_ROLE_BODY = OBJ({"role": ENUM("atlassian/org-admin")}, ("role",))
GROUP_ROLE_BODY = OBJ({"resourceId": STR, "roleId": ENUM(*GROUP_ROLE_IDS)},
                      ("resourceId", "roleId"))
MEMBER_BODY = OBJ({"accountId": STR}, ("accountId",))
DISABLE_BODY = OBJ({"message": STR})
SCIM_Q = {"attributes": STR, "excludedAttributes": STR}
SCIM_LIST_Q = dict(SCIM_Q, filter=STR, startIndex=INT(-2 ** 31, 2 ** 31 - 1),
                   count=INT(-2 ** 31, 2 ** 31 - 1))
SCIM_GROUPS_Q = {"filter": STR, "startIndex": INT(-2 ** 31, 2 ** 31 - 1),
                 "count": INT(-2 ** 31, 2 ** 31 - 1)}
SCIM_EMAILS = ARR(OBJ({"value": STR, "type": STR, "primary": BOOL, "display": STR}), 1, 10)
SCIM_USER_FIELDS = {
    "schemas": ARR(STR, 1, 5, True), "userName": STR, "emails": SCIM_EMAILS,
    "id": ANY, "externalId": STR, "meta": ANY, "groups": ANY, SCIM_ENT: ANY, SCIM_ATL: ANY,
    "name": OBJ({k: STR for k in ("formatted", "familyName", "givenName", "middleName",
                                  "honorificPrefix", "honorificSuffix")}),
    "displayName": STR, "nickName": STR, "title": STR, "preferredLanguage": STR,
    "department": STR, "organization": STR, "timezone": STR, "active": BOOL,
    "phoneNumbers": ARR(OBJ({"value": STR, "type": STR, "primary": BOOL}), 0, 10)}
SCIM_USER_BODY = OBJ(SCIM_USER_FIELDS, ("schemas", "userName", "emails"))
SCIM_PATCH_BODY = OBJ({"schemas": ARR(STR, 1, 5, True),
                       "Operations": ARR(OBJ({"op": STR, "path": STR, "value": ANY}, ("op",)),
                                         1, 100),
                       "operations": ARR(OBJ({"op": STR, "path": STR, "value": ANY}, ("op",)),
                                         1, 100)}, ("schemas",))
SCIM_SIMPLE = ("displayName", "nickName", "title", "preferredLanguage", "department",
               "organization", "timezone", "externalId", "userName", "active")


class Route:
    def __init__(self, method, pattern, name, family, fn, body="none", write=False,
                 query=None, note=None):
        self.method, self.pattern, self.name, self.family = method, pattern, name, family
        self.fn, self.body, self.write, self.note = fn, body, write, note
        self.query = query or {}     # the query parameters the operation declares
        self.segs = pattern.strip("/").split("/")
        self.literals = sum(1 for s in self.segs if not s.startswith("{"))

    def match(self, segs):
        if len(segs) != len(self.segs):
            return None
        out = {}
        for want, got in zip(self.segs, segs):
            if want.startswith("{"):
                if not got:
                    return None
                out[want[1:-1]] = got
            elif want != got:
                return None
        return out


class Ctx:
    """One request as a handler sees it."""

    def __init__(self, route, params, q, body, headers, host):
        self.route, self.p, self.q, self.body = route, params, q, body
        self.headers, self.host = headers, host
        self.args = {}      # validated query arguments of routes without a cursor
        self.qjson = None   # the query a list page answers, kept with its cursors
        self.resent = False  # a search body repeated fields beside its cursor
        self.fresh = []     # cursors to mark used once the answer is a success


class Api:
    def __init__(self, st):
        self.st, self.v = st, Views(st)
        R = Route
        self.routes = [
            R("GET", ADMIN + "/v1/orgs", "orgs.list", "v1", self.orgs, query={"cursor": CURSOR}),
            R("GET", ORG1, "org.get", "v1", self.org_get, query={}),
            R("GET", ORG2 + "/directories", "directories.list", "dir", self.directories,
              query=DIRS_Q),
            R("GET", DIR + "/users", "users.list", "dir", self.users_list, query=USERS_Q,
              note="deprecated"),
            R("POST", DIR + "/users/search", "users.search", "dir", self.users_search,
              body="optional", query={}),
            R("GET", DIR + "/users/{accountId}", "user.get", "dir", self.user_get, query={}),
            R("GET", DIR + "/users/{accountId}/role-assignments", "user.roleAssignments", "dir",
              self.user_ra, query=RA_Q),
            R("POST", DIR + "/users/{accountId}/suspend", "user.suspend", "uam",
              self.suspend, write=True, query={}),
            R("POST", DIR + "/users/{accountId}/restore", "user.restore", "uam",
              self.restore, write=True, query={}),
            R("GET", DIR + "/groups", "groups.list", "dir", self.groups_list, query=GROUPS_Q,
              note="deprecated"),
            R("POST", DIR + "/groups/search", "groups.search", "dir", self.groups_search,
              body="optional", query={}),
            R("GET", DIR + "/groups/{groupId}", "group.get", "dir", self.group_get, query={}),
            R("GET", DIR + "/groups/{groupId}/role-assignments", "group.roleAssignments", "dir",
              self.group_ra, query=RA_Q),
            R("POST", DIR + "/groups/{groupId}/role-assignments/assign", "group.roleAssign",
              "uam", self.group_role_assign, body="required", write=True, query={}),
            R("POST", DIR + "/groups/{groupId}/role-assignments/revoke", "group.roleRevoke",
              "uam", self.group_role_revoke, body="required", write=True, query={}),
            R("POST", DIR + "/groups/{groupId}/memberships", "group.memberAdd", "uam",
              self.member_add, body="required", write=True, query={}),
            R("DELETE", DIR + "/groups/{groupId}/memberships/{accountId}", "group.memberRemove",
              "uam", self.member_remove, write=True, query={}),
            R("POST", ORG1 + "/users/{accountId}/roles/assign", "user.rolesAssign", "uam",
              self.roles_assign, body="required", write=True, query={}),
            R("POST", ORG1 + "/users/{accountId}/roles/revoke", "user.rolesRevoke", "uam",
              self.roles_revoke, body="required", write=True, query={}),
            R("POST", ORG1 + "/users/{accountId}/role-assignments/assign", "user.orgRoleAssign",
              "uam", self.org_role_assign, body="required", write=True, query={}),
            R("POST", ORG1 + "/users/{accountId}/role-assignments/revoke", "user.orgRoleRevoke",
              "uam", self.org_role_revoke, body="required", write=True, query={}),
            R("POST", ORG2 + "/workspaces", "workspaces.search", "ws", self.workspaces,
              body="optional", query={}),
            R("GET", MANAGE + "/api-tokens", "um.apiTokens", "um", self.api_tokens, query={}),
            R("DELETE", MANAGE + "/api-tokens/{tokenId}", "um.apiTokenDelete", "um",
              self.api_token_delete, write=True, query={}),
            R("GET", MANAGE + "/profile", "um.profile", "um", self.profile, query={}),
            R("POST", MANAGE + "/lifecycle/delete", "um.delete", "um", self.lc_delete,
              write=True, query={}),
            R("POST", MANAGE + "/lifecycle/cancel-delete", "um.cancelDelete", "um",
              self.lc_cancel, write=True, query={}),
            R("POST", MANAGE + "/lifecycle/disable", "um.disable", "um", self.lc_disable,
              body="required", write=True, query={}),
            R("POST", MANAGE + "/lifecycle/enable", "um.enable", "um", self.lc_enable,
              write=True, query={}),
            R("GET", SCIM + "/Users", "scim.users.list", "scim", self.scim_list,
              query=SCIM_LIST_Q),
            R("POST", SCIM + "/Users", "scim.users.create", "scim", self.scim_create,
              body="required", write=True, query=SCIM_Q),
            R("GET", SCIM + "/Users/{userId}", "scim.user.get", "scim", self.scim_get,
              query=SCIM_Q),
            R("PUT", SCIM + "/Users/{userId}", "scim.user.replace", "scim", self.scim_put,
              body="required", write=True, query=SCIM_Q),
            R("PATCH", SCIM + "/Users/{userId}", "scim.user.patch", "scim", self.scim_patch,
              body="required", write=True, query=SCIM_Q),
            R("DELETE", SCIM + "/Users/{userId}", "scim.user.delete", "scim", self.scim_delete,
              write=True, query={}),
            R("GET", SCIM + "/Groups", "scim.groups.list", "scim", self.scim_groups,
              query=SCIM_GROUPS_Q),
            R("GET", SCIM + "/Groups/{groupId}", "scim.group.get", "scim", self.scim_group,
              query={}),
        ] + self.removed() + self.unimplemented()

    @staticmethod
    def removed():
        """v1 endpoints still listed (deprecated) in the 2026-06-11 spec and
        gone from the current one ("stopped working after June 30, 2026")."""
        out = []
        for m, p in ([
                ("POST", "/directory/users/{accountId}/suspend-access"),
                ("POST", "/directory/users/{accountId}/restore-access"),
                ("DELETE", "/directory/users/{accountId}"),
                ("POST", "/directory/groups"), ("DELETE", "/directory/groups/{groupId}"),
                ("POST", "/directory/groups/{groupId}/memberships"),
                ("DELETE", "/directory/groups/{groupId}/memberships/{accountId}"),
                ("POST", "/directory/groups/{groupId}/roles/assign"),
                ("POST", "/directory/groups/{groupId}/roles/revoke"),
                ("POST", "/groups/search"), ("POST", "/users/invite"),
                ("POST", "/users/search")]):
            out.append(Route(m, ORG1 + p, "removed.v1" + p.replace("/", ".")
                             .replace("{", "").replace("}", ""), "dir", None, query={},
                             note="removed"))
        return out

    @staticmethod
    def unimplemented():
        """Operations of the current specs this mock does not serve: a
        client calling them is told so in the violations list."""
        ops = [("GET", ORG1 + "/users"), ("GET", ORG1 + "/domains"),
               ("GET", ORG1 + "/events"), ("GET", ORG1 + "/policies"),
               ("GET", ORG1 + "/directory/users/{accountId}/last-active-dates"),
               ("POST", DIR + "/groups"), ("DELETE", DIR + "/groups/{groupId}"),
               ("GET", DIR + "/groups/count"), ("GET", DIR + "/groups/stats"),
               ("GET", DIR + "/users/count"), ("GET", DIR + "/users/stats"),
               ("DELETE", DIR + "/users/{accountId}"), ("POST", ORG2 + "/users/invite"),
               ("GET", MANAGE), ("PATCH", MANAGE + "/profile"), ("PUT", MANAGE + "/email"),
               ("POST", SCIM + "/Groups"), ("PUT", SCIM + "/Groups/{groupId}"),
               ("PATCH", SCIM + "/Groups/{groupId}"), ("DELETE", SCIM + "/Groups/{groupId}"),
               ("GET", SCIM + "/Schemas"), ("GET", SCIM + "/ResourceTypes"),
               ("GET", SCIM + "/ServiceProviderConfig")]
        fam = lambda p: ("scim" if p.startswith("/scim") else "um" if p.startswith("/users")  # noqa
                         else "dir")
        return [Route(m, p, "unimplemented.%s.%s" % (m, p.rsplit("/", 1)[-1].strip("{}")),
                      fam(p), None, query={}, note="unimplemented") for m, p in ops]

    def find(self, method, segs):
        """(route, params, path_known): the most specific pattern wins."""
        hits = [(r, p) for r in self.routes for p in [r.match(segs)] if p is not None]
        hits.sort(key=lambda h: -h[0].literals)
        for r, p in hits:
            if r.method == method:
                return r, p, True
        return None, None, bool(hits)

    # -- shared lookups -----------------------------------------------------
    def org(self, c):
        if c.p["orgId"] != self.st.org["id"]:
            raise ApiError(404, code(c.route.family, "org"), "Organization not found")

    def scope(self, c):
        """A read's directory scope: an id or '-' (directoryIdParam: "The
        '-' character can be used to increase the operation scope to all
        directories")."""
        self.org(c)
        d = c.p["directoryId"]
        if d != "-" and d not in self.st.directories:
            raise ApiError(404, code(c.route.family, "dir"), "Directory not found")
        return d

    def write_dir(self, c):
        """Writes name one real directory: their directoryId is "A directory
        has a unique ID" without the '-' wildcard of directoryIdParam."""
        self.org(c)
        d = c.p["directoryId"]
        if d == "-":
            raise ApiError(404, code(c.route.family, "dir"),
                           "Directory '-' is only valid on read operations", violation=True)
        if d not in self.st.directories:
            raise ApiError(404, code(c.route.family, "dir"), "Directory not found")
        return d

    def dir_user(self, c, scope):
        u = self.st.users.get(c.p["accountId"])
        if u is None or not visible(u) or (scope != "-" and scope not in u["memberships"]):
            raise ApiError(404, code(c.route.family, "user"), "User not found")
        return u

    def dir_group(self, c, scope):
        g = self.st.groups.get(c.p["groupId"])
        if g is None or (scope != "-" and g["directoryId"] != scope):
            raise ApiError(404, code(c.route.family, "group"), "Group not found")
        return g

    # -- paging -------------------------------------------------------------
    def page(self, c, key, build, limit, render, args):
        """Cursor paging for v2 lists (LinkPageCursor): the first page sorts
        and filters once, a cursor carries that snapshot, its offset, its
        page size and the query it answers. A search cursor stands for its
        query, so fields sent beside it must be the ones it was issued for."""
        tok, query = args.get("cursor"), c.qjson
        if tok is not None:
            cur = self.st.cursors.take(tok, key, c.route.family)
            if c.resent and query != cur["query"]:
                raise ApiError(400, code(c.route.family, "cursor"),
                               "search fields differ from the query the cursor was issued for",
                               violation=True)
            c.fresh.append(cur)
            ids, off, lim, query = cur["ids"], cur["offset"], cur["limit"], cur["query"]
        else:
            ids, off, lim = build(), 0, limit
        chunk = ids[off:off + lim]
        mk = lambda o: self.token(c.route.name, key, ids, o, lim, query)  # noqa: E731
        links = {"self": mk(off)}
        if off > 0:
            links["prev"] = mk(max(0, off - lim))
        if off + lim < len(ids):
            links["next"] = mk(off + lim)
        return {"data": [x for x in (render(i) for i in chunk) if x is not None],
                "links": links}, (ids, off, lim)

    def token(self, route, key, ids, off, lim, query):
        self.st.stats["cursors_issued"] += 1
        return self.st.cursors.issue(route, key, ids, off, lim, query)

    def replay(self, c, a):
        """With a known cursor of this route, the arguments of the page it
        came from (page() then rejects a foreign or spent cursor)."""
        cur = self.st.cursors.tokens.get(a.get("cursor"))
        if cur is None or cur["route"] != c.route.name or cur["query"] is None:
            return a
        return dict(json.loads(cur["query"]), cursor=a["cursor"])

    def get_args(self, c, spec):
        """Validated query arguments. The spec says that with a cursor "all
        other parameters are discarded": sending them is flagged."""
        args = check_query(c.q, spec, c.route.family)
        if "cursor" in args and len(c.q) > 1:
            others = sorted(k for k in c.q if k != "cursor")
            self.st.stats["violations"].append(
                "%s %s: parameters sent with cursor are discarded: %s" % (
                    c.route.method, c.route.name, ",".join(others)))
            args = {"cursor": args["cursor"]}
        args = self.replay(c, args)
        c.qjson = json.dumps({k: v for k, v in args.items() if k != "cursor"}, sort_keys=True)
        return args

    def body_args(self, c, spec, default_limit):
        """A POST search body (optional: none means the first page of all)."""
        body = c.body if c.body is not None else {}
        sent = {k: v for k, v in check_body(body, spec, c.route.family).items() if k != "cursor"}
        c.resent = "cursor" in body and bool(sent)
        c.qjson = json.dumps(dict({"limit": default_limit}, **sent), sort_keys=True)
        args = self.replay(c, dict(sent, cursor=body["cursor"]) if "cursor" in body else sent)
        args.setdefault("limit", default_limit)
        return args

    # -- orgs and directories -----------------------------------------------
    def orgs(self, c):
        # One org: no page has a next cursor, so any cursor is one we never
        # issued (Error.InvalidPageCursor, ADMIN-400-1).
        if "cursor" in check_query(c.q, c.route.query, "v1"):
            raise ApiError(400, "ADMIN-400-1", "Invalid page cursor", violation=True)
        return 200, {"data": [self.v.org(c.host)], "links": {}}

    def org_get(self, c):
        self.org(c)
        return 200, {"data": self.v.org(c.host)}

    def directories(self, c):
        self.org(c)
        a = self.get_args(c, DIRS_Q)
        st = self.st

        def build():
            ds = sorted(st.directories.values(), key=lambda d: d["name"])
            if "accountId" in a:
                u = st.users.get(a["accountId"], {"memberships": {}})
                ds = [d for d in ds if d["directoryId"] in u["memberships"]]
            if "directoryIds" in a:
                ds = [d for d in ds if d["directoryId"] in a["directoryIds"]]
            if "searchTerm" in a:
                ds = [d for d in ds if lower(a["searchTerm"]) in lower(d["name"])]
            return [d["directoryId"] for d in ds]
        out, _ = self.page(c, "dirs", build, a.get("limit", 20),
                           lambda i: {k: st.directories[i][k] for k in
                                      ("directoryId", "name", "icon")}, a)
        return 200, out

    # -- users --------------------------------------------------------------
    def user_scope_ids(self, scope, with_unmembered):
        """Sorted ids of the users a listing covers. By default the users in
        the directories; claimStatus=managed adds managed accounts in no
        directory (spec: "To get your managed accounts, regardless if
        they're in a directory or not, use the claimStatus field")."""
        def build():
            us = [u for u in self.st.users.values() if visible(u) and (
                (u["memberships"] if scope == "-" else scope in u["memberships"]) or
                (with_unmembered and scope == "-" and not u["memberships"] and
                 u["claimStatus"] == "managed"))]
            us.sort(key=lambda u: (lower(u["nickname"]), u["accountId"]))
            return [u["accountId"] for u in us]
        return self.st.cached(("users", scope, with_unmembered), build)

    def user_filter(self, scope, a):
        """Predicates for the MultiDirectoryUserSearchRequest filters."""
        st, v, preds = self.st, self.v, []
        sets = {k: set(a[k]) for k in ("accountIds", "directoryIds", "status", "accountStatus",
                                       "membershipStatus", "roleIds", "resourceIds",
                                       "groupIds") if k in a}
        if "accountIds" in sets:
            preds.append(lambda u: u["accountId"] in sets["accountIds"])
        if "directoryIds" in sets:
            preds.append(lambda u: bool(sets["directoryIds"] & set(u["memberships"])))
        if "groupIds" in sets:
            preds.append(lambda u: bool(sets["groupIds"] & st.user_groups.get(u["accountId"],
                                                                               set())))
        if "mfaEnabled" in a:
            preds.append(lambda u: u["mfaEnabled"] == a["mfaEnabled"])
        if "claimStatus" in a:
            preds.append(lambda u: u["claimStatus"] == a["claimStatus"])
        if "status" in sets:
            preds.append(lambda u: status(u, membership(u, scope)) in sets["status"])
        if "accountStatus" in sets:
            preds.append(lambda u: u["accountStatus"] in sets["accountStatus"])
        if "membershipStatus" in sets:
            preds.append(lambda u: membership(u, scope) in sets["membershipStatus"])
        if "roleIds" in sets or "resourceIds" in sets:
            def has_role(u):
                es = v.ra_entries(u)
                return all((k not in sets) or any(
                    (k == "roleIds" and sets[k] & set(e["roles"])) or
                    (k == "resourceIds" and e["resourceId"] in sets[k]) for e in es)
                    for k in ("roleIds", "resourceIds"))
            preds.append(has_role)
        if "emailDomains" in a:
            doms = {lower(d).lstrip("@") for d in a["emailDomains"]}
            preds.append(lambda u: lower(u["email"]).rsplit("@", 1)[-1] in doms)
        if "searchTerm" in a:
            t = lower(a["searchTerm"])
            preds.append(lambda u: t in lower(u["nickname"]) or t in lower(u["name"]) or
                         t in lower(u["email"]))
        if "emails" in a:
            em = {lower(e) for e in a["emails"]}
            preds.append(lambda u: lower(u["email"]) in em)
        return preds

    def user_ids(self, scope, a):
        st = self.st
        base = self.user_scope_ids(scope, a.get("claimStatus") == "managed")
        preds = self.user_filter(scope, a)
        if "groupIds" in a:     # index: a group's members, not every user
            want = set()
            for g in a["groupIds"]:
                want.update(st.groups[g]["members"] if g in st.groups else ())
            base = [i for i in sorted(want, key=lambda i: (lower(st.users[i]["nickname"]), i))
                    if i in st.users]
            base = [i for i in base if self.in_scope(st.users[i], scope, a)]
        ids = [i for i in base if all(p(st.users[i]) for p in preds)] if preds else base
        if a.get("sortDesc"):
            ids = ids[::-1]
        return ids

    def in_scope(self, u, scope, a):
        return visible(u) and ((u["memberships"] if scope == "-" else scope in u["memberships"])
                               or (a.get("claimStatus") == "managed" and scope == "-"))

    def users_list(self, c):
        scope = self.scope(c)
        a = self.get_args(c, USERS_Q)
        a["sortDesc"] = a.get("sortBy") == "nick_name:desc"
        out, _ = self.page(c, ("users", scope, False), lambda: self.user_ids(scope, a),
                           a.get("limit", 20),
                           lambda i: self.render_user(i, scope, (), True), a)
        return 200, out

    def users_search(self, c):
        scope = self.scope(c)
        a = self.body_args(c, USERS_BODY, 50)   # "Defaults to 50"
        if "emails" in a and "searchTerm" in a:
            raise ApiError(400, "ADMIN-400-24", "emails and searchTerm are mutually exclusive",
                           violation=True)
        a["sortDesc"] = a.get("sortBy", [{}])[0].get("direction") == "desc"
        expand = tuple(a.get("expand", ()))
        out, _ = self.page(c, ("users.search", scope), lambda: self.user_ids(scope, a),
                           a["limit"], lambda i: self.render_user(i, scope, expand, False), a)
        return 200, out

    def render_user(self, i, scope, expand, legacy):
        u = self.st.users.get(i)
        return None if u is None else self.v.user(u, scope, expand, legacy)

    def user_get(self, c):
        scope = self.scope(c)
        u = self.dir_user(c, scope)
        return 200, self.v.user_details(u, scope)

    def user_ra(self, c):
        scope = self.scope(c)
        u = self.dir_user(c, scope)
        a = self.get_args(c, RA_Q)
        # In one directory only its resources: platform roles have none.
        out, _ = self.page(c, ("user.ra", scope, u["accountId"]),
                           lambda: [e for e in self.v.ra_entries(u) if scope in (
                               "-", e["directoryId"]) and self.ra_keep(e, e["directoryId"], a)],
                           a.get("limit", 20), lambda e: e, a)
        return 200, out

    def suspend(self, c):
        d = self.write_dir(c)
        u = self.dir_user(c, d)
        if "atlassian/org-admin" in u["platformRoles"]:
            # Reference connector: suspend "cannot be used on organization
            # administrators (returns 400 error)".
            raise ApiError(400, "ADMIN-UAM-400-1",
                           "You can't suspend an organization admin's access")
        u["memberships"][d] = "suspended"
        return 204, None

    def restore(self, c):
        d = self.write_dir(c)
        u = self.dir_user(c, d)
        u["memberships"][d] = "active"
        return 204, None

    # -- groups -------------------------------------------------------------
    def group_ids(self, scope, a):
        st = self.st

        def build():
            gs = [g for g in st.groups.values() if scope in ("-", g["directoryId"])]
            gs.sort(key=lambda g: (lower(g["name"]), g["id"]))
            return [g["id"] for g in gs]
        ids = st.cached(("groups", scope), build)
        preds = self.group_filter(a)
        if "accountIds" in a:   # index: the users' groups, not every group
            want = set().union(*(st.user_groups.get(x, set()) for x in a["accountIds"]))
            ids = [i for i in ids if i in want]
        out = [i for i in ids if all(p(st.groups[i]) for p in preds)]
        return out[::-1] if a.get("sortDesc") else out

    def group_filter(self, a):
        preds = []
        for k, field in (("directoryIds", "directoryId"), ("groupIds", "id")):
            if k in a:
                preds.append(lambda g, s=set(a[k]), f=field: g[f] in s)
        if "groupNames" in a:
            names = {lower(n) for n in a["groupNames"]}
            preds.append(lambda g: lower(g["name"]) in names)
        if "searchTerm" in a:
            preds.append(lambda g, t=lower(a["searchTerm"]): t in lower(g["name"]))
        if "resourceIds" in a:
            preds.append(lambda g, s=set(a["resourceIds"]): bool(s & set(g["roles"])))
        if "resourceOwners" in a:
            preds.append(lambda g, s=set(a["resourceOwners"]):
                         any(owner_of(r) in s for r in g["roles"]))
        if "roleIds" in a:
            preds.append(lambda g, s=set(a["roleIds"]):
                         any(s & set(rs) for rs in g["roles"].values()))
        return preds

    def groups_list(self, c):
        scope = self.scope(c)
        a = self.get_args(c, GROUPS_Q)
        a["sortDesc"] = a.get("sortBy") == "name:desc"
        counts = tuple(k for k, f in (("users", "includeUsers"), ("resources", "includeResources"))
                       if a.get(f))
        out, _ = self.page(c, ("groups", scope), lambda: self.group_ids(scope, a),
                           a.get("limit", 20), lambda i: self.render_group(i, counts), a)
        return 200, out

    def groups_search(self, c):
        scope = self.scope(c)
        a = self.body_args(c, GROUPS_BODY, 20)
        if "groupNames" in a and ("groupIds" in a or "searchTerm" in a):
            raise ApiError(400, "ADMIN-400-24",
                           "groupNames is mutually exclusive with groupIds and searchTerm",
                           violation=True)
        a["sortDesc"] = a.get("sortBy", [{}])[0].get("direction") == "desc"
        counts = tuple(sorted(e.split(".")[1] for e in a.get("expand", ())))
        out, _ = self.page(c, ("groups.search", scope), lambda: self.group_ids(scope, a),
                           a["limit"], lambda i: self.render_group(i, counts), a)
        return 200, out

    def render_group(self, i, counts):
        g = self.st.groups.get(i)
        return None if g is None else self.v.group(g, counts)

    def group_get(self, c):
        scope = self.scope(c)
        g = self.dir_group(c, scope)
        return 200, {"data": self.v.group(g, ("users", "resources"))}

    def group_ra(self, c):
        scope = self.scope(c)
        g = self.dir_group(c, scope)
        a = self.get_args(c, RA_Q)
        dirs = {r: (self.st.workspaces[r]["directoryId"] if r in self.st.workspaces else None)
                for r in g["roles"]}
        out, _ = self.page(c, ("group.ra", scope, g["id"]),
                           lambda: [e for e in self.v.group_ra(g) if self.ra_keep(
                               e, dirs[e["resourceId"]], a)],
                           a.get("limit", 20), lambda e: e, a)
        return 200, out

    @staticmethod
    def ra_keep(e, directory, a):
        """The directoryIds / resourceOwners / resourceIds / roleIds filters."""
        return not (("directoryIds" in a and directory not in a["directoryIds"]) or
                    ("resourceOwners" in a and e["resourceOwner"] not in a["resourceOwners"]) or
                    ("resourceIds" in a and e["resourceId"] not in a["resourceIds"]) or
                    ("roleIds" in a and not set(a["roleIds"]) & set(e["roles"])))

    def workspace_for(self, res, role, family):
        w = self.st.workspaces.get(res)
        if w is None:
            raise ApiError(404, code(family, "resource"), "Resource %s not found" % res)
        if role not in w["roles"]:
            raise ApiError(400, "ADMIN-UAM-400-3",
                           "Role %s is not valid for resource %s" % (role, res))
        return w

    def group_role_assign(self, c):
        d = self.write_dir(c)
        g = self.dir_group(c, d)
        a = check_body(c.body, GROUP_ROLE_BODY, "uam")
        self.workspace_for(a["resourceId"], a["roleId"], "uam")
        if a["roleId"] not in g["roles"].get(a["resourceId"], []):
            if a["roleId"] in BILLABLE:
                self.seat_check(g["members"])
            g["roles"].setdefault(a["resourceId"], []).append(a["roleId"])
        return 200, None

    def group_role_revoke(self, c):
        d = self.write_dir(c)
        g = self.dir_group(c, d)
        a = check_body(c.body, GROUP_ROLE_BODY, "uam")
        roles = g["roles"].get(a["resourceId"], [])
        if a["roleId"] in roles:
            roles.remove(a["roleId"])
        if not roles:
            g["roles"].pop(a["resourceId"], None)
        return 204, None

    def idp_guard(self, g):
        # Spec: "You can't add a user to a group synced from an identity
        # provider." No code is declared; ADMIN-UAM-403-1 (Forbidden) is
        # the closest in ApiError.
        if g["externalSynced"] or g["managedBy"] == "external":
            raise ApiError(403, "ADMIN-UAM-403-1",
                           "Group %s is synced from an identity provider; manage its "
                           "members there" % g["name"])

    def member_add(self, c):
        d = self.write_dir(c)
        g = self.dir_group(c, d)
        a = check_body(c.body, MEMBER_BODY, "uam")
        u = self.st.users.get(a["accountId"])
        if u is None or d not in u["memberships"]:
            raise ApiError(404, "ADMIN-UAM-404-1", "User not found in this directory")
        self.idp_guard(g)
        if u["accountId"] in g["members"]:
            raise ApiError(409, "ADMIN-UAM-409-2", "User is already a member of the group")
        if any(set(rs) & set(BILLABLE) for rs in g["roles"].values()):
            self.seat_check([u["accountId"]])
        g["members"].append(u["accountId"])
        self.st.user_groups[u["accountId"]].add(g["id"])
        return 204, None

    def member_remove(self, c):
        d = self.write_dir(c)
        g = self.dir_group(c, d)
        self.idp_guard(g)
        acc = c.p["accountId"]
        if acc not in g["members"]:
            raise ApiError(404, "ADMIN-UAM-404-1", "User is not a member of the group")
        g["members"].remove(acc)
        self.st.user_groups[acc].discard(g["id"])
        return 204, None

    # -- seats ----------------------------------------------------------------
    def licensed(self, u):
        if u["accountStatus"] != "active" or u["forDeletion"]:
            return False
        if any(set(rs) & set(BILLABLE) for r, rs in u["roles"].items() if r in
               self.st.workspaces):
            return True
        return any(set(rs) & set(BILLABLE) for g in self.st.user_groups.get(u["accountId"], ())
                   for rs in self.st.groups[g]["roles"].values())

    def seats_used(self):
        return sum(1 for u in self.st.users.values() if self.licensed(u))

    def seat_check(self, accounts):
        """409 ADMIN-UAM-409-3 (Product License Limit Exceeded) when the new
        billable users would pass the fixture's seatLimit."""
        if self.st.seat_limit is None:
            return
        new = sum(1 for a in accounts if a in self.st.users and
                  self.st.users[a]["accountStatus"] == "active" and
                  not self.licensed(self.st.users[a]))
        if new and self.seats_used() + new > self.st.seat_limit:
            raise ApiError(409, "ADMIN-UAM-409-3",
                           "Product license limit exceeded (%d seats)" % self.st.seat_limit)

    # -- role APIs ------------------------------------------------------------
    def role_user(self, c):
        self.org(c)
        u = self.st.users.get(c.p["accountId"])
        if u is None or not visible(u):
            # The spec lists ADMIN-UAM-404-3 as the 404 code of these routes.
            raise ApiError(404, "ADMIN-UAM-404-3", "User not found")
        return u

    def role_request(self, c):
        """Checks shared by roles/assign and roles/revoke (RoleApiRequest)."""
        u = self.role_user(c)
        if not self.st.role_api_enabled:
            raise ApiError(403, "ADMIN-UAM-403-1",
                           "This API must be enabled for your organization by Atlassian support")
        a = check_body(c.body, ROLE_BODY, "uam")
        role, res = a["role"], a.get("resource")
        if role == "atlassian/org-admin":
            return u, role, None    # "Any resource passed for org-admin shall be ignored"
        if res is None:
            raise ApiError(400, "ADMIN-UAM-400-1", "resource is required for role %s" % role,
                           violation=True)
        if role == "atlassian/site-admin":
            m = re.fullmatch(r"ari:cloud:platform::site/(.+)", res)
            if m is None or m.group(1) not in self.st.sites:
                raise ApiError(400, "ADMIN-UAM-400-3",
                               "site-admin needs a site resource ari:cloud:platform::site/<id>")
            return u, role, res
        self.workspace_for(res, role, "uam")
        return u, role, res

    def roles_assign(self, c):
        u, role, res = self.role_request(c)
        if u["accountStatus"] != "active" or u["forDeletion"]:
            raise ApiError(400, "ADMIN-UAM-400-2", "Inactive user")
        if res is None:
            if role not in u["platformRoles"]:
                u["platformRoles"].append(role)
            return 204, None
        if role not in u["roles"].get(res, []):
            if role in BILLABLE:
                self.seat_check([u["accountId"]])
            u["roles"].setdefault(res, []).append(role)
        return 204, None

    def roles_revoke(self, c):
        u, role, res = self.role_request(c)
        if res is None:
            if role in u["platformRoles"]:
                u["platformRoles"].remove(role)
            return 204, None
        have = u["roles"].get(res, [])
        if role in have:
            have.remove(role)
        if not have:
            u["roles"].pop(res, None)
        return 204, None

    def org_role_assign(self, c):
        u = self.role_user(c)
        check_body(c.body, ORG_ROLE_BODY, "uam")
        if "atlassian/org-admin" not in u["platformRoles"]:
            u["platformRoles"].append("atlassian/org-admin")
        return 204, None

    def org_role_revoke(self, c):
        u = self.role_user(c)
        check_body(c.body, ORG_ROLE_BODY, "uam")
        if "atlassian/org-admin" in u["platformRoles"]:
            u["platformRoles"].remove("atlassian/org-admin")
        return 204, None

    # -- workspaces -----------------------------------------------------------
    def workspaces(self, c):
        """POST /v2/orgs/{orgId}/workspaces: the cursor travels in the body
        and "When a cursor is provided in the request body, no other
        properties may be present"."""
        self.org(c)
        body = c.body if c.body is not None else {}
        a = check_body(body, WS_BODY, "ws")
        if a.get("cursor") is not None and len(body) > 1:
            raise ApiError(400, "ADMIN-400-4", "No other properties may be present with "
                           "cursor: %s" % ",".join(sorted(k for k in body if k != "cursor")),
                           violation=True)
        if a.get("cursor") is None:
            a.pop("cursor", None)
        c.qjson = json.dumps({k: v for k, v in a.items() if k != "cursor"}, sort_keys=True)
        st = self.st
        out, (ids, off, lim) = self.page(
            c, "workspaces", lambda: self.ws_ids(a, c.host), a.get("limit") or 20,
            lambda i: self.v.workspace(st.workspaces[i], c.host) if i in st.workspaces else None,
            a)
        out["meta"] = {"pageSize": lim, "startIndex": off,
                       "endIndex": min(off + lim, len(ids)), "total": len(ids)}
        return 200, out

    def ws_ids(self, a, host):
        views = [self.v.workspace(w, host) for w in self.st.workspaces.values()]
        views = [x for x in views if self.ws_match(x, a.get("query"))]
        views.sort(key=lambda x: (x["attributes"]["name"], x["id"]))
        for s in reversed(a.get("sort") or []):
            views.sort(key=lambda x, f=s.get("field", ""): str(dig(x, f)),
                       reverse=s.get("order") == "desc")
        return [x["id"] for x in views]

    def ws_match(self, w, q):
        """QueryVariants: and / nor / field / searchWorkspaces / features /
        policies (the mock's workspaces have no features or policies)."""
        if q is None:
            return True
        if not isinstance(q, dict) or len(q) != 1:
            raise ApiError(400, "ADMIN-400-4", "query must be one operator or operand",
                           violation=True)
        (k, val), = q.items()
        if k == "and" and isinstance(val, list):
            return all(self.ws_match(w, x) for x in val)
        if k == "nor" and isinstance(val, list):
            return not any(self.ws_match(w, x) for x in val)
        if k == "field" and isinstance(val, dict) and isinstance(val.get("name"), str):
            vals = val.get("values")
            return not vals or str(dig(w, val["name"])) in [str(x) for x in vals]
        if k == "searchWorkspaces" and isinstance(val, str):
            t = lower(val)
            return t in lower(w["attributes"]["name"]) or t in lower(w["attributes"]["hostUrl"])
        if k in ("features", "policies") and isinstance(val, list):
            return not val
        raise ApiError(400, "ADMIN-400-4", "Unsupported query operand %r" % k, violation=True)

    # -- user management ------------------------------------------------------
    def um_user(self, c, manage=True):
        acc = c.p["accountId"]
        u = self.st.users.get(acc) if ACCOUNT_RE.fullmatch(acc) else None
        if u is None:
            # Live body the reference connector replays (users_test.go).
            raise ApiError(404, "accountNotFound", "Error: User account not found",
                           extra={"errorKey": "account-not-found"})
        if manage and u["claimStatus"] != "managed":
            raise ApiError(403, "forbidden",
                           "Error: Caller must be a verified org admin of targeted account",
                           extra={"errorKey": "forbidden"})
        return u

    def api_tokens(self, c):
        u = self.um_user(c)
        return 200, [dict(t) for t in self.st.tokens.get(u["accountId"], [])]

    def api_token_delete(self, c):
        u = self.um_user(c)
        ts = self.st.tokens.get(u["accountId"], [])
        for t in ts:
            if t["id"] == c.p["tokenId"]:
                ts.remove(t)
                return 204, None
        raise ApiError(404, "notFound", "Error: API token not found")

    def profile(self, c):
        u = self.um_user(c, manage=False)
        return 200, {"account": {
            "account_id": u["accountId"], "account_status": u["accountStatus"],
            "account_type": u["accountType"], "name": u["name"], "nickname": u["nickname"],
            "email": u["email"], "picture": "https://avatar.example.com/%s.png" % u["nickname"],
            "zoneinfo": u.get("timeZone", "UTC"), "locale": "en-US",
            "characteristics": {"not_mentionable": False}}}

    @staticmethod
    def lifecycle_conflict(u, msg, code):
        raise ApiError(409, "conflict.lifecycleErrors", msg, extra={"context": {
            "message": msg, "accountId": u["accountId"],
            "errorCodes": [{"code": code, "message": msg}]}})

    def lc_delete(self, c):
        u = self.um_user(c)
        if u["forDeletion"]:
            self.lifecycle_conflict(u, "The account is already scheduled for deletion",
                                    "ALREADY_SCHEDULED_FOR_DELETION")
        # Deletion starts a 14-day grace period in which the account shows
        # as deactivated: status for_deletion.
        u.update(forDeletion=True, accountStatus="inactive")
        return 200, {"message": "AccountId %s has been deleted." % u["accountId"]}

    def lc_cancel(self, c):
        u = self.um_user(c)
        if u["forDeletion"]:
            u.update(forDeletion=False, accountStatus="active")
        return 200, {"message": "Success"}

    def lc_disable(self, c):
        u = self.um_user(c)
        check_body(c.body, DISABLE_BODY, "um")
        if u["forDeletion"]:
            self.lifecycle_conflict(u, "The account is scheduled for deletion",
                                    "SCHEDULED_FOR_DELETION")
        u["accountStatus"] = "inactive"
        u["deactivatedOn"] = now_iso()
        return 204, None

    def lc_enable(self, c):
        u = self.um_user(c)
        if u["forDeletion"]:
            # "User accounts that have been deleted need the deletion to be
            # canceled before reactivating."
            self.lifecycle_conflict(u, "Cancel the deletion before reactivating the account",
                                    "SCHEDULED_FOR_DELETION")
        u["accountStatus"] = "active"
        u.pop("deactivatedOn", None)
        return 204, None

    # -- SCIM -----------------------------------------------------------------
    def scim_dir(self, c):
        return c.p["directoryId"]

    def scim_rec(self, c):
        s = self.st.scim.get(c.p["userId"])
        if s is None or s["deleted"] or s["directoryId"] != c.p["directoryId"]:
            raise ApiError(404, None, "User %s not found" % c.p["userId"])
        return s

    def scim_out(self, c, obj):
        """attributes / excludedAttributes projection (mutually exclusive)."""
        inc, exc = c.q.get("attributes"), c.q.get("excludedAttributes")
        if inc and exc:
            raise ApiError(400, "invalidSyntax",
                           "attributes and excludedAttributes are mutually exclusive",
                           violation=True)
        if inc:
            keep = {x.strip().split(".")[0] for x in inc[0].split(",")} | {"id", "schemas"}
            obj = {k: v for k, v in obj.items() if k in keep}
        if exc:
            for x in exc[0].split(","):
                top, _, sub = x.strip().partition(".")
                if not sub:
                    obj.pop(top, None)
                elif isinstance(obj.get(top), list):
                    obj[top] = [{k: v for k, v in e.items() if k != sub} for e in obj[top]]
        return obj

    def scim_filter(self, c, attrs):
        """Only `attr eq "value"` (spec: single exact match against
        userName / externalId, or displayName for groups)."""
        f = c.q.get("filter")
        if not f:
            return None
        m = re.fullmatch(r'\s*(\w+)\s+(\w+)\s+"((?:[^"\\]|\\.)*)"\s*', f[0])
        if not m or m.group(2).lower() != "eq" or m.group(1).lower() not in attrs:
            raise ApiError(400, "invalidFilter", "Unsupported filter: %s" % f[0],
                           violation=True)
        return attrs[m.group(1).lower()], json.loads('"%s"' % m.group(3))

    def scim_page(self, c, items, render):
        a = c.args
        start = max(1, a.get("startIndex", 1))     # RFC 7644 3.4.2.4: < 1 means 1
        count = min(100, max(0, a.get("count", 100)))
        chunk = items[start - 1:start - 1 + count]
        return {"schemas": [SCIM_LIST], "totalResults": len(items), "startIndex": start,
                "itemsPerPage": len(chunk), "Resources": [render(x) for x in chunk]}

    def scim_list(self, c):
        idx = self.st.scim_index(self.scim_dir(c))
        flt = self.scim_filter(c, {"username": "userName", "externalid": "externalId"})
        ids = idx["ids"]
        if flt:
            hit = self.scim_lookup(idx, *flt)
            self.plus_hint(c, idx, flt, hit)
            ids = [hit] if hit else []
        out = self.scim_page(c, ids, lambda i: self.scim_out(c, self.v.scim_user(
            self.st.scim[i], c.host)))
        return 200, out

    @staticmethod
    def scim_lookup(idx, key, val):
        # userName is caseExact=false (RFC 7643 4.1.1); externalId is caseExact.
        return idx[key].get(val if key == "externalId" else lower(val))

    def plus_hint(self, c, idx, flt, hit):
        """A '+' the client left unencoded arrives as a space: say so when
        the '+' spelling would have matched."""
        key, val = flt
        if hit or " " not in val:
            return
        if self.scim_lookup(idx, key, val.replace(" ", "+")):
            self.st.stats["violations"].append(
                "%s %s: filter value %r looks like an unencoded '+'" % (
                    c.route.method, c.route.name, val))

    def scim_fields(self, c, body, required=True):
        a = check_body(body, SCIM_USER_BODY if required else OBJ(SCIM_USER_FIELDS), "scim")
        if SCIM_USER not in a.get("schemas", [SCIM_USER]):
            raise ApiError(400, "invalidValue", "schemas must contain %s" % SCIM_USER,
                           violation=True)
        if "emails" in a and sum(1 for e in a["emails"] if e.get("primary")) != 1:
            raise ApiError(400, "invalidValue", "exactly one email must be primary",
                           violation=True)
        if "emails" in a:
            email = primary_email(a)
            if lower(email).rsplit("@", 1)[-1] not in self.st.domains:
                raise ApiError(400, "invalidValue",
                               "%s is not on a verified domain of the organization" % email)
        return a

    def scim_create(self, c):
        d = self.scim_dir(c)
        a = dict(self.scim_fields(c, c.body))
        a.setdefault("active", True)
        idx, email = self.st.scim_index(d), primary_email(a)
        if lower(a["userName"]) in idx["userName"] or lower(email) in idx["email"]:
            raise ApiError(409, "uniqueness", "User %s already exists" % a["userName"])
        s = self.revive(idx, a) or self.new_scim(d, a, email)
        self.apply_scim(s, a)
        return 201, self.scim_out(c, self.v.scim_user(s, c.host)), {
            "Location": "https://%s/scim/directory/%s/Users/%s" % (c.host, d, s["id"])}

    def revive(self, idx, a):
        """DELETE deactivates: "not available ... until activated again";
        creating the same userName again activates the old record."""
        sid = idx["deleted"].get(lower(a["userName"]))
        if sid is None:
            return None
        self.st.scim[sid]["deleted"] = False
        return self.st.scim[sid]

    def new_scim(self, d, a, email):
        """Create the SCIM user, linked to the managed account with the same
        e-mail if there is one (spec: "the user in your identity provider is
        linked to the user in your Atlassian organization")."""
        st = self.st
        acc = st.by_email.get(lower(email))
        linked = acc is not None
        if acc is None:
            acc = "712020:%s" % st.new_id("account", email)
            st.users[acc] = {
                "accountId": acc, "accountType": "atlassian", "email": email, "name": email,
                "nickname": email.split("@")[0], "accountStatus": "active",
                "claimStatus": "managed", "forDeletion": False, "mfaEnabled": False,
                "emailVerified": True, "memberships": {}, "managementSource": "synced",
                "addedToOrg": now_iso(), "platformRoles": [], "roles": {}, "ownerRoles": []}
            st.by_email[lower(email)] = acc
        st.users[acc]["memberships"].setdefault(d, "active")
        st.users[acc]["managementSource"] = "synced"
        sid = st.new_id("scim", a["userName"])
        st.scim[sid] = {"id": sid, "directoryId": d, "accountId": acc, "linked": linked,
                        "deleted": False, "created": now_iso(), "userName": a["userName"],
                        "emails": a["emails"], "active": True}
        return st.scim[sid]

    def apply_scim(self, s, a, replace=True):
        """Copy SCIM attributes and mirror them on the admin-side account."""
        if replace:
            for k in SCIM_SIMPLE + ("name", "phoneNumbers"):
                if k not in ("userName", "active"):
                    s.pop(k, None)
        for k in SCIM_SIMPLE + ("name", "emails", "phoneNumbers"):
            if k in a:
                s[k] = a[k]
        s["lastModified"] = now_iso()
        self.mirror(s)

    def mirror(self, s):
        u = self.st.users[s["accountId"]]
        email = primary_email(s)
        if lower(email) != lower(u["email"]):
            self.st.by_email.pop(lower(u["email"]), None)
            self.st.by_email[lower(email)] = u["accountId"]
            u["email"] = email
        n = s.get("name") or {}
        full = s.get("displayName") or " ".join(x for x in (n.get("givenName"),
                                                            n.get("familyName")) if x)
        if full:
            u["name"] = full
        u["accountStatus"] = "active" if s["active"] and not s["deleted"] else "inactive"

    def scim_get(self, c):
        s = self.scim_rec(c)
        return 200, self.scim_out(c, self.v.scim_user(s, c.host))

    def scim_put(self, c):
        s = self.scim_rec(c)
        a = self.scim_fields(c, c.body)
        self.unique_name(s, a["userName"])
        self.apply_scim(s, dict(a, active=a.get("active", True)))
        return 200, self.scim_out(c, self.v.scim_user(s, c.host))

    def unique_name(self, s, name):
        owner = self.st.scim_index(s["directoryId"])["userName"].get(lower(name))
        if owner not in (None, s["id"]):
            raise ApiError(409, "uniqueness", "userName %s is taken" % name)

    def scim_patch(self, c):
        s = self.scim_rec(c)
        a = check_body(c.body, SCIM_PATCH_BODY, "scim")
        if SCIM_PATCH not in a["schemas"]:
            raise ApiError(400, "invalidSyntax", "schemas must contain %s" % SCIM_PATCH,
                           violation=True)
        ops = a.get("Operations") or a.get("operations")
        if not ops:
            raise ApiError(400, "invalidSyntax", "Operations is required", violation=True)
        work = json.loads(json.dumps({k: s[k] for k in SCIM_SIMPLE + ("name", "emails",
                                                                     "phoneNumbers") if k in s}))
        for op in ops:
            self.patch_op(work, op)
        self.scim_fields(c, dict(work, schemas=[SCIM_USER]))
        self.unique_name(s, work["userName"])
        self.apply_scim(s, work)
        return 200, self.scim_out(c, self.v.scim_user(s, c.host))

    def patch_op(self, work, op):
        """RFC 7644 3.5.2 on the attributes this directory keeps; op names
        are case-insensitive (IdPs send "Replace")."""
        kind, path, val = lower(op["op"]), op.get("path"), op.get("value")
        if kind not in ("add", "replace", "remove"):
            raise ApiError(400, "invalidSyntax", "Unknown op %r" % op["op"], violation=True)
        if path is None:
            if kind == "remove":
                raise ApiError(400, "noTarget", "remove needs a path", violation=True)
            if not isinstance(val, dict):
                raise ApiError(400, "invalidValue", "value must be an object without path",
                               violation=True)
            for k, v in val.items():
                self.patch_path(work, "add" if kind == "add" else "replace", k, v)
            return
        self.patch_path(work, kind, path, val)

    def patch_path(self, work, kind, path, val):
        path = path[len(SCIM_ENT) + 1:] if path.startswith(SCIM_ENT + ":") else path
        m = re.fullmatch(r'emails\[(type|primary) eq (?:"(\w+)"|(true))\]\.value', path)
        if m:
            for e in work.get("emails", []):
                if (m.group(1) == "type" and e.get("type") == m.group(2)) or (
                        m.group(1) == "primary" and e.get("primary")):
                    e["value"] = val
            return
        top, _, sub = path.partition(".")
        if top == "name" and sub:
            if kind == "remove":
                work.setdefault("name", {}).pop(sub, None)
            else:
                work.setdefault("name", {})[sub] = val
            return
        if top not in SCIM_SIMPLE + ("name", "emails", "phoneNumbers") or sub:
            raise ApiError(400, "invalidPath", "Unsupported path %r" % path, violation=True)
        if kind == "remove":
            if top in ("userName", "emails"):
                raise ApiError(400, "mutability", "%s cannot be removed" % top, violation=True)
            work.pop(top, None)
        else:
            work[top] = val

    def scim_delete(self, c):
        s = self.scim_rec(c)
        # DELETE "deactivates the user account, which is the same as setting
        # the active flag to false"; later requests for it answer 404.
        s.update(deleted=True, active=False)
        self.mirror(s)
        return 204, None

    def scim_groups(self, c):
        d = self.scim_dir(c)
        flt = self.scim_filter(c, {"displayname": "displayName"})
        gs = [g for g in self.st.groups.values() if g["directoryId"] == d and g["externalSynced"]]
        if flt:
            gs = [g for g in gs if lower(g["name"]) == lower(flt[1])]
        gs.sort(key=lambda g: g["id"])
        return 200, self.scim_page(c, gs, lambda g: self.v.scim_group(g, c.host))

    def scim_group(self, c):
        g = self.st.groups.get(c.p["groupId"])
        if g is None or g["directoryId"] != c.p["directoryId"] or not g["externalSynced"]:
            raise ApiError(404, None, "Group %s not found" % c.p["groupId"])
        return 200, self.v.scim_group(g, c.host)


def primary_email(a):
    return next(e["value"] for e in a["emails"] if e.get("primary"))


def dig(obj, dotted):
    for part in dotted.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


class Handler(mocklib.Handler):
    protocol_version = "HTTP/1.1"
    server_version = "AtlassianMock"

    def log_message(self, *a):
        pass

    def read_body(self):
        if "chunked" in lower(self.headers.get("Transfer-Encoding")):
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(n) if n else b""

    def send(self, status, body, ctype, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", ctype)
        body = body or b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        st = self.server.state
        raw = self.read_body()
        path, _, query = self.path.partition("?")
        if path.startswith("/__mock/"):
            with st.lock:
                st.stats["requests"] += 1
                code_, out = self.control(path, raw)
                body = json.dumps(out).encode()
            return self.send(code_, body, "application/json", {})
        with st.lock:   # rendered here too: the payload may share lists with the state
            code_, payload, ctype, headers = Dispatch(self, st, path, query, raw).run()
            body = None if payload is None else json.dumps(payload).encode()
        self.hold(st.latency_ms)
        self.send(code_, body, ctype, headers)

    def control(self, path, raw):
        st = self.server.state
        if path == "/__mock/stats":
            return 200, dict(st.stats, late=mocklib.Handler.late)
        if path == "/__mock/state":
            return 200, state_view(st)
        if path == "/__mock/reset-stats":
            st.reset_stats()
            return 200, {}
        if path == "/__mock/config" and self.command == "POST":
            return configure(st, json.loads(raw or b"{}"))
        return 404, {"error": "unknown control path %s" % path}

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


KNOBS = {"latency_ms": "latency_ms", "inject_429": "inject_429", "inject_500": "inject_500",
         "retry_after": "retry_after", "retry_style": "retry_style", "seat_limit": "seat_limit",
         "role_api_enabled": "role_api_enabled"}


def configure(st, cfg):
    unknown = sorted(set(cfg) - set(KNOBS) - {"cursor_reuse"})
    if unknown:
        return 400, {"error": "unknown knobs: %s" % ", ".join(unknown)}
    for k, attr in KNOBS.items():
        if k in cfg:
            setattr(st, attr, cfg[k])
    if "cursor_reuse" in cfg:
        st.cursors.reuse = bool(cfg["cursor_reuse"])
    return 200, dict({k: getattr(st, a) for k, a in KNOBS.items()},
                     cursor_reuse=st.cursors.reuse)


def state_view(st):
    return {"org": st.org, "directories": list(st.directories.values()),
            "workspaces": list(st.workspaces.values()), "users": list(st.users.values()),
            "groups": list(st.groups.values()), "scimUsers": list(st.scim.values()),
            "scimLinked": [{"scimId": s["id"], "accountId": s["accountId"],
                            "directoryId": s["directoryId"]}
                           for s in st.scim.values() if s["linked"]],
            "apiTokens": st.tokens, "roleApiEnabled": st.role_api_enabled,
            "seatLimit": st.seat_limit}


class Dispatch:
    """One API request, under the state lock: route, auth, faults, body,
    handler, and the envelope its route family answers errors with."""

    def __init__(self, h, st, path, query, raw):
        self.h, self.st, self.api = h, st, h.server.api
        self.method, self.path, self.query, self.raw = h.command, path, query, raw
        self.route = None
        self.family = ("scim" if path.startswith("/scim/") else
                       "um" if path.startswith("/users/") else "dir")

    def run(self):
        st = self.st
        st.stats["requests"] += 1
        st.stats["api_requests"] += 1
        try:
            return self.serve()
        except ApiError as e:
            if e.violation:
                self.violate(e.detail)
            if e.status >= 500:
                st.stats["server_errors"] += 1
            return self.error(e)
        except Exception:   # a mock bug: answer 500 and keep the connection usable
            traceback.print_exc()
            st.stats["server_errors"] += 1
            return self.error(ApiError(500, code(self.family, "internal"), "mock failure"))

    def violate(self, msg):
        where = self.route.name if self.route else self.path
        self.st.stats["violations"].append("%s %s: %s" % (self.method, where, msg))

    def serve(self):
        segs = self.path.strip("/").split("/")
        self.route, params, known = self.api.find(self.method, segs)
        if self.route:
            self.family = self.route.family
        self.count()
        raw_chars(self.path, self.query, self.family)
        if self.route is None:
            if known:
                raise ApiError(405, code(self.family, "method"),
                               "Method %s is not supported here" % self.method, violation=True)
            raise ApiError(404, code(self.family, "route"),
                           "No route for %s" % self.path, violation=True)
        params = {k: urllib.parse.unquote(v) for k, v in params.items()}
        self.authenticate(params)
        self.faults()
        note = self.route.note
        if note == "removed":
            raise ApiError(404, "ADMIN-404-1", "removed endpoint %s %s (stopped working after "
                           "June 30, 2026; use the v2 API)" % (self.method, self.route.pattern),
                           violation=True)
        if note == "unimplemented":
            raise ApiError(501, code(self.family, "internal"),
                           "unimplemented by mock: %s" % self.route.pattern, violation=True)
        if note == "deprecated":
            self.violate("deprecated endpoint %s %s" % (self.method, self.route.pattern))
        return self.call(params)

    def call(self, params):
        r, hdrs = self.route, self.h.headers
        if not accepts(hdrs, r.family):
            raise ApiError(406, code(r.family, "media"), "Accept %s: this API answers JSON"
                           % hdrs.get("Accept"), violation=True)
        body = parse_body(hdrs, self.raw, r.body, r.family)
        ctx = Ctx(r, params, parse_query(self.query), body, hdrs, hdrs.get("Host", "localhost"))
        if "cursor" not in r.query:     # list routes check theirs with the cursor rule
            ctx.args = check_query(ctx.q, r.query, r.family)
        out = r.fn(ctx)
        if r.write:
            self.st.generation += 1
        for cur in ctx.fresh:           # single use, once answered successfully
            cur["used"] = True
        return out[0], out[1], self.ctype(), out[2] if len(out) > 2 else {}

    def ctype(self):
        if self.family != "scim":
            return "application/json"
        acc = lower(self.h.headers.get("Accept"))
        return "application/json" if ("application/json" in acc and "scim+json" not in acc) \
            else "application/scim+json"

    def count(self):
        st, name = self.st, self.route.name if self.route else "unmatched"
        key = "%s %s" % (self.method, name)
        st.stats["by_route"][key] = st.stats["by_route"].get(key, 0) + 1
        seen = st.stats["auth_seen"].setdefault(name, {"admin": 0, "scim": 0, "none": 0,
                                                       "other": 0})
        seen[self.credential()] += 1

    def credential(self):
        h = self.h.headers.get("Authorization")
        if h is None:
            return "none"
        scheme, _, tok = h.partition(" ")
        if lower(scheme) != "bearer":
            return "other"
        tok = tok.strip()
        if tok == self.st.admin_key:
            return "admin"
        return "scim" if tok in self.st.scim_keys.values() else "other"

    def authenticate(self, params):
        """The org API key is valid on admin and user-management routes;
        a SCIM key only on its own directory's SCIM routes."""
        h = self.h.headers.get("Authorization", "")
        scheme, _, tok = h.partition(" ")
        ok = lower(scheme) == "bearer" and tok.strip() and (
            tok.strip() == self.st.scim_keys.get(params.get("directoryId"))
            if self.family == "scim" else tok.strip() == self.st.admin_key)
        if not ok:
            raise ApiError(401, "unauthorized", "Unauthorized", gateway=self.family != "scim"
                           and self.family != "um")

    def faults(self):
        st, n = self.st, self.st.stats["api_requests"]
        if st.inject_429 and n % st.inject_429 == 0:
            st.stats["rate_limited"] += 1
            raise ApiError(429, "429", "Rate limit exceeded", gateway=True,
                           headers=self.rate_headers())
        if st.inject_500 and n % st.inject_500 == 0:
            raise ApiError(500, code(self.family, "internal"), "Internal error")

    def rate_headers(self):
        """Atlassian documents X-RateLimit-Limit / -Remaining / -Reset (ISO
        8601 UTC); Retry-After is sent unless retry_style is "reset"."""
        st = self.st
        reset = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=st.retry_after + 1)
        h = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
        if st.retry_style == "reset":
            h["X-RateLimit-Reset"] = reset.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            h["Retry-After"] = str(st.retry_after)
        return h

    def error(self, e):
        return e.status, envelope(e, self.family, next(self.st.serial)), \
            self.ctype() if self.family == "scim" else "application/json", e.headers


def main():
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--inject-429", type=int, default=0)
    ap.add_argument("--retry-style", choices=["retry-after", "reset"], default="retry-after")
    a = ap.parse_args()
    with open(a.fixture) as f:
        st = State(json.load(f))
    st.latency_ms, st.inject_429, st.retry_style = a.latency_ms, a.inject_429, a.retry_style

    def setup(srv):
        srv.state, srv.api = st, Api(st)

    mocklib.serve("atlassian", a, Handler, setup=setup)


if __name__ == "__main__":
    main()
