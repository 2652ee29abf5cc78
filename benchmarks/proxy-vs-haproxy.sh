#!/usr/bin/env bash
# cloudcore-lb against Debian's haproxy and a direct connection, in one run, same topology, inside a network
# namespace this script creates and deletes. Needs root, haproxy, nginx, iperf3, wrk, python3.
#
#   frontends (127.0.0.1)             backends: 3 servers on 127.0.0.2/3/4, `mode tcp`, `balance source`, no checks
#   haproxy       :15201 :18080 :19000   iperf3 -s :5201 (one per address)
#   cloudcore-lb  :25201 :28080 :29000   nginx :8080 (1 worker, 64-byte static file)
#   direct        -> 127.0.0.2 ports     hold_server.py :9000 (holds idle connections)
#
# Measures (median of RUNS runs each): iperf3 1 stream and -P 8 (Gbit/s), wrk -t1 -c50 `Connection: close`
# (connections/s, with the proxy's CPU time per connection and the machine's idle share; then again with each proxy
# capped at CAP_PCT % of one CPU by a cgroup, which measures what the proxy does with the CPU it gets instead of how
# it shares 2 vCPUs with wrk and nginx), latency p50/p99 at a
# fixed rate with wrk + lib/fixed-rate.lua (keep-alive, 10 connections x 100 req/s), and RSS per idle connection
# (5000 idle connections held through a freshly started proxy).
#
# Environment: RUNS (3), DURATION seconds per run (5), IDLE (5000), OUT (published binary dir; published here when
# missing), SKIP_PUBLISH=1 to use OUT as is, ONLY=idle to run just the idle-connection rounds, ONLY=rate for just the
# short-connection rate, ONLY=bulk for just iperf3, CAP_PCT (50; 0 skips the capped rounds), CCLB_ENV (runtime knobs for cloudcore-lb, default = the systemd unit's), CCLB_PROXY (extra keys of
# cloudcore-lb's proxy section, e.g. "threads: 1, splice: false").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
IDLE=${IDLE:-5000}
CAP_PCT=${CAP_PCT:-50}
OUT=${OUT:-$ROOT/out}
# The systemd unit's Environment= line; the thread-pool spin limit comes from cloudcore-lb.runtimeconfig.json.
CCLB_ENV=${CCLB_ENV:-"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"}
NS=ccbench$$
WORK=$(mktemp -d /tmp/ccbench.XXXXXX)
PIDS=()
CG_ROOT=
CG_VERSION=
CG_ON=

# shellcheck source=lib/netns-bench.sh
. "$ROOT/benchmarks/lib/netns-bench.sh"

cleanup() {
  bench_stop
  [ -z "$CG_ROOT" ] || rmdir "$CG_ROOT/$NS-haproxy" "$CG_ROOT/$NS-cclb" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require haproxy nginx iperf3 wrk python3 ss
bench_publish

ip netns add "$NS"
nsx ip link set lo up
# Per-namespace: short connections at 10k/s would otherwise exhaust ephemeral ports on TIME_WAIT.
nsx sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=8192

# --- backends -------------------------------------------------------------------------------------------------
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 64 /dev/zero | tr '\0' 'x' > "$WORK/www/small.txt"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.2:8080 backlog=8192;
    listen 127.0.0.3:8080 backlog=8192;
    listen 127.0.0.4:8080 backlog=8192;
    root $WORK/www;
  }
}
NGINX
ip netns exec "$NS" nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
PIDS+=($!)
for i in 2 3 4; do
  ip netns exec "$NS" iperf3 -s -B 127.0.0.$i -p 5201 >/dev/null 2>&1 &
  PIDS+=($!)
done
ip netns exec "$NS" python3 "$ROOT/benchmarks/lib/hold_server.py" 127.0.0.2:9000 127.0.0.3:9000 127.0.0.4:9000 > "$WORK/hold.log" 2>&1 &
PIDS+=($!)

# --- proxies --------------------------------------------------------------------------------------------------
cat > "$WORK/haproxy.cfg" <<HAP
global
  maxconn 9000
defaults
  mode tcp
  timeout connect 10s
  timeout client 1h
  timeout server 1h
HAP
cat > "$WORK/cloudcore-lb.yaml" <<YAML
metrics: { listen: off }
control: { socket: $WORK/control.sock }
proxy:
  max_connections: 9000
