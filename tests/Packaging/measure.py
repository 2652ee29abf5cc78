#!/usr/bin/env python3
"""Measures what systemd would see of a cloudcore-lb start: time from exec to READY=1 on NOTIFY_SOCKET, and the
daemon's resident memory (VmRSS) a few seconds later with its VRRP instance running.

Microsoft.Extensions.Hosting.Systemd only talks to NOTIFY_SOCKET when it believes systemd started it: PID 1 with
NOTIFY_SOCKET set (docs/design/dotnet-notes.md §7), so the daemon runs as PID 1 of a fresh PID namespace (unshare --pid --fork),
inside the network namespace given, without systemd being involved.

usage: measure.py NETNS CONFIG NODE [--settle SECONDS] -- COMMAND...   (COMMAND = the binary, e.g. /usr/bin/cloudcore-lb)
prints: ready_ms=N rss_kib=N pid=N, and exits 1 when READY=1 never arrives within 30 s.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    args = sys.argv[1:]
    if "--" not in args or len(args) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    split = args.index("--")
    head, command = args[:split], args[split + 1:]
    netns, config, node = head[0], head[1], head[2]
    settle = float(head[head.index("--settle") + 1]) if "--settle" in head else 5.0

    directory = tempfile.mkdtemp(prefix="cclb-notify-")
    path = os.path.join(directory, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(30)

    env = dict(os.environ, NOTIFY_SOCKET=path)
    argv = ["ip", "netns", "exec", netns, "unshare", "--pid", "--fork", "--mount-proc",
            *command, "run", "--config", config, "--node", node]
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready_ms = None
    messages = []
    try:
        while ready_ms is None:
            data = listener.recv(4096).decode(errors="replace")
            messages.append(data)
            if "READY=1" in data.split("\n"):
                ready_ms = (time.monotonic() - started) * 1000
    except socket.timeout:
        pass

    daemon = find_daemon(netns, command[0])
    rss = None
    if ready_ms is not None and daemon is not None:
        time.sleep(settle)
        rss = vm_rss(daemon)

    # The daemon is PID 1 of its namespace: SIGTERM reaches it through unshare's fork only if sent directly.
    if daemon is not None:
        subprocess.run(["kill", "-TERM", str(daemon)], check=False)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    listener.close()
    os.unlink(path)
    os.rmdir(directory)

    if ready_ms is None:
        print(f"no READY=1 within 30 s; got {messages!r}", file=sys.stderr)
        return 1
    print(f"ready_ms={ready_ms:.0f} rss_kib={rss} pid={daemon} notify={'|'.join(m.replace(chr(10), ',') for m in messages)}")
    return 0


def find_daemon(netns: str, binary: str):
    """The daemon's host-side pid: the process in the namespace whose argv[0] is the binary and that runs `run`."""
    pids = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True).stdout.split()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0].decode()) == os.path.basename(binary) and b"run" in argv[1:2]:
            return int(pid)
    return None


def vm_rss(pid: int):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


if __name__ == "__main__":
    sys.exit(main())
