#!/usr/bin/env bash
# Runs the training-heavy tests N times in a row (default 5) and reports every test that failed in any run, with how
# often: a test that passes once and fails once is a defect to find, not bad luck. Not part of the default test run.
#   bash tests/stress.sh [N] [dotnet test filter]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
filter=${2:-"FullyQualifiedName~AutoencoderDsl.Tests.Models|FullyQualifiedName~AutoencoderDsl.Tests.Training|FullyQualifiedName~AutoencoderDsl.Tests.Interop|FullyQualifiedName~AutoencoderDsl.Tests.Determinism|FullyQualifiedName~AutoencoderDsl.Tests.Evaluation|FullyQualifiedName~AutoencoderDsl.Tests.Parts"}
log=$(mktemp -d)
dotnet build tests/AutoencoderDsl.Tests -v quiet >"$log/build.log" 2>&1 || { cat "$log/build.log"; exit 1; }
for run in $(seq 1 "$runs"); do
  dotnet test tests/AutoencoderDsl.Tests --no-build --filter "$filter" >"$log/run$run.log" 2>&1
  summary=$(grep -E '^(Passed|Failed)! ' "$log/run$run.log" | tail -1)
  echo "run $run of $runs: ${summary:-no summary (see $log/run$run.log)}"
done
failures=$(grep -h -E '^\s+Failed [A-Za-z]' "$log"/run*.log | sed -E 's/^\s+Failed ([^ ]+).*/\1/' | sort | uniq -c | sort -rn)
if [ -n "$failures" ]; then
  echo "flaky or failing tests (runs failed, of $runs):"
  echo "$failures"
  echo "logs: $log"
  exit 1
fi
echo "no test failed in $runs runs"
