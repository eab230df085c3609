#!/usr/bin/env bash
# Load scenario for GET /api/v1/lessons (a class week) against the release server on SQLite with
# the demo school (its timetable and changes). Same tool and settings as bench/load-me.sh: wrk,
# 1 thread, 32 connections, 10 s warm-up, 30 s measured; the demo parent's token asks for the
# week of 23–29 Nov 2026 of the first child's class (the heaviest reader: consent and
# membership checks on every request). Throughput is measured with 32 connections; the latency
# of a single request (the p50 budget) with one connection, since at 32 connections the queue
# itself makes the latency (32 / throughput).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p tabel
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18082}"
base="http://127.0.0.1:$port"
TABEL_LOG=warn "$bin" demo --db "sqlite://$work/tabel.db" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$bin" serve --db "sqlite://$work/tabel.db" --listen "127.0.0.1:$port" --today 2026-11-28 >/dev/null &
pid=$!
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -H 'content-type: application/json' -d '{"login":"parent","password":"demo"}' "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
child=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["id"])')
class=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/students/$child" \
    | python3 -c 'import json,sys; print([g["id"] for g in json.load(sys.stdin)["groups"] if g["kind"]=="class"][0])')
url="$base/api/v1/lessons?class=$class&from=2026-11-23&to=2026-11-29"
echo "lessons in the week: $(curl -fs -H "Authorization: Bearer $token" "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
wrk -t1 -c32 -d10s -H "Authorization: Bearer $token" "$url" >/dev/null
echo "== throughput: 32 connections"
wrk -t1 -c32 -d30s --latency -H "Authorization: Bearer $token" "$url"
echo "== latency of one request at a time: 1 connection"
wrk -t1 -c1 -d15s --latency -H "Authorization: Bearer $token" "$url"
