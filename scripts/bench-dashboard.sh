#!/usr/bin/env bash
# The dashboard's two figures: the overview with 10,000 jobs (50 a page,
# filtered) rendered by the server, and submission p99 with 200 Server-Sent
# Events clients connected against none, alternating in one run.
#   scripts/bench-dashboard.sh [BIN] [ROUNDS]   (default: a release build, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
rounds=${2:-3}
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
if [[ -z $bin ]]; then
  swift build -c release --product cronmetrics >/dev/null
  bin="$(swift build -c release --show-bin-path)/cronmetrics"
fi
exec python3 scripts/bench-dashboard.py "$bin" "$rounds"
