#!/usr/bin/env bash
# Runs the official conformance suite against a freshly started server and fails unless it reports
# exactly 332 passed and 0 failed.
# Usage: scripts/conformance.sh <label> [server flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
label="$1"; shift
expected_passed=332
logdir="$root/target/conformance"
mkdir -p "$logdir"
log="$logdir/$label-server.log"
report="$logdir/$label-report.json"

java -jar "$root/target/ds-server.jar" --port 0 --long-poll-timeout 500ms "$@" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's#.*serving Durable Streams on http://[^:]*:\([0-9]*\)/.*#\1#p' "$log" | head -n 1)"
  [[ -n "$port" ]] && break
  kill -0 $pid 2>/dev/null || { echo "server exited during start-up:"; cat "$log"; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "server did not start:"; cat "$log"; exit 1; }

echo "== conformance [$label] against http://127.0.0.1:$port"
set +e
(cd "$root/conformance" && DS_BASE_URL="http://127.0.0.1:$port" npx vitest run --reporter=dot \
  --reporter=json --outputFile="$report" >"$logdir/$label-vitest.log" 2>&1)
set -e
node -e '
const r = require(process.argv[1]);
const [label, expected] = [process.argv[2], Number(process.argv[3])];
console.log(`conformance [${label}]: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
for (const f of r.testResults) for (const a of f.assertionResults)
  if (a.status === "failed") console.log("  FAILED: " + a.fullName);
process.exit(r.numPassedTests === expected && r.numFailedTests === 0 ? 0 : 1);
' "$report" "$label" "$expected_passed"
