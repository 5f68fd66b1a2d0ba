"""What every loopback HTTPS mock shares: the listening arguments, the
loopback-only check, TLS on each accepted connection (the handshake runs
in the request's thread, so a slow client does not hold up the others)
and the port file, written whole so a test never reads half a number;
and the injected latency (Handler.hold)."""
import http.server, ipaddress, os, signal, socket, ssl, sys, threading, time


class Handler(http.server.BaseHTTPRequestHandler):
    """Stamps each request's arrival, for hold()."""

    late = 0                    # answers that left after their deadline
    late_lock = threading.Lock()

    def parse_request(self):
        self.arrived = time.monotonic()
        return super().parse_request()

    def hold(self, ms):
        """Injected latency: the answer leaves ms after its request arrived,
        the mock's own work (and its wait for the lock and the GIL) counted
        inside that time, as a server's own time is inside the latency a
        client sees. Sleeping ms after the work instead added the mock's
        cost to every answer: with 8 requests in flight on one interpreter
        the last of a burst waited for 7 renderings, and the benchmark
        measured the mock. A late answer (work longer than ms) is counted
        in Handler.late, which the stats report, so a mock that is the
        bottleneck shows it."""
        if ms <= 0:
            return
        left = getattr(self, "arrived", time.monotonic()) + ms / 1000.0 - time.monotonic()
        if left > 0:
            time.sleep(left)    # outside any lock: requests overlap
        else:
            with Handler.late_lock:
                Handler.late += 1


class TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def get_request(self):
        sock, addr = self.socket.accept()
        # Headers and body go out in separate writes: without this, Nagle
        # and the client's delayed ACK add 40 ms to every answer.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.accepted(addr)
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def accepted(self, addr):
        """Called for every TCP connection, before any TLS."""

    def handle_error(self, request, client_address):
        # A client that gives up on our certificate is what some tests do.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            return
        super().handle_error(request, client_address)


def listen_arguments(ap):
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)


def serve(name, a, handler, server_class=TLSServer, setup=None):
    ip = ipaddress.ip_address(a.bind)
    if not ip.is_loopback:
        sys.exit("%s mock: refusing to bind %s: loopback only" % (name, a.bind))
    server_class.address_family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    srv = server_class((a.bind, a.port), handler)
    srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.ctx.load_cert_chain(a.cert, a.key)
    if setup is not None:
        setup(srv)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()
