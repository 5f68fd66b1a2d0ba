#!/usr/bin/env python3
"""Self-test of the Atlas mock: starts it on ephemeral loopback ports with
a throw-away CA (tests/lib/testca.sh), drives every route over TLS with a
Digest and an OAuth2 client of its own (good requests, every error path,
paging to the end, 429s, stale nonces, faults, concurrent latency), and
checks each answer's body against the spec's response schema when the
spec is there (../shared/specs beside the repository; that part counts
as one skip when it is not). Ends with "N passed, N failed[, 1 skipped]"
and exits non-zero on any failure."""
import hashlib, http.client, json, os, re, secrets, shutil, ssl, subprocess, sys, tempfile
import threading, time, traceback, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True    # no __pycache__ beside the sources
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SPEC = os.path.join(TOP, "..", "shared", "specs", "mongodb-atlas",
                    "atlas-api-transformed-v20250312023.yaml")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from core import P, State, V2023, V2023_11, V2024, V2025  # noqa: E402
import gen_fixture as G  # noqa: E402
from server import Api  # noqa: E402

ORG, P0, P1, P2 = "a00000000000000000000001", "c00000000000000000000001", "c00000000000000000000002", \
    "c00000000000000000000003"
T1, T2 = "d00000000000000000000001", "d00000000000000000000002"
ALICE, BOB, CAROL, DAVE, ERIN, FRANK = ("b0000000000000000000000%d" % i for i in range(1, 7))
RP = [p["id"] for p in G.rich_projects()]
# addTeamUsers keeps the mock's historic answer (org user views), which is
# not the spec's PaginatedApiAppUser (it requires password, mobileNumber).
NO_SCHEMA = {"addTeamUsers"}


class Checks:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        return cond


T = Checks()


# -- spec schemas -------------------------------------------------------------------
class Spec:
    """A $ref-resolving type/required/properties checker over the spec's
    response schemas, with x-xgen-discriminator (fields per variant)."""

    def __init__(self, path):
        import yaml
        with open(path) as f:
            self.doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.checked = 0

    def ref(self, s):
        while isinstance(s, dict) and "$ref" in s:
            node = self.doc
            for part in s["$ref"][2:].split("/"):
                node = node[part]
            s = node
        return s

    def schema_for(self, method, template, status, ctype):
        op = self.doc["paths"][P + template][method.lower()]
        resp = self.ref(op["responses"].get(str(status)) or op["responses"].get(status))
        if resp is None:
            return "undeclared status %s" % status
        content = resp.get("content", {}).get(ctype)
        return None if content is None else content.get("schema")

    def check(self, schema, v, where="$"):
        s = self.ref(schema)
        errs = []
        if not s:
            return errs
        for sub in s.get("allOf", []):
            errs += self.check(sub, v, where)
        t = s.get("type")
        want = {"object": dict, "array": list, "string": str, "boolean": bool,
                "integer": int, "number": (int, float)}.get(t)
        if want and (not isinstance(v, want) or (t in ("integer", "number") and isinstance(v, bool))):
            return errs + ["%s: %r is not %s" % (where, v, t)]
        if isinstance(v, str) and "pattern" in s:
            try:
                if re.search(s["pattern"], v) is None:
                    errs.append("%s: %r does not match %s" % (where, v, s["pattern"]))
            except re.error:
                pass
        if isinstance(v, list) and "items" in s:
            for i, x in enumerate(v):
                errs += self.check(s["items"], x, "%s[%d]" % (where, i))
        if isinstance(v, dict):
            errs += self.check_object(s, v, where)
        return errs

    def check_object(self, s, v, where):
        props = s.get("properties", {})
        # A writeOnly property (CloudDatabaseUser.groupId) is required in
        # requests only.
        errs = ["%s: missing %s" % (where, k) for k in s.get("required", [])
                if k not in v and not self.ref(props.get(k, {})).get("writeOnly")]
        disc = s.get("x-xgen-discriminator")
        if disc and v.get(disc["propertyName"]) in disc["mapping"]:
            variant = disc["mapping"][v[disc["propertyName"]]]
            errs += ["%s: missing %s (variant)" % (where, k) for k in variant.get("required", []) if k not in v]
            other = {p for m in disc["mapping"].values() for p in m.get("properties", [])}
            errs += ["%s: %s belongs to another variant" % (where, k) for k in v
                     if k in other and k not in variant.get("properties", [])]
        for k, x in v.items():
            if k in props:
                errs += self.check(props[k], x, where + "." + k)
            elif props and not s.get("additionalProperties"):
                errs.append("%s: %s is not in the schema" % (where, k))
        return errs

    def validate(self, route, status, ctype, body):
        schema = self.schema_for(route.method, route.template, status, ctype)
        if isinstance(schema, str) and status >= 400:
            # 405/406/410/415 and a proxy's 5xx: not declared per operation,
            # but Atlas answers them with the same ApiError.
            schema = {"$ref": "#/components/schemas/ApiError"}
        if isinstance(schema, str):
            return T.ok("schema %s %s" % (route.op, status), False, schema)
        if schema is None or route.op in NO_SCHEMA:
            return True
        self.checked += 1
        errs = self.check(schema, body)
        return T.ok("schema %s %s" % (route.op, status), not errs, "; ".join(errs[:5]))


SPECS = None
ROUTES = Api(State(G.small())).routes


def test_routes_match_spec():
    """Each route's operation id, media type, query parameters and
    deprecation are the spec's, for its method."""
    doc, params = SPECS.doc, SPECS.doc["components"]["parameters"]
    for r in ROUTES:
        op = doc["paths"].get(P + r.template, {}).get(r.method.lower())
        if not T.ok("spec has %s %s" % (r.method, r.template), op is not None):
            continue
        types = {t for code, resp in op["responses"].items() if str(code).startswith("2")
                 for t in SPECS.ref(resp).get("content", {})}
        types |= set(op.get("requestBody", {}).get("content", {}))
        query = {p["name"] for p in (SPECS.ref(x) for x in op.get("parameters", [])) if p["in"] == "query"}
        sunset = op.get("x-sunset")
        T.ok("route %s is the spec's" % r.op, op["operationId"] == r.op and types == {r.version}
             and query == set(r.query) and bool(op.get("deprecated")) == bool(r.sunset)
             and (str(sunset) if sunset else None) == r.sunset,
             "%s %s %s" % (types, query ^ set(r.query), sunset))


def route_of(method, path):
    for r in ROUTES:
        if r.method == method and r.rx.fullmatch(path):
            return r
    return None


# -- client ---------------------------------------------------------------------
class Resp:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return (self.json or {}).get("errorCode") if isinstance(self.json, dict) else None


class Client:
    """One keep-alive TLS connection; Digest (MD5 or SHA-256, with nonce
    reuse and nc counting) or a Bearer token."""

    def __init__(self, mock, user="pubkey01", pw="priv-5e3c-4b2a", token=None):
        self.mock, self.user, self.pw, self.token = mock, user, pw, token
        self.conn = None
        self.nonce, self.nc, self.algo, self.realm = None, 0, "MD5", ""
        self.challenges = 0

    def raw(self, method, path, headers, body=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection("127.0.0.1", self.mock.port, context=self.mock.ctx,
                                                        timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def digest(self, method, path):
        H = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[self.algo]
        self.nc += 1
        nc, cnonce = "%08x" % self.nc, secrets.token_hex(8)
        h1 = H(("%s:%s:%s" % (self.user, self.realm, self.pw)).encode()).hexdigest()
        h2 = H(("%s:%s" % (method, path)).encode()).hexdigest()
        resp = H(("%s:%s:%s:%s:auth:%s" % (h1, self.nonce, nc, cnonce, h2)).encode()).hexdigest()
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, qop=auth, '
                'nc=%s, cnonce="%s", response="%s"' % (self.user, self.realm, self.nonce, path,
                                                       self.algo, nc, cnonce, resp))

    def call(self, method, path, accept=V2023, body=None, ctype=None, headers=None):
        hdr = {"Accept": accept} if accept else {}
        hdr.update(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdr["Content-Type"] = ctype or accept
        for _ in range(4):
            if self.token:
                hdr["Authorization"] = "Bearer " + self.token
            elif self.nonce:
                hdr["Authorization"] = self.digest(method, path)
            r = self.raw(method, path, hdr, data)
            challenge = r.headers.get("www-authenticate", "")
            if r.status != 401 or not challenge.startswith("Digest") or self.token:
                break
            self.challenges += 1
            f = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge[7:]))
            self.nonce, self.nc, self.algo, self.realm = f["nonce"], 0, f.get("algorithm", "MD5"), f["realm"]
        self.validate(method, path, r)
        return r

    def validate(self, method, path, r):
        route = route_of(method, urllib.parse.urlsplit(path).path)
        if SPECS is None or route is None or r.status in (401, 429) or "envelope=true" in path:
            return
        ctype = r.headers.get("content-type", route.version)
        if r.status == 204:
            return
        SPECS.validate(route, r.status, ctype, r.json)


