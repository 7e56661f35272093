#!/usr/bin/env python3
"""slow_https.py - a small HTTPS server for acmectl's network tests.

Plays the parts the tests need that Pebble cannot:
  - a slow ACME CA: GET /dir answers an RFC 8555 directory only after
    --delay seconds (the TLS handshake and every other path answer at once);
  - HEAD or GET /nonce answers 200 with a Replay-Nonce;
  - POST /new-acct answers urn:ietf:params:acme:error:accountDoesNotExist;
  - everything else: 404 with an HTML page, like the default backend of an
    ingress controller that answers for a hijacked name.

Usage: slow_https.py --listen ADDR --port PORT --cert PEM --key PEM [--delay S]
One line per request goes to stderr with the time it arrived.
"""

import argparse
import http.server
import json
import secrets
import socket
import ssl
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "slow-https/1"
    delay = 0.0

    def setup(self):
        # The handshake runs here, in the connection's own thread, so a
        # client that never finishes it (a port probe) blocks nobody else.
        self.request.settimeout(30)
        self.request = self.server.tls.wrap_socket(self.request,
                                                    server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        sys.stderr.write("%.3f %s\n" % (time.time(), fmt % args))
        sys.stderr.flush()

    def base_url(self):
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        return "https://" + host

    def send(self, status, ctype, body, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def nonce(self):
        return {"Replay-Nonce": secrets.token_urlsafe(16)}

    def do_GET(self):
        if self.path == "/dir":
            time.sleep(self.delay)
            base = self.base_url()
            directory = {
                "newNonce": base + "/nonce",
                "newAccount": base + "/new-acct",
                "newOrder": base + "/new-order",
                "revokeCert": base + "/revoke-cert",
                "keyChange": base + "/key-change",
                "meta": {"termsOfService": base + "/terms"},
            }
            self.send(200, "application/json",
                      json.dumps(directory).encode())
        elif self.path == "/nonce":
            self.send(200, "text/plain", b"", self.nonce())
        else:
            self.send(404, "text/html",
                      b"<html><body><h1>404 Not Found</h1>"
                      b"default backend</body></html>\n")

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/new-acct":
            problem = {
                "type": "urn:ietf:params:acme:error:accountDoesNotExist",
                "detail": "no account exists with the provided key",
                "status": 400,
            }
            self.send(400, "application/problem+json",
                      json.dumps(problem).encode(), self.nonce())
        else:
            self.send(404, "application/problem+json",
                      b'{"type":"urn:ietf:params:acme:error:malformed",'
                      b'"status":404}', self.nonce())


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, handler, tls):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.tls = tls
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        sys.stderr.write("%.3f connection from %s failed: %s\n"
                         % (time.time(), client_address[0], sys.exc_info()[1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--delay", type=float, default=0.0)
    args = ap.parse_args()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    Handler.delay = args.delay
    server = Server((args.listen, args.port), Handler, tls)
    sys.stderr.write("listening on %s:%d, directory delay %.1f s\n"
                     % (args.listen, args.port, args.delay))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
