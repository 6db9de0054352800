#!/usr/bin/env bash
# The one test command: unit and integration tests (swift test), then the
# end-to-end scripts in scripts/e2e/ against the built debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build
bin="$(swift build --show-bin-path)/cronmetrics"
swift test
for script in scripts/e2e/*.sh; do
  echo "== e2e: $script"
  bash "$script" "$bin"
done
echo "e2e: all scripts passed"
