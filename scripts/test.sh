#!/usr/bin/env bash
# The one test command: unit and integration tests (swift test), then the
# end-to-end scripts in scripts/e2e/ against the cronmetrics binary that
# swift test built (a separate `swift build` would compile everything again
# without testability: twice the build time for nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
# The output is kept, so that a failure is repeated at the very end, where a
# CI log's tail shows it (not buried in thousands of passing lines).
log=$(mktemp)
# The store tests run on both backends: a throwaway PostgreSQL cluster for
# this run (scripts/testing/postgres.sh), stopped and removed at exit.
source scripts/testing/postgres.sh
trap 'rm -f "$log"; pg_test_stop' EXIT
pg_test_start
echo "== PostgreSQL for the tests at $PG_TEST_URL"
if ! swift test 2>&1 | tee "$log"; then
  echo "== swift test FAILED; its failures again:" >&2
  grep -E "✘|error:|Exited with|Fatal error|Crash|recorded an issue" "$log" | grep -v "warning:" | tail -60 >&2
  exit 1
fi
bin="$(swift build --show-bin-path)/cronmetrics"
[[ -x $bin ]] || { echo "no cronmetrics binary at $bin" >&2; exit 1; }
for script in scripts/e2e/*.sh; do
  echo "== e2e: $script"
  bash "$script" "$bin" || { echo "== e2e FAILED: $script" >&2; exit 1; }
done
echo "e2e: all scripts passed"
