"""What every Atlas mock route shares: the ApiError envelope, the route
table entry with the spec's per-operation contract (media type, query
parameters, body schema, deprecation), the checks of that contract, the
1-based page envelope, the state and the read indexes.

Spec: atlas-api-transformed-v20250312023.yaml (operation ids, versions,
query parameters); enums from the raw atlas-api-v20250312005.yaml, since
the transformed spec carries none (research/api-specs.md, addendum)."""
import datetime, re, threading

V2023 = "application/vnd.atlas.2023-01-01+json"
V2023_11 = "application/vnd.atlas.2023-11-15+json"
V2024 = "application/vnd.atlas.2024-08-05+json"
V2025 = "application/vnd.atlas.2025-02-19+json"
HEX24 = r"([0-9a-f]{24})"
P = "/api/atlas/v2"

ORG_ROLES = ("ORG_OWNER", "ORG_GROUP_CREATOR", "ORG_BILLING_ADMIN",
             "ORG_BILLING_READ_ONLY", "ORG_READ_ONLY", "ORG_MEMBER")
GROUP_ROLES = ("GROUP_OWNER", "GROUP_CLUSTER_MANAGER", "GROUP_STREAM_PROCESSING_OWNER",
               "GROUP_DATA_ACCESS_ADMIN", "GROUP_DATA_ACCESS_READ_WRITE",
               "GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY", "GROUP_SEARCH_INDEX_EDITOR",
               "GROUP_BACKUP_MANAGER", "GROUP_OBSERVABILITY_VIEWER",
               "GROUP_DATABASE_ACCESS_ADMIN")
STATUSES = ("ACTIVE", "PENDING", "INVITATION_EXPIRED", "INVITATION_REJECTED")
DEFAULT_STATUSES = ("ACTIVE", "PENDING")     # "If you exclude this parameter ..."

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict", 410: "Gone",
           415: "Unsupported Media Type", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}


class ApiError(Exception):
    """An Atlas ApiError body. contract=True: the request broke the spec
    (a correct client never causes it), so it is also a violation."""

    def __init__(self, status, code, detail, headers=None, contract=False):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.reason = REASONS.get(status, "Error")
        self.headers = headers or {}
        self.contract = contract


def bad(detail, code="INVALID_ATTRIBUTE"):
    return ApiError(400, code, detail, contract=True)


# -- query parameters ---------------------------------------------------------
# Types: page/per (pageNum >= 1, itemsPerPage 1..500), bool, email, hex24,
# str, a frozenset of allowed values (one value) or a tuple of allowed
# values (an array parameter: it may repeat, up to the tuple's length).
PAGED = {"pageNum": "page", "itemsPerPage": "per", "includeCount": "bool"}
PAGED_NO_COUNT = {"pageNum": "page", "itemsPerPage": "per"}
# The raw spec declares envelope and pretty on every operation.
EVERYWHERE = {"envelope": "bool", "pretty": "bool"}


def check_query(route, q):
    allowed = dict(EVERYWHERE, **route.query)
    for name, vals in q.items():
        kind = allowed.get(name)
        if kind is None:
            raise ApiError(400, "INVALID_QUERY_PARAMETER", "Invalid query parameter %s for %s."
                           % (name, route.op), contract=True)
        if len(vals) > (len(kind) if isinstance(kind, tuple) else 1):
            raise ApiError(400, "INVALID_QUERY_PARAMETER", "Query parameter %s given %d times."
                           % (name, len(vals)), contract=True)
        for v in vals:
            check_value(name, kind, v)


def check_value(name, kind, v):
    ok = True
    if kind in ("page", "per"):
        try:
            n = int(v)
        except ValueError:
            raise bad("pageNum and itemsPerPage must be integers.", "INVALID_PARAMETER")
        if kind == "page" and n < 1:
            raise bad("Invalid parameter pageNum: must be >= 1.", "INVALID_PARAMETER")
        if kind == "per" and not 1 <= n <= 500:
            raise bad("Invalid parameter itemsPerPage: must be 1..500.", "INVALID_PARAMETER")
    elif kind == "bool":
        ok = v in ("true", "false")
    elif kind == "email":
        ok = re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) is not None
    elif kind == "hex24":
        ok = re.fullmatch(HEX24, v) is not None
    elif isinstance(kind, (tuple, frozenset)):
        ok = v in kind
    if not ok:
        raise bad("Invalid value %r for query parameter %s." % (v, name), "INVALID_PARAMETER")


