#!/usr/bin/env python3
"""ari_server.py - an HTTPS ACME front for Pebble 2.4 that adds ARI (RFC 9773).

Every request is relayed to Pebble with its Host header kept, so Pebble
builds every URL it hands out (and checks every JWS "url") against this
server: the client sees one ACME server that has renewal information.
On top of that:
  - GET /dir adds "renewalInfo": "https://HOST/renewal-info" to Pebble's
    directory;
  - GET /renewal-info/CERTID answers from the control file (JSON, re-read
    on every request):
        {"start": RFC3339, "end": RFC3339,   the suggestedWindow
         "retry_after": "3600",              Retry-After value (optional)
         "status": 200,                      another status: an error answer
         "reject_replaces": false,           answer a newOrder that carries
                                             "replaces" with 409
                                             alreadyReplaced (not relayed)
         "profiles": {NAME: TEXT},           served as the directory's
                                             meta.profiles (Pebble 2.4 has
                                             none)
         "finalize_retry_after": "2"}        Retry-After added to finalize
                                             answers (Pebble sends none)
  - the payload of every newOrder is decoded and its "replaces" logged.
The log (--log) gets one line per event the tests look at:
    RENEWALINFO CERTID
    NEWORDER replaces=CERTID|- -> HTTP-STATUS
    PROFILE NAME            (an order was created for that profile)
    REQUEST METHOD PATH     (every request, relayed or answered here)
    FINALIZE AT / ORDER AT  (a finalize / an order fetch arrived, AT in
                             seconds of a monotonic clock)

Usage: ari_server.py --port PORT --cert PEM --key PEM --upstream HOST:PORT
                     --upstream-ca PEM --control FILE --log FILE
"""

import argparse
import base64
import http.client
import http.server
import json
import secrets
import ssl
import sys
import threading
import time

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "date", "server"}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ari-test/1"

    def setup(self):
        self.request.settimeout(30)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        pass

    def event(self, line):
        with self.server.log_lock:
            with open(self.server.log, "a") as f:
                f.write(line + "\n")

    def send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def control(self):
        try:
            with open(self.server.control) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def relay(self, body):
        """Sends this request to Pebble; returns (status, headers, body)."""
        conn = http.client.HTTPSConnection(self.server.upstream_host,
                                           self.server.upstream_port,
                                           context=self.server.upstream_tls,
                                           timeout=30)
        headers = {"Host": self.headers.get("Host", "localhost")}
        for name in ("Content-Type", "Accept", "User-Agent"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = [(n, v) for n, v in resp.getheaders()
                    if n.lower() not in HOP_BY_HOP]
            return resp.status, kept, data
        finally:
            conn.close()

    def answer_renewal_info(self, cert_id):
        self.event("RENEWALINFO " + cert_id)
        ctl = self.control()
        status = int(ctl.get("status", 200))
        headers = [("Content-Type", "application/json")]
        if ctl.get("retry_after") is not None:
            headers.append(("Retry-After", str(ctl["retry_after"])))
        if status != 200:
            body = json.dumps({"type": "urn:ietf:params:acme:error:serverInternal",
                               "detail": "test server says %d" % status})
            self.send(status, [("Content-Type", "application/problem+json")],
                      body.encode())
            return
        body = {"suggestedWindow": {"start": ctl.get("start"), "end": ctl.get("end")},
                "explanationURL": "https://ari.test/why"}
        self.send(200, headers, json.dumps(body).encode())

    def handle_any(self):
        self.event("REQUEST %s %s" % (self.command, self.path))
        if self.command == "POST" and self.path.startswith("/finalize-order/"):
            self.event("FINALIZE %.3f" % time.monotonic())
        elif self.command == "POST" and self.path.startswith("/my-order/"):
            self.event("ORDER %.3f" % time.monotonic())
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.command == "GET" and self.path.startswith("/renewal-info/"):
            self.answer_renewal_info(self.path[len("/renewal-info/"):])
            return
        order = None
        if self.command == "POST" and self.path == "/order-plz" and body:
            payload = json.loads(b64url_decode(json.loads(body)["payload"]) or b"{}")
            order = "NEWORDER replaces=%s" % (payload.get("replaces") or "-")
            if payload.get("replaces") and self.control().get("reject_replaces"):
                problem = {"type": "urn:ietf:params:acme:error:alreadyReplaced",
                           "detail": "certificate %s was already replaced"
                           % payload["replaces"], "status": 409}
                self.event(order + " -> 409")
                self.send(409, [("Content-Type", "application/problem+json"),
                                ("Replay-Nonce", self.fresh_nonce())],
                          json.dumps(problem).encode())
                return
        status, headers, data = self.relay(body)
        retry_after = self.control().get("finalize_retry_after")
        if self.path.startswith("/finalize-order/") and status == 200 and retry_after:
            headers.append(("Retry-After", str(retry_after)))
        if order is not None:
            # a badNonce answer is retried by the client: only the status
            # tells a created order from a retried request
            self.event("%s -> %d" % (order, status))
            if status == 201 and payload.get("profile"):
                self.event("PROFILE " + payload["profile"])
        if self.command == "GET" and self.path == "/dir" and status == 200:
            directory = json.loads(data)
            directory["renewalInfo"] = "https://%s/renewal-info" % self.headers["Host"]
            if self.control().get("profiles"):
                directory.setdefault("meta", {})["profiles"] = self.control()["profiles"]
            data = json.dumps(directory).encode()
        self.send(status, headers, data)

    def fresh_nonce(self):
        """A real nonce from Pebble, so the client's next request works."""
        conn = http.client.HTTPSConnection(self.server.upstream_host,
                                           self.server.upstream_port,
                                           context=self.server.upstream_tls,
                                           timeout=30)
        try:
            conn.request("HEAD", "/nonce-plz", headers={"Host": self.headers["Host"]})
            resp = conn.getresponse()
            resp.read()
            return resp.getheader("Replay-Nonce") or secrets.token_urlsafe(16)
        finally:
            conn.close()

    do_GET = do_HEAD = do_POST = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--upstream-ca", required=True)
    ap.add_argument("--control", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.tls.load_cert_chain(args.cert, args.key)
    server.upstream_tls = ssl.create_default_context(cafile=args.upstream_ca)
    host, _, port = args.upstream.rpartition(":")
    server.upstream_host, server.upstream_port = host, int(port)
    server.control, server.log = args.control, args.log
    server.log_lock = threading.Lock()
    open(args.log, "a").close()
    sys.stderr.write("ari_server on 127.0.0.1:%d -> %s\n" % (args.port, args.upstream))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
