#!/usr/bin/env bash
# Load scenario for the family's diary (issue 5) against the release server on SQLite with the
# demo school (its timetable, changes, ~104,000 marks, homework). Same tool and settings as the
# other scenarios: wrk, 1 thread, 10 s warm-up, 30 s measured at 64 connections (the issue's 64
# clients), 15 s at one
# connection for the latency of a single request. The demo `parent` reads the first child's
# week of 23–29 Nov 2026: the week page (HTML), the same week from the API, and the day page.
# Then it counts the SQL statements one request of each runs (a second server on the same file,
# logging sqlx's statements; the session is authenticated just before, so the 2 s session cache
# is warm, as under load). The load generator shares the machine's cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tabel-target}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p tabel
bin="$CARGO_TARGET_DIR/release/tabel"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" "${pid2:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18084}"
base="http://127.0.0.1:$port"
db="${DB:-sqlite://$work/tabel.db}"
TABEL_LOG=warn "$bin" demo --db "$db" --today 2026-11-28 >/dev/null
TABEL_LOG=warn "$bin" serve --db "$db" --listen "127.0.0.1:$port" --today 2026-11-28 >/dev/null &
pid=$!
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -H 'content-type: application/json' -d '{"login":"parent","password":"demo"}' "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
child=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["id"])')
# Pages read the session cookie (the API token is a session token too).
auth="Cookie: tabel_session=$token"
week="$base/diary/$child/week?week=2026-W48"
api="$base/api/v1/students/$child/diary?week=2026-W48"
today="$base/diary/$child"
curl -fs -H "$auth" "$api" | python3 -c '
import json, sys
w = json.load(sys.stdin)
lessons = [l for d in w["days"] for l in d["lessons"]]
print("week of %s (%s): %d lessons, %d marks, %d with homework, %d changed" % (
    w["pupil"]["name"], w["pupil"]["class"], len(lessons), sum(len(l["marks"]) for l in lessons),
    sum(1 for l in lessons if l["homework"]), sum(1 for l in lessons if l["status"] != "planned")))'
for url in "$week" "$api" "$today"; do
    test "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$url")" = 200 || { echo "$url is not 200"; exit 1; }
    echo "== $url ($(curl -s -H "$auth" "$url" | wc -c) bytes, $(curl -s -H "$auth" -H 'Accept-Encoding: gzip' "$url" | wc -c) gzipped)"
    wrk -t1 -c64 -d10s -H "$auth" "$url" >/dev/null
    echo "-- throughput: 64 connections"
    wrk -t1 -c64 -d30s --latency -H "$auth" "$url" | grep -E "Latency|Requests/sec|50%|99%|Non-2xx"
    echo "-- one request at a time: 1 connection"
    wrk -t1 -c1 -d15s --latency -H "$auth" "$url" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
done
echo "idle-after-load RSS: $(grep VmRSS /proc/$pid/status)"
kill "$pid"; wait "$pid" 2>/dev/null || true
# Statements per request: sqlx logs each one at debug level under `sqlx::query`.
port2=$((port + 1))
TABEL_LOG="warn,sqlx::query=debug" "$bin" serve --db "$db" --listen "127.0.0.1:$port2" --today 2026-11-28 \
    >/dev/null 2>"$work/queries.log" &
pid2=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port2/healthz" >/dev/null && break; sleep 0.1; done
for path in "/diary/$child/week?week=2026-W48" "/api/v1/students/$child/diary?week=2026-W48" "/diary/$child"; do
    curl -fs -o /dev/null -H "$auth" "http://127.0.0.1:$port2$path"
    : >"$work/queries.log"
    curl -fs -o /dev/null -H "$auth" "http://127.0.0.1:$port2$path"
    sleep 0.2
    echo "SQL statements for $path: $(grep -c 'sqlx::query' "$work/queries.log" || true)"
done
