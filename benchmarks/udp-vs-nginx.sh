#!/usr/bin/env bash
# cloudcore-lb's UDP frontend against Debian's nginx `stream` UDP proxy and a direct path, in one run, same topology,
# inside a network namespace this script creates and deletes. Needs root, nginx + libnginx-mod-stream, gcc.
#
#   frontends (127.0.0.1)   backends: 3 echo servers on 127.0.0.2/3/4:10001 (lib/udpload.c echo: recvmmsg/sendmmsg)
#   nginx         :10012    `stream`, `listen udp reuseport`, `hash $remote_addr consistent`, NGINX_WORKERS workers
#   cloudcore-lb  :10011    `protocol: udp`, `balance: source`, `check: false`
#   direct        -> 127.0.0.2:10001
#
# Load (lib/udpload.c, compiled here; clients bind 127.0.1.1-50 so the source hash spreads them): for each datagram
# size in SIZES and flow count in FLOWS, INFLIGHT datagrams kept in flight in total, each echo sending the next
# datagram on the next flow in turn -> echoes/s (each one crossed the proxy both ways) and payload Mbit/s, with the
# proxy's CPU time and system calls (perf, when present) per echo; latency p50/p99 of 10 flows x 1 datagram every 10 ms (closed loop, far below
# saturation); RSS per idle flow: IDLE flows opened through a freshly started proxy (one echo each), then
# (RSS after - RSS before) / IDLE of every proxy process. Kernel socket memory is not in RSS for either.
#
# Environment: RUNS (3), DURATION seconds per rate run (4, plus 1 s warm-up), SIZES ("100 1300"), FLOWS ("1 16 1000"),
# INFLIGHT (64), IDLE (10000), NGINX_WORKERS (2: cloudcore-lb's loops on 2 CPUs; a UDP frontend uses one of them),
# OUT (published binary dir; published here when missing), SKIP_PUBLISH=1 to use OUT as is, ONLY=rate / latency /
# idle, CCLB_ENV, CCLB_PROXY (extra keys of cloudcore-lb's proxy section, e.g. "threads: 1").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
DURATION=${DURATION:-4}
SIZES=${SIZES:-"100 1300"}
FLOWS=${FLOWS:-"1 16 1000"}
INFLIGHT=${INFLIGHT:-64}
IDLE=${IDLE:-10000}
NGINX_WORKERS=${NGINX_WORKERS:-2}
OUT=${OUT:-$ROOT/out}
CCLB_ENV=${CCLB_ENV:-"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"}
NGINX_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
NS=ccudp$$
WORK=$(mktemp -d /tmp/ccudp.XXXXXX)
PIDS=()

# shellcheck source=lib/netns-bench.sh
. "$ROOT/benchmarks/lib/netns-bench.sh"

