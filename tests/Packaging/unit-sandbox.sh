#!/usr/bin/env bash
# Runs a command inside the parts of a systemd unit's sandbox that can be rebuilt without systemd as PID 1, read from
# the unit file itself so the check follows the unit:
#   User= (and its group), AmbientCapabilities= / CapabilityBoundingSet=, NoNewPrivileges=yes,
#   ProtectSystem=strict (read-only /) with RuntimeDirectory= / StateDirectory= left writable, PrivateTmp=yes (empty
#   /tmp), ProtectProc=invisible (hidepid=invisible /proc).
# Not rebuilt here (checked against strace instead, see run.sh): SystemCallFilter=, RestrictAddressFamilies=,
# MemoryDenyWriteExecute=.
#   unit-sandbox.sh UNITFILE COMMAND...        (needs root; run it inside `unshare -m`, it changes mounts)
# The command is exec'd (same pid), so a supervisor sees the daemon as its child.
set -euo pipefail
unit=$1
shift

value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }

user=$(value User)
caps=$(value AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ \+/,+/g; s/^/+/')
bounding=$(value CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ \+/,+/g; s/^/+/')

mount --make-rprivate /
# Created on the host as systemd does (/run/NAME, /var/lib/NAME, owned by the service user), and kept writable as
# their own bind mounts when / turns read-only.
writable=()
runtime=$(value RuntimeDirectory)
if [ -n "$runtime" ]; then
  mode=$(value RuntimeDirectoryMode)
  install -d -o "$user" -g "$user" -m "${mode:-0755}" "/run/$runtime"
  writable+=("/run/$runtime")
fi
state=$(value StateDirectory)
if [ -n "$state" ]; then
  install -d -o "$user" -g "$user" -m 0700 "/var/lib/$state"
  writable+=("/var/lib/$state")
fi
for dir in "${writable[@]}"; do mount --bind "$dir" "$dir"; done
if [ "$(value ProtectSystem)" = strict ]; then
  mount -o bind,remount,ro /
fi
if [ "$(value PrivateTmp)" = yes ]; then
  mount -t tmpfs -o mode=1777 tmpfs /tmp
fi
if [ "$(value ProtectProc)" = invisible ]; then
  mount -t proc -o hidepid=invisible proc /proc
fi

args=(--reuid="$user" --regid="$user" --clear-groups)
[ "$(value NoNewPrivileges)" = yes ] && args+=(--no-new-privs)
if [ "$caps" != "+" ]; then
  args+=(--inh-caps="-all,$caps" --ambient-caps="-all,$caps")
fi
if [ "$bounding" != "+" ]; then
  args+=(--bounding-set="-all,$bounding")
fi
exec setpriv "${args[@]}" -- "$@"
