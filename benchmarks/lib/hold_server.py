#!/usr/bin/env python3
"""Backend for the idle-connection test: accepts on every HOST:PORT given and holds each connection open, reading
and discarding whatever arrives, until the peer closes. Prints READY once listening."""
import asyncio
import sys


async def hold(reader, writer):
    try:
        while await reader.read(4096):
            pass
    finally:
        writer.close()


async def main(endpoints):
    servers = []
    for ep in endpoints:
        host, port = ep.rsplit(":", 1)
        servers.append(await asyncio.start_server(hold, host, int(port), backlog=4096))
    print("READY", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
