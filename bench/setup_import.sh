#!/usr/bin/env bash
# The set-up import of a demo-sized school (bench/school_lists.py: 27 classes, 700 pupils,
# ~1,000 parents, 50 staff, the curriculum, the load and ~900 timetable lines, as CSV files)
# into a fresh SQLite database holding only the school (`tabel school add`): the preview
# (--dry-run), the apply (all lists written, the year created, its lessons generated), and the
# re-import of the unchanged lists (nothing written). Each is a whole `tabel import` process,
# timed by farm-bench (8 runs after a warm-up, medians), against `tabel --version` as the
# process's own floor in the same call.
#
#   bench/setup_import.sh RELEASE_BINARY
set -euo pipefail
bin="${1:?usage: bench/setup_import.sh RELEASE_BINARY}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/school_lists.py" "$work/lists" >/dev/null
echo "secret password" | TABEL_LOG=warn "$bin" school add --db "sqlite://$work/pristine.db" \
    --name "МБОУ «СОШ № 7»" --short-name "СОШ № 7" --region "Область" --municipality "Город" \
    --admin-login director --admin-name "Директор" >/dev/null
import=("$bin" import --today 2026-11-23 "$work/lists")
# The pristine database's WAL (if SQLite has not folded it in yet) is copied with it; whether it
# is there is decided at each copy (a preview's close may fold it in).
fresh="cp $work/pristine.db $work/run.db && rm -f $work/run.db-wal $work/run.db-shm"
fresh="$fresh && { [ ! -f $work/pristine.db-wal ] || cp $work/pristine.db-wal $work/run.db-wal; }"
echo "== preview (--dry-run) against the process floor"
farm-bench -n 8 --vs "$bin --version" -- "${import[@]}" --db "sqlite://$work/pristine.db" --dry-run
echo "== apply into a fresh copy (the copy included)"
farm-bench -n 8 --timeout 600 --vs "sh -c '$fresh'" -- \
    sh -c "$fresh && exec ${import[*]} --db sqlite://$work/run.db"
echo "== re-import of the unchanged lists (the pairs above end with the copy: it is applied once more first)"
"${import[@]}" --db "sqlite://$work/run.db" | tail -1
farm-bench -n 8 --vs "$bin --version" -- "${import[@]}" --db "sqlite://$work/run.db"
"${import[@]}" --db "sqlite://$work/run.db" | tail -1
