#!/usr/bin/env bash
# Installs the Debian packages the demo, the tests and the benchmarks use, when missing (needs root; a no-op otherwise).
set -euo pipefail
pkgs=(iproute2 libpcap0.8 keepalived tcpdump tshark nftables procps psmisc haproxy iperf3 wrk nginx-light libnginx-mod-stream gcc python3 chromium chromium-driver faketime)
need=()
for pkg in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing ${need[*]}; run as root to install them (integration tests will be skipped)" >&2
  exit 0
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the services it installs; the tests run their own copies in namespaces.
for svc in haproxy nginx keepalived; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
done
pkill -x haproxy 2>/dev/null || true
pkill -x nginx 2>/dev/null || true
