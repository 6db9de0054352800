#!/usr/bin/env bash
# Runs one of the Python benchmarks (scripts/bench-NAME.py) on a binary: the
# one given, or a release build made first. wrk is installed if missing.
#   scripts/bench-python.sh NAME [BIN] [ARGS…]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench-python.sh NAME [BIN] [ARGS…]}
bin=${2:-}
shift $(( $# < 2 ? $# : 2 ))
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
if [[ -z $bin ]]; then
  swift build -c release --product cronmetrics >/dev/null
  bin="$(swift build -c release --show-bin-path)/cronmetrics"
fi
exec python3 "scripts/bench-$name.py" "$bin" "$@"
