#!/usr/bin/env python3
"""HashiCorp Vault / OpenBao KV v2 mock for the tests: loopback TLS only.

POST|PUT /v1/<mount>/data/<path>  {"data": {...}}  -> new version
GET      /v1/<mount>/data/<path>[?version=N]      -> that version
Every request needs X-Vault-Token equal to the token file's content
(403 {"errors": ["permission denied"]} otherwise), like Vault. An unknown
mount answers 404 as Vault does. --fail N makes the first N writes answer
503 (sealed), to test the spool fallback.
"""
import argparse, datetime, http.server, json, os, sys, threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

LOCK = threading.Lock()
STORE = {}          # (mount, path) -> [ {data, created_time} ]
ARGS = None
FAILS = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        if self.headers.get("X-Vault-Token", "") != ARGS.token:
            self.reply(403, {"errors": ["permission denied"]})
            return None
        path = self.path.split("?", 1)[0]
        parts = path.split("/")
        # ['', 'v1', mount, 'data', ...]
        if len(parts) < 5 or parts[1] != "v1" or parts[3] != "data" or not parts[4]:
            self.reply(404, {"errors": []})
            return None
        if parts[2] != ARGS.mount:
            self.reply(404, {"errors": ["no handler for route \"%s\"" % path[4:]]})
            return None
        return parts[2], "/".join(parts[4:])

    def do_GET(self):
        r = self.route()
        if r is None:
            return
        with LOCK:
            versions = STORE.get(r, [])
        if not versions:
            self.reply(404, {"errors": []})
            return
        v = versions[-1]
        self.reply(200, {"data": {"data": v["data"], "metadata": {
            "created_time": v["created_time"], "version": len(versions),
            "deletion_time": "", "destroyed": False}}})

    def do_POST(self):
        r = self.route()
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if n else b""
        if r is None:
            return
        with LOCK:
            if FAILS[0] < ARGS.fail:
                FAILS[0] += 1
                self.reply(503, {"errors": ["Vault is sealed"]})
                return
        try:
            doc = json.loads(raw)
            data = doc["data"]
            assert isinstance(data, dict)
        except Exception:
            self.reply(400, {"errors": ["no data provided"]})
            return
        now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with LOCK:
            versions = STORE.setdefault(r, [])
            versions.append({"data": data, "created_time": now})
            ver = len(versions)
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                f.write(json.dumps({"mount": r[0], "path": r[1],
                                    "version": ver, "data": data}) + "\n")
        self.reply(200, {"request_id": "mock-%d" % ver, "data": {
            "created_time": now, "custom_metadata": None,
            "deletion_time": "", "destroyed": False, "version": ver}})

    do_PUT = do_POST


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--mount", default="secret")
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--log")
    ARGS = ap.parse_args()
    with open(ARGS.token_file) as f:
        ARGS.token = f.read().strip()
    mocklib.serve("vault", ARGS, Handler)


if __name__ == "__main__":
    main()
