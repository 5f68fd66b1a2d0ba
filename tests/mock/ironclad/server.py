#!/usr/bin/env python3
"""Stateful mock of Ironclad's OAuth 2.0 token endpoint and SCIM v2 API, on
loopback TLS. https://127.0.0.1:PORT stands for https://na1.ironcladapp.com;
paths are the specs' servers + paths (/oauth + /token, /scim/v2 + /Users).

  POST /oauth/token                        client_credentials (JSON or form body,
                                           HTTP Basic or client_id/client_secret in the body)
  GET|POST /scim/v2/Users                  list (startIndex, count, filter, excludedAttributes) / create
  GET|PATCH|PUT|DELETE /scim/v2/Users/{userId}
  GET|POST /scim/v2/Groups                 list / create
  GET|PATCH|PUT|DELETE /scim/v2/Groups/{groupId}
  GET /scim/v2/Schemas, GET /scim/v2/Schemas/{schemaId}

Test control (no auth, no latency, no rate limit): GET /__mock/stats,
GET /__mock/state, POST /__mock/config {knobs}, POST /__mock/reset-stats,
POST /__mock/login {userName, password} -> 200 {"ok": true} or 401 (proves
which password was stored; passwords are kept salted and hashed only).

Knobs (POST /__mock/config; unknown ones are refused): latency_ms,
inject_429 / inject_500 (every Nth API request), retry_after (seconds or an
HTTP-date; 0: no Retry-After), expires_in, token_limit_per_min (per client;
0: none), scope_mode intersect|strict, rate_scale (x every per-minute
budget; refills the buckets), rate_enforce, saml, items_per_page
returned|count, page_cap (serve at most N per page), group_patch_status
200|204, response_media_type application/json|application/scim+json,
omit_empty_resources (no Resources when totalResults is 0); and
the actions revoke_tokens, rate_reset.
Stats beyond the house set: rate_limited_by_class, rate_would_limit_by_class
(what rate_enforce false let through), injected_429/500, acting_users,
tokens_issued, token_requests, tokens_by_client, token_content_types,
inflight_peak, violation_count and (at read) rate_tokens_left.

What it checks like Ironclad: opaque Bearer tokens that expire, the scope each
operation's description names ("OAuth Scope required"), the acting-user
headers x-as-user-email / x-as-user-id, the UserCreateRequestBody password
rules, 1-based startIndex and count 0..1000, RFC 7644 filters, PatchOp,
the SCIM Error envelope and the per-account per-minute rate limits (token
buckets). Every request that breaks the specs' contract is answered as the
vendor would and listed in stats["violations"].

Choices where the specs are silent (the report to the lead lists them too):
- no acting-user header: 400; a header naming no user, or a non-admin: 403;
- an unknown query parameter, count > 1000, startIndex < 1: 400 invalidValue;
- a request body must be application/json (the only type the spec declares);
  application/scim+json (RFC 7644 §8.1) is served but recorded as a violation;
- unknown body attributes: 400 with the spec's "No matching schema for
  attribute" message; read-only ones (id, meta, provider) are ignored;
- POST /Users with active:false: 400 (a user cannot be created removed);
- PATCH paths are required (the spec marks path required, unlike RFC 7644);
- PATCH /Groups: op add|remove only (the spec), on path members only;
  remove members[value eq "x"] of a non-member: 400 noTarget (RFC 7644
  §3.12), not a violation (it depends on state);
- token scope: granted = requested ∩ allowed; none left: 400 invalid_scope;
  no scope requested: every allowed scope, and no "scope" in the answer;
- 429 bodies: SCIM Error (SCIM) or {error, error_description} (OAuth);
  Retry-After is sent only when the retry_after knob is set (undocumented);
- 204 answers carry Content-Length: 0 (the house rule for keep-alive).
"""
import argparse, base64, bisect, collections, datetime, hashlib, hmac, http.server
import json, os, re, secrets, sys, threading, time, traceback, urllib.parse

sys.dont_write_bytecode = True     # no __pycache__ in the shared tests/mock folder
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
IC = "urn:ietf:params:scim:schemas:extension:ironclad:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCHOP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
JSON = "application/json"
SCIM_JSON = "application/scim+json"
PUBLIC = "https://na1.ironcladapp.com"       # meta.location in /__mock/state
# UserCreateRequestBody.password: "At least one special character (...)".
SPECIALS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# developer.ironcladapp.com/reference/clm-api-rate-limits, per account and minute.
RATE_LIMITS = {"users": 600, "users_patch_delete": 50, "groups": 600, "other": 800}

# Attribute tables (RFC 7643 §4 and the spec's UserResponseObject,
# GroupResponseObject and */Schema components): name -> kind. A kind is
# "string", "exact" (caseExact string), "email", "boolean", "password"
# (writeOnly), "readOnly", "id" (readOnly, caseExact), a dict of
# sub-attributes (complex) or ("multi", dict) (multi-valued complex).
USER_TABLE = {
    CORE_USER: {
        "id": "id", "userName": "email",
        "name": {"givenName": "string", "familyName": "string", "formatted": "string"},
        "displayName": "string", "nickName": "string", "title": "string", "active": "boolean",
        "emails": ("multi", {"value": "email", "type": "string", "primary": "boolean"}),
        "password": "password",
        "meta": {"resourceType": "readOnly", "created": "readOnly", "lastModified": "readOnly",
                 "location": "readOnly"}},
    ENT: {"employeeNumber": "string", "costCenter": "string", "organization": "string",
          "department": "string",
          "manager": {"value": "exact", "$ref": "string", "displayName": "readOnly"}},
    IC: {"departmentHead": "email", "allowProviderConversion": "boolean", "provider": "readOnly"},
}
GROUP_TABLE = {
    CORE_GROUP: {
        "id": "id", "displayName": "string", "externalId": "exact",
        "members": ("multi", {"value": "exact", "type": "string", "display": "readOnly",
                              "$ref": "readOnly"}),
        "meta": {"resourceType": "readOnly", "location": "readOnly"}},
}
SKIP = object()     # a read-only attribute in a request body: ignored (RFC 7644 §3.3)


