#!/usr/bin/env python3
"""One long-lived edge session (like edgecore's WebSocket to CloudCore): connects to host:port, reads the greeting,
then sends a line and reads its echo every 200 ms for the duration, or until STOPFILE exists when given (so a test
ends the session when it has seen what it waits for, not after a guessed time). Prints 'session connected', then
'session echoing' after the first echo and 'session echo N' after each, and finally 'session ok greeting=X pings=N'
or 'session broken after T s: ERROR'.
Usage: lab_session.py HOST PORT DURATION [STOPFILE]"""
import os
import socket
import sys
import time

host, port, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
stopfile = sys.argv[4] if len(sys.argv) > 4 else None
start = time.monotonic()
pings = 0
try:
    s = socket.create_connection((host, port), timeout=5)
    s.settimeout(5)
    greeting = b""
    while not greeting.endswith(b"\n"):
        chunk = s.recv(64)
        if not chunk:
            raise ConnectionError("closed before the greeting")
        greeting += chunk
    print(f"session connected greeting={greeting.decode().strip()}", flush=True)
    while time.monotonic() - start < duration and not (stopfile and os.path.exists(stopfile)):
        payload = f"ping {pings}\n".encode()
        s.sendall(payload)
        echo = b""
        while len(echo) < len(payload):
            chunk = s.recv(64)
            if not chunk:
                raise ConnectionError("closed by the proxy")
            echo += chunk
        if echo != payload:
            raise ValueError(f"echo mismatch: {echo!r}")
        pings += 1
        if pings == 1:
            print("session echoing", flush=True)
        print(f"session echo {pings}", flush=True)
        time.sleep(0.2)
    s.close()
    print(f"session ok greeting={greeting.decode().strip()} pings={pings}", flush=True)
except (OSError, ConnectionError, ValueError) as e:
    print(f"session broken after {time.monotonic() - start:.2f} s: {type(e).__name__}: {e}", flush=True)
