#!/usr/bin/env bash
# The family's data export (152-ФЗ, ст. 14) at the end of a school year, against the real release
# server on SQLite: the demo school generated to 25 May (the demo parent has two children with
# ~470 and ~420 marks, ~600 and ~500 homework lines), then `GET /api/v1/me/export` (JSON) and
# `GET /api/v1/me/export.pdf` five times each with curl, one at a time. Budget: < 1 s each.
# Baseline in the same run: `/healthz` with wrk (1 thread, 1 connection, 5 s).
#
#   bench/export.sh            # builds release if needed
#   SMOKE=1 bench/export.sh    # one request of each (CI's smoke mode)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
cargo build --release --quiet -p tabel
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18093}"
today=2027-05-25
"$bin" demo --db "sqlite://$work/tabel.db" --today "$today" >/dev/null
TABEL_LOG=warn "$bin" serve --db "sqlite://$work/tabel.db" --listen "127.0.0.1:$port" --today "$today" >/dev/null &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
token=$(curl -fs -H 'content-type: application/json' -d '{"login":"parent","password":"demo"}' \
    "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
runs=5
if [ -n "${SMOKE:-}" ]; then runs=1; fi
if [ -z "${SMOKE:-}" ] && command -v wrk >/dev/null; then
    echo "== baseline: /healthz, wrk 1 thread, 1 connection, 5 s"
    wrk -t1 -c1 -d5s "$base/healthz" | grep -E "Requests/sec|Latency"
fi
for path in /api/v1/me/export /api/v1/me/export.pdf; do
    echo "== $path"
    for _ in $(seq $runs); do
        curl -fs -o "$work/out" -w '%{time_total} s, %{size_download} bytes, HTTP %{http_code}\n' \
            -H "Authorization: Bearer $token" "$base$path"
    done
done
if command -v pdfinfo >/dev/null; then pdfinfo "$work/out" 2>/dev/null | grep Pages; fi
