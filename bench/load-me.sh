#!/usr/bin/env bash
# Load scenario for GET /api/v1/me against the real release server on SQLite with the demo school.
# The load generator (wrk) shares the machine's cores with the server; the settings are fixed so
# that runs compare: 1 wrk thread, 32 connections, 10 s warm-up then 30 s measured, parent token.
# Also reports the server's idle resident memory (VmRSS) after start-up and after the load.
#
#   bench/load-me.sh            # builds release if needed
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p tabel
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18080}"
"$bin" demo --db "sqlite://$work/tabel.db" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$bin" serve --db "sqlite://$work/tabel.db" --listen "127.0.0.1:$port" --today 2026-11-28 >/dev/null &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
sleep 1
echo "idle RSS after start: $(grep VmRSS /proc/$pid/status | awk '{print $2/1024 " MiB"}')"
token=$(curl -fs -H 'content-type: application/json' -d '{"login":"parent","password":"demo"}' \
    "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
wrk -t1 -c32 -d10s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me" >/dev/null
wrk -t1 -c32 -d30s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me"
sleep 2
echo "RSS after load: $(grep VmRSS /proc/$pid/status | awk '{print $2/1024 " MiB"}')"
