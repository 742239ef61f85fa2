# Shared by the scripts that start a server which logs "serving Durable Streams on <url>" (ds-server and
# bench/node-ref/serve.mjs alike). Source it; it defines functions only.

# wait_for_url LOG PID [TENTHS]: prints the server's stream base URL once it appears in LOG; fails if the process
# exits first or after TENTHS tenths of a second (default 300).
wait_for_url() {
  local log="$1" pid="$2" tries="${3:-300}" url
  for _ in $(seq 1 "$tries"); do
    url="$(grep -o 'serving Durable Streams on https\?://[0-9.:]*/v1/stream/' "$log" 2>/dev/null | head -1 \
      | sed 's/.* on //')" || true
    if [[ -n "$url" ]]; then echo "$url"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