# -- the mock process ----------------------------------------------------------------
class Mock:
    def __init__(self, tmp, name, fixture, *args):
        self.tmp = tmp
        ca = os.path.join(tmp, "ca")
        self.ctx = ssl.create_default_context(cafile=os.path.join(ca, "ca.pem"))
        portfile = os.path.join(tmp, name + ".port")
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"),
                                      "--cert", os.path.join(ca, "server.pem"),
                                      "--key", os.path.join(ca, "server.key"),
                                      "--port-file", portfile, "--fixture", fixture] + list(args),
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(200):
            if os.path.exists(portfile):
                break
            time.sleep(0.05)
        self.port = int(open(portfile).read())
        self.ctl = Client(self)
        self.seen = 0

    def control(self, method, path, body=None):
        r = self.ctl.raw(method, "/__mock/" + path, {"Content-Type": "application/json"},
                         None if body is None else json.dumps(body).encode())
        return r

    def stats(self):
        return self.control("GET", "stats").json

    def state(self):
        return self.control("GET", "state").json

    def config(self, **kw):
        return self.control("POST", "config", kw)

    def violations(self, name, n=0, contains=None):
        """The violations since the last call: exactly n new lines."""
        v = self.stats()["violations"]
        new, self.seen = v[self.seen:], len(v)
        T.ok("violations: " + name, len(new) == n and (contains is None or all(contains in x for x in new)),
             "got %r" % new)
        return new

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def expect(name, r, status, code=None):
    return T.ok(name, r.status == status and (code is None or r.code == code),
                "got %s %s %s" % (r.status, r.code, r.raw[:200]))


def pages(c, path, accept, per, total=None):
    """Every page of a listing; checks the envelope on the way."""
    out, num = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        r = c.call("GET", "%s%sitemsPerPage=%d&pageNum=%d" % (path, sep, per, num), accept)
        if r.status != 200:
            T.ok("page %s %d" % (path, num), False, "status %s" % r.status)
            return out
        res = r.json["results"]
        out += res
        more = any(link["rel"] == "next" for link in r.json["links"])
        if total is not None:
            T.ok("totalCount %s" % path, r.json.get("totalCount") == total, str(r.json.get("totalCount")))
        T.ok("next link %s %d" % (path, num), more == (len(res) == per and len(out) < (total or 1 << 30)))
        if len(res) < per or not more:
            return out
        num += 1


# -- small fixture: every route and error path ------------------------------------------
def test_auth(m):
    c = Client(m)
    r = c.raw("GET", P + "/orgs", {"Accept": V2023})
    h = r.headers.get("www-authenticate", "")
    expect("no credentials: 401", r, 401, "UNAUTHORIZED")
    T.ok("challenge names realm, qop, MD5", 'realm="MMS Public API"' in h and 'qop="auth"' in h
         and "algorithm=MD5" in h and "stale=false" in h, h)
    expect("digest MD5", c.call("GET", P + "/orgs"), 200)
    n = c.challenges
    c.call("GET", P + "/orgs")
    T.ok("nonce reused without a new challenge", c.challenges == n)
    bad = Client(m, pw="wrong")
    expect("wrong private key: 401", bad.call("GET", P + "/orgs"), 401, "UNAUTHORIZED")
    c.nc = 0
    expect("replayed nc: challenged, then fine", c.call("GET", P + "/orgs"), 200)
    m.config(algorithm="SHA-256")
    s = Client(m)
    expect("digest SHA-256", s.call("GET", P + "/orgs"), 200)
    T.ok("SHA-256 challenge", s.algo == "SHA-256")
    m.config(algorithm="MD5", nonce_max_uses=1)
    before = m.stats()["stale"]
    c2 = Client(m)
    for i in range(3):
        expect("stale nonce round %d" % i, c2.call("GET", P + "/orgs"), 200)
    T.ok("stale=true challenges counted", m.stats()["stale"] >= before + 2)
    m.config(nonce_max_uses=0)
    test_oauth(m)
    m.violations("auth")


def test_oauth(m):
    form = "grant_type=client_credentials&client_id=mdb_sa_id_test&client_secret=mdb_sa_sk_test"
    hdr = {"Content-Type": "application/x-www-form-urlencoded"}
    c = Client(m)
    r = c.raw("POST", "/api/oauth/token", hdr, form.encode())
    T.ok("token issued", r.status == 200 and r.json.get("token_type") == "Bearer", r.raw)
    b = Client(m, token=r.json["access_token"])
    expect("bearer call", b.call("GET", P + "/orgs"), 200)
    T.ok("auth_seen names the service account",
         m.stats()["auth_seen"]["listOrgs"].get("oauth:mdb_sa_id_test", 0) >= 1)
    expect("bad client secret", c.raw("POST", "/api/oauth/token", hdr, form.replace("sk_test", "x").encode()),
           401)
    expect("bad grant", c.raw("POST", "/api/oauth/token", hdr, b"grant_type=password"), 400)
    expect("token by GET: 405", c.raw("GET", "/api/oauth/token", {}), 405)
    m.violations("token by GET", 1)
    expect("bad token", Client(m, token="nope").call("GET", P + "/orgs"), 401, "UNAUTHORIZED")
    m.config(token_ttl=-1)
    r = c.raw("POST", "/api/oauth/token", hdr, form.encode())
    expect("expired token", Client(m, token=r.json["access_token"]).call("GET", P + "/orgs"), 401)
    m.config(token_ttl=3600)


