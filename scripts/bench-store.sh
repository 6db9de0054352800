#!/usr/bin/env bash
# SQLite against PostgreSQL, in one run, rounds alternating the backends:
# durable result submissions per second with 16 connections at 10,000 jobs
# (wrk, Benchmarks/wrk/submit.lua), /metrics p50 at 10,000 jobs with results,
# and start-up (launch to /health answering) at 100,000 jobs, on a fresh store
# and again on the store the first start left. PostgreSQL is a throwaway
# cluster on loopback (scripts/testing/postgres.sh: fsync and
# synchronous_commit on). Release build. Prints medians as a Markdown table.
#   scripts/bench-store.sh [ROUNDS] [SECONDS] [BIN...]   (default 3 rounds of 10 s; BIN: compare builds on PostgreSQL)
set -euo pipefail
rounds=${1:-3}
secs=${2:-10}
shift $(( $# > 2 ? 2 : $# ))
cd "$(dirname "$0")/.."
source scripts/e2e/lib.bash
source scripts/testing/postgres.sh
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
if (($# == 0)); then
  swift build -c release --product cronmetrics >/dev/null
  set -- "$(swift build -c release --show-bin-path)/cronmetrics"
fi
bins=("$@")
pg_bench_setup

python3 scripts/gen-jobs.py 10000 "$work/j10k/jobs.d" >/dev/null
python3 scripts/gen-jobs.py 100000 "$work/j100k/jobs.d" >/dev/null

# serve BIN TREE BACKEND NAME: starts a server on TREE/jobs.d with a new store
# (SQLite file NAME.db, or PostgreSQL database NAME); sets url, pid, started_ms.
serve() {
  local bin=$1 tree=$2 backend=$3 name=$4 port store
  port=$(free_port)
  if [[ $backend == postgres ]]; then
    store=(--storage-url "postgres://cronmetrics@127.0.0.1:$PG_TEST_PORT/$name")
  else
    store=(--database "$work/$name.db")
  fi
  started_ms=$(date +%s%3N)
  CRONMETRICS_STORAGE_TLS_MODE=disable CRONMETRICS_SECURITY_ADMIN_API_KEYS=e2e-admin \
    "$bin" serve --jobs-dir "$tree/jobs.d" "${store[@]}" --listen "127.0.0.1:$port" 2>>"$work/$name.log" &
  pid=$!
  pids+=("$pid")
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 1200); do
    curl -sf "$url/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  fail "server did not start: $(tail -5 "$work/$name.log")"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
p50_ms() { awk '/^ +50%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$1"; }
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
errors() { awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1"; }

echo "# $(date -u +%FT%TZ), $(nproc) cores, $rounds rounds, ${secs}s per wrk run" >&2
declare -A rate metrics cold warm fails
n=0
for round in $(seq 1 "$rounds"); do
  for b in "${!bins[@]}"; do
    for backend in sqlite postgres; do
      # Only the first build runs on SQLite: further builds compare PostgreSQL.
      [[ $backend == sqlite && $b -gt 0 ]] && continue
      n=$((n + 1))
      tag="$backend/$b"
      [[ $backend == postgres ]] && psql_admin "CREATE DATABASE s$n" && psql_admin "CREATE DATABASE b$n"
      serve "${bins[$b]}" "$work/j10k" "$backend" "s$n"
      JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "$url" > "$work/submit-$n.txt"
      curl -s -o /dev/null "$url/metrics"
      wrk -t1 -c1 -d"${secs}s" --latency "$url/metrics" > "$work/metrics-$n.txt"
      stop
      rate[$tag]+="$(rps "$work/submit-$n.txt") "
      fails[$tag]+="$(errors "$work/submit-$n.txt") "
      metrics[$tag]+="$(p50_ms "$work/metrics-$n.txt") "
      serve "${bins[$b]}" "$work/j100k" "$backend" "b$n"
      cold[$tag]+="$(( $(date +%s%3N) - started_ms )) "
      stop
      serve "${bins[$b]}" "$work/j100k" "$backend" "b$n"
      warm[$tag]+="$(( $(date +%s%3N) - started_ms )) "
      stop
      echo "round $round $tag: ${rate[$tag]}/s; /metrics p50 ${metrics[$tag]}ms; start ${cold[$tag]}/ ${warm[$tag]}ms" >&2
    done
  done
done

echo "| build | store | submissions/s (16 conns, 10k jobs) | non-2xx | /metrics p50 (10k jobs) | start at 100k jobs, new store | start again |"
echo "|---|---|---|---|---|---|---|"
for tag in "${!rate[@]}"; do
  backend=${tag%/*}; b=${tag#*/}
  echo "| $b: $(basename "${bins[$b]}") | $backend | $(tr ' ' '\n' <<<"${rate[$tag]}" | grep . | median) | $(tr ' ' '\n' <<<"${fails[$tag]}" | grep . | awk '{s+=$1} END {print s}') | $(tr ' ' '\n' <<<"${metrics[$tag]}" | grep . | median) ms | $(tr ' ' '\n' <<<"${cold[$tag]}" | grep . | median) ms | $(tr ' ' '\n' <<<"${warm[$tag]}" | grep . | median) ms |"
done | sort
