#!/usr/bin/env bash
# Runs every test: unit tests, then the integration tests in network namespaces (they need root and are skipped,
# each with the reason printed, otherwise). Missing Debian packages are installed first when run as root.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
dotnet build CloudCoreLb.sln -c Release -nologo -clp:ErrorsOnly
status=0
for project in tests/*/*.csproj; do
  # tests/TestSupport is a library the test projects share; it holds no tests.
  grep -q "<IsTestProject>true" "$project" || continue
  echo "=== $(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build -nologo --filter "Category!=Measure" \
    --logger "console;verbosity=normal" "$@" | tee -a /tmp/cloudcore-lb-test.$$.log || status=1
done
# Packages: build the .deb and .rpm, install, upgrade, purge, verify the unit (tests/Packaging/run.sh).
echo "=== Packaging"
tests/Packaging/run.sh 2>&1 | tee -a /tmp/cloudcore-lb-test.$$.log || status=1
# One closing line for the whole run, summed over the projects and the packaging checks.
awk '/^[[:space:]]*(Passed|Failed|Skipped):[[:space:]]*[0-9]+/ { gsub(/,/, ""); n[$1] += $2 }
     /^[0-9]+ passed, [0-9]+ failed/ { n["Passed:"] += $1; n["Failed:"] += $3 }
     END { printf "%d passed, %d failed, %d skipped\n", n["Passed:"], n["Failed:"], n["Skipped:"] }' /tmp/cloudcore-lb-test.$$.log
# CI shows only the tail of its output: name every failed test and check again there.
grep -E '^[[:space:]]*Failed [A-Za-z]|^FAIL ' /tmp/cloudcore-lb-test.$$.log | sed 's/^[[:space:]]*/FAILED: /' || true
rm -f /tmp/cloudcore-lb-test.$$.log
exit $status