def test_contract(m, c):
    """Requests Atlas rejects: each answered as Atlas would, each one
    violation line."""
    u = P + "/orgs/%s/users" % ORG
    cases = [
        ("pageNum=0", c.call("GET", u + "?pageNum=0", V2025), 400, "INVALID_PARAMETER"),
        ("itemsPerPage=501", c.call("GET", u + "?itemsPerPage=501", V2025), 400, "INVALID_PARAMETER"),
        ("pageNum=x", c.call("GET", u + "?pageNum=x", V2025), 400, "INVALID_PARAMETER"),
        ("empty pageNum", c.call("GET", u + "?pageNum=", V2025), 400, "INVALID_PARAMETER"),
        ("includeCount=yes", c.call("GET", u + "?includeCount=yes", V2025), 400, "INVALID_PARAMETER"),
        ("unknown parameter", c.call("GET", u + "?foo=1", V2025), 400, "INVALID_QUERY_PARAMETER"),
        ("repeated pageNum", c.call("GET", u + "?pageNum=1&pageNum=2", V2025), 400, "INVALID_QUERY_PARAMETER"),
        ("bad username filter", c.call("GET", u + "?username=not-an-email", V2025), 400, "INVALID_PARAMETER"),
        ("both status filters", c.call("GET", u + "?orgMembershipStatus=ACTIVE&orgMembershipStatuses=PENDING",
                                       V2025), 400, "INVALID_PARAMETER"),
        ("bad status", c.call("GET", u + "?orgMembershipStatuses=GONE", V2025), 400, "INVALID_PARAMETER"),
        ("includeCount on listTeamUsers", c.call("GET", P + "/orgs/%s/teams/%s/users?includeCount=true"
                                                 % (ORG, T1), V2025), 400, "INVALID_QUERY_PARAMETER"),
        ("wrong version", c.call("GET", u, V2023), 406, "INVALID_VERSION_DATE"),
        ("newer version than declared", c.call("GET", P + "/orgs", V2025), 406, "INVALID_VERSION_DATE"),
        ("plain json", c.call("GET", P + "/orgs", "application/json"), 406, "INVALID_VERSION_DATE"),
        ("no Accept", c.call("GET", P + "/orgs", None), 406, "INVALID_VERSION_DATE"),
        ("wrong Content-Type", c.call("POST", u, V2025, {"username": "x@example.com", "roles": {"orgRoles": [
            "ORG_MEMBER"]}}, ctype="application/json"), 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("malformed JSON", c.call("POST", u, V2025, b"{nope"), 400, "INVALID_JSON"),
        ("no body", c.call("POST", u, V2025, b""), 400, "MISSING_ATTRIBUTE"),
        ("missing username", c.call("POST", u, V2025, {"roles": {"orgRoles": ["ORG_MEMBER"]}}), 400,
         "MISSING_ATTRIBUTE"),
        ("unknown attribute", c.call("POST", u, V2025, {"username": "x@example.com", "roles": {
            "orgRoles": ["ORG_MEMBER"]}, "nickname": "x"}), 400, "INVALID_ATTRIBUTE"),
        ("bad org role", c.call("POST", u, V2025, {"username": "x@example.com", "roles": {
            "orgRoles": ["ORG_GOD"]}}), 400, "INVALID_ENUM_VALUE"),
        ("empty orgRoles", c.call("POST", u, V2025, {"username": "x@example.com", "roles": {"orgRoles": []}}),
         400, "INVALID_ATTRIBUTE"),
        ("duplicate orgRoles", c.call("POST", u, V2025, {"username": "x@example.com", "roles": {
            "orgRoles": ["ORG_MEMBER", "ORG_MEMBER"]}}), 400, "INVALID_ATTRIBUTE"),
        ("wrong type", c.call("POST", u, V2025, {"username": 7, "roles": {"orgRoles": ["ORG_MEMBER"]}}), 400,
         "INVALID_ATTRIBUTE"),
        ("wrong method", c.call("PUT", P + "/orgs", V2023, {}), 405, "METHOD_NOT_ALLOWED"),
        ("unknown path", c.call("GET", P + "/nothing", V2023), 404, "RESOURCE_NOT_FOUND"),
        ("id not 24 hex", c.call("GET", P + "/orgs/xyz/users", V2025), 404, "RESOURCE_NOT_FOUND"),
        ("unencoded / in a username", c.call("GET", P + "/groups/%s/databaseUsers/$external/arn:aws:iam::1:role/x"
                                             % P0), 404, "RESOURCE_NOT_FOUND"),
    ]
    for name, r, status, code in cases:
        expect("contract: " + name, r, status, code)
    m.violations("one per contract break", len(cases))


def test_paging(m, c):
    users = pages(c, P + "/orgs/%s/users" % ORG, V2025, 3, total=8)
    T.ok("paged to the end, each user once", len({u["id"] for u in users}) == 8)
    r = c.call("GET", P + "/orgs/%s/users?includeCount=false" % ORG, V2025)
    T.ok("includeCount=false drops totalCount", r.status == 200 and "totalCount" not in r.json)
    r = c.call("GET", P + "/orgs/%s/users?pageNum=9" % ORG, V2025)
    T.ok("a page past the end is empty", r.status == 200 and r.json["results"] == [])
    r = c.call("GET", P + "/orgs/%s/users?username=bob@example.com" % ORG, V2025)
    T.ok("username filter", [u["id"] for u in r.json["results"]] == [BOB])
    r = c.call("GET", P + "/orgs/%s/users?orgMembershipStatuses=PENDING" % ORG, V2025)
    T.ok("status filter", [u["orgMembershipStatus"] for u in r.json["results"]] == ["PENDING"])
    r = c.call("GET", P + "/orgs/%s/users?pretty=true&envelope=true" % ORG, V2025)
    T.ok("pretty, envelope on a list", r.status == 200 and r.json.get("status") == 200 and b"\n" in r.raw)
    r = c.call("GET", P + "/orgs/%s/users/%s?envelope=true" % (ORG, BOB), V2025)
    T.ok("envelope on one result", r.json.get("status") == 200 and r.json["content"]["id"] == BOB)
    m.violations("paging")


def test_org_users(m, c):
    u = P + "/orgs/%s/users" % ORG
    r = c.call("GET", u + "/" + BOB, V2025)
    T.ok("org user view", r.status == 200 and r.json["roles"]["orgRoles"] == ["ORG_MEMBER"]
         and r.json["teamIds"] == [T2])
    expect("unknown user", c.call("GET", u + "/ffffffffffffffffffffffff", V2025), 404, "USER_NOT_FOUND")
    expect("unknown org", c.call("GET", P + "/orgs/ffffffffffffffffffffffff/users", V2025), 404, "ORG_NOT_FOUND")
    r = c.call("POST", u, V2025, {"username": "new@example.com", "roles": {"orgRoles": ["ORG_READ_ONLY"],
                                                                           "groupRoleAssignments": [{
                                                                               "groupId": P1, "groupRoles": [
                                                                                   "GROUP_READ_ONLY"]}]},
                                  "teamIds": [T1]})
    expect("invite: 201", r, 201)
    new = r.json["id"]
    T.ok("invitee is PENDING with its team and project role", r.json["orgMembershipStatus"] == "PENDING"
         and r.json["teamIds"] == [T1] and r.json["roles"]["groupRoleAssignments"] == [
             {"groupId": P1, "groupRoles": ["GROUP_READ_ONLY"]}], r.raw)
    expect("invite again: 409", c.call("POST", u, V2025, {"username": "NEW@example.com", "roles": {
        "orgRoles": ["ORG_MEMBER"]}}), 409, "USER_ALREADY_IN_ORG")
    expect("invite to an unknown team", c.call("POST", u, V2025, {"username": "t@example.com", "roles": {
        "orgRoles": ["ORG_MEMBER"]}, "teamIds": ["ffffffffffffffffffffffff"]}), 404, "TEAM_NOT_FOUND")
    r = c.call("PATCH", u + "/" + new, V2025, {"roles": {"orgRoles": ["ORG_MEMBER"]}, "teamIds": [T2]})
    T.ok("PATCH roles and teams", r.status == 200 and r.json["roles"]["orgRoles"] == ["ORG_MEMBER"]
         and r.json["teamIds"] == [T2], r.raw)
    expect("PATCH roles without orgRoles", c.call("PATCH", u + "/" + new, V2025, {"roles": {
        "groupRoleAssignments": []}}), 400, "MISSING_ATTRIBUTE")
    m.violations("PATCH without orgRoles", 1)
    r = c.call("POST", u + "/%s:addRole" % new, V2025, {"orgRole": "ORG_BILLING_ADMIN"})
    T.ok(":addRole", r.status == 200 and r.json["roles"]["orgRoles"] == ["ORG_MEMBER", "ORG_BILLING_ADMIN"])
    r = c.call("POST", u + "/%s:addRole" % new, V2025, {"orgRole": "ORG_BILLING_ADMIN"})
    T.ok(":addRole of a held role changes nothing", r.status == 200 and len(r.json["roles"]["orgRoles"]) == 2)
    r = c.call("POST", u + "/%s:removeRole" % new, V2025, {"orgRole": "ORG_MEMBER"})
    T.ok(":removeRole", r.status == 200 and r.json["roles"]["orgRoles"] == ["ORG_BILLING_ADMIN"])
    expect(":removeRole of the last role", c.call("POST", u + "/%s:removeRole" % new, V2025, {
        "orgRole": "ORG_BILLING_ADMIN"}), 400, "CANNOT_REMOVE_LAST_ROLE")
    expect(":removeRole of a role not held", c.call("POST", u + "/%s:removeRole" % new, V2025, {
        "orgRole": "ORG_OWNER"}), 400, "ROLE_NOT_FOUND")
    expect(":addRole with a bad role", c.call("POST", u + "/%s:addRole" % new, V2025, {"orgRole": "X"}),
           400, "INVALID_ENUM_VALUE")
    m.violations("bad role", 1)
    r = c.call("PUT", u + "/%s/roles" % new, V2023, {"orgRoles": ["ORG_READ_ONLY"]})
    T.ok("deprecated PUT roles: served", r.status == 200 and r.json["orgRoles"] == ["ORG_READ_ONLY"])
    m.violations("deprecated PUT roles", 1, "deprecated operation updateOrgUserRoles")
    expect("GET on the roles path: 405", c.call("GET", u + "/%s/roles" % new, V2023), 405)
    m.violations("GET roles", 1)
    expect("remove org user", c.call("DELETE", u + "/" + new, V2025), 204)
    expect("removed user is gone", c.call("GET", u + "/" + new, V2025), 404, "USER_NOT_FOUND")
    m.violations("org users")


def test_teams(m, c):
    t = P + "/orgs/%s/teams" % ORG
    r = c.call("GET", t)
    T.ok("teams", r.status == 200 and [x["name"] for x in r.json["results"]] == ["admins", "devs"])
    r = c.call("GET", t + "/%s/users" % T2, V2025)
    T.ok("team users, no totalCount", r.status == 200 and "totalCount" not in r.json
         and {x["id"] for x in r.json["results"]} == {BOB, CAROL, ERIN})
    r = c.call("GET", t + "/%s/users?userId=%s" % (T2, CAROL), V2025)
    T.ok("team users by userId", [x["id"] for x in r.json["results"]] == [CAROL])
    r = c.call("POST", t + "/%s/users" % T1, V2023, [{"id": FRANK}])
    expect("deprecated addTeamUsers: served", r, 200)
    m.violations("addTeamUsers", 1, "(x-sunset 2027-07-01)")
    expect("addTeamUsers again: 409", c.call("POST", t + "/%s/users" % T1, V2023, [{"id": FRANK}]), 409,
           "USER_ALREADY_IN_TEAM")
    expect("removeUserFromTeam", c.call("DELETE", t + "/%s/users/%s" % (T1, FRANK), V2023), 204)
    expect("removeUserFromTeam again: 404", c.call("DELETE", t + "/%s/users/%s" % (T1, FRANK), V2023), 404,
           "USER_NOT_IN_TEAM")
    m.violations("deprecated team ops", 3, "deprecated operation")
    r = c.call("POST", t + "/%s:addUser" % T1, V2025, {"id": FRANK})
    T.ok(":addUser", r.status == 200 and T1 in r.json["teamIds"], r.raw)
    expect(":addUser again changes nothing", c.call("POST", t + "/%s:addUser" % T1, V2025, {"id": FRANK}), 200)
    r = c.call("POST", t + "/%s:removeUser" % T1, V2025, {"id": FRANK})
    T.ok(":removeUser", r.status == 200 and T1 not in r.json["teamIds"])
    expect(":removeUser again: 404", c.call("POST", t + "/%s:removeUser" % T1, V2025, {"id": FRANK}), 404,
           "USER_NOT_IN_TEAM")
    expect(":addUser of a stranger", c.call("POST", t + "/%s:addUser" % T1, V2025, {
        "id": "ffffffffffffffffffffffff"}), 404, "USER_NOT_IN_ORG")
    expect(":addUser to an unknown team", c.call("POST", t + "/ffffffffffffffffffffffff:addUser", V2025, {
        "id": FRANK}), 404, "TEAM_NOT_FOUND")
    expect(":addUser with a bad id", c.call("POST", t + "/%s:addUser" % T1, V2025, {"id": "frank"}), 400,
           "INVALID_ATTRIBUTE")
    m.violations("bad id", 1)
    m.violations("teams")


def test_project_users(m, c):
    g = P + "/groups/%s/users" % P0
    r = c.call("GET", g, V2025)
    T.ok("project users", r.status == 200 and r.json["totalCount"] == 2)
    r = c.call("POST", g, V2025, {"username": "carol@example.com", "roles": ["GROUP_READ_ONLY"]})
    T.ok("add project user: 201", r.status == 201 and r.json["roles"] == ["GROUP_READ_ONLY"], r.raw)
    expect("add again: 409", c.call("POST", g, V2025, {"username": "carol@example.com", "roles": [
        "GROUP_READ_ONLY"]}), 409, "USER_ALREADY_IN_GROUP")
    r = c.call("POST", g, V2025, {"username": "zed@example.com", "roles": ["GROUP_READ_ONLY"]})
    T.ok("add a stranger: invited to the org (201, PENDING)", r.status == 201 and any(
        u["username"] == "zed@example.com" and u["orgMembershipStatus"] == "PENDING"
        for u in m.state()["users"]), r.raw)
    r = c.call("POST", g + "/%s:addRole" % CAROL, V2025, {"groupRole": "GROUP_OWNER"})
    T.ok("project :addRole", r.status == 200 and r.json["roles"] == ["GROUP_READ_ONLY", "GROUP_OWNER"])
    r = c.call("POST", g + "/%s:removeRole" % CAROL, V2025, {"groupRole": "GROUP_READ_ONLY"})
    T.ok("project :removeRole", r.status == 200 and r.json["roles"] == ["GROUP_OWNER"])
    expect("project :removeRole of the last role", c.call("POST", g + "/%s:removeRole" % CAROL, V2025, {
        "groupRole": "GROUP_OWNER"}), 400, "CANNOT_REMOVE_LAST_ROLE")
    expect("project :removeRole not held", c.call("POST", g + "/%s:removeRole" % CAROL, V2025, {
        "groupRole": "GROUP_READ_ONLY"}), 400, "ROLE_NOT_FOUND")
    r = c.call("PUT", g + "/%s/roles" % CAROL, V2023, {"groupRoles": ["GROUP_CLUSTER_MANAGER"]})
    T.ok("deprecated project PUT roles", r.status == 200 and r.json["groupRoles"] == ["GROUP_CLUSTER_MANAGER"])
    m.violations("deprecated updateGroupUserRoles", 1, "updateGroupUserRoles")
    expect("get project user", c.call("GET", g + "/" + CAROL, V2025), 200)
    expect("remove project user", c.call("DELETE", g + "/" + CAROL, V2025), 204)
    expect("get removed project user", c.call("GET", g + "/" + CAROL, V2025), 404, "USER_NOT_FOUND")
    expect("unknown project", c.call("GET", P + "/groups/ffffffffffffffffffffffff/users", V2025), 404,
           "GROUP_NOT_FOUND")
    m.violations("project users")


def test_project_teams(m, c):
    g = P + "/groups/%s/teams" % P1
    r = c.call("GET", g)
    T.ok("no team on the project yet", r.status == 200 and r.json["results"] == [] and r.json["totalCount"] == 0)
    r = c.call("POST", g, V2023, [{"teamId": T2, "roleNames": ["GROUP_DATA_ACCESS_READ_WRITE"]}])
    T.ok("addGroupTeams", r.status == 200 and r.json["results"][0]["teamId"] == T2, r.raw)
    expect("add the same team again", c.call("POST", g, V2023, [{"teamId": T2, "roleNames": [
        "GROUP_READ_ONLY"]}]), 400, "TEAM_ALREADY_IN_GROUP")
    expect("add an unknown team", c.call("POST", g, V2023, [{"teamId": "ffffffffffffffffffffffff",
                                                              "roleNames": ["GROUP_READ_ONLY"]}]), 404,
           "TEAM_NOT_FOUND")
    expect("add without roleNames", c.call("POST", g, V2023, [{"teamId": T1}]), 400, "MISSING_ATTRIBUTE")
    expect("add with a bad role", c.call("POST", g, V2023, [{"teamId": T1, "roleNames": ["GROUP_X"]}]), 400,
           "INVALID_ENUM_VALUE")
    m.violations("bad team bodies", 2)
    r = c.call("GET", P + "/orgs/%s/users/%s" % (ORG, ERIN), V2025)
    T.ok("a team's project role is not the member's own assignment",
         r.json["roles"]["groupRoleAssignments"] == [], r.raw)
    r = c.call("GET", P + "/groups/%s/users?flattenTeams=true" % P1, V2025)
    T.ok("flattenTeams lists the team's members", {u["id"] for u in r.json["results"]} == {BOB, CAROL, ERIN})
    r = c.call("GET", P + "/groups/%s/users?includeOrgUsers=true" % P1, V2025)
    T.ok("includeOrgUsers adds owners and read-only users",
         {u["id"]: u["roles"] for u in r.json["results"]}.get(ALICE) == ["GROUP_OWNER"], r.raw)
    r = c.call("GET", g + "/" + T2)
    T.ok("getGroupTeam", r.status == 200 and r.json["roleNames"] == ["GROUP_DATA_ACCESS_READ_WRITE"])
    r = c.call("PATCH", g + "/" + T2, V2023, {"roleNames": ["GROUP_READ_ONLY", "GROUP_OWNER"]})
    T.ok("updateGroupTeam", r.status == 200 and r.json["results"][0]["roleNames"] == ["GROUP_READ_ONLY",
                                                                                       "GROUP_OWNER"])
    expect("updateGroupTeam naming another team", c.call("PATCH", g + "/" + T2, V2023, {
        "teamId": T1, "roleNames": ["GROUP_OWNER"]}), 400, "INVALID_ATTRIBUTE")
    m.violations("teamId mismatch", 1)
    expect("updateGroupTeam of an unassigned team", c.call("PATCH", g + "/" + T1, V2023, {
        "roleNames": ["GROUP_OWNER"]}), 404, "TEAM_NOT_FOUND")
    expect("removeGroupTeam", c.call("DELETE", g + "/" + T2), 204)
    expect("removed team: 404", c.call("GET", g + "/" + T2), 404, "TEAM_NOT_FOUND")
    m.violations("project teams")


def test_projects_keys(m, c):
    r = c.call("GET", P + "/groups")
    T.ok("listGroups", r.status == 200 and r.json["totalCount"] == 3)
    r = c.call("GET", P + "/orgs/%s/groups?name=STA" % ORG)
    T.ok("getOrgGroups name prefix, case-insensitive", [p["name"] for p in r.json["results"]] == ["staging"])
    r = c.call("GET", P + "/groups/" + P0)
    T.ok("getGroup with its cluster count", r.status == 200 and r.json["clusterCount"] == 2)
    expect("getGroup unknown", c.call("GET", P + "/groups/ffffffffffffffffffffffff"), 404, "GROUP_NOT_FOUND")
    r = c.call("GET", P + "/orgs?name=exam")
    T.ok("listOrgs name filter", r.json["totalCount"] == 1)
    r = c.call("GET", P + "/orgs/%s/apiKeys" % ORG)
    T.ok("org API key roles name the org", r.json["results"][0]["roles"] == [{"orgId": ORG,
                                                                              "roleName": "ORG_MEMBER"}])
    r = c.call("GET", P + "/groups/%s/apiKeys" % P0)
    T.ok("no project API keys", r.status == 200 and r.json["results"] == [])
    m.violations("projects and keys")


def test_dbusers(m, c):
    d = P + "/groups/%s/databaseUsers" % P0
    users = pages(c, d, V2023, 2, total=4)
    T.ok("database users paged", len(users) == 4 and "groupId" not in users[0])
    new = {"databaseName": "admin", "groupId": P0, "username": "svc", "password": "s3cret-pass",
           "roles": [{"databaseName": "orders", "roleName": "read", "collectionName": "items"}],
           "scopes": [{"name": "Cluster0", "type": "CLUSTER"}]}
    r = c.call("POST", d, V2023, new)
    T.ok("create: 201, no password", r.status == 201 and "password" not in r.json and
         r.json["scopes"] == new["scopes"], r.raw)
    expect("create again: 409", c.call("POST", d, V2023, new), 409, "USER_ALREADY_EXISTS")
    expect("IAM user on admin", c.call("POST", d, V2023, dict(new, username="arn:aws:iam::1:user/x",
                                                               awsIAMType="USER")), 400, "INVALID_ATTRIBUTE")
    expect("SCRAM user on $external", c.call("POST", d, V2023, dict(new, databaseName="$external")), 400,
           "INVALID_ATTRIBUTE")
    expect("groupId of another project", c.call("POST", d, V2023, dict(new, username="x", groupId=P1)), 400,
           "INVALID_ATTRIBUTE")
    expect("no roles", c.call("POST", d, V2023, {k: v for k, v in new.items() if k != "roles"}), 400,
           "MISSING_ATTRIBUTE")
    expect("bad scope type", c.call("POST", d, V2023, dict(new, username="y", scopes=[{
        "name": "Cluster0", "type": "LAKE"}])), 400, "INVALID_ENUM_VALUE")
    expect("bad scope name", c.call("POST", d, V2023, dict(new, username="y", scopes=[{
        "name": "-x", "type": "CLUSTER"}])), 400, "INVALID_ATTRIBUTE")
    expect("role without roleName", c.call("POST", d, V2023, dict(new, username="y", roles=[{
        "databaseName": "x"}])), 400, "MISSING_ATTRIBUTE")
    expect("no password", c.call("POST", d, V2023, dict({k: v for k, v in new.items() if k != "password"},
                                                         username="z")), 400, "INVALID_ATTRIBUTE")
    m.violations("database user bodies", 8)
    arn = urllib.parse.quote("arn:aws:iam::123456789012:role/etl", safe="")
    r = c.call("GET", d + "/%24external/" + arn)
    T.ok("get an encoded $external user", r.status == 200 and r.json["awsIAMType"] == "ROLE", r.raw)
    r = c.call("PATCH", d + "/admin/svc", V2023, dict(new, roles=[{"databaseName": "orders",
                                                                   "roleName": "readWrite"}], description="d"))
    T.ok("PATCH the whole user", r.status == 200 and r.json["roles"] == [{"databaseName": "orders",
                                                                           "roleName": "readWrite"}])
    expect("delete", c.call("DELETE", d + "/admin/svc"), 204)
    expect("get deleted", c.call("GET", d + "/admin/svc"), 404, "USERNAME_NOT_FOUND")
    expect("delete again", c.call("DELETE", d + "/admin/svc"), 404, "USERNAME_NOT_FOUND")
    r = c.call("GET", P + "/groups/%s/customDBRoles/roles" % P0)
    T.ok("no custom roles: a bare empty array", r.status == 200 and r.json == [])
    m.violations("database users")


def test_clusters(m, c):
    r = c.call("GET", P + "/groups/%s/clusters" % P0, V2024)
    T.ok("clusters", r.status == 200 and [x["stateName"] for x in r.json["results"]] == ["IDLE", "DELETING"])
    r = c.call("GET", P + "/groups/%s/clusters?includeDeletedWithRetainedBackups=true" % P0, V2024)
    expect("includeDeletedWithRetainedBackups is a parameter", r, 200)
    host = urllib.parse.quote("cluster0-shard-00-00.ab12c.mongodb.net:27017", safe="")
    dbs = pages(c, P + "/groups/%s/processes/%s/databases" % (P0, host), V2023, 3, total=4)
    T.ok("databases paged", [x["databaseName"] for x in dbs] == ["orders", "billing", "admin", "local"])
    expect("unknown process", c.call("GET", P + "/groups/%s/processes/x.example.net:27017/databases" % P0), 404,
           "PROCESS_NOT_FOUND")
    expect("clusters at 2023-01-01", c.call("GET", P + "/groups/%s/clusters" % P0, V2023), 406)
    m.violations("clusters at the old version", 1)


def test_faults(m, c):
    m.config(inject_429=3, retry_after=7)
    got = [c.call("GET", P + "/orgs") for _ in range(6)]
    limited = [r for r in got if r.status == 429]
    T.ok("every 3rd request is 429", len(limited) == 2, [r.status for r in got])
    T.ok("429 body and headers", all(r.code == "RATE_LIMITED" and r.headers.get("retry-after") == "7"
                                     and r.headers.get("ratelimit-remaining") == "0" for r in limited))
    T.ok("RateLimit headers on 200s", all("ratelimit-limit" in r.headers for r in got))
    m.config(inject_429=0, retry_after=1)
    d = P + "/groups/%s/databaseUsers" % P1
    m.config(commit_then_5xx={"method": "POST", "path_regex": "/databaseUsers$", "count": 1, "status": 504})
    body = {"databaseName": "admin", "groupId": P1, "username": "late", "password": "s3cret-pass",
            "roles": [{"databaseName": "admin", "roleName": "read"}]}
    expect("commit then 504", c.call("POST", d, V2023, body), 504, "GATEWAY_TIMEOUT")
    expect("the write was committed", c.call("GET", d + "/admin/late"), 200)
    expect("count spent: next write answers", c.call("POST", d, V2023, dict(body, username="late2")), 201)
    T.ok("fault counted", m.stats()["commit_then_5xx_fired"] == 1)
    m.config(today="2027-07-02")
    expect("after x-sunset: 410", c.call("POST", P + "/orgs/%s/teams/%s/users" % (ORG, T1), V2023,
                                         [{"id": FRANK}]), 410, "VERSION_GONE")
    m.violations("sunset", 1)
    m.config(today="")
    expect("bad knob", m.config(no_such=1), 400)
    expect("bad knob value", m.config(latency_ms="x"), 400)
    expect("control by the wrong method", m.control("GET", "config"), 405)
    expect("unknown control path", m.control("GET", "nothing"), 404)
    m.violations("faults")


def test_mutate(m):
    ops = [({"op": "team_add_user", "org": ORG, "team": T1, "user": ERIN},
            lambda s: ERIN in [t for t in s["teams"] if t["id"] == T1][0]["users"]),
           ({"op": "team_remove_user", "org": ORG, "team": T1, "user": ERIN},
            lambda s: ERIN not in [t for t in s["teams"] if t["id"] == T1][0]["users"]),
           ({"op": "org_add_role", "org": ORG, "user": ERIN, "role": "ORG_READ_ONLY"},
            lambda s: [u for u in s["users"] if u["id"] == ERIN][0]["orgRoles"] == ["ORG_MEMBER", "ORG_READ_ONLY"]),
           ({"op": "org_remove_role", "org": ORG, "user": ERIN, "role": "ORG_MEMBER"},
            lambda s: [u for u in s["users"] if u["id"] == ERIN][0]["orgRoles"] == ["ORG_READ_ONLY"]),
           ({"op": "project_add_role", "group": P2, "user": ERIN, "role": "GROUP_OWNER"},
            lambda s: s["projectUsers"][P2].get(ERIN) == ["GROUP_OWNER"]),
           ({"op": "project_remove_role", "project": P2, "user": ERIN, "role": "GROUP_OWNER"},
            lambda s: ERIN not in s["projectUsers"][P2])]
    for op, check in ops:
        r = m.control("POST", "mutate", op)
        T.ok("mutate " + op["op"], r.status == 200 and check(m.state()), r.raw)
    expect("mutate: last org role stays", m.control("POST", "mutate", {"op": "org_remove_role", "org": ORG,
                                                                      "user": ERIN, "role": "ORG_READ_ONLY"}),
           400, "CANNOT_REMOVE_LAST_ROLE")
    expect("mutate: unknown op", m.control("POST", "mutate", {"op": "explode"}), 400)
    expect("mutate: bad role", m.control("POST", "mutate", {"op": "org_add_role", "org": ORG, "user": ERIN,
                                                           "role": "X"}), 400)
    T.ok("mutations counted", m.stats()["mutations"] == 6)


def test_latency(m):
    clients = [Client(m) for _ in range(8)]
    for c in clients:
        c.call("GET", P + "/orgs")          # handshake and nonce, before timing
    m.config(latency_ms=200)
    times, start = [], threading.Barrier(8)

    def one(c):
        start.wait()
        t0 = time.monotonic()
        r = c.call("GET", P + "/orgs")
        times.append((time.monotonic() - t0, r.status))

    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    m.config(latency_ms=0)
    T.ok("latency: each answer waited 200 ms", all(d >= 0.2 and s == 200 for d, s in times), times)
    T.ok("latency: 8 concurrent requests overlap (%.0f ms)" % (wall * 1000), wall < 0.8, wall)
    t0 = time.monotonic()
    m.stats()
    T.ok("control requests do not wait", time.monotonic() - t0 < 0.15)


def test_coverage(m):
    seen = {k.split(" ", 1)[1] for k in m.stats()["by_route"]}
    missing = [r.op for r in ROUTES if r.op not in seen]
    return missing


def run_small(tmp):
    m = Mock(tmp, "small", os.path.join(HERE, "fixtures", "small.json"))
    try:
        c = Client(m)
        test_auth(m)
        test_contract(m, c)
        test_paging(m, c)
        test_org_users(m, c)
        test_teams(m, c)
        test_project_users(m, c)
        test_project_teams(m, c)
        test_projects_keys(m, c)
        test_dbusers(m, c)
        test_clusters(m, c)
        test_faults(m, c)
        test_mutate(m)
        test_latency(m)
        before = set(test_coverage(m))
        T.ok("no mock errors", m.stats()["mock_errors"] == 0)
        expect("reset-stats", m.control("POST", "reset-stats"), 200)
        T.ok("reset-stats cleared", m.stats()["violations"] == [] and m.stats()["api_requests"] == 0)
        m.seen = 0
        return before
    finally:
        m.stop()


# -- rich fixture: federation, roles, cluster states --------------------------------
def test_federation(m, c):
    fid = G.FEDERATION
    r = c.call("GET", P + "/orgs/%s/federationSettings" % G.ACME)
    T.ok("federation settings", r.status == 200 and r.json["id"] == fid and r.json["hasRoleMappings"]
         and r.json["identityProviderId"] == G.SAML_OKTA and r.json["federatedDomains"] == G.ACME_DOMAINS, r.raw)
    expect("org without federation: 404", c.call("GET", P + "/orgs/%s/federationSettings" % G.PLAIN), 404,
           "RESOURCE_NOT_FOUND")
    f = P + "/federationSettings/" + fid
    r = c.call("GET", f + "/identityProviders")
    T.ok("IdPs: SAML only by default", [i["protocol"] for i in r.json["results"]] == ["SAML"], r.raw)
    saml = r.json["results"][0]
    T.ok("SAML IdP: bypass SAML mode, slug, domains", saml["ssoDebugEnabled"] is True and saml["slug"] == "acme"
         and saml["associatedDomains"] == G.ACME_DOMAINS and saml["associatedOrgs"][0]["orgId"] == G.ACME)
    r = c.call("GET", f + "/identityProviders?protocol=SAML&protocol=OIDC")
    T.ok("IdPs: both protocols", [i["protocol"] for i in r.json["results"]] == ["SAML", "OIDC"])
    r = c.call("GET", f + "/identityProviders?protocol=OIDC&idpType=WORKLOAD")
    T.ok("IdPs: no workload IdP", r.status == 200 and r.json["results"] == [])
    expect("IdPs: bad protocol", c.call("GET", f + "/identityProviders?protocol=LDAP"), 400, "INVALID_PARAMETER")
    expect("IdPs: includeCount is not a parameter", c.call("GET", f + "/identityProviders?includeCount=true"),
           400, "INVALID_QUERY_PARAMETER")
    r = c.call("GET", f + "/identityProviders/" + G.OIDC_IDP, V2023_11)
    T.ok("one OIDC IdP", r.status == 200 and r.json["authorizationType"] == "GROUP")
    expect("one IdP at 2023-01-01", c.call("GET", f + "/identityProviders/" + G.OIDC_IDP), 406)
    r = c.call("GET", f + "/connectedOrgConfigs")
    T.ok("connected org configs", r.status == 200 and [x["orgId"] for x in r.json["results"]] == [G.ACME])
    r = c.call("GET", f + "/connectedOrgConfigs/" + G.ACME)
    cfg = r.json
    T.ok("domain restriction", cfg["domainRestrictionEnabled"] and "partner.example" in cfg["domainAllowList"]
         and cfg["postAuthRoleGrants"] == ["ORG_MEMBER"] and cfg["dataAccessIdentityProviderIds"] == [G.OIDC_IDP])
    T.ok("user conflicts: the three contractors", sorted(u["emailAddress"] for u in cfg["userConflicts"]) == [
        "user151@contractor.example", "user152@contractor.example", "user153@contractor.example"],
         cfg["userConflicts"])
    expect("config of an org outside", c.call("GET", f + "/connectedOrgConfigs/" + G.PLAIN), 404,
           "RESOURCE_NOT_FOUND")
    r = c.call("GET", f + "/connectedOrgConfigs/%s/roleMappings" % G.ACME)
    maps = r.json["results"]
    T.ok("role mappings to org and project roles", r.json["totalCount"] == 3 and any(
        "groupId" in a for x in maps for a in x["roleAssignments"]) and all(
        any(a.get("orgId") == G.ACME for a in x["roleAssignments"]) for x in maps))
    expect("roleMappings take no pageNum", c.call("GET", f + "/connectedOrgConfigs/%s/roleMappings?pageNum=1"
                                                  % G.ACME), 400, "INVALID_QUERY_PARAMETER")
    r = c.call("GET", f + "/connectedOrgConfigs/%s/roleMappings/%s" % (G.ACME, maps[1]["id"]))
    T.ok("one role mapping", r.status == 200 and r.json["externalGroupName"] == "atlas-devs")
    expect("unknown role mapping", c.call("GET", f + "/connectedOrgConfigs/%s/roleMappings/%s"
                                          % (G.ACME, "f" * 24)), 404, "RESOURCE_NOT_FOUND")
    expect("unknown federation", c.call("GET", P + "/federationSettings/%s/identityProviders" % ("f" * 24)),
           404, "RESOURCE_NOT_FOUND")
    expect("GET of the federation itself: no such operation", c.call("GET", f), 405, "METHOD_NOT_ALLOWED")
    m.violations("federation contract breaks", 5)


def test_domain_restriction(m, c):
    u = P + "/orgs/%s/users" % G.ACME
    invite = lambda org, name: c.call("POST", P + "/orgs/%s/users" % org, V2025, {  # noqa: E731
        "username": name, "roles": {"orgRoles": ["ORG_MEMBER"]}})
    expect("invite outside the approved domains", invite(G.ACME, "eve@outside.example"), 400,
           "USER_DOMAIN_NOT_ALLOWED")
    m.violations("out-of-domain invitation", 1, "USER_DOMAIN_NOT_ALLOWED")
    expect("invite in an approved domain", invite(G.ACME, "new@eng.acme.example"), 201)
    expect("invite in an allow-listed domain", invite(G.ACME, "pat@partner.example"), 201)
    expect("no restriction without federation", invite(G.PLAIN, "eve@outside.example"), 201)
    r = c.call("GET", u + "?orgMembershipStatuses=INVITATION_EXPIRED", V2025)
    expired = r.json["results"]
    T.ok("expired invitations listed on request", len(expired) == 2 and "invitationExpiresAt" in expired[0])
    r = invite(G.ACME, expired[0]["username"])
    T.ok("re-inviting an expired user: PENDING, same id", r.status == 201 and r.json["id"] == expired[0]["id"]
         and r.json["orgMembershipStatus"] == "PENDING", r.raw)
    m.violations("domain restriction")


def test_rich_listings(m, c):
    u = P + "/orgs/%s/users" % G.ACME
    users = pages(c, u, V2025, 50, total=157)
    T.ok("default listing: ACTIVE and PENDING only", len(users) == 157 and all(
        x["orgMembershipStatus"] in ("ACTIVE", "PENDING") for x in users))
    rejected = [x for x in G.rich()["users"] if x["orgMembershipStatus"] == "INVITATION_REJECTED"][0]
    expect("a rejected user is hidden", c.call("GET", u + "/" + rejected["id"], V2025), 404, "USER_NOT_FOUND")
    r = c.call("GET", u + "/%s?orgMembershipStatuses=INVITATION_REJECTED" % rejected["id"], V2025)
    T.ok("... unless asked for", r.status == 200 and "invitationExpiresAt" not in r.json, r.raw)
    expect(":addUser of a rejected invitee", c.call("POST", P + "/orgs/%s/teams/%s:addUser"
                                                    % (G.ACME, "d1" + "0" * 21 + "1"), V2025,
                                                    {"id": rejected["id"]}), 404, "USER_NOT_IN_ORG")
    fx = G.rich()
    r = c.call("GET", P + "/groups/%s/teams" % RP[0])
    T.ok("team assignments on a project", r.status == 200 and {x["teamId"]: x["roleNames"] for x in
                                                                r.json["results"]} == fx["projectTeams"][RP[0]])
    direct = set(fx["projectUsers"][RP[0]])
    via_team = {x for t in fx["teams"] if t["id"] in fx["projectTeams"][RP[0]] for x in t["users"]} - direct
    T.ok("some team members have no direct role", via_team)
    member = sorted(via_team)[0]
    r = c.call("GET", u + "/" + member, V2025)
    T.ok("org user view: direct assignments only", RP[0] not in [a["groupId"] for a in
                                                                 r.json["roles"]["groupRoleAssignments"]])
    r = c.call("GET", P + "/groups/%s/users?flattenTeams=true&itemsPerPage=500" % RP[0], V2025)
    T.ok("flattenTeams adds team members", via_team <= {x["id"] for x in r.json["results"]})
    r = c.call("GET", P + "/groups/%s/customDBRoles/roles" % RP[0])
    T.ok("custom roles with actions and inherited roles", r.status == 200 and [x["roleName"] for x in r.json] == [
        "ordersAuditor", "opsKiller"] and r.json[0]["inheritedRoles"] == [{"db": "admin", "role": "clusterMonitor"}])
    expect("one custom role", c.call("GET", P + "/groups/%s/customDBRoles/roles/eventsReader" % RP[3]), 200)
    expect("unknown custom role", c.call("GET", P + "/groups/%s/customDBRoles/roles/nope" % RP[3]), 404,
           "ATLAS_CUSTOM_ROLE_NOT_FOUND")
    expect("custom roles are not paged", c.call("GET", P + "/groups/%s/customDBRoles/roles?pageNum=1" % RP[0]),
           400, "INVALID_QUERY_PARAMETER")
    m.violations("custom roles paged", 1)
    r = c.call("GET", P + "/groups/%s/databaseUsers?itemsPerPage=500" % RP[3])
    T.ok("scoped database users", any(x["scopes"] and x["scopes"][-1]["type"] == "DATA_LAKE"
                                      for x in r.json["results"]))
    r = c.call("GET", P + "/orgs/%s/apiKeys" % G.ACME)
    T.ok("API keys with org and project roles", any("groupId" in x for k in r.json["results"] for x in k["roles"]))
    r = c.call("GET", P + "/groups/%s/apiKeys" % RP[0])
    T.ok("project API keys", [k["desc"] for k in r.json["results"]] == ["ci deploy"])
    m.violations("rich listings")


def test_cluster_states(m, c):
    r = c.call("GET", P + "/groups/%s/clusters" % RP[0], V2024)
    paused = [x for x in r.json["results"] if x["paused"]]
    T.ok("a paused cluster", [x["name"] for x in paused] == ["prod-archive"])
    proc = lambda gid, name: c.call("GET", P + "/groups/%s/processes/%s-shard-00-00.ab12c.mongodb.net:27017/"  # noqa
                                    "databases" % (gid, name))
    expect("paused: no process", proc(RP[0], "prod-archive"), 404, "PROCESS_NOT_FOUND")
    expect("running: databases", proc(RP[0], "prod-main"), 200)
    expect("CREATING: no process", proc(RP[3], "analytics-new"), 404, "PROCESS_NOT_FOUND")
    r = c.call("GET", P + "/groups/%s/clusters" % RP[2], V2024)
    region = r.json["results"][0]["replicationSpecs"][0]["regionConfigs"][0]
    T.ok("M0 is a TENANT cluster", region["providerName"] == "TENANT" and region["electableSpecs"] == {
        "instanceSize": "M0"} and region["backingProviderName"] == "AWS", region)
    expect("M0: databases", proc(RP[2], "dev-free"), 200)
    m.violations("cluster states")


def test_roles(m, c):
    """pubkey02 is an Organization Member of Acme with Project Read Only
    on one project; mdb_sa_id_ro is Organization Read Only."""
    k = Client(m, "pubkey02", "priv-ro-7c1d")
    r = k.call("GET", P + "/orgs")
    T.ok("listOrgs shows only orgs with access", [o["id"] for o in r.json["results"]] == [G.ACME])
    r = k.call("GET", P + "/groups")
    T.ok("listGroups shows only projects with access", [p["id"] for p in r.json["results"]] == [RP[1]])
    expect("member may list users", k.call("GET", P + "/orgs/%s/users" % G.ACME, V2025), 200)
    expect("member may not invite", k.call("POST", P + "/orgs/%s/users" % G.ACME, V2025, {
        "username": "a@acme.example", "roles": {"orgRoles": ["ORG_MEMBER"]}}), 403, "USER_UNAUTHORIZED")
    expect("no role in the other org", k.call("GET", P + "/orgs/%s/users" % G.PLAIN, V2025), 403)
    expect("project read only", k.call("GET", P + "/groups/%s/databaseUsers" % RP[1]), 200)
    expect("no role in another project", k.call("GET", P + "/groups/%s/databaseUsers" % RP[0]), 403)
    expect("read only may not write", k.call("DELETE", P + "/groups/%s/databaseUsers/admin/orders-app" % RP[1]),
           403)
    expect("federation needs Organization Owner", k.call("GET", P + "/orgs/%s/federationSettings" % G.ACME), 403,
           "USER_UNAUTHORIZED")
    expect("federation listings need an owner", k.call("GET", P + "/federationSettings/%s/identityProviders"
                                                       % G.FEDERATION), 403, "USER_UNAUTHORIZED")
    form = b"grant_type=client_credentials&client_id=mdb_sa_id_ro&client_secret=mdb_sa_sk_ro"
    r = k.raw("POST", "/api/oauth/token", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    sa = Client(m, token=r.json["access_token"])
    expect("read-only service account lists users", sa.call("GET", P + "/orgs/%s/users" % G.ACME, V2025), 200)
    expect("read-only service account sees projects", sa.call("GET", P + "/groups/%s/clusters" % RP[4], V2024), 200)
    expect("read-only service account: no federation", sa.call("GET", P + "/federationSettings/%s/"
                                                               "connectedOrgConfigs/%s" % (G.FEDERATION, G.ACME)),
           403)
    seen = m.stats()["auth_seen"]["listOrgUsers"]
    T.ok("auth_seen per credential", seen.get("digest:pubkey02") == 2 and seen.get("oauth:mdb_sa_id_ro") == 1, seen)
    m.violations("roles")


def run_rich(tmp):
    path = os.path.join(tmp, "rich.json")
    with open(path, "w") as f:
        json.dump(G.rich(), f)
    with open(os.path.join(HERE, "fixtures", "rich.json")) as f:
        T.ok("fixtures/rich.json is what gen_fixture.py --rich writes", json.load(f) == G.rich())
    m = Mock(tmp, "rich", path, "--digest-algorithm", "SHA-256")
    try:
        c = Client(m)
        test_federation(m, c)
        test_rich_listings(m, c)
        test_domain_restriction(m, c)
        test_cluster_states(m, c)
        test_roles(m, c)
        T.ok("no mock errors (rich)", m.stats()["mock_errors"] == 0)
        return set(test_coverage(m))
    finally:
        m.stop()


def run_shared_federation(tmp):
    """gen_fixture --federation shared: two orgs, one federation; the
    fail_routes knob and the set_domain_restriction mutation."""
    path = os.path.join(tmp, "shared.json")
    with open(path, "w") as f:
        json.dump(G.vary_federation(G.rich(), "shared"), f)
    m = Mock(tmp, "shared", path)
    try:
        c = Client(m)
        ids = [c.call("GET", P + "/orgs/%s/federationSettings" % o).json.get("id") for o in (G.ACME, G.PLAIN)]
        T.ok("shared: both orgs name one federation", ids == [G.FEDERATION] * 2, ids)
        f = P + "/federationSettings/" + G.FEDERATION
        r = c.call("GET", f + "/connectedOrgConfigs")
        T.ok("shared: two connected orgs", [x["orgId"] for x in r.json["results"]] == [G.ACME, G.PLAIN], r.raw)
        r = c.call("GET", f + "/connectedOrgConfigs/%s/roleMappings" % G.PLAIN)
        T.ok("shared: Plain's own role mapping", [x["externalGroupName"] for x in r.json["results"]] ==
             ["plain-ops"], r.raw)
        invite = lambda org, name: c.call("POST", P + "/orgs/%s/users" % org, V2025, {  # noqa: E731
            "username": name, "roles": {"orgRoles": ["ORG_MEMBER"]}})
        expect("shared: Plain restricts no domain", invite(G.PLAIN, "eve@outside.example"), 201)
        expect("set_domain_restriction", m.control("POST", "mutate", {
            "op": "set_domain_restriction", "orgId": G.PLAIN, "enabled": True}), 200)
        expect("... then Plain refuses outside domains", invite(G.PLAIN, "eve2@outside.example"), 400,
               "USER_DOMAIN_NOT_ALLOWED")
        m.violations("shared: the refused invitation", 1, "USER_DOMAIN_NOT_ALLOWED")
        pg = P + "/groups/%s/users" % G.hexid("c1", 8)      # a project of Plain
        expect("... a project add of a stranger invites: refused alike", c.call("POST", pg, V2025, {
            "username": "eve3@outside.example", "roles": ["GROUP_READ_ONLY"]}), 400,
            "USER_DOMAIN_NOT_ALLOWED")
        m.violations("shared: the refused project add", 1, "USER_DOMAIN_NOT_ALLOWED")
        expect("... a member outside the list is no invitation: added", c.call("POST", pg, V2025, {
            "username": "eve@outside.example", "roles": ["GROUP_READ_ONLY"]}), 201)
        m.config(limit_routes={"getConnectedOrgConfig": [1, 3]})
        cfg = f + "/connectedOrgConfigs/" + G.ACME
        r = c.call("GET", cfg)
        T.ok("limit_routes: 429 with its Retry-After", r.status == 429 and
             r.headers.get("retry-after") == "3", r.status)
        expect("limit_routes: then as usual", c.call("GET", cfg), 200)
        T.ok("route_times: when each call came", len(m.stats()["route_times"][
            "GET getConnectedOrgConfig"]) == 2)
        m.config(limit_routes={})
        expect("set_domain_restriction needs a federated org", m.control("POST", "mutate", {
            "op": "set_domain_restriction", "orgId": "f" * 24, "enabled": True}), 400, "INVALID_OP")
        m.config(fail_routes={"getConnectedOrgConfig": 503})
        expect("fail_routes answers the operation with its status", c.call(
            "GET", f + "/connectedOrgConfigs/" + G.ACME), 503, "UNEXPECTED_ERROR")
        expect("fail_routes: other operations as usual", c.call("GET", f + "/connectedOrgConfigs"), 200)
        m.config(fail_routes={})
        expect("fail_routes emptied", c.call("GET", f + "/connectedOrgConfigs/" + G.ACME), 200)
        expect("fail_routes must be an object", m.control("POST", "config", {"fail_routes": 3}), 400,
               "INVALID_KNOB")
        m.violations("shared federation")
    finally:
        m.stop()


def run_latency_flag(tmp):
    m = Mock(tmp, "slow", os.path.join(HERE, "fixtures", "small.json"), "--latency-ms", "150")
    try:
        c = Client(m)
        t0 = time.monotonic()
        r = c.call("GET", P + "/orgs")      # a challenge and the call: two waits
        T.ok("--latency-ms delays API answers", r.status == 200 and time.monotonic() - t0 >= 0.3)
    finally:
        m.stop()


def main():
    global SPECS
    tmp = tempfile.mkdtemp(prefix="atlas-selftest.")
    try:
        subprocess.run(["sh", os.path.join(TOP, "tests", "lib", "testca.sh"), os.path.join(tmp, "ca")],
                       check=True, stdout=subprocess.DEVNULL)
        if os.path.exists(SPEC):
            SPECS = Spec(SPEC)
            test_routes_match_spec()
        else:
            T.skipped += 1
            print("skip: spec schemas (%s is absent)" % SPEC)
        missing = run_small(tmp) & run_rich(tmp)
        T.ok("every route exercised", not missing, sorted(missing))
        run_shared_federation(tmp)
        run_latency_flag(tmp)
        if SPECS is not None:
            T.ok("response schemas checked", SPECS.checked > 100, SPECS.checked)
    except Exception:           # still end with the closing line
        T.ok("selftest ran to the end", False, traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    line = "%d passed, %d failed" % (T.passed, T.failed)
    print(line + (", %d skipped" % T.skipped if T.skipped else ""))
    sys.exit(1 if T.failed else 0)


if __name__ == "__main__":
    main()
