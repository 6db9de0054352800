#!/usr/bin/env bash
# Two cronmetrics binaries side by side in one run, on the same 10,000-job tree:
# submissions/s (wrk, 16 connections) and /metrics p50, alternating A B A B …
# so that drift of a shared machine hits both alike. Prints each round and the
# median ratio B/A. Used to check that a change costs no speed.
#   scripts/bench-compare.sh BIN_A BIN_B [ROUNDS] [SECONDS]    (default 5 rounds of 10 s)
set -euo pipefail
a=${1:?usage: bench-compare.sh BIN_A BIN_B [ROUNDS] [SECONDS]}
b=${2:?usage: bench-compare.sh BIN_A BIN_B [ROUNDS] [SECONDS]}
rounds=${3:-5}
secs=${4:-10}
cd "$(dirname "$0")/.."
source scripts/e2e/lib.bash
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
e2e_workdir
for side in a b; do
  mkdir -p "$work/$side"
  python3 scripts/gen-jobs.py 10000 "$work/$side/jobs.d"
done
start_server "$a" "$work/a"; url_a=$SERVER_URL
start_server "$b" "$work/b"; url_b=$SERVER_URL
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
p50() { awk '/^ +50%/ {print $2}' "$1"; }
ms() { python3 -c 'import sys; v=sys.argv[1]; print(float(v[:-2]) if v.endswith("ms") else float(v[:-2])/1000 if v.endswith("us") else float(v[:-1])*1000)' "$1"; }
echo "| round | A submissions/s | B submissions/s | B/A | A /metrics p50 | B /metrics p50 | B/A |"
echo "|---|---|---|---|---|---|---|"
ratios_rps=()
ratios_p50=()
for round in $(seq 1 "$rounds"); do
  for side in a b; do
    url=url_$side
    JOBS=10000 THREADS=2 wrk -t2 -c16 -d"${secs}s" -s Benchmarks/wrk/submit.lua "${!url}" > "$work/submit-$side-$round.txt"
  done
  for side in a b; do
    url=url_$side
    wrk -t1 -c1 -d"${secs}s" --timeout 60s --latency "${!url}/metrics" > "$work/metrics-$side-$round.txt"
  done
  ra=$(rps "$work/submit-a-$round.txt"); rb=$(rps "$work/submit-b-$round.txt")
  ma=$(ms "$(p50 "$work/metrics-a-$round.txt")"); mb=$(ms "$(p50 "$work/metrics-b-$round.txt")")
  r1=$(python3 -c "print(f'{$rb/$ra:.3f}')"); r2=$(python3 -c "print(f'{$mb/$ma:.3f}')")
  ratios_rps+=("$r1"); ratios_p50+=("$r2")
  echo "| $round | $ra | $rb | $r1 | ${ma} ms | ${mb} ms | $r2 |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "median B/A: submissions/s $(median "${ratios_rps[@]}"), /metrics p50 $(median "${ratios_p50[@]}")"
