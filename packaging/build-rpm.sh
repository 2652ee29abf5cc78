#!/usr/bin/env bash
# Builds artifacts/cloudcore-lb-VERSION-1.ARCH.rpm from a published binary with rpmbuild (Debian: package rpm,
# installed here when missing and running as root).
#   packaging/build-rpm.sh [--binary PATH] [--out DIR] [--version X.Y.Z]
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_build_args "$@"
if ! command -v rpmbuild >/dev/null; then
  [ "$(id -u)" -eq 0 ] || die "rpmbuild is missing; install the rpm package (apt-get install rpm) or run as root"
  echo "build-rpm: installing rpm (rpmbuild)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rpm >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rpm >/dev/null; }
fi
check_binary "$binary" "$version"
# RPM versions may not contain '-'; a prerelease VERSION like 0.2.0-rc1 becomes 0.2.0~rc1 (sorts before 0.2.0).
rpm_version="${version//-/\~}"

top="$(mktemp -d)"
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS,root}
stage_tree "$top/root" "$binary" /usr/lib/systemd/system
tar -C "$top/root" --owner=0 --group=0 -cf "$top/SOURCES/cloudcore-lb-root.tar" .

# --target: the binary's architecture, not whatever rpmbuild guesses for a Debian host.
case "$(uname -m)" in
  x86_64) target=x86_64 ;;
  aarch64) target=aarch64 ;;
  *) target="$(uname -m)" ;;
esac
rpmbuild --quiet -bb --target "$target" \
  --define "_topdir $top" \
  --define "cclb_version $rpm_version" \
  --define "_build_id_links none" \
  "$PACKAGING_DIR/rpm/cloudcore-lb.spec" >&2

mkdir -p "$out"
rpm_file="$(find "$top/RPMS" -name '*.rpm' | head -n 1)"
[ -n "$rpm_file" ] || die "rpmbuild produced no package"
cp "$rpm_file" "$out/"
echo "$out/$(basename "$rpm_file")"
