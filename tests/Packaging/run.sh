#!/usr/bin/env bash
# Packaging tests: builds the .deb and .rpm, installs, reinstalls, upgrades, removes and purges the .deb on this
# machine, checks the .rpm's metadata, checks the systemd unit against the installed daemon (sandbox, READY=1,
# watchdog, reload, syscalls) and runs the installed daemon in a two-namespace lab (VIP, kill -9, release-vips).
# One line per check, then "N passed, N failed"; exits non-zero when a check failed.
#   tests/Packaging/run.sh [--no-publish]     (--no-publish reuses artifacts/publish/cloudcore-lb)
# Needs root (dpkg -i, network namespaces); otherwise every check is skipped with the reason printed.
# It replaces an installed cloudcore-lb package on this machine and purges it at the end: run it in CI or a VM.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

publish_arg=()
[ "${1:-}" = --no-publish ] && publish_arg=(--no-publish)

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP packaging tests: need root (dpkg -i, network namespaces, setpriv)"
  echo "0 passed, 0 failed"
  exit 0
fi

pass=0
fail=0
work="$(mktemp -d /tmp/cloudcore-lb-pkgtest.XXXXXX)"
log="$work/check.log"
ns_a="cclbpkg-a-$$"
ns_b="cclbpkg-b-$$"
unit=/lib/systemd/system/cloudcore-lb.service
conf=/etc/cloudcore-lb/cloudcore-lb.yaml
vip=10.10.102.242

# check NAME COMMAND...: one line per check; the command's output is shown only when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$log" 2>&1; then
    echo "PASS $name"
    pass=$((pass + 1))
  else
    echo "FAIL $name"
    sed 's/^/     | /' "$log" | tail -n 15
    fail=$((fail + 1))
  fi
}

