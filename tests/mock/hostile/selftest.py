#!/usr/bin/env python3
"""Self-test of the hostile proxy: it runs server.py in front of a tiny TLS
JSON upstream started here, and checks on the raw wire (own HTTP/1.1
client over TLS) that pass-through is transparent and that every mode puts
out what it says.  The envelopes it fabricates (pages, error bodies) are
checked against the vendors' spec schemas when /work/shared is present.
Prints `N passed, N failed` and exits non-zero on a failure."""
import http.server, json, os, re, shutil, signal, socket, ssl, subprocess, sys, tempfile
import threading, time, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SPECS = os.path.join(TOP, "..", "shared", "specs")
sys.path.insert(0, os.path.join(HERE, ".."))
import mocklib  # noqa: E402

PASSED, FAILED, SKIPPED = [0], [0], [0]
ITEMS = [{"id": "b%023x" % i, "username": "user%d@example.com" % i, "displayName": "Üser %d" % i,
          "active": i % 2 == 0, "roles": ["MEMBER"], "count": i,
          "meta": {"created": "2024-01-0%dT00:00:00Z" % i, "manager": None}} for i in range(1, 8)]
HEX24 = re.compile(r"[0-9a-f]{24}")
TCP_CLOSE = 7           # tcpi_state, linux/tcp_states.h
UP = {"connections": 0, "port": 0}


def check(name, ok, info=""):
    (PASSED if ok else FAILED)[0] += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  -- %s" % (info,)[:600]))


# -- the trivial upstream ----------------------------------------------------------
def q1(q, k, default):
    try:
        return int(q.get(k, [default])[0])
    except ValueError:
        return default


def atlas_page(q):
    num, per = q1(q, "pageNum", 1), q1(q, "itemsPerPage", 100)
    s = (num - 1) * per
    out = {"links": [{"href": "https://up/atlas/items?pageNum=%d" % num, "rel": "self"}],
           "results": ITEMS[s:s + per]}
    if s + per < len(ITEMS):
        out["links"].append({"href": "https://up/atlas/items?pageNum=%d" % (num + 1), "rel": "next"})
    if q.get("includeCount", ["true"])[0] != "false":
        out["totalCount"] = len(ITEMS)
    return out


def atlassian_page(q):
    cur = q.get("cursor", ["c0"])[0]
    s, per = int(cur[1:]), q1(q, "limit", 20)
    links = {"self": cur}
    if s + per < len(ITEMS):
        links["next"] = "c%d" % (s + per)
    return {"data": ITEMS[s:s + per], "links": links, "meta": {"total": len(ITEMS)}}


def confluence_page(q):
    s, per = q1(q, "start", 0), q1(q, "limit", 25)
    base = "https://127.0.0.1:%d/confluence" % UP["port"]
    links = {"base": base, "context": "/confluence",
             "self": base + "/rest/api/items?start=%d&limit=%d" % (s, per)}
    if s + per < len(ITEMS):
        links["next"] = "/rest/api/items?start=%d&limit=%d" % (s + per, per)
    got = ITEMS[s:s + per]
    return {"results": got, "start": s, "limit": per, "size": len(got), "_links": links}


def scim_page(q):
    si, per = max(q1(q, "startIndex", 1), 1), q1(q, "count", 25)
    got = ITEMS[si - 1:si - 1 + per]
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": len(ITEMS),
            "startIndex": si, "itemsPerPage": len(got), "Resources": got}


PAGES = {"/atlas/items": atlas_page, "/atlassian/items": atlassian_page,
         "/confluence/rest/api/items": confluence_page, "/scim/Users": scim_page}


class UpHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("X-Upstream", "1")
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if url.path == "/atlassian/items/search":
            b = json.loads(body)
            q = {k: [str(b[k])] for k in ("cursor", "limit") if k in b}
            return self.answer(200, json.dumps(atlassian_page(q)).encode())
        if url.path in PAGES:
            ctype = ("application/vnd.atlas.2023-01-01+json" if url.path == "/atlas/items"
                     else "application/json")
            return self.answer(200, json.dumps(PAGES[url.path](q), ensure_ascii=False).encode(), ctype)
        if url.path == "/auth":
            if self.headers.get("Authorization") != 'Digest username="u", response="ok"':
                challenge = ("WWW-Authenticate", 'Digest realm="r", nonce="n1", qop="auth"')
                return self.answer(401, b'{"error":401}', extra=[challenge])
            return self.answer(200, b'{"secret":"data","n":1}')
        if url.path == "/echo":
            return self.answer(200, json.dumps({"method": self.command, "headers": list(self.headers.items()),
                                                "body": body.decode()}).encode())
        if url.path == "/nocontent":
            self.send_response(204)
            self.end_headers()
            return
        if url.path == "/chunked":
            return self.chunked()
        if url.path == "/big":
            return self.answer(200, b'"' + b"x" * (3 << 20) + b'"')
        if url.path == "/toolarge":
            return self.answer(200, b'"' + b"y" * (17 << 20) + b'"')
        if url.path == "/tiny":
            return self.answer(200, b'{"ok":true}')
        if url.path == "/close":
            self.close_connection = True
            return self.answer(200, b'{"closing":true}', extra=[("Connection", "close")])
        self.answer(404, b'{"error":404}')

    def chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for p in (b'{"a":', b'1,"b":', b"2}"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class UpServer(mocklib.TLSServer):
    def accepted(self, addr):
        UP["connections"] += 1


def start_upstream(ca):
    srv = UpServer(("127.0.0.1", 0), UpHandler)
    srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.ctx.load_cert_chain(os.path.join(ca, "server.pem"), os.path.join(ca, "server.key"))
    UP["port"] = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()


# -- a raw HTTP/1.1 client over TLS ------------------------------------------------
class Resp:
    def __init__(self, status, headers):
        self.status, self.headers, self.body = status, headers, b""

    def h(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, port, ca, host="127.0.0.1", timeout=15):
        self.host, self.port = host, port
        raw = socket.create_connection((host, port), timeout)
        self.s = ssl.create_default_context(cafile=ca).wrap_socket(raw, server_hostname=host)
        self.buf, self.received = bytearray(), 0

    def close(self):
        self.s.close()

    def fill(self):
        d = self.s.recv(1 << 16)
        if not d:
            raise EOFError("connection closed")
        self.received += len(d)
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        i = self.buf.index(b"\r\n")
        out = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return out

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def send(self, method, path, headers=(), body=None, chunked=False):
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (self.host, self.port)]
        lines += ["%s: %s" % h for h in headers]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
            data = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in body) + b"0\r\n\r\n"
        elif body is not None:
            lines.append("Content-Length: %d" % len(body))
            data = body
        else:
            data = b""
        self.s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def head(self):
        """Status line and headers of the next final answer (1xx skipped)."""
        while True:
            status = self.line().split(b" ", 2)
            headers = []
            while True:
                ln = self.line()
                if not ln:
                    break
                k, _, v = ln.decode("latin-1").partition(":")
                headers.append((k.strip(), v.strip()))
            if not 100 <= int(status[1]) < 200:
                return Resp(int(status[1]), headers)

    def chunks(self):
        """Chunks as they come, with the framing checked."""
        while True:
            size = int(self.line().split(b";")[0], 16)
            if size == 0:
                self.line()
                return
            yield self.take(size)
            if self.take(2) != b"\r\n":
                raise ValueError("bad chunk end")

    def read_body(self, r, method="GET"):
        if method == "HEAD" or r.status in (204, 304):
            return r
        if (r.h("Transfer-Encoding") or "").lower() == "chunked":
            r.body = b"".join(self.chunks())
        else:
            r.body = self.take(int(r.h("Content-Length")))
        return r

    def request(self, method, path, headers=(), body=None, chunked=False):
        self.send(method, path, headers, body, chunked)
        return self.read_body(self.head(), method)


# -- the proxy under test ------------------------------------------------------------
class Proxy:
    def __init__(self, tmp, ca, foreign, upstream, extra=()):
        pf = os.path.join(tmp, "hostile.%d.port" % id(self))
        self.ca = os.path.join(ca, "ca.pem")
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"),
                                   "--cert", os.path.join(ca, "server.pem"),
                                   "--key", os.path.join(ca, "server.key"), "--port-file", pf,
                                   "--upstream", upstream, "--upstream-ca", self.ca,
                                   "--bad-cert", os.path.join(foreign, "server.pem"),
                                   "--bad-key", os.path.join(foreign, "server.key"), *extra])
        for _ in range(100):
            if os.path.exists(pf):
                break
            time.sleep(0.05)
        self.port = int(open(pf).read())

    def client(self, **kw):
        return Client(self.port, self.ca, **kw)

    def control(self, method, path, obj=None):
        c = self.client()
        try:
            r = c.request(method, "/__mock/" + path, [("Content-Type", "application/json")],
                          json.dumps(obj).encode() if obj is not None else None)
            return r.status, r.json()
        finally:
            c.close()

    def config(self, **kw):
        """Set a whole configuration: what a test leaves out is the default."""
        for k, v in (("path_regex", "^/"), ("shape", "atlas"), ("params", {}), ("latency_ms", 0)):
            kw.setdefault(k, v)
        st, body = self.control("POST", "config", kw)
        assert st == 200, body
        return body

    def stats(self):
        return self.control("GET", "stats")[1]

    def proc_status(self, key):
        for ln in open("/proc/%d/status" % self.p.pid):
            if ln.startswith(key + ":"):
                return int(ln.split()[1])
        return -1


def direct(path, ca):
    c = Client(UP["port"], ca)
    try:
        return c.request("GET", path)
    finally:
        c.close()


def get(px, path, headers=()):
    c = px.client()
    try:
        return c.request("GET", path, headers)
    finally:
        c.close()


# -- pass-through --------------------------------------------------------------------
def test_pass(px, ca):
    px.config(mode="pass")
    for path in ("/atlas/items?pageNum=1&itemsPerPage=3", "/big", "/tiny"):
        want, got = direct(path, ca), get(px, path)
        check("pass %s: same status, body, content-type" % path[:20],
              (got.status, got.body, got.h("Content-Type"))
              == (want.status, want.body, want.h("Content-Type")))
    got = get(px, "/chunked")
    check("pass: chunked upstream answer relayed chunked", got.h("Transfer-Encoding") == "chunked"
          and got.body == b'{"a":1,"b":2}', got.headers)
    c = px.client()
    r = c.request("GET", "/nocontent")
    r2 = c.request("HEAD", "/atlas/items")
    r3 = c.request("GET", "/tiny")
    c.close()
    check("pass: 204 and HEAD keep the framing", r.status == 204 and r2.status == 200
          and int(r2.h("Content-Length")) == len(direct("/atlas/items", ca).body)
          and r3.body == b'{"ok":true}', (r.status, r2.headers, r3.body))


