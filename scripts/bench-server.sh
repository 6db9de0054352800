#!/usr/bin/env bash
# Measures, in one run on loopback with wrk: /metrics latency at 10,000 and
# 100,000 jobs and result submissions per second at 10,000 jobs (16
# connections), for cronmetrics and for Prometheus Pushgateway holding the
# same jobs. Release build. Writes a Markdown table to stdout.
#   scripts/bench-server.sh [SECONDS_PER_RUN]     (default 10)
set -euo pipefail
secs=${1:-10}
cd "$(dirname "$0")/.."
source scripts/e2e/lib.bash
for tool in wrk prometheus-pushgateway; do
  command -v "$tool" >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk prometheus-pushgateway; }
done
if [[ -z ${CRONMETRICS_BIN:-} ]]; then
  swift build -c release --product cronmetrics >/dev/null
fi
bin=${CRONMETRICS_BIN:-"$(swift build -c release --show-bin-path)/cronmetrics"}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

p50() { awk '/^ +50%/ {print $2}' "$1"; }
p99() { awk '/^ +99%/ {print $2}' "$1"; }
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }

start_cronmetrics() {  # COUNT: sets cm (its port)
  mkdir -p "$work/$1"
  python3 scripts/gen-jobs.py "$1" "$work/$1/jobs.d"
  start_server "$bin" "$work/$1" cm
  cm=${SERVER_URL##*:}
}

start_pushgateway() {  # COUNT PORT
  prometheus-pushgateway --web.listen-address="127.0.0.1:$2" --persistence.file="$work/pg-$1.data" \
    --push.disable-consistency-check --log.level=warn 2>"$work/pg-$1.log" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/-/ready" >/dev/null && return 0; sleep 0.1; done
  fail "pushgateway did not start"
}

metrics_latency() {  # URL OUT
  curl -s -o /dev/null "$1/metrics"   # warm
  wrk -t1 -c1 -d"${secs}s" --timeout 60s --latency "$1/metrics" > "$2"
}

echo "# $(date -u +%FT%TZ), $(nproc) cores, ${secs}s per wrk run" >&2
for n in 10000 100000; do
  pg=$(free_port)
  start_cronmetrics $n
  start_pushgateway $n "$pg"
  # Submissions: 16 connections; also gives every job results before /metrics is timed.
  JOBS=$n THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "http://127.0.0.1:$cm" > "$work/cm-submit-$n.txt"
  JOBS=$n THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/pushgateway.lua "http://127.0.0.1:$pg" > "$work/pg-submit-$n.txt"
  # Make sure every job/group exists before timing scrapes (a short run may not reach them all).
  runs=$(curl -s "http://127.0.0.1:$cm/metrics" | grep -c '^cronjob_runs_total{.*} [1-9]' || true)
  groups=$(curl -s "http://127.0.0.1:$pg/metrics" | grep -c '^cronjob_status{' || true)
  metrics_latency "http://127.0.0.1:$cm" "$work/cm-metrics-$n.txt"
  metrics_latency "http://127.0.0.1:$pg" "$work/pg-metrics-$n.txt"
  size_cm=$(curl -s "http://127.0.0.1:$cm/metrics" | wc -c)
  size_pg=$(curl -s "http://127.0.0.1:$pg/metrics" | wc -c)
  echo "| $n jobs | cronmetrics | $(p50 "$work/cm-metrics-$n.txt") | $(p99 "$work/cm-metrics-$n.txt") | $((size_cm / 1024)) KiB | $(rps "$work/cm-submit-$n.txt") | $(non2xx "$work/cm-submit-$n.txt") | $runs jobs with results |"
  echo "| $n jobs | Pushgateway | $(p50 "$work/pg-metrics-$n.txt") | $(p99 "$work/pg-metrics-$n.txt") | $((size_pg / 1024)) KiB | $(rps "$work/pg-submit-$n.txt") | $(non2xx "$work/pg-submit-$n.txt") | $groups groups |"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
  sleep 1
done
