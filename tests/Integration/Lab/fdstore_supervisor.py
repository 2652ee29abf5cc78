#!/usr/bin/env python3
"""A service manager for one Type=notify service, as far as crash recovery needs systemd (CI containers have none):

- NOTIFY_SOCKET (AF_UNIX datagram, SO_PASSCRED); messages count only from the main process (NotifyAccess=main) and
  MAINPID= moves it (an upgrade's successor);
- the file descriptor store (FileDescriptorStoreMax=): FDSTORE=1 + FDNAME= with SCM_RIGHTS keeps copies,
  FDSTOREREMOVE=1 + FDNAME= drops every copy of that name, a stored descriptor that reports POLLHUP or POLLERR is
  dropped, as systemd does;
- Restart=always: when the main process dies other than by exiting 0, STOP_POST (ExecStopPost) runs with
  SERVICE_RESULT/EXIT_CODE/EXIT_STATUS, then after RESTART_SEC the command starts again with the stored descriptors
  as LISTEN_FDS/LISTEN_FDNAMES/LISTEN_PID, numbered from 3;
- SIGTERM to this process stops the service (SIGTERM to the main process, the store is flushed) and ends it.

The command must exec the daemon (the pid this process starts is the main pid). Every change of state is written
to STATE as one JSON object: {"main_pid", "ready", "restarts", "stored": {name: count}, "removed", "exits": [...]}.

usage: fdstore_supervisor.py --state FILE [--restart-sec S] [--stop-post CMD] -- COMMAND...
"""
import argparse
import ctypes
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

libc = ctypes.CDLL(None, use_errno=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--restart-sec", type=float, default=0.2)
    parser.add_argument("--stop-post", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    libc.prctl(15, b"systemd", 0, 0, 0)  # PR_SET_NAME: Microsoft.Extensions.Hosting.Systemd looks at its parent's name
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: an upgrade's successor is reparented here

    directory = tempfile.mkdtemp(prefix="cclb-fdstore-", dir="/run")
    path = os.path.join(directory, "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)

    store = []  # [name, fd] in the order stored
    poller = select.poll()
    state = {"main_pid": 0, "ready": False, "restarts": 0, "stored": {}, "removed": 0, "exits": []}
    stopping = False

    def write_state():
        state["stored"] = {}
        for name, _ in store:
            state["stored"][name] = state["stored"].get(name, 0) + 1
        tmp = args.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, args.state)

    def drop(predicate):
        kept = []
        for name, fd in store:
            if predicate(name, fd):
                poller.unregister(fd)
                os.close(fd)
                state["removed"] += 1
            else:
                kept.append((name, fd))
        store[:] = kept

    def start():
        fds = [fd for _, fd in store]
        names = ":".join(name for name, _ in store)

        def place():
            # The stored descriptors become 3, 4, ...: first out of the way, then into place, inheritable.
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: the lab kills this process, the daemon follows
            base = max(fds + [3 + len(fds)]) + 1
            moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base) for fd in fds]
            for i, fd in enumerate(moved):
                os.dup2(fd, 3 + i, inheritable=True)

        env = dict(os.environ, NOTIFY_SOCKET=path)
        exports = "export SYSTEMD_EXEC_PID=$$"
        if fds:
            env["LISTEN_FDS"] = str(len(fds))
            env["LISTEN_FDNAMES"] = names
            exports += "; export LISTEN_PID=$$"
        proc = subprocess.Popen(["/bin/sh", "-c", exports + '; exec "$@"', "sh", *command], env=env,
                                preexec_fn=place, close_fds=False)
        return proc.pid

    def on_term(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    state["main_pid"] = start()
    write_state()
    while True:
        if stopping and state["main_pid"]:
            try:
                os.kill(state["main_pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass
            stopping = None
        # Exits: the main process (restart or stop) or anyone else (an upgrade's old process).
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            if pid != state["main_pid"]:
                continue
            code = os.waitstatus_to_exitcode(status)
            state["exits"].append(code)
            state["ready"] = False
            if stopping is None or code == 0:
                drop(lambda n, f: True)
                write_state()
                listener.close()
                os.unlink(path)
                os.rmdir(directory)
                return 0
            result = "signal" if code < 0 else "exit-code"
            if args.stop_post:
                env = dict(os.environ, SERVICE_RESULT=result, EXIT_CODE="killed" if code < 0 else "exited",
                           EXIT_STATUS=signal.Signals(-code).name[3:] if code < 0 else str(code))
                subprocess.run(["/bin/sh", "-c", args.stop_post], env=env)
            time.sleep(args.restart_sec)
            state["restarts"] += 1
            state["main_pid"] = start()
            write_state()
        for fd, events in poller.poll(0):
            if events & (select.POLLHUP | select.POLLERR):
                drop(lambda n, f, fd=fd: f == fd)
                write_state()
        readable, _, _ = select.select([listener], [], [], 0.05)
        if not readable:
            continue
        changed = False
        while True:
            try:
                data, ancillary, _, _ = listener.recvmsg(4096, socket.CMSG_SPACE(253 * 4) + socket.CMSG_SPACE(12),
                                                         socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            sender, fds = None, []
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    sender = int.from_bytes(payload[:4], sys.byteorder)
                elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds += [int.from_bytes(payload[i:i + 4], sys.byteorder) for i in range(0, len(payload) - 3, 4)]
            for fd in fds:
                os.set_inheritable(fd, False)
            fields = dict(line.split("=", 1) for line in data.decode(errors="replace").split("\n") if "=" in line)
            if sender != state["main_pid"]:
                for fd in fds:
                    os.close(fd)
                continue
            changed = True
            if fields.get("READY") == "1":
                state["ready"] = True
            if fields.get("MAINPID", "").isdigit():
                state["main_pid"] = int(fields["MAINPID"])
            if fields.get("FDSTORE") == "1" and "FDNAME" in fields:
                for fd in fds:
                    store.append((fields["FDNAME"], fd))
                    poller.register(fd, 0)
                fds = []
            if fields.get("FDSTOREREMOVE") == "1" and "FDNAME" in fields:
                drop(lambda n, f, name=fields["FDNAME"]: n == name)
            for fd in fds:
                os.close(fd)
        if changed:
            write_state()


if __name__ == "__main__":
    sys.exit(main())
