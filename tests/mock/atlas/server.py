#!/usr/bin/env python3
"""Stateful mock of the MongoDB Atlas Admin API v2, on loopback TLS.

What it checks like Atlas does: HTTP Digest (MD5 or SHA-256, qop=auth,
nonces that expire with stale=true, nc strictly increasing per nonce),
OAuth2 client credentials at /api/oauth/token with Bearer tokens, the
versioned media type each operation is declared with (406 otherwise, 415
for a body), the query parameters each operation declares (400 for any
other), request bodies against the operation's schema, 1-based pagination
(pageNum >= 1, itemsPerPage 1..500, totalCount unless includeCount=false),
the caller's roles against x-rolesRequirements (403), ApiError bodies,
201/200/204 as the spec says, deprecated operations (served, but recorded;
410 VERSION_GONE once their x-sunset date has passed).

Every request that breaks the spec's contract is answered as Atlas would
and recorded as one line in stats["violations"]; a correct client causes
none. Writes change the state that later reads return.

Routes live by area in users.py, data.py and federation.py; the contract
checks in core.py. Test control (no auth): GET /__mock/stats, GET
/__mock/state, POST /__mock/config {json}, POST /__mock/reset-stats,
POST /__mock/mutate {op}. --latency-ms N (or config latency_ms) delays
every API answer by N ms outside the state lock. Config limit_routes
{operationId: [n, seconds]} answers that operation's next n calls 429
with Retry-After: seconds; stats["route_times"] has when each operation
was called (monotonic seconds, the first 100).
--request-log FILE
(make bench) writes "S seq ms METHOD target accept" as each authenticated
API request is answered and "E seq ms status" once its answer is sent, for
tests/bench/direct_curl to replay.
--replay-list FILE
(make bench) answers GET /api/atlas/v2/orgs?replayList=1 with FILE (a
request log) as text/plain, without auth, latency, stats or a log line:
how tests/bench/replay_fetch (sandboxed, it opens no file) gets its list.
"""
import argparse, base64, hashlib, http.server, json, os, re, secrets, sys, time, traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True    # no __pycache__ beside the sources
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import mocklib  # noqa: E402
from core import ApiError, HEX24, P, State, check_body, check_query, flag, today  # noqa: E402
from data import DataApi  # noqa: E402
from federation import FederationApi  # noqa: E402
from users import UsersApi  # noqa: E402
from views import Base  # noqa: E402

REALM = "MMS Public API"
KNOBS = {"fail_routes": dict, "inject_429": int, "retry_after": int, "nonce_ttl": int, "nonce_max_uses": int,
         "token_ttl": int, "algorithm": str, "latency_ms": int, "commit_then_5xx": dict,
         "today": str, "limit_routes": dict}
FAULT_CODES = {500: "UNEXPECTED_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE",
               504: "GATEWAY_TIMEOUT"}


class Api(UsersApi, DataApi, FederationApi):
    def __init__(self, st):
        Base.__init__(self, st)
        self.routes = self.user_routes() + self.data_routes() + self.federation_routes()
        # In the spec, but with no method the mock serves (only DELETE there).
        self.other_paths = [re.compile(P + "/federationSettings/" + HEX24)]

    def match(self, method, path):
        """The route and its path values; 405 for a path the spec has with
        another method, 404 for a path it does not have."""
        known = False
        for r in self.routes:
            m = r.rx.fullmatch(path)
            if m is not None:
                if r.method == method:
                    return r, [urllib.parse.unquote(g) for g in m.groups()]
                known = True
        if known or any(rx.fullmatch(path) for rx in self.other_paths):
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Method %s not allowed." % method, contract=True)
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource %s." % urllib.parse.unquote(path),
                       contract=True)