${CCLB_PROXY:+  ${CCLB_PROXY//, /$'\n'  }}
  frontends:
YAML
backends_yaml="  backends:"
for svc in iperf:5201:15201:25201 http:8080:18080:28080 idle:9000:19000:29000; do
  IFS=: read -r name port hport cport <<<"$svc"
  cat >> "$WORK/haproxy.cfg" <<HAP
frontend ${name}_front
  bind 127.0.0.1:$hport
  maxconn 9000
  backlog 8192
  default_backend ${name}_back
backend ${name}_back
  balance source
  server s2 127.0.0.2:$port
  server s3 127.0.0.3:$port
  server s4 127.0.0.4:$port
HAP
  echo "    - { name: ${name}_front, bind: \"127.0.0.1:$cport\", backend: ${name}_back, max_connections: 9000, backlog: 8192, timeouts: { client: 1h } }" >> "$WORK/cloudcore-lb.yaml"
  backends_yaml+=$'\n'"    - name: ${name}_back"$'\n'"      balance: source"$'\n'"      timeouts: { connect: 10s, server: 1h }"$'\n'"      servers:"
  for i in 2 3 4; do
    backends_yaml+=$'\n'"        - { name: s$i, address: \"127.0.0.$i:$port\", check: false }"
  done
done
echo "$backends_yaml" >> "$WORK/cloudcore-lb.yaml"

# --- CPU caps: one cgroup per proxy (v2 cpu.max or v1 cfs quota), uncapped except during the capped rounds ------
if [ "$CAP_PCT" != 0 ]; then
  if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null && echo +cpu > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
    CG_VERSION=2; CG_ROOT=/sys/fs/cgroup
  elif [ -w /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    CG_VERSION=1; CG_ROOT=/sys/fs/cgroup/cpu
  fi
  if [ -n "$CG_ROOT" ] && mkdir -p "$CG_ROOT/$NS-haproxy" "$CG_ROOT/$NS-cclb" 2>/dev/null; then CG_ON=1; fi
  [ -n "$CG_ON" ] || echo "no writable cgroup cpu controller: skipping the capped rounds" >&2
fi
# cg_cap NAME PERCENT|max: a 10 ms period keeps the throttling fine-grained (a 100 ms period stalls the proxy 50 ms).
# A cgroup that cannot be written turns the capped rounds off instead of ending the run.
cg_cap() {
  [ -n "$CG_ON" ] || return 0
  {
    if [ "$CG_VERSION" = 2 ]; then
      if [ "$2" = max ]; then echo "max 10000"; else echo "$(($2 * 100)) 10000"; fi > "$CG_ROOT/$NS-$1/cpu.max"
    else
      echo 10000 > "$CG_ROOT/$NS-$1/cpu.cfs_period_us" &&
        if [ "$2" = max ]; then echo -1; else echo $(($2 * 100)); fi > "$CG_ROOT/$NS-$1/cpu.cfs_quota_us"
    fi
  } 2>/dev/null || { echo "cannot set the CPU cap of $1: skipping the capped rounds" >&2; CG_ON=; }
}
cg_join() {
  [ -n "$CG_ON" ] || return 0
  echo "$2" 2>/dev/null > "$CG_ROOT/$NS-$1/cgroup.procs" || { echo "cannot move $1 into its cgroup: skipping the capped rounds" >&2; CG_ON=; }
}

HAPROXY_PID=
CCLB_PID=
start_haproxy() {
  ip netns exec "$NS" haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  PIDS+=("$HAPROXY_PID")
  cg_join haproxy "$HAPROXY_PID"
  wait_port 127.0.0.1 18080
}
start_cclb() {
  bench_start_cclb
  cg_join cclb "$CCLB_PID"
  wait_port 127.0.0.1 28080
}
wait_port() {
  local i
  for i in $(seq 1 100); do
    if nsx bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $1:$2" >&2
  cat "$WORK"/*.log >&2
  exit 1
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# utime + stime of a process (all its threads), in clock ticks.
proc_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" || echo 0; }

for p in 5201 8080 9000; do wait_port 127.0.0.2 $p; done
start_haproxy
start_cclb
nsx curl -sf http://127.0.0.1:28080/small.txt >/dev/null 2>&1 || nsx bash -c 'exec 3<>/dev/tcp/127.0.0.1/28080' || true

declare -A PORT_IPERF=([direct]="127.0.0.2 5201" [haproxy]="127.0.0.1 15201" [cloudcore-lb]="127.0.0.1 25201")
declare -A PORT_HTTP=([direct]="127.0.0.2:8080" [haproxy]="127.0.0.1:18080" [cloudcore-lb]="127.0.0.1:28080")
RESULTS=$WORK/results.tsv
: > "$RESULTS"

# Connections/s of wrk -t1 -c50 with `Connection: close`: every request a new connection through the proxy.
short_rate() { nsx wrk -t1 -c50 -d"${DURATION}s" -H 'Connection: close' "http://${PORT_HTTP[$1]}/small.txt" | awk '/^Requests\/sec/ { print $2 }'; }
iperf_gbps() { # host port streams
  nsx iperf3 -c "$1" -p "$2" -P "$3" -t "$DURATION" -J 2>/dev/null \
    | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

[ "${ONLY:-}" = idle ] && RUNS_TRAFFIC=0 || RUNS_TRAFFIC=$RUNS
echo "warming up" >&2
[ "$RUNS_TRAFFIC" = 0 ] || for path in direct haproxy cloudcore-lb; do
  nsx wrk -t1 -c20 -d2s -H 'Connection: close' "http://${PORT_HTTP[$path]}/small.txt" >/dev/null
  read -r h p <<<"${PORT_IPERF[$path]}"; iperf_gbps "$h" "$p" 1 >/dev/null
done

for run in $(seq 1 "$RUNS_TRAFFIC"); do
  for path in direct haproxy cloudcore-lb; do
    read -r h p <<<"${PORT_IPERF[$path]}"
    if [ "${ONLY:-}" != rate ]; then
      echo -e "bulk_1\t$path\t$(iperf_gbps "$h" "$p" 1)" >> "$RESULTS"
      echo -e "bulk_8\t$path\t$(iperf_gbps "$h" "$p" 8)" >> "$RESULTS"
    fi
    if [ "${ONLY:-}" = bulk ]; then echo "run $run $path done" >&2; continue; fi
    pid=; [ "$path" = haproxy ] && pid=$HAPROXY_PID; [ "$path" = cloudcore-lb ] && pid=$CCLB_PID
    cpu0=$(proc_ticks "$pid"); stat0=$(head -1 /proc/stat)
    rate=$(short_rate "$path")
    cpu1=$(proc_ticks "$pid"); stat1=$(head -1 /proc/stat)
    echo -e "conn_rate\t$path\t$rate" >> "$RESULTS"
    # The proxy's own CPU per connection (what a faster proxy saves on a master node), and how idle the machine was:
    # wrk, nginx and the proxy share the 2 vCPUs, so the rate also depends on them.
    [ -z "$pid" ] || echo -e "conn_cpu_us\t$path\t$(awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v r="$rate" -v d="$DURATION" 'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')" >> "$RESULTS"
    echo -e "conn_idle_pct\t$path\t$(printf '%s\n%s\n' "$stat0" "$stat1" | awk '{ b = $2 + $3 + $4 + $7 + $8; i = $5 + $6; if (NR == 1) { b0 = b; i0 = i } else printf "%.1f", 100 * (i - i0) / (b - b0 + i - i0) }')" >> "$RESULTS"
    if [ -n "$pid" ] && [ -n "$CG_ON" ]; then
      cg=cclb; [ "$path" = haproxy ] && cg=haproxy
      cg_cap "$cg" "$CAP_PCT"
      if [ -n "$CG_ON" ]; then
        echo -e "capped_rate\t$path\t$(short_rate "$path")" >> "$RESULTS"
        cg_cap "$cg" max
      fi
    fi
    if [ "${ONLY:-}" = rate ]; then echo "run $run $path done" >&2; continue; fi
    lat=$(RATE_DELAY_MS=10 nsx wrk -t1 -c10 -d"${DURATION}s" -s "$ROOT/benchmarks/lib/fixed-rate.lua" "http://${PORT_HTTP[$path]}/small.txt" | grep '^LATENCY')
    echo -e "lat_p50_us\t$path\t$(sed -E 's/.*p50=([0-9]+).*/\1/' <<<"$lat")" >> "$RESULTS"
    echo -e "lat_p99_us\t$path\t$(sed -E 's/.*p99=([0-9]+).*/\1/' <<<"$lat")" >> "$RESULTS"
    echo -e "lat_rate\t$path\t$(awk -v d="$DURATION" '{ sub(/.*requests=/, ""); print int($1 / d) }' <<<"$lat")" >> "$RESULTS"
    echo "run $run $path done" >&2
  done
done

# --- idle connections: a fresh proxy per round, RSS delta / IDLE ---------------------------------------------------
nsx bash -c 'for i in $(seq 1 10); do ip addr add 127.0.1.$i/32 dev lo; done'
idle_round() { # path pid port
  local before after n
  sleep 1
  before=$(rss_kb "$2")
  coproc CLIENTS { nsx python3 "$ROOT/benchmarks/lib/idle_clients.py" 127.0.0.1 "$3" "$IDLE" 10; }
  read -r _ n <&"${CLIENTS[0]}"
  # Connected to the proxy is not yet proxied: wait until the backends hold every connection.
  for _ in $(seq 1 200); do
    [ "$(nsx ss -Htn state established '( sport = :9000 )' | wc -l)" -ge "$IDLE" ] && break
    sleep 0.1
  done
  sleep 2
  after=$(rss_kb "$2")
  exec {CLIENTS[1]}>&-
  wait "$CLIENTS_PID" 2>/dev/null || true
  echo -e "rss_per_idle_b\t$1\t$(( (after - before) * 1024 / IDLE ))" >> "$RESULTS"
  echo -e "rss_base_mb\t$1\t$(( before / 1024 ))" >> "$RESULTS"
  echo "idle $1: $n open, RSS ${before} -> ${after} kB" >&2
}
[ "${ONLY:-}" = rate ] || [ "${ONLY:-}" = bulk ] || for run in $(seq 1 "$RUNS"); do
  stop_pid "$HAPROXY_PID"; start_haproxy
  idle_round haproxy "$HAPROXY_PID" 19000
  stop_pid "$CCLB_PID"; start_cclb
  # One connection first, so the runtime's one-time allocations (JIT, pools) are not counted per connection.
  nsx wrk -t1 -c4 -d1s "http://127.0.0.1:28080/small.txt" >/dev/null
  idle_round cloudcore-lb "$CCLB_PID" 29000
done

python3 - "$RESULTS" "$RUNS" "$DURATION" "$IDLE" "$CAP_PCT" <<'PY'
import collections, statistics, sys
path, runs, duration, idle, cap = sys.argv[1:]
data = collections.defaultdict(list)
for line in open(path):
    metric, who, value = line.rstrip("\n").split("\t")
    if value:
        data[(metric, who)].append(float(value))
rows = [
    ("bulk_1", "bulk 1 stream (Gbit/s)", True), ("bulk_8", "bulk -P 8 (Gbit/s)", True),
    ("conn_rate", "short connections (conn/s)", True), ("conn_cpu_us", "  proxy CPU per short connection (us)", False),
    ("conn_idle_pct", "  machine idle during the rate run (%)", None),
    ("capped_rate", f"short connections, proxy capped at {cap} % of a CPU (conn/s)", True), ("lat_p50_us", "latency p50 at fixed rate (us)", False),
    ("lat_p99_us", "latency p99 at fixed rate (us)", False), ("lat_rate", "  fixed rate achieved (req/s)", None),
    ("rss_per_idle_b", "RSS per idle connection (bytes)", False), ("rss_base_mb", "  RSS before (MB)", None),
]
def med(m, w):
    v = data.get((m, w))
    return statistics.median(v) if v else None
def fmt(x):
    return "-" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")
def ratio(a, b):
    return "-" if a is None or b in (None, 0) else f"{a / b:.2f}x"
print(f"median of {runs} runs, {duration} s each, {idle} idle connections")
print(f"| metric | direct | haproxy | cloudcore-lb | lb/haproxy | haproxy/direct | lb/direct | all runs (direct; haproxy; lb) |")
print("|---|---|---|---|---|---|---|---|")
for m, label, _ in rows:
    d, h, c = (med(m, w) for w in ("direct", "haproxy", "cloudcore-lb"))
    runs_s = "; ".join(",".join(fmt(x) for x in data.get((m, w), [])) or "-" for w in ("direct", "haproxy", "cloudcore-lb"))
    print(f"| {label} | {fmt(d)} | {fmt(h)} | {fmt(c)} | {ratio(c, h)} | {ratio(h, d)} | {ratio(c, d)} | {runs_s} |")
PY
