#!/usr/bin/env bash
# Benchmarks ds-server (memory and rocksdb) against the Node reference server (@durable-streams/server, pinned in
# bench/node-ref, in memory and file-backed), then writes docs/BENCHMARKS.md and docs/benchmarks.png.
#
# Usage: scripts/bench.sh [--quick]
#   --quick or BENCH_QUICK=1   about 3.5 minutes (1 s runs, one repetition, fewer readers and streams)
#   BENCH_REPS=N               repetitions per scenario and target (default 3, quick 1); medians are reported
#   BENCH_STREAMS_REPS, BENCH_DURABLE_REPS   repetitions of the many-streams and durable runs (default 1)
#   BENCH_WARM=S               unmeasured seconds before each append run (default 4, quick 2)
# Full run: about 12-13 minutes on 2 cores (estimated from the quick run's parts; the report prints the time taken). If it runs
# over on a busier machine, BENCH_REPS=2 cuts it by about a third.
#   BENCH_TARGETS="..."        subset of: ours-memory ours-rocksdb node-memory node-file ours-postgres ours-postgres-2
#                              (postgres targets: one node, and two nodes behind scripts/proxy.sh, on a PostgreSQL
#                              started by scripts/pg.sh; each server run gets a fresh schema. On ours-postgres-2
#                              appends and catch-up go through the proxy; the live scenarios read from node A and
#                              write to node B, so every delivery crosses nodes)
#   BENCH_SCENARIOS="..."      subset of: append catchup fanout roundtrip streams idle (default all; the durable,
#                              generator and recovery runs need ours-rocksdb / ours-memory among the targets)
#   BENCH_FAN_SSE=N            SSE readers of the fan-out (default 2000, quick 500)
#   BENCH_OUT=FILE             the report to write (default docs/BENCHMARKS.md; its chart next to it as .png)
#   BENCH_SERVER_JAVA_OPTS     JVM options of ds-server (default -Xmx1g)
#   BENCH_NOTE="..."           a remark printed in the report (e.g. what else ran on the machine)
#   BENCH_RESULTS=DIR          keep the JSON results there (default: a temporary directory, kept, path printed)
#
# Every scenario runs against every target in turn (the order rotates with each repetition), each time on a fresh
# server process with a fresh data directory. The load generator (bin/ds-bench) shares the machine with the server,
# so the ratios between servers are the result, not the absolute numbers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib.sh

QUICK="${BENCH_QUICK:-0}"
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done
# DUR: measured seconds of each append run; WARM: seconds of the same load first, unmeasured; LWARM: the same for the
# live scenarios. A fresh JVM server needs ~10 s of load before its JIT reaches steady state (measured here: 9k
# appends/s in the first second, 30-58k after 12 s), so short runs on fresh processes would measure the JIT.
# Every target gets the same warm-up.
if [[ "$QUICK" == 1 ]]; then
  REPS="${BENCH_REPS:-1}"; DUR=1; WARM="${BENCH_WARM:-2}"; LWARM=1; LP_REPS=1; GEN_REPS=1; CATCHUP_MIB=32; CATCHUP_READS=1
  FAN_SSE=500; FAN_LP=100; FAN_DUR=1; RT_N=100; IDLE=2000; STREAMS_LIST="100 1000"; STREAMS_REPS=1
  DURABLE_REPS=1; RECOVERY_STREAMS=10000; CMD="scripts/bench.sh --quick"
else
  REPS="${BENCH_REPS:-3}"; DUR=3; WARM="${BENCH_WARM:-4}"; LWARM=2; CATCHUP_MIB=256; CATCHUP_READS=1
  FAN_SSE=2000; FAN_LP=500; FAN_DUR=3; RT_N=200; IDLE=10000; STREAMS_LIST="100 10000 100000"
  STREAMS_REPS="${BENCH_STREAMS_REPS:-1}"; DURABLE_REPS="${BENCH_DURABLE_REPS:-1}"; RECOVERY_STREAMS=100000
  LP_REPS=$(( REPS < 2 ? REPS : 2 )); GEN_REPS=2
  CMD="scripts/bench.sh"
