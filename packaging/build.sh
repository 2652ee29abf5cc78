#!/usr/bin/env bash
# Publishes the NativeAOT binary and builds both packages into artifacts/:
#   artifacts/publish/cloudcore-lb, artifacts/cloudcore-lb_VERSION_ARCH.deb, artifacts/cloudcore-lb-VERSION-1.ARCH.rpm
#   packaging/build.sh [--out DIR] [--version X.Y.Z] [--no-publish]
# --no-publish reuses artifacts/publish/cloudcore-lb (tests build a bumped version from the same binary).
set -euo pipefail
source "$(dirname "$0")/common.sh"

out="$REPO_DIR/artifacts"
version="$(package_version)"
publish=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --no-publish) publish=0; shift ;;
    *) die "unknown argument $1 (expected --out, --version, --no-publish)" ;;
  esac
done
publish_dir="$REPO_DIR/artifacts/publish"

if [ "$publish" -eq 1 ]; then
  # NativeAOT: one self-contained 7 MB executable depending only on libc/libm (and libpcap through dlopen); no .NET
  # runtime on the masters. ILCompiler links with clang, or gcc when only a versioned clang-NN exists.
  command -v gcc >/dev/null || command -v clang >/dev/null \
    || die "NativeAOT needs a C toolchain to link: apt-get install gcc (or clang)"
  rm -rf "$publish_dir"
  dotnet publish "$REPO_DIR/src/Host" -c Release -r linux-x64 -p:PublishAot=true -o "$publish_dir" -nologo -clp:ErrorsOnly
fi
binary="$publish_dir/cloudcore-lb"
[ -x "$binary" ] || die "$binary is missing; run without --no-publish"

"$PACKAGING_DIR/build-deb.sh" --binary "$binary" --out "$out" --version "$version"
"$PACKAGING_DIR/build-rpm.sh" --binary "$binary" --out "$out" --version "$version"
