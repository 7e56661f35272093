#!/usr/bin/env python3
"""dns_tcp_hostile.py - a DNS server whose TCP answers are broken on purpose.

Over UDP it answers every question with an empty truncated response (TC
set), so a client that starts over UDP must come over TCP. Over TCP it
reads the question (its two-byte length, then the message) and, by
--mode, frames the answer to it wrongly:

  hold   the length says 4000 bytes; 10 bytes of the answer follow, then
         nothing, the connection held open until the client closes it
         (or --hold seconds pass)
  close  the right length, half the answer, then the connection closed
  empty  the connection closed without a byte
  zero   a length of 0, then the connection closed
  otherid the whole answer, framed right, but to another query id

The answer is one A record, 192.0.2.1, for any name. The log (--log) gets
one line per question: "UDP NAME" or "TCP NAME MODE".

Usage: dns_tcp_hostile.py --listen ADDR --port PORT --mode MODE
                          [--hold SECONDS] --log FILE
"""

import argparse
import socket
import socketserver
import struct
import threading


def question_end(msg):
    """The offset just after the question's name, type and class."""
    pos = 12
    while pos < len(msg) and msg[pos] != 0:
        pos += 1 + msg[pos]
    return pos + 5


def qname(msg):
    labels, pos = [], 12
    while pos < len(msg) and msg[pos] != 0:
        labels.append(msg[pos + 1:pos + 1 + msg[pos]].decode("ascii", "replace"))
        pos += 1 + msg[pos]
    return ".".join(labels)


def answer(query, truncated):
    """The response to query: empty and TC when truncated, else one A record."""
    qid, flags = struct.unpack(">HH", query[:4])
    question = query[12:question_end(query)]
    rd = flags & 0x0100
    if truncated:
        return struct.pack(">HHHHHH", qid, 0x8200 | rd, 1, 0, 0, 0) + question
    return (struct.pack(">HHHHHH", qid, 0x8480 | rd, 1, 1, 0, 0) + question +
            b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1]))


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def line(self, text):
        with self.lock:
            self.f.write(text + "\n")


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        opts = self.server.opts
        head = read_exactly(self.request, 2)
        query = head and read_exactly(self.request, struct.unpack(">H", head)[0])
        if not query or len(query) < 12:
            return
        self.server.log.line("TCP %s %s" % (qname(query), opts.mode))
        msg = answer(query, False)
        if opts.mode == "hold":
            self.request.sendall(struct.pack(">H", 4000) + msg[:10])
            self.request.settimeout(opts.hold)
            try:
                while self.request.recv(4096):
                    pass
            except OSError:
                pass
        elif opts.mode == "close":
            self.request.sendall(struct.pack(">H", len(msg)) + msg[:len(msg) // 2])
        elif opts.mode == "zero":
            self.request.sendall(b"\x00\x00")
        elif opts.mode == "otherid":
            other = struct.pack(">H", (struct.unpack(">H", msg[:2])[0] + 1) & 0xffff)
            self.request.sendall(struct.pack(">H", len(msg)) + other + msg[2:])


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        query, sock = self.request
        if len(query) < 12:
            return
        self.server.log.line("UDP %s" % qname(query))
        sock.sendto(answer(query, True), self.client_address)


class TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--mode", choices=("hold", "close", "empty", "zero", "otherid"),
                   required=True)
    p.add_argument("--hold", type=float, default=120)
    p.add_argument("--log", required=True)
    opts = p.parse_args()
    family = socket.AF_INET6 if ":" in opts.listen else socket.AF_INET
    TCPServer.address_family = family
    socketserver.UDPServer.address_family = family
    log = Log(opts.log)
    tcp = TCPServer((opts.listen, opts.port), TCPHandler)
    udp = socketserver.ThreadingUDPServer((opts.listen, opts.port), UDPHandler)
    for s in (tcp, udp):
        s.opts, s.log = opts, log
    threading.Thread(target=udp.serve_forever, daemon=True).start()
    tcp.serve_forever()


if __name__ == "__main__":
    main()
