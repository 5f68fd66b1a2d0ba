#!/usr/bin/env python3
"""Loopback HTTPS mock for the demo fetcher and the foundation tests.

GET /hello       -> {"hello":"world","auth":"<scheme seen>"}
GET /data/<x>    -> {"data":"<x>"}
GET /redirect    -> 302 to the URL given by --redirect
GET /big?n=N     -> N bytes of JSON padding
GET /echo-auth   -> {"authorization": "<header as received>"}  (tests only)
Every accepted TCP connection is counted and written to --count-file, so
a test can prove that a refused address saw zero connections. With
--raw-log every request as the server parsed it (method, path, header
names; or the raw line it could not parse) is appended as a JSON line:
what a smuggled header or request would add is there to see.
"""
import argparse, http.server, json, os, sys, threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mocklib  # noqa: E402

COUNT = 0
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Secret-Header", "must-not-be-relayed")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        path = self.path.split("?")[0]
        if path == "/hello":
            self.send_json(200, {"hello": "world",
                                 "auth": auth.split(" ")[0] if auth else ""},
                           {"RateLimit-Remaining": "99", "Link": "<x>; rel=next"})
        elif path.startswith("/data/"):
            self.send_json(200, {"data": path[6:]})
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", self.server.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/big":
            n = int(self.path.split("n=")[1]) if "n=" in self.path else 1000
            body = b'{"pad":"' + b"x" * n + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif path == "/echo-auth":
            self.send_json(200, {"authorization": auth})
        else:
            self.send_json(404, {"error": "not found"})


POST_LOG = None
RAW_LOG = None


def parse_request(self):
    ok = http.server.BaseHTTPRequestHandler.parse_request(self)
    if RAW_LOG:
        if ok:
            rec = {"method": self.command, "path": self.path,
                   "headers": [k.lower() for k in self.headers.keys()]}
        else:
            rec = {"bad": self.raw_requestline.decode("latin-1")}
        with LOCK, open(RAW_LOG, "a") as f:
            f.write(json.dumps(rec) + "\n")
    return ok


Handler.parse_request = parse_request


def do_POST(self):
    n = int(self.headers.get("Content-Length", "0"))
    body = self.rfile.read(n) if n else b""
    if POST_LOG:
        with LOCK, open(POST_LOG, "a") as f:
            f.write(json.dumps({"path": self.path,
                                "body": body.decode("utf-8", "replace")}) + "\n")
    if self.path.startswith("/echo"):
        # Echo the body back, as some APIs echo a created user.
        self.send_json(201, {"received": body.decode("utf-8", "replace")})
    elif self.path.startswith("/fail"):
        self.send_json(400, {"error": "refused", "received":
                             body.decode("utf-8", "replace")})
    else:
        self.send_json(201, {"created": True, "len": len(body)})


Handler.do_POST = do_POST


class Server(mocklib.TLSServer):
    def accepted(self, addr):
        global COUNT
        with LOCK:
            COUNT += 1
            if self.count_file:
                with open(self.count_file, "w") as f:
                    f.write(str(COUNT))


def main():
    ap = argparse.ArgumentParser()
    mocklib.listen_arguments(ap)
    ap.add_argument("--count-file")
    ap.add_argument("--redirect", default="https://127.0.0.2:1/")
    ap.add_argument("--post-log")
    ap.add_argument("--raw-log")
    a = ap.parse_args()
    global POST_LOG, RAW_LOG
    POST_LOG = a.post_log
    RAW_LOG = a.raw_log
    if a.count_file:
        with open(a.count_file, "w") as f:
            f.write("0")

    def setup(srv):
        srv.count_file = a.count_file
        srv.redirect = a.redirect

    mocklib.serve("demo", a, Handler, Server, setup)


if __name__ == "__main__":
    main()
