"""plain_front.py - Pebble behind plain HTTP: an ACME server whose
directory URL is http://, as an Issuer may name one (cert-manager then uses
it without TLS). Every request is relayed to Pebble, which hands out
http:// URLs (X-Forwarded-Proto); nothing is changed.
"""

from acme_relay import RelayHandler, arguments, serve


class Handler(RelayHandler):
    def handle_any(self):
        body = self.read_body()
        status, headers, data = self.relay(body)
        self.event("REQUEST %s %s" % (self.command, self.path))
        self.send(status, headers, data)

    do_GET = do_HEAD = do_POST = handle_any


def main():
    args = arguments("a plain HTTP ACME front for Pebble").parse_args()
    serve(Handler, args, "plain_front", plain=True)


if __name__ == "__main__":
    main()
