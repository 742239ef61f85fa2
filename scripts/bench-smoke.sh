#!/usr/bin/env bash
# A seconds-long run of every load-generator scenario (bin/ds-bench smoke) against a memory server on a free port.
# It checks only that the harness works: operations counted, every live reader got every message once, in order.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib.sh
jar=ds-server/target/ds-server.jar
bench_jar=ds-bench/target/ds-bench.jar
[[ -f "$jar" && -f "$bench_jar" ]] || mvn -q -B -DskipTests package
log="$(mktemp)"
java -Xmx512m -jar "$jar" --port 0 --storage memory >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
url="$(wait_for_url "$log" "$pid")" || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }
timeout 120 java -Xmx1g -jar "$bench_jar" smoke --url "$url" --server-pid "$pid"
