#!/usr/bin/env python3
"""dns_stub.py - a UDP DNS server on loopback that never knows a record.

    dns_stub.py --mode silent|empty --port PORT

silent: reads every query and answers none (a server that is down for the
        asker: it waits for its own timeout).
empty:  answers every query at once with the question echoed and no
        record: NOERROR, authoritative, recursion available (a server that
        has no such record, however often it is asked).

Binds 127.0.0.1:PORT only; prints "ready" on stdout once it listens (for
wait_for_line); stops on SIGTERM.
"""

import argparse
import socket
import struct

HEADER_LEN = 12
# QR, AA and RA set, opcode QUERY, rcode NOERROR; RD is copied from the query
FLAGS = 0x8580


def empty_answer(query):
    """The reply to QUERY with its question and no record, or None when
    QUERY is too short to hold a header."""
    if len(query) < HEADER_LEN:
        return None
    rd = (query[2] & 1) << 8
    return query[:2] + struct.pack(">HHHHH", FLAGS | rd, 1, 0, 0, 0) + query[HEADER_LEN:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("silent", "empty"), required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    print("ready", flush=True)
    while True:
        query, peer = sock.recvfrom(4096)
        reply = empty_answer(query) if args.mode == "empty" else None
        if reply is not None:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
