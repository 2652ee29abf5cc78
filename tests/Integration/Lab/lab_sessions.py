#!/usr/bin/env python3
"""Held edge sessions under an upgrade: opens COUNT sessions to HOST:PORT (each reads the stand-in's greeting, then
sends a heartbeat line every second and checks its echo) plus one bulk stream that sends pseudo-random bytes at
RATE bytes/s and checks that the echo carries exactly the same bytes (SHA-256 of both streams). Prints 'ready' once
every session is up, runs until STOPFILE exists, then prints one summary line:
sessions=N broken=K heartbeats=H bulk_sent=B bulk_received=B bulk_match=0|1 errors=...
"""
import asyncio
import hashlib
import os
import random
import sys
import time

host, port, count, stopfile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rate = int(sys.argv[5]) if len(sys.argv) > 5 else 2_000_000
broken = []
heartbeats = 0
stop = asyncio.Event()


async def greeting(reader):
    line = await asyncio.wait_for(reader.readline(), 10)
    if not line.endswith(b"\n"):
        raise ConnectionError("closed before the greeting")


async def session(i, ready):
    global heartbeats
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 20)
        await greeting(reader)
    except (OSError, asyncio.TimeoutError, ConnectionError) as e:
        broken.append(f"{i}:connect:{type(e).__name__}")
        ready.release()
        return
    ready.release()
    seq = 0
    try:
        while not stop.is_set():
            payload = f"hb {i} {seq}\n".encode()
            writer.write(payload)
            await writer.drain()
            echo = await asyncio.wait_for(reader.readexactly(len(payload)), 10)
            if echo != payload:
                raise ValueError(f"echo mismatch {echo!r}")
            heartbeats += 1
            seq += 1
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
        writer.close()
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError) as e:
        broken.append(f"{i}:{seq}:{type(e).__name__}")


async def bulk(result):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 20)
    await greeting(reader)
    sent_hash, received_hash = hashlib.sha256(), hashlib.sha256()
    sent = received = 0
    rng = random.Random(1234)
    done_sending = asyncio.Event()

    async def send():
        nonlocal sent
        started = time.monotonic()
        while not stop.is_set():
            chunk = rng.randbytes(32768)
            writer.write(chunk)
            sent_hash.update(chunk)
            sent += len(chunk)
            await writer.drain()
            ahead = sent / rate - (time.monotonic() - started)
            if ahead > 0:
                await asyncio.sleep(ahead)
        done_sending.set()

    async def receive():
        nonlocal received
        idle = 0.0
        while not (done_sending.is_set() and received >= sent):
            try:
                data = await asyncio.wait_for(reader.read(65536), 0.5)
            except asyncio.TimeoutError:
                idle += 0.5
                if idle >= 10:
                    raise
                continue
            idle = 0.0
            if not data:
                raise ConnectionError("bulk stream closed")
            received_hash.update(data)
            received += len(data)

    try:
        await asyncio.gather(send(), receive())
        result.update(sent=sent, received=received, match=int(sent_hash.digest() == received_hash.digest()))
    except (OSError, asyncio.TimeoutError, ConnectionError) as e:
        result.update(sent=sent, received=received, match=0, error=f"bulk:{type(e).__name__}:{e}")
    writer.close()


async def watch_stopfile():
    while not os.path.exists(stopfile):
        await asyncio.sleep(0.1)
    stop.set()


async def main():
    ready = asyncio.Semaphore(0)
    gate = asyncio.Semaphore(200)

    async def opened(i):
        async with gate:
            await session_started(i)

    started = []

    async def session_started(i):
        task = asyncio.create_task(session(i, ready))
        started.append(task)
        await ready.acquire()

    await asyncio.gather(*(opened(i) for i in range(count)))
    result = {}
    bulk_task = asyncio.create_task(bulk(result))
    print(f"ready sessions={count - len(broken)}", flush=True)
    await watch_stopfile()
    await asyncio.gather(*started, bulk_task)
    errors = ",".join(broken[:20] + ([result["error"]] if "error" in result else []))
    print(f"sessions={count} broken={len(broken)} heartbeats={heartbeats} bulk_sent={result.get('sent', 0)} "
          f"bulk_received={result.get('received', 0)} bulk_match={result.get('match', 0)} errors={errors}", flush=True)


asyncio.run(main())
