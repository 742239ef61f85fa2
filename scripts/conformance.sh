#!/usr/bin/env bash
# Runs the official conformance suite against a freshly started server and fails unless it reports
# exactly 338 passed and 0 failed.
# Usage: scripts/conformance.sh <label> [--nodes N] [server flags...]
# With --nodes N (N > 1; a shared backend such as PostgreSQL) it starts N servers with the same flags behind a
# round-robin proxy (scripts/proxy.sh), so consecutive requests go to different nodes.
# DS_CONFORMANCE_SUBSCRIPTIONS=off skips the 6 subscription tests and then expects 332 passed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
label="$1"; shift
nodes=1
if [[ "${1:-}" == "--nodes" ]]; then nodes="$2"; shift 2; fi
expected_passed=338
[[ "${DS_CONFORMANCE_SUBSCRIPTIONS:-on}" == off ]] && expected_passed=332
logdir="$root/ds-server/target/conformance"
mkdir -p "$logdir"
log="$logdir/$label-server.log"
report="$logdir/$label-report.json"

pids=()
proxy=""
cleanup() {
  [[ -n "$proxy" ]] && "$root/scripts/proxy.sh" stop "$proxy"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

upstreams=()
for n in $(seq 1 "$nodes"); do
  nlog="$log"; [[ "$nodes" -gt 1 ]] && nlog="$logdir/$label-node$n-server.log"
  java -jar "$root/ds-server/target/ds-server.jar" --port 0 --long-poll-timeout 500ms "$@" >"$nlog" 2>&1 &
  pids+=($!)
  url="$(wait_for_url "$nlog" "${pids[-1]}")" || { echo "server did not start:"; cat "$nlog"; exit 1; }
  base="${url%/v1/stream/}"
  upstreams+=("${base#http://}")
done
if [[ "$nodes" -gt 1 ]]; then
  proxy="$(mktemp -d)"
  base="$("$root/scripts/proxy.sh" start "$proxy" "${upstreams[@]}")"
fi

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
