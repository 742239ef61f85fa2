#!/usr/bin/env bash
# Runs the official conformance suite against a freshly started server and fails unless it reports
# exactly 338 passed and 0 failed.
# Usage: scripts/conformance.sh <label> [server flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
label="$1"; shift
expected_passed=338
logdir="$root/ds-server/target/conformance"
mkdir -p "$logdir"
log="$logdir/$label-server.log"
report="$logdir/$label-report.json"

java -jar "$root/ds-server/target/ds-server.jar" --port 0 --long-poll-timeout 500ms "$@" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

url="$(wait_for_url "$log" "$pid")" || { echo "server did not start:"; cat "$log"; exit 1; }
base="${url%/v1/stream/}"

echo "== conformance [$label] against $base"
set +e
(cd "$root/conformance" && DS_BASE_URL="$base" npx vitest run --reporter=dot \
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