class ApiError(Exception):
    """An error answer: SCIM Error envelope under /scim, OAuth {error,
    error_description} under /oauth. violation=True records a request that
    broke the contract (a correct client never gets one of those)."""

    def __init__(self, status, detail, scim_type=None, violation=False, headers=None, oauth=None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type
        self.violation, self.headers, self.oauth = violation, headers or {}, oauth


def bad(detail, scim_type="invalidValue", violation=True):
    return ApiError(400, detail, scim_type, violation)


def no_schema(text, scim_type):
    # The spec's UserFilterResponse400 example wording.
    return bad("No matching schema for attribute: %s" % text, scim_type)


def not_found(rid):
    return ApiError(404, "Resource %s not found" % rid)     # NotFoundResponse404 example


def now_iso():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def ci_key(d, name):
    """The key of d equal to name ignoring case (RFC 7643 §2.1), or None."""
    low = name.lower()
    for k in d:
        if k.lower() == low:
            return k
    return None


def sub_table(kind):
    return kind[1] if isinstance(kind, tuple) else kind if isinstance(kind, dict) else None


def clone(v):
    if isinstance(v, dict):
        return {k: clone(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clone(x) for x in v]
    return v


def media_type(value):
    return (value or "").split(";")[0].strip().lower()


def resolve(table, text, scim_type):
    """'name.givenName', 'emails.value', 'urn:...:User:department' ->
    (urn, attr, sub, kind) in canonical case; attr is None for a bare
    extension URN."""
    core = next(iter(table))
    low, urn, rest = text.lower(), core, text
    for u in table:
        if low == u.lower() and u != core:
            return u, None, None, table[u]
        if low.startswith(u.lower() + ":"):
            urn, rest = u, text[len(u) + 1:]
            break
    name, dot, sub = rest.partition(".")
    attr = ci_key(table[urn], name)
    if attr is None:
        raise no_schema(text, scim_type)
    kind = table[urn][attr]
    if not dot:
        return urn, attr, None, kind
    subs = sub_table(kind)
    s = ci_key(subs, sub) if subs else None
    if s is None:
        raise no_schema(text, scim_type)
    return urn, attr, s, subs[s]


# -- RFC 7644 §3.4.2.2 filters ---------------------------------------------
TOKEN = re.compile(r'\s*(?:([()\[\]])|("(?:[^"\\]|\\.)*")|([^\s()\[\]"]+))')
COMPARE = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
TEXT = ("string", "exact", "email", "id", "readOnly")


class Filter:
    """Parses a filter into a tree: ("or"|"and", a, b), ("not", a),
    ("pr", path), ("cmp", path, op, value, caseExact), ("vf", path, tree)."""

    def __init__(self, text, table, subs=None, scim_type="invalidFilter"):
        self.text, self.toks, self.i, self.scim_type = text, [], 0, scim_type
        pos = 0
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip():
                    raise self.error("cannot read %r" % text[pos:pos + 20])
                break
            self.toks.append(m.group(1) or m.group(2) or m.group(3))
            pos = m.end()
        self.path_of = self.in_scope(subs, "") if subs else lambda w: resolve(table, w, scim_type)

    def in_scope(self, subs, outer):
        """Names inside attr[...] are the complex attribute's sub-attributes."""
        def path_of(w):
            k = ci_key(subs, w)
            if k is None:
                raise no_schema(outer + w, self.scim_type)
            return None, k, None, subs[k]
        return path_of

    def error(self, why):
        return bad("Invalid filter %r: %s" % (self.text[:200], why), "invalidFilter")

    def peek(self):
        return self.toks[self.i].lower() if self.i < len(self.toks) else None

    def take(self):
        if self.i >= len(self.toks):
            raise self.error("unexpected end")
        self.i += 1
        return self.toks[self.i - 1]

    def expect(self, tok):
        if self.take() != tok:
            raise self.error("expected %r" % tok)

    def parse(self):
        node = self.or_()
        if self.i != len(self.toks):
            raise self.error("unexpected %r" % self.toks[self.i])
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == "or":
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek() == "and":
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.peek() == "not":
            self.take()
            self.expect("(")
            node = self.or_()
            self.expect(")")
            return ("not", node)
        return self.atom()

    def atom(self):
        if self.peek() == "(":
            self.take()
            node = self.or_()
            self.expect(")")
            return node
        word = self.take()
        if word in ("(", ")", "[", "]") or word.startswith('"'):
            raise self.error("expected an attribute, got %r" % word)
        path = self.path_of(word)
        if self.peek() == "[":
            return self.value_filter(path)
        op = self.take().lower()
        if op == "pr":
            return ("pr", path)
        if op not in COMPARE:
            raise self.error("unknown operator %r" % op)
        return ("cmp", path, op) + self.operand(path, op)

    def value_filter(self, path):
        if not isinstance(path[3], tuple) or path[2] is not None:
            raise self.error("%s is not multi-valued" % path[1])
        self.take()
        outer = self.path_of
        self.path_of = self.in_scope(path[3][1], path[1] + ".")
        node = self.or_()
        self.path_of = outer
        self.expect("]")
        return ("vf", path, node)

    def operand(self, path, op):
        tok = self.take()
        if tok.startswith('"'):
            value = json.loads(tok)
        elif tok.lower() in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[tok.lower()]
        else:
            raise self.error("bad value %r" % tok)
        kind = path[3]
        if isinstance(kind, tuple):
            kind = kind[1].get("value")      # emails eq "x" compares emails.value
        if kind == "boolean" and not (op in ("eq", "ne") and isinstance(value, bool)):
            raise self.error("%s is boolean" % path[1])
        if kind in TEXT and not (isinstance(value, str) or (value is None and op in ("eq", "ne"))):
            raise self.error("%s is a string" % path[1])
        if kind not in TEXT and kind != "boolean":
            raise self.error("%s cannot be compared" % path[1])
        return value, kind in ("exact", "id")


def values(res, path):
    urn, attr, sub, kind = path
    box = res if urn in (None, CORE_USER, CORE_GROUP) else res.get(urn) or {}
    v = box.get(attr)
    items = v if isinstance(v, list) else [] if v is None else [v]
    if sub is not None:
        items = [e.get(sub) for e in items if isinstance(e, dict)]
    elif isinstance(kind, tuple):
        items = [e.get("value") for e in items if isinstance(e, dict)]
    return [x for x in items if x is not None]


def match(op, have, want, exact):
    if isinstance(want, bool) or isinstance(have, bool):
        return op == "eq" and have is want
    if not isinstance(have, str) or not isinstance(want, str):
        return False
    if not exact:
        have, want = have.lower(), want.lower()
    return {"eq": have == want, "co": want in have, "sw": have.startswith(want),
            "ew": have.endswith(want), "gt": have > want, "ge": have >= want,
            "lt": have < want, "le": have <= want}[op]


def ev(node, res):
    t = node[0]
    if t == "or":
        return ev(node[1], res) or ev(node[2], res)
    if t == "and":
        return ev(node[1], res) and ev(node[2], res)
    if t == "not":
        return not ev(node[1], res)
    if t == "pr":
        return any(v not in ("", [], {}) for v in values(res, node[1]))
    if t == "vf":
        urn, attr = node[1][0], node[1][1]
        box = res if urn in (None, CORE_USER, CORE_GROUP) else res.get(urn) or {}
        return any(isinstance(e, dict) and ev(node[2], e) for e in box.get(attr) or [])
    _, path, op, want, exact = node
    have = values(res, path)
    if op == "ne":
        return not any(match("eq", h, want, exact) for h in have)
    return any(match(op, h, want, exact) for h in have)


def attrs_in(node):
    if node[0] in ("or", "and"):
        return attrs_in(node[1]) | attrs_in(node[2])
    if node[0] == "not":
        return attrs_in(node[1])
    return {node[1][1]}


# -- /Schemas (RFC 7643 §7 attribute characteristics) ----------------------
def attr_def(name, typ="string", desc="", sub=None, multi=False, required=False,
             mut="readWrite", uniq="none", canon=None, refs=None):
    a = {"name": name, "type": typ, "multiValued": multi, "description": desc, "required": required}
    if typ in ("string", "reference"):
        a["caseExact"] = False
    if canon:
        a["canonicalValues"] = canon
    if refs:
        a["referenceTypes"] = refs
    a.update(mutability=mut, returned="default", uniqueness=uniq)
    if sub:
        a["subattributes"] = sub      # sic: Ironclad's */Schema components spell it so
    return a


def schema_resources():
    group = [attr_def("displayName", desc="A human-readable name for the Group.", required=True),
             attr_def("members", "complex", "A list of members of the Group.", multi=True, sub=[
                 attr_def("value", desc="Identifier of the member of this Group.", mut="immutable"),
                 attr_def("$ref", "reference", "The URI of the member resource.", mut="immutable",
                          refs=["User", "Group"]),
                 attr_def("type", desc="The type of the member resource.", mut="immutable",
                          canon=["User", "Group"])])]
    user = [attr_def("userName", desc="The user's email address; unique.", required=True, uniq="server"),
            attr_def("name", "complex", "The components of the user's name.", sub=[
                attr_def("formatted", desc="The full name."),
                attr_def("familyName", desc="The family (last) name."),
                attr_def("givenName", desc="The given (first) name.")]),
            attr_def("displayName", desc="The name shown to end users.", uniq="server"),
            attr_def("nickName", desc="The casual name of the user.", uniq="server"),
            attr_def("title", desc="The user's title.", uniq="server"),
            attr_def("active", "boolean", "false removes the user from the company."),
            attr_def("emails", "complex", "Email addresses of the user.", multi=True, sub=[
                attr_def("value", desc="The email address."),
                attr_def("type", desc="work, home or other.", canon=["work", "home", "other"]),
                attr_def("primary", "boolean", "The primary address.")])]
    ent = [attr_def(n, desc=d) for n, d in (
        ("employeeNumber", "The user's employee number."), ("costCenter", "The cost center."),
        ("organization", "The organization."), ("department", "The department."))]
    ent.append(attr_def("manager", "complex", "The user's manager.", sub=[
        attr_def("value", desc="The id of the manager's User.", required=True),
        attr_def("$ref", "reference", "The URI of the manager's User.", required=True, refs=["User"]),
        attr_def("displayName", desc="The manager's displayName.", mut="readOnly")]))
    ic = [attr_def("departmentHead", desc="The email address (username) of the department head."),
          attr_def("provider", desc="local, magicLink, saml or google.", mut="readOnly",
                   canon=["local", "magicLink", "saml", "google"]),
          attr_def("allowProviderConversion", "boolean", "May convert from local to google.")]
    return {s["id"]: s for s in (
        {"id": CORE_GROUP, "name": "Group", "description": "Group", "attributes": group},
        {"id": CORE_USER, "name": "User", "description": "User Account", "attributes": user},
        {"id": ENT, "name": "EnterpriseUser", "description": "Enterprise User", "attributes": ent},
        {"id": IC, "name": "IroncladUser", "description": "Ironclad User", "attributes": ic})}


SCHEMAS = schema_resources()


# -- routes ----------------------------------------------------------------
Route = collections.namedtuple("Route", "method name scope params fn rx")
LIST_PARAMS = ("startIndex", "count", "filter", "excludedAttributes")
EXCL = ("excludedAttributes",)


def route(method, name, scope, params, fn):
    rx = re.compile(re.sub(r"\{\w+\}", "([^/]+)", name))
    return Route(method, name, scope, params, fn, rx)


# Scopes: each operation's "**OAuth Scope required:**" line in the SCIM spec.
ROUTES = [
    route("POST", "/oauth/token", None, (), "token"),
    route("GET", "/scim/v2/Users", "scim.users.readUsers", LIST_PARAMS, "list_users"),
    route("POST", "/scim/v2/Users", "scim.users.createUsers", EXCL, "create_user"),
    route("GET", "/scim/v2/Users/{userId}", "scim.users.readUsers", EXCL, "get_user"),
    route("PATCH", "/scim/v2/Users/{userId}", "scim.users.updateUsers", EXCL, "patch_user"),
    route("PUT", "/scim/v2/Users/{userId}", "scim.users.updateUsers", EXCL, "put_user"),
    route("DELETE", "/scim/v2/Users/{userId}", "scim.users.deleteUsers", (), "delete_user"),
    route("GET", "/scim/v2/Groups", "scim.groups.readGroups", LIST_PARAMS, "list_groups"),
    route("POST", "/scim/v2/Groups", "scim.groups.createGroups", EXCL, "create_group"),
    route("GET", "/scim/v2/Groups/{groupId}", "scim.groups.readGroups", EXCL, "get_group"),
    route("PATCH", "/scim/v2/Groups/{groupId}", "scim.groups.updateGroups", EXCL, "patch_group"),
    route("PUT", "/scim/v2/Groups/{groupId}", "scim.groups.updateGroups", EXCL, "put_group"),
    route("DELETE", "/scim/v2/Groups/{groupId}", "scim.groups.deleteGroups", (), "delete_group"),
    route("GET", "/scim/v2/Schemas", "scim.schemas.readSchemas", (), "list_schemas"),
    route("GET", "/scim/v2/Schemas/{schemaId}", "scim.schemas.readSchemas", (), "get_schema"),
]


def rate_class(method, path):
    if path == "/scim/v2/Users" or path.startswith("/scim/v2/Users/"):
        return "users_patch_delete" if method in ("PATCH", "DELETE") else "users"
    if path == "/scim/v2/Groups" or path.startswith("/scim/v2/Groups/"):
        return "groups"
    return "other"


class Bucket:
    """A token bucket holding one minute's budget, refilled continuously."""

    def __init__(self, per_min):
        self.cap = max(1.0, per_min)
        self.level, self.t = self.cap, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.level = min(self.cap, self.level + (now - self.t) * self.cap / 60.0)
        self.t = now
        if self.level >= 1.0:
            self.level -= 1.0
            return True
        return False


# Knob -> check of its value (POST /__mock/config).
KNOBS = {
    "latency_ms": lambda v: isinstance(v, (int, float)) and v >= 0,
    "inject_429": lambda v: isinstance(v, int) and v >= 0,
    "inject_500": lambda v: isinstance(v, int) and v >= 0,
    "retry_after": lambda v: isinstance(v, (int, str)),
    "expires_in": lambda v: isinstance(v, int) and v >= 0,
    "token_limit_per_min": lambda v: isinstance(v, int) and v >= 0,
    "scope_mode": lambda v: v in ("intersect", "strict"),
    "rate_scale": lambda v: isinstance(v, (int, float)) and v > 0,
    "rate_enforce": lambda v: isinstance(v, bool),
    "saml": lambda v: isinstance(v, bool),
    "items_per_page": lambda v: v in ("returned", "count"),
    "page_cap": lambda v: isinstance(v, int) and v >= 0,
    "group_patch_status": lambda v: v in (200, 204),
    "response_media_type": lambda v: v in (JSON, SCIM_JSON),
    "omit_empty_resources": lambda v: isinstance(v, bool),
}
ACTIONS = ("revoke_tokens", "rate_reset")


def fresh_stats():
    return {"requests": 0, "api_requests": 0, "by_route": {}, "rate_limited": 0,
            "rate_limited_by_class": {}, "rate_would_limit_by_class": {}, "injected_429": 0,
            "injected_500": 0, "violations": [], "violation_count": 0, "auth_seen": {},
            "acting_users": {}, "tokens_issued": 0, "token_requests": 0, "tokens_by_client": {},
            "token_content_types": {}, "inflight_peak": 0}


class Req:
    """One authorised SCIM call as the handlers see it."""

    def __init__(self, params, q, body, base, excl, target):
        self.params, self.q, self.body, self.base, self.excl = params, q, body, base, excl
        self.target = target


class Ironclad:
    def __init__(self, fx, cfg):
        self.lock = threading.Lock()
        self.cfg = cfg
        self.company = dict(fx["company"])
        self.cfg["saml"] = bool(self.company.pop("saml", False))
        self.clients = {c["clientId"]: c for c in fx["clients"]}
        self.users, self.order, self.by_name, self.by_email = {}, [], {}, {}
        self.groups, self.gorder, self.removed = {}, [], {}
        for f in fx["users"]:
            self.store(self.fixture_user(f))
        for g in fx["groups"]:
            self.groups[g["id"]] = {"id": g["id"], "displayName": g["displayName"],
                                    "externalId": g.get("externalId"),
                                    "members": sorted(set(g["members"])), "mset": set(g["members"])}
        self.gorder = sorted(self.groups)
        # New ids continue the fixture's: id order stays creation order, which
        # is the order the spec's StartIndex says resources are indexed in.
        self.next_user = max([int(u, 16) for u in self.users] + [0x64a0 << 80]) + 1
        self.next_group = max([int(g[:8], 16) for g in self.groups] + [0xa0000000]) + 1
        self.tokens, self.issued = {}, {}
        self.rate_reset()
        self.stats = fresh_stats()
        self.inflight = 0

    # -- users: storage and indexes --------------------------------------
    def fixture_user(self, f):
        doc = {"userName": f["userName"], "name": dict(f["name"])}
        for k in ("displayName", "nickName", "title", "emails"):
            if k in f:
                doc[k] = clone(f[k])
        if f.get("enterprise"):
            doc[ENT] = clone(f["enterprise"])
        if f.get("ironclad"):
            doc[IC] = clone(f["ironclad"])
        return {"id": f["id"], "doc": doc, "provider": f.get("provider", "local"),
                "admin": bool(f.get("admin")), "pw": self.hash(f.get("password")),
                "created": f["created"], "lastModified": f["created"]}

    @staticmethod
    def hash(pw):
        if pw is None:
            return None
        salt = secrets.token_bytes(8)
        return salt, hashlib.sha256(salt + pw.encode()).digest()

    @staticmethod
    def emails(doc):
        # UserResponseObject.emails: "The email with type work and primary flag
        # is typically copied from the main email stored in the userName property."
        return doc.get("emails") or [{"value": doc["userName"], "type": "work", "primary": True}]

    def unindex(self, u):
        self.by_name.pop(u["doc"]["userName"].lower(), None)
        for e in self.emails(u["doc"]):
            ids = self.by_email.get(str(e.get("value", "")).lower())
            if ids:
                ids.discard(u["id"])

    def store(self, u):
        old = self.users.get(u["id"])
        if old is None:
            bisect.insort(self.order, u["id"])
        else:
            self.unindex(old)
        self.users[u["id"]] = u
        self.by_name[u["doc"]["userName"].lower()] = u["id"]
        for e in self.emails(u["doc"]):
            self.by_email.setdefault(str(e.get("value", "")).lower(), set()).add(u["id"])

    def remove_user(self, uid, how):
        """DELETE, or active:false ("removed from the company"): later reads 404."""
        u = self.users.pop(uid)
        self.order.pop(bisect.bisect_left(self.order, uid))
        self.unindex(u)
        for g in self.groups.values():
            if uid in g["mset"]:
                g["mset"].discard(uid)
                g["members"].pop(bisect.bisect_left(g["members"], uid))
        self.removed[uid] = {"id": uid, "userName": u["doc"]["userName"], "how": how}

    def user(self, uid):
        u = self.users.get(uid)
        if u is None:
            raise not_found(uid)
        return u

    def unique(self, name, uid):
        other = self.by_name.get(name.lower())
        if other is not None and other != uid:
            raise ApiError(409, "User with userName %s already exists" % name, "uniqueness")

    # -- views -------------------------------------------------------------
    def user_view(self, u, base, excl=None, active=True):
        doc = u["doc"]
        out = {"schemas": [CORE_USER], "id": u["id"]}
        for k in ("userName", "name", "displayName", "nickName", "title"):
            if k in doc:
                out[k] = clone(doc[k])
        out["emails"] = clone(self.emails(doc))
        out["active"] = active
        if doc.get(ENT):
            ent = out[ENT] = clone(doc[ENT])
            boss = self.users.get((ent.get("manager") or {}).get("value"))
            if boss is not None:
                ent["manager"]["displayName"] = self.display(boss)
        ic = out[IC] = clone(doc.get(IC, {}))
        ic["provider"] = u["provider"]
        ic.setdefault("allowProviderConversion", False)
        out["schemas"] += [s for s in (ENT, IC) if s in out]
        out["meta"] = {"resourceType": "User", "created": u["created"],
                       "lastModified": u["lastModified"], "location": base + "/scim/v2/Users/" + u["id"]}
        return self.exclude(out, excl)

    @staticmethod
    def display(u):
        d = u["doc"]
        return d.get("displayName") or " ".join(
            x for x in (d["name"].get("givenName"), d["name"].get("familyName")) if x)

    def group_view(self, g, base, excl=None):
        out = {"schemas": [CORE_GROUP], "id": g["id"], "displayName": g["displayName"]}
        if g.get("externalId") is not None:
            out["externalId"] = g["externalId"]
        if not excl or (CORE_GROUP, "members", None) not in excl:
            out["members"] = [{"value": m, "type": "User"} for m in g["members"]]
        out["meta"] = {"resourceType": "Group", "location": base + "/scim/v2/Groups/" + g["id"]}
        return self.exclude(out, excl)

    @staticmethod
    def exclude(view, excl):
        """excludedAttributes; id and schemas are returned always (RFC 7643 §7)."""
        for urn, attr, sub in excl or ():
            box = view if urn in (CORE_USER, CORE_GROUP) else view.get(urn)
            if box is None or attr in ("id", "schemas") and box is view:
                continue
            if attr is None:
                view.pop(urn, None)
            elif sub is None:
                box.pop(attr, None)
            else:
                v = box.get(attr)
                for e in v if isinstance(v, list) else [v]:
                    if isinstance(e, dict):
                        e.pop(sub, None)
        return view

    def page(self, items, start, count, render):
        n = min(count, self.cfg["page_cap"]) if self.cfg["page_cap"] else count
        res = [render(i) for i in items[start - 1:start - 1 + n]]
        ipp = len(res) if self.cfg["items_per_page"] == "returned" else count
        out = {"schemas": [LIST], "totalResults": len(items), "startIndex": start,
               "itemsPerPage": ipp, "Resources": res}
        if not items and self.cfg["omit_empty_resources"]:
            del out["Resources"]     # RFC 7644 §3.4.2: REQUIRED if totalResults > 0
        return out

    # -- request bodies ----------------------------------------------------
    def canonical(self, body, table):
        """Body keys in canonical case, types checked against the table."""
        if not isinstance(body, dict):
            raise bad("The request body must be a JSON object", "invalidSyntax")
        core = next(iter(table))
        doc, schemas = {}, None
        for k, v in body.items():
            ext = ci_key([u for u in table if u != core], k)
            if k.lower() == "schemas":
                schemas = v
            elif ext is not None:
                doc[ext] = self.sub_object(table[ext], v, ext, ":")
            else:
                attr = ci_key(table[core], k)
                if attr is None:
                    raise no_schema(k, "invalidValue")
                val = self.value(table[core][attr], v, attr)
                if val is not SKIP:
                    doc[attr] = val
        self.check_schemas(schemas, doc, table)
        return doc

    def value(self, kind, v, where):
        if kind in ("readOnly", "id"):
            return SKIP
        ok = {"boolean": isinstance(v, bool), "email": isinstance(v, str) and EMAIL.fullmatch(v),
              "string": isinstance(v, str), "exact": isinstance(v, str),
              "password": isinstance(v, str)}
        if isinstance(kind, tuple) and isinstance(v, list):
            return [self.sub_object(kind[1], e, where) for e in v]
        if isinstance(kind, dict) and isinstance(v, dict):
            return self.sub_object(kind, v, where)
        if isinstance(kind, str) and ok[kind]:
            return v
        shown = "" if kind == "password" else ": " + json.dumps(v)[:80]
        raise bad("Invalid value at %s%s" % (where, shown))   # UserResponse400 example wording

    def sub_object(self, subs, obj, where, sep="."):
        if not isinstance(obj, dict):
            raise bad("Invalid value at %s: %s" % (where, json.dumps(obj)[:80]))
        out = {}
        for k, v in obj.items():
            s = ci_key(subs, k)
            if s is None:
                raise no_schema(where + sep + k, "invalidValue")
            val = self.value(subs[s], v, where + sep + s)
            if val is not SKIP:
                out[s] = val
        return out

    @staticmethod
    def check_schemas(schemas, doc, table):
        """RFC 7643 §3: schemas lists the core schema and every extension used."""
        if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
            raise bad("Missing required attribute: schemas")
        listed = {s.lower() for s in schemas}
        known = {u.lower() for u in table}
        core = next(iter(table))
        if core.lower() not in listed or not listed <= known:
            raise bad("schemas must list %s and only known extensions" % core)
        for ext in doc:
            if ext.startswith("urn:") and ext.lower() not in listed:
                raise bad("schemas does not list %s" % ext)

    def user_doc(self, body):
        """A User body (create, replace, or a patched document) -> (doc, password)."""
        doc = self.canonical(body, USER_TABLE)
        for attr in ("userName", "name"):
            if attr not in doc:
                raise bad("Missing required attribute: %s" % attr)
        pw = doc.pop("password", None)
        if pw is not None:
            self.check_password(pw)
        return doc, pw

    @staticmethod
    def check_password(pw):
        """UserCreateRequestBody.password: 16+ characters with a lowercase and an
        uppercase letter, a digit and one of the listed special characters."""
        need = [why for ok, why in (
            (len(pw) >= 16, "16+ characters"), (any(c.islower() for c in pw), "a lowercase letter"),
            (any(c.isupper() for c in pw), "an uppercase letter"),
            (any(c.isdigit() for c in pw), "a number"),
            (any(c in SPECIALS for c in pw), "a special character")) if not ok]
        if need:
            raise bad("password does not meet the requirements: it needs " + ", ".join(need))

    def group_doc(self, body, gid):
        doc = self.canonical(body, GROUP_TABLE)
        if not isinstance(doc.get("displayName"), str) or not doc["displayName"].strip():
            raise bad("Missing required attribute: displayName")
        low = doc["displayName"].lower()
        for g in self.groups.values():
            if g["displayName"].lower() == low and g["id"] != gid:
                raise ApiError(409, "Group %s already exists" % doc["displayName"], "uniqueness")
        members = []
        for m in doc.get("members", []):
            if "value" not in m:
                raise bad("Missing required attribute: members.value")
            members.append(m["value"])
        self.members_exist(members)
        return doc, members

    def members_exist(self, ids):
        for uid in ids:
            if uid not in self.users:      # state, not contract: the user may be gone
                raise bad("User %s not found" % uid, violation=False)

    # -- PATCH (RFC 7644 §3.5.2) -------------------------------------------
    @staticmethod
    def patch_ops(body):
        if not isinstance(body, dict):
            raise bad("The request body must be a JSON object", "invalidSyntax")
        keys = {k.lower(): v for k, v in body.items()}
        if set(keys) - {"schemas", "operations"}:
            raise no_schema(", ".join(sorted(set(keys) - {"schemas", "operations"})), "invalidSyntax")
        if keys.get("schemas") != [PATCHOP]:
            raise bad("schemas must be [\"%s\"]" % PATCHOP)
        ops = keys.get("operations")
        if not isinstance(ops, list) or not ops:
            raise bad("Missing required attribute: Operations")
        return ops

    @staticmethod
    def op_fields(op, allowed, value_on_remove):
        if not isinstance(op, dict):
            raise bad("Each operation must be an object", "invalidSyntax")
        k = {x.lower(): v for x, v in op.items()}
        if set(k) - {"op", "path", "value"}:
            raise no_schema(", ".join(sorted(set(k) - {"op", "path", "value"})), "invalidSyntax")
        name = k.get("op")
        if not isinstance(name, str) or name.lower() not in allowed:
            raise bad("op must be one of %s" % ", ".join(allowed))
        path = k.get("path")
        if not isinstance(path, str) or not path.strip():
            raise bad("Missing required attribute: path", "invalidPath")      # the spec requires it
        name = name.lower()
        if name != "remove" and "value" not in k:
            raise bad("Missing required attribute: value for %s" % name)
        if name == "remove" and "value" in k and not value_on_remove:
            raise bad("The remove operation does not take a value")      # update-user-data
        return name, path.strip(), k.get("value"), "value" in k

    @staticmethod
    def patch_path(path, table):
        """attrPath, attrPath[valFilter] or attrPath[valFilter].subAttr ->
        (urn, attr, filter, sub, kind)."""
        m = re.fullmatch(r"([^\[\]]+?)(?:\[(.+)\](?:\.([^.\[\]]+))?)?", path, re.S)
        if m is None:
            raise bad("Invalid path %r" % path, "invalidPath")
        urn, attr, sub, kind = resolve(table, m.group(1), "invalidPath")
        if m.group(2) is None:
            return urn, attr, None, sub, kind
        if sub is not None or not isinstance(kind, tuple):
            raise bad("Invalid path %r: %s is not multi-valued" % (path, attr), "invalidPath")
        tree = Filter(m.group(2), table, kind[1], "invalidPath").parse()
        if m.group(3) is None:
            return urn, attr, tree, None, kind
        s = ci_key(kind[1], m.group(3))
        if s is None:
            raise no_schema(path, "invalidPath")
        return urn, attr, tree, s, kind[1][s]

    def user_op(self, doc, op):
        name, path, value, _ = self.op_fields(op, ("add", "replace", "remove"), False)
        urn, attr, filt, sub, kind = self.patch_path(path, USER_TABLE)
        if kind in ("readOnly", "id"):
            raise bad("%s is read-only" % path, "mutability")
        if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"     # the spec types PATCH values as strings
        box = doc if urn == CORE_USER else doc.setdefault(urn, {})
        if attr is None:
            if name == "remove":
                doc.pop(urn, None)
            elif isinstance(value, dict):
                box.update(value)
            else:
                raise bad("Invalid value at %s" % path)
        elif filt is not None:
            self.filtered_op(box, attr, filt, sub, name, value, path)
        elif sub is not None:
            if isinstance(box.get(attr), list):
                raise bad("Invalid path %r: %s needs a filter" % (path, attr), "invalidPath")
            inner = box.setdefault(attr, {})
            if name == "remove":
                inner.pop(sub, None)
            else:
                inner[sub] = value
        elif name == "remove":
            box.pop(attr, None)
        elif isinstance(kind, tuple):
            items = value if isinstance(value, list) else [value]
            box[attr] = (box.get(attr, []) if name == "add" else []) + items
        elif isinstance(kind, dict) and isinstance(value, dict) and isinstance(box.get(attr), dict):
            box[attr].update({ci_key(kind, k) or k: v for k, v in value.items()})
        else:
            box[attr] = value

    @staticmethod
    def filtered_op(box, attr, filt, sub, name, value, path):
        items = box.get(attr) or []
        hit = [e for e in items if isinstance(e, dict) and ev(filt, e)]
        if not hit:
            raise bad("No value matches %s" % path, "noTarget", violation=False)
        if name == "remove" and sub is None:
            box[attr] = [e for e in items if all(e is not h for h in hit)]
            return
        for e in hit:
            if name == "remove":
                e.pop(sub, None)
            elif sub is not None:
                e[sub] = value
            elif isinstance(value, dict):
                e.update(value)
            else:
                raise bad("Invalid value at %s" % path)

    def editable(self, u):
        """The document a PATCH works on: what a GET shows, writable parts only."""
        doc = clone(u["doc"])
        doc["emails"] = clone(self.emails(u["doc"]))
        doc["active"] = True
        return doc

    # -- SCIM handlers -------------------------------------------------------
    def paging(self, q):
        return self.int_param(q, "startIndex", 1, 1, None), self.int_param(q, "count", 25, 0, 1000)

    @staticmethod
    def int_param(q, name, default, lo, hi):
        """StartIndex (minimum 1) and Count (0..1000) as the spec declares them."""
        if name not in q:
            return default
        if not re.fullmatch(r"-?[0-9]{1,9}", q[name]):
            raise bad("%s must be an integer" % name)
        n = int(q[name])
        if n < lo or (hi is not None and n > hi):
            raise bad("%s must be %s" % (name, ">= %d" % lo if hi is None else "%d..%d" % (lo, hi)))
        return n

    def candidates(self, node):
        """User ids a filter can only match, from the indexes; None: any."""
        if node[0] == "cmp" and node[2] == "eq" and isinstance(node[3], str):
            urn, attr, sub = node[1][:3]
            if attr == "id" and urn == CORE_USER:
                return {node[3]} & self.users.keys()
            if attr == "userName":
                uid = self.by_name.get(node[3].lower())
                return set() if uid is None else {uid}
            if attr == "emails" and sub in (None, "value"):
                return set(self.by_email.get(node[3].lower(), ()))
        if node[0] in ("and", "or"):
            a, b = self.candidates(node[1]), self.candidates(node[2])
            if node[0] == "and":
                return b if a is None else a if b is None else a & b
            return None if a is None or b is None else a | b
        return None

    def misread_plus(self, node, target):
        """A '+' left unencoded in a query reads as a space: no email has one."""
        if node[0] in ("and", "or", "not"):
            for n in node[1:]:
                self.misread_plus(n, target)
        elif node[0] == "cmp" and node[1][1] in ("userName", "emails", "value") \
                and isinstance(node[3], str) and " " in node[3]:
            self.violation("GET %s: filter value %r has a space: an unencoded '+'?" % (target, node[3]))

    def list_users(self, r):
        start, count = self.paging(r.q)
        ids = self.order
        if "filter" in r.q:
            tree = Filter(r.q["filter"], USER_TABLE).parse()
            self.misread_plus(tree, r.target)
            cand = self.candidates(tree)
            pool = self.order if cand is None else sorted(cand)
            ids = [i for i in pool if ev(tree, self.user_view(self.users[i], r.base))]
        return 200, self.page(ids, start, count, lambda i: self.user_view(self.users[i], r.base, r.excl))

    def create_user(self, r):
        doc, pw = self.user_doc(r.body)
        if pw is None and not self.cfg["saml"]:
            raise bad("Missing required attribute: password (the company has no SAML configuration)")
        if doc.pop("active", True) is not True:
            raise bad("Invalid value at active: a new user cannot be inactive")
        self.unique(doc["userName"], None)
        uid = "%024x" % self.next_user
        self.next_user += 1
        t = now_iso()
        u = {"id": uid, "doc": doc, "provider": "local" if pw is not None else "saml", "admin": False,
             "pw": self.hash(pw), "created": t, "lastModified": t}
        self.store(u)
        view = self.user_view(u, r.base, r.excl)
        return 201, view, {"Location": r.base + "/scim/v2/Users/" + uid}

    def get_user(self, r):
        return 200, self.user_view(self.user(r.params[0]), r.base, r.excl)

    def replace_user(self, r, u, doc, pw):
        """Store a PUT or patched document; active:false removes the user."""
        active = doc.pop("active", True)
        if doc.get("emails") == [{"value": doc["userName"], "type": "work", "primary": True}]:
            del doc["emails"]       # a PUT echoing a GET: the copy keeps following userName
        self.unique(doc["userName"], u["id"])
        new = dict(u, doc=doc, lastModified=now_iso())
        if pw is not None:
            new["pw"] = self.hash(pw)
        if not active:
            self.remove_user(u["id"], "active:false")
            return 200, self.user_view(new, r.base, r.excl, active=False)
        self.store(new)
        return 200, self.user_view(new, r.base, r.excl)

    def patch_user(self, r):
        u = self.user(r.params[0])
        doc = self.editable(u)
        derived = clone(doc["emails"])
        for op in self.patch_ops(r.body):
            self.user_op(doc, op)
        if doc.get("emails") == derived and "emails" not in u["doc"]:
            del doc["emails"]       # still the copy of userName: it follows a new userName
        for ext in (ENT, IC):
            if doc.get(ext) == {}:
                del doc[ext]
        doc["schemas"] = [CORE_USER] + [s for s in (ENT, IC) if s in doc]
        doc, pw = self.user_doc(doc)
        return self.replace_user(r, u, doc, pw)

    def put_user(self, r):
        u = self.user(r.params[0])
        doc, pw = self.user_doc(r.body)
        return self.replace_user(r, u, doc, pw)

    def delete_user(self, r):
        self.remove_user(self.user(r.params[0])["id"], "DELETE")
        return 204, None

    def group(self, gid):
        g = self.groups.get(gid)
        if g is None:
            raise not_found(gid)
        return g

    def list_groups(self, r):
        start, count = self.paging(r.q)
        gids = self.gorder
        if "filter" in r.q:
            tree = Filter(r.q["filter"], GROUP_TABLE).parse()
            light = None if "members" in attrs_in(tree) else {(CORE_GROUP, "members", None)}
            gids = [g for g in gids if ev(tree, self.group_view(self.groups[g], r.base, light))]
        return 200, self.page(gids, start, count, lambda g: self.group_view(self.groups[g], r.base, r.excl))

    def create_group(self, r):
        doc, members = self.group_doc(r.body, None)
        gid = "%08x-6c0a-4d1e-9b7f-%012x" % (self.next_group, self.next_group)
        self.next_group += 1
        g = {"id": gid, "displayName": doc["displayName"], "externalId": doc.get("externalId"),
             "members": sorted(set(members)), "mset": set(members)}
        self.groups[gid] = g
        bisect.insort(self.gorder, gid)
        return 201, self.group_view(g, r.base, r.excl), {"Location": r.base + "/scim/v2/Groups/" + gid}

    def get_group(self, r):
        return 200, self.group_view(self.group(r.params[0]), r.base, r.excl)

    def put_group(self, r):
        g = self.group(r.params[0])
        doc, members = self.group_doc(r.body, g["id"])
        g.update(displayName=doc["displayName"], externalId=doc.get("externalId"),
                 members=sorted(set(members)), mset=set(members))
        return 200, self.group_view(g, r.base, r.excl)

    def delete_group(self, r):
        g = self.group(r.params[0])
        del self.groups[g["id"]]
        self.gorder.remove(g["id"])
        return 204, None

    def patch_group(self, r):
        """update-group-membership: op "add" or "remove" on members; applied
        whole or not at all."""
        g = self.group(r.params[0])
        mset = set(g["mset"])
        for op in self.patch_ops(r.body):
            self.group_op(mset, op)
        g["mset"], g["members"] = mset, sorted(mset)
        if self.cfg["group_patch_status"] == 204:
            return 204, None
        return 200, self.group_view(g, r.base, r.excl)

    def group_op(self, mset, op):
        name, path, value, has_value = self.op_fields(op, ("add", "remove"), True)
        _, attr, filt, sub, _ = self.patch_path(path, GROUP_TABLE)
        if attr != "members" or sub is not None or (filt is not None and name == "add"):
            raise bad("Invalid path %r: only members can be changed" % path, "invalidPath")
        if name == "add":
            ids = self.member_ids(value)
            self.members_exist(ids)
            mset.update(ids)
        elif filt is not None:
            if has_value:
                raise bad("remove with a filter takes no value")
            hit = self.filter_members(mset, filt)
            if not hit:
                raise bad("No member matches %s" % path, "noTarget", violation=False)
            mset -= hit
        elif has_value:
            mset.difference_update(self.member_ids(value))
        else:
            mset.clear()     # remove "members": every value (RFC 7644 §3.5.2.2)

    @staticmethod
    def filter_members(mset, filt):
        if filt[0] == "cmp" and filt[1][1] == "value" and filt[2] == "eq" and isinstance(filt[3], str):
            return {filt[3]} & mset
        return {m for m in mset if ev(filt, {"value": m, "type": "User"})}

    @staticmethod
    def member_ids(value):
        """The spec's value: an array of {value: <user id>}."""
        if not isinstance(value, list):
            raise bad("Invalid value at members: an array of {\"value\": id} is required")
        ids = []
        for m in value:
            if not isinstance(m, dict) or not isinstance(m.get("value"), str) \
                    or set(m) - {"value", "display", "type", "$ref"}:
                raise bad("Invalid value at members: %s" % json.dumps(m)[:80])
            ids.append(m["value"])
        return ids

    def list_schemas(self, r):
        res = [self.schema_view(s, r.base) for s in SCHEMAS.values()]
        return 200, {"schemas": [LIST], "totalResults": len(res), "Resources": res}

    def get_schema(self, r):
        sid = ci_key(SCHEMAS, r.params[0])
        if sid is None:
            raise not_found(r.params[0])
        return 200, self.schema_view(SCHEMAS[sid], r.base)

    @staticmethod
    def schema_view(s, base):
        return dict(s, meta={"resourceType": "Schema", "location": base + "/scim/v2/Schemas/" + s["id"]})

    # -- OAuth ----------------------------------------------------------------
    def token(self, headers, raw):
        """oauth-token with grant_type client_credentials."""
        form = self.token_form(headers, raw)
        cid, secret = self.client_auth(headers, form)
        grant = form.get("grant_type")
        if grant is None:
            raise ApiError(400, "missing grant_type", violation=True, oauth="invalid_request")
        client = self.clients.get(cid)
        if client is None or not hmac.compare_digest(client["clientSecret"].encode(), secret.encode()):
            raise ApiError(401, "invalid client", oauth="invalid_client")
        if grant in ("authorization_code", "refresh_token"):
            raise ApiError(403, "client not authorized to use this oauth grant type", violation=True,
                           oauth="unauthorized_client")
        if grant != "client_credentials":
            raise ApiError(400, "unsupported grant_type %s" % grant[:40], violation=True,
                           oauth="invalid_request")
        granted, echo = self.grant_scopes(client, form)
        self.issue_limit(cid)
        tok = secrets.token_urlsafe(32)
        ttl = self.cfg["expires_in"]
        self.tokens[tok] = {"client": cid, "scopes": set(granted), "exp": time.monotonic() + ttl,
                            "revoked": False}
        self.stats["tokens_issued"] += 1
        self.stats["tokens_by_client"][cid] = self.stats["tokens_by_client"].get(cid, 0) + 1
        out = {"token_type": "Bearer", "access_token": tok, "expires_in": ttl}
        if echo:
            out["scope"] = " ".join(granted)
        return 200, out, {"Cache-Control": "no-store", "Pragma": "no-cache"}

    def token_form(self, headers, raw):
        """TokenRequestBody is application/json; the docs show a form too."""
        ctype = media_type(headers.get("Content-Type"))
        tally(self.stats["token_content_types"], ctype or "(none)")
        try:
            if ctype == JSON:
                body = json.loads(raw.decode("utf-8"))
                if isinstance(body, dict) and all(isinstance(v, str) for v in body.values()):
                    return body
                raise ValueError("fields must be strings")
            if ctype == "application/x-www-form-urlencoded":
                pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True,
                                               strict_parsing=bool(raw))
                if len({k for k, _ in pairs}) != len(pairs):
                    raise ValueError("a parameter is repeated (RFC 6749 §3.2)")
                return dict(pairs)
        except (ValueError, UnicodeDecodeError) as e:
            raise ApiError(400, "malformed body: %s" % str(e)[:80], violation=True, oauth="invalid_request")
        raise ApiError(400, "Content-Type must be application/json or application/x-www-form-urlencoded",
                       violation=True, oauth="invalid_request")

    def client_auth(self, headers, form):
        """ClientAuthorization (Basic) or client_id/client_secret in the body; not both."""
        seen = self.stats["auth_seen"].setdefault("/oauth/token", {})
        h = headers.get("Authorization")
        if h is None:
            cid, secret = form.get("client_id"), form.get("client_secret")
            if cid is None or secret is None:
                raise ApiError(400, "client_id and client_secret are required", violation=True,
                               oauth="invalid_request")
            tally(seen, "client_secret_post")
            return cid, secret
        scheme, _, cred = h.partition(" ")
        try:
            if scheme.lower() != "basic":
                raise ValueError
            cid, secret = base64.b64decode(cred.strip(), validate=True).decode("utf-8").split(":", 1)
        except ValueError:
            raise ApiError(400, "Authorization must be Basic base64(client_id:client_secret)",
                           violation=True, oauth="invalid_request")
        if "client_secret" in form or form.get("client_id", cid) != cid:
            raise ApiError(400, "more than one client authentication method (RFC 6749 §2.3)",
                           violation=True, oauth="invalid_request")
        tally(seen, "basic")
        return cid, secret

    def grant_scopes(self, client, form):
        allowed = client["allowedScopes"]
        if "scope" not in form:
            return list(allowed), False
        asked = list(dict.fromkeys(form["scope"].split(" ")))
        if "" in asked:
            raise ApiError(400, "scope must be space-separated scope names", violation=True,
                           oauth="invalid_scope")
        granted = [s for s in asked if s in allowed]
        if not granted or (self.cfg["scope_mode"] == "strict" and len(granted) != len(asked)):
            raise ApiError(400, "requested scopes are not registered for this client",
                           oauth="invalid_scope")
        return granted, True

    def issue_limit(self, cid):
        """Token issuance is rate-limited per client: at most N tokens a minute."""
        limit = self.cfg["token_limit_per_min"]
        win = self.issued.setdefault(cid, collections.deque())
        now = time.monotonic()
        while win and now - win[0] >= 60:
            win.popleft()
        if limit and len(win) >= limit:
            self.stats["rate_limited"] += 1
            tally(self.stats["rate_limited_by_class"], "token_issuance")
            raise ApiError(429, "token issuance limit reached for this client", oauth="rate_limited",
                           headers=self.retry_headers())
        win.append(now)

    # -- the request pipeline ---------------------------------------------------
    def violation(self, line):
        self.stats["violation_count"] += 1
        if len(self.stats["violations"]) < 1000:
            self.stats["violations"].append(line)

    def retry_headers(self):
        ra = self.cfg["retry_after"]
        return {"Retry-After": str(ra)} if ra not in (0, "", None) else {}

    def rate_reset(self):
        self.buckets = {c: Bucket(n * self.cfg["rate_scale"]) for c, n in RATE_LIMITS.items()}

    def limit(self, method, path):
        cls = rate_class(method, path)
        if not self.buckets[cls].take():
            if self.cfg["rate_enforce"]:
                self.stats["rate_limited"] += 1
                tally(self.stats["rate_limited_by_class"], cls)
                raise ApiError(429, "Rate limit exceeded: %d requests per minute"
                               % RATE_LIMITS[cls], headers=self.retry_headers(), oauth="rate_limited")
            tally(self.stats["rate_would_limit_by_class"], cls)
        n = self.stats["api_requests"]
        if self.cfg["inject_429"] and n % self.cfg["inject_429"] == 0:
            self.stats["rate_limited"] += 1
            self.stats["injected_429"] += 1
            raise ApiError(429, "Too many requests", headers=self.retry_headers(), oauth="rate_limited")
        if self.cfg["inject_500"] and n % self.cfg["inject_500"] == 0:
            self.stats["injected_500"] += 1
            raise ApiError(500, "Internal server error", oauth="server_error")

    def query(self, url, allowed):
        """The operation's declared query parameters, each at most once."""
        if re.search(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})", url.query):
            self.violation("%s: query has a character RFC 3986 wants percent-encoded" % url.path)
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        q = {}
        for k, v in pairs:
            if k not in allowed:
                raise bad("Unknown query parameter: %s" % k)
            if k in q:
                raise bad("Query parameter %s is repeated" % k)
            q[k] = v
        return q

    def authenticate(self, headers, name):
        seen = self.stats["auth_seen"].setdefault(name, {})
        h = headers.get("Authorization")
        m = re.fullmatch(r"(?i:bearer) +(\S+)", h or "")
        tally(seen, "bearer" if m else "none" if h is None else "other")
        tok = self.tokens.get(m.group(1)) if m else None
        why = ("missing Authorization: Bearer" if m is None else "invalid authentication token"
               if tok is None else "token has been revoked" if tok["revoked"] else
               "token has expired" if tok["exp"] <= time.monotonic() else None)
        if why is not None:
            # Wording: the OAuth spec's InvalidToken/RevokedToken/ExpiredTokenError.
            raise ApiError(401, why, violation=tok is None,
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return tok

    def acting_user(self, headers, name):
        """x-as-user-email / x-as-user-id: "required when the associated token
        was produced from the Client Credentials grant"."""
        seen = self.stats["auth_seen"][name]
        email, uid = headers.get("x-as-user-email"), headers.get("x-as-user-id")
        for h, v in (("x-as-user-email", email), ("x-as-user-id", uid)):
            if v is not None:
                tally(seen, h)
                tally(self.stats["acting_users"].setdefault(h, {}), v)
        if email is None and uid is None:
            raise bad("x-as-user-email or x-as-user-id is required with a client-credentials token")
        by_mail = self.by_name.get(email.lower()) if email is not None else None
        if (email is not None and by_mail is None) or (uid is not None and uid not in self.users):
            raise ApiError(403, "The acting user does not exist in this company")
        if email is not None and uid is not None and by_mail != uid:
            raise bad("x-as-user-email and x-as-user-id name different users")
        if not self.users[by_mail or uid]["admin"]:
            raise ApiError(403, "The acting user lacks the permission for this operation")

    def accept(self, headers):
        a = headers.get("Accept")
        if a and not {media_type(p) for p in a.split(",")} & {"*/*", "application/*", JSON, SCIM_JSON}:
            raise ApiError(406, "Not acceptable: %s" % a[:80], violation=True)

    def json_body(self, headers, raw, target):
        ctype = media_type(headers.get("Content-Type"))
        if ctype == SCIM_JSON:
            self.violation("%s: Content-Type application/scim+json; the spec declares application/json"
                           % target)
        elif ctype != JSON:
            raise bad("Content-Type must be application/json, not %r" % ctype[:60], "invalidSyntax")
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad("The request body is not valid JSON", "invalidSyntax")

    @staticmethod
    def match(method, path):
        known = False
        for r in ROUTES:
            m = r.rx.fullmatch(path)
            if m:
                known = True
                if r.method == method:
                    return r, [urllib.parse.unquote(g) for g in m.groups()], True
        return None, None, known

    def handle(self, method, target, headers, raw):
        """One API request -> (status, body or None, headers, content type)."""
        self.stats["api_requests"] += 1
        url = urllib.parse.urlsplit(target)
        r, params, known = self.match(method, url.path)
        oauth = url.path.startswith("/oauth/")
        ctype = JSON if oauth else self.cfg["response_media_type"]
        if r is not None:
            tally(self.stats["by_route"], method + " " + r.name)
        if url.path == "/oauth/token":
            self.stats["token_requests"] += 1
        try:
            self.limit(method, url.path)
            if r is None:
                allow = {"Allow": ", ".join(x.method for x in ROUTES if x.rx.fullmatch(url.path))}
                raise ApiError(405, "Method %s not allowed" % method, violation=True, headers=allow,
                               oauth="invalid_request") if known else \
                    ApiError(404, "Resource %s not found" % url.path, violation=True, oauth="not_found")
            q = self.query(url, r.params)
            if r.fn == "token":
                self.accept(headers)
                return self.token(headers, raw) + (ctype,)
            out = self.scim(r, params, q, headers, raw, target)
            return (out + ({},))[:3] + (ctype,)
        except ApiError as e:
            if e.violation:
                self.violation("%s %s: %s" % (method, target[:200], e.detail))
            if oauth:
                body = {"error": e.oauth or "invalid_request", "error_description": e.detail}
            else:
                body = {"schemas": [ERROR], "status": str(e.status)}
                if e.scim_type:
                    body["scimType"] = e.scim_type
                body["detail"] = e.detail
            return e.status, body, e.headers, ctype

    def scim(self, r, params, q, headers, raw, target):
        tok = self.authenticate(headers, r.name)
        self.acting_user(headers, r.name)
        if r.scope not in tok["scopes"]:
            raise ApiError(403, "The token lacks the scope %s" % r.scope, violation=True)
        self.accept(headers)
        table = USER_TABLE if r.name.startswith("/scim/v2/Users") else GROUP_TABLE
        excl = None
        if "excludedAttributes" in q:
            excl = set()
            for a in q["excludedAttributes"].split(","):
                excl.add(resolve(table, a.strip(), "invalidValue")[:3])
        body = self.json_body(headers, raw, target) if r.method in ("POST", "PUT", "PATCH") else None
        req = Req(params, q, body, "https://" + headers.get("Host", "127.0.0.1"), excl, target)
        return getattr(self, r.fn)(req)

    # -- control ------------------------------------------------------------------
    def control(self, method, path, raw):
        """The /__mock/ endpoints -> (status, JSON bytes)."""
        want = {"/__mock/stats": "GET", "/__mock/state": "GET", "/__mock/config": "POST",
                "/__mock/reset-stats": "POST", "/__mock/login": "POST"}.get(path)
        if want is None:
            return 404, {"error": "no such control endpoint"}
        if method != want:
            return 405, {"error": "use %s" % want}
        if path == "/__mock/stats":
            return 200, dict(self.stats, late=mocklib.Handler.late,
                             rate_tokens_left={c: int(b.level) for c, b in self.buckets.items()})
        if path == "/__mock/state":
            return 200, self.state()
        if path == "/__mock/reset-stats":
            self.stats = fresh_stats()
            return 200, {}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"error": "body is not JSON"}
        if not isinstance(body, dict):
            return 400, {"error": "body must be an object"}
        return self.config(body) if path == "/__mock/config" else self.login(body)

    def config(self, body):
        for k, v in body.items():
            if k not in KNOBS and k not in ACTIONS:
                return 400, {"error": "unknown knob %s" % k}
            if k in KNOBS and not KNOBS[k](v):
                return 400, {"error": "bad value for %s" % k}
        for k, v in body.items():
            if k in KNOBS:
                self.cfg[k] = v
        if body.get("revoke_tokens"):
            for t in self.tokens.values():
                t["revoked"] = True
        if body.get("rate_reset") or "rate_scale" in body:
            self.rate_reset()
        return 200, dict(self.cfg)

    def login(self, body):
        """Test-only: does this password match the one stored for userName?"""
        uid = self.by_name.get(str(body.get("userName", "")).lower())
        pw = body.get("password")
        stored = self.users[uid]["pw"] if uid else None
        if stored and isinstance(pw, str) and hmac.compare_digest(
                hashlib.sha256(stored[0] + pw.encode()).digest(), stored[1]):
            return 200, {"ok": True}
        return 401, {"ok": False}

    def state(self):
        users = []
        for uid in self.order:
            u = self.users[uid]
            users.append(dict(self.user_view(u, PUBLIC), admin=u["admin"], hasPassword=u["pw"] is not None))
        return {"company": dict(self.company, saml=self.cfg["saml"]),
                "clients": [{"clientId": c["clientId"], "allowedScopes": c["allowedScopes"]}
                            for c in self.clients.values()],
                "users": users,
                "groups": [{"id": g["id"], "displayName": g["displayName"], "externalId": g["externalId"],
                            "members": list(g["members"])} for g in (self.groups[i] for i in self.gorder)],
                "removedUsers": list(self.removed.values()),
                "tokens": {"active": sum(1 for t in self.tokens.values()
                                         if not t["revoked"] and t["exp"] > time.monotonic())}}

    # -- entry from the HTTP handler (any thread) ------------------------------
    def serve_api(self, method, target, headers, raw, hold):
        with self.lock:
            self.stats["requests"] += 1
            self.inflight += 1
            self.stats["inflight_peak"] = max(self.stats["inflight_peak"], self.inflight)
        try:
            with self.lock:
                status, obj, out_headers, ctype = self.handle(method, target, headers, raw)
            hold(self.cfg["latency_ms"])     # the handler's injected latency
        except Exception:
            traceback.print_exc()       # a mock bug: say so, answer like a 500
            status, obj, out_headers, ctype = 500, {"schemas": [ERROR], "status": "500",
                                                    "detail": "mock error"}, {}, JSON
        finally:
            with self.lock:
                self.inflight -= 1
        return status, None if obj is None else json.dumps(obj).encode(), out_headers, ctype

    def serve_control(self, method, path, raw):
        with self.lock:
            self.stats["requests"] += 1
            status, obj = self.control(method, path, raw)
            return status, json.dumps(obj).encode(), {}, JSON


