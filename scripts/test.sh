#!/usr/bin/env bash
# The one test command: unit and integration tests (swift test), then the
# end-to-end scripts in scripts/e2e/ against the cronmetrics binary that
# swift test built (a separate `swift build` would compile everything again
# without testability: twice the build time for nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
bin="$(swift build --show-bin-path)/cronmetrics"
[[ -x $bin ]] || { echo "no cronmetrics binary at $bin" >&2; exit 1; }
for script in scripts/e2e/*.sh; do
  echo "== e2e: $script"
  bash "$script" "$bin"
done
echo "e2e: all scripts passed"
