#!/usr/bin/env python3
"""Opens COUNT idle TCP connections to HOST:PORT, spread over source addresses 127.0.1.1..127.0.1.SOURCES (so
`balance source` spreads them over the servers), prints OPEN <n> when all are connected and holds them until
stdin closes. Connects in batches so the proxy's backlog never overflows."""
import asyncio
import socket
import sys


async def main(host, port, count, sources):
    loop = asyncio.get_running_loop()
    conns = []
    batch = 200
    for start in range(0, count, batch):
        tasks = []
        for i in range(start, min(count, start + batch)):
            src = f"127.0.1.{1 + i % sources}"
            tasks.append(asyncio.open_connection(host, port, local_addr=(src, 0)))
        conns.extend(await asyncio.gather(*tasks))
    print(f"OPEN {len(conns)}", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    for _, w in conns:
        w.transport.abort()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
