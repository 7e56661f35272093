#!/usr/bin/env python3
"""delay_relay.py - a TCP relay on loopback that delays every chunk by a
fixed time in each direction, so tests and benchmarks see a real round trip
without tc netem.

usage: delay_relay.py LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS
Listens on 127.0.0.1:LISTEN_PORT; prints "ready" once listening.
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    """Copies reader to writer; each chunk leaves `delay` after it arrived,
    whatever else is queued (a reader task stamps, a writer task waits)."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read_side():
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((loop.time() + delay, data))
                if not data:
                    break
        except (ConnectionError, asyncio.CancelledError):
            await queue.put((loop.time(), b""))

    async def write_side():
        try:
            while True:
                due, data = await queue.get()
                await asyncio.sleep(max(0.0, due - loop.time()))
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    await asyncio.gather(read_side(), write_side())


async def handle(client_reader, client_writer, host, port, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, delay),
                         pump(server_reader, client_writer, delay))


async def main():
    listen_port, host, port, delay_ms = (int(sys.argv[1]), sys.argv[2],
                                         int(sys.argv[3]), int(sys.argv[4]))
    delay = delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, host, port, delay), "127.0.0.1", listen_port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
