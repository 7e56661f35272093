"""acme_relay.py - what the HTTPS fronts before Pebble share (imported by
ari_server.py and fault_ca.py, which live in the same directory).

A front answers HTTPS on 127.0.0.1 with Pebble's own server certificate and
relays each request to Pebble with its Host header kept, so Pebble builds
every URL it hands out (and checks every JWS "url") against the front: the
client sees one ACME server, the front's. Subclasses of RelayHandler decide
per request what to answer; relay() gives them Pebble's answer.
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

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "date", "server"}


def b64url_decode(text):
    """The bytes of unpadded base64url TEXT."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jws_payload(body):
    """The decoded JSON payload of a JWS request body; {} for POST-as-GET,
    None when BODY is not a flattened JWS with a JSON payload."""
    try:
        payload = b64url_decode(json.loads(body)["payload"])
        return json.loads(payload) if payload else {}
    except (TypeError, ValueError, KeyError):
        return None


class RelayHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "acme-front/1"

    def setup(self):
        self.request.settimeout(30)
        if self.server.tls is not None:
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        pass

    def event(self, line):
        """Appends LINE to the front's event log (--log)."""
        with self.server.log_lock:
            with open(self.server.log, "a") as f:
                f.write(line + "\n")

    def read_body(self):
        """The request body, or None when there is none."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def send(self, status, headers, body):
        """Answers STATUS with HEADERS (name, value) pairs and BODY (bytes)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def upstream(self):
        return http.client.HTTPSConnection(self.server.upstream_host,
                                           self.server.upstream_port,
                                           context=self.server.upstream_tls,
                                           timeout=30)

    def relay(self, body):
        """Sends this request to Pebble; returns (status, headers, body)."""
        conn = self.upstream()
        headers = {"Host": self.headers.get("Host", "localhost")}
        if self.server.tls is None:
            # Pebble then builds http:// URLs and checks JWS "url"s against them
            headers["X-Forwarded-Proto"] = "http"
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

    def fresh_nonce(self):
        """A real nonce from Pebble, so the client's next request works
        after an answer the front made up."""
        conn = self.upstream()
        try:
            conn.request("HEAD", "/nonce-plz", headers={"Host": self.headers["Host"]})
            resp = conn.getresponse()
            resp.read()
            return resp.getheader("Replay-Nonce") or secrets.token_urlsafe(16)
        finally:
            conn.close()


class RelayServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def arguments(description):
    """An argument parser with the options every front takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--listen", default="127.0.0.1",
                    help="the address to listen on (a netns lab's)")
    ap.add_argument("--cert", required=True, help="the front's certificate (PEM)")
    ap.add_argument("--key", required=True, help="its key (PEM)")
    ap.add_argument("--upstream", required=True, help="Pebble's HOST:PORT")
    ap.add_argument("--upstream-ca", required=True, help="the CA of Pebble's certificate")
    ap.add_argument("--log", required=True, help="the event log")
    return ap


def serve(handler, args, name, plain=False, **attributes):
    """Serves HANDLER on args.listen:args.port until killed, over TLS unless
    PLAIN (plain HTTP, the URLs Pebble hands out http://); ATTRIBUTES are
    set on the server, where handlers find them as self.server.NAME."""
    server = RelayServer((args.listen, args.port), handler)
    server.tls = None
    if not plain:
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(args.cert, args.key)
    server.upstream_tls = ssl.create_default_context(cafile=args.upstream_ca)
    host, _, port = args.upstream.rpartition(":")
    server.upstream_host, server.upstream_port = host, int(port)
    server.log = args.log
    server.log_lock = threading.Lock()
    for key, value in attributes.items():
        setattr(server, key, value)
    open(args.log, "a").close()
    sys.stderr.write("%s on %s:%d -> %s\n" % (name, args.listen, args.port, args.upstream))
    sys.stderr.flush()
    server.serve_forever()
