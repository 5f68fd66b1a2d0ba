#!/usr/bin/env python3
"""Stateful mock of the Confluence Data Center REST API (10.0.3), on loopback TLS.

Served under a context path (--context, default /confluence; "" for the root),
like a Confluence behind Tomcat. What it checks the way Confluence and Tomcat
do (every breach is answered as they answer it and listed in `violations`):
  - the request target as Tomcat parses it: unencoded " < > \\ ^ ` { | } [ ] #,
    controls, spaces or non-ASCII, a bad %-escape, or %2F / %5C / %00 in the
    path -> 400 HTML page; a raw ';' starts a path parameter that Tomcat drops;
    path segments are %-decoded as UTF-8, query strings also turn '+' to space;
  - Personal access tokens (Bearer) and HTTP Basic; 401 + WWW-Authenticate;
  - the query parameters each operation declares (others -> 400), paging
    (start >= 0, limit capped to a server maximum, relative _links.next),
    a @QueryParam that is not an int -> 404 as JAX-RS answers;
  - JSON request bodies (Content-Type; 403 "XSRF check failed" for form or
    text types without X-Atlassian-Token: no-check), Accept (406), 405;
  - administrator-only operations (403 RestError), space admin for space
    permissions, view permission for spaces;
  - the per-user token-bucket rate limiter (429 + X-RateLimit-* headers).
Control (no auth): GET /__mock/stats, GET /__mock/state, POST /__mock/config,
POST /__mock/reset-stats, POST /__mock/login {"username", "password"}.
"""
import argparse, base64, bisect, hashlib, hmac, http.server, json, math, os, re, sys
import threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

CT_JSON = "application/json;charset=UTF-8"
REASONS = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
           415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Service Unavailable"}
# The supported (operationKey, targetType) pairs, from the grant/revoke
# operation descriptions (grantPermissionsToUser_1 and siblings).
SPACE_OPS = [("read", "space"), ("administer", "space"), ("export", "space"),
             ("restrict", "space"), ("delete_own", "space"), ("delete_mail", "space"),
             ("create", "page"), ("delete", "page"), ("create", "blogpost"),
             ("delete", "blogpost"), ("create", "comment"), ("delete", "comment"),
             ("create", "attachment"), ("delete", "attachment")]
# Tomcat rejects these unencoded in a request target (no relaxedPathChars or
# relaxedQueryChars configured); '#' can only come from a client that forgot
# to encode a fragment character.
BAD_TARGET = set('"<>\\^`{|}[]#')
PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
INT32 = (-2 ** 31, 2 ** 31 - 1)
JAVA_INT = re.compile(r"[+-]?[0-9]+")     # what Integer.parseInt accepts
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCEPT_JSON = re.compile(r"(^|,)\s*(application/json|application/\*|\*/\*)\s*(;|,|$)")
XSRF_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
# POST /rest/api/admin/user (createUser) username rules.
BAD_USERNAME = set("\\,+<>'\"")


class ApiError(Exception):
    """A RestError answer. violation (a string) marks a broken contract."""

    def __init__(self, status, message, violation=None, headers=None, errors=None):
        super().__init__(message)
        self.status, self.message, self.violation = status, message, violation
        self.headers, self.errors = headers or {}, errors or []


class RawError(Exception):
    """An answer from below the REST layer (Tomcat, the XSRF filter)."""

    def __init__(self, status, violation, ctype="text/html;charset=utf-8", body=None):
        super().__init__(violation)
        self.status, self.violation, self.ctype = status, violation, ctype
        self.body = body if body is not None else tomcat_page(status)


def tomcat_page(status):
    r = REASONS.get(status, "Error")
    return ('<!doctype html><html lang="en"><head><title>HTTP Status %d – %s</title></head>'
            '<body><h1>HTTP Status %d – %s</h1></body></html>' % (status, r, status, r)).encode()


def rest_error(status, message, errors=()):
    """RestError as Confluence renders it: data.errors is really an array of
    {message: Message}, although the spec calls it an object."""
    data = {"authorized": status not in (401, 403), "valid": status != 400,
            "allowedInReadOnlyMode": True, "errors": list(errors), "successful": False}
    return {"statusCode": status, "data": data, "message": message,
            "reason": REASONS.get(status, "Error")}


def validation(key, text):
    return {"message": {"key": key, "args": [], "translation": text}}


def sha(pw):
    return hashlib.sha256(pw.encode()).hexdigest()


# -- the request target, as Tomcat sees it -----------------------------------
def split_target(raw):
    """(raw path, raw query) of an origin-form target, or RawError 400."""
    if raw.startswith(("http://", "https://")):
        raw = urllib.parse.urlsplit(raw)._replace(scheme="", netloc="").geturl() or "/"
    for ch in raw:
        if ord(ch) <= 0x20 or ord(ch) >= 0x7f or ch in BAD_TARGET:
            raise RawError(400, "unencoded %r in the request target (Tomcat answers 400)" % ch)
    path, _, query = raw.partition("?")
    if PCT.search(path):
        raise RawError(400, "malformed %-escape in the path (Tomcat answers 400)")
    return path, query


def decode_path(path, notes):
    """Decoded segments. Tomcat drops ';' path parameters before decoding and,
    with ALLOW_ENCODED_SLASH=false, rejects an encoded slash or backslash."""
    segs = []
    for seg in path.split("/")[1:]:
        if ";" in seg:
            notes.append("unencoded ';' in path segment %r: Tomcat drops the path parameter" % seg)
            seg = seg.split(";", 1)[0]
        low = seg.lower()
        if "%2f" in low or "%5c" in low:
            raise RawError(400, "encoded slash or backslash in the path "
                                "(Tomcat ALLOW_ENCODED_SLASH=false)")
        if "%00" in low:
            raise RawError(400, "encoded NUL in the path (Tomcat answers 400)")
        try:
            segs.append(urllib.parse.unquote(seg, errors="strict"))
        except UnicodeDecodeError:
            raise RawError(400, "path segment %r is not UTF-8 (Tomcat answers 400)" % seg)
    return segs


def parse_query(query, notes):
    """[(name, value)] in order; like Tomcat, a parameter that cannot be
    decoded is dropped."""
    out = []
    for part in query.split("&") if query else []:
        if not part:
            continue
        if PCT.search(part):
            notes.append("malformed %%-escape in query parameter %r: Tomcat drops it" % part)
            continue
        k, _, v = part.partition("=")
        try:
            out.append((urllib.parse.unquote_plus(k, errors="strict"),
                        urllib.parse.unquote_plus(v, errors="strict")))
        except UnicodeDecodeError:
            notes.append("query parameter %r is not UTF-8: Tomcat drops it" % part)
    return out


