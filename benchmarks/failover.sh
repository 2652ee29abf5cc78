#!/usr/bin/env bash
# Failover times of cloudcore-lb and Debian's keepalived in the same three-node namespace lab (5 runs each of
# kill -9 and SIGTERM). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
dotnet build tests/Integration -c Release -nologo -clp:ErrorsOnly
dotnet test tests/Integration -c Release --no-build -nologo --filter "Category=Measure" --logger "console;verbosity=detailed" \
  | grep -E '^\s*(daemon|cloudcore-lb|keepalived) \|' | sed 's/^ *//'
