#!/usr/bin/env bash
# Replicas measured, release build, in one run (docs/high-availability.md):
# - durable submissions per second (wrk, 16 connections, 10,000 jobs,
#   Benchmarks/wrk/submit.lua) straight to one replica and through HAProxy to
#   three on the same PostgreSQL, rounds alternating, medians and their ratio
#   (the two cores are shared by every replica, PostgreSQL, HAProxy and wrk);
# - the deadline tick at 100,000 jobs (cronmetrics-bench tick), alone and as
#   a leader applying 1,000 re-read jobs a second from other replicas (what
#   their writes announced by NOTIFY cost it), p99.
#   scripts/bench-ha.sh [ROUNDS] [SECONDS]   (default 3 rounds of 10 s)
set -euo pipefail
rounds=${1:-3}
secs=${2:-10}
cd "$(dirname "$0")/.."
source scripts/e2e/lib.bash
source scripts/testing/postgres.sh
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
command -v haproxy >/dev/null || { apt-get update -qq; apt-get install -y -qq haproxy; }
swift build -c release --product cronmetrics >/dev/null
swift build -c release --product cronmetrics-bench >/dev/null
bin_dir=$(swift build -c release --show-bin-path)
pg_bench_setup
python3 scripts/gen-jobs.py 10000 "$work/jobs.d" >/dev/null

# replica DB NAME: a release server on the generated tree and PostgreSQL
# database DB; appends its port to `ports`.
replica() {
  local port
  port=$(free_port)
  CRONMETRICS_STORAGE_TLS_MODE=disable CRONMETRICS_SECURITY_ADMIN_API_KEYS=e2e-admin CRONMETRICS_HA_REPLICA_NAME=$2 \
    "$bin_dir/cronmetrics" serve --jobs-dir "$work/jobs.d" --storage-url "postgres://cronmetrics@127.0.0.1:$PG_TEST_PORT/$1" \
    --listen "127.0.0.1:$port" 2>>"$work/$2.log" &
  pids+=("$!")
  ports+=("$port")
  for _ in $(seq 1 1200); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  fail "replica $2 did not become ready: $(tail -5 "$work/$2.log")"
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
errors() { awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "# $(date -u +%FT%TZ), $(nproc) cores, $rounds rounds, ${secs}s per wrk run" >&2
one="" three="" fails=0
for round in $(seq 1 "$rounds"); do
  psql_admin "CREATE DATABASE one$round"
  ports=()
  replica "one$round" solo
  JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "http://127.0.0.1:${ports[0]}" > "$work/one-$round.txt"
  stop_all
  one+="$(rps "$work/one-$round.txt") "
  fails=$((fails + $(errors "$work/one-$round.txt")))

  psql_admin "CREATE DATABASE three$round"
  ports=()
  for r in r1 r2 r3; do replica "three$round" "$r"; done
  lb=$(free_port)
  servers=$(for n in 0 1 2; do echo "    server r$((n + 1)) 127.0.0.1:${ports[$n]} check"; done)
  sed -e "s/@PORT@/$lb/" -e "/^@SERVERS@$/{r /dev/stdin" -e "d}" scripts/testing/haproxy-replicas.cfg <<<"$servers" > "$work/haproxy.cfg"
  haproxy -db -f "$work/haproxy.cfg" 2>>"$work/haproxy.log" &
  pids+=("$!")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$lb/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "http://127.0.0.1:$lb" > "$work/three-$round.txt"
  stop_all
  three+="$(rps "$work/three-$round.txt") "
  fails=$((fails + $(errors "$work/three-$round.txt")))
  echo "round $round: one $(rps "$work/one-$round.txt")/s, three via HAProxy $(rps "$work/three-$round.txt")/s" >&2
done
m1=$(tr ' ' '\n' <<<"$one" | grep . | median)
m3=$(tr ' ' '\n' <<<"$three" | grep . | median)
echo "| setup | submissions/s (median of $rounds) |"
echo "|---|---|"
echo "| one replica, straight | $m1 |"
echo "| three replicas behind HAProxy | $m3 |"
echo "| ratio three/one | $(awk -v a="$m3" -v b="$m1" 'BEGIN {printf "%.2f", a / b}') |"
echo "non-2xx answers in all runs: $fails"
echo
echo "| deadline tick at 100,000 jobs | p50 ms | p99 ms | max ms |"
echo "|---|---|---|---|"
for mode in alone --replicated; do
  line=$("$bin_dir/cronmetrics-bench" tick 100000 $([[ $mode == --replicated ]] && echo --replicated))
  echo "$line" >&2
  p50=$(sed -E 's/.*tick_ms_p50=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.* p99=([0-9.]+).*/\1/' <<<"$line")
  max=$(sed -E 's/.*p99=[0-9.]+ max=([0-9.]+).*/\1/' <<<"$line")
  echo "| ${mode/--replicated/leader applying 1,000 re-read jobs\/s} | $p50 | $p99 | $max |"
done
