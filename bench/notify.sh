#!/usr/bin/env bash
# Throughput of the notification worker (issue 7 point 6, budget: >= 500 e-mails/s to a local
# SMTP sink). Builds the `notify_throughput` example (release), which generates the demo school
# into a temporary SQLite file, writes N final.published events (default 3000) and runs the
# worker against the loopback SMTP sink of tabel-notify's test support: the fan-out (events ->
# deliveries) and the sending (pooled SMTP connections, each delivery marked at once) are timed
# apart and together.
#
# PostgreSQL: give an EMPTY database as the second argument, e.g.
#   bench/notify.sh 3000 postgres://postgres@127.0.0.1:5432/notify
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
cargo build --release --quiet -p tabel --example notify_throughput
TABEL_LOG=warn RUST_LOG=warn "$CARGO_TARGET_DIR/release/examples/notify_throughput" "${1:-3000}" ${2:+"$2"}
