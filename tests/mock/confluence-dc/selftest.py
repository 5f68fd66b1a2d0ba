#!/usr/bin/env python3
"""Self-test of the Confluence DC mock: starts it on ephemeral ports with a
throw-away CA, drives every route over TLS (good and bad requests, paging to
the end, every error path, rate limiting, 429 injection, latency overlap, a
large fixture), and checks the main response bodies against the spec's
schemas, tightened where the spec is too thin (Person, Group). Prints
"N passed, N failed" and exits non-zero on a failure; the schema part is
skipped when ../shared/specs is absent.
"""
import base64, concurrent.futures, hashlib, http.client, json, os, shutil, socket, ssl
import subprocess, sys, tempfile, time, urllib.parse

sys.dont_write_bytecode = True     # importing server.py must leave no __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SPEC = os.path.join(TOP, "..", "shared", "specs", "confluence-dc", "confluence-dc-10.0.3.openapi.json")
SMALL = os.path.join(HERE, "fixtures", "small.json")
with open(SMALL, encoding="utf-8") as _f:
    FX = json.load(_f)
TOKENS = {t["username"] + ("-expired" if t.get("expired") else ""): t["token"] for t in FX["tokens"]}
USERS = {u["username"]: u for u in FX["users"]}
ADMIN, BOB = "Bearer " + TOKENS["admin"], "Bearer " + TOKENS["bob"]
CTX = "/confluence"
A = CTX + "/rest/api"
RESULTS = {"passed": 0, "failed": 0, "skipped": 0}
SEEN = {}       # by_route before the stats were reset


def check(cond, what):
    RESULTS["passed" if cond else "failed"] += 1
    if not cond:
        print("FAIL:", what)
    return cond


def basic(name, pw=None):
    raw = "%s:%s" % (name, USERS[name]["password"] if pw is None else pw)
    return "Basic " + base64.b64encode(raw.encode()).decode()


def seg(s):
    return urllib.parse.quote(s, safe="")


def query(**kw):
    return "?" + urllib.parse.urlencode(kw, quote_via=urllib.parse.quote)


class Resp:
    def __init__(self, status, headers, data):
        self.status, self.headers, self.data = status, headers, data
        try:
            self.json = json.loads(data) if data else None
        except ValueError:
            self.json = None