def flag(q, name):
    return q.get(name, ["false"])[0] == "true"


def statuses(q):
    """orgMembershipStatuses (repeatable) or the deprecated single
    orgMembershipStatus; the spec forbids giving both."""
    if "orgMembershipStatus" in q and "orgMembershipStatuses" in q:
        raise bad("orgMembershipStatuses cannot be combined with orgMembershipStatus.",
                  "INVALID_PARAMETER")
    return tuple(q.get("orgMembershipStatuses") or q.get("orgMembershipStatus")
                 or DEFAULT_STATUSES)


# -- bodies -------------------------------------------------------------------
# A schema is "str", "email", "hex24", "name" (a cluster name), "bool",
# "int", a tuple of allowed strings, ["list", item, min_items, unique], or
# {"props": {}, "req": []}; an attribute the schema lacks is refused.
def obj(props, req=()):
    return {"props": props, "req": tuple(req)}


def arr(item, min_items=0, unique=False):
    return ["list", item, min_items, unique]


LINKS = arr(obj({"href": "str", "rel": "str"}))     # readOnly: a copied answer may carry them


def check_body(schema, v, where="body"):
    if isinstance(schema, dict):
        if not isinstance(v, dict):
            raise bad("Attribute %s must be an object." % where)
        for k in v:
            if k not in schema["props"]:
                raise bad("Invalid attribute %s specified." % k)
        for k in schema["req"]:
            if k not in v:
                raise bad("The required attribute %s was not specified." % k, "MISSING_ATTRIBUTE")
        for k, sub in schema["props"].items():
            if k in v:
                check_body(sub, v[k], k)
    elif isinstance(schema, list):
        if not isinstance(v, list):
            raise bad("Attribute %s must be an array." % where)
        if len(v) < schema[2]:
            raise bad("Attribute %s needs at least %d item(s)." % (where, schema[2]))
        if schema[3] and len({repr(x) for x in v}) != len(v):
            raise bad("Attribute %s has duplicate items." % where)
        for x in v:
            check_body(schema[1], x, where)
    elif isinstance(schema, tuple):
        if v not in schema:
            raise bad("An invalid enumeration value %s was specified." % v, "INVALID_ENUM_VALUE")
    else:
        check_scalar(schema, v, where)


def check_scalar(kind, v, where):
    ok = {"str": isinstance(v, str), "bool": isinstance(v, bool),
          "int": isinstance(v, int) and not isinstance(v, bool),
          "email": isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v),
          "hex24": isinstance(v, str) and re.fullmatch(HEX24, v),
          "name": isinstance(v, str) and re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*", v)}[kind]
    if not ok:
        raise bad("Attribute %s has an invalid value." % where)


# -- routes ---------------------------------------------------------------
PARAM_RX = {"databaseName": r"([^/]+)", "username": r"([^/]+)", "processId": r"([^/]+)",
            "roleName": r"([^/]+)", "identityProviderId": r"([0-9a-f]{20}|[0-9a-f]{24})"}


class Route:
    """One spec operation. need: ("org"|"group", level) checked against
    the credential's roles for the first path id, or None."""

    def __init__(self, method, template, op, version, fn, query=None, body=None,
                 need=None, sunset=None):
        self.method, self.template, self.op, self.version = method, template, op, version
        self.fn, self.query, self.body, self.need, self.sunset = fn, query or {}, body, need, sunset
        rx = re.sub(r"\{(\w+)\}", lambda m: PARAM_RX.get(m.group(1), HEX24), template)
        self.rx = re.compile(P + rx)


def page(items, q, count=True, view=None, unpaged=False):
    """One page of items (parameters already checked); view renders only
    that page's items. unpaged: the operation takes no paging parameters
    and answers everything in one envelope."""
    num = int(q.get("pageNum", ["1"])[0])
    per = (len(items) or 1) if unpaged else int(q.get("itemsPerPage", ["100"])[0])
    start = (num - 1) * per
    out = {"links": [{"href": "https://cloud.mongodb.com/api/atlas/v2?pageNum=%d" % num,
                      "rel": "self"}], "results": [view(i) if view else i for i in items[start:start + per]]}
    if start + per < len(items):
        out["links"].append({"href": "https://cloud.mongodb.com/api/atlas/v2?pageNum=%d" % (num + 1),
                             "rel": "next"})
    if count and q.get("includeCount", ["true"])[0] != "false":
        out["totalCount"] = len(items)
    return out


