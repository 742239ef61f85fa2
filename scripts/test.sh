#!/usr/bin/env bash
# The full test command: unit, contract and integration tests (Maven, up to verify: the tarball is started
# from its launcher; the fuzz targets replay their committed corpus), a bounded coverage-guided fuzzing run of the
# protocol rules and the HTTP request path (45 s each), a seconds-long smoke run of the load
# generator against the memory backend, then the official conformance
# suite against the memory backend, the rocksdb backend, the rocksdb backend restarted on the same data, the
# rocksdb backend over HTTPS (a throw-away self-signed certificate the Node client is told to trust), one node on
# PostgreSQL (a throw-away server started by scripts/pg.sh; the JUnit PostgreSQL tests start their own), and two
# nodes on PostgreSQL behind a round-robin proxy (scripts/proxy.sh: every request goes to the other node).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== build, JUnit tests, distribution tarball and its test (DistributionIT)"
mvn -B -q verify
# Surefire keeps test output in files (quiet on success); the crash tests' figures are worth seeing.
echo "== crash test figures"
grep -hE '^[A-Za-z0-9 -]*(crash|restart) test: ' ds-server/target/surefire-reports/*-output.txt | grep -v ': seed ' \
  || { echo "no crash test figures in ds-server/target/surefire-reports"; exit 1; }

echo "== fuzzing (Jazzer, 45 s per target; fails on any finding)"
scripts/fuzz.sh 45

echo "== load generator smoke run (bin/ds-bench smoke: harness works; no timing thresholds)"
scripts/bench-smoke.sh

echo "== conformance suite dependencies"
(cd conformance && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d)"
pg="$(mktemp -u /tmp/ds-pg.XXXXXX)"
trap 'rm -rf "$data"; scripts/pg.sh stop "$pg"' EXIT
scripts/conformance.sh memory --storage memory
scripts/conformance.sh rocksdb --storage rocksdb --data-dir "$data/db"
scripts/conformance.sh rocksdb-restarted --storage rocksdb --data-dir "$data/db"
scripts/self-signed-cert.sh "$data/tls"
NODE_EXTRA_CA_CERTS="$data/tls/cert.pem" scripts/conformance.sh rocksdb-https --storage rocksdb \
  --data-dir "$data/db-https" --tls-cert "$data/tls/cert.pem" --tls-key "$data/tls/key.pem"
pg_url="$(scripts/pg.sh start "$pg")"
scripts/conformance.sh postgresql --storage "$pg_url"
# Subscriptions included: one node leads them, the other forwards subscription requests to it.
scripts/conformance.sh postgresql-2-nodes --nodes 2 --storage "$pg_url" --pg-schema two_nodes

echo "== all tests passed"