def test_headers(px):
    px.config(mode="pass")
    c = px.client()
    r = c.request("POST", "/echo", [("Authorization", "Digest abc"), ("X-Custom", "1"),
                                     ("Connection", "keep-alive, X-Hop"), ("X-Hop", "secret"),
                                     ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
                                     ("Proxy-Authorization", "Basic eA=="), ("Accept-Encoding", "identity")],
                  b"abc")
    got = {k.lower(): v for k, v in r.json()["headers"]}
    check("forward: end-to-end headers and body arrive", got.get("authorization") == "Digest abc"
          and got.get("x-custom") == "1" and got.get("accept-encoding") == "identity"
          and got.get("host") == "127.0.0.1:%d" % px.port and got.get("content-length") == "3"
          and r.json()["body"] == "abc", got)
    check("forward: hop-by-hop headers dropped",
          not {"x-hop", "keep-alive", "te", "proxy-authorization", "connection"} & set(got), got)
    r = c.request("PUT", "/echo", [("Expect", "100-continue")], [b"hello ", b"world"], chunked=True)
    got = {k.lower(): v for k, v in r.json()["headers"]}
    c.close()
    check("forward: a chunked request body goes up with Content-Length",
          r.json()["body"] == "hello world" and got.get("content-length") == "11"
          and "transfer-encoding" not in got and "expect" not in got, (r.json(), got))


def test_keepalive(px, ca):
    px.config(mode="pass")
    before, s0 = UP["connections"], px.stats()
    c = px.client()
    bodies = [c.request("GET", "/tiny").body for _ in range(3)]
    check("keep-alive: three requests, one client and one upstream connection",
          bodies == [b'{"ok":true}'] * 3 and UP["connections"] - before == 1
          and px.stats()["connections"] - s0["connections"] == 2, (UP["connections"] - before,))
    r = c.request("GET", "/close")
    r2 = c.request("GET", "/tiny")
    c.close()
    check("keep-alive: an upstream that closes is reconnected, the client stays",
          r.json() == {"closing": True} and r2.body == b'{"ok":true}' and UP["connections"] - before == 2)


def test_auth(px):
    px.config(mode="truncate", path_regex="^/auth$")
    r = get(px, "/auth")
    check("auth: a 401 challenge passes a hostile mode unchanged", r.status == 401
          and r.h("WWW-Authenticate") == 'Digest realm="r", nonce="n1", qop="auth"'
          and r.body == b'{"error":401}' and r.h("X-Hostile-Mode") is None, r.headers)
    r = get(px, "/auth", [("Authorization", 'Digest username="u", response="ok"')])
    check("auth: the authenticated answer is the one corrupted", r.status == 200
          and r.h("X-Hostile-Mode") == "truncate" and r.body == b'{"secret":"data","n":1}'[:11], r.body)
    r = get(px, "/tiny")
    check("path regex: an unmatched path passes unchanged", r.body == b'{"ok":true}'
          and r.h("X-Hostile-Mode") is None)
    px.config(mode="storm_5xx", path_regex="")
    r = get(px, "/gone")
    check("errors: an upstream 404 passes a hostile mode unchanged", r.status == 404
          and r.body == b'{"error":404}')


# -- body modes ------------------------------------------------------------------------
PAGE = "/atlas/items?pageNum=1&itemsPerPage=3"


