#!/usr/bin/env bash
# Writes a throw-away self-signed certificate for localhost and 127.0.0.1 (EC P-256, valid 2 days) as DIR/cert.pem
# and its PKCS#8 key as DIR/key.pem, for testing the server over HTTPS. Needs openssl (installed with apt-get when
# missing).
# Usage: scripts/self-signed-cert.sh DIR
set -euo pipefail
dir="$1"
if ! command -v openssl >/dev/null; then
  echo "installing openssl (apt-get)..." >&2
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; } \
    >/dev/null 2>&1 || { echo "openssl is needed to make a test certificate" >&2; exit 1; }
fi
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
# OpenSSL 1.x writes traditional EC keys; the server reads PKCS#8.
if ! grep -q 'BEGIN PRIVATE KEY' "$dir/key.pem"; then
  openssl pkcs8 -topk8 -nocrypt -in "$dir/key.pem" -out "$dir/key.pk8.pem"
  mv "$dir/key.pk8.pem" "$dir/key.pem"
fi
