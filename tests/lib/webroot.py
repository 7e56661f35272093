#!/usr/bin/env python3
"""webroot.py - serve a directory over plain HTTP on 127.0.0.1 (http-01).

    webroot.py DIR PORT

`python3 -m http.server` with one change: a listen backlog of 128 instead of
socketserver's 5. Pebble validates every challenge from 3 perspectives at
once, so a client that answers 8 challenges together makes 24 connections
arrive at the same moment; with a backlog of 5 the kernel drops most SYNs
(TcpExtListenOverflows) and Pebble's dialer retries them a second later,
which made concurrent clients look slow for a reason that is not theirs.
"""

import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: webroot.py DIR PORT")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=sys.argv[1])
    with Server(("127.0.0.1", int(sys.argv[2])), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