cleanup() {
  for ns in "$ns_a" "$ns_b"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
      ip netns del "$ns"
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

ns_pids() { ip netns pids "$ns_a" 2>/dev/null; }
vip_present() { ip -n "$ns_a" -4 -o addr show dev eth0 | grep -q " $vip/"; }
wait_for() { # wait_for SECONDS COMMAND...: polls every 50 ms
  local deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# ---- prerequisites ---------------------------------------------------------------------------------------------
need=()
# gcc links the NativeAOT binary; systemd provides systemd-analyze; strace traces the syscalls; rpm comes with
# packaging/build-rpm.sh.
for pkg in gcc adduser libpcap0.8 systemd strace iproute2 util-linux python3 procps; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if dpkg-query -W -f='${Status}' cloudcore-lb 2>/dev/null | grep -q "ok"; then
  echo "note: purging the cloudcore-lb package already installed here"
  dpkg --purge cloudcore-lb >/dev/null
fi

version="$(tr -d '[:space:]' < VERSION)"
# The upgrade target: the same binary packaged as the next patch version.
bumped="$(echo "$version" | awk -F. -v OFS=. '{ sub(/[^0-9].*$/, "", $NF); $NF = $NF + 1; print }')"
arch="$(dpkg --print-architecture)"
deb="$work/v1/cloudcore-lb_${version}_${arch}.deb"
deb2="$work/v2/cloudcore-lb_${bumped}_${arch}.deb"

# ---- build -----------------------------------------------------------------------------------------------------
check "packaging/build.sh builds the .deb and the .rpm (version $version)" \
  bash -c "packaging/build.sh --out '$work/v1' ${publish_arg[*]:-} && test -s '$deb' && ls '$work'/v1/cloudcore-lb-*.rpm"
rpm="$(ls "$work"/v1/cloudcore-lb-*.rpm 2>/dev/null | head -n 1)"
check "build-deb.sh builds a bumped version $bumped from the same binary" \
  bash -c "packaging/build-deb.sh --binary artifacts/publish/cloudcore-lb --out '$work/v2' --version '$bumped' && test -s '$deb2'"
if [ ! -s "$deb" ]; then
  echo "no package was built; stopping"
  echo "$pass passed, $((fail + 1)) failed"
  exit 1
fi

# ---- .rpm metadata ---------------------------------------------------------------------------------------------
check "rpm -qlp lists the binary, config, unit and sysctl drop-in at RPM paths" bash -c "
  list=\$(rpm -qlp '$rpm')
  for f in /usr/bin/cloudcore-lb $conf /usr/lib/systemd/system/cloudcore-lb.service /usr/lib/sysctl.d/60-cloudcore-lb.conf; do
    grep -qx \"\$f\" <<<\"\$list\" || { echo \"missing \$f\"; echo \"\$list\"; exit 1; }
  done"
check "rpm -qp --configfiles lists the config (%config(noreplace))" \
  bash -c "rpm -qp --configfiles '$rpm' | grep -qx '$conf' && rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' '$rpm' | grep -q '^$conf cn'"
check "rpm: /etc/cloudcore-lb is root:cloudcore-lb 0750, the config 0640" bash -c "
  rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' '$rpm' > '$work/rpm-modes'
  cat '$work/rpm-modes'
  grep -qx 'drwxr-x--- root:cloudcore-lb /etc/cloudcore-lb' '$work/rpm-modes' &&
  grep -qx -- '-rw-r----- root:cloudcore-lb $conf' '$work/rpm-modes'"
check "rpm requires libpcap and creates the system user in %pre" \
  bash -c "rpm -qpR '$rpm' | grep -qx libpcap && rpm -qp --scripts '$rpm' | grep -q 'useradd -r'"

# ---- .deb install ----------------------------------------------------------------------------------------------
check "dpkg -i installs the .deb (Depends: libpcap0.8)" \
  bash -c "dpkg-deb -f '$deb' Depends | grep -q libpcap0.8 && dpkg -i '$deb' </dev/null"
mode_of() { stat -c '%a %U:%G' "$1"; }
check "/usr/bin/cloudcore-lb is 0755 root:root and reports $version" \
  bash -c "[ \"\$(stat -c '%a %U:%G' /usr/bin/cloudcore-lb)\" = '755 root:root' ] && /usr/bin/cloudcore-lb version | grep -qx 'cloudcore-lb $version'"
check "/etc/cloudcore-lb is 0750 root:cloudcore-lb" test "$(mode_of /etc/cloudcore-lb)" = "750 root:cloudcore-lb"
check "the config is 0640 root:cloudcore-lb" test "$(mode_of "$conf")" = "640 root:cloudcore-lb"
check "system user cloudcore-lb exists with a nologin shell" bash -c "
  entry=\$(getent passwd cloudcore-lb) || exit 1; echo \"\$entry\"
  uid=\$(cut -d: -f3 <<<\"\$entry\"); shell=\$(cut -d: -f7 <<<\"\$entry\")
  [ \"\$uid\" -lt 1000 ] && [ \"\${shell##*/}\" = nologin ]"
check "the config is a conffile" bash -c "
  dpkg-query --control-show cloudcore-lb conffiles 2>/dev/null | grep -qx '$conf' ||
  grep -qx '$conf' /var/lib/dpkg/info/cloudcore-lb.conffiles"
check "unit installed at $unit" test -f "$unit"
check "sysctl drop-in sets ip_nonlocal_bind and ip_local_port_range" bash -c "
  grep -Eq '^net.ipv4.ip_nonlocal_bind *= *1' /usr/lib/sysctl.d/60-cloudcore-lb.conf &&
  grep -Eq '^net.ipv4.ip_local_port_range *= *1024 65000' /usr/lib/sysctl.d/60-cloudcore-lb.conf"
check "the service is not enabled on first install" bash -c "! systemctl is-enabled --quiet cloudcore-lb.service"
check "systemd-analyze verify passes on the installed unit" systemd-analyze verify "$unit"
check "the installed binary accepts the installed default config" /usr/bin/cloudcore-lb check --config "$conf"
check "the service user can read the config, other users cannot" bash -c "
  setpriv --reuid=cloudcore-lb --regid=cloudcore-lb --clear-groups /usr/bin/cloudcore-lb check --config '$conf' &&
  ! setpriv --reuid=nobody --regid=nogroup --clear-groups cat '$conf' 2>/dev/null"

# ---- reinstall and upgrade keep the operator's config ----------------------------------------------------------
marker="# operator edit $$"
echo "$marker" >> "$conf"
check "a reinstall of $version keeps the edited config" \
  bash -c "dpkg -i --force-confold '$deb' </dev/null && grep -qx '$marker' '$conf'"
check "an upgrade to $bumped keeps the edited config, its owner and mode" bash -c "
  dpkg -i --force-confold '$deb2' </dev/null &&
  [ \"\$(dpkg-query -W -f='\${Version}' cloudcore-lb)\" = '$bumped' ] &&
  grep -qx '$marker' '$conf' && [ \"\$(stat -c '%a %U:%G' '$conf')\" = '640 root:cloudcore-lb' ]"

# ---- namespace lab ---------------------------------------------------------------------------------------------
# Two namespaces joined by a veth pair named eth0 on both ends, addressed like the seed's masters, so the installed
# default config (VIP 10.10.102.242/24 on eth0, node master1 = priority 100) runs unchanged.
ip netns add "$ns_a" && ip netns add "$ns_b"
ip link add "cclbpa$$" type veth peer name "cclbpb$$"
ip link set "cclbpa$$" netns "$ns_a" && ip link set "cclbpb$$" netns "$ns_b"
ip -n "$ns_a" link set "cclbpa$$" name eth0 && ip -n "$ns_b" link set "cclbpb$$" name eth0
ip -n "$ns_a" addr add 10.10.102.11/24 dev eth0 && ip -n "$ns_b" addr add 10.10.102.12/24 dev eth0
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up; done

daemon=(/usr/bin/cloudcore-lb run --config "$conf" --node master1)
sandboxed=(ip netns exec "$ns_a" unshare -m "$here/unit-sandbox.sh" "$unit")
supervise() { python3 "$here/fake-systemd.py" "$@" -- "${sandboxed[@]}" "${daemon[@]}" > "$work/fake-systemd.out"; cat "$work/fake-systemd.out"; }
ready_in_sandbox() {
  # 5 s: long enough to win the election (3.6 s master-down interval at priority 100) before the stop below.
  supervise --run-for 5 | tee "$work/ready.out"
  grep -q 'ready_ms=[0-9]' "$work/ready.out"
}
stops_cleanly() {
  cat "$work/ready.out"
  grep -q 'exit=0' "$work/ready.out" || { echo "SIGTERM (systemctl stop) must end the daemon with status 0"; return 1; }
  if vip_present; then echo "the VIP is still on eth0 after a clean stop"; return 1; fi
}
pings_watchdog() {
  supervise --run-for 4 --watchdog-sec 2
  grep -Eq 'watchdog_pings=[1-9]' "$work/fake-systemd.out" ||
    { echo "no WATCHDOG=1 within 4 s at WATCHDOG_USEC=2000000: systemd would kill the service every WatchdogSec"; return 1; }
}
survives_hup() {
  supervise --run-for 4 --hup-after 1
  grep -q 'alive_after_hup=yes' "$work/fake-systemd.out" ||
    { echo "SIGHUP ended the daemon: systemctl reload would be a restart (and a VIP failover)"; return 1; }
}
upgrades_in_sandbox() {
  # 12 s: election, an upgrade 5 s after READY=1 (the successor starts, takes over, becomes MAINPID), then pings.
  supervise --run-for 12 --watchdog-sec 2 --upgrade-after 5
  grep -q 'mainpid_changes=1 ' "$work/fake-systemd.out" ||
    { echo "SIGUSR2 did not hand the service over to a new main process (MAINPID=)"; return 1; }
  grep -Eq 'new_main_pings=[1-9]' "$work/fake-systemd.out" ||
    { echo "the new main process never pinged the watchdog: systemd would kill it after WatchdogSec"; return 1; }
  grep -q 'exit=0 ' "$work/fake-systemd.out" || { echo "the new main process did not stop cleanly"; return 1; }
}
check "in the unit's sandbox (user, capabilities, read-only /, private /tmp) the daemon sends READY=1" ready_in_sandbox
check "SIGTERM (systemctl stop) ends the daemon with status 0 and no VIP left" stops_cleanly
check "the daemon pings the watchdog the unit asks for (WatchdogSec=$(sed -n 's/^WatchdogSec=//p' "$unit"))" pings_watchdog
check "the daemon survives SIGHUP (the unit's ExecReload)" survives_hup
check "SIGUSR2 in the unit's sandbox hands the service to the new binary: MAINPID moves, the watchdog keeps being pinged" upgrades_in_sandbox

# Every syscall and socket family the daemon uses must be allowed by the unit (SystemCallFilter=,
# RestrictAddressFamilies=; MemoryDenyWriteExecute= forbids W+X mappings): traced over start, election, VIP add, GARP,
# clean stop, then release-vips and check.
# With the default config's commented checks/proxy/metrics blocks switched on when this build's loader accepts them,
# so the proxy's and health checks' syscalls are traced too.
sed -E '/^vrrp:/,$ { s/^# ((  |[a-z_]+:).*)$/\1/; s/^      # (track:|  - check:|    weight:)/      \1/ }' "$conf" > "$work/full.yaml"
traced=("${daemon[@]}")
if /usr/bin/cloudcore-lb check --config "$work/full.yaml" >/dev/null 2>&1; then
  cp "$work/full.yaml" /etc/cloudcore-lb/full-test.yaml
  traced=(/usr/bin/cloudcore-lb run --config /etc/cloudcore-lb/full-test.yaml --node master1)
  echo "note: tracing syscalls with the default config's optional blocks uncommented (proxy, checks, metrics)"
fi
ip netns exec "$ns_a" strace -f -qq -o "$work/strace.run" "${traced[@]}" > "$work/strace-daemon.log" 2>&1 &
tracer=$!
wait_for 8 vip_present
# One edge connection through a frontend (the backends are down: accept, a refused connect, close).
ip netns exec "$ns_b" bash -c "exec 3<>/dev/tcp/$vip/10010 && sleep 0.3" >/dev/null 2>&1
kill -TERM "$(pgrep -P "$tracer" -f cloudcore-lb | head -n 1)" 2>/dev/null
wait "$tracer" 2>/dev/null
rm -f /etc/cloudcore-lb/full-test.yaml
ip netns exec "$ns_a" strace -f -qq -o "$work/strace.release" /usr/bin/cloudcore-lb release-vips >/dev/null 2>&1
strace -f -qq -o "$work/strace.check" /usr/bin/cloudcore-lb check --config "$conf" >/dev/null 2>&1
check "every syscall the daemon made is allowed by the unit's SystemCallFilter=" \
  python3 "$here/syscalls-allowed.py" "$unit" "$work"/strace.*
check "every socket family the daemon opened is in RestrictAddressFamilies= (or already unsupported)" \
  python3 "$here/families-allowed.py" "$unit" "$work"/strace.*
check "no writable+executable memory (MemoryDenyWriteExecute=yes)" \
  bash -c "! grep -hE 'PROT_(READ\\|)?WRITE\\|PROT_EXEC|mprotect\\(.*PROT_EXEC' '$work'/strace.*"

# The crash path: kill -9 the daemon and its guardian, the VIP stays (nobody released it), release-vips removes it.
ip netns exec "$ns_a" "${daemon[@]}" > "$work/daemon.log" 2>&1 &
disown $!
check "the installed daemon at priority 100 becomes master and adds the VIP" wait_for 10 vip_present
check "kill -9 of every process in the namespace leaves the VIP behind" bash -c "
  for pid in \$(ip netns pids '$ns_a'); do kill -9 \"\$pid\"; done
  sleep 0.3; [ -z \"\$(ip netns pids '$ns_a')\" ] && ip -n '$ns_a' -4 -o addr show dev eth0 | grep -q ' $vip/'"
release_and_time() {
  local start end
  start=$(date +%s%N)
  # As ExecStopPost runs it: the service user with the unit's capabilities and sandbox.
  ip netns exec "$ns_a" unshare -m "$here/unit-sandbox.sh" "$unit" /usr/bin/cloudcore-lb release-vips || return 1
  wait_for 4 bash -c "! ip -n '$ns_a' -4 -o addr show dev eth0 | grep -q ' $vip/'" || { echo "VIP still present"; return 1; }
  end=$(date +%s%N)
  echo "released in $(((end - start) / 1000000)) ms"
  # The bound that matters: gone before a backup's master-down interval (3 x 1 s + skew 0.61 s at priority 99)
  # ends, so the node never holds the VIP together with the new master. Typically 0.2-0.4 s; more on a loaded CI.
  [ $((end - start)) -lt 3609000000 ]
}
check "release-vips, run like the unit's ExecStopPost, removes the VIP within a backup's master-down interval (3.6 s)" release_and_time
# The guardian alone: kill -9 only the daemon; its watcher runs release-vips.
ip netns exec "$ns_a" "${daemon[@]}" > "$work/daemon2.log" 2>&1 &
disown $!
if wait_for 10 vip_present; then
  main_pid=$(for pid in $(ns_pids); do tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q ' run ' && echo "$pid"; done | head -n 1)
  kill -9 "$main_pid"
fi
# Bounded by what matters, not by an idle machine: gone before a backup's master-down interval (3.6 s) ends.
check "after kill -9 of the daemon alone its guardian releases the VIP within 3 s (typically ~10 ms)" \
  wait_for 3 bash -c "! ip -n '$ns_a' -4 -o addr show dev eth0 | grep -q ' $vip/'"
for pid in $(ns_pids); do kill -9 "$pid" 2>/dev/null; done

# ---- remove and purge ------------------------------------------------------------------------------------------
check "dpkg -r removes the binary and keeps the config" bash -c "
  dpkg -r cloudcore-lb </dev/null && [ ! -e /usr/bin/cloudcore-lb ] && [ ! -e '$unit' ] && grep -qx '$marker' '$conf' &&
  dpkg-query -W -f='\${Status}' cloudcore-lb | grep -q config-files"
check "dpkg --purge deletes /etc/cloudcore-lb, the overrides and the package record" bash -c "
  dpkg --purge cloudcore-lb </dev/null && [ ! -e /etc/cloudcore-lb ] &&
  ! dpkg-statoverride --list | grep -q cloudcore-lb &&
  ! dpkg-query -W -f='\${Status}' cloudcore-lb 2>/dev/null | grep -q 'ok installed\\|config-files'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
