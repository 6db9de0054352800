#!/usr/bin/env bash
# Statistics at scale (SPEC §15), release build, SQLite: JOBS generated jobs
# (default 10,000) with DAYS days (default 90) of rollups as the server
# writes them, each job running hourly (24 runs a day, one in 50 failing,
# four durations), inserted straight into the store a first start made.
# Then, on the server:
#   - GET /api/job/{id}/stats?window=90d and 24h, p50/p99 (wrk, 4 connections, jobs in turn);
#   - GET /api/stats?window=30d (every job) and with group_by=team: median of 5;
#   - the count behind the SLO figures and the dashboard's 7-day column (every
#     job's last 7 days, the server's query), timed in Python's sqlite3: median of 5;
#   - the store's size per job-year of rollups.
# Submission throughput with rollups against the build before them is
# scripts/bench-compare.sh BEFORE AFTER (docs/performance.md).
#   scripts/bench-stats.sh [BIN] [JOBS] [DAYS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
jobs=${2:-10000}
days=${3:-90}
secs=${4:-10}
source scripts/e2e/lib.bash
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
command -v sqlite3 >/dev/null || { apt-get update -qq; apt-get install -y -qq sqlite3; }
if [[ -z $bin ]]; then
  swift build -c release --product cronmetrics >/dev/null
  bin="$(swift build -c release --show-bin-path)/cronmetrics"
fi
e2e_workdir
python3 scripts/gen-jobs.py "$jobs" "$work/jobs.d" >/dev/null
start_server "$bin" "$work"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
db="$work/cronmetrics.db"
before=$(stat -c %s "$db")

# Rollups: an hourly row per job and hour, a daily row per job and UTC day.
python3 - "$db" "$jobs" "$days" <<'PY'
import math, sqlite3, sys, time
db, jobs, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gamma = 1.01 / 0.99
key = lambda d: str(math.ceil(math.log(d) / math.log(gamma)))
durations = [30.0, 60.0, 90.0, 600.0]
now = time.time()
end = math.floor(now / 86400) * 86400 + 86400          # the end of today (UTC)
start = end - days * 86400
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode = WAL")
ids = [f"job{i:06d}@host{i % 500:03d}" for i in range(jobs)]
t0 = time.time()
with con:
    for n, job in enumerate(ids):
        hours, daily = [], []
        for day in range(days):
            failures = 0
            for h in range(24):
                at = start + day * 86400 + h * 3600
                if at > now:
                    break
                failed = (n + day * 24 + h) % 50 == 0
                failures += failed
                d = durations[h % 4]
                hours.append((job, 3600, at, 1, 0 if failed else 1, 1 if failed else 0, 0, 0, d, '{"%s":1}' % key(d)))
            runs = sum(1 for h in range(24) if start + day * 86400 + h * 3600 <= now)
            if runs:
                sketch = "{" + ",".join('"%s":%d' % (key(d), sum(1 for h in range(runs) if h % 4 == i))
                                        for i, d in enumerate(durations) if any(h % 4 == i for h in range(runs))) + "}"
                daily.append((job, 86400, start + day * 86400, runs, runs - failures, failures, 0, 0, max(durations[:runs]), sketch))
        con.executemany("INSERT INTO rollups (job_id, grain, start, runs, successes, failures, missed, timeouts, duration_max, sketch) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", hours + daily)
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
rows = con.execute("SELECT COUNT(*) FROM rollups").fetchone()[0]
print(f"# {rows:,} rollup rows for {jobs:,} jobs x {days} days, written in {time.time() - t0:.0f} s", file=sys.stderr)
PY
after=$(stat -c %s "$db")
start_server "$bin" "$work"
url=$SERVER_URL
curl -sf -H "Authorization: Bearer e2e-admin" "$url/api/job/job000001@host001/stats?window=90d" > "$work/one.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["runs"] > 22 * min(int(sys.argv[2]), 90), s; print("# job000001: %d runs in 90d, success %.4f, p95 %.1f s" % (s["runs"], s["success_ratio"], s["duration"]["p95"]), file=sys.stderr)' "$work/one.json" "$days"

latency() {  # latency WINDOW: wrk's p50 and p99 of /api/job/{id}/stats
  WINDOW=$1 JOBS=$jobs wrk -t2 -c4 -d"${secs}s" --latency -s Benchmarks/wrk/stats.lua "$url" > "$work/wrk-$1.txt"
  awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {printf "%s | %s | %.0f | %d", p50, p99, rps, bad}' "$work/wrk-$1.txt"
}
median_ms() {  # median_ms URL: the median of 5 timed GETs, in ms
  for _ in 1 2 3 4 5; do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer e2e-admin" "$1"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[3] * 1000}'
}
week_ms=$(python3 - "$db" <<'PY'
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
now = time.time(); frm = now - 7 * 86400
hour, day = 3600, 86400
start = (frm // hour) * hour; end_hour = (now // hour) * hour + hour
first_day = -(-start // day) * day; last_day = (now // day) * day
parts = [(3600, start, first_day), (86400, first_day, last_day), (3600, last_day, end_hour)]
times = []
for _ in range(5):
    t = time.perf_counter()
    for grain, a, b in parts:
        con.execute("SELECT job_id, CAST(SUM(successes) AS BIGINT), CAST(SUM(failures) AS BIGINT), CAST(SUM(missed) AS BIGINT), "
                    "CAST(SUM(timeouts) AS BIGINT) FROM rollups WHERE grain = ? AND start >= ? AND start < ? GROUP BY job_id",
                    (grain, a, b)).fetchall()
    times.append(time.perf_counter() - t)
print("%.0f" % (sorted(times)[2] * 1000))
PY
)
echo "# $(date -u +%FT%TZ), $(nproc) cores, $jobs jobs, $days days of hourly rollups, wrk ${secs}s" >&2
echo "| measure | p50 | p99 | requests/s | non-2xx |"
echo "|---|---|---|---|---|"
echo "| GET /api/job/{id}/stats?window=90d | $(latency 90d) |"
echo "| GET /api/job/{id}/stats?window=24h | $(latency 24h) |"
echo
echo "| measure | median of 5 |"
echo "|---|---|"
echo "| GET /api/stats?window=30d ($jobs jobs) | $(median_ms "$url/api/stats?window=30d") ms |"
echo "| GET /api/stats?window=30d&group_by=team | $(median_ms "$url/api/stats?window=30d&group_by=team") ms |"
echo "| GET /api/stats?window=90d | $(median_ms "$url/api/stats?window=90d") ms |"
echo "| every job's last 7 days (the minute's count) | $week_ms ms |"
python3 -c 'import sys; b, a, jobs, days = map(float, sys.argv[1:]); print("| store size per job-year of rollups (24 runs a day) | %.0f KB |" % ((a - b) / (jobs * days / 365) / 1024))' \
  "$before" "$after" "$jobs" "$days"
