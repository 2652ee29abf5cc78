# Shared by build-deb.sh and build-rpm.sh (sourced, not run). Lays out the installed file tree once, so both
# packages ship the same files with the same modes.
# shellcheck shell=bash

PACKAGING_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$PACKAGING_DIR")"
PACKAGE_NAME=cloudcore-lb

# The one place the version lives: the repository's VERSION file (Directory.Build.props reads it for the assemblies).
package_version() {
  tr -d '[:space:]' < "$REPO_DIR/VERSION"
}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# parse_build_args "$@": the options both build scripts take; sets binary, out and version.
parse_build_args() {
  binary="$REPO_DIR/artifacts/publish/cloudcore-lb"
  out="$REPO_DIR/artifacts"
  version="$(package_version)"
  while [ $# -gt 0 ]; do
    case "$1" in
      --binary) binary=$2; shift 2 ;;
      --out) out=$2; shift 2 ;;
      --version) version=$2; shift 2 ;;
      *) die "unknown argument $1 (expected --binary, --out, --version)" ;;
    esac
  done
}

# stage_tree ROOT BINARY UNITDIR: the files every package installs, under ROOT. Ownership is root:root here; the
# cloudcore-lb group on /etc/cloudcore-lb is applied at install time (the group does not exist when building).
stage_tree() {
  local root=$1 binary=$2 unitdir=$3
  install -D -m 0755 "$binary" "$root/usr/bin/cloudcore-lb"
  install -D -m 0640 "$PACKAGING_DIR/cloudcore-lb.yaml" "$root/etc/cloudcore-lb/cloudcore-lb.yaml"
  chmod 0750 "$root/etc/cloudcore-lb"
  install -D -m 0644 "$REPO_DIR/systemd/cloudcore-lb.service" "$root$unitdir/cloudcore-lb.service"
  install -D -m 0644 "$PACKAGING_DIR/sysctl/60-cloudcore-lb.conf" "$root/usr/lib/sysctl.d/60-cloudcore-lb.conf"
  install -D -m 0644 "$PACKAGING_DIR/README.md" "$root/usr/share/doc/cloudcore-lb/README.md"
  install -D -m 0644 "$REPO_DIR/docs/configuration.md" "$root/usr/share/doc/cloudcore-lb/configuration.md"
}

# check_binary BINARY VERSION: refuse to package something that is not the daemon or has another version.
check_binary() {
  local binary=$1 version=$2 reported
  [ -x "$binary" ] || die "$binary: not an executable; run packaging/build.sh or pass the published binary"
  reported=$("$binary" version 2>/dev/null) || die "$binary version: failed"
  [ "$reported" = "cloudcore-lb $version" ] \
    || echo "$(basename "$0"): note: $binary reports '$reported', packaging as $version" >&2
}
