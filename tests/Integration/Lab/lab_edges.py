#!/usr/bin/env python3
"""Many edges with held sessions, for the CloudCore-death fault. EDGES edges, edge i from its own source address
PREFIX.((i+1)>>8).((i+1)&255) (the namespace routes PREFIX.0.0/16 to itself locally, so any address in it can be
bound: the proxy's source hash sees one client per edge), each holding one session to HOST on every port of PORTS
(comma-separated). A session reads the stand-in's greeting ("<name>:<port>\\n": the CloudCore it landed on), then
sends a heartbeat every INTERVAL seconds, each one after the echo of the one before. One process, one event loop,
one timer per held session: no thread or coroutine per held socket.

Control files in DIR: 'reconnect' reopens every closed session from its own edge's address (once), 'stop' ends the
run. Prints JSON lines (all times are CLOCK_MONOTONIC seconds, the clock every namespace shares):
  ready        every first session has an outcome: counts by server and port, edges split over servers, seconds taken
  status       every 0.5 s: open and closed sessions (closed by server and reason, time of the last close), stalled
               sessions (a heartbeat unanswered for STALL seconds), the oldest last echo of the open sessions (0 while one has had none),
               the longest heartbeat round trip so far, the longest this event loop ran late (its own share of a delay)
  reconnected  every reopened session has an outcome: counts by server
  summary      at stop: the same counts and the first closes in detail
Usage: lab_edges.py HOST PORTS EDGES PREFIX INTERVAL DIR
"""
import asyncio
import json
import os
import random
import sys
import time

host, ports, edges = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], int(sys.argv[3])
prefix, interval, control = sys.argv[4], float(sys.argv[5]), sys.argv[6]
# Round trips reached 6 s with this script starved on a 2-core machine at load 25: a stall is well past that.
STALL = 30.0
CONNECT_TIMEOUT = 30.0
IN_FLIGHT = 256

loop = None
sessions = []
closed = []
stopping = False
max_round_trip = 0.0
loop_lag = 0.0


def address(edge):
    return f"{prefix}.{(edge + 1) >> 8}.{(edge + 1) & 255}"


def emit(event, **fields):
    print(json.dumps({"event": event, "t": round(time.monotonic(), 3), **fields}, separators=(",", ":")), flush=True)


class Session(asyncio.Protocol):
    def __init__(self, edge, port, generation):
        self.edge, self.port, self.generation = edge, port, generation
        self.transport = None
        self.server = None
        self.greeted = loop.create_future()
        self.buffer = b""
        self.pending = None
        self.sent_at = 0.0
        self.seq = 0
        self.echoes = 0
        self.last_echo = 0.0
        self.eof = False
        self.closed_at = None
        self.timer = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        global max_round_trip
        self.buffer += data
        if self.server is None:
            line, sep, rest = self.buffer.partition(b"\n")
            if not sep:
                return
            self.server = line.decode(errors="replace").split(":")[0]
            self.buffer = rest
            if not self.greeted.done():
                self.greeted.set_result(True)
        if self.pending is not None and len(self.buffer) >= len(self.pending):
            if self.buffer[:len(self.pending)] != self.pending:
                self.fail("mismatch")
                return
            now = time.monotonic()
            max_round_trip = max(max_round_trip, now - self.sent_at)
            self.buffer = self.buffer[len(self.pending):]
            self.pending = None
            self.echoes += 1
            self.last_echo = now

    def eof_received(self):
        self.eof = True
        return False

    def connection_lost(self, exc):
        if self.timer is not None:
            self.timer.cancel()
        if not self.greeted.done():
            self.greeted.set_result(False)
        if stopping or self.closed_at is not None:
            return
        if exc is None:
            reason = "eof" if self.eof else "closed"
        elif isinstance(exc, ConnectionResetError):
            reason = "reset"
        else:
            reason = type(exc).__name__
        self.closed(reason)

    def closed(self, reason):
        self.closed_at = time.monotonic()
        self.reason = reason
        closed.append(self)

    def fail(self, reason):
        if self.closed_at is None:
            self.closed(reason)
        self.transport.abort()

    def start_heartbeats(self):
        # Spread over the interval, so heartbeats arrive evenly rather than in one burst per round.
        self.timer = loop.call_later(random.uniform(0, interval), self.beat)

    def beat(self):
        if self.closed_at is not None or stopping:
            return
        if self.pending is None:
            self.pending = f"hb {self.edge} {self.port} {self.seq}\n".encode()
            self.sent_at = time.monotonic()
            self.seq += 1
            self.transport.write(self.pending)
        self.timer = loop.call_later(interval, self.beat)

    def stalled(self, now):
        return self.closed_at is None and self.pending is not None and now - self.sent_at > STALL


