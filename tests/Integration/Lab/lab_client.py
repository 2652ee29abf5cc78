#!/usr/bin/env python3
"""Edge client for the lab: opens a new connection to host:port every interval for a duration, reads the
greeting, sends a line and reads its echo. Reports one line:
ok=N fail=M connect_fail=C slowest=S backends=a,b failures=t1:kind,... (seconds since start; slowest = the longest
successful exchange, which shows SYN retransmissions while the VIP moves). Timeouts are 10 s, haproxy's and a
typical edge client's order of magnitude: a VIP move may cost a retransmitted SYN, never a failed connection.
connect_fail counts attempts whose TCP connect itself failed; the rest of fail are sessions cut after connecting
(an established connection does not survive a VIP move to another node).
Runs until the duration ends, a line 'stop' arrives on stdin, or STOPFILE exists when given (so a test stops the
client once it has seen what it waits for, however long a stalled attempt took). Its first line, 'client started <ns>', gives the start
on CLOCK_MONOTONIC in nanoseconds (the clock the lab's VIP monitor stamps with), so failure times map onto the VIP
timeline however late the test reads the line.
Usage: lab_client.py HOST PORT DURATION INTERVAL_MS [SOURCE|-] [STOPFILE]"""
import os
import select
import socket
import sys
import time

host, port, duration, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) / 1000
source = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != "-" else None
stopfile = sys.argv[6] if len(sys.argv) > 6 else None
start_ns = time.monotonic_ns()
start = start_ns / 1e9
ok, failures, backends, connect_fail, slowest = 0, [], {}, 0, 0.0
print(f"client started {start_ns}", flush=True)
while time.monotonic() - start < duration:
    t = time.monotonic()
    try:
        try:
            s = socket.create_connection((host, port), timeout=10, source_address=(source, 0) if source else None)
        except OSError:
            connect_fail += 1
            raise
        s.settimeout(10)
        greeting = b""
        while not greeting.endswith(b"\n"):
            chunk = s.recv(64)
            if not chunk:
                raise ConnectionError("closed before the greeting")
            greeting += chunk
        s.sendall(b"ping\n")
        echo = b""
        while not echo.endswith(b"\n"):
            chunk = s.recv(64)
            if not chunk:
                raise ConnectionError("closed before the echo")
            echo += chunk
        s.close()
        name = greeting.decode().strip()
        backends[name] = backends.get(name, 0) + 1
        ok += 1
        slowest = max(slowest, time.monotonic() - t)
    except (OSError, ConnectionError) as e:
        failures.append(f"{t - start:.2f}:{type(e).__name__}")
    if select.select([sys.stdin], [], [], 0)[0] and sys.stdin.readline().strip() == "stop":
        break
    if stopfile and os.path.exists(stopfile):
        break
    rest = interval - (time.monotonic() - t)
    if rest > 0:
        time.sleep(rest)
print(f"ok={ok} fail={len(failures)} connect_fail={connect_fail} slowest={slowest:.3f} backends={','.join(f'{k}={v}' for k, v in sorted(backends.items()))} failures={','.join(failures)}", flush=True)