def today(st):
    return st.today or datetime.date.today().isoformat()


# -- state ------------------------------------------------------------------
class State:
    def __init__(self, fx):
        self.lock = threading.RLock()
        self.orgs = {o["id"]: o for o in fx["orgs"]}
        self.users = {u["id"]: u for u in fx["users"]}
        self.projects = {p["id"]: p for p in fx["projects"]}
        self.project_users = {g: dict(m) for g, m in fx["projectUsers"].items()}
        self.project_teams = {g: dict(m) for g, m in fx.get("projectTeams", {}).items()}
        self.teams = {t["id"]: t for t in fx["teams"]}
        self.dbusers = {(d["groupId"], d["databaseName"], d["username"]): d
                        for d in fx["databaseUsers"]}
        self.custom_roles = {g: list(r) for g, r in fx.get("customDbRoles", {}).items()}
        self.clusters = fx["clusters"]
        self.apikeys = fx.get("apiKeys", [])
        self.federations = fx.get("federations", [])
        self.creds = {c["publicKey"]: c for c in fx["credentials"]}
        self.sa = {c["clientId"]: c for c in fx.get("serviceAccounts", [])}
        self.tokens = {}        # token -> (expiry, clientId)
        self.nonces = {}
        self.stats = {}
        self.reset_stats()
        self.inject_429 = 0
        self.retry_after = 1
        self.nonce_ttl = 300
        self.nonce_max_uses = 0
        self.token_ttl = 3600
        self.algorithm = "MD5"
        self.latency_ms = 0
        self.fail_routes = {}   # operationId -> status, answered instead
        self.limit_routes = {}  # operationId -> [n, seconds]: n 429s first
        self.commit_then_5xx = None
        self.today = None       # ISO date override for x-sunset checks
        self.generation = 0     # bumped by every write, for cached views

    def reset_stats(self):
        self.stats.update({"requests": 0, "api_requests": 0, "challenges": 0, "stale": 0,
                           "tokens_issued": 0, "rate_limited": 0, "by_route": {}, "route_times": {},
                           "auth_seen": {}, "violations": [], "violations_dropped": 0,
                           "commit_then_5xx_fired": 0, "mutations": 0, "mock_errors": 0})

    def violation(self, line):
        # Capped: a runaway client must not grow the mock without bound.
        if len(self.stats["violations"]) < 1000:
            self.stats["violations"].append(line)
        else:
            self.stats["violations_dropped"] += 1


class Index:
    """Read views of the state, rebuilt once per write generation, so a
    listing costs its page and not a scan of every user or project."""

    def __init__(self, st):
        self.org_users, self.by_name, self.gra, self.teams_of = {}, {}, {}, {}
        for u in st.users.values():
            self.org_users.setdefault(u["orgId"], []).append(u)
            self.by_name[(u["orgId"], u["username"].lower())] = u
        for g, m in st.project_users.items():
            for uid, roles in m.items():
                self.gra.setdefault(uid, []).append({"groupId": g, "groupRoles": roles})
        self.org_teams = {}
        for t in st.teams.values():
            self.org_teams.setdefault(t["orgId"], []).append(t)
            for uid in t["users"]:
                self.teams_of.setdefault(uid, []).append(t["id"])
        self.projects, self.org_projects = list(st.projects.values()), {}
        for p in self.projects:
            self.org_projects.setdefault(p["orgId"], []).append(p)
        self.group_dbusers = {}
        for d in st.dbusers.values():
            self.group_dbusers.setdefault(d["groupId"], []).append(d)
        self.group_clusters, self.hosts = {}, {}
        for c in st.clusters:
            self.group_clusters.setdefault(c["groupId"], []).append(c)
            self.hosts[(c["groupId"], host_of(c) + ":27017")] = c
        self.filtered = {}      # filtered listings, filled on demand

    def users_with(self, kind, key, sts, source):
        k = (kind, key, sts)
        if k not in self.filtered:
            self.filtered[k] = [u for u in source if u["orgMembershipStatus"] in sts]
        return self.filtered[k]


def host_of(c):
    return "%s-shard-00-00.ab12c.mongodb.net" % c["name"].lower()
