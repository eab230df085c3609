#!/usr/bin/env bash
# The soak (issue 17): the release server on SQLite with the demo school, 64 clients of mixed
# traffic for 10 minutes (`crates/tabel/examples/soak.rs`: diary reads — the week's API and page,
# a child's marks —, mark writes and deletes, a login and logout every 3 s, a pupil's PDF extract
# every 2 s, the school's workbook re-imported every 15 s), the server's resident memory sampled
# every 10 s; then every acknowledged mark checked in the journal and `tabel audit verify` run on
# the database. The load generator shares the machine's 2 cores with the server.
#   bench/soak.sh [clients] [seconds]          (DB=postgres://… to soak PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
clients="${1:-64}"
seconds="${2:-600}"
cargo build --release --quiet -p tabel
cargo build --release --quiet -p tabel --example soak
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18086}"
base="http://127.0.0.1:$port"
db="${DB:-sqlite://$work/tabel.db}"
TABEL_LOG=warn "$bin" demo --db "$db" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$bin" serve --db "$db" --listen "127.0.0.1:$port" --today 2026-11-28 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
echo "baseline: /healthz, wrk 1 thread 1 connection 5 s: $(wrk -t1 -c1 -d5s "$base/healthz" | grep Requests/sec)"
status=0
"$CARGO_TARGET_DIR/release/examples/soak" "$base" "$clients" "$seconds" "$pid" || status=$?
echo "server log lines at WARN or above: $(grep -c . "$work/server.log" || true)"
kill "$pid"; wait "$pid" 2>/dev/null || true
echo "== tabel audit verify"
TABEL_LOG=warn "$bin" audit verify --db "$db" || status=$?
exit "$status"