# -- state ---------------------------------------------------------------------
class SortedSet:
    """A sorted list with set operations, so a page is a slice."""

    def __init__(self, items=()):
        self.items = sorted(set(items))

    def add(self, x):
        i = bisect.bisect_left(self.items, x)
        if i == len(self.items) or self.items[i] != x:
            self.items.insert(i, x)

    def discard(self, x):
        i = bisect.bisect_left(self.items, x)
        if i < len(self.items) and self.items[i] == x:
            del self.items[i]

    def __contains__(self, x):
        i = bisect.bisect_left(self.items, x)
        return i < len(self.items) and self.items[i] == x

    def __len__(self):
        return len(self.items)

    def __getitem__(self, s):
        return self.items[s]


class State:
    def __init__(self, fx):
        self.lock = threading.RLock()
        self.users = {u["username"].lower(): {
            "username": u["username"], "userKey": u["userKey"], "displayName": u["displayName"],
            "email": u["email"], "pw": sha(u["password"]), "active": u.get("active", True)}
            for u in fx["users"]}
        self.by_key = {u["userKey"]: u for u in self.users.values()}
        self.user_order = SortedSet(self.users)
        self.groups = {g["name"].lower() for g in fx["groups"]}
        self.group_order = SortedSet(self.groups)
        mine = {u: [] for u in self.users}
        for g in fx["groups"]:
            for m in g["members"]:
                mine[m.lower()].append(g["name"].lower())
        self.members = {g["name"].lower(): SortedSet(m.lower() for m in g["members"])
                        for g in fx["groups"]}
        self.groups_of = {u: SortedSet(gs) for u, gs in mine.items()}
        self.children = {g["name"].lower(): SortedSet(c.lower() for c in g.get("children", []))
                         for g in fx["groups"]}
        self.admin_groups = [g.lower() for g in fx.get("admin_groups", [])]
        self.default_groups = [g.lower() for g in fx.get("default_groups", [])]
        self.spaces = {s["key"]: {k: s[k] for k in ("id", "key", "name", "type", "status")}
                       | {"description": s.get("description", ""), "labels": s.get("labels", [])}
                       for s in fx["spaces"]}
        self.space_order = sorted(self.spaces, key=str.lower)
        self.perms = {s["key"]: {} for s in fx["spaces"]}
        for s in fx["spaces"]:
            for p in s["permissions"]:
                self.perms[s["key"]][(subject_id(p["subject"]), op_of(p["operation"]))] = True
        self.tokens = {t["token"]: t for t in fx.get("tokens", [])}
        settings = fx.get("settings", {})
        self.cfg = {"latency_ms": 0, "inject_429": 0, "retry_after": 1, "inject_503": 0,
                    "max_limit": settings.get("max_limit", 200),
                    "license_limit": settings.get("license_limit", 0),
                    "rate_limit": None, "fail_next": None,
                    # Keys Confluence drops from a space page after cutting
                    # it (as for spaces the caller may not see): a short
                    # page whose next link still skips a whole limit.
                    "hidden_spaces": []}
        self.buckets, self.tasks, self.cache = {}, {}, {}
        self.generation, self.injected = 0, 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": 0, "api_requests": 0, "by_route": {}, "rate_limited": 0,
                      "injected": 0, "auth_failures": 0, "mock_errors": 0, "violations": [],
                      "auth_seen": {}}

    def add_user(self, name, key, display, email, pwhash):
        low = name.lower()
        u = {"username": name, "userKey": key, "displayName": display, "email": email,
             "pw": pwhash, "active": True}
        self.users[low], self.by_key[key] = u, u
        self.user_order.add(low)
        self.groups_of[low] = SortedSet()
        return u

    def join(self, user, group):
        self.members[group].add(user)
        self.groups_of[user].add(group)

    def leave(self, user, group):
        self.members[group].discard(user)
        self.groups_of[user].discard(group)

    def is_admin(self, u):
        mine = self.groups_of[u["username"].lower()]
        return any(g in mine for g in self.admin_groups)

    def active_users(self):
        return self.cached(("active",), lambda: [n for n in self.user_order.items
                                                 if self.users[n]["active"]])

    def cached(self, key, build):
        """A derived listing, rebuilt after a write: rebuilding it for every
        page would make a full sync quadratic."""
        if self.cache.get("gen") != self.generation:
            self.cache = {"gen": self.generation}
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


def subject_id(s):
    t = s.get("type")
    if t == "user":
        return ("user", s["userKey"])
    if t == "group":
        return ("group", s["name"].lower())
    return ("anonymous", "")


def op_of(o):
    return (o["operationKey"], o["targetType"])


# -- the REST API --------------------------------------------------------------
PAGE = frozenset({"expand", "start", "limit"})
SPACE_LIST = frozenset({"spaceKey", "spaceKeys", "spaceIds", "type", "status", "label",
                        "contentLabel", "favourite", "hasRetentionPolicy", "expand", "start",
                        "limit", "spaceKeySingle", "spaceId", "xoauth_requestor_id"})
NONE = frozenset()


class Route:
    def __init__(self, method, template, params, fn, body=False, admin=False):
        self.method, self.template, self.params, self.fn = method, template, params, fn
        self.body, self.admin = body, admin
        self.segs = template.split("/")[1:]
        self.literals = sum(1 for s in self.segs if not s.startswith("{"))
        self.name = method + " " + template

    def match(self, segs):
        if len(segs) != len(self.segs):
            return None
        out = {}
        for t, s in zip(self.segs, segs):
            if t.startswith("{"):
                if s == "":
                    return None
                out[t[1:-1]] = s
            elif t != s:
                return None
        return out


class Call:
    """One request as the handlers see it."""

    def __init__(self, route, path, params, q, user, relpath):
        self.route, self.path, self.path_params, self.q = route, path, params, q
        self.user, self.relpath = user, relpath   # relpath: raw, below the context
        self.body = None

    def one(self, name, default=None):
        v = self.q.get(name)
        return v[0] if v else default


