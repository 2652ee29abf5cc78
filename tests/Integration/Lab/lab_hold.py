#!/usr/bin/env python3
"""Held connections for the descriptor-exhaustion fault: opens COUNT connections to HOST:PORT at once and waits for
each one's greeting line (a connection the proxy has not accepted yet just waits in its backlog). Prints
'connected=N' once every connect returned, then 'greeted=G refused=R' whenever that changes (refused = closed or reset
before a greeting). Once RELEASEFILE exists, every greeted connection is closed (those greeted later as soon as their
greeting arrives), so the proxy's descriptors free up; prints 'done greeted=G refused=R' when every connection has an
outcome, and exits.
"""
import asyncio
import os
import sys

host, port, count, releasefile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
greeted = []
refused = 0
outcomes = asyncio.Event()


def released():
    return os.path.exists(releasefile)


async def one():
    global refused
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 30)
    except (OSError, asyncio.TimeoutError):
        refused += 1
        return None
    return reader, writer


async def greeting(reader, writer):
    global refused
    try:
        line = await reader.readline()
    except OSError:
        line = b""
    if line.endswith(b"\n"):
        greeted.append(writer)
    else:
        refused += 1
        writer.close()


async def main():
    connections = [c for c in await asyncio.gather(*(one() for _ in range(count))) if c is not None]
    print(f"connected={len(connections)}", flush=True)
    waits = [asyncio.ensure_future(greeting(r, w)) for r, w in connections]
    last = None
    closed = 0
    while True:
        if released():
            for w in greeted[closed:]:
                w.close()
            closed = len(greeted)
        state = (len(greeted), refused)
        if state != last:
            print(f"greeted={state[0]} refused={state[1]}", flush=True)
            last = state
        if all(w.done() for w in waits) and len(greeted) + refused == count:
            break
        await asyncio.sleep(0.1)
    print(f"done greeted={len(greeted)} refused={refused}", flush=True)


asyncio.run(main())
