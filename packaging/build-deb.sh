#!/usr/bin/env bash
# Builds artifacts/cloudcore-lb_VERSION_ARCH.deb from a published binary with dpkg-deb (no debhelper needed).
#   packaging/build-deb.sh [--binary PATH] [--out DIR] [--version X.Y.Z]
# Defaults: the NativeAOT binary packaging/build.sh publishes, artifacts/, the VERSION file.
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_build_args "$@"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)"
check_binary "$binary" "$version"
arch="$(dpkg --print-architecture)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
stage_tree "$root" "$binary" /lib/systemd/system

mkdir -m 0755 "$root/DEBIAN"
install -m 0755 "$PACKAGING_DIR/deb/postinst" "$PACKAGING_DIR/deb/prerm" "$PACKAGING_DIR/deb/postrm" "$root/DEBIAN/"
# Every file under /etc is a conffile: dpkg keeps the operator's edits on upgrade and asks (or keeps them with
# --force-confold) when the shipped default changed too.
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) > "$root/DEBIAN/conffiles"
(cd "$root" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# libc6 2.34: the newest symbol version the AOT binary links (objdump -T); libpcap0.8: SharpPcap dlopens
# libpcap.so.0.8 for gratuitous ARP; adduser: postinst creates the system user.
cat > "$root/DEBIAN/control" <<CONTROL
Package: $PACKAGE_NAME
Version: $version
Architecture: $arch
Maintainer: cloudcore-lb maintainers <cloudcore-lb@localhost>
Installed-Size: $installed_kib
Depends: libc6 (>= 2.34), libpcap0.8, adduser
Recommends: systemd
Section: net
Priority: optional
Homepage: https://kubeedge.io/docs/setup/deploy-ha
Description: VRRP virtual IP and L4 load balancer for KubeEdge CloudCore
 cloudcore-lb replaces the keepalived + haproxy pair on every Kubernetes master
 that runs CloudCore: it holds the edge-facing virtual IP with VRRPv2
 (interoperating with keepalived during a migration), balances the edge ports
 onto every CloudCore with source hashing and health checks, and runs as one
 systemd service with a single YAML configuration.
CONTROL

mkdir -p "$out"
deb="$out/${PACKAGE_NAME}_${version}_${arch}.deb"
# --root-owner-group: every path root:root in the archive whoever builds; postinst applies the group.
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