fi
TARGETS=(${BENCH_TARGETS:-ours-memory ours-rocksdb node-memory node-file})
SERVER_JAVA_OPTS="${BENCH_SERVER_JAVA_OPTS:--Xmx1g}"
OUT="${BENCH_OUT:-docs/BENCHMARKS.md}"
SCENARIOS=" ${BENCH_SCENARIOS:-append catchup fanout roundtrip streams idle} "
FAN_SSE="${BENCH_FAN_SSE:-$FAN_SSE}"
want() { [[ "$SCENARIOS" == *" $1 "* ]]; }
GEN_JAVA_OPTS="${BENCH_GEN_JAVA_OPTS:--Xmx2g}"

work="$(mktemp -d /tmp/ds-bench.XXXXXX)"
# Directly under /tmp: as root, PostgreSQL runs as the postgres user, who cannot enter the private $work.
PG_DIR="/tmp/ds-bench-pg-$$"; PG_URL=""; PROXY_DIR=""
results="${BENCH_RESULTS:-$work/results}"
mkdir -p "$results" "$work/logs" "$work/data"
started=$(date +%s)

# On exit, kill the servers this script started that still run: its own background jobs, by pid (jobs -p lists
# only this shell's children, so a recycled pid of someone else's process is never hit).
cleanup() {
  local p
  if [[ -n "$PROXY_DIR" ]]; then scripts/proxy.sh stop "$PROXY_DIR" 2>/dev/null || true; fi
  for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
  if [[ -n "$PG_URL" ]]; then scripts/pg.sh stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf "$work/data" "$work/ds-server.jar" "$work/ds-bench.jar"
}
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== build"
mvn -q -B -DskipTests package
echo "== Node reference server (bench/node-ref, npm ci)"
(cd bench/node-ref && npm ci --no-audit --no-fund --loglevel=error)
# Run from a copy of the jar: a rebuild during the run must not pull classes from under running JVMs.
cp ds-server/target/ds-server.jar "$work/ds-server.jar"
cp ds-bench/target/ds-bench.jar "$work/ds-bench.jar"
JAR="$work/ds-server.jar"
NODE_VERSION="$(node -v)"
JAVA_VERSION="$(java -version 2>&1 | head -1)"

BENCH=(java $GEN_JAVA_OPTS -Djava.awt.headless=true -jar "$work/ds-bench.jar")
SEQ=0

# start_pg: PostgreSQL for the postgres targets, started on first use (stopped on exit)
start_pg() {
  [[ -n "$PG_URL" ]] && return 0
  PG_URL="$(scripts/pg.sh start "$PG_DIR" | tail -1)"
}