async def open_session(edge, port, generation, gate):
    async with gate:
        session = Session(edge, port, generation)
        try:
            await asyncio.wait_for(loop.create_connection(lambda: session, host, port, local_addr=(address(edge), 0)), CONNECT_TIMEOUT)
            if not await asyncio.wait_for(session.greeted, CONNECT_TIMEOUT):
                raise ConnectionError("closed before the greeting")
        except (OSError, asyncio.TimeoutError, ConnectionError) as e:
            if session.transport is not None:
                session.transport.abort()
            session.failure = type(e).__name__
            return session
        session.failure = None
        sessions.append(session)
        session.start_heartbeats()
        return session


def by_server(group):
    counts = {}
    for s in group:
        per_port = counts.setdefault(s.server or "?", {})
        per_port[str(s.port)] = per_port.get(str(s.port), 0) + 1
    return counts


async def open_all(pairs, generation):
    gate = asyncio.Semaphore(IN_FLIGHT)
    started = time.monotonic()
    opened = await asyncio.gather(*(open_session(e, p, generation, gate) for e, p in pairs))
    failed = [s for s in opened if s.failure is not None]
    good = [s for s in opened if s.failure is None]
    servers = {}
    for s in good:
        servers.setdefault(s.edge, set()).add(s.server)
    return {
        "sessions": len(good),
        "failed": len(failed),
        "failures": sorted({s.failure for s in failed}),
        "by_server": by_server(good),
        "split_edges": sum(1 for v in servers.values() if len(v) > 1),
        "seconds": round(time.monotonic() - started, 3),
    }


def status_fields():
    now = time.monotonic()
    open_ = [s for s in sessions if s.closed_at is None]
    reasons = {}
    for s in closed:
        per = reasons.setdefault(s.server or "?", {})
        per[s.reason] = per.get(s.reason, 0) + 1
    return {
        "open": len(open_),
        "closed": len(closed),
        "closed_by_server": reasons,
        "closed_first": round(min((s.closed_at for s in closed), default=0.0), 3),
        "closed_last": round(max((s.closed_at for s in closed), default=0.0), 3),
        "stalled": sum(1 for s in open_ if s.stalled(now)),
        "stalled_by_server": by_server([s for s in open_ if s.stalled(now)]),
        "stalled_first": [f"{address(s.edge)}:{s.port}@{s.server}:{now - s.sent_at:.1f}s" for s in open_ if s.stalled(now)][:5],
        "oldest_echo": round(min((s.last_echo for s in open_), default=0.0), 3),
        "open_by_server": by_server(open_),
        "echoes": sum(s.echoes for s in sessions),
        "max_round_trip": round(max_round_trip, 3),
        "loop_lag": round(loop_lag, 3),
    }


async def report():
    global loop_lag
    while not stopping:
        emit("status", **status_fields())
        due = time.monotonic() + 0.5
        await asyncio.sleep(0.5)
        loop_lag = max(loop_lag, time.monotonic() - due)


async def main():
    global loop, stopping
    loop = asyncio.get_running_loop()
    emit("ready", **await open_all([(e, p) for e in range(edges) for p in ports], 0))
    reporter = asyncio.create_task(report())
    reconnected = False
    while not os.path.exists(os.path.join(control, "stop")):
        if not reconnected and os.path.exists(os.path.join(control, "reconnect")):
            reconnected = True
            emit("reconnected", **await open_all([(s.edge, s.port) for s in list(closed)], 1))
        await asyncio.sleep(0.1)
    fields = status_fields()
    stopping = True
    await reporter
    for s in sessions:
        if s.transport is not None:
            s.transport.close()
    first = sorted(closed, key=lambda s: s.closed_at)[:20]
    emit("summary", **fields, first_closes=[f"{address(s.edge)}:{s.port}@{s.server}:{s.reason}" for s in first])


asyncio.run(main())