def test_truncate(px, ca):
    px.config(mode="truncate", path_regex="^/atlas/")
    full, r = direct(PAGE, ca).body, get(px, PAGE)
    check("truncate: first half of the body, Content-Length says so",
          r.body == full[:len(full) // 2] and int(r.h("Content-Length")) == len(full) // 2
          and r.h("Content-Type") == "application/vnd.atlas.2023-01-01+json", (len(r.body), len(full)))


def test_huge(px):
    px.config(mode="huge", path_regex="^/atlas/", params={"mb": 1})
    r = get(px, PAGE)
    doc = json.loads(r.body)
    ids = [i["id"] for i in doc["results"]]
    check("huge mb=1: exactly 1 MiB of valid JSON", len(r.body) == int(r.h("Content-Length")) == 1 << 20)
    check("huge: cloned items, unique valid ids, total matches", len(ids) > 2000 and len(set(ids)) == len(ids)
          and all(HEX24.fullmatch(i) for i in ids) and doc["totalCount"] == len(ids)
          and set(doc["results"][5]) == set(ITEMS[0]), (len(ids), doc.get("totalCount")))
    px.config(mode="huge", path_regex="^/atlas/")
    rss0 = px.proc_status("VmRSS")
    c = px.client()
    c.send("GET", PAGE)
    h = c.head()
    n, left, tail = 0, int(h.h("Content-Length")), b""
    while left:
        if not c.buf:
            c.fill()
        k = min(left, len(c.buf))
        tail = (tail + bytes(c.buf[:k]))[-16:]
        del c.buf[:k]
        left -= k
        n += k
    c.close()
    grown = (px.proc_status("VmHWM") - rss0) // 1024
    check("huge default: 50 MiB streamed, the proxy grew %d MiB" % grown,
          n == 50 << 20 and tail.endswith(b"}") and grown < 30, (n, grown))


def test_endless(px):
    px.config(mode="endless_chunked", path_regex="^/atlas/")
    threads0 = px.proc_status("Threads")
    cs, counts = [], []
    for _ in range(3):
        c = px.client()
        c.send("GET", PAGE)
        h = c.head()
        got, t0, ok = [], time.monotonic(), True
        for chunk in c.chunks():
            got.append(chunk)
            if time.monotonic() - t0 > 0.5:
                break
        for ch in got[1:]:
            ok = ok and ch.endswith(b",") and "id" in json.loads(ch[:-1])
        counts.append(len(got))
        cs.append(c)
        check("endless_chunked: chunked, a page prefix then one item per chunk",
              h.h("Transfer-Encoding") == "chunked" and h.h("Content-Length") is None
              and got[0].startswith(b'{"links"') and got[0].endswith(b'"results": [') and ok, got[:2])
    check("endless_chunked: about a chunk per 10 ms (%s in 0.5 s)" % counts,
          all(20 <= n <= 60 for n in counts))
    for c in cs:
        c.close()
    for _ in range(60):
        if px.proc_status("Threads") <= threads0:
            break
        time.sleep(0.05)
    check("endless_chunked: the threads end when the clients go", px.proc_status("Threads") <= threads0,
          (px.proc_status("Threads"), threads0))


def test_deep(px):
    for params, d in (({}, 100000), ({"depth": 10}, 10)):
        px.config(mode="deep", path_regex="^/atlas/", params=params)
        r = get(px, PAGE)
        i = r.body.find(b"[" * d + b"]" * d)
        fixed = r.body[:i] + b"[]" + r.body[i + 2 * d:] if i >= 0 else b"{}"
        check("deep depth=%d: the item list nested %d deep, framing exact" % (d, d),
              i > 0 and r.body.count(b"[") == d + 1 and json.loads(fixed)["results"] == []
              and int(r.h("Content-Length")) == len(r.body), r.body[:80])


def strings(v, out):
    if isinstance(v, dict):
        for e in v.values():
            strings(e, out)
    elif isinstance(v, list):
        for e in v:
            strings(e, out)
    elif isinstance(v, str):
        out.append(v)
    return out


def test_bad_utf8(px, ca):
    px.config(mode="bad_utf8", path_regex="^/atlas/")
    orig, r = direct(PAGE, ca).json(), get(px, PAGE)
    try:
        r.body.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    bad = json.loads(r.body.decode("utf-8", "replace"))
    want, got = strings(orig, []), strings(bad, [])
    check("bad_utf8: invalid UTF-8 in every string value, structure kept", not valid
          and len(want) == len(got) and all("\ufffd" in g and g.replace("\ufffd", "") == w
                                            for w, g in zip(want, got))
          and r.h("X-Hostile-Mode") == "bad_utf8; strings=%d" % len(want), list(zip(want, got))[:3])
    for seq in (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"):
        check("bad_utf8: sequence %r present" % seq, seq in r.body)


def test_dup_keys(px, ca):
    px.config(mode="dup_keys", path_regex="^/atlas/")
    orig, r = direct(PAGE, ca).json(), get(px, PAGE)
    objs = []

    def first_wins(pairs):
        objs.append(pairs)
        d = {}
        for k, v in pairs:
            d.setdefault(k, v)
        return d
    first = json.loads(r.body, object_pairs_hook=first_wins)
    one_dup = all(len(p) == len({k for k, _ in p}) + 1 and p[-1][0] == p[0][0] for p in objs)
    check("dup_keys: every object repeats its first key once, at its end", one_dup and len(objs) == 9,
          [p for p in objs if len(p) != len({k for k, _ in p}) + 1 or p[-1][0] != p[0][0]][:2] or len(objs))
    check("dup_keys: first-wins reads the real answer, last-wins another",
          first == orig and json.loads(r.body) != orig)
    px.config(mode="dup_keys", path_regex="^/atlas/", params={"key": "username"})
    objs.clear()
    json.loads(get(px, PAGE).body, object_pairs_hook=first_wins)
    users = [p for p in objs if any(k == "username" for k, _ in p)]
    check("dup_keys key=username: username is the repeated key",
          users and all([k for k, _ in p].count("username") == 2 for p in users))


def key_names(v, out):
    if isinstance(v, dict):
        out.update(v)
    for e in v.values() if isinstance(v, dict) else v if isinstance(v, list) else ():
        key_names(e, out)
    return out


def jtype(v):
    return {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null",
            list: "array", dict: "object"}[type(v)]


def occurrences(v, field, path=()):
    if isinstance(v, dict):
        for k, e in v.items():
            if k == field:
                yield path + (k,), e
            else:
                yield from occurrences(e, field, path + (k,))
    elif isinstance(v, list):
        for i, e in enumerate(v):
            yield from occurrences(e, field, path + (i,))


def at(v, path):
    for k in path:
        v = v[k]
    return v


def test_wrong_types(px, ca):
    px.config(mode="wrong_types", path_regex="^/atlas/")
    orig = direct(PAGE, ca).json()
    names = sorted(key_names(orig, set()))
    for i in range(len(names) + 1):
        r = get(px, PAGE)
        field = names[i % len(names)]
        doc = r.json()
        occ = list(occurrences(orig, field))
        check("wrong_types round %d: field %s has another type in all %d objects" % (i, field, len(occ)),
              r.h("X-Hostile-Mode") == "wrong_types; field=" + field and occ
              and all(jtype(at(doc, p)) != jtype(v) for p, v in occ), (r.h("X-Hostile-Mode"), names))
    px.config(mode="wrong_types", path_regex="^/atlas/", params={"field": "count"})
    doc = get(px, PAGE).json()
    check("wrong_types field=count: every count is now a string",
          all(isinstance(i["count"], str) for i in doc["results"]))


# -- paging modes -----------------------------------------------------------------------
SHAPE_PAGES = {  # shape: (path, first page query, later page query, items before the later page)
    "atlas": ("/atlas/items", "pageNum=1&itemsPerPage=3", "pageNum=3&itemsPerPage=3", 6),
    "atlassian": ("/atlassian/items", "limit=3", "cursor=c3&limit=3", 3),
    "confluence": ("/confluence/rest/api/items", "start=0&limit=3", "start=3&limit=3", 3),
    "scim": ("/scim/Users", "startIndex=1&count=3", "startIndex=4&count=3", 3),
}
LIST_KEY = {"atlas": "results", "atlassian": "data", "confluence": "results", "scim": "Resources"}


def has_next(shape, doc, skip, per):
    """Whether a client of that vendor would ask for another page."""
    if shape == "atlas":
        return any(ln["rel"] == "next" for ln in doc["links"]) and doc.get("totalCount", 0) > skip + per
    if shape == "atlassian":
        return bool(doc["links"].get("next"))
    if shape == "confluence":
        return bool(doc["_links"].get("next"))
    return doc["totalResults"] > skip + len(doc["Resources"])


def test_same_page(px):
    for shape, (path, first, later, skip) in SHAPE_PAGES.items():
        px.config(mode="same_page", path_regex="^/", shape=shape)
        p1 = get(px, path + "?" + first).json()
        p3 = get(px, path + "?" + later).json()
        key = LIST_KEY[shape]
        check("same_page %s: a later page answers the first page's items with a next" % shape,
              p3[key] == p1[key] == ITEMS[:3] and has_next(shape, p3, skip, 3), p3)
    px.config(mode="same_page", shape="atlassian")
    a = get(px, "/atlassian/items?cursor=c3&limit=3").json()["links"]["next"]
    b = get(px, "/atlassian/items?cursor=c3&limit=3").json()["links"]["next"]
    check("same_page atlassian: each answer has a fresh next cursor", a != b and a and b)
    px.config(mode="same_page", shape="confluence")
    nxt = get(px, "/confluence/rest/api/items?start=3&limit=3").json()["_links"]["next"]
    check("same_page confluence: next is the page after the one asked, relative to base",
          nxt == "/rest/api/items?limit=3&start=6", nxt)


def test_fresh_pages(px):
    for shape, (path, first, later, skip) in SHAPE_PAGES.items():
        px.config(mode="fresh_pages", path_regex="^/", shape=shape)
        key, seen, ok = LIST_KEY[shape], set(i["id"] for i in ITEMS), True
        for q, sk in ((first, 0), (later, skip), (later, skip)):
            doc = get(px, path + "?" + q).json()
            ids = [i["id"] for i in doc[key]]
            ok = ok and len(ids) == 3 and not seen & set(ids) and all(HEX24.fullmatch(i) for i in ids)
            ok = ok and all(set(i) == set(ITEMS[0]) for i in doc[key]) and has_next(shape, doc, sk, 3)
            seen |= set(ids)
        check("fresh_pages %s: full pages of never-seen ids, a next every time" % shape, ok, doc)
    px.config(mode="fresh_pages", path_regex="^/", shape="atlas")
    doc = get(px, "/atlas/items?pageNum=1&itemsPerPage=2").json()
    doc = get(px, "/atlas/items?pageNum=40&itemsPerPage=2").json()
    check("fresh_pages: past the real end, items are cloned from the remembered one",
          len(doc["results"]) == 2 and set(doc["results"][0]) == set(ITEMS[0])
          and "@example.com" in doc["results"][0]["username"], doc)


def test_lying_total(px):
    want = {"atlas": ("totalCount",), "atlassian": ("meta", "total"), "confluence": ("size",),
            "scim": ("totalResults",)}
    for shape, (path, first, _, _) in SHAPE_PAGES.items():
        px.config(mode="lying_total", path_regex="^/", shape=shape)
        doc = get(px, path + "?" + first).json()
        real = 3 if shape == "confluence" else 7
        check("lying_total %s: %s is ten times the real %d" % (shape, "/".join(want[shape]), real),
              at(doc, want[shape]) == 10 * real and doc[LIST_KEY[shape]] == ITEMS[:3], doc)
    px.config(mode="lying_total", shape="atlas")
    r = get(px, "/atlas/items?includeCount=false")
    check("lying_total: a page without totals passes unchanged", r.h("X-Hostile-Mode") is None
          and "totalCount" not in r.json())


def test_empty_tenant(px, ca):
    for shape, (path, first, _, _) in SHAPE_PAGES.items():
        px.config(mode="empty_tenant", path_regex="^/", shape=shape)
        r = get(px, path + "?" + first)
        doc = r.json()
        totals = {"atlas": doc.get("totalCount"), "atlassian": 0, "confluence": doc.get("size"),
                  "scim": doc.get("totalResults")}[shape]
        check("empty_tenant %s: an empty list, totals 0, no next" % shape,
              doc[LIST_KEY[shape]] == [] and totals == 0 and not has_next(shape, doc, 0, 3)
              and r.h("Content-Type") == direct(path, ca).h("Content-Type"), doc)


# -- transport modes ------------------------------------------------------------------------
def test_slowloris(px):
    px.config(mode="slowloris", path_regex="^/tiny")
    c = px.client()
    t0 = time.monotonic()
    c.send("GET", "/tiny")
    h = c.head()
    t1 = time.monotonic()
    c.take(1)
    t2 = time.monotonic()
    c.take(1)
    t3 = time.monotonic()
    c.close()
    check("slowloris: headers at once, then a byte a second (%.2f %.2f %.2f)" % (t1 - t0, t2 - t1, t3 - t2),
          t1 - t0 < 0.5 and t2 - t1 >= 0.9 and t3 - t2 >= 0.9 and h.h("Content-Length") == "11")
    px.config(mode="slowloris", path_regex="^/tiny", params={"interval_ms": 20})
    t0 = time.monotonic()
    r = get(px, "/tiny")
    check("slowloris interval_ms=20: the whole real body, slowly",
          r.body == b'{"ok":true}' and time.monotonic() - t0 >= 0.2)


def test_reset(px, ca):
    px.config(mode="reset", path_regex="^/atlas/")
    full = direct(PAGE, ca).body
    c = px.client()
    c.send("GET", PAGE)
    h = c.head()
    got = bytes(c.buf)
    try:
        while True:
            d = c.s.recv(65536)
            if not d:
                break
            got += d
    except (ConnectionResetError, ssl.SSLError):
        pass
    # Python's TLS layer reports an RST like a ragged EOF; the TCP state
    # tells them apart: CLOSE after an RST, CLOSE_WAIT after a FIN.
    state = c.s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
    c.close()
    check("reset: full Content-Length, half the body, then a TCP RST",
          int(h.h("Content-Length")) == len(full) and got == full[:len(full) // 2] and state == TCP_CLOSE,
          (len(got), len(full), state))
    check("reset: counted", px.stats()["resets"] >= 1)


def test_wrong_ctype(px):
    px.config(mode="wrong_ctype", path_regex="^/atlas/")
    r = get(px, PAGE)
    check("wrong_ctype: 200 text/html with an HTML body, other headers kept", r.status == 200
          and r.h("Content-Type") == "text/html; charset=utf-8" and r.body.startswith(b"<!DOCTYPE html>")
          and r.h("X-Upstream") == "1", r.headers)


def test_redirect(px):
    px.config(mode="redirect", path_regex="^/atlas/")
    a, b = get(px, PAGE), get(px, PAGE)
    check("redirect: 302 to 127.0.0.2, same port and path, then to the metadata address",
          a.status == b.status == 302 and a.h("Location") == "https://127.0.0.2:%d%s" % (px.port, PAGE)
          and b.h("Location") == "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
          (a.h("Location"), b.h("Location")))
    s0 = px.stats()
    c = px.client(host="127.0.0.2")
    r = c.request("GET", "/tiny")
    c.close()
    s1 = px.stats()
    alt = [s["connections_by_addr"].get("127.0.0.2", 0) for s in (s0, s1)]
    check("redirect: a client that follows shows up on the 127.0.0.2 listener", r.status == 200
          and alt[1] - alt[0] == 1 and s1["requests_by_addr"].get("127.0.0.2", 0) >= 1, s1)
    px.config(mode="redirect", path_regex="^/atlas/", params={"to": "https://evil.test/x"})
    check("redirect to=: the given Location", get(px, PAGE).h("Location") == "https://evil.test/x")


def test_bad_cert(px, foreign):
    px.config(mode="pass")
    old = px.client()
    s0 = old.request("GET", "/__mock/stats").json()["bad_cert_requests"]
    px.config(mode="bad_cert")
    try:
        px.client().request("GET", "/tiny")
        verdict = "accepted"
    except ssl.SSLCertVerificationError:
        verdict = "rejected"
    check("bad_cert: a new connection gets a certificate our CA rejects", verdict == "rejected")
    c = Client(px.port, os.path.join(foreign, "ca.pem"))
    r = c.request("GET", "/tiny")
    # Asked over this connection: a new one would need the foreign CA too.
    s1 = c.request("GET", "/__mock/stats").json()["bad_cert_requests"]
    check("bad_cert: it chains to the foreign CA; requests relayed and counted",
          r.body == b'{"ok":true}' and s1 - s0 == 1, (r.body, s0, s1))
    check("bad_cert: an established connection keeps its certificate",
          old.request("GET", "/tiny").body == b'{"ok":true}')
    old.close()
    r = c.request("POST", "/__mock/config", body=json.dumps({"mode": "pass"}).encode())
    c.close()
    check("bad_cert: back to pass, our CA verifies again", r.status == 200
          and get(px, "/tiny").body == b'{"ok":true}')


def test_retry_after(px):
    px.config(mode="retry_after_absurd", path_regex="^/atlas/")
    s0 = px.stats()["rate_limited"]
    got = [get(px, PAGE) for _ in range(5)]
    vals = [r.h("Retry-After") for r in got]
    check("retry_after_absurd: 429 with the five absurd values in turn", all(r.status == 429 for r in got)
          and vals == ["999999999", "-1", "1e9", "Thu, 01 Jan 2099 00:00:00 GMT", "soon, maybe"], vals)
    check("retry_after_absurd: the vendor's error envelope, counted as rate limited",
          got[0].json()["error"] == 429 and px.stats()["rate_limited"] - s0 == 5)
    px.config(mode="retry_after_absurd", path_regex="^/atlas/", params={"retry_after": "7"})
    check("retry_after_absurd retry_after=7", get(px, PAGE).h("Retry-After") == "7")


def test_storm(px):
    px.config(mode="storm_5xx", path_regex="^/atlas/")
    codes = [get(px, PAGE).status for _ in range(5)]
    check("storm_5xx: 500 502 503 504 in turn", codes == [500, 502, 503, 504, 500], codes)
    px.config(mode="storm_5xx", path_regex="^/", shape="scim", params={"status": 503})
    r = get(px, "/scim/Users")
    check("storm_5xx status=503, scim envelope", r.status == 503 and r.json()["status"] == "503"
          and r.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], r.body)


# -- control, bounds, process -------------------------------------------------------------
def test_control(px):
    for bad in ({"mode": "nope"}, {"path_regex": "("}, {"shape": "x"}, {"params": {"mb": "x"}},
                {"latency_ms": -1}, {"params": []}, {"params": {"depth": -1}}, {"params": {"status": 299}},
                {"params": {"to": "https://x/\r\nSet-Cookie: a=b"}}):
        st, body = px.control("POST", "config", bad)
        check("config %s: 400 with a reason" % json.dumps(bad), st == 400 and body.get("error"), body)
    st, body = px.control("POST", "config", [1])
    check("config: a non-object is refused", st == 400)
    px.config(mode="huge", path_regex="^/atlas/", shape="scim", params={"mb": 2}, latency_ms=0)
    st, body = px.control("GET", "state")
    check("state: shows the configuration", body["mode"] == "huge" and body["shape"] == "scim"
          and body["params"] == {"mb": 2} and body["path_regex"] == "^/atlas/", body)
    px.config(mode="pass", path_regex="^/tiny", shape="atlas")
    px.control("POST", "reset-stats")
    c = px.client()
    c.request("GET", "/tiny")
    c.request("GET", "/atlas/items")
    sent = c.received
    s = c.request("GET", "/__mock/stats").json()
    c.close()
    check("stats: requests, matched, bytes sent, connections",
          s["requests"] == 3 and s["api_requests"] == 2 and s["matched"] == 1 and s["bytes_sent"] == sent
          and s["connections"] == 1, (s, sent))


def test_caps(px):
    px.config(mode="truncate", path_regex="^/toolarge")
    r = get(px, "/toolarge")
    check("cap: an upstream answer over 16 MiB is not buffered: 502", r.status == 502
          and px.stats()["too_large"] >= 1)
    c = px.client()
    c.s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
    r = c.read_body(c.head())
    c.close()
    check("cap: a request body over 8 MiB: 413", r.status == 413)


def test_latency(px):
    px.config(mode="pass", latency_ms=200)
    out = []

    def one():
        out.append(get(px, "/tiny").status)
    ts = [threading.Thread(target=one) for _ in range(8)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    px.config(mode="pass", latency_ms=0)
    check("latency 200 ms: 8 concurrent requests overlap (%.2f s)" % dt, out == [200] * 8 and dt < 0.8)


def test_upstream_down(tmp, ca, foreign):
    px = Proxy(tmp, ca, foreign, "https://127.0.0.1:1", ["--mode", "pass"])
    r = get(px, "/tiny")
    check("upstream down: 502 and counted", r.status == 502 and px.stats()["upstream_errors"] == 1)
    px.p.send_signal(signal.SIGTERM)
    px.p.wait(5)


def test_cli(tmp, ca):
    base = [sys.executable, os.path.join(HERE, "server.py"), "--cert", os.path.join(ca, "server.pem"),
            "--key", os.path.join(ca, "server.key"), "--port-file", os.path.join(tmp, "cli.port"),
            "--upstream-ca", os.path.join(ca, "ca.pem")]
    for name, extra in (("bad_cert without --bad-cert",
                         ["--upstream", "https://127.0.0.1:9", "--mode", "bad_cert"]),
                        ("non-loopback upstream", ["--upstream", "https://10.0.0.1:9", "--mode", "pass"]),
                        ("non-numeric param", ["--upstream", "https://127.0.0.1:9", "--mode", "huge",
                                               "--param", "mb=lots"]),
                        ("non-loopback bind", ["--upstream", "https://127.0.0.1:9", "--mode", "pass",
                                               "--bind", "0.0.0.0"])):
        p = subprocess.run(base + extra, capture_output=True, timeout=10)
        refused = p.returncode != 0 and not os.path.exists(os.path.join(tmp, "cli.port"))
        check("cli: %s refused" % name, refused, p.stderr[-200:])


def test_sigterm(px):
    px.config(mode="endless_chunked", path_regex="^/")
    c = px.client()
    c.send("GET", "/tiny")
    c.head()
    px.p.send_signal(signal.SIGTERM)
    try:
        rc = px.p.wait(3)
    except subprocess.TimeoutExpired:
        px.p.kill()
        rc = "hung"
    c.close()
    check("SIGTERM: exits at once with an endless stream open", rc == 0, rc)


# -- the vendors' schemas --------------------------------------------------------------------
def resolve(spec, s):
    while isinstance(s, dict) and "$ref" in s:
        node = spec
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part]
        s = node
    return s


def conform(spec, s, v, path="$"):
    """Problems of v against schema s: type, required, enum, and any key
    the schema does not declare (our envelopes must not invent fields)."""
    s = resolve(spec, s)
    t = s.get("type")
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int,
             "number": (int, float)}
    if t in kinds and (not isinstance(v, kinds[t]) or (t in ("integer", "number") and isinstance(v, bool))):
        return ["%s: %s is not %s" % (path, json.dumps(v)[:40], t)]
    if "enum" in s and v not in s["enum"]:
        return ["%s: %r not in enum" % (path, v)]
    out = []
    if isinstance(v, dict) and "properties" in s:
        out += ["%s: lacks %s" % (path, k) for k in s.get("required", []) if k not in v]
        for k, e in v.items():
            if k not in s["properties"]:
                out.append("%s: %s is not declared" % (path, k))
            else:
                out += conform(spec, s["properties"][k], e, path + "." + k)
    if isinstance(v, list) and "items" in s:
        for i, e in enumerate(v[:3]):
            out += conform(spec, s["items"], e, "%s[%d]" % (path, i))
    return out


def load_specs():
    import yaml
    atlas = yaml.load(open(os.path.join(SPECS, "mongodb-atlas", "atlas-api-transformed-v20250312023.yaml")),
                      Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    org = json.load(open(os.path.join(SPECS, "atlassian", "admin-organization.2026-08-21.json")))
    scim = json.load(open(os.path.join(SPECS, "atlassian", "user-provisioning-scim.2022-08-29.json")))
    conf = json.load(open(os.path.join(SPECS, "confluence-dc", "confluence-dc-10.0.3.openapi.json")))
    member = conf["paths"]["/rest/api/group/{groupName}/member"]["get"]["responses"]["200"]
    def ref(n):
        return {"$ref": "#/components/schemas/" + n}
    return {"atlas": (atlas, ref("PaginatedOrgUser"), ref("ApiError")),
            "atlassian": (org, ref("MultiDirectoryUserPage"), ref("ProxyError")),
            "confluence": (conf, member["content"]["application/json"]["schema"], ref("RestError")),
            "scim": (scim, ref("ScimUserListResponse"), ref("ScimError"))}


def test_schemas(px):
    if not os.path.isdir(SPECS):
        SKIPPED[0] += 1
        print("skip spec schemas: %s is absent" % SPECS)
        return
    for shape, (spec, page, err) in load_specs().items():
        path, first, _, _ = SHAPE_PAGES[shape]
        for mode in ("empty_tenant", "fresh_pages"):     # the envelopes made up here
            px.config(mode=mode, path_regex="^/", shape=shape)
            doc = get(px, path + "?" + first).json()
            doc[LIST_KEY[shape]] = []          # the items are the upstream's, not the vendor's
            probs = conform(spec, page, doc)
            check("spec: %s %s page envelope conforms" % (shape, mode), not probs, probs)
        for mode in ("storm_5xx", "retry_after_absurd"):
            px.config(mode=mode, path_regex="^/", shape=shape)
            probs = conform(spec, err, get(px, path).json())
            check("spec: %s %s error body conforms" % (shape, mode), not probs, probs)


def main():
    tmp = tempfile.mkdtemp(prefix="hostile-selftest.")
    try:
        ca, foreign = os.path.join(tmp, "ca"), os.path.join(tmp, "foreign")
        for d in (ca, foreign):
            subprocess.run(["sh", os.path.join(TOP, "tests", "lib", "testca.sh"), d], check=True)
        start_upstream(ca)
        px = Proxy(tmp, ca, foreign, "https://127.0.0.1:%d" % UP["port"], ["--mode", "pass"])
        try:
            run_all(px, tmp, ca, foreign)
        finally:
            if px.p.poll() is None:
                px.p.kill()
                px.p.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    skipped = ", %d skipped" % SKIPPED[0] if SKIPPED[0] else ""
    print("%d passed, %d failed%s" % (PASSED[0], FAILED[0], skipped))
    sys.exit(1 if FAILED[0] else 0)


def run_all(px, tmp, ca, foreign):
    cap = os.path.join(ca, "ca.pem")
    test_pass(px, cap)
    test_headers(px)
    test_keepalive(px, cap)
    test_auth(px)
    test_truncate(px, cap)
    test_huge(px)
    test_endless(px)
    test_deep(px)
    test_bad_utf8(px, cap)
    test_dup_keys(px, cap)
    test_wrong_types(px, cap)
    test_same_page(px)
    test_fresh_pages(px)
    test_lying_total(px)
    test_empty_tenant(px, cap)
    test_slowloris(px)
    test_reset(px, cap)
    test_wrong_ctype(px)
    test_redirect(px)
    test_bad_cert(px, foreign)
    test_retry_after(px)
    test_storm(px)
    test_control(px)
    test_caps(px)
    test_latency(px)
    test_schemas(px)
    test_upstream_down(tmp, ca, foreign)
    test_cli(tmp, ca)
    test_sigterm(px)


if __name__ == "__main__":
    main()
