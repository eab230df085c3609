#!/usr/bin/env bash
# Closing the demo school's year on SQLite, archive included: `tabel demo --today 2027-05-24`
# (the demo's year up to late May), then `tabel year close --anyway` (the demo closes no
# period) — every class journal and summary sheet typeset, the school's statistics, the JSON
# export and the manifest stored in the database, the year frozen — timed by /usr/bin/time.
# PROFILE=dev measures the debug binary (dependencies at opt-level 2, our crates unoptimised);
# the default is the release binary. Prints the command's own summary (files, MB, seconds) and
# checks every stored file's SHA-256 against the manifest with sqlite3 when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
profile="${PROFILE:-release}"
today="${TODAY:-2027-05-24}"
if [ "$profile" = dev ]; then
    cargo build --quiet -p tabel
    bin="$CARGO_TARGET_DIR/debug/tabel"
else
    cargo build --release --quiet -p tabel
    bin="$CARGO_TARGET_DIR/release/tabel"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/tabel.db"
TABEL_LOG=error "$bin" demo --db "$db" --today "$today" >/dev/null
echo "demo database: $(du -m "$work/tabel.db" | cut -f1) MB"
/usr/bin/time -f "year close: %e s wall, %U s user, %M KB peak" \
    env TABEL_LOG=error "$bin" year close --db "$db" --year 2026 --anyway --today "$today" \
    >"$work/files.tsv"
echo "files: $(wc -l <"$work/files.tsv"); database after: $(du -m "$work/tabel.db" | cut -f1) MB"
if command -v sqlite3 >/dev/null; then
    sqlite3 "$work/tabel.db" "SELECT sha256 || ' ' || file_name FROM year_archive_files ORDER BY file_name" \
        | diff - <(sort -k3 "$work/files.tsv" | awk -F'\t' '{print $1 " " $3}') >/dev/null \
        && echo "every file's SHA-256 as printed"
fi
