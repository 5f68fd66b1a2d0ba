#!/usr/bin/env python3
"""Hostile vendor: a loopback TLS reverse proxy in front of one of our
stateful mocks that, for requests whose path matches a regex, replaces or
corrupts the upstream's answer.  MODES below is the test plan.

Pass-through: every request goes upstream with its body and all its
end-to-end headers (Authorization included; hop-by-hop ones, Expect and
Content-Length are redone), over one keep-alive upstream connection per
client connection.  The answer comes back streamed, status line, headers
and body as the upstream sent them, so Digest challenges work.

Matched requests are forwarded too, and only a 2xx answer is replaced: a
401 challenge or any other error passes through, so the client
authenticates first and the hostility hits the answer an authenticated
client gets, with the upstream's media type.  The upstream therefore sees,
and applies, every request, writes included.  Every hostile answer carries
X-Hostile-Mode: MODE[; detail] so a test can tell what it got.

bad_cert: while it is the mode, new TLS connections get the --bad-cert
chain (a certificate from another CA); the path regex does not apply, as
the certificate goes out before the path is known.  Established
connections keep their certificate.  Requests that arrive over the foreign
chain are relayed unchanged and counted (bad_cert_requests).

redirect: a second listener on 127.0.0.2 at the same port counts clients
that follow the Location (connections_by_addr, requests_by_addr).

Bounds: request bodies up to BODY_CAP (413 beyond); an upstream answer to
be mutated up to MUTATE_CAP (502 beyond); huge, deep and endless answers
are generated while written; the caches have byte budgets; each client
socket has a timeout, so a client that stops reading frees its thread.

Params (--param K=V, or "params" in the config): mb (huge), depth (deep),
interval_ms (endless_chunked, slowloris), field (wrong_types), key
(dup_keys), to (redirect), retry_after (retry_after_absurd), status
(storm_5xx).  Round-robin modes restart their turn when the mode changes.

Control (no auth, never forwarded): GET /__mock/stats, GET /__mock/state
(the configuration), POST /__mock/config {"mode", "path_regex", "shape",
"params" (replaces all params), "latency_ms"}, POST /__mock/reset-stats.
"""
import argparse, base64, collections, datetime, email.utils, http, http.client, http.server
import fcntl, ipaddress, itertools, json, os, re, socket, ssl, struct, sys, termios, threading, time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

BODY_CAP = 8 << 20
MUTATE_CAP = 16 << 20
CACHE_BUDGET = 32 << 20
CLIENT_TIMEOUT = 300
UPSTREAM_TIMEOUT = 60
BLOCK = 64 << 10
RESET_WAIT = 2
HOP = frozenset(("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                 "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade"))
NUMERIC = ("mb", "depth", "interval_ms", "status")
MARK = "@@hostile-items@@"
ID_KEYS = frozenset(("id", "account_id", "accountId", "userKey", "username", "userName", "name",
                     "email"))
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
HEX = re.compile(r"[0-9a-fA-F]{12,}")
# Stray byte, overlong "/", a UTF-16 surrogate, a cut 3-byte sequence, a
# lone continuation byte: the classic ways a decoder is fooled.
BAD_UTF8 = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80")
RETRY_AFTER = ("999999999", "-1", "1e9",
               email.utils.format_datetime(datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc),
                                           usegmt=True),
               "soon, maybe")
STORM = (500, 502, 503, 504)
METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
HTML = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>"
        b"<form method=\"post\" action=\"/login\"><input name=\"user\">"
        b"<input type=\"password\" name=\"password\"></form></body></html>\n")


class TooLarge(Exception):
    pass


class BadRequest(Exception):
    pass


def to_int(v, default):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