cleanup() {
  bench_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require nginx gcc python3 ss
[ -f "$NGINX_MODULE" ] || { echo "missing: $NGINX_MODULE (apt-get install libnginx-mod-stream)" >&2; exit 1; }
bench_publish
gcc -O2 -Wall -o "$WORK/udpload" "$ROOT/benchmarks/lib/udpload.c"
LOAD=$WORK/udpload
# 10 000 idle flows hold 10 000 sockets in the load generator and in each proxy.
ulimit -n "$(ulimit -Hn)"

ip netns add "$NS"
nsx ip link set lo up
# Room for bursts in every receive queue (the proxies' sockets inherit the defaults).
nsx sysctl -qw net.core.rmem_default=1048576 net.core.wmem_default=1048576 2>/dev/null || true

for i in 2 3 4; do
  ip netns exec "$NS" "$LOAD" echo 127.0.0.$i 10001 &
  PIDS+=($!)
done

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
load_module $NGINX_MODULE;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 20000;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 32768; }
stream {
  upstream quic {
    hash \$remote_addr consistent;
    server 127.0.0.2:10001;
    server 127.0.0.3:10001;
    server 127.0.0.4:10001;
  }
  server {
    # reuseport: one socket per worker, the kernel keeps a flow on one worker (without it every worker sees every
    # flow's datagrams and opens its own session for them).
    listen 127.0.0.1:10012 udp reuseport;
    proxy_pass quic;
    # QUIC: any number of replies per datagram, the flow lives while either side sends (cloudcore-lb's 30 s).
    proxy_timeout 30s;
  }
}
NGINX
cat > "$WORK/cloudcore-lb.yaml" <<YAML
metrics: { listen: off }
control: { socket: $WORK/control.sock }
proxy:
${CCLB_PROXY:+  ${CCLB_PROXY//, /$'\n'  }}
  frontends:
    - { name: quic_front, bind: "127.0.0.1:10011", backend: quic_back, protocol: udp, udp: { max_flows: $((IDLE * 2)), max_flows_per_source: 100000, idle_timeout: 30s } }
  backends:
    - name: quic_back
      protocol: udp
      balance: source
      servers:
        - { name: s2, address: "127.0.0.2:10001", check: false }
        - { name: s3, address: "127.0.0.3:10001", check: false }
        - { name: s4, address: "127.0.0.4:10001", check: false }
YAML

NGINX_PID=
CCLB_PID=
start_nginx() {
  ip netns exec "$NS" nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_echo 127.0.0.1 10012
}
start_cclb() {
  bench_start_cclb
  wait_echo 127.0.0.1 10011
}
# A proxy is up when one flow's datagram comes back through it.
wait_echo() {
  local i
  for i in $(seq 1 100); do
    if nsx "$LOAD" latency "$1" "$2" 1 10 0.2 50 | grep -qv 'samples=0 '; then return 0; fi
  done
  echo "no echo through $1:$2" >&2
  cat "$WORK"/*.log "$WORK/nginx/error.log" >&2 || true
  exit 1
}
# The proxy's processes: nginx's master and workers, cloudcore-lb's one.
procs() { if [ "$1" = nginx ]; then echo "$NGINX_PID" $(pgrep -P "$NGINX_PID"); elif [ "$1" = cloudcore-lb ]; then echo "$CCLB_PID"; fi; }
rss_kb() { local p s=0; for p in $(procs "$1"); do s=$((s + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"))); done; echo $s; }
# System calls the proxy's processes make over $2 seconds (perf's raw_syscalls tracepoint; empty without perf).
syscalls() {
  [ -n "$PERF" ] || return 0
  perf stat -x, -e raw_syscalls:sys_enter -p "$(procs "$1" | tr ' ' ,)" -- sleep "$2" 2>&1 >/dev/null | awk -F, '/raw_syscalls/ { print $1 }'
}
PERF=
if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then PERF=1; fi
proc_ticks() { local p s=0; for p in $(procs "$1"); do s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo $s; }

start_nginx
start_cclb

declare -A ADDR=([direct]="127.0.0.2 10001" [nginx]="127.0.0.1 10012" [cloudcore-lb]="127.0.0.1 10011")
RESULTS=$WORK/results.tsv
: > "$RESULTS"

echo "warming up" >&2
for path in direct nginx cloudcore-lb; do
  # shellcheck disable=SC2086
  nsx "$LOAD" rate ${ADDR[$path]} 16 1300 1 "$INFLIGHT" 50 >/dev/null
done

[ -z "${ONLY:-}" ] || [ "${ONLY:-}" = rate ] || [ "${ONLY:-}" = latency ] && RUNS_TRAFFIC=$RUNS || RUNS_TRAFFIC=0
for run in $(seq 1 "$RUNS_TRAFFIC"); do
  for path in direct nginx cloudcore-lb; do
    [ "${ONLY:-}" = latency ] || for size in $SIZES; do
      for flows in $FLOWS; do
        cpu0=$(proc_ticks "$path")
        rm -f "$WORK/syscalls"; sys_pid=
        [ "$path" = direct ] || { syscalls "$path" "$DURATION" > "$WORK/syscalls" & sys_pid=$!; }
        # shellcheck disable=SC2086
        line=$(nsx "$LOAD" rate ${ADDR[$path]} "$flows" "$size" "$DURATION" "$INFLIGHT" 50)
        cpu1=$(proc_ticks "$path")
        [ -z "$sys_pid" ] || wait "$sys_pid" || true
        calls=$(cat "$WORK/syscalls" 2>/dev/null || true)
        rate=$(sed -E 's/.*dgrams_per_s=([0-9.]+).*/\1/' <<<"$line")
        echo -e "rate_${size}_${flows}\t$path\t$rate" >> "$RESULTS"
        echo -e "mbit_${size}_${flows}\t$path\t$(sed -E 's/.*mbit_per_s=([0-9.]+).*/\1/' <<<"$line")" >> "$RESULTS"
        # Warm-up second included in the CPU ticks, so divide by the datagrams of DURATION + 1 s.
        [ "$path" = direct ] || echo -e "cpu_${size}_${flows}\t$path\t$(awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v r="$rate" -v d="$DURATION" 'BEGIN { printf "%.2f", t / hz * 1e6 / (r * (d + 1)) }')" >> "$RESULTS"
        [ "$path" = direct ] || [ -z "$calls" ] || echo -e "sys_${size}_${flows}\t$path\t$(awk -v c="$calls" -v r="$rate" -v d="$DURATION" 'BEGIN { printf "%.2f", c / (r * d) }')" >> "$RESULTS"
        echo "run $run $path ${size} B x $flows flows: $line${calls:+ syscalls=$calls}" >&2
      done
    done
    [ "${ONLY:-}" = rate ] && continue
    # shellcheck disable=SC2086
    lat=$(nsx "$LOAD" latency ${ADDR[$path]} 10 1200 "$DURATION" 10)
    echo -e "lat_p50_us\t$path\t$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$lat")" >> "$RESULTS"
    echo -e "lat_p99_us\t$path\t$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$lat")" >> "$RESULTS"
    echo "run $run $path: $lat" >&2
  done
done

idle_round() { # path port
  local before after n
  sleep 1
  before=$(rss_kb "$1")
  coproc CLIENTS { nsx "$LOAD" idle 127.0.0.1 "$2" "$IDLE" 50; }
  read -r _ n <&"${CLIENTS[0]}"
  sleep 2
  after=$(rss_kb "$1")
  exec {CLIENTS[1]}>&-
  kill "$CLIENTS_PID" 2>/dev/null || true
  wait "$CLIENTS_PID" 2>/dev/null || true
  echo -e "rss_per_flow_b\t$1\t$(( (after - before) * 1024 / IDLE ))" >> "$RESULTS"
  echo -e "rss_base_mb\t$1\t$(( before / 1024 ))" >> "$RESULTS"
  echo "idle $1: $n of $IDLE flows open, RSS ${before} -> ${after} kB" >&2
}
[ -n "${ONLY:-}" ] && [ "${ONLY:-}" != idle ] || for run in $(seq 1 "$RUNS"); do
  stop_pid "$NGINX_PID"; start_nginx
  idle_round nginx 10012
  stop_pid "$CCLB_PID"; start_cclb
  # Some traffic first, so the runtime's one-time allocations (JIT, pools) are not counted per flow.
  nsx "$LOAD" rate 127.0.0.1 10011 16 1300 1 "$INFLIGHT" 50 >/dev/null
  idle_round cloudcore-lb 10011
done

python3 - "$RESULTS" "$RUNS" "$DURATION" "$IDLE" "$INFLIGHT" "$NGINX_WORKERS" "$SIZES" "$FLOWS" <<'PY'
import collections, statistics, sys
path, runs, duration, idle, inflight, workers, sizes, flows = sys.argv[1:]
data = collections.defaultdict(list)
for line in open(path):
    metric, who, value = line.rstrip("\n").split("\t")
    if value:
        data[(metric, who)].append(float(value))
rows = []
for s in sizes.split():
    for f in flows.split():
        rows += [(f"rate_{s}_{f}", f"{s} B, {f} flows: echoes/s"), (f"mbit_{s}_{f}", f"  {s} B, {f} flows: payload Mbit/s"),
                 (f"cpu_{s}_{f}", f"  {s} B, {f} flows: proxy CPU per echo (us)"),
                 (f"sys_{s}_{f}", f"  {s} B, {f} flows: proxy syscalls per echo")]
rows += [("lat_p50_us", "latency p50, 10 flows x 100/s (us)"), ("lat_p99_us", "latency p99 (us)"),
         ("rss_per_flow_b", f"RSS per idle flow, {idle} flows (bytes)"), ("rss_base_mb", "  RSS before (MB)")]
def med(m, w):
    v = data.get((m, w))
    return statistics.median(v) if v else None
def fmt(x):
    return "-" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")
def ratio(a, b):
    return "-" if a is None or b in (None, 0) else f"{a / b:.2f}x"
print(f"median of {runs} runs, {duration} s each, {inflight} datagrams in flight, nginx {workers} workers, {idle} idle flows")
print("| metric | direct | nginx | cloudcore-lb | lb/nginx | nginx/direct | lb/direct | all runs (direct; nginx; lb) |")
print("|---|---|---|---|---|---|---|---|")
for m, label in rows:
    if not any(k[0] == m for k in data):
        continue
    d, n, c = (med(m, w) for w in ("direct", "nginx", "cloudcore-lb"))
    runs_s = "; ".join(",".join(fmt(x) for x in data.get((m, w), [])) or "-" for w in ("direct", "nginx", "cloudcore-lb"))
    print(f"| {label} | {fmt(d)} | {fmt(n)} | {fmt(c)} | {ratio(c, n)} | {ratio(n, d)} | {ratio(c, d)} | {runs_s} |")
PY