class Mock:
    def __init__(self, tmp, ca, fixture, *args):
        self.port_file = os.path.join(tmp, "port.%d" % len(os.listdir(tmp)))
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "server.py"), "--cert", os.path.join(ca, "server.pem"),
             "--key", os.path.join(ca, "server.key"), "--port-file", self.port_file,
             "--fixture", fixture] + list(args))
        for _ in range(300):
            if os.path.exists(self.port_file) or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(self.port_file):
            self.proc.kill()
            raise RuntimeError("the mock did not start")
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.ctx = ssl.create_default_context(cafile=os.path.join(ca, "ca.pem"))
        self.keep = self.conn()

    def conn(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=60)

    def req(self, method, path, auth=ADMIN, body=None, headers=None, conn=None):
        h = {"Accept": "application/json"}
        if auth:
            h["Authorization"] = auth
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = conn or self.keep
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
        except (http.client.HTTPException, OSError):
            c.close()       # the server closed a kept-alive connection: retry once
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())

    def get(self, path, auth=ADMIN, **kw):
        return self.req("GET", path, auth, **kw)

    def control(self, name, doc=None):
        r = self.req("POST" if doc is not None else "GET", "/__mock/" + name, auth=None,
                     body=doc if doc is not None else None)
        return r.json

    def raw(self, data):
        """Bytes straight onto a TLS socket, for targets http.client refuses."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            with self.ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                t.sendall(data)
                buf = b""
                while b"\r\n\r\n" not in buf:
                    chunk = t.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
        return int(buf.split(b" ", 2)[1]) if buf else 0

    def base(self):
        return "https://127.0.0.1:%d%s" % (self.port, CTX)

    def stop(self):
        self.keep.close()
        self.proc.terminate()
        self.proc.wait(10)


def follow(m, path, auth=ADMIN):
    """Every page of a listing, following the relative _links.next."""
    pages, seen = [], set()
    while path:
        r = m.get(path, auth)
        if not check(r.status == 200, "GET %s -> %d" % (path, r.status)):
            return pages
        pages.append(r.json)
        nxt = r.json["_links"].get("next")
        if nxt in seen:
            break
        seen.add(nxt)
        path = CTX + nxt if nxt else None
    return pages


def items(pages):
    return [x for p in pages for x in p["results"]]


def violations(m):
    return m.control("stats")["violations"]


def new_violation(m, before, what):
    v = violations(m)
    check(len(v) > before, "a violation was recorded for " + what)
    return len(v)


# -- tests ------------------------------------------------------------------------
def test_auth(m):
    r = m.get(A + "/user/current", auth=None)
    check(r.status == 401 and "basic" in r.headers.get("www-authenticate", "").lower(),
          "no credentials -> 401 with WWW-Authenticate")
    check(r.json and r.json["statusCode"] == 401 and r.json["reason"] == "Unauthorized", "401 RestError")
    check(m.get(A + "/user/current", auth="Bearer nope").status == 401, "bad PAT -> 401")
    check(m.get(A + "/user/current", auth="Bearer " + TOKENS["alice-expired"]).status == 401,
          "expired PAT -> 401")
    check(m.get(A + "/user/current", auth="Bearer " + TOKENS["gone.user"]).status == 401,
          "PAT of a deactivated user -> 401")
    r = m.get(A + "/user/current", auth=basic("alice", "wrong"))
    check(r.status == 401 and r.headers.get("x-seraph-loginreason") == "AUTHENTICATED_FAILED",
          "wrong password -> 401 + X-Seraph-LoginReason")
    check(m.get(A + "/user/current", auth=basic("gone.user")).status == 401, "deactivated basic -> 401")
    r = m.get(A + "/user/current", auth=basic("josé"))
    check(r.status == 200 and r.json["username"] == "josé", "Basic auth with a UTF-8 username")
    r = m.get(A + "/user/current")
    me = r.json
    check(r.status == 200 and me["username"] == "admin" and me["type"] == "known", "PAT -> current user")
    check(len(me["userKey"]) == 32 and me["userKey"] != me["username"], "userKey is 32 hex, not the name")
    check(me["_links"]["base"] == m.base() and me["_links"]["context"] == CTX, "single object _links")
    seen = m.control("stats")["auth_seen"]["/rest/api/user/current"]
    check(seen.get("bearer", 0) >= 4 and seen.get("basic", 0) >= 3 and seen.get("none", 0) >= 1,
          "auth_seen counts bearer, basic and none: %s" % seen)
    r = m.get(A + "/user/anonymous")
    check(r.status == 200 and r.json["type"] == "anonymous", "user/anonymous")
    r = m.get(A + "/server-information")
    check(r.status == 200 and r.json["version"] == "10.0.3", "server-information")


def test_users(m):
    alice = USERS["alice"]
    r = m.get(A + "/user" + query(key=alice["userKey"]))
    check(r.status == 200 and r.json["username"] == "alice", "user?key=")
    r = m.get(A + "/user" + query(username="dave+ops@example.com", expand="status"))
    check(r.status == 200 and r.json["userKey"] == USERS["dave+ops@example.com"]["userKey"]
          and r.json["status"] == "active", "user?username= with %2B and expand=status")
    r = m.get(A + "/user?username=dave+ops@example.com")
    check(r.status == 404 and r.json["statusCode"] == 404, "an unencoded '+' becomes a space -> 404")
    r = m.get(A + "/user" + query(username="gone.user", expand="status"))
    check(r.status == 200 and r.json["status"] == "deactivated", "deactivated user is still readable")
    check(m.get(A + "/user" + query(key="alice")).status == 404, "a username is not a userKey")
    before = len(violations(m))
    check(m.get(A + "/user").status == 400, "user without key or username -> 400")
    new_violation(m, before, "user without key or username")
    r = m.get(A + "/user/memberof" + query(key=USERS["josé"]["userKey"]))
    names = [g["name"] for g in r.json["results"]]
    check(r.status == 200 and names == ["confluence-users", "développeurs", "qa?#1"]
          and all(g["type"] == "group" for g in r.json["results"]), "memberof lists groups: %s" % names)
    r = m.get(A + "/user/memberof" + query(username="carol.smith", limit=1))
    check(r.json["size"] == 1 and r.json["_links"]["next"].endswith("limit=1&start=1"), "memberof pages")
    everyone = items(follow(m, A + "/user/list" + query(limit=4)))
    check(sorted(u["username"] for u in everyone) == sorted(USERS), "user/list returns every user")
    active = items(follow(m, A + "/admin/users/list/active"))
    check(len(active) == len(USERS) - 1 and "gone.user" not in [u["username"] for u in active],
          "admin/users/list/active leaves out the deactivated user")
    check(m.get(A + "/admin/users/list/active", auth=BOB).status == 403, "active list is admin-only")


def test_paging(m):
    m.control("config", {"max_limit": 3})
    r = m.get(A + "/user/list?limit=1000&expand=status")
    j = r.json
    check(j["limit"] == 3 and j["size"] == 3, "limit is silently capped to the server maximum")
    check(j["_links"]["next"] == "/rest/api/user/list?expand=status&limit=3&start=3",
          "relative next keeps the other parameters: %s" % j["_links"]["next"])
    check(j["_links"]["base"] == m.base() and j["_links"]["context"] == CTX
          and j["_links"]["self"].startswith(m.base() + "/rest/api/user/list"), "page _links")
    check("totalCount" not in j and "prev" not in j["_links"], "no totalCount, no prev on page 1")
    pages = follow(m, A + "/user/list?limit=1000")
    check(len(pages) == 4 and len(items(pages)) == len(USERS), "following next reaches every user")
    check("next" not in pages[-1]["_links"] and pages[-1]["_links"]["prev"].endswith("start=6"),
          "the last page has prev, no next")
    m.control("config", {"max_limit": 200})
    r = m.get(A + "/group?start=100")
    check(r.status == 200 and r.json["size"] == 0 and "next" not in r.json["_links"], "start past the end")
    before = len(violations(m))
    r = m.get(A + "/user/list?limit=0")
    check(r.status == 200 and r.json["size"] == 0 and r.json["_links"]["next"].endswith("limit=0&start=0"),
          "limit=0 answers like Confluence: an empty page whose next never advances")
    before = new_violation(m, before, "limit=0")
    r = m.get(A + "/user/list?start=abc")
    check(r.status == 404, "a start that is not an int -> 404 (JAX-RS)")
    before = new_violation(m, before, "start=abc")
    check(m.get(A + "/group?limit=99999999999").status == 404, "limit beyond int32 -> 404")
    before = new_violation(m, before, "limit beyond int32")
    r = m.get(A + "/space?start=-1")
    check(r.status == 400 and r.json["statusCode"] == 400, "negative start -> 400 RestError")
    new_violation(m, before, "negative start")


def test_groups(m):
    groups = items(follow(m, A + "/group?limit=4"))
    check(sorted(g["name"] for g in groups) == sorted(g["name"] for g in FX["groups"]),
          "group list pages to the end")
    for g in FX["groups"]:
        if "/" in g["name"]:
            continue
        r = m.get(A + "/group/" + seg(g["name"]))
        check(r.status == 200 and r.json["name"] == g["name"], "group/%s" % g["name"])
        mem = items(follow(m, A + "/group/" + seg(g["name"]) + "/member?limit=1"))
        check(sorted(u["username"] for u in mem) == sorted(g["members"]), "members of %s" % g["name"])
    r = m.get(A + "/group/team/member")
    check([u["username"] for u in r.json["results"]] == ["alice", "gone.user"],
          "'team' is not 'team a' (members are direct only)")
    check(m.get(A + "/group/team/member", auth=BOB).status == 403, "getMembers is admin-only")
    check(m.get(A + "/group/nosuch").status == 404, "unknown group -> 404")
    r = m.get(A + "/group/team/groupmember")
    check([g["name"] for g in r.json["results"]] == ["développeurs"], "groupmember lists nested groups")
    r = m.get(A + "/group/" + seg("développeurs") + "/groupparent")
    check([g["name"] for g in r.json["results"]] == ["team"], "groupparent")
    r = m.get(A + "/group/" + seg("développeurs") + "/groupancestor")
    check([g["name"] for g in r.json["results"]] == ["team"], "groupancestor")


def test_encoding(m):
    before = len(violations(m))
    r = m.get(A + "/group/ops%2Finfra/member")
    check(r.status == 400 and r.headers["content-type"].startswith("text/html"),
          "%2F in a path -> Tomcat 400 HTML")
    before = new_violation(m, before, "%2F")
    check(m.get(A + "/group/ops%5cinfra").status == 400, "%5C in a path -> 400")
    before = new_violation(m, before, "%5C")
    check(m.get(A + "/group/ops/infra/member").status == 404, "a raw '/' splits the path -> 404")
    before = new_violation(m, before, "raw '/' in a group name")
    r = m.get(A + "/group/c++;dev")
    check(r.status == 404, "raw ';' drops the rest of the segment -> group 'c++' -> 404")
    before = new_violation(m, before, "raw ';'")
    check(m.get(A + "/group/c%2B%2B%3Bdev").status == 200, "fully encoded 'c++;dev' -> 200")
    check(m.get(A + "/group/c++%3Bdev").status == 200, "a literal '+' in a path stays '+'")
    check(m.get(A + "/group/team+a").status == 404, "'+' is not a space in a path")
    r = m.get(A + "/group/qa?#1")
    check(r.status == 400, "raw '#' in a target -> 400")
    before = new_violation(m, before, "raw '#'")
    check(m.get(A + "/group/qa?/member").status == 400, "raw '?' turns the rest into a query -> 400")
    before = new_violation(m, before, "raw '?'")
    check(m.get(A + "/group/" + seg("qa?#1")).status == 200, "encoded 'qa?#1' -> 200")
    check(m.get(A + "/group/100%").status == 400, "a bare '%' -> 400")
    before = new_violation(m, before, "bare '%'")
    check(m.get(A + "/group/100%25%20sure").status == 200, "'100% sure' encoded -> 200")
    check(m.get(A + "/group/d%E9veloppeurs").status == 400, "Latin-1 escapes are not UTF-8 -> 400")
    before = new_violation(m, before, "Latin-1 escape")
    host = b"Host: 127.0.0.1\r\nAuthorization: " + ADMIN.encode() + b"\r\n\r\n"
    check(m.raw(b"GET " + A.encode() + "/group/développeurs".encode() + b" HTTP/1.1\r\n" + host) == 400,
          "raw non-ASCII in a target -> 400")
    before = new_violation(m, before, "raw non-ASCII")
    check(m.raw(b"GET " + A.encode() + b"/group/team a HTTP/1.1\r\n" + host) == 400,
          "raw space in a target -> 400")
    before = new_violation(m, before, "raw space")
    check(m.raw(b"GET " + A.encode() + b"/user/current HTTP/1.1\r\nAuthorization: "
                + ADMIN.encode() + b"\r\n\r\n") == 400, "HTTP/1.1 without Host -> 400")
    before = new_violation(m, before, "no Host")
    r = m.get(A + "/user/memberof" + query(username="pct%user"))
    check(r.status == 200 and r.json["size"] == 2, "'%' in a query value, encoded")
    check(m.get(A + "/group/" + seg("team a") + "/").status == 200, "one trailing slash is accepted")
    r = m.get(A + "/user/current" + query(expand="x") + "&bad=%zz")
    check(r.status == 200, "a query parameter with a bad escape is dropped, like Tomcat")
    new_violation(m, before, "bad query escape")


def test_membership(m):
    path = A + "/user/%s/group/%s" % (seg("dave+ops@example.com"), seg("développeurs"))
    r = m.req("PUT", path)
    check(r.status == 204 and r.data == b"" and "content-length" not in r.headers, "PUT membership -> 204")
    check(m.req("PUT", path).status == 204, "PUT membership again -> 204 (idempotent)")
    st = m.control("state")
    grp = [g for g in st["groups"] if g["name"] == "développeurs"][0]
    check("dave+ops@example.com" in grp["members"], "state shows the new member")
    r = m.get(A + "/user/memberof" + query(username="dave+ops@example.com"))
    check("développeurs" in [g["name"] for g in r.json["results"]], "memberof shows it")
    check(m.req("DELETE", path).status == 204 and m.req("DELETE", path).status == 204,
          "DELETE membership twice -> 204 both times")
    r = m.get(A + "/group/" + seg("développeurs") + "/member")
    check("dave+ops@example.com" not in [u["username"] for u in r.json["results"]], "member removed")
    check(m.req("PUT", path, auth=BOB).status == 403, "membership change needs an admin")
    check(m.req("PUT", A + "/user/nosuch/group/team").status == 404, "unknown user -> 404")
    check(m.req("PUT", A + "/user/alice/group/nosuch").status == 404, "unknown group -> 404")
    check(m.req("PUT", A + "/user/alice/group/ops%2Finfra").status == 400, "a '/' group can't be addressed")
    r = m.req("POST", A + "/admin/group", body={"name": "New Group"})
    check(r.status == 200 and r.json["name"] == "new group", "create group (stored lower case)")
    check(m.req("POST", A + "/admin/group", body={"name": "new group"}).status == 409,
          "group exists -> 409")
    check(m.req("POST", A + "/admin/group", body={"type": "group"}).status == 400, "group without name")
    check(m.req("POST", A + "/admin/group", body={"name": "x"}, auth=BOB).status == 403,
          "create group: admin")
    check(m.req("PUT", A + "/user/bob/group/new%20group").status == 204, "join the new group")
    check(m.req("DELETE", A + "/admin/group/new%20group").status == 204, "delete group -> 204")
    check(m.req("DELETE", A + "/admin/group/new%20group").status == 404, "deleted group -> 404")
    check(m.req("DELETE", A + "/admin/group/confluence-administrators").status == 400,
          "the last admin group cannot be deleted")


def test_spaces(m):
    spaces = items(follow(m, A + "/space?limit=2"))
    check(sorted(s["key"] for s in spaces) == sorted(s["key"] for s in FX["spaces"]),
          "admin sees all spaces")
    personal = [s for s in spaces if s["type"] == "personal"]
    check(len(personal) == 1 and personal[0]["key"].startswith("~"),
          "one personal space, key starts with ~")
    r = m.get(A + "/space?type=personal")
    check([s["key"] for s in r.json["results"]] == ["~bob"], "type=personal filter")
    r = m.get(A + "/space?status=archived")
    check([s["key"] for s in r.json["results"]] == ["OLD"], "status=archived filter")
    r = m.get(A + "/space?spaceKey=ENG&spaceKey=OPS&expand=description")
    check([s["key"] for s in r.json["results"]] == ["ENG", "OPS"]
          and r.json["results"][0]["description"]["plain"]["value"], "spaceKey filter, expand=description")
    check(m.get(A + "/space?type=team").status == 400, "bad type -> 400")
    bob = sorted(s["key"] for s in items(follow(m, A + "/space", auth=BOB)))
    check(bob == ["DOCS", "ENG", "OLD", "~bob"], "bob sees only spaces he can view: %s" % bob)
    check(m.get(A + "/space/OPS", auth=BOB).status == 404, "a space bob can't view -> 404")
    r = m.get(A + "/space/%7Ebob")
    check(r.status == 200 and r.json["key"] == "~bob", "space/~bob")
    check(m.get(A + "/space/NOPE").status == 404, "unknown space -> 404")
    m.control("config", {"hidden_spaces": ["ENG"], "max_limit": 2})
    r = m.get(A + "/space?limit=2")
    check([s["key"] for s in r.json["results"]] == ["DOCS"] and r.json["size"] == 1
          and r.json["_links"]["next"].endswith("limit=2&start=2"),
          "hidden_spaces: a page cut, then filtered, links a whole limit on")
    m.control("config", {"hidden_spaces": [], "max_limit": 200})


def perm_set(resp):
    out = set()
    for p in resp.json:
        s = p["subject"]
        out.add((s["type"], s.get("userKey") or s.get("name") or "", p["operation"]["operationKey"],
                 p["operation"]["targetType"]))
    return out


def test_space_perms(m):
    sets = {}
    for s in FX["spaces"]:
        r = m.get(A + "/space/%s/permissions" % seg(s["key"]))
        check(r.status == 200 and all(p["spaceKey"] == s["key"] for p in r.json),
              "permissions of %s" % s["key"])
        sets[s["key"]] = perm_set(r)
    check(len({frozenset(v) for v in sets.values()}) == len(sets), "every space has its own permission set")
    check(("anonymous", "", "read", "space") in sets["DOCS"] and
          not any(p[0] == "anonymous" for p in sets["ENG"]), "anonymous permissions on some spaces only")
    users = [p for p in m.get(A + "/space/ENG/permissions").json if p["subject"]["type"] == "user"]
    check(users and all(set(p["subject"]) == {"type", "userKey"} for p in users),
          "user subjects carry the userKey only")
    check(m.get(A + "/space/ENG/permissions", auth=BOB).status == 403, "non space-admin -> 403")
    check(m.get(A + "/space/~bob/permissions", auth=BOB).status == 200, "bob administers ~bob")
    bob_key, josé = USERS["bob"]["userKey"], USERS["josé"]["userKey"]
    ops = [{"operationKey": "create", "targetType": "page"},
           {"operationKey": "read", "targetType": "space"}]
    base = A + "/space/ENG/permissions"
    check(m.req("PUT", base + "/user/%s/grant" % bob_key, body=ops).status == 204, "grant to a user")
    check(m.req("PUT", base + "/group/%s/grant" % seg("100% sure"), body=ops[:1]).status == 204,
          "grant to a group")
    check(m.req("PUT", base + "/anonymous/grant", body=ops[1:]).status == 204, "grant to anonymous")
    now = perm_set(m.get(base))
    check({("user", bob_key, "create", "page"), ("group", "100% sure", "create", "page"),
           ("anonymous", "", "read", "space")} <= now, "grants are visible")
    r = m.get(base + "/user/" + bob_key)
    check(r.status == 200 and len(r.json) == 2, "permissions/user/{userKey}")
    r = m.get(base + "/anonymous")
    check(r.status == 200 and len(r.json) == 1, "permissions/anonymous")
    r = m.get(base + "/group/" + seg("100% sure"))
    check(r.status == 200 and [p["subject"]["name"] for p in r.json] == ["100% sure"],
          "permissions/group/{groupName}")
    check(m.req("PUT", base + "/group/%s/revoke" % seg("100% sure"), body=ops).status == 204,
          "revoke from a group")
    check(m.get(base + "/group/" + seg("100% sure")).json == [], "group revoked")
    check(m.get(base + "/group/nosuch").status == 404, "permissions of an unknown group -> 404")
    check(m.req("PUT", base + "/user/%s/revoke" % bob_key, body=ops).status == 204, "revoke from a user")
    check(m.req("PUT", base + "/anonymous/revoke", body=ops).status == 204,
          "revoke what anonymous lacks too")
    now = perm_set(m.get(base))
    check(not any(p[1] == bob_key for p in now) and not any(p[0] == "anonymous" for p in now), "revoked")
    check(m.req("PUT", base + "/user/bob/grant", body=ops).status == 404, "a username is not a userKey")
    before = len(violations(m))
    r = m.req("PUT", base + "/group/team/grant", body=[{"operationKey": "edit", "targetType": "space"}])
    check(r.status == 400 and r.json["statusCode"] == 400, "unsupported operation -> 400")
    new_violation(m, before, "unsupported operation")
    body = [{"userKey": josé, "operations": [{"operationKey": "export", "targetType": "space"}]},
            {"groupName": "team", "operations": []},
            {"operations": [{"operationKey": "read", "targetType": "space"}]}]
    r = m.req("POST", base, body=body)
    check(r.status == 200 and r.data == b"" and "content-type" not in r.headers,
          "setPermissions -> 200 empty")
    now = perm_set(m.get(base))
    check(("user", josé, "export", "space") in now and not any(p[1] == "team" for p in now)
          and ("anonymous", "", "read", "space") in now, "setPermissions replaces the listed subjects")
    check(("group", "confluence-users", "read", "space") in now, "unlisted subjects keep theirs")
    check(m.req("POST", base, body=[{"userKey": "nope", "operations": []}]).status == 404,
          "unknown key -> 404")
    check(m.req("POST", base, body=[{"operations": []}] * 41).status == 400, "more than 40 subjects -> 400")
    both = [{"userKey": josé, "groupName": "team", "operations": []}]
    check(m.req("POST", base, body=both).status == 400,
          "userKey and groupName together -> 400")
    st = m.control("state")
    eng = [s for s in st["spaces"] if s["key"] == "ENG"][0]
    check(any(p.get("username") == "josé" and p["operationKey"] == "export" for p in eng["permissions"]),
          "state names user subjects by key and username")


def test_admin_users(m):
    good = {"userName": "new.user", "fullName": "New User", "email": "new.user@example.com",
            "password": "S3cret-pa55!", "notifyViaEmail": False}
    check(m.req("POST", A + "/admin/user", body=good, auth=BOB).status == 403, "create user: admin only")
    r = m.req("POST", A + "/admin/user", body=good)
    check(r.status == 201 and len(r.json["userKey"]) == 32, "create user -> 201 {userKey}")
    key = r.json["userKey"]
    r = m.get(A + "/user" + query(key=key))
    check(r.status == 200 and r.json["username"] == "new.user", "the new user reads back by key")
    check(m.control("login", {"username": "new.user", "password": "S3cret-pa55!"})["ok"], "login works")
    check(not m.control("login", {"username": "new.user", "password": "other"})["ok"], "wrong pw fails")
    check(m.get(A + "/user/current", auth=basic_raw("new.user", "S3cret-pa55!")).status == 200,
          "the new user can use Basic auth")
    r = m.get(A + "/user/memberof" + query(key=key))
    check([g["name"] for g in r.json["results"]] == ["confluence-users"],
          "new user joins the default group")
    check(m.req("POST", A + "/admin/user", body=good).status == 409, "user exists -> 409")
    for name, why in (("Upper", "uppercase"), ("has space", "whitespace"), ("a+b", "'+'"),
                      ("o'x", "quote"), ("anonymous", "reserved"), ("", "blank")):
        r = m.req("POST", A + "/admin/user", body=dict(good, userName=name))
        check(r.status == 400 and r.json["data"]["errors"], "userName %s -> 400 RestError" % why)
    for body, why in ((dict(good, email="nope"), "bad email"), (dict(good, fullName="<b>"), "fullName <>"),
                      (dict(good, userName="u2", password=""), "blank password"),
                      (dict(good, userName="u3", notifyViaEmail=True), "password with notifyViaEmail")):
        check(m.req("POST", A + "/admin/user", body=body).status == 400, "create user: " + why)
    before = len(violations(m))
    r = m.req("POST", A + "/admin/user", body={"username": "x", "fullName": "X", "email": "x@example.com",
                                                "password": "p"})
    check(r.status == 400, "missing userName -> 400")
    new_violation(m, before, "missing userName")
    r = m.req("POST", A + "/admin/user", body={"userName": "mailme", "fullName": "Mail Me",
                                                "email": "m@example.com", "notifyViaEmail": True})
    check(r.status == 201, "create user with notifyViaEmail")
    m.control("config", {"license_limit": 1})
    check(m.req("POST", A + "/admin/user", body=dict(good, userName="u4")).status == 402,
          "no licences -> 402")
    m.control("config", {"license_limit": 0})
    check(m.req("PUT", A + "/admin/user/new.user", body={"fullName": "Renamed", "email": "r@example.com"})
          .status == 204, "update user -> 204")
    check(m.get(A + "/user" + query(key=key)).json["displayName"] == "Renamed", "update is visible")
    check(m.req("POST", A + "/admin/user/new.user/password", body={"password": "N3w-pass"}).status == 204,
          "change password -> 204")
    check(m.control("login", {"username": "new.user", "password": "N3w-pass"})["ok"], "new password works")
    check(m.req("PUT", A + "/admin/user/new.user/disable").status == 204, "disable -> 204")
    check(not m.control("login", {"username": "new.user", "password": "N3w-pass"})["ok"],
          "disabled: no login")
    check(m.req("PUT", A + "/admin/user/new.user/enable").status == 204, "enable -> 204")
    check(m.req("PUT", A + "/admin/user/nosuch/disable").status == 404, "disable unknown -> 404")
    r = m.req("DELETE", A + "/admin/user/mailme")
    check(r.status == 202 and r.json["links"]["status"].startswith(m.base() + "/rest/api/longtask/"),
          "delete user -> 202 LongTaskSubmission")
    t = m.get(r.json["links"]["status"][len(m.base()) - len(CTX):])
    check(t.status == 200 and t.json["successful"] and t.json["percentageComplete"] == 100, "longtask")
    check(m.get(A + "/user" + query(username="mailme")).status == 404, "deleted user is gone")


def basic_raw(name, pw):
    return "Basic " + base64.b64encode(("%s:%s" % (name, pw)).encode()).decode()


def test_contract(m):
    before = len(violations(m))
    r = m.get(A + "/user/list?pageSize=10")
    check(r.status == 400 and r.json["statusCode"] == 400, "undeclared query parameter -> 400")
    before = new_violation(m, before, "undeclared parameter")
    check(m.get(A + "/group/team?start=0").status == 400, "start is not declared for getGroup")
    before = new_violation(m, before, "start on getGroup")
    r = m.req("POST", A + "/user/list")
    check(r.status == 405 and "GET" in r.headers.get("allow", ""), "wrong method -> 405 + Allow")
    before = new_violation(m, before, "wrong method")
    check(m.req("POST", A + "/user/list", auth=None).status == 401, "authentication comes before 405")
    r = m.req("PUT", A + "/user/bob/group/team", body=b"", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    check(r.status == 403 and r.data == b"XSRF check failed", "form-typed PUT without the token -> 403")
    before = new_violation(m, before, "XSRF on PUT")
    check(m.get(A + "/users").status == 404, "unknown operation -> 404")
    before = new_violation(m, before, "unknown operation")
    check(m.get("/rest/api/user/current").status == 404, "outside the context path -> 404")
    before = new_violation(m, before, "outside the context")
    check(m.req("POST", CTX + "/rpc/json-rpc/confluenceservice-v2/getSpacePermissionSets",
                body=["ENG"]).status == 404, "JSON-RPC was removed in 9.0 -> 404")
    v = violations(m)
    check(len(v) > before and "removed" in v[-1], "JSON-RPC recorded as a removed endpoint")
    before = len(v)
    good = {"userName": "zed", "fullName": "Zed", "email": "z@example.com", "password": "pw-12345"}
    r = m.req("POST", A + "/admin/user", body=json.dumps(good).encode(),
              headers={"Content-Type": "text/plain"})
    check(r.status == 403 and r.data == b"XSRF check failed", "text/plain without X-Atlassian-Token -> 403")
    before = new_violation(m, before, "XSRF")
    r = m.req("POST", A + "/admin/user", body=json.dumps(good).encode(),
              headers={"Content-Type": "text/plain", "X-Atlassian-Token": "no-check"})
    check(r.status == 415, "text/plain with the token -> 415")
    before = new_violation(m, before, "415")
    check(m.req("POST", A + "/admin/user", body=json.dumps(good).encode()).status == 415, "no Content-Type")
    before = new_violation(m, before, "no Content-Type")
    r = m.req("POST", A + "/admin/user", body=b"{nope", headers={"Content-Type": "application/json"})
    check(r.status == 400, "malformed JSON -> 400")
    before = new_violation(m, before, "malformed JSON")
    check(m.get(A + "/user/current", headers={"Accept": "application/xml"}).status == 406,
          "Accept xml -> 406")
    before = new_violation(m, before, "Accept")
    r = m.get(A + "/user/current", headers={"Accept": "application/json;charset=UTF-8"})
    check(r.status == 200 and r.headers["content-type"].startswith("application/json"), "Accept json")
    r = m.req("PUT", A + "/space/ENG/permissions/group/team/grant", body={"operationKey": "read"})
    check(r.status == 400, "an object where an array is expected -> 400")
    before = new_violation(m, before, "object body")
    r = m.req("PUT", A + "/admin/user/alice", body={"fullName": "Alice", "email": "a@example.com",
                                                     "nickname": "al"})
    check(r.status == 204, "an unknown field is ignored like Jackson does")
    new_violation(m, before, "unknown body field")


def test_rate_limit(m):
    m.control("config", {"rate_limit": {"capacity": 3, "fill_rate": 1, "interval_seconds": 2}})
    rs = [m.get(A + "/user/current") for _ in range(4)]
    check([r.status for r in rs] == [200, 200, 200, 429], "bucket of 3: the 4th request is 429")
    check([r.headers.get("x-ratelimit-remaining") for r in rs] == ["2", "1", "0", "0"],
          "X-RateLimit-Remaining")
    check(all(r.headers.get("x-ratelimit-limit") == "3" and r.headers.get("x-ratelimit-fillrate") == "1"
              and r.headers.get("x-ratelimit-interval-seconds") == "2" for r in rs),
          "X-RateLimit-* on every answer")
    check(rs[0].headers.get("retry-after") == "0" and int(rs[3].headers.get("retry-after", "0")) >= 1,
          "Retry-After is 0 with tokens left, > 0 when over")
    check(rs[3].json["statusCode"] == 429, "429 RestError")
    check(m.get(A + "/user/current", auth=BOB).status == 200, "buckets are per user")
    time.sleep(2.1)
    check(m.get(A + "/user/current").status == 200, "a token comes back after the interval")
    m.control("config", {"rate_limit": None})
    check("x-ratelimit-limit" not in m.get(A + "/user/current").headers, "no headers when disabled")


def test_inject(m):
    m.control("config", {"inject_429": 2, "retry_after": 3})
    rs = [m.get(A + "/user/current") for _ in range(4)]
    check(sorted(r.status for r in rs) == [200, 200, 429, 429], "inject_429=2: every 2nd answer is 429")
    check(all(r.headers.get("retry-after") == "3" for r in rs if r.status == 429), "injected Retry-After")
    m.control("config", {"inject_429": 0, "inject_503": 1})
    check(m.get(A + "/user/current").status == 503, "inject_503")
    m.control("config", {"inject_503": 0, "fail_next": {"route": "GET /rest/api/group", "status": 500}})
    check(m.get(A + "/group").status == 500 and m.get(A + "/group").status == 200, "fail_next fails once")
    check(m.control("stats")["rate_limited"] >= 2, "rate_limited counts")


def test_latency(m):
    m.control("config", {"latency_ms": 200})

    def one(_):
        c = m.conn()
        t = time.monotonic()
        r = m.get(A + "/user/current", conn=c)
        c.close()
        return r.status, time.monotonic() - t
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        out = list(ex.map(one, range(8)))
    wall = time.monotonic() - t0
    m.control("config", {"latency_ms": 0})
    check(all(s == 200 and d >= 0.19 for s, d in out), "each request waited the latency")
    check(wall < 0.8, "8 concurrent requests at 200 ms overlap: %.2fs" % wall)


def clean_sync(m):
    """What a correct client does; it must leave no violation."""
    users = items(follow(m, A + "/user/list?limit=100"))
    groups = items(follow(m, A + "/group?limit=100"))
    for g in groups:
        if "/" not in g["name"]:
            follow(m, A + "/group/%s/member?limit=100" % seg(g["name"]))
    for u in users[:50]:
        follow(m, A + "/user/memberof" + query(key=u["userKey"], limit=100))
    for s in items(follow(m, A + "/space?limit=100")):
        m.get(A + "/space/%s/permissions" % seg(s["key"]))
    return users, groups


def test_clean(m):
    SEEN.update(m.control("stats")["by_route"])
    m.control("reset-stats", {})
    clean_sync(m)
    k = USERS["o'neil"]["userKey"]
    m.req("PUT", A + "/space/DOCS/permissions/user/%s/grant" % k,
          body=[{"operationKey": "read", "targetType": "space"}])
    m.req("PUT", A + "/space/DOCS/permissions/user/%s/revoke" % k,
          body=[{"operationKey": "read", "targetType": "space"}])
    m.req("PUT", A + "/user/%s/group/%s" % (seg("pct%user"), seg("c++;dev")))
    m.req("DELETE", A + "/user/%s/group/%s" % (seg("pct%user"), seg("c++;dev")))
    st = m.control("stats")
    check(st["violations"] == [], "a correct client leaves no violation: %s" % st["violations"][:3])
    check(st["mock_errors"] == 0, "no mock errors")
    check(st["requests"] > st["api_requests"] > 0 and st["by_route"].get("GET /rest/api/user/list", 0) >= 1,
          "stats count requests and routes")


def test_every_route(m):
    sys.path.insert(0, HERE)
    import server
    seen = set(SEEN) | set(m.control("stats")["by_route"])
    missing = [r.name for r in server.Api(None, "", "").routes if r.name not in seen]
    check(not missing, "every route was exercised: missing %s" % missing)


def test_state(m):
    st = m.control("state")
    check({"users", "groups", "spaces"} <= set(st), "state has users, groups, spaces")
    u = [x for x in st["users"] if x["username"] == "admin"][0]
    check(u["admin"] and "password" not in u and "pw" not in u, "state marks admins, hides passwords")
    r = m.req("POST", "/__mock/config", auth=None, body={"no_such_knob": 1})
    check(r.status == 400, "unknown config knob -> 400")


# -- schemas ------------------------------------------------------------------------
class Schemas:
    """A small $ref-resolving type/required/enum checker over the spec, with
    an overlay where the spec is too thin or wrong (see api-specs.md §3.4)."""

    def __init__(self, spec):
        self.spec = spec
        sc = spec["components"]["schemas"]
        sc["Person"] = {"type": "object", "required": ["type", "username", "userKey", "displayName"],
                        "properties": dict(sc["Person"].get("properties", {}), **{
                            "type": {"type": "string", "enum": ["known"]}, "username": {"type": "string"},
                            "userKey": {"type": "string"}, "_links": {"type": "object"}})}
        sc["Group"] = {"type": "object", "required": ["type", "name"],
                       "properties": {"type": {"type": "string", "enum": ["group"]},
                                      "name": {"type": "string"}}}
        sc["Subject"] = {"type": "object", "required": ["type"], "properties": {
            "type": {"type": "string", "enum": ["user", "group", "anonymous"]}}}
        # The real data.errors is an array of {message}; the spec says object.
        sc["ValidationResult"]["properties"]["errors"] = {"type": "array"}

    def resolve(self, s):
        while "$ref" in s:
            node = self.spec
            for part in s["$ref"][2:].split("/"):
                node = node[part]
            s = node
        return s

    def check(self, s, v, where, errs):
        s = self.resolve(s)
        t = s.get("type") or ("object" if "properties" in s else None)
        kinds = {"object": dict, "array": list, "string": str, "boolean": bool}
        if t in kinds and not isinstance(v, kinds[t]) or t in ("integer", "number") and (
                isinstance(v, bool) or not isinstance(v, int if t == "integer" else (int, float))):
            errs.append("%s: %r is not %s" % (where, v, t))
            return
        if "enum" in s and v not in s["enum"]:
            errs.append("%s: %r not in %s" % (where, v, s["enum"]))
        if t == "object":
            errs += ["%s: missing %s" % (where, r) for r in s.get("required", []) if r not in v]
            for k, sub in s.get("properties", {}).items():
                if k in v:
                    self.check(sub, v[k], where + "." + k, errs)
        if t == "array" and "items" in s:
            for i, x in enumerate(v):
                self.check(s["items"], x, "%s[%d]" % (where, i), errs)

    def response(self, method, template, status):
        op = self.spec["paths"][template][method.lower()]
        r = op["responses"].get(str(status))
        if r is None:
            return None
        return ((r.get("content") or {}).get("application/json") or {}).get("schema", {})

    def validate(self, method, template, resp, items_ref=None):
        s = self.response(method, template, resp.status)
        if not check(s is not None, "%s %s: status %d is declared" % (method, template, resp.status)):
            return
        if items_ref:   # memberof: the spec says Person, the real items are groups
            s = json.loads(json.dumps(self.resolve(s)))
            s["properties"]["results"]["items"] = {"$ref": items_ref}
        errs = []
        self.check(s, resp.json, template, errs)
        check(not errs, "%s %s body matches the spec: %s" % (method, template, errs[:3]))


def test_schema(m):
    if not os.path.exists(SPEC):
        print("spec not found at %s: schema checks skipped" % SPEC)
        RESULTS["skipped"] += 1
        return
    with open(SPEC, encoding="utf-8") as f:
        spec = json.load(f)
    sys.path.insert(0, HERE)
    import server
    for r in server.Api(None, "", "").routes:
        op = spec["paths"].get(r.template, {}).get(r.method.lower())
        if not check(op is not None, "%s is a spec operation" % r.name):
            continue
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        check(declared == set(r.params), "%s query parameters match the spec: %s vs %s"
              % (r.name, sorted(declared), sorted(r.params)))
        # GET /rest/api/space declares a string body: a spec defect, ignored.
        check(bool(op.get("requestBody")) == r.body or r.method == "GET",
              "%s has a body iff the spec declares one" % r.name)
    sch = Schemas(spec)
    schema_bodies(m, sch)
    schema_statuses(m, sch)


def schema_bodies(m, sch):
    v = sch.validate
    v("GET", "/rest/api/user/current", m.get(A + "/user/current"))
    v("GET", "/rest/api/user/list", m.get(A + "/user/list?limit=3"))
    v("GET", "/rest/api/user", m.get(A + "/user" + query(username="alice")))
    v("GET", "/rest/api/user", m.get(A + "/user" + query(username="nosuch")))
    v("GET", "/rest/api/user/memberof", m.get(A + "/user/memberof?username=alice"),
      "#/components/schemas/Group")
    v("GET", "/rest/api/group", m.get(A + "/group?limit=3"))
    v("GET", "/rest/api/group/{groupName}", m.get(A + "/group/team"))
    v("GET", "/rest/api/group/{groupName}/member", m.get(A + "/group/team/member"))
    v("GET", "/rest/api/group/{groupName}/member", m.get(A + "/group/team/member", auth=BOB))
    v("GET", "/rest/api/group/{groupName}/groupmember", m.get(A + "/group/team/groupmember"))
    v("GET", "/rest/api/admin/users/list/active", m.get(A + "/admin/users/list/active"))
    v("GET", "/rest/api/space", m.get(A + "/space?expand=description,icon"))
    v("GET", "/rest/api/space/{spaceKey}", m.get(A + "/space/ENG"))
    v("GET", "/rest/api/space/{spaceKey}", m.get(A + "/space/NOPE"))
    v("GET", "/rest/api/space/{spaceKey}/permissions", m.get(A + "/space/DOCS/permissions"))
    v("GET", "/rest/api/space/{spaceKey}/permissions", m.get(A + "/space/ENG/permissions", auth=BOB))
    v("GET", "/rest/api/space/{spaceKey}/permissions/user/{userKey}",
      m.get(A + "/space/ENG/permissions/user/" + USERS["alice"]["userKey"]))
    new = {"userName": "schema.user", "fullName": "Schema User", "email": "s@example.com",
           "password": "pw-1"}
    for body in (new, dict(new, userName="Bad"), new):      # 201, 400, 409
        v("POST", "/rest/api/admin/user", m.req("POST", A + "/admin/user", body=body))
    v("POST", "/rest/api/admin/group", m.req("POST", A + "/admin/group", body={"name": "schema-group"}))
    d = m.req("DELETE", A + "/admin/user/schema.user")
    v("DELETE", "/rest/api/admin/user/{username}", d)
    v("GET", "/rest/api/longtask/{id}", m.get(d.json["links"]["status"][len(m.base()) - len(CTX):]))
    v("GET", "/rest/api/server-information", m.get(A + "/server-information"))


def schema_statuses(m, sch):
    """Operations without a response body: the status must be declared."""
    read = [{"operationKey": "read", "targetType": "space"}]
    for method, template, path, body in (
            ("PUT", "/user/{username}/group/{groupName}", "/user/bob/group/team", None),
            ("DELETE", "/user/{username}/group/{groupName}", "/user/bob/group/team", None),
            ("PUT", "/admin/user/{username}/disable", "/admin/user/svc-sync/disable", None),
            ("PUT", "/admin/user/{username}/enable", "/admin/user/svc-sync/enable", None),
            ("PUT", "/admin/user/{username}", "/admin/user/svc-sync",
             {"fullName": "Sync", "email": "sync@example.com"}),
            ("POST", "/admin/user/{username}/password", "/admin/user/svc-sync/password",
             {"password": "pw-2"}),
            ("DELETE", "/admin/group/{groupName}", "/admin/group/schema-group", None),
            ("PUT", "/space/{spaceKey}/permissions/anonymous/grant",
             "/space/OPS/permissions/anonymous/grant", read),
            ("PUT", "/space/{spaceKey}/permissions/group/{groupName}/revoke",
             "/space/OPS/permissions/group/team/revoke", read),
            ("POST", "/space/{spaceKey}/permissions", "/space/OPS/permissions", [{"operations": []}])):
        r = m.req(method, A + path, body=body)
        check(sch.response(method, "/rest/api" + template, r.status) is not None,
              "%s %s -> %d is declared" % (method, template, r.status))


# -- other servers ------------------------------------------------------------------
def test_root_context(tmp, ca):
    m = Mock(tmp, ca, SMALL, "--context", "")
    try:
        r = m.get("/rest/api/user/list?limit=2")
        check(r.status == 200 and r.json["_links"]["base"] == "https://127.0.0.1:%d" % m.port
              and r.json["_links"]["context"] == "" and r.json["_links"]["next"].startswith("/rest/api/"),
              "--context '' serves at the root")
        check(m.get("/confluence/rest/api/user/list").status == 404,
              "no /confluence under the root context")
    finally:
        m.stop()


def test_big(tmp, ca):
    gen = [sys.executable, os.path.join(HERE, "gen_fixture.py"), "--users", "20000", "--groups", "2000",
           "--spaces", "2000", "--seed", "3", "--out"]
    outs = [os.path.join(tmp, "big%d.json" % i) for i in (1, 2)]
    for o in outs:
        subprocess.run(gen + [o], check=True)
    digests = [hashlib.sha256(open(o, "rb").read()).hexdigest() for o in outs]
    check(digests[0] == digests[1], "gen_fixture is deterministic")
    with open(outs[0], encoding="utf-8") as f:
        fx = json.load(f)
    m = Mock(tmp, ca, outs[0])
    try:
        t0 = time.monotonic()
        pages, times, path = 0, [], A + "/user/list?limit=200"
        n = 0
        while path:
            t = time.monotonic()
            r = m.get(path)
            times.append(time.monotonic() - t)
            n += r.json["size"]
            pages += 1
            nxt = r.json["_links"].get("next")
            path = CTX + nxt if nxt else None
        wall = time.monotonic() - t0
        check(n == len(fx["users"]), "big: every user listed (%d)" % n)
        print("big: %d users in %d pages, %.2fs; first/last page %.1f/%.1f ms"
              % (n, pages, wall, 1000 * times[0], 1000 * times[-1]))
        check(wall < 30, "big: full user sync of %d pages in %.1fs" % (pages, wall))
        check(max(times[-5:]) < 20 * max(min(times[:5]), 0.002), "big: late pages cost like early ones")
        mem = items(follow(m, A + "/group/confluence-users/member?limit=200"))
        check(len(mem) == len(fx["users"]), "big: confluence-users has everyone")
        spaces = items(follow(m, A + "/space?limit=200"))
        check(len(spaces) == len(fx["spaces"]), "big: every space listed")
        check(m.get(A + "/space/%s/permissions" % seg(spaces[-1]["key"])).status == 200, "big: permissions")
        check(m.control("stats")["violations"] == [], "big: no violations")
    finally:
        m.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="confluence-selftest.")
    ca = os.path.join(tmp, "ca")
    try:
        subprocess.run(["sh", os.path.join(TOP, "tests", "lib", "testca.sh"), ca], check=True)
        m = Mock(tmp, ca, SMALL)
        try:
            for t in (test_auth, test_users, test_paging, test_groups, test_encoding, test_membership,
                      test_spaces, test_space_perms, test_admin_users, test_contract, test_rate_limit,
                      test_inject, test_latency, test_clean, test_state, test_schema,
                      test_every_route):
                try:
                    t(m)
                except Exception as e:      # one broken test must not hide the others
                    check(False, "%s raised %r" % (t.__name__, e))
        finally:
            m.stop()
        test_root_context(tmp, ca)
        test_big(tmp, ca)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    line = "%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"])
    if RESULTS["skipped"]:
        line += ", %d skipped" % RESULTS["skipped"]
    print(line)
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
