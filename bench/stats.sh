#!/usr/bin/env bash
# Timing of the statistics (issue 6 point 5): all four reports (results, curriculum compliance,
# lesson types, attendance) of the demo school for a quarter (budget < 300 ms), and of a region
# of 20 demo schools one after another (budget < 5 s). Generates the demo databases with
# `tabel demo` (release build), then runs the `stats_timing` example, which first writes the
# first quarter's final marks from the journals when the demo has none, and times the reports
# in process; for the one school also the whole command `tabel stats --xlsx`.
#
# SQLite by default (temporary files). For PostgreSQL give two EMPTY databases:
#   DB_ONE=postgres://postgres@127.0.0.1:5432/one DB_REGION=postgres://postgres@127.0.0.1:5432/r20 bench/stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
cargo build --release --quiet -p tabel
cargo build --release --quiet -p tabel --example stats_timing
bin="$CARGO_TARGET_DIR/release/tabel"
timing="$CARGO_TARGET_DIR/release/examples/stats_timing"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
one="${DB_ONE:-sqlite://$work/one.db}"
region="${DB_REGION:-sqlite://$work/r20.db}"
rounds="${ROUNDS:-10}"

echo "== one school"
TABEL_LOG=error "$bin" demo --db "$one" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$timing" "$one" 2026-11-28 "$rounds"
echo "-- tabel stats --xlsx (the whole command: start, connect, migrate check, four reports, workbook)"
/usr/bin/time -f "wall %e s, max RSS %M KB" \
    "$bin" stats --db "$one" --today 2026-11-28 --period year --xlsx "$work/year.xlsx" >/dev/null

echo "== region of 20 schools"
TABEL_LOG=error "$bin" demo --db "$region" --schools 20 --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$timing" "$region" 2026-11-28 3
