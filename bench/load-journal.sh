#!/usr/bin/env bash
# Load scenarios for the class journal against the release server on SQLite with the demo school
# (its timetable and ~104,000 marks). Same tool and settings as bench/load-me.sh for reads: wrk,
# 1 thread, 10 s warm-up, 30 s measured at 32 connections, 15 s at 1 connection for the latency
# of a single request. Reads: the demo teacher's largest grid (pupils × lessons of the current
# quarter) as the HTML page and as the API's JSON. Writes: the `load_marks` example — 64 clients
# (then 1) each owning empty cells of the teacher's journals, recording a mark and deleting it
# again, every request audited and committed; 5 s warm-up, 30 s measured. The load generator
# shares the machine's 2 cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p tabel
cargo build --release --quiet -p tabel --example load_marks
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18083}"
base="http://127.0.0.1:$port"
db="${DB:-sqlite://$work/tabel.db}"
TABEL_LOG=warn "$bin" demo --db "$db" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$bin" serve --db "$db" --listen "127.0.0.1:$port" --today 2026-11-28 >/dev/null &
pid=$!
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -H 'content-type: application/json' -d '{"login":"teacher","password":"demo"}' "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# The teacher's largest grid of the current period.
pick=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/journals" | python3 -c '
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
best = None
for j in json.load(sys.stdin):
    url = base + "/api/v1/journal?group=" + j["group_id"] + "&subject=" + j["subject_id"]
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    g = json.load(urllib.request.urlopen(req))
    size = (len(g["students"]), len(g["lessons"]), len(g["marks"]))
    if best is None or size[0] * size[1] > best[0][0] * best[0][1]:
        best = (size, j["group_id"], j["subject_id"], j["group"], j["subject"])
print(best[1], best[2], f"{best[3]} {best[4]}: {best[0][0]} pupils x {best[0][1]} lessons, {best[0][2]} marks")
' "$base" "$token")
read -r group subject what <<<"$pick"
echo "grid: $what"
page="$base/journal/$group/$subject"
api="$base/api/v1/journal?group=$group&subject=$subject"
# Pages read the session cookie (the API token is a session token too).
auth="Cookie: tabel_session=$token"
test "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$page")" = 200 || { echo "the grid page is not 200"; exit 1; }
echo "page size: $(curl -s -H "$auth" "$page" | wc -c) bytes"
for url in "$page" "$api"; do
    echo "== $url"
    wrk -t1 -c32 -d10s -H "$auth" "$url" >/dev/null
    echo "-- throughput: 32 connections"
    wrk -t1 -c32 -d30s --latency -H "$auth" "$url" | grep -E "Latency|Requests/sec|50%|99%|Non-2xx"
    echo "-- one request at a time: 1 connection"
    wrk -t1 -c1 -d15s --latency -H "$auth" "$url" | grep -E "Requests/sec|50%|99%|Non-2xx"
done
echo "== mark writes"
"$CARGO_TARGET_DIR/release/examples/load_marks" "$base" 64 30
"$CARGO_TARGET_DIR/release/examples/load_marks" "$base" 1 15
echo "idle-after-load RSS: $(grep VmRSS /proc/$pid/status)"
