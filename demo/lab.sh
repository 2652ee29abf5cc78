#!/usr/bin/env bash
# Three-node lab in network namespaces: builds cloudcore-lb, runs it on each "master" (priorities 100/99/98, the
# seed's VRRP settings), shows the VIP on the master, kills the master with SIGKILL and shows the VIP moving.
# Needs root. Everything lives in namespaces named ccldemo-*, removed on exit.
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
for i in "${NODES[@]}"; do
  ns=ccldemo-m$i
  ip netns add $ns
  ip -n $SW link add v$i type veth peer name eth0 netns $ns
  ip -n $SW link set v$i master br0 up
  ip -n $ns addr add 10.10.102.$((10 + i))/24 dev eth0
  ip -n $ns link set eth0 up
  ip -n $ns link set lo up
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
YAML
"$BIN" check --config "$OUT/cloudcore-lb.yaml"

declare -A PID
for i in "${NODES[@]}"; do
  ip netns exec ccldemo-m$i "$BIN" run --config "$OUT/cloudcore-lb.yaml" --node master$i > "$OUT/master$i.log" 2>&1 &
  PID[$i]=$!
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

echo "==> master1 comes back and preempts"
ip netns exec ccldemo-m1 "$BIN" run --config "$OUT/cloudcore-lb.yaml" --node master1 >> "$OUT/master1.log" 2>&1 &
for _ in $(seq 1 100); do [ "$(holders)" = " master1" ] && break; sleep 0.1; done
echo "    VIP held by:$(holders)"

echo "==> logs of master2:"
sed 's/^/    /' "$OUT/master2.log" | tail -n 12
