#!/usr/bin/env bash
# Ping URLs against /api/job-result on one server with 10,000 jobs, alternating
# (ping, submit, ping, submit …) so drift hits both alike: wrk, 16 connections.
# Each answer means the signal is committed (synchronous = FULL).
#   scripts/bench-pings.sh [BIN] [ROUNDS] [SECONDS]   (default: a release build, 5 rounds of 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
rounds=${2:-5}
secs=${3:-10}
source scripts/e2e/lib.bash
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
if [[ -z $bin ]]; then
  swift build -c release --product cronmetrics >/dev/null
  bin="$(swift build -c release --show-bin-path)/cronmetrics"
fi
e2e_workdir
python3 scripts/gen-jobs.py 10000 "$work/jobs.d" >/dev/null
start_server "$bin" "$work"
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
bad() { awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1"; }
echo "| round | pings/s | non-2xx | results/s (JSON) | non-2xx | ping/result |"
echo "|---|---|---|---|---|---|"
pings=(); ratios=()
for round in $(seq 1 "$rounds"); do
  JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/ping.lua "$SERVER_URL" > "$work/ping-$round.txt"
  JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "$SERVER_URL" > "$work/submit-$round.txt"
  p=$(rps "$work/ping-$round.txt"); s=$(rps "$work/submit-$round.txt")
  r=$(python3 -c "print(f'{$p/$s:.2f}')")
  pings+=("$p"); ratios+=("$r")
  echo "| $round | $p | $(bad "$work/ping-$round.txt") | $s | $(bad "$work/submit-$round.txt") | $r |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "median: $(median "${pings[@]}") pings/s, ping/result $(median "${ratios[@]}")"
