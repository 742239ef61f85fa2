-- wrk script for scripts/bench.sh: POST 100-byte appends to the stream given as the URL path.
wrk.method = "POST"
wrk.body = string.rep("a", tonumber(os.getenv("BENCH_BYTES") or "100"))
wrk.headers["Content-Type"] = "application/octet-stream"
