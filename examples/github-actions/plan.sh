#!/bin/sh
# Validates a jobs.d checkout and plans it against the running server (or a
# saved basis), writing the plan as markdown for a pull-request comment.
# Used by plan-jobs.yml; run it by hand the same way:
#
#   CRONMETRICS_SERVER=https://cron.example.com CRONMETRICS_ADMIN_KEY=<read-only key> \
#     sh plan.sh jobs.d plan.md
#
# CRONMETRICS_BASIS=FILE plans against `cronmetrics plan --save-basis FILE`
# instead (a runner that cannot reach the server). Exit status: plan's
# (0 no warnings, 3 warnings, 1 errors, 2 usage); with GITHUB_OUTPUT set,
# also `status=N` there.
set -u
dir=${1:-jobs.d}
out=${2:-plan.md}

# Errors annotated on the diff (a failed validation still gets its comment:
# the plan prints the same errors in markdown).
cronmetrics validate "$dir" --format github

if [ -n "${CRONMETRICS_BASIS:-}" ]; then
  cronmetrics plan "$dir" --basis "$CRONMETRICS_BASIS" --format markdown >"$out"
else
  cronmetrics plan "$dir" --server "${CRONMETRICS_SERVER:?set CRONMETRICS_SERVER or CRONMETRICS_BASIS}" --format markdown >"$out"
fi
status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
cat "$out"
exit "$status"
