#!/usr/bin/env bash
# Three-node lab in network namespaces: builds cloudcore-lb, runs it on each "master" (priorities 100/99/98, the
# seed's VRRP settings and haproxy frontends), with a CloudCore stand-in on each master and an edge client that
# connects to VIP:10010 every 100 ms. Shows the VIP on the master, kills the master with SIGKILL, shows the VIP
# moving and the client still being served. Needs root. Everything lives in namespaces named ccldemo-*, removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces, raw sockets)"; exit 1; }
scripts/deps.sh

VIP=10.10.102.242
OUT=$(mktemp -d /tmp/ccldemo.XXXX)
SW=ccldemo-sw
NODES=(1 2 3)

cleanup() {
  for ns in $(ip netns list | awk '/^ccldemo-/ {print $1}'); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT
cleanup

echo "==> building cloudcore-lb"
dotnet publish src/Host -c Release -o "$OUT/bin" -nologo -v quiet >/dev/null
BIN="$OUT/bin/cloudcore-lb"

echo "==> lab: bridge in $SW, masters 10.10.102.11-13 on eth0, VIP $VIP"
ip netns add $SW
ip -n $SW link add br0 type bridge forward_delay 0
ip -n $SW link set br0 up
host() { # name index address
  ip netns add "$1"
  ip -n $SW link add "v$2" type veth peer name eth0 netns "$1"
  ip -n $SW link set "v$2" master br0 up
  ip -n "$1" addr add "$3/24" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" link set lo up
}
for i in "${NODES[@]}"; do host ccldemo-m$i $i 10.10.102.$((10 + i)); done
host ccldemo-edge 100 10.10.102.100
LAB=tests/Integration/Lab
for i in "${NODES[@]}"; do
  ip netns exec ccldemo-m$i python3 $LAB/cloudcore_standin.py master$i 10000 10002 10003 10004 > "$OUT/cloudcore$i.log" 2>&1 &
  disown $!
done

cat > "$OUT/cloudcore-lb.yaml" <<YAML
vrrp:
  instances:
    - name: CloudCore
      interface: eth0
      virtual_router_id: 167
      advert_int: 1s
      authentication: { type: pass, password: "1111" }
      multicast_group: 224.0.0.19
      virtual_addresses: [ $VIP/24 ]
      nodes:
        master1: { priority: 100 }
        master2: { priority: 99 }
        master3: { priority: 98 }
checks:
  cloudcore: { type: listener, port: 10000, interval: 200ms }
proxy:
  frontends:
    - { name: hub, bind: "*:10010", backend: hub }
    - { name: https, bind: "*:10012", backend: https }
    - { name: stream, bind: "*:10013", backend: stream }
    - { name: tunnel, bind: "*:10014", backend: tunnel }
  backends:
YAML
for b in hub:10000 https:10002 stream:10003 tunnel:10004; do
  cat >> "$OUT/cloudcore-lb.yaml" <<YAML
    - name: ${b%%:*}
      check: { interval: 1s, rise: 1, fall: 2 }
      servers:
        - { name: cc1, address: "10.10.102.11:${b##*:}" }
        - { name: cc2, address: "10.10.102.12:${b##*:}" }
        - { name: cc3, address: "10.10.102.13:${b##*:}" }
YAML
done
"$BIN" check --config "$OUT/cloudcore-lb.yaml"

declare -A PID
for i in "${NODES[@]}"; do
  ip netns exec ccldemo-m$i "$BIN" run --config "$OUT/cloudcore-lb.yaml" --node master$i --socket "$OUT/master$i.sock" > "$OUT/master$i.log" 2>&1 &
  PID[$i]=$!
  disown $!
done

holders() {
  local h=""
  for i in "${NODES[@]}"; do
    ip -n ccldemo-m$i -4 -o addr show dev eth0 | grep -q " $VIP/" && h="$h master$i"
  done
  echo "${h:- none}"
}

echo "==> waiting for the election (master-down interval 3.6 s)"
for _ in $(seq 1 100); do [ "$(holders)" = " master1" ] && break; sleep 0.1; done
echo "    VIP held by:$(holders)"
sleep 2
"$BIN" status --socket "$OUT/master1.sock" | sed 's/^/    /'

echo "==> edge client: a new connection to $VIP:10010 every 100 ms for 12 s"
ip netns exec ccldemo-edge python3 $LAB/lab_client.py $VIP 10010 12 100 > "$OUT/client.log" 2>&1 &
CLIENT=$!
sleep 3

echo "==> kill -9 master1 (pid ${PID[1]})"
start=$(date +%s%N)
kill -9 "${PID[1]}"
while :; do
  h=$(holders)
  case "$h" in *master2*) break ;; esac
  sleep 0.05
done
end=$(date +%s%N)
echo "    VIP moved to:$h after $(( (end - start) / 1000000 )) ms"
sleep 1
echo "    VIP held by:$(holders) (the dead master's VIP was released by its guardian)"

wait $CLIENT
echo "==> edge client: $(tail -n 1 "$OUT/client.log")"
echo "    ok = served connections, connect_fail = connects that failed, fail = all failures including sessions"
echo "    open at the instant the VIP moved; slowest = longest exchange (the master-down wait after kill -9);"
echo "    backends: the edge stays on the same CloudCore through the VIP move (consistent source hashing)"

echo "==> master1 comes back and preempts"
ip netns exec ccldemo-m1 "$BIN" run --config "$OUT/cloudcore-lb.yaml" --node master1 --socket "$OUT/master1.sock" >> "$OUT/master1.log" 2>&1 &
disown $!
for _ in $(seq 1 100); do [ "$(holders)" = " master1" ] && break; sleep 0.1; done
echo "    VIP held by:$(holders)"

echo "==> logs of master2:"
sed 's/^/    /' "$OUT/master2.log" | tail -n 12
