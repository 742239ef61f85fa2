#!/usr/bin/env bash
# A round-robin HTTP proxy (Debian's nginx, installed with apt-get when missing) in front of several ds-server
# nodes, for tests: every request goes to the next node. Buffering is off, so SSE and long-polls pass through live.
#   scripts/proxy.sh start DIR HOST:PORT...   starts it on a free loopback port and prints its base URL
#   scripts/proxy.sh stop DIR                 stops it and removes DIR
set -euo pipefail
cmd="${1:?usage: proxy.sh start DIR HOST:PORT... | stop DIR}"; dir="${2:?usage: proxy.sh start|stop DIR}"
shift 2

case "$cmd" in
  start)
    if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
      echo "installing nginx (apt-get)..." >&2
      export DEBIAN_FRONTEND=noninteractive
      { apt-get update -qq && apt-get install -y -qq nginx-light; } >/dev/null 2>&1 \
        || { echo "could not install nginx with apt-get" >&2; exit 1; }
    fi
    nginx="$(command -v nginx || echo /usr/sbin/nginx)"
    mkdir -p "$dir"
    servers=""
    # max_fails=0: every request goes to the next node, also to one that just failed (nginx would otherwise skip it
    # for 10 s), so a restarted node gets its share of the traffic again at once and no failure is routed around.
    for node in "$@"; do servers+="    server $node max_fails=0;"$'\n'; done
    # Idle connections to the nodes are kept for reuse, as in any real deployment: without them every request
    # costs a node a new connection.
    servers+="    keepalive 64;"$'\n'
    for attempt in 1 2 3 4 5; do
      port=$(( 20000 + RANDOM % 20000 ))
      cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream nodes {
$servers  }
  server {
    listen 127.0.0.1:$port;
    # nginx ends a client connection after 1000 requests by default; load generators and producers keep theirs.
    keepalive_requests 1000000;
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
      proxy_next_upstream off;
      client_max_body_size 0;
    }
  }
}
CONF
      if "$nginx" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/start.log"; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
    done
    echo "nginx did not start:" >&2; cat "$dir/start.log" "$dir/error.log" >&2 2>/dev/null; exit 1
    ;;
  stop)
    if [[ -f "$dir/nginx.pid" ]]; then
      pid="$(cat "$dir/nginx.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: proxy.sh start|stop DIR" >&2; exit 2 ;;
esac
