#!/usr/bin/env python3
"""delay_relay.py - a TCP relay on loopback that adds a fixed one-way delay.

    delay_relay.py LISTEN_PORT TARGET_PORT [DELAY_MS]

Accepts connections on 127.0.0.1:LISTEN_PORT and forwards each to
127.0.0.1:TARGET_PORT. Every chunk read in either direction is written to the
other side DELAY_MS (default 50) after it arrived, so a request/response
exchange costs 2 * DELAY_MS more than on plain loopback: a link with that
round-trip time and no bandwidth limit. The kernel completes the client's TCP
handshake with the relay at once, so the first bytes from the client are held
until 3 * DELAY_MS after the accept: what SYN, SYN-ACK and the first data
segment cost on the real link. Bytes are not touched (TLS passes
through), ordering is kept and a half-close is forwarded, also delayed.
The machine has no tc netem, hence this user-space stand-in.

Only loopback: it binds 127.0.0.1 and connects to 127.0.0.1, nothing else.
Prints "ready" on stdout once it listens; stops on SIGTERM/SIGINT.
"""

import asyncio
import signal
import socket
import sys


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def delayed_pipe(reader, writer, delay, not_before):
    """Copies reader to writer, each chunk delay seconds after it arrived.

    Reading and writing are separate tasks joined by a queue, so a chunk that
    arrives while another is waiting is not held up any longer than delay:
    the link is a delay line, not a store-and-forward hop per chunk.
    No chunk is written before the loop time not_before.
    """
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read_side():
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((max(loop.time() + delay, not_before), data))
                if not data:
                    return
        except (ConnectionError, OSError):
            queue.put_nowait((loop.time() + delay, b""))

    async def write_side():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    reading = asyncio.ensure_future(read_side())
    try:
        await write_side()
    except (ConnectionError, OSError):
        pass
    finally:
        reading.cancel()


async def handle(client_reader, client_writer, target_port, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    nodelay(client_writer)
    nodelay(server_writer)
    handshake_done = asyncio.get_running_loop().time() + 3 * delay
    try:
        await asyncio.gather(
            delayed_pipe(client_reader, server_writer, delay, handshake_done),
            delayed_pipe(server_reader, client_writer, delay, 0.0))
    finally:
        for w in (client_writer, server_writer):
            try:
                w.close()
            except OSError:
                pass


async def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: delay_relay.py LISTEN_PORT TARGET_PORT [DELAY_MS]")
    listen_port = int(sys.argv[1])
    target_port = int(sys.argv[2])
    delay = (float(sys.argv[3]) if len(sys.argv) == 4 else 50.0) / 1000.0

    server = await asyncio.start_server(
        lambda r, w: handle(r, w, target_port, delay),
        "127.0.0.1", listen_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
