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

import json
import time

from acme_relay import RelayHandler, arguments, jws_payload, serve


class Handler(RelayHandler):
    server_version = "ari-test/1"

    def control(self):
        try:
            with open(self.server.control) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

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
        body = self.read_body()
        if self.command == "GET" and self.path.startswith("/renewal-info/"):
            self.answer_renewal_info(self.path[len("/renewal-info/"):])
            return
        order = None
        if self.command == "POST" and self.path == "/order-plz" and body:
            payload = jws_payload(body) or {}
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

    do_GET = do_HEAD = do_POST = handle_any


def main():
    ap = arguments("an HTTPS ACME front for Pebble that adds ARI")
    ap.add_argument("--control", required=True)
    args = ap.parse_args()
    serve(Handler, args, "ari_server", control=args.control)


if __name__ == "__main__":
    main()
