#!/usr/bin/env bash
# The fuzzing benchmark (benchmarks/README.md "Fuzzing"): builds benchmarks/CloudCoreLb.Fuzz into $OUT, instruments
# the product's assemblies and YamlDotNet with SharpFuzz (the SharpFuzz.CommandLine dotnet tool, installed into $OUT
# on first use), then runs every target in-process and coverage-guided, one after the other at low priority, and
# prints per target: inputs, accepted inputs, exec rate, edges reached, corpus size, failures. Crashing inputs are
# written to $OUT/crashes; replay one with: dotnet $OUT/bin/CloudCoreLb.Fuzz.dll replay TARGET FILE.
# Env: INPUTS (1000000 per target), SEED (1), ONLY (space-separated target names), OUT (artifacts/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
INPUTS=${INPUTS:-1000000}
SEED=${SEED:-1}
OUT=${OUT:-artifacts/fuzz}
rm -rf "$OUT/bin"
mkdir -p "$OUT"
dotnet build benchmarks/CloudCoreLb.Fuzz/CloudCoreLb.Fuzz.csproj -c Release -nologo -clp:ErrorsOnly -o "$OUT/bin"
if [ ! -x "$OUT/tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$OUT/tools" >/dev/null
fi
for assembly in CloudCoreLb.Vrrp CloudCoreLb.HealthCheck CloudCoreLb.Import cloudcore-lb YamlDotNet; do
  "$OUT/tools/sharpfuzz" "$OUT/bin/$assembly.dll"
done
targets=${ONLY:-$(dotnet "$OUT/bin/CloudCoreLb.Fuzz.dll" list)}
status=0
for target in $targets; do
  # One process per target: the edge count is per process.
  nice -n 10 dotnet "$OUT/bin/CloudCoreLb.Fuzz.dll" run "$target" --inputs "$INPUTS" --seed "$SEED" --crashes "$OUT/crashes" 2>/dev/null \
    | tee -a "$OUT/report.txt" || status=1
done
exit $status
