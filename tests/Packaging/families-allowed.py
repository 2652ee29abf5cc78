#!/usr/bin/env python3
"""Checks that every socket(2) family in strace logs is in a unit's RestrictAddressFamilies=, or was refused by the
kernel anyway (EAFNOSUPPORT). With `strace -f` a call interrupted by another thread is split into
`PID socket(AF_X, ... <unfinished ...>` and `PID <... socket resumed>) = RESULT`; the two halves are joined per PID
before the result is read.
usage: families-allowed.py UNITFILE STRACE_LOG...   exits 1 and lists the offending calls."""
import re
import sys


def calls(log: str):
    pending = {}
    for line in open(log, errors="replace"):
        m = re.match(r"^(\d+)\s+(.*)$", line.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.groups()
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")]
            continue
        resumed = re.match(r"^<\.\.\. [a-z_0-9]+ resumed>(.*)$", rest)
        if resumed:
            rest = pending.pop(pid, "") + resumed.group(1)
        yield rest
    # A call still pending at the end never returned (the process was killed in it): its family was still asked for.
    yield from pending.values()


def main() -> int:
    unit, logs = sys.argv[1], sys.argv[2:]
    allowed = set()
    for line in open(unit):
        if line.startswith("RestrictAddressFamilies="):
            allowed |= set(line.split("=", 1)[1].split())
    if not allowed:
        print("no RestrictAddressFamilies= in the unit; nothing to check")
        return 0
    offenders = []
    for log in logs:
        for call in calls(log):
            m = re.match(r"^socket\((AF_[A-Z0-9]+)", call)
            if m and m.group(1) not in allowed and "= -1 EAFNOSUPPORT" not in call:
                offenders.append(call)
    for call in offenders:
        print(call)
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