class Handler(mocklib.Handler):
    protocol_version = "HTTP/1.1"
    server_version = "AtlasMock"

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    @staticmethod
    def answer(status, obj, ctype="application/json", headers=None, indent=None):
        body = b"" if obj is None else json.dumps(obj, indent=indent).encode()
        return status, body, ctype, headers or {}

    def error(self, e):
        return self.answer(e.status, {"detail": e.detail, "error": e.status, "errorCode": e.code,
                                      "parameters": [], "reason": e.reason},
                           headers=dict(e.headers, **self.rate_headers()))

    def handle_any(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length", "0") or "0")
        raw = self.rfile.read(n) if n else b""
        control = url.path.startswith("/__mock/")
        seq = None
        if getattr(st, "replay_list", None) and self.path == "/api/atlas/v2/orgs?replayList=1":
            with open(st.replay_list, "rb") as f:
                self.send(200, f.read(), "text/plain", {})
            return
        with st.lock:
            st.stats["requests"] += 1
            before = st.stats["api_requests"]
            resp = self.respond(url, raw, control)
            delay = 0 if control else st.latency_ms / 1000.0
            if getattr(st, "request_log", None) is not None and st.stats["api_requests"] != before:
                seq = st.stats["api_requests"]
                st.request_log.write("S %d %.3f %s %s %s\n" % (
                    seq, time.monotonic() * 1000, self.command, self.path,
                    self.headers.get("Accept", "-")))
            if not control:     # how many answers overlap (make bench)
                st.stats["in_flight"] = st.stats.get("in_flight", 0) + 1
                st.stats["max_in_flight"] = max(st.stats.get("max_in_flight", 0),
                                                st.stats["in_flight"])
                st.stats["in_flight_sum"] = (st.stats.get("in_flight_sum", 0) +
                                             st.stats["in_flight"])
        self.hold(delay * 1000)
        try:
            self.send(*resp)
        finally:
            if not control:
                with st.lock:
                    st.stats["in_flight"] -= 1
                    if seq is not None:
                        st.request_log.write("E %d %.3f %d\n" % (
                            seq, time.monotonic() * 1000, resp[0]))

    def respond(self, url, raw, control):
        st = self.server.state
        try:
            if control:
                return self.control(url.path, raw)
            if url.path == "/api/oauth/token":
                return self.token(raw)
            cred = self.auth()
            st.stats["api_requests"] += 1
            if st.inject_429 and st.stats["api_requests"] % st.inject_429 == 0:
                st.stats["rate_limited"] += 1
                raise ApiError(429, "RATE_LIMITED", "Rate limit exceeded; retry after %d seconds."
                               % st.retry_after, headers={"Retry-After": str(st.retry_after)})
            return self.dispatch(url, raw, cred)
        except ApiError as e:
            if e.contract:
                st.violation("%s %s: %d %s: %s" % (self.command, self.path, e.status, e.code, e.detail))
            return self.error(e)
        except Exception:           # a bug of the mock: say so, keep serving
            st.stats["mock_errors"] += 1
            traceback.print_exc()
            return self.error(ApiError(500, "UNEXPECTED_ERROR", "Mock error; see its log."))

    def rate_headers(self):
        # RateLimit-* on every answer (the spec declares them on each 200
        # and 429); with inject_429 = N the bucket empties every N requests.
        st = self.server.state
        left = (-st.stats["api_requests"]) % st.inject_429 if st.inject_429 else 100
        return {"RateLimit-Limit": str(st.inject_429 or 100), "RateLimit-Remaining": str(left)}

    # -- dispatch ----------------------------------------------------------------
    def dispatch(self, url, raw, cred):
        st, api = self.server.state, self.server.api
        route, groups = api.match(self.command, url.path)
        key = "%s %s" % (route.method, route.op)
        st.stats["by_route"][key] = st.stats["by_route"].get(key, 0) + 1
        times = st.stats["route_times"].setdefault(key, [])
        if len(times) < 100:        # when: a test checks a client waited
            times.append(round(time.monotonic(), 3))
        self.limit(route)
        seen = st.stats["auth_seen"].setdefault(route.op, {})
        seen[cred["name"]] = seen.get(cred["name"], 0) + 1
        if route.op in st.fail_routes:
            raise ApiError(int(st.fail_routes[route.op]), "UNEXPECTED_ERROR", "Injected failure (fail_routes).")
        self.check_accept(route)
        self.check_sunset(route)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        check_query(route, q)
        body = self.parse_body(route, raw)
        api.cred = cred
        if route.need:
            api.require(route.need, groups[0])
        try:
            status, obj = route.fn(groups, q, body)
        finally:
            if self.command != "GET":
                st.generation += 1  # after: a view built mid-write is stale
        self.commit_then_fail(url.path)
        if obj is not None and flag(q, "envelope"):
            # envelope=true (raw spec, every operation): lists gain status,
            # single results are wrapped in {content, status}.
            obj = dict(obj, status=status) if isinstance(obj, dict) and "results" in obj \
                else {"content": obj, "status": status}
        return self.answer(status, obj, route.version, self.rate_headers(),
                           indent=1 if flag(q, "pretty") else None)

    def limit(self, route):
        """limit_routes {operationId: [n, seconds]}: its next n calls are
        answered 429 with Retry-After: seconds (a bucket of that route)."""
        st = self.server.state
        lim = st.limit_routes.get(route.op)
        if isinstance(lim, list) and len(lim) == 2 and lim[0] > 0:
            lim[0] -= 1
            st.stats["rate_limited"] += 1
            raise ApiError(429, "RATE_LIMITED", "Rate limit exceeded; retry after %d seconds."
                           % lim[1], headers={"Retry-After": str(lim[1])})

    def check_accept(self, route):
        offered = [t.split(";")[0].strip() for t in self.headers.get("Accept", "").split(",")]
        if route.version not in offered:
            raise ApiError(406, "INVALID_VERSION_DATE", "Accept %s does not match %s."
                           % (self.headers.get("Accept"), route.version), contract=True)

    def check_sunset(self, route):
        if route.sunset is None:
            return
        if today(self.server.state) >= route.sunset:
            raise ApiError(410, "VERSION_GONE", "%s was sunset on %s." % (route.op, route.sunset),
                           contract=True)
        self.server.state.violation("%s %s: deprecated operation %s %s (x-sunset %s)" % (
            self.command, self.path, route.op, route.template, route.sunset))

    def parse_body(self, route, raw):
        if self.command not in ("POST", "PATCH", "PUT"):
            return None
        if self.headers.get("Content-Type", "").split(";")[0].strip() != route.version:
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be %s." % route.version,
                           contract=True)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise ApiError(400, "INVALID_JSON", "Malformed JSON.", contract=True)
        if body is None:
            raise ApiError(400, "MISSING_ATTRIBUTE", "A request body is required.", contract=True)
        check_body(route.body, body)
        return body

    def commit_then_fail(self, path):
        """commit_then_5xx: the write is applied, then answered with an
        error, like a proxy that timed out after the commit."""
        st = self.server.state
        f = st.commit_then_5xx
        if not f or f.get("count", 0) <= 0 or self.command == "GET":
            return
        if f.get("method", self.command) != self.command or not re.search(f.get("path_regex", ""), path):
            return
        f["count"] -= 1
        st.stats["commit_then_5xx_fired"] += 1
        status = int(f.get("status", 504))
        raise ApiError(status, FAULT_CODES.get(status, "UNEXPECTED_ERROR"),
                       "The request was committed; the answer was lost (mock fault).")

    # -- auth ----------------------------------------------------------------------
    def challenge(self, stale=False):
        st = self.server.state
        nonce = secrets.token_hex(16)
        st.nonces[nonce] = {"t": time.monotonic(), "nc": 0}
        st.stats["challenges"] += 1
        if stale:
            st.stats["stale"] += 1
        h = ('Digest realm="%s", domain="", nonce="%s", algorithm=%s, qop="auth", stale=%s'
             % (REALM, nonce, st.algorithm, "true" if stale else "false"))
        raise ApiError(401, "UNAUTHORIZED", "You are not authorized for this resource.",
                       headers={"WWW-Authenticate": h})

    def auth(self):
        """The calling credential: {"name", "roles"}; roles None means the
        fixture gave it no roles, so every operation is allowed."""
        st = self.server.state
        h = self.headers.get("Authorization", "")
        if h.startswith("Bearer "):
            tok = st.tokens.get(h[7:])
            if tok is None or tok[0] < time.monotonic():
                raise ApiError(401, "UNAUTHORIZED", "Invalid or expired token.")
            return {"name": "oauth:" + tok[1], "roles": st.sa[tok[1]].get("roles")}
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
        cred = st.creds.get(f.get("username", ""))
        if H is None or cred is None or f.get("qop") != "auth" or f.get("realm") != REALM:
            self.challenge()
        try:
            nc = int(f.get("nc", "0"), 16)
        except ValueError:
            self.challenge()
        if nc <= n["nc"] or f.get("uri") != self.path:
            self.challenge()
        h1 = H(("%s:%s:%s" % (f["username"], REALM, cred["privateKey"])).encode()).hexdigest()
        h2 = H(("%s:%s" % (self.command, f["uri"])).encode()).hexdigest()
        want = H(("%s:%s:%s:%s:auth:%s" % (h1, f["nonce"], f["nc"], f.get("cnonce", ""), h2)).encode()).hexdigest()
        if want != f.get("response"):
            self.challenge()
        n["nc"] = nc
        return {"name": "digest:" + f["username"], "roles": cred.get("roles")}

    def token(self, raw):
        st = self.server.state
        if self.command != "POST":
            raise ApiError(405, "METHOD_NOT_ALLOWED", "POST only.", contract=True)
        form = urllib.parse.parse_qs(raw.decode(errors="replace"))
        cid, csec = None, None
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            try:
                cid, csec = base64.b64decode(h[6:]).decode().split(":", 1)
            except ValueError:
                pass
        cid = cid or form.get("client_id", [None])[0]
        csec = csec or form.get("client_secret", [None])[0]
        if form.get("grant_type", [None])[0] != "client_credentials":
            return self.answer(400, {"error": "unsupported_grant_type"})
        if cid is None or st.sa.get(cid, {}).get("clientSecret") != csec:
            return self.answer(401, {"error": "invalid_client"})
        tok = secrets.token_urlsafe(32)
        st.tokens[tok] = (time.monotonic() + st.token_ttl, cid)
        st.stats["tokens_issued"] += 1
        return self.answer(200, {"access_token": tok, "token_type": "Bearer", "expires_in": st.token_ttl})

    # -- test control ------------------------------------------------------------
    def control(self, path, raw):
        st = self.server.state
        want = {"/__mock/stats": "GET", "/__mock/state": "GET", "/__mock/reset-stats": "POST",
                "/__mock/config": "POST", "/__mock/mutate": "POST"}.get(path)
        if want is None:
            raise ApiError(404, "RESOURCE_NOT_FOUND", path)
        if want != self.command:
            raise ApiError(405, "METHOD_NOT_ALLOWED", "%s takes %s." % (path, want))
        if path == "/__mock/stats":
            return self.answer(200, dict(st.stats, late=mocklib.Handler.late))
        if path == "/__mock/state":
            return self.answer(200, self.state_doc())
        if path == "/__mock/reset-stats":
            st.reset_stats()
            mocklib.Handler.late = 0
            return self.answer(200, {})
        try:
            doc = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "INVALID_JSON", "Malformed JSON.")
        if not isinstance(doc, dict):
            raise ApiError(400, "INVALID_JSON", "A JSON object is needed.")
        if path == "/__mock/mutate":
            self.server.api.mutate(doc)
            st.generation += 1
            return self.answer(200, {"ok": True})
        return self.answer(200, self.configure(doc))

    def configure(self, cfg):
        st = self.server.state
        for k, v in cfg.items():
            if k not in KNOBS or not isinstance(v, KNOBS[k]):
                raise ApiError(400, "INVALID_KNOB", "Unknown knob or bad value: %s." % k)
        for k, v in cfg.items():
            setattr(st, k, dict(v) if isinstance(v, dict) else v)
        return cfg

    def state_doc(self):
        st = self.server.state
        return {"orgs": list(st.orgs.values()), "users": list(st.users.values()),
                "projects": list(st.projects.values()), "projectUsers": st.project_users,
                "projectTeams": st.project_teams, "teams": list(st.teams.values()),
                "databaseUsers": [dict(d, groupId=k[0]) for k, d in st.dbusers.items()],
                "customDbRoles": st.custom_roles, "clusters": st.clusters, "apiKeys": st.apikeys,
                "federations": st.federations}

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


def main():
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--digest-algorithm", default="MD5", choices=["MD5", "SHA-256"])
    ap.add_argument("--nonce-ttl", type=int, default=300)
    ap.add_argument("--token-ttl", type=int, default=3600)
    ap.add_argument("--inject-429", type=int, default=0)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--request-log")
    ap.add_argument("--replay-list")
    a = ap.parse_args()
    with open(a.fixture) as f:
        st = State(json.load(f))
    st.algorithm, st.nonce_ttl, st.token_ttl = a.digest_algorithm, a.nonce_ttl, a.token_ttl
    st.inject_429, st.latency_ms = a.inject_429, a.latency_ms
    # Line-buffered: SIGTERM ends the mock with os._exit.
    st.request_log = open(a.request_log, "w", buffering=1) if a.request_log else None
    st.replay_list = a.replay_list

    def setup(srv):
        srv.state, srv.api = st, Api(st)

    mocklib.serve("atlas", a, Handler, setup=setup)


if __name__ == "__main__":
    main()
