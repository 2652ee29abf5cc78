#!/usr/bin/env bash
# Runs every test: unit tests, then the integration tests (network namespaces; need root, skipped with a reason otherwise).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build CloudCoreLb.sln -c Release -nologo -clp:ErrorsOnly
dotnet test CloudCoreLb.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