def tally(d, key):
    d[key] = d.get(key, 0) + 1


class Handler(mocklib.Handler):
    protocol_version = "HTTP/1.1"
    server_version = "IroncladMock"

    def log_message(self, *a):
        pass        # nothing is logged: bodies carry passwords and client secrets

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        app = self.server.app
        try:
            raw = self.read_body()
        except ValueError:
            self.close_connection = True
            return self.send(400, b'{"error": "unreadable body framing"}', {}, JSON)
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/__mock/"):
            return self.send(*app.serve_control(self.command, path, raw))
        self.send(*app.serve_api(self.command, self.path, self.headers, raw, self.hold))

    def send(self, status, body, headers, ctype):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mocklib.listen_arguments(ap)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--expires-in", type=int, default=3600, help="token lifetime in seconds")
    ap.add_argument("--token-limit", type=int, default=10, help="tokens per client per minute (0: no limit)")
    ap.add_argument("--rate-scale", type=float, default=1.0, help="multiplies every per-minute budget")
    ap.add_argument("--no-rate-enforce", action="store_true", help="count, but never answer 429")
    ap.add_argument("--inject-429", type=int, default=0, help="answer every Nth API request 429")
    a = ap.parse_args()
    cfg = {"latency_ms": a.latency_ms, "inject_429": a.inject_429, "inject_500": 0, "retry_after": 0,
           "expires_in": a.expires_in, "token_limit_per_min": a.token_limit, "scope_mode": "intersect",
           "rate_scale": a.rate_scale, "rate_enforce": not a.no_rate_enforce, "saml": False,
           "items_per_page": "returned", "page_cap": 0, "group_patch_status": 200,
           "response_media_type": JSON, "omit_empty_resources": False}
    with open(a.fixture, encoding="utf-8") as f:
        app = Ironclad(json.load(f), cfg)

    def setup(srv):
        srv.app = app

    mocklib.serve("ironclad", a, Handler, setup=setup)


if __name__ == "__main__":
    main()
