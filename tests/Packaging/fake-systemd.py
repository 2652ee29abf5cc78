#!/usr/bin/env python3
"""Runs a command the way systemd runs a Type=notify service, far enough to check the daemon's side of the contract
on a machine without systemd as PID 1 (CI containers):

- this supervisor renames itself `systemd` (prctl PR_SET_NAME): Microsoft.Extensions.Hosting.Systemd 10.0 decides it
  runs under systemd by reading /proc/PPID/comm (docs/design/dotnet-notes.md §7, dotnet/runtime#125368);
- NOTIFY_SOCKET points at an AF_UNIX datagram socket it reads; WATCHDOG_USEC/WATCHDOG_PID are set when asked, as
  systemd does for WatchdogSec=; SYSTEMD_EXEC_PID is set too (systemd >= 248);
- the command must exec the daemon without forking (ip netns exec, unshare without --fork, setpriv all exec), so the
  daemon's parent is this process.

- with --upgrade-after it sends SIGUSR2 (cloudcore-lb upgrade) that long after READY=1 and follows MAINPID= as
  systemd does: accepted only from the main process (SCM_CREDENTIALS), after which the new main process's watchdog
  pings count; it is a child subreaper, so it reaps and stops whichever process is main at the end.

usage: fake-systemd.py [--watchdog-sec S] [--hup-after S] [--upgrade-after S] [--run-for S] -- COMMAND...
prints one line: ready_ms=N|none watchdog_pings=N alive_after_hup=yes|no|untested rss_kib=N exit=N
  mainpid_changes=N new_main_pings=N
"""
import argparse
import ctypes
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--watchdog-sec", type=float, default=0)
    parser.add_argument("--hup-after", type=float, default=0)
    parser.add_argument("--upgrade-after", type=float, default=0)
    parser.add_argument("--run-for", type=float, default=6)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command is needed after --")

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(15, b"systemd", 0, 0, 0)  # PR_SET_NAME
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: an upgraded daemon's successor is reparented to us

    # Under /run like systemd's own /run/systemd/notify: the service's PrivateTmp hides the host's /tmp.
    directory = tempfile.mkdtemp(prefix="cclb-fake-systemd-", dir="/run")
    os.chmod(directory, 0o755)
    path = os.path.join(directory, "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    os.chmod(path, 0o666)  # the daemon runs as its own user

    env = dict(os.environ, NOTIFY_SOCKET=path)
    started = time.monotonic()
    # WATCHDOG_PID / SYSTEMD_EXEC_PID must name the daemon: a shell exports its own pid, then execs the command
    # (exec keeps the pid).
    exports = "export SYSTEMD_EXEC_PID=$$"
    if args.watchdog_sec > 0:
        exports += f"; export WATCHDOG_USEC={int(args.watchdog_sec * 1_000_000)} WATCHDOG_PID=$$"
    proc = subprocess.Popen(["/bin/sh", "-c", exports + '; exec "$@"', "sh", *command], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready_ms = None
    pings = 0
    hup_sent = False
    alive_after_hup = "untested"
    rss = None
    deadline = started + args.run_for
    ready_at = None
    main_pid = proc.pid
    mainpid_changes = 0
    new_main_pings = 0
    upgrade_sent = False
    while time.monotonic() < deadline and alive(main_pid, proc):
        now = time.monotonic()
        if ready_at is not None and args.hup_after > 0 and not hup_sent and now - ready_at >= args.hup_after:
            os.kill(main_pid, signal.SIGHUP)
            hup_sent = True
        if ready_at is not None and args.upgrade_after > 0 and not upgrade_sent and now - ready_at >= args.upgrade_after:
            os.kill(main_pid, signal.SIGUSR2)
            upgrade_sent = True
        readable, _, _ = select.select([listener], [], [], 0.05)
        if not readable:
            continue
        data, ancillary, _, _ = listener.recvmsg(4096, socket.CMSG_SPACE(12))
        sender = next((int.from_bytes(d[:4], sys.byteorder) for level, kind, d in ancillary
                       if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS), None)
        if sender != main_pid:
            continue  # systemd's NotifyAccess=main
        for line in data.decode(errors="replace").split("\n"):
            if line == "READY=1" and ready_ms is None:
                ready_at = time.monotonic()
                ready_ms = (ready_at - started) * 1000
            elif line == "WATCHDOG=1":
                pings += 1
                new_main_pings += 1 if mainpid_changes else 0
            elif line.startswith("MAINPID=") and line[8:].isdigit():
                main_pid = int(line[8:])
                mainpid_changes += 1
    if alive(main_pid, proc):
        rss = vm_rss(main_pid)
        if hup_sent:
            alive_after_hup = "yes"
        os.kill(main_pid, signal.SIGTERM)
        stop_deadline = time.monotonic() + 15
        while alive(main_pid, proc) and time.monotonic() < stop_deadline:
            time.sleep(0.05)
        if alive(main_pid, proc):
            os.kill(main_pid, signal.SIGKILL)
    elif hup_sent:
        alive_after_hup = "no"
    listener.close()
    os.unlink(path)
    os.rmdir(directory)
    ready = f"{ready_ms:.0f}" if ready_ms is not None else "none"
    exit_code = reap(main_pid, proc)
    print(f"ready_ms={ready} watchdog_pings={pings} alive_after_hup={alive_after_hup} rss_kib={rss} exit={exit_code} "
          f"mainpid_changes={mainpid_changes} new_main_pings={new_main_pings}")
    return 0


EXITS = {}


def alive(pid: int, proc: subprocess.Popen) -> bool:
    """Reaps every exited child (the old daemon after an upgrade, the successor reparented to us) and looks."""
    while True:
        try:
            reaped, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if reaped == 0:
            break
        EXITS[reaped] = os.waitstatus_to_exitcode(status)
    return pid not in EXITS and os.path.exists(f"/proc/{pid}")


def reap(pid: int, proc: subprocess.Popen):
    while alive(pid, proc):
        time.sleep(0.05)
    return EXITS.get(pid)


def vm_rss(pid: int):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(main())
