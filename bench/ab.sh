#!/usr/bin/env bash
# Old against new: two release binaries serve the same demo database in turn, never at once, and
# wrk measures the same endpoints on each: /healthz (the baseline, which no change touches), the
# diary week page and week API of the demo parent's first child (23–29 Nov 2026), and the demo
# teacher's first journal grid page. Each round runs both binaries, the order alternating between
# rounds (the machine drifts during a run: the order must not decide the result). Settings as in
# the other scenarios: wrk, 1 thread, 32 connections, 10 s per endpoint after a 3 s warm-up; the
# load generator shares the cores with the server.
#
#   bench/ab.sh OLD_BINARY NEW_BINARY      (ROUNDS=4 by default)
#
# With LOAD_MARKS set to the `load_marks` example's binary (cargo build --release -p tabel
# --example load_marks), each measurement also runs journal writes: 64 clients recording and
# deleting marks through the API for 10 s after a 3 s warm-up (writes/s). The writes leave the
# database as they found it but for the audit chain, which grows alike for both binaries.
#
# Prints each endpoint's requests/s per round and the median of new ÷ old over the rounds.
set -euo pipefail
old="${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}"
new="${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}"
rounds="${ROUNDS:-4}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port="${PORT:-18094}"
base="http://127.0.0.1:$port"
db="sqlite://$work/tabel.db"
TABEL_LOG=warn "$new" demo --db "$db" --today 2026-11-28 >/dev/null

start() {
    TABEL_LOG=warn "$1" serve --db "$db" --listen "127.0.0.1:$port" --today 2026-11-28 >/dev/null &
    pid=$!
    for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
    echo "the server did not start"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
token_of() {
    curl -fs -H 'content-type: application/json' -d "{\"login\":\"$1\",\"password\":\"demo\"}" \
        "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# The paths, found once.
start "$new"
parent=$(token_of parent)
teacher=$(token_of teacher)
child=$(curl -fs -H "Authorization: Bearer $parent" "$base/api/v1/me" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["id"])')
journal=$(curl -fs -H "Authorization: Bearer $teacher" "$base/api/v1/journals" \
    | python3 -c 'import json,sys; j=json.load(sys.stdin)[0]; print(j["group_id"] + "/" + j["subject_id"])')
stop
names=(healthz week-page week-api grid-page)
paths=("/healthz" "/diary/$child/week?week=2026-W48" "/api/v1/students/$child/diary?week=2026-W48" "/journal/$journal")
users=("" parent parent teacher)

measure() { # binary label round
    start "$1"
    local p t
    p=$(token_of parent)
    t=$(token_of teacher)
    for i in "${!paths[@]}"; do
        local header=()
        case "${users[$i]}" in
            parent) header=(-H "Cookie: tabel_session=$p") ;;
            teacher) header=(-H "Cookie: tabel_session=$t") ;;
        esac
        local url="$base${paths[$i]}"
        test "$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "$url")" = 200 \
            || { echo "$url is not 200 on $2"; exit 1; }
        wrk -t1 -c32 -d3s "${header[@]}" "$url" >/dev/null
        local rps
        rps=$(wrk -t1 -c32 -d10s "${header[@]}" "$url" | awk '/Requests\/sec/ {print $2}')
        echo "$3 $2 ${names[$i]} $rps" | tee -a "$work/results"
    done
    if [ -n "${LOAD_MARKS:-}" ]; then
        "$LOAD_MARKS" "$base" 64 3 >/dev/null
        local wps
        wps=$("$LOAD_MARKS" "$base" 64 10 | sed -E 's/.* = ([0-9]+) writes\/s.*/\1/')
        echo "$3 $2 mark-writes $wps" | tee -a "$work/results"
    fi
    stop
}

for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        measure "$old" old "$round"; measure "$new" new "$round"
    else
        measure "$new" new "$round"; measure "$old" old "$round"
    fi
done
python3 - "$work/results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {}
for rnd, which, name, rps in rows:
    by.setdefault(name, {}).setdefault(rnd, {})[which] = float(rps)
print("\n| Endpoint | old req/s (rounds) | new req/s (rounds) | new ÷ old, median (range) |")
print("|---|---|---|---|")
for name, rounds in by.items():
    ratios = [r["new"] / r["old"] for r in rounds.values()]
    old = ", ".join(f"{r['old']:.0f}" for r in rounds.values())
    new = ", ".join(f"{r['new']:.0f}" for r in rounds.values())
    print(f"| {name} | {old} | {new} | {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")
EOF
