#!/usr/bin/env bash
# Bounded coverage-guided fuzzing (Jazzer) of the pure protocol rules (ProtocolFuzzTest) and of the whole HTTP request
# path of an in-process server (HttpFuzzTest). Each target starts from its committed corpus
# (ds-server/src/test/resources/dev/durablestreams/**/<Target>Inputs/) and fails on the first finding: an exception or
# a broken property, a 500, a hang, responses out of order. New interesting inputs go to ds-server/.cifuzz-corpus/
# (not committed; copy them into the Inputs directory to keep them). Needs the test classes: run after `mvn package`.
# Usage: scripts/fuzz.sh [seconds per target, default 45]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-45}"
logdir="$root/ds-server/target/fuzz"
mkdir -p "$logdir"
for target in ProtocolFuzzTest HttpFuzzTest; do
  log="$logdir/$target.log"
  if ! JAZZER_FUZZ=1 mvn -q -B -pl ds-server surefire:test -Dtest="$target" -Djazzer.max_duration="${seconds}s" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    echo "fuzz [$target]: FAILED; the finding (its input is saved under ds-server/src/test/resources):"
    grep -v '^INFO: \(Loaded\|Instrumented\)' "$log" | grep -A40 -m1 'FuzzTestFindingException\|ERROR\]' | head -80
    exit 1
  fi
  runs="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)"
  echo "fuzz [$target]: ${runs:-no summary}; no findings"
done