class Api:
    def __init__(self, st, base, context):
        self.st, self.base, self.context = st, base, context
        R = Route
        P, PS = "/rest/api", "/rest/api/space/{spaceKey}/permissions"
        self.routes = [
            R("GET", P + "/user/current", frozenset({"expand"}), self.current),
            R("GET", P + "/user/anonymous", frozenset({"expand"}), self.anonymous),
            R("GET", P + "/user/list", PAGE, self.user_list),
            R("GET", P + "/user", frozenset({"key", "username", "expand"}), self.get_user),
            R("GET", P + "/user/memberof", PAGE | {"key", "username"}, self.memberof),
            R("PUT", P + "/user/{username}/group/{groupName}", NONE, self.join, admin=True),
            R("DELETE", P + "/user/{username}/group/{groupName}", NONE, self.leave, admin=True),
            R("GET", P + "/group", PAGE, self.group_list),
            R("GET", P + "/group/{groupName}", frozenset({"expand"}), self.get_group),
            # getMembers: "You need admin permissions to use this endpoint."
            R("GET", P + "/group/{groupName}/member", PAGE, self.group_members, admin=True),
            R("GET", P + "/group/{groupName}/groupmember", PAGE, self.group_children),
            R("GET", P + "/group/{groupName}/groupparent", PAGE, self.group_parents),
            R("GET", P + "/group/{groupName}/groupancestor", frozenset({"start", "limit"}),
              self.group_ancestors),
            R("POST", P + "/admin/group", NONE, self.create_group, body=True, admin=True),
            R("DELETE", P + "/admin/group/{groupName}", NONE, self.delete_group, admin=True),
            R("POST", P + "/admin/user", NONE, self.create_user, body=True, admin=True),
            R("PUT", P + "/admin/user/{username}", NONE, self.update_user, body=True, admin=True),
            R("DELETE", P + "/admin/user/{username}", NONE, self.delete_user, admin=True),
            R("PUT", P + "/admin/user/{username}/disable", NONE, self.disable, admin=True),
            R("PUT", P + "/admin/user/{username}/enable", NONE, self.enable, admin=True),
            R("POST", P + "/admin/user/{username}/password", NONE, self.set_password, body=True,
              admin=True),
            R("GET", P + "/admin/users/list/active", PAGE, self.active_list, admin=True),
            R("GET", P + "/space", SPACE_LIST, self.space_list),
            R("GET", P + "/space/{spaceKey}", frozenset({"expand", "xoauth_requestor_id"}),
              self.get_space),
            R("GET", PS, NONE, self.space_perms),
            R("POST", PS, NONE, self.set_space_perms, body=True),
            R("GET", PS + "/anonymous", NONE, self.subject_perms),
            R("GET", PS + "/group/{groupName}", NONE, self.subject_perms),
            R("GET", PS + "/user/{userKey}", NONE, self.subject_perms),
            R("PUT", PS + "/anonymous/grant", NONE, self.grant, body=True),
            R("PUT", PS + "/anonymous/revoke", NONE, self.revoke, body=True),
            R("PUT", PS + "/group/{groupName}/grant", NONE, self.grant, body=True),
            R("PUT", PS + "/group/{groupName}/revoke", NONE, self.revoke, body=True),
            R("PUT", PS + "/user/{userKey}/grant", NONE, self.grant, body=True),
            R("PUT", PS + "/user/{userKey}/revoke", NONE, self.revoke, body=True),
            R("GET", P + "/longtask/{id}", frozenset({"expand"}), self.longtask),
            R("GET", P + "/server-information", NONE, self.server_info),
        ]

    def find(self, segs, method, rel):
        """(route, path params, None) or (None, None, ApiError 404/405),
        preferring the template with the most literal segments, as Jersey
        does. Jersey matches after Seraph authenticated, so the error waits."""
        hits = [(r, m) for r in self.routes for m in [r.match(segs)] if m is not None]
        if not hits:
            return None, None, ApiError(404, "Could not find resource for relative : %s" % rel,
                                        violation=removed(rel) or "no such operation")
        best = max(r.literals for r, _ in hits)
        hits = [(r, m) for r, m in hits if r.literals == best]
        for r, m in hits:
            if r.method == method:
                return r, m, None
        allow = ", ".join(sorted({r.method for r, _ in hits}))
        return None, None, ApiError(
            405, "Method %s is not allowed for %s" % (method, hits[0][0].template),
            violation="method %s not allowed (allowed: %s)" % (method, allow), headers={"Allow": allow})

    # -- rendering -----------------------------------------------------------
    def user_view(self, u, expand=()):
        v = {"type": "known", "username": u["username"], "userKey": u["userKey"],
             "profilePicture": {"path": self.context + "/images/icons/profilepics/default.svg",
                                "width": 48, "height": 48, "isDefault": True},
             "displayName": u["displayName"],
             "_links": {"self": self.base + "/rest/api/user?key=" + u["userKey"]},
             "_expandable": {"status": ""}}
        if "status" in expand:
            v["status"] = "active" if u["active"] else "deactivated"
            del v["_expandable"]["status"]
        return v

    def group_view(self, name):
        return {"type": "group", "name": name,
                "_links": {"self": self.base + "/rest/api/group/" + urllib.parse.quote(name, safe="")}}

    def space_view(self, s, expand=()):
        v = {"id": s["id"], "key": s["key"], "name": s["name"], "type": s["type"],
             "status": s["status"],
             "_links": {"webui": "/display/" + urllib.parse.quote(s["key"], safe="~"),
                        "self": self.base + "/rest/api/space/" + urllib.parse.quote(s["key"], safe="~")},
             "_expandable": {"metadata": "", "icon": "", "description": "", "retentionPolicy": "",
                             "homepage": ""}}
        if "description" in expand:
            v["description"] = {"plain": {"value": s["description"], "representation": "plain"}}
            del v["_expandable"]["description"]
        if "icon" in expand:
            v["icon"] = {"path": self.context + "/images/logo/default-space-logo-256.png",
                         "width": 48, "height": 48, "isDefault": True}
            del v["_expandable"]["icon"]
        return v

    def single(self, obj, selfpath):
        """Single objects carry base and context in their root _links."""
        obj.setdefault("_links", {}).update({"base": self.base, "context": self.context})
        obj["_links"]["self"] = self.base + selfpath
        return obj

    def perm_view(self, space, sid, op):
        t, ident = sid
        # Real users come back by userKey only (CONFSERVER-100505), groups by name.
        subj = {"type": t}
        if t == "user":
            subj["userKey"] = ident
        elif t == "group":
            subj["name"] = ident
        return {"operation": {"targetType": op[1], "operationKey": op[0]}, "subject": subj,
                "spaceKey": space["key"], "spaceId": space["id"]}

    # -- paging ----------------------------------------------------------------
    def int_param(self, c, name, default):
        v = c.one(name)
        if v is None:
            return default
        n = int(v) if JAVA_INT.fullmatch(v) else None
        if n is None or not INT32[0] <= n <= INT32[1]:
            # JAX-RS: a @QueryParam that cannot be converted is a 404.
            raise ApiError(404, "null for uri: %s" % c.path,
                           violation="%s=%r is not an int32 (JAX-RS answers 404)" % (name, v))
        return n

    def page(self, c, items, view, default, keep=None):
        start = self.int_param(c, "start", 0)
        limit = self.int_param(c, "limit", default)
        if start < 0 or limit < 0:
            raise ApiError(400, "start and limit must be non-negative",
                           violation="negative start or limit")
        if limit == 0:
            # Confluence answers an empty page whose next link repeats itself.
            self.note(c, "limit=0: the next link never advances")
        limit = min(limit, self.st.cfg["max_limit"])
        chunk = items[start:start + limit]
        others = [(k, v) for k, vs in c.q.items() if k not in ("start", "limit") for v in vs]
        links = {"self": self.base + c.relpath + qs(others), "base": self.base,
                 "context": self.context}
        if start + limit < len(items):
            links["next"] = c.relpath + qs(others + [("limit", limit), ("start", start + limit)])
        if start > 0:
            links["prev"] = c.relpath + qs(others + [("limit", limit),
                                                     ("start", max(0, start - limit))])
        results = [view(x) for x in chunk if keep is None or keep(x)]
        return 200, {"results": results, "start": start, "limit": limit, "size": len(results),
                     "_links": links}

    def note(self, c, text):
        self.st.stats["violations"].append("%s %s: %s" % (c.route.method, c.path, text))

    def expand(self, c):
        return {e.strip() for e in (c.one("expand") or "").split(",") if e.strip()}

    # -- lookups -----------------------------------------------------------------
    def user_by_name(self, name):
        u = self.st.users.get(name.lower())
        if u is None:
            raise ApiError(404, "No user found with username: %s" % name)
        return u

    def user_by_key(self, key):
        u = self.st.by_key.get(key)
        if u is None:
            raise ApiError(404, "No user found with key: %s" % key)
        return u

    def user_from_query(self, c):
        key, name = c.one("key"), c.one("username")
        if (key is None) == (name is None):
            raise ApiError(400, "Exactly one of key or username must be provided",
                           violation="needs exactly one of key= or username=")
        return self.user_by_key(key) if key is not None else self.user_by_name(name)

    def group(self, name):
        if name.lower() not in self.st.groups:
            raise ApiError(404, "Group not found: %s" % name)
        return name.lower()

    def space(self, c, key):
        s = self.st.spaces.get(key)
        if s is None or not self.can_view(c.user, key):
            raise ApiError(404, "No space with key : %s" % key)
        return s

    def can_view(self, u, key):
        return self.st.is_admin(u) or self.holds(u, key, ("read", "space"))

    def holds(self, u, key, op):
        p = self.st.perms[key]
        if (("user", u["userKey"]), op) in p or (("anonymous", ""), op) in p:
            return True
        return any((("group", g), op) in p for g in self.st.groups_of[u["username"].lower()])

    def space_admin(self, c, key):
        s = self.space(c, key)
        if not (self.st.is_admin(c.user) or self.holds(c.user, key, ("administer", "space"))):
            raise ApiError(403, "User %s is not permitted to manage permissions of space %s"
                           % (c.user["username"], key))
        return s

    # -- users -------------------------------------------------------------------
    def current(self, c):
        return 200, self.single(self.user_view(c.user, self.expand(c)), "/rest/api/user/current")

    def anonymous(self, c):
        return 200, self.single({"type": "anonymous", "profilePicture": {
            "path": self.context + "/images/icons/profilepics/anonymous.svg", "width": 48,
            "height": 48, "isDefault": True}, "displayName": "Anonymous"}, "/rest/api/user/anonymous")

    def user_list(self, c):
        ex = self.expand(c)
        return self.page(c, self.st.user_order, lambda n: self.user_view(self.st.users[n], ex), 100)

    def active_list(self, c):
        ex = self.expand(c)
        return self.page(c, self.st.active_users(), lambda n: self.user_view(self.st.users[n], ex), 100)

    def get_user(self, c):
        u = self.user_from_query(c)
        return 200, self.single(self.user_view(u, self.expand(c)), "/rest/api/user?key=" + u["userKey"])

    def memberof(self, c):
        u = self.user_from_query(c)
        return self.page(c, self.st.groups_of[u["username"].lower()], self.group_view, 200)

    def join(self, c):
        u, g = self.user_by_name(c.path_params["username"]), self.group(c.path_params["groupName"])
        self.st.join(u["username"].lower(), g)
        return 204, None

    def leave(self, c):
        u, g = self.user_by_name(c.path_params["username"]), self.group(c.path_params["groupName"])
        self.st.leave(u["username"].lower(), g)
        return 204, None

    # -- groups ------------------------------------------------------------------
    def group_list(self, c):
        return self.page(c, self.st.group_order, self.group_view, 200)

    def get_group(self, c):
        g = self.group(c.path_params["groupName"])
        return 200, self.single(self.group_view(g), "/rest/api/group/" + urllib.parse.quote(g, safe=""))

    def group_members(self, c):
        g = self.group(c.path_params["groupName"])
        ex = self.expand(c)
        return self.page(c, self.st.members[g], lambda n: self.user_view(self.st.users[n], ex), 200)

    def group_children(self, c):
        g = self.group(c.path_params["groupName"])
        return self.page(c, self.st.children[g], self.group_view, 200)

    def parents_of(self, g):
        return sorted(p for p, ch in self.st.children.items() if g in ch)

    def group_parents(self, c):
        g = self.group(c.path_params["groupName"])
        parents = self.st.cached(("parents", g), lambda: self.parents_of(g))
        return self.page(c, parents, self.group_view, 200)

    def group_ancestors(self, c):
        g = self.group(c.path_params["groupName"])

        def build():
            seen, todo = set(), [g]
            while todo:
                for p in self.parents_of(todo.pop()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            return sorted(seen)
        return self.page(c, self.st.cached(("ancestors", g), build), self.group_view, 200)

    def create_group(self, c):
        body = self.obj_body(c, {"name": str, "type": str})
        name = (body.get("name") or "").strip()
        if not name:
            raise ApiError(400, "Group name is required", violation="Group without a name")
        low = name.lower()      # Confluence stores group names in lower case
        if low in self.st.groups:
            raise ApiError(409, "Group already exists: %s" % low)
        self.st.groups.add(low)
        self.st.group_order.add(low)
        self.st.members[low], self.st.children[low] = SortedSet(), SortedSet()
        return 200, self.single(self.group_view(low),
                                "/rest/api/group/" + urllib.parse.quote(low, safe=""))

    def delete_group(self, c):
        g = self.group(c.path_params["groupName"])
        if g in self.st.admin_groups and len(self.st.admin_groups) == 1:
            raise ApiError(400, "Cannot delete the last administrators group: %s" % g)
        for u in list(self.st.members[g]):
            self.st.leave(u, g)
        for ch in self.st.children.values():
            ch.discard(g)
        del self.st.members[g], self.st.children[g]
        self.st.groups.discard(g)
        self.st.group_order.discard(g)
        for p in self.st.perms.values():
            for k in [k for k in p if k[0] == ("group", g)]:
                del p[k]
        return 204, None

    # -- user administration ----------------------------------------------------
    def create_user(self, c):
        b = self.obj_body(c, {"userName": str, "fullName": str, "email": str, "password": str,
                              "notifyViaEmail": bool})
        self.required(b, ("userName", "fullName", "email"))
        errs = user_errors(b)
        if errs:
            raise ApiError(400, errs[0][1], errors=[validation(k, t) for k, t in errs])
        if b["userName"] in self.st.users:
            raise ApiError(409, "A user with username %s already exists" % b["userName"])
        seats = self.st.cfg["license_limit"]
        if seats and len(self.st.active_users()) >= seats:
            raise ApiError(402, "No more licenses available to create a user")
        key = hashlib.md5(("userkey:" + b["userName"]).encode()).hexdigest()
        while key in self.st.by_key:
            key = hashlib.md5(key.encode()).hexdigest()
        pw = b.get("password") or os.urandom(16).hex()   # notifyViaEmail: user sets it later
        self.st.add_user(b["userName"], key, b["fullName"], b["email"], sha(pw))
        for g in self.st.default_groups:
            if g in self.st.groups:
                self.st.join(b["userName"], g)
        return 201, {"userKey": key}

    def update_user(self, c):
        u = self.user_by_name(c.path_params["username"])
        b = self.obj_body(c, {"fullName": str, "email": str, "currentPassword": str})
        self.required(b, ("fullName", "email"))
        errs = name_errors(b.get("fullName"), "fullName") + email_errors(b.get("email"))
        if errs:
            raise ApiError(400, errs[0][1], errors=[validation(k, t) for k, t in errs])
        u["displayName"], u["email"] = b["fullName"], b["email"]
        return 204, None

    def delete_user(self, c):
        u = self.user_by_name(c.path_params["username"])
        low = u["username"].lower()
        for g in list(self.st.groups_of[low]):
            self.st.leave(low, g)
        for p in self.st.perms.values():
            for k in [k for k in p if k[0] == ("user", u["userKey"])]:
                del p[k]
        del self.st.users[low], self.st.by_key[u["userKey"]], self.st.groups_of[low]
        self.st.user_order.discard(low)
        # The removal is a long task; this one has already finished.
        tid = hashlib.md5(("task:" + u["userKey"]).encode()).hexdigest()[:16]
        self.st.tasks[tid] = {"id": tid, "name": {"key": "com.atlassian.confluence.user.remove",
                                                  "args": []},
                              "elapsedTime": 0, "percentageComplete": 100, "successful": True,
                              "messages": []}
        return 202, {"id": tid, "links": {"status": self.base + "/rest/api/longtask/" + tid}}

    def disable(self, c):
        self.user_by_name(c.path_params["username"])["active"] = False
        return 204, None

    def enable(self, c):
        self.user_by_name(c.path_params["username"])["active"] = True
        return 204, None

    def set_password(self, c):
        u = self.user_by_name(c.path_params["username"])
        b = self.obj_body(c, {"password": str})
        self.required(b, ("password",))
        if not (b.get("password") or "").strip():
            raise ApiError(400, "The new password should not be null or blank")
        u["pw"] = sha(b["password"])
        return 204, None

    def longtask(self, c):
        t = self.st.tasks.get(c.path_params["id"])
        if t is None:
            raise ApiError(404, "No long running task with id: %s" % c.path_params["id"])
        return 200, self.single(dict(t), "/rest/api/longtask/" + t["id"])

    def server_info(self, c):
        return 200, {"baseUrl": self.base, "version": "10.0.3", "buildNumber": 10003,
                     "buildDate": "2025-07-01T00:00:00.000Z"}

    # -- spaces ------------------------------------------------------------------
    def space_filter(self, c):
        keys = set(c.q.get("spaceKey", []) + c.q.get("spaceKeySingle", []))
        keys |= {k for v in c.q.get("spaceKeys", []) for k in v.split(",") if k}
        ids = set(c.q.get("spaceId", []))
        ids |= {i for v in c.q.get("spaceIds", []) for i in v.split(",") if i}
        if keys and ids:
            raise ApiError(400, "spaceIds cannot be used in conjunction with spaceKey(s)",
                           violation="spaceId(s) together with spaceKey(s)")
        kind, status = c.one("type"), c.one("status")
        if kind not in (None, "global", "personal"):
            raise ApiError(400, "Invalid space type: %s" % kind, violation="type=%r" % kind)
        if status not in (None, "current", "archived"):
            raise ApiError(400, "Invalid space status: %s" % status, violation="status=%r" % status)
        labels = set(c.q.get("label", []))
        # No content in this mock carries labels, nobody has favourites and
        # no space has a retention policy.
        nothing = bool(c.q.get("contentLabel")) or c.one("favourite") == "true" \
            or c.one("hasRetentionPolicy") == "true"
        return (tuple(sorted(keys)), tuple(sorted(ids)), kind, status, tuple(sorted(labels)), nothing)

    def space_list(self, c):
        f = self.space_filter(c)
        viewer = "*" if self.st.is_admin(c.user) else c.user["userKey"]
        items = self.st.cached(("spaces", viewer) + f, lambda: self.spaces_for(c.user, *f))
        ex = self.expand(c)
        hidden = set(self.st.cfg["hidden_spaces"])
        return self.page(c, items, lambda k: self.space_view(self.st.spaces[k], ex), 25,
                         keep=(lambda k: k not in hidden) if hidden else None)

    def spaces_for(self, u, keys, ids, kind, status, labels, nothing):
        if nothing:
            return []
        out = []
        for k in self.st.space_order:
            s = self.st.spaces[k]
            if ((keys and k not in keys) or (ids and str(s["id"]) not in ids)
                    or (kind and s["type"] != kind) or (status and s["status"] != status)
                    or (labels and not labels & set(s["labels"])) or not self.can_view(u, k)):
                continue
            out.append(k)
        return out

    def get_space(self, c):
        s = self.space(c, c.path_params["spaceKey"])
        return 200, self.single(self.space_view(s, self.expand(c)),
                                "/rest/api/space/" + urllib.parse.quote(s["key"], safe="~"))

    def space_perms(self, c):
        s = self.space_admin(c, c.path_params["spaceKey"])
        return 200, [self.perm_view(s, sid, op) for sid, op in self.st.perms[s["key"]]]

    def subject_of(self, c):
        """The subject a .../permissions/{anonymous|group/..|user/..} path names."""
        if "userKey" in c.path_params:
            return ("user", self.user_by_key(c.path_params["userKey"])["userKey"])
        if "groupName" in c.path_params:
            return ("group", self.group(c.path_params["groupName"]))
        return ("anonymous", "")

    def subject_perms(self, c):
        s = self.space_admin(c, c.path_params["spaceKey"])
        sid = self.subject_of(c)
        return 200, [self.perm_view(s, k, op) for k, op in self.st.perms[s["key"]] if k == sid]

    def ops_body(self, c, body):
        """[OperationDescription], each one of the supported pairs."""
        if not isinstance(body, list):
            raise ApiError(400, "Request body must be a list of operations",
                           violation="operations are not an array of OperationDescription")
        ops = []
        for o in body:
            op = (o.get("operationKey"), o.get("targetType")) if isinstance(o, dict) else None
            if op not in SPACE_OPS:
                raise ApiError(400, "Operation %r is not a valid space permission" % (op,),
                               violation="unsupported space operation %r" % (op,))
            extra = set(o) - {"operationKey", "targetType"}
            if extra:
                self.note(c, "unknown fields %s in OperationDescription" % sorted(extra))
            ops.append(op)
        return ops

    def grant(self, c):
        s = self.space_admin(c, c.path_params["spaceKey"])
        sid, ops = self.subject_of(c), self.ops_body(c, c.body)
        for op in ops:
            self.st.perms[s["key"]][(sid, op)] = True
        return 204, None

    def revoke(self, c):
        s = self.space_admin(c, c.path_params["spaceKey"])
        sid, ops = self.subject_of(c), self.ops_body(c, c.body)
        for op in ops:
            self.st.perms[s["key"]].pop((sid, op), None)
        return 204, None

    def set_space_perms(self, c):
        """setPermissions_1: each listed subject ends with exactly the listed
        operations; subjects not listed keep theirs. All or nothing."""
        s = self.space_admin(c, c.path_params["spaceKey"])
        if not isinstance(c.body, list):
            raise ApiError(400, "Request body must be a list", violation="body is not an array")
        if len(c.body) > 40:
            raise ApiError(400, "Maximum 40 different users/groups/anonymous user could be passed")
        plan = []
        for item in c.body:
            plan.append(self.subject_item(c, item))
        p = self.st.perms[s["key"]]
        for sid, ops in plan:
            for k in [k for k in p if k[0] == sid]:
                del p[k]
            for op in ops:
                p[(sid, op)] = True
        return 200, None

    def subject_item(self, c, item):
        if not isinstance(item, dict) or not isinstance(item.get("operations"), list):
            raise ApiError(400, "Each entry needs an operations list",
                           violation="SpacePermissionsForSubject without operations")
        extra = set(item) - {"userKey", "groupName", "operations"}
        if extra:
            self.note(c, "unknown fields %s in SpacePermissionsForSubject" % sorted(extra))
        if "userKey" in item and "groupName" in item:
            raise ApiError(400, "Only one of userKey or groupName may be given",
                           violation="both userKey and groupName in one entry")
        if "userKey" in item:
            sid = ("user", self.user_by_key(str(item["userKey"]))["userKey"])
        elif "groupName" in item:
            sid = ("group", self.group(str(item["groupName"])))
        else:
            sid = ("anonymous", "")
        return sid, self.ops_body(c, item["operations"])

    # -- bodies --------------------------------------------------------------------
    def required(self, b, names):
        missing = [n for n in names if b.get(n) is None]
        if missing:
            raise ApiError(400, "The %s should not be null or blank" % missing[0],
                           violation="required field(s) %s missing" % missing,
                           errors=[validation(n + ".blank", "%s is required" % n) for n in missing])

    def obj_body(self, c, fields):
        """A JSON object whose known fields have the declared types."""
        b = c.body
        if not isinstance(b, dict):
            raise ApiError(400, "Request body must be a JSON object", violation="body is not an object")
        for k, t in fields.items():
            if k in b and b[k] is not None and not isinstance(b[k], t):
                raise ApiError(400, "Field %s has the wrong type" % k,
                               violation="field %s is not a %s" % (k, t.__name__))
        extra = set(b) - set(fields)
        if extra:
            # Confluence ignores unknown properties; a typo here is still a bug.
            self.note(c, "unknown fields %s in body" % sorted(extra))
        return b


def name_errors(v, field):
    if v is None or not str(v).strip():
        return [("%s.blank" % field, "The %s should not be null or blank" % field)]
    if "<" in v or ">" in v:
        return [("%s.invalid" % field, "The %s should not contain < or >" % field)]
    if v.strip().lower() == "anonymous":
        return [("%s.reserved" % field, "The %s should not be \"anonymous\"" % field)]
    return []


def email_errors(v):
    if v is None or not v.strip():
        return [("email.blank", "The email should not be null or blank")]
    if not EMAIL.match(v):
        return [("email.invalid", "The email should be a valid email address")]
    return []


def user_errors(b):
    """The createUser requirements, in the order the spec lists them."""
    errs, name = [], b.get("userName")
    if name is None or not name.strip():
        errs.append(("userName.blank", "The userName should not be null or blank"))
    elif BAD_USERNAME & set(name):
        errs.append(("userName.invalid",
                     "The userName should not contain any of these characters \\ , + < > ' \""))
    elif any(ch.isspace() for ch in name):
        errs.append(("userName.whitespace", "The userName should not contain any whitespace characters"))
    elif name == "anonymous":
        errs.append(("userName.reserved", "The userName should not be \"anonymous\""))
    elif name != name.lower():
        errs.append(("userName.uppercase", "The userName should not contain any upper case characters"))
    errs += name_errors(b.get("fullName"), "fullName") + email_errors(b.get("email"))
    notify, pw = b.get("notifyViaEmail") is True, b.get("password")
    if notify and pw is not None:
        errs.append(("password.specified",
                     "If notifyViaEmail is true then the password should not be specified"))
    if not notify and not (pw or "").strip():
        errs.append(("password.blank",
                     "If notifyViaEmail is false then the password should not be null or blank"))
    return errs


def qs(pairs):
    return ("?" + urllib.parse.urlencode([(k, str(v)) for k, v in pairs], quote_via=urllib.parse.quote)
            if pairs else "")


# -- HTTP --------------------------------------------------------------------------
class Handler(mocklib.Handler):
    protocol_version = "HTTP/1.1"
    server_version = "ConfluenceMock"

    def log_message(self, *a):
        pass

    def version_string(self):
        return self.server_version

    def send_error(self, code, message=None, explain=None):
        # A request line Python cannot parse (e.g. a raw space): Tomcat 400s too.
        st = self.server.state
        with st.lock:
            st.stats["requests"] += 1
            st.stats["violations"].append("unparsable request line %r: %s" % (
                getattr(self, "requestline", ""), message))
        self.close_connection = True
        self.write(code, {"Connection": "close"}, "text/html;charset=utf-8", tomcat_page(code))

    def write(self, status, headers, ctype, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if ctype:
            self.send_header("Content-Type", ctype)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        st = self.server.state
        raw = self.read_body()
        if self.path.startswith("/__mock/"):
            with st.lock:
                st.stats["requests"] += 1
                out = self.control(self.path.split("?")[0], raw)
            return self.write(*out)
        notes = []
        try:
            parsed = self.parse(notes)
        except RawError as e:
            with st.lock:
                st.stats["requests"] += 1
                st.stats["api_requests"] += 1
                st.stats["violations"].append("%s %s: %s" % (self.command, self.path, e.violation))
            return self.write(e.status, {}, e.ctype, e.body)
        with st.lock:
            st.stats["requests"] += 1
            st.stats["api_requests"] += 1
            for n in notes:
                st.stats["violations"].append("%s %s: %s" % (self.command, self.path, n))
            out = self.api_call(parsed, raw)
        self.hold(st.cfg["latency_ms"])
        self.write(*out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

    def parse(self, notes):
        """(decoded segments below the context, raw relative path, query
        pairs) or RawError, before any authentication, as Tomcat does."""
        if self.request_version == "HTTP/1.1" and "Host" not in self.headers:
            raise RawError(400, "HTTP/1.1 request without Host")
        path, query = split_target(self.path)
        ctx = self.server.api.context
        if ctx and path != ctx and not path.startswith(ctx + "/"):
            raise RawError(404, "outside the context path %s" % ctx)
        rel = path[len(ctx):] or "/"
        segs = decode_path(rel, notes)
        if len(segs) > 1 and segs[-1] == "":
            segs, rel = segs[:-1], rel[:-1]         # Jersey ignores one trailing slash
        return segs, re.sub(r";[^/]*", "", rel), parse_query(query, notes)

    def api_call(self, parsed, raw):
        st, api = self.server.state, self.server.api
        segs, rel, pairs = parsed
        headers = {}
        try:
            route, params, miss = api.find(segs, self.command, rel)
            if route is not None:
                st.stats["by_route"][route.name] = st.stats["by_route"].get(route.name, 0) + 1
            user = self.authenticate(route.template if route else "unknown")
            headers = self.rate_limit(user)
            self.faults(route, headers)
            if miss:
                raise miss
            c = Call(route, self.path.split("?")[0], params, self.query(route, pairs), user, rel)
            self.check_media(route)
            c.body = self.json_body(route, raw)
            if route.admin and not st.is_admin(user):
                raise ApiError(403, "User %s does not have permission to use this resource"
                               % user["username"])
            status, obj = route.fn(c)
            if self.command != "GET":
                st.generation += 1
        except ApiError as e:
            if e.violation:
                st.stats["violations"].append("%s %s: %s" % (self.command, self.path, e.violation))
            return e.status, {**headers, **e.headers}, CT_JSON, json_bytes(
                rest_error(e.status, e.message, e.errors))
        except RawError as e:
            st.stats["violations"].append("%s %s: %s" % (self.command, self.path, e.violation))
            return e.status, headers, e.ctype, e.body
        except Exception as e:      # a bug in the mock must show, not hang the client
            st.stats["mock_errors"] += 1
            return 500, headers, CT_JSON, json_bytes(rest_error(500, "mock error: %r" % e))
        if status == 204:
            return 204, headers, None, None     # no Content-Length on a 204 (RFC 9110)
        if obj is None:
            return status, headers, None, b""   # Jersey's Response.ok().build()
        return status, headers, CT_JSON, json_bytes(obj)

    def query(self, route, pairs):
        q = {}
        for k, v in pairs:
            q.setdefault(k, []).append(v)
        unknown = sorted(set(q) - route.params)
        if unknown:
            raise ApiError(400, "Unknown query parameter(s): %s" % ", ".join(unknown),
                           violation="query parameter(s) %s not declared for %s" % (unknown, route.name))
        return q

    def check_media(self, route):
        accept = self.headers.get("Accept")
        if accept and not ACCEPT_JSON.search(accept):
            raise ApiError(406, "Not Acceptable: %s" % accept, violation="Accept %r" % accept)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        # Atlassian REST's XSRF filter: a mutating request in a type a browser
        # form can send needs the token, whether or not the resource reads a body.
        if self.command not in ("GET", "HEAD", "OPTIONS") and ctype in XSRF_TYPES \
                and self.headers.get("X-Atlassian-Token", "").lower() != "no-check":
            raise RawError(403, "Content-Type %r without X-Atlassian-Token: no-check" % ctype,
                           "text/plain;charset=UTF-8", b"XSRF check failed")
        if route.body and ctype != "application/json":
            raise ApiError(415, "Unsupported Media Type: %s" % (ctype or "none"),
                           violation="Content-Type %r, not application/json" % ctype)

    def json_body(self, route, raw):
        if not route.body:
            return None
        if not raw.strip():
            raise ApiError(400, "A request body is required", violation="empty body")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ApiError(400, "Malformed JSON: %s" % e, violation="malformed JSON body")

    # -- authentication and rate limits --------------------------------------------
    def authenticate(self, route_name):
        st = self.server.state
        h = self.headers.get("Authorization", "")
        scheme, _, cred = h.partition(" ")
        kind = scheme.lower()
        if kind not in ("bearer", "basic"):
            kind = "other" if h else "none"
        seen = st.stats["auth_seen"].setdefault(route_name, {})
        seen[kind] = seen.get(kind, 0) + 1
        user = None
        if kind == "bearer":
            t = st.tokens.get(cred.strip())
            u = st.users.get(t["username"].lower()) if t and not t.get("expired") else None
            user = u if u and u["active"] else None
        elif kind == "basic":
            user = basic_user(st, cred.strip())
        if user is None:
            st.stats["auth_failures"] += 1
            hdr = {"WWW-Authenticate": 'Basic realm="Confluence"'}
            if kind == "basic":
                hdr["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            raise ApiError(401, "This request requires authentication", headers=hdr)
        return user

    def rate_limit(self, user):
        """Confluence's per-user token bucket: a batch of fill_rate tokens
        every interval_seconds, up to capacity; one token per request."""
        st = self.server.state
        rl = st.cfg["rate_limit"]
        if not rl:
            return {}
        cap, fill, every = rl["capacity"], rl["fill_rate"], rl["interval_seconds"]
        now = time.monotonic()
        b = st.buckets.setdefault(user["userKey"], {"tokens": cap, "t": now})
        n = int((now - b["t"]) // every)
        if n:
            b["tokens"], b["t"] = min(cap, b["tokens"] + n * fill), b["t"] + n * every
        wait = max(1, math.ceil(b["t"] + every - now))
        h = {"X-RateLimit-Limit": str(cap), "X-RateLimit-Interval-Seconds": str(every),
             "X-RateLimit-FillRate": str(fill)}
        if b["tokens"] < 1:
            st.stats["rate_limited"] += 1
            h.update({"X-RateLimit-Remaining": "0", "Retry-After": str(wait)})
            raise ApiError(429, "Rate limit exceeded", headers=h)
        b["tokens"] -= 1
        h.update({"X-RateLimit-Remaining": str(int(b["tokens"])), "Retry-After": "0"})
        return h

    def faults(self, route, limits):
        """The injected failures; an injected 429 looks like the limiter's
        (its configured headers, or plausible ones while it is off)."""
        st = self.server.state
        cfg = st.cfg
        st.injected += 1
        ra = {"Retry-After": str(cfg["retry_after"])}
        if cfg["inject_429"] and st.injected % cfg["inject_429"] == 0:
            st.stats["rate_limited"] += 1
            st.stats["injected"] += 1
            h = dict({"X-RateLimit-Limit": "100", "X-RateLimit-Interval-Seconds": "1",
                      "X-RateLimit-FillRate": "10"}, **limits)
            h.update(ra, **{"X-RateLimit-Remaining": "0"})
            raise ApiError(429, "Rate limit exceeded", headers=h)
        if cfg["inject_503"] and st.injected % cfg["inject_503"] == 0:
            st.stats["injected"] += 1
            raise ApiError(503, "Service Unavailable", headers=ra)
        fn = cfg["fail_next"]
        if fn and route is not None and fn.get("route") == route.name and fn.get("count", 1) > 0:
            fn["count"] = fn.get("count", 1) - 1
            st.stats["injected"] += 1
            raise ApiError(fn.get("status", 500), fn.get("message", "Injected failure"))

    # -- control -------------------------------------------------------------------
    def control(self, path, raw):
        st = self.server.state
        if path == "/__mock/stats":
            return 200, {}, "application/json", json_bytes(dict(st.stats, late=mocklib.Handler.late))
        if path == "/__mock/state":
            return 200, {}, "application/json", json_bytes(state_view(st))
        if path == "/__mock/reset-stats" and self.command == "POST":
            st.reset_stats()
            return 200, {}, "application/json", b"{}"
        try:
            doc = json.loads(raw or b"{}")
        except ValueError:
            return 400, {}, "application/json", json_bytes({"error": "malformed JSON"})
        if path == "/__mock/config" and self.command == "POST" and isinstance(doc, dict):
            bad = config_errors(doc, st.cfg)
            if bad:
                return 400, {}, "application/json", json_bytes({"error": bad})
            st.cfg.update(doc)
            st.buckets = {}
            return 200, {}, "application/json", json_bytes(st.cfg)
        if path == "/__mock/login" and self.command == "POST" and isinstance(doc, dict):
            u = st.users.get(str(doc.get("username", "")).lower())
            pw = sha(str(doc.get("password", "")))
            ok = u is not None and u["active"] and hmac.compare_digest(u["pw"], pw)
            return (200 if ok else 401), {}, "application/json", json_bytes({"ok": ok})
        return 404, {}, "application/json", json_bytes({"error": "no control endpoint %s" % path})


def config_errors(doc, cfg):
    unknown = sorted(set(doc) - set(cfg))
    if unknown:
        return "unknown knobs %s" % unknown
    ints = [k for k in ("latency_ms", "inject_429", "retry_after", "inject_503", "max_limit",
                        "license_limit") if k in doc and not (isinstance(doc[k], int) and doc[k] >= 0)]
    if ints or doc.get("max_limit") == 0:
        return "%s must be non-negative integers (max_limit > 0)" % (ints or ["max_limit"])
    hs = doc.get("hidden_spaces")
    if hs is not None and not (isinstance(hs, list) and all(isinstance(k, str) for k in hs)):
        return "hidden_spaces must be a list of space keys"
    rl = doc.get("rate_limit")
    if rl and not (isinstance(rl, dict) and all(isinstance(rl.get(k), (int, float)) and rl[k] > 0
                                                for k in ("capacity", "fill_rate", "interval_seconds"))):
        return "rate_limit needs positive capacity, fill_rate and interval_seconds, or null"
    fn = doc.get("fail_next")
    if fn and not (isinstance(fn, dict) and isinstance(fn.get("route"), str)):
        return "fail_next needs {route: \"METHOD /rest/api/...\", status, count}"
    return None


def basic_user(st, cred):
    try:
        name, _, pw = base64.b64decode(cred, validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    u = st.users.get(name.lower())
    if u is None or not u["active"] or not hmac.compare_digest(u["pw"], sha(pw)):
        return None
    return u


def removed(rel):
    """Endpoints a client may still know but Confluence 9+ no longer serves."""
    if rel.startswith("/rpc/"):
        return "XML-RPC / JSON-RPC (%s) was removed in Confluence 9.0" % rel
    if rel.startswith("/rest/prototype/"):
        return "the prototype REST API was removed"
    return None


def json_bytes(obj):
    # Jackson writes compact JSON in raw UTF-8, not \\u escapes.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def state_view(st):
    """Everything a test needs to compute the expected grants."""
    users = [{"username": u["username"], "userKey": u["userKey"], "displayName": u["displayName"],
              "email": u["email"], "active": u["active"], "admin": st.is_admin(u),
              "groups": list(st.groups_of[n])} for n in st.user_order for u in [st.users[n]]]
    groups = [{"name": g, "members": [st.users[m]["username"] for m in st.members[g]],
               "children": list(st.children[g])} for g in st.group_order]
    spaces = []
    for k in st.space_order:
        s = st.spaces[k]
        perms = []
        for (t, ident), op in st.perms[k]:
            p = {"type": t, "operationKey": op[0], "targetType": op[1]}
            if t == "user":
                p.update(userKey=ident, username=st.by_key[ident]["username"])
            elif t == "group":
                p["name"] = ident
            perms.append(p)
        spaces.append(dict(s, permissions=perms))
    return {"users": users, "groups": groups, "spaces": spaces, "config": st.cfg}


def main():
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--context", default="/confluence")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--max-limit", type=int)
    a = ap.parse_args()
    ctx = a.context.rstrip("/")
    if ctx and not ctx.startswith("/"):
        sys.exit("confluence mock: --context must start with '/' or be empty")
    with open(a.fixture, encoding="utf-8") as f:
        st = State(json.load(f))
    st.cfg["latency_ms"] = a.latency_ms
    if a.max_limit:
        st.cfg["max_limit"] = a.max_limit

    def setup(srv):
        host = srv.server_address[0]
        host = "[%s]" % host if ":" in host else host
        srv.state = st
        srv.api = Api(st, "https://%s:%d%s" % (host, srv.server_address[1], ctx), ctx)

    mocklib.serve("confluence", a, Handler, setup=setup)


if __name__ == "__main__":
    main()
