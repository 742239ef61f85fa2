#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on loopback and a free port, in a temporary directory.
#   scripts/pg.sh start DIR   installs Debian's postgresql package when its server is missing (apt-get), creates a
#                             cluster in DIR, starts it and prints the connection URL (postgresql://ds:ds@127.0.0.1:PORT/ds)
#   scripts/pg.sh stop DIR    stops it (fast shutdown) and removes DIR
#   scripts/pg.sh down DIR [fast|immediate]
#                             stops the server but keeps DIR (its data and port) for `up`; immediate (the default)
#                             stops it like a crash: no checkpoint, WAL replayed at the next start
#   scripts/pg.sh up DIR      starts a server stopped by `down` again, on the same data and port
# PostgreSQL refuses to run as root: as root, the server runs as the unprivileged `postgres` user that the package
# creates; otherwise as the current user.
set -euo pipefail
usage="usage: pg.sh start|stop|down|up DIR"
cmd="${1:?$usage}"; dir="${2:?$usage}"

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() { # BIN PORT
  as_owner "$1/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $2 -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" \
    start >/dev/null 2>&1
}

case "$cmd" in
  start)
    bin="$(pg_bin || true)"
    if [[ -z "$bin" ]]; then
      echo "installing PostgreSQL (apt-get)..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq postgresql >/dev/null 2>&1 \
        || { echo "could not install postgresql with apt-get" >&2; exit 1; }
      bin="$(pg_bin)"
    fi
    mkdir -p "$dir"
    if [[ "$(id -u)" == 0 ]]; then
      chown postgres "$dir"
      runuser -u postgres -- test -x "$dir" \
        || { echo "pg.sh: user postgres cannot reach $dir (use a directory under /tmp)" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(( 20000 + RANDOM % 20000 ))
      if start_server "$bin" "$port"; then
        echo "$port" >"$dir/port"
        as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
          -c "CREATE USER ds PASSWORD 'ds'" -c "CREATE DATABASE ds OWNER ds" >/dev/null
        echo "postgresql://ds:ds@127.0.0.1:$port/ds"
        exit 0
      fi
    done
    echo "PostgreSQL did not start; log:" >&2; cat "$dir/server.log" >&2; exit 1
    ;;
  stop)
    bin="$(pg_bin || true)"
    [[ -n "$bin" && -d "$dir/data" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  down)
    mode="${3:-immediate}"
    [[ "$mode" == fast || "$mode" == immediate ]] || { echo "pg.sh down: mode must be fast or immediate" >&2; exit 2; }
    [[ -f "$dir/port" ]] || { echo "pg.sh down: no server started in $dir" >&2; exit 1; }
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null \
      || { echo "pg.sh down: pg_ctl stop failed" >&2; exit 1; }
    ;;
  up)
    [[ -f "$dir/port" ]] || { echo "pg.sh up: no server started in $dir" >&2; exit 1; }
    start_server "$(pg_bin)" "$(cat "$dir/port")" \
      || { echo "PostgreSQL did not start again; log:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
