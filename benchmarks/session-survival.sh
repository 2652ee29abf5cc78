#!/usr/bin/env bash
# Sessions broken and VIP moves when the VIP holder's load balancer is reloaded, restarted, upgraded or crashes:
# Debian's keepalived + haproxy 2.6 and cloudcore-lb in the same three-node namespace lab, 500 held edge sessions
# through the VIP (issue 12). SURVIVAL_RUNS sets the runs per event (default 3). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
dotnet build tests/Integration -c Release -nologo -clp:ErrorsOnly
dotnet test tests/Integration -c Release --no-build -nologo \
  --filter "Category=Measure&FullyQualifiedName~SessionSurvivalMeasurementTests" --logger "console;verbosity=detailed" \
  | grep -E '^\s*\| (setup|---|keepalived|cloudcore-lb) ' | sed 's/^ *//'