# -- shapes: how a list page of each vendor looks ----------------------------
class Atlas:
    """{links[{href, rel}], results, totalCount}, pageNum (1-based) and
    itemsPerPage (default 100): Atlas Admin API v2 Paginated* views."""
    key, paging = "results", ("pageNum", "itemsPerPage")

    def window(self, x):
        per = max(to_int(x.q.get("itemsPerPage"), 100), 1)
        return (max(to_int(x.q.get("pageNum"), 1), 1) - 1) * per, per

    def first(self, x):
        return self.window(x)[0] == 0

    def link(self, x, skip, per, rel):
        return {"href": "https://%s%s" % (x.host, x.url({"pageNum": skip // per + 1, "itemsPerPage": per})),
                "rel": rel}

    def page(self, x, items, n, total, more):
        skip, per = self.window(x)
        links = [self.link(x, skip, per, "self")]
        if more:
            links.append(self.link(x, skip + per, per, "next"))
        return {"links": links, "results": items, "totalCount": total}

    def set_next(self, doc, x):
        skip, per = self.window(x)
        links = [ln for ln in doc.get("links") or []
                 if not (isinstance(ln, dict) and ln.get("rel") == "next")]
        doc["links"] = links + [self.link(x, skip + per, per, "next")]
        if isinstance(doc.get("totalCount"), int):
            # Clients are told to stop at pageNum * itemsPerPage >= totalCount.
            doc["totalCount"] = max(doc["totalCount"], skip + per + 1)

    totals = (("totalCount",),)

    def error(self, status, text):
        # ApiError; the codes the Atlas mock and Atlas use for these statuses.
        code = {429: "RATE_LIMITED", 500: "UNEXPECTED_ERROR"}.get(status, "SERVICE_UNAVAILABLE")
        return {"detail": text, "error": status, "errorCode": code, "parameters": [],
                "reason": http.HTTPStatus(status).phrase}


class Atlassian:
    """{data, links{self, prev, next}}: cursor tokens and limit (default
    20), Atlassian Admin v2 LinkPageCursor; POST .../search carries cursor
    and limit in its body."""
    key, paging = "data", ("cursor", "limit")

    def window(self, x):
        return 0, max(to_int(x.q.get("limit"), 20), 1)

    def first(self, x):
        return not x.q.get("cursor")

    def cursor(self, x):
        return base64.urlsafe_b64encode(b"hostile:%d" % x.st.take_serials(1)).decode().rstrip("=")

    def page(self, x, items, n, total, more):
        return {"data": items, "links": {"next": self.cursor(x)} if more else {}}

    def set_next(self, doc, x):
        links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
        links["next"] = self.cursor(x)
        doc["links"] = links

    totals = (("meta", "total"),)

    def error(self, status, text):
        return {"code": status, "message": text}     # ProxyError: the gateway's 429 and 5xx


class Confluence:
    """{results, start, limit, size, _links{base, context, self, next}}:
    0-based start and limit (default 25), Confluence DC list responses."""
    key, paging = "results", ("start", "limit")

    def window(self, x):
        return max(to_int(x.q.get("start"), 0), 0), max(to_int(x.q.get("limit"), 25), 1)

    def first(self, x):
        return self.window(x)[0] == 0

    def links(self, x, skip, per, more):
        """base and context as the upstream gave them; self absolute and next
        relative to base, as Confluence DC sends them."""
        up = x.doc.get("_links") if isinstance(x.doc, dict) else None
        up = up if isinstance(up, dict) else {}
        base = str(up.get("base") or "https://" + x.host).rstrip("/")
        ctx = str(up.get("context") or "")
        c = "/" + ctx.strip("/") if ctx.strip("/") else ""
        path = x.path[len(c):] if c and x.path.startswith(c + "/") else x.path
        out = {"base": base, "context": ctx, "self": base + x.url({"start": skip, "limit": per}, path)}
        if more:
            out["next"] = x.url({"start": skip + per, "limit": per}, path)
        return out

    def page(self, x, items, n, total, more):
        skip, per = self.window(x)
        return {"results": items, "start": skip, "limit": per, "size": n,
                "_links": self.links(x, skip, per, more)}

    def set_next(self, doc, x):
        skip, per = self.window(x)
        links = doc.get("_links") if isinstance(doc.get("_links"), dict) else {}
        links["next"] = self.links(x, skip, per, True)["next"]
        doc["_links"] = links

    totals = (("size",), ("totalCount",))

    def error(self, status, text):
        # RestError; ValidationResult.errors is declared an object, so it is left out.
        return {"statusCode": status, "message": text, "reason": http.HTTPStatus(status).phrase,
                "data": {"authorized": True, "valid": True, "allowedInReadOnlyMode": True,
                         "successful": False}}


class Scim:
    """{schemas[ListResponse], totalResults, startIndex, itemsPerPage,
    Resources}: 1-based startIndex and count (default 25), RFC 7644 3.4.2;
    there is no next marker, a client pages until totalResults."""
    key, paging = "Resources", ("startIndex", "count")
    LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

    def window(self, x):
        return max(to_int(x.q.get("startIndex"), 1), 1) - 1, max(to_int(x.q.get("count"), 25), 1)

    def first(self, x):
        return self.window(x)[0] == 0

    def page(self, x, items, n, total, more):
        skip, per = self.window(x)
        return {"schemas": [self.LIST], "totalResults": total, "startIndex": skip + 1,
                "itemsPerPage": n, "Resources": items}

    def set_next(self, doc, x):
        skip, per = self.window(x)
        got = doc.get("Resources") if isinstance(doc.get("Resources"), list) else []
        if isinstance(doc.get("totalResults"), int):
            doc["totalResults"] = max(doc["totalResults"], skip + len(got) + 1)

    totals = (("totalResults",),)

    def error(self, status, text):
        return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status),
                "detail": text}


SHAPES = {"atlas": Atlas(), "atlassian": Atlassian(), "confluence": Confluence(), "scim": Scim()}


# -- JSON helpers -------------------------------------------------------------
def unique(v, n):
    """v made unique by serial n, in the same format and at a fixed width, so
    a decoder that checks ids still reads it and every clone is as long."""
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        return v
    if isinstance(v, int):
        return 10 ** 12 + n
    tag = "%012x" % (0xe00000000000 + n)
    if UUID.fullmatch(v) or HEX.fullmatch(v):
        return v[:-12] + tag
    if "@" in v:
        local, dom = v.rsplit("@", 1)
        return "%s+h%08d@%s" % (local, n % 10 ** 8, dom)
    return "%s-h%08d" % (v, n % 10 ** 8)


def clone(item, n):
    if not isinstance(item, dict):
        return item
    return {k: unique(v, n) if k in ID_KEYS else v for k, v in item.items()}


def compact(v):
    return json.dumps(v, separators=(",", ":")).encode()


def encode(doc):
    """A re-serialised answer, UTF-8 as the upstream wrote it."""
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def dump(v, string=None, members=None):
    """JSON bytes of v; string(s) renders each string value, members(obj,
    encoded pairs) may change each object's pairs."""
    if isinstance(v, dict):
        pairs = [(k, dump(e, string, members)) for k, e in v.items()]
        if members:
            pairs = members(v, pairs)
        return b"{" + b",".join(compact(str(k)) + b":" + e for k, e in pairs) + b"}"
    if isinstance(v, list):
        return b"[" + b",".join(dump(e, string, members) for e in v) + b"]"
    if isinstance(v, str) and string:
        return string(v)
    return compact(v)


def keys_of(v, out):
    if isinstance(v, dict):
        out.update(v)
        for e in v.values():
            keys_of(e, out)
    elif isinstance(v, list):
        for e in v:
            keys_of(e, out)
    return out


def other_type(v):
    """A value of another JSON type: string->number, number->string,
    boolean->string, null->number, array->object, object->array."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return 12345
    if v is None:
        return 0
    return {} if isinstance(v, list) else []


def retype(v, field):
    if isinstance(v, dict):
        if field in v:
            v[field] = other_type(v[field])
        for e in v.values():
            retype(e, field)
    elif isinstance(v, list):
        for e in v:
            retype(e, field)


def same_type_other(v, n):
    """A different value of the same JSON type, valid looking."""
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v + 1
    if isinstance(v, str):
        return unique(v, n)
    return v if v is None else type(v)()


def repeat(b, n):
    for i in range(0, n, BLOCK):
        yield b * min(BLOCK, n - i)


# -- one matched request, as the modes see it -----------------------------------
class Exchange:
    """A matched request, the upstream's 2xx answer (read whole, capped)
    and the ways to answer the client."""

    def __init__(self, h, cfg, resp, raw, reqbody):
        self.h, self.st, self.cfg = h, h.st, cfg
        self.shape, self.params = SHAPES[cfg.shape], cfg.params
        url = urllib.parse.urlsplit(h.path)
        self.path, self.query = url.path, urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        self.q = dict(self.query)
        body = self.loads(reqbody)
        if isinstance(body, dict):          # search operations page in the body
            for k in self.shape.paging:
                if k in body:
                    self.q.setdefault(k, body[k])
        self.host = h.headers.get("Host") or "127.0.0.1"
        self.status, self.reason, self.raw = resp.status, resp.reason, raw
        hop = hop_headers(resp.getheader("Connection"))
        self.headers = [(k, v) for k, v in resp.getheaders()
                        if k.lower() not in hop and k.lower() != "content-length"]
        rest = sorted((k, v) for k, v in self.query if k not in self.shape.paging)
        self.key = self.path + "?" + urllib.parse.urlencode(rest)
        self.doc = self.loads(raw)

    @staticmethod
    def loads(raw):
        try:
            return json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            return None

    def num(self, k, default):
        return float(self.params.get(k, default))

    def url(self, replace, path=None):
        q = [(k, v) for k, v in self.query if k not in replace] + sorted(replace.items())
        return (path or self.path) + "?" + urllib.parse.urlencode(q)

    def split(self, doc):
        """The page's bytes before and after its item list."""
        s, m = json.dumps(doc), json.dumps(MARK)
        i = s.index(m)
        return s[:i].encode(), s[i + len(m):].encode()

    def items(self):
        d = self.doc
        v = d.get(self.shape.key) if isinstance(d, dict) else None
        return v if isinstance(v, list) else None

    def template(self):
        """The first item of the real page (remembered per listing), so the
        client's decoder reads the fabricated ones."""
        items = self.items()
        if items and isinstance(items[0], dict):
            self.st.templates.put(self.key, items[0], len(compact(items[0])))
            return items[0]
        return self.st.templates.get(self.key) or {"id": "0" * 24}

    def unchanged(self):
        self.st.add("unmutated")
        self.h.start(self.status, self.headers, len(self.raw), self.reason)
        self.h.wfile.write(self.raw)

    def send(self, status, headers, body, detail=""):
        self.stream(status, headers, len(body), (body,), detail)

    def stream(self, status, headers, length, pieces, detail=""):
        self.st.hostile(self.cfg.mode, detail)
        tag = (self.cfg.mode + ("; " + detail if detail else "")).encode("ascii", "backslashreplace")
        self.h.start(status, headers + [("X-Hostile-Mode", tag.decode())], length)
        self.h.pour(pieces, length is None)

    def fail(self, status, headers=(), detail=""):
        body = compact(self.shape.error(status, "hostile: %s" % http.HTTPStatus(status).phrase))
        self.send(status, list(headers) + [("Content-Type", "application/json")], body, detail)


# -- the modes ------------------------------------------------------------------
def m_truncate(x):
    """The body cut in half, Content-Length saying so."""
    if not x.raw:
        return x.unchanged()
    x.send(x.status, x.headers, x.raw[:len(x.raw) // 2])


def m_huge(x):
    """A valid page of cloned items, exactly mb MiB, written as generated."""
    target = int(x.num("mb", 50) * (1 << 20))
    tmpl = x.template()
    size = len(compact(clone(tmpl, 0)))
    n = max(0, target // (size + 1))
    while True:
        pre, post = x.split(x.shape.page(x, MARK, n, n, False))
        used = len(pre) + len(post) + 2 + n * size + max(n - 1, 0)
        if used <= target or n == 0:
            break
        n = max(0, n - (used - target) // (size + 1) - 1)
    base, pad = x.st.take_serials(n), max(0, target - used)

    def pieces():
        yield pre + b"["
        for i in range(0, n, 256):
            yield (b"," if i else b"") + b",".join(compact(clone(tmpl, base + j))
                                                   for j in range(i, min(n, i + 256)))
        yield from repeat(b" ", pad)
        yield b"]" + post
    x.stream(x.status, x.headers, used + pad, pieces(), "bytes=%d" % (used + pad))


def m_endless_chunked(x):
    """A page whose item list never ends: one cloned item per chunk, a chunk
    every interval_ms (10)."""
    tmpl, gap = x.template(), x.num("interval_ms", 10) / 1000
    skip, per = x.shape.window(x)
    pre, _ = x.split(x.shape.page(x, MARK, per, skip + 2 * per, True))

    def pieces():
        yield pre + b"["
        while True:
            time.sleep(gap)
            yield compact(clone(tmpl, x.st.take_serials(1))) + b","
    x.h.close_connection = True
    x.stream(x.status, x.headers, None, pieces())


def m_deep(x):
    """The item list nested depth (100000) arrays deep: [[[[...]]]]."""
    d = int(x.num("depth", 100000))
    pre, post = x.split(x.shape.page(x, MARK, 1, 1, False))
    x.stream(x.status, x.headers, len(pre) + 2 * d + len(post),
             itertools.chain((pre,), repeat(b"[", d), repeat(b"]", d), (post,)), "depth=%d" % d)


def m_bad_utf8(x):
    """Every string value of the real answer gets an invalid UTF-8 sequence
    in its middle (the five of BAD_UTF8 in turn)."""
    doc, turn = x.doc, [0]
    if doc is None:
        return x.unchanged()

    def string(s):
        bad = BAD_UTF8[turn[0] % len(BAD_UTF8)]
        turn[0] += 1
        k = len(s) // 2
        return b'"' + encode(s[:k])[1:-1] + bad + encode(s[k:])[1:-1] + b'"'
    body = dump(doc, string=string)
    x.send(x.status, x.headers, body, "strings=%d" % turn[0])


def m_dup_keys(x):
    """Every object repeats one key (param key, else its first) at its end,
    with another value of the same type: first-wins and last-wins parsers
    read different records."""
    doc = x.doc
    if doc is None:
        return x.unchanged()
    serial = x.st.take_serials(1)

    def members(obj, pairs):
        k = x.params.get("key") if x.params.get("key") in obj else next(iter(obj), None)
        return pairs if k is None else pairs + [(k, dump(same_type_other(obj[k], serial)))]
    x.send(x.status, x.headers, dump(doc, members=members))


def m_wrong_types(x):
    """One field name (param field, else the next of the answer's sorted key
    names, round robin) gets a value of another JSON type in every object."""
    doc = x.doc
    names = sorted(keys_of(doc, set())) if doc is not None else []
    if not names:
        return x.unchanged()
    field = str(x.params.get("field") or names[x.st.turn() % len(names)])
    retype(doc, field)
    x.send(x.status, x.headers, encode(doc), "field=" + field)


def m_same_page(x):
    """The first page of this listing, whatever page was asked, claiming a
    next page after the one asked (next link/cursor, totals above it)."""
    if x.items() is None:
        return x.unchanged()
    if x.shape.first(x):
        x.st.first_pages.put(x.key, x.raw, len(x.raw))
    doc = json.loads(x.st.first_pages.get(x.key) or x.raw)
    x.shape.set_next(doc, x)
    x.send(x.status, x.headers, encode(doc))


def m_fresh_pages(x):
    """A full page of new items (ids never seen before) with a next page,
    forever."""
    tmpl = x.template()
    skip, per = x.shape.window(x)
    n = min(per, 1000)
    base = x.st.take_serials(n)
    doc = x.shape.page(x, [clone(tmpl, base + i) for i in range(n)], n, skip + n + per, True)
    x.send(x.status, x.headers, encode(doc))


def m_lying_total(x):
    """The real page with its totals times ten (at least 10)."""
    doc, changed = x.doc, False
    for path in x.shape.totals:
        box = doc
        for k in path[:-1]:
            box = box.get(k) if isinstance(box, dict) else None
        v = box.get(path[-1]) if isinstance(box, dict) else None
        if isinstance(v, int) and not isinstance(v, bool):
            box[path[-1]], changed = max(10 * v, 10), True
    if not changed:
        return x.unchanged()
    x.send(x.status, x.headers, encode(doc))


def m_slowloris(x):
    """The real answer, its headers at once, then one body byte per
    interval_ms (1000)."""
    if not x.raw:
        return x.unchanged()
    gap = x.num("interval_ms", 1000) / 1000

    def pieces():
        for i in range(len(x.raw)):
            time.sleep(gap)
            yield x.raw[i:i + 1]
    x.stream(x.status, x.headers, len(x.raw), pieces())


def m_reset(x):
    """The real headers and half the body, then a TCP RST (SO_LINGER 0)."""
    if not x.raw:
        return x.unchanged()
    x.stream(x.status, x.headers, len(x.raw), (x.raw[:len(x.raw) // 2],))
    x.st.add("resets")
    x.h.reset()


def m_wrong_ctype(x):
    """The real status and headers, but text/html and a login page."""
    hs = [(k, v) for k, v in x.headers if k.lower() != "content-type"]
    x.send(x.status, hs + [("Content-Type", "text/html; charset=utf-8")], HTML)


def m_redirect(x):
    """302 to param to, else in turn to https://127.0.0.2:PORT/same/path and
    to the cloud metadata address."""
    to = x.params.get("to") or ("https://127.0.0.2:%d%s" % (x.h.server.server_address[1], x.h.path),
                                METADATA)[x.st.turn() % 2]
    body = b'<html><body><a href="%s">Moved</a></body></html>\n' % to.encode()
    x.send(302, [("Location", to), ("Content-Type", "text/html")], body, "to=" + to)


def m_retry_after_absurd(x):
    """429 with Retry-After param retry_after, else in turn 999999999, -1,
    1e9, an HTTP-date in 2099, garbage."""
    v = str(x.params.get("retry_after") or RETRY_AFTER[x.st.turn() % len(RETRY_AFTER)])
    x.st.add("rate_limited")
    x.fail(429, [("Retry-After", v)], "retry-after=" + v)


def m_storm_5xx(x):
    """500, 502, 503, 504 in turn (param status pins one), vendor envelope."""
    code = int(x.num("status", 0)) or STORM[x.st.turn() % len(STORM)]
    x.fail(code, detail="status=%d" % code)


def m_empty_tenant(x):
    """A valid empty page: no items, totals 0, no next."""
    x.send(x.status, x.headers, encode(x.shape.page(x, [], 0, 0, False)))


MODES = {"truncate": m_truncate, "huge": m_huge, "endless_chunked": m_endless_chunked,
         "deep": m_deep, "bad_utf8": m_bad_utf8, "dup_keys": m_dup_keys, "wrong_types": m_wrong_types,
         "same_page": m_same_page, "fresh_pages": m_fresh_pages, "lying_total": m_lying_total,
         "slowloris": m_slowloris, "reset": m_reset, "wrong_ctype": m_wrong_ctype,
         "redirect": m_redirect, "retry_after_absurd": m_retry_after_absurd,
         "storm_5xx": m_storm_5xx, "empty_tenant": m_empty_tenant}
RELAYED = ("pass", "bad_cert")      # answers unchanged; bad_cert's hostility is the certificate


# -- state ------------------------------------------------------------------------
Config = collections.namedtuple("Config", "mode path_regex rx shape params latency_ms")


def new_stats():
    return {"requests": 0, "api_requests": 0, "matched": 0, "mutated": 0, "unmutated": 0,
            "bytes_sent": 0, "connections": 0, "connections_by_addr": {}, "requests_by_addr": {},
            "upstream_connections": 0, "upstream_errors": 0, "too_large": 0, "rate_limited": 0,
            "resets": 0, "bad_cert_requests": 0, "by_mode": {}, "last_detail": ""}


class Cache:
    """Recent entries within a byte budget: a client walking thousands of
    listings must not grow the proxy."""

    def __init__(self, budget):
        self.d, self.size, self.budget = collections.OrderedDict(), 0, budget
        self.lock = threading.Lock()

    def get(self, k):
        with self.lock:
            return self.d.get(k, (None,))[0]

    def put(self, k, v, size):
        with self.lock:
            if k in self.d:
                self.size -= self.d.pop(k)[1]
            self.d[k] = (v, size)
            self.size += size
            while self.size > self.budget and len(self.d) > 1:
                self.size -= self.d.popitem(last=False)[1][1]


class State:
    def __init__(self, upstream, up_ctx, bad_ctx):
        self.lock = threading.Lock()
        self.up_host, self.up_port = upstream
        self.up_ctx, self.bad_ctx = up_ctx, bad_ctx
        self.cfg = None
        self.stats = new_stats()
        self.rr = 0          # round-robin position, restarted when the mode changes
        self.serial = 0      # fabricated ids; never restarted, every page is new
        self.templates = Cache(CACHE_BUDGET // 2)
        self.first_pages = Cache(CACHE_BUDGET // 2)

    def configure(self, d):
        """Apply a config object; ValueError names what is wrong."""
        old = self.cfg or Config("pass", "^/", None, "atlas", {}, 0)
        mode, shape = d.get("mode", old.mode), d.get("shape", old.shape)
        if mode not in MODES and mode not in RELAYED:
            raise ValueError("unknown mode %r; modes: %s" % (mode, ", ".join(RELAYED + tuple(MODES))))
        if mode == "bad_cert" and self.bad_ctx is None:
            raise ValueError("mode bad_cert needs --bad-cert and --bad-key")
        if shape not in SHAPES:
            raise ValueError("unknown shape %r; shapes: %s" % (shape, ", ".join(SHAPES)))
        rxs = d.get("path_regex", old.path_regex)
        try:
            rx = re.compile(rxs)
        except (re.error, TypeError) as e:
            raise ValueError("bad path_regex %r: %s" % (rxs, e))
        params = d.get("params", old.params)
        if not isinstance(params, dict):
            raise ValueError("params must be an object")
        if any("\r" in str(v) or "\n" in str(v) for v in params.values()):
            raise ValueError("params must not hold CR or LF: some go into headers")
        for k in NUMERIC:
            if k in params:
                try:
                    ok = float(params[k]) >= 0
                except (TypeError, ValueError):
                    ok = False
                if not ok:
                    raise ValueError("param %s must be a number >= 0, not %r" % (k, params[k]))
        if "status" in params and int(float(params["status"])) not in set(http.HTTPStatus):
            raise ValueError("param status %r is not an HTTP status" % params["status"])
        lat = to_int(d.get("latency_ms", old.latency_ms), -1)
        if lat < 0:
            raise ValueError("latency_ms must be a non-negative integer")
        with self.lock:
            if mode != old.mode:
                self.rr = 0
            self.cfg = Config(mode, rxs, rx, shape, dict(params), lat)

    def add(self, key, n=1, sub=None):
        with self.lock:
            if sub is None:
                self.stats[key] += n
            else:
                self.stats[key][sub] = self.stats[key].get(sub, 0) + n

    def hostile(self, mode, detail):
        with self.lock:
            self.stats["mutated"] += 1
            self.stats["by_mode"][mode] = self.stats["by_mode"].get(mode, 0) + 1
            self.stats["last_detail"] = detail

    def turn(self):
        with self.lock:
            self.rr += 1
            return self.rr - 1

    def take_serials(self, n):
        with self.lock:
            self.serial += n
            return self.serial - n

    def config_view(self):
        c = self.cfg
        return {"mode": c.mode, "path_regex": c.path_regex, "shape": c.shape, "params": c.params,
                "latency_ms": c.latency_ms, "upstream": "https://%s:%d" % (self.up_host, self.up_port),
                "bad_cert": self.bad_ctx is not None}


# -- plumbing -------------------------------------------------------------------------
def hop_headers(connection):
    """Hop-by-hop header names, with those the Connection header lists."""
    return HOP | {t.strip().lower() for t in (connection or "").split(",") if t.strip()}


def read_capped(resp, cap):
    parts, n = [], 0
    while n <= cap:
        b = resp.read(BLOCK)
        if not b:
            return b"".join(parts)
        parts.append(b)
        n += len(b)
    return None


class Upstream(http.client.HTTPSConnection):
    """The keep-alive connection to the upstream of one client connection."""

    def __init__(self, st):
        super().__init__(st.up_host, st.up_port, context=st.up_ctx, timeout=UPSTREAM_TIMEOUT)
        self.st = st

    def connect(self):
        super().connect()
        self.st.add("upstream_connections")


class Meter:
    """The client socket's writer, counting what API answers put on the wire."""

    def __init__(self, w, st):
        self.w, self.st, self.on = w, st, False

    def write(self, b):
        n = self.w.write(b)
        if self.on:
            self.st.add("bytes_sent", len(b))
        return n

    def __getattr__(self, k):
        return getattr(self.w, k)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HostileMock"
    timeout = CLIENT_TIMEOUT

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        self.st = self.server.state
        self.wfile = Meter(self.wfile, self.st)
        self.up = None
        self.foreign = self.request.context is self.st.bad_ctx

    def finish(self):
        try:
            super().finish()
        finally:
            if self.up is not None:
                self.up.close()

    # -- writing --------------------------------------------------------------
    def start(self, status, headers, length, reason=None):
        """Status line and headers; Content-Length when known, else chunked."""
        self.send_response_only(status, reason)
        if not any(k.lower() == "date" for k, _ in headers):
            self.send_header("Date", self.date_time_string())
        for k, v in headers:
            self.send_header(k, v)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def pour(self, pieces, chunked):
        for p in pieces:
            if p:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p) if chunked else p)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def refuse(self, status, text, close=False):
        body = text.encode() + b"\n"
        self.close_connection = self.close_connection or close
        self.start(status, [("Content-Type", "text/plain")] + ([("Connection", "close")] if close else []),
                   len(body))
        self.wfile.write(body)

    def reset(self):
        """Abort: with SO_LINGER 0 the kernel answers close() with an RST, and
        no TLS close_notify goes out.  It would also drop what is still
        queued, so wait (up to RESET_WAIT) until the client has the bytes."""
        self.close_connection = True
        sock = self.connection
        end = time.monotonic() + RESET_WAIT
        while time.monotonic() < end and struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ,
                                                                         b"\0" * 4))[0]:
            time.sleep(0.005)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # rfile holds a reference: close it too, or the fd (and the RST) wait for finish().
        self.rfile.close()
        sock.close()

    # -- the request ----------------------------------------------------------
    def request_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked()
        n = self.headers.get("Content-Length")
        if n is None:
            return None
        if not n.strip().isdigit():
            raise BadRequest("bad Content-Length")
        if int(n) > BODY_CAP:
            raise TooLarge()
        return self.rfile.read(int(n))

    def read_chunked(self):
        out = bytearray()
        while True:
            try:
                size = int(self.rfile.readline(1024).split(b";")[0], 16)
            except ValueError:
                raise BadRequest("bad chunk size")
            if size == 0:
                break
            if len(out) + size > BODY_CAP:
                raise TooLarge()
            out += self.rfile.read(size)
            self.rfile.readline(1024)
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass                            # trailers, dropped
        return bytes(out)

    def upstream(self):
        if self.up is None:
            self.up = Upstream(self.st)
        return self.up

    def forward(self, body):
        """Send the request upstream; a reused connection the upstream has
        meanwhile closed is retried once on a new one."""
        hop = hop_headers(self.headers.get("Connection")) | {"content-length", "expect"}
        fields = [(k, v) for k, v in self.headers.items() if k.lower() not in hop]
        for attempt in (0, 1):
            conn = self.upstream()
            reused = conn.sock is not None
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in fields:
                    conn.putheader(k, v)
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                return conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if attempt or not reused:
                    raise

    def relay(self, resp):
        """The upstream's answer as it came, streamed; re-chunked when it had
        no Content-Length."""
        hop = hop_headers(resp.getheader("Connection"))
        bodyless = self.command == "HEAD" or resp.status in (204, 304)
        framed = bodyless or resp.getheader("Content-Length") is not None
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in hop:
                self.send_header(k, v)
        if not framed:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self.pour(iter(lambda: resp.read(BLOCK), b""), not framed)
        except BaseException:
            self.up.close()             # the rest of its answer is still unread
            raise

    def handle_any(self):
        st = self.st
        url = urllib.parse.urlsplit(self.path)
        st.add("requests")
        st.add("requests_by_addr", sub=self.server.server_address[0])
        self.wfile.on = not url.path.startswith("/__mock/")
        if not self.wfile.on:
            return self.control(url.path)
        st.add("api_requests")
        if self.foreign:
            st.add("bad_cert_requests")
        cfg = st.cfg
        try:
            body = self.request_body()
        except TooLarge:
            return self.refuse(413, "hostile: request body over %d bytes" % BODY_CAP, close=True)
        except BadRequest as e:
            return self.refuse(400, "hostile: %s" % e, close=True)
        if cfg.latency_ms:
            time.sleep(cfg.latency_ms / 1000)
        try:
            resp = self.forward(body)
        except (OSError, http.client.HTTPException, ValueError) as e:
            st.add("upstream_errors")
            self.upstream().close()
            return self.refuse(502, "hostile: upstream: %s" % e)
        matched = cfg.rx.search(url.path) is not None
        if matched:
            st.add("matched")
        # A HEAD or 204 answer has no body to replace, and one sent anyway
        # would desynchronise the connection.
        if (not matched or cfg.mode in RELAYED or self.command == "HEAD"
                or not 200 <= resp.status < 300 or resp.status == 204):
            if matched:
                st.add("unmutated")
            return self.relay(resp)
        raw = read_capped(resp, MUTATE_CAP)
        if raw is None:
            st.add("too_large")
            self.up.close()
            return self.refuse(502, "hostile: upstream answer over %d bytes, not mutated" % MUTATE_CAP)
        MODES[cfg.mode](Exchange(self, cfg, resp, raw, body))

    # -- control ----------------------------------------------------------------
    def control(self, path):
        st = self.st
        raw = self.request_body() or b""
        if path == "/__mock/stats":
            with st.lock:
                stats = json.loads(json.dumps(st.stats))
            return self.answer_json(200, stats)
        if path == "/__mock/state":
            return self.answer_json(200, st.config_view())
        if path == "/__mock/reset-stats":
            with st.lock:
                st.stats = new_stats()
            return self.answer_json(200, {})
        if path == "/__mock/config":
            try:
                d = json.loads(raw or b"{}")
                if not isinstance(d, dict):
                    raise ValueError("config must be a JSON object")
                st.configure(d)
            except ValueError as e:
                return self.answer_json(400, {"error": str(e)})
            return self.answer_json(200, st.config_view())
        return self.answer_json(404, {"error": "no control endpoint %s" % path})

    def answer_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.start(status, [("Content-Type", "application/json")], len(body))
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = handle_any


class HostileServer(mocklib.TLSServer):
    """Picks the certificate per connection: the foreign one in bad_cert."""

    @property
    def ctx(self):
        st = getattr(self, "state", None)
        return st.bad_ctx if st is not None and st.cfg.mode == "bad_cert" else self._ctx

    @ctx.setter
    def ctx(self, v):
        self._ctx = v

    def accepted(self, addr):
        self.state.add("connections")
        self.state.add("connections_by_addr", sub=self.server_address[0])

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class AltServer(HostileServer):
    address_family = socket.AF_INET


def start_alt(srv):
    """The 127.0.0.2 listener that redirect points at, same port."""
    try:
        alt = AltServer(("127.0.0.2", srv.server_address[1]), Handler)
    except OSError as e:
        print("hostile: no listener on 127.0.0.2 (%s); a followed redirect is refused" % e, file=sys.stderr)
        return
    alt.ctx, alt.state = srv._ctx, srv.state
    threading.Thread(target=alt.serve_forever, daemon=True).start()


def upstream_of(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "https" or not u.hostname or not u.port:
        sys.exit("hostile: --upstream must be https://HOST:PORT")
    if not ipaddress.ip_address(u.hostname).is_loopback:
        sys.exit("hostile: --upstream %s: loopback only" % u.hostname)
    return u.hostname, u.port


def main():
    ap = argparse.ArgumentParser(description="hostile vendor: a corrupting TLS reverse proxy")
    mocklib.listen_arguments(ap)
    ap.add_argument("--upstream", required=True, help="https://127.0.0.1:PORT")
    ap.add_argument("--upstream-ca", required=True)
    ap.add_argument("--mode", required=True, choices=RELAYED + tuple(MODES))
    ap.add_argument("--path-regex", default="^/", help="re.search on the path; default every path")
    ap.add_argument("--shape", default="atlas", choices=tuple(SHAPES))
    ap.add_argument("--param", action="append", default=[], metavar="K=V")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--bad-cert")
    ap.add_argument("--bad-key")
    a = ap.parse_args()
    if bool(a.bad_cert) != bool(a.bad_key):
        sys.exit("hostile: --bad-cert and --bad-key go together")
    bad = None
    if a.bad_cert:
        bad = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        bad.load_cert_chain(a.bad_cert, a.bad_key)
    st = State(upstream_of(a.upstream), ssl.create_default_context(cafile=a.upstream_ca), bad)
    params = {}
    for p in a.param:
        k, eq, v = p.partition("=")
        if not eq:
            sys.exit("hostile: --param %r is not K=V" % p)
        params[k] = v
    try:
        st.configure({"mode": a.mode, "path_regex": a.path_regex, "shape": a.shape, "params": params,
                      "latency_ms": a.latency_ms})
    except ValueError as e:
        sys.exit("hostile: %s" % e)

    def setup(srv):
        srv.state = st
        start_alt(srv)

    mocklib.serve("hostile", a, Handler, server_class=HostileServer, setup=setup)


if __name__ == "__main__":
    main()