# start_server TARGET DATADIR -> sets SERVER_PID, SERVER_URL, SERVER_LOG, and READ_URL / WRITE_URL for the live
# scenarios (node A / node B on ours-postgres-2; the server's URL elsewhere)
start_server() {
  local target="$1" dir="$2"
  SEQ=$((SEQ + 1))
  SERVER_LOG="$work/logs/$(printf %03d $SEQ)-$target.log"
  NODE_B_PID=""
  case "$target" in
    ours-postgres|ours-postgres-2)
      start_pg
      java $SERVER_JAVA_OPTS -jar "$JAR" --port 0 --storage "$PG_URL" --pg-schema "bench_$SEQ" \
        --sse-max-duration 300s >"$SERVER_LOG" 2>&1 &
      SERVER_PID=$!
      SERVER_URL="$(wait_for_url "$SERVER_LOG" "$SERVER_PID" 600)" || { cat "$SERVER_LOG" >&2; exit 1; }
      READ_URL="$SERVER_URL"; WRITE_URL="$SERVER_URL"
      [[ "$target" == ours-postgres ]] && return 0
      java $SERVER_JAVA_OPTS -jar "$JAR" --port 0 --storage "$PG_URL" --pg-schema "bench_$SEQ" \
        --sse-max-duration 300s >"$SERVER_LOG.b" 2>&1 &
      NODE_B_PID=$!
      WRITE_URL="$(wait_for_url "$SERVER_LOG.b" "$NODE_B_PID" 600)" || { cat "$SERVER_LOG.b" >&2; exit 1; }
      PROXY_DIR="$work/proxy"
      local a="${READ_URL#http://}" b="${WRITE_URL#http://}"
      SERVER_URL="$(scripts/proxy.sh start "$PROXY_DIR" "${a%%/*}" "${b%%/*}")/v1/stream/"
      return 0 ;;
  esac
  case "$target" in
    ours-memory)  java $SERVER_JAVA_OPTS -jar "$JAR" --port 0 --storage memory \
                    --sse-max-duration 300s >"$SERVER_LOG" 2>&1 & ;;
    ours-rocksdb) java $SERVER_JAVA_OPTS -jar "$JAR" --port 0 --storage rocksdb --durability sync \
                    --data-dir "$dir" --sse-max-duration 300s >"$SERVER_LOG" 2>&1 & ;;
    node-memory)  node bench/node-ref/serve.mjs >"$SERVER_LOG" 2>&1 & ;;
    node-file)    node bench/node-ref/serve.mjs --data-dir "$dir" >"$SERVER_LOG" 2>&1 & ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
  SERVER_URL="$(wait_for_url "$SERVER_LOG" "$SERVER_PID" 600)" && { READ_URL="$SERVER_URL"; WRITE_URL="$SERVER_URL"; return 0; }
  echo "server $target did not start; log:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
}

stop_server() {
  local p
  if [[ -n "$PROXY_DIR" ]]; then scripts/proxy.sh stop "$PROXY_DIR"; PROXY_DIR=""; fi
  for p in $SERVER_PID $NODE_B_PID; do
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}

# run LABEL "TARGETS..." REPS -- ds-bench arguments (@PID@ is replaced by the server's pid, @WRITE_URL@ by the URL
# the writer of a live scenario uses). With LIVE=1 the scenario reads from READ_URL instead of SERVER_URL.
run() {
  local label="$1" targets="$2" reps="$3"; shift 4
  local -a tl=($targets)
  local n=${#tl[@]}
  for rep in $(seq 1 "$reps"); do
    for i in $(seq 0 $((n - 1))); do
      local target="${tl[$(( (i + rep - 1) % n ))]}"
      local dir="$work/data/$label-$target-$rep"
      rm -rf "$dir"
      start_server "$target" "$dir"
      local -a args=()
      local url="$SERVER_URL"
      [[ "${LIVE:-0}" == 1 ]] && url="$READ_URL"
      for a in "$@"; do a="${a//@PID@/$SERVER_PID}"; args+=("${a//@WRITE_URL@/$WRITE_URL}"); done
      echo "-- $label  $target  rep $rep"
      timeout 600 "${BENCH[@]}" "${args[@]}" --url "$url" --server-pid "$SERVER_PID" --label "$label" --target "$target" --rep "$rep" \
        --out "$results/$(printf %03d $SEQ)-$label-$target-$rep.json" 2> >(grep -v '^\s*at ' | head -20 >&2) \
        || echo "   ($label on $target exited with an error; see the result or the log $SERVER_LOG)"
      stop_server
      rm -rf "$dir"
    done
  done
}

ALL="${TARGETS[*]}"
OURS_AND_NODE_MEM=""
for t in "${TARGETS[@]}"; do [[ "$t" != node-file ]] && OURS_AND_NODE_MEM+="$t "; done

if want append; then
echo "== 1. small appends  (at $(( $(date +%s) - started )) s)"
run append-c32-s8-b100 "$ALL" "$REPS" -- append -c 32 -s 8 -b 100 -d "$DUR" -w "$WARM"
run append-producer-c32-s8-b100 "$ALL" "$REPS" -- append -c 32 -s 8 -b 100 -d "$DUR" -w "$WARM" --producer
fi
if want catchup; then
echo "== 2. catch-up read  (at $(( $(date +%s) - started )) s)"
run catchup "$ALL" "$REPS" -- catchup --size "$CATCHUP_MIB" --reads "$CATCHUP_READS"
fi
if want fanout; then
echo "== 3. live fan-out  (at $(( $(date +%s) - started )) s)"
LIVE=1 run fanout-sse "$ALL" "$REPS" -- fanout --mode sse -r "$FAN_SSE" --rate 100 -d "$FAN_DUR" -w "$LWARM" --drain 8 \
  --write-url @WRITE_URL@
LIVE=1 run fanout-longpoll "$ALL" "$LP_REPS" -- fanout --mode longpoll -r "$FAN_LP" --rate 100 -d "$FAN_DUR" -w "$LWARM" \
  --drain 8 --write-url @WRITE_URL@
fi
if want roundtrip; then
echo "== 4. round trip  (at $(( $(date +%s) - started )) s)"
LIVE=1 run roundtrip "$ALL" "$REPS" -- roundtrip -n "$RT_N" -w "$LWARM" --write-url @WRITE_URL@
fi
if want streams; then
echo "== 5. many streams  (at $(( $(date +%s) - started )) s)"
for s in $STREAMS_LIST; do
  # The file-backed Node server keeps a file per stream; 100,000 of them take minutes to create.
  targets="$ALL"; [[ "$s" -ge 100000 ]] && targets="$OURS_AND_NODE_MEM"
  # creating the streams warms the server up too, so a shorter warm-up here
  run "streams-$s" "$targets" "$STREAMS_REPS" -- append -c 32 -s "$s" -b 100 -d "$DUR" -w "$LWARM"
done
fi
if want idle; then
echo "== 6. idle connections  (at $(( $(date +%s) - started )) s)"
run idle-sse "$ALL" 1 -- idle -r "$IDLE" --settle 2
fi

if [[ " ${TARGETS[*]} " == *" ours-rocksdb "* ]]; then
  echo "== durable storage (ours-rocksdb, sync)  (at $(( $(date +%s) - started )) s)"
  for c in 1 32 128; do
    run "durable-c$c" ours-rocksdb "$DURABLE_REPS" -- append -c "$c" -s 8 -b 100 -d "$DUR" -w "$WARM"
  done

  echo "-- disk bytes per byte appended"
  dir="$work/data/disk"
  start_server ours-rocksdb "$dir"
  "${BENCH[@]}" append -c 32 -s 8 -b 100 -d "$DUR" -w "$WARM" --url "$SERVER_URL" --label disk-run \
    --target ours-rocksdb --out "$work/disk-run.json" >/dev/null
  live=$(du -sb "$dir" | cut -f1)
  stop_server
  closed=$(du -sb "$dir" | cut -f1)
  appended=$(grep '"bytes_appended"' "$work/disk-run.json" | grep -o '[0-9.E+]*' | tail -1)
  "${BENCH[@]}" record --scenario disk --label disk --target ours-rocksdb --out "$results/zz-disk.json" \
    --param writes=100B --metric bytes_appended="$appended" --metric disk_bytes_running="$live" \
    --metric disk_bytes_after_stop="$closed" \
    --metric disk_per_byte_running="$(awk -v a="$live" -v b="$appended" 'BEGIN{printf "%.3f", a/b}')" \
    --metric disk_per_byte_after_stop="$(awk -v a="$closed" -v b="$appended" 'BEGIN{printf "%.3f", a/b}')"
  rm -rf "$dir"

  echo "-- recovery after kill -9 with $RECOVERY_STREAMS streams"
  dir="$work/data/recovery"
  start_server ours-rocksdb "$dir"
  "${BENCH[@]}" append -c 32 -s "$RECOVERY_STREAMS" -b 100 -d 1 -w 0 --url "$SERVER_URL" --label recovery-fill \
    --target ours-rocksdb >/dev/null
  kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  t0=$(date +%s%N)
  start_server ours-rocksdb "$dir"
  t1=$(date +%s%N)
  line="$(grep -o 'storage ready: [0-9]* streams recovered in [0-9]* ms' "$SERVER_LOG" | head -1)"
  stop_server
  echo "   $line"
  "${BENCH[@]}" record --scenario recovery --label recovery --target ours-rocksdb --out "$results/zz-recovery.json" \
    --metric streams_recovered="$(echo "$line" | awk '{print $3}')" \
    --metric recovery_ms="$(echo "$line" | awk '{print $7}')" \
    --metric restart_to_serving_ms="$(( (t1 - t0) / 1000000 ))"
  rm -rf "$dir"
fi

if command -v wrk >/dev/null && [[ " ${TARGETS[*]} " == *" ours-memory "* ]]; then
  echo "== generator check: ds-bench and wrk against ours-memory (c32, 1 stream, 100 B)"
  start_server ours-memory ""
  curl -s -o /dev/null -X PUT "${SERVER_URL}wrk" -H 'Content-Type: application/octet-stream'
  # warm the server up first (unrecorded), then alternate wrk and ds-bench on the warm server
  "${BENCH[@]}" append -c 32 -s 1 -b 100 -d 1 -w "$WARM" --url "$SERVER_URL" >/dev/null
  for rep in $(seq 1 "$GEN_REPS"); do
    w=$(wrk -t2 -c32 -d"${DUR}s" -s bench/wrk-append.lua "${SERVER_URL}wrk" | awk '/Requests\/sec/{print $2}')
    "${BENCH[@]}" record --scenario generator --label generator-check --target wrk --rep "$rep" \
      --out "$results/zz-gen-wrk-$rep.json" --metric ops_per_s="$w"
    "${BENCH[@]}" append -c 32 -s 1 -b 100 -d "$DUR" -w "$WARM" --url "$SERVER_URL" --label generator-check \
      --target ds-bench --rep "$rep" --out "$results/zz-gen-dsbench-$rep.json" --server-pid "$SERVER_PID"
  done
  stop_server

  echo "== generator ceiling: ds-bench and wrk against a null server (bin/ds-bench sink)"
  SEQ=$((SEQ + 1)); SERVER_LOG="$work/logs/$(printf %03d $SEQ)-sink.log"
  java -Xmx512m -cp "$JAR" dev.durablestreams.bench.BenchMain sink >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  SERVER_URL=""
  for _ in $(seq 1 100); do
    SERVER_URL="$(grep -o 'http://[0-9.:]*/v1/stream/' "$SERVER_LOG" | head -1)" || true
    [[ -n "$SERVER_URL" ]] && break; sleep 0.1
  done
  "${BENCH[@]}" append -c 32 -s 1 -b 100 -d 1 -w "$WARM" --url "$SERVER_URL" >/dev/null   # warm the sink's JIT
  for rep in $(seq 1 "$GEN_REPS"); do
    w=$(wrk -t2 -c32 -d"${DUR}s" -s bench/wrk-append.lua "${SERVER_URL}x" | awk '/Requests\/sec/{print $2}')
    "${BENCH[@]}" record --scenario generator --label generator-ceiling --target wrk --rep "$rep" \
      --out "$results/zz-ceil-wrk-$rep.json" --metric ops_per_s="$w"
    "${BENCH[@]}" append -c 32 -s 1 -b 100 -d "$DUR" -w "$WARM" --url "$SERVER_URL" --label generator-ceiling \
      --target ds-bench --rep "$rep" --out "$results/zz-ceil-dsbench-$rep.json" --server-pid "$SERVER_PID"
  done
  stop_server
fi

elapsed=$(( $(date +%s) - started ))
echo "== report (results in $results, ${elapsed}s)"
"${BENCH[@]}" report --results "$results" --out "$OUT" --chart "${OUT%.md}.png" \
  --bounds bench/bounds.md ${BENCH_NOTE:+--note "$BENCH_NOTE"} --command "$CMD" --warmup "append runs ${WARM} s, many-streams runs (after creating the streams) and live scenarios ${LWARM} s, catch-up 1 full read" --elapsed "$elapsed" --reps "$REPS" --quick="$([[ $QUICK == 1 ]] && echo true || echo false)" \
  --server-opts "ds-server: java $SERVER_JAVA_OPTS; generator: java $GEN_JAVA_OPTS; $NODE_VERSION; $JAVA_VERSION"
echo "wrote $OUT and ${OUT%.md}.png"
