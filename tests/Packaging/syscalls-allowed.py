#!/usr/bin/env python3
"""Checks that every syscall in strace logs is allowed by a unit's SystemCallFilter= lines (allow lists, then `~`
deny lists, in order, as systemd.exec(5) describes), expanding @groups with `systemd-analyze syscall-filter`.
usage: syscalls-allowed.py UNITFILE STRACE_LOG...   exits 1 and lists the offenders when one is not allowed."""
import re
import subprocess
import sys
from functools import lru_cache


@lru_cache(maxsize=None)
def expand(name: str) -> frozenset:
    if not name.startswith("@"):
        return frozenset([name])
    lines = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True,
                           check=True).stdout.splitlines()[1:]
    result = set()
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            result |= expand(line)
    return frozenset(result)


def main() -> int:
    unit, logs = sys.argv[1], sys.argv[2:]
    allowed = None
    for line in open(unit):
        if not line.startswith("SystemCallFilter="):
            continue
        value = line.split("=", 1)[1].strip()
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item)
        if deny:
            allowed = (allowed if allowed is not None else expand("@default") | names) - names
        else:
            allowed = names if allowed is None else allowed | names
    if allowed is None:
        print("no SystemCallFilter= in the unit; nothing to check")
        return 0
    used = set()
    for log in logs:
        for line in open(log, errors="replace"):
            m = re.match(r"^\d+\s+([a-z_0-9]+)\(", line)
            if m:
                used.add(m.group(1))
    offenders = sorted(used - allowed)
    print(f"{len(used)} distinct syscalls traced")
    if offenders:
        print("not allowed by the unit:", " ".join(offenders))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
