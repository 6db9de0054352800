#!/usr/bin/env bash
# Reviewing a change (SPEC §17) end to end, against the built binary: the
# example GitHub workflow's own script (examples/github-actions/plan.sh) run
# as the workflow runs it, against a live server with a read-only key and
# against a saved basis; then the audit trail: a write through
# `job update --server` named by its key, and a commit the watcher picks up
# credited to git with the checkout's HEAD.
set -euo pipefail
bin=${1:?usage: plan.sh PATH_TO_CRONMETRICS}
cd "$(dirname "$0")/../.."
source scripts/e2e/lib.bash
e2e_workdir
fixtures=Tests/CronMetricsCLITests/Fixtures/plan
root=$PWD

# The server's checkout is a git work tree; the pull request's is another.
cp -r "$fixtures/server/jobs.d" "$work/jobs.d"
cp -r "$fixtures/checkout" "$work/checkout"
cp -r "$fixtures/invalid" "$work/invalid"
git -C "$work" init -q -b main
git -C "$work" -c user.name=e2e -c user.email=e2e@example.com add jobs.d
git -C "$work" -c user.name=e2e -c user.email=e2e@example.com commit -q -m "jobs"

CRONMETRICS_CONFIG="$root/$fixtures/server/cronmetrics.yaml" CRONMETRICS_SECURITY_ADMIN_API_KEYS=alice:e2e-alice \
  CRONMETRICS_SECURITY_READ_API_KEYS=ci:e2e-ci start_server "$bin" "$work"
curl -sf -o /dev/null -X POST -H "X-API-Key: key-failing" -H "Content-Type: application/json" \
  -d '{"job_name":"failing","host":"db1","status":"failure"}' "$SERVER_URL/api/job-result"
curl -sf -o /dev/null -X POST -H "X-API-Key: key-running" -H "Content-Type: application/json" \
  -d '{"job_name":"running","host":"db1"}' "$SERVER_URL/api/job-start"

# The workflow's step: `cronmetrics` on PATH, the server and a read-only key.
mkdir -p "$work/bin"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/cronmetrics"
# run_plan DIR [VAR=VALUE…]: the example's script, as the workflow runs it;
# its exit status in $work/plan.exit (the workflow reads status= instead:
# both are checked).
run_plan() {
  local dir=$1 code=0
  shift
  : >"$work/github_output"
  (cd "$work/$dir" && env PATH="$work/bin:$PATH" GITHUB_OUTPUT="$work/github_output" CRONMETRICS_SERVER="$SERVER_URL" \
    CRONMETRICS_ADMIN_KEY=e2e-ci "$@" sh "$root/examples/github-actions/plan.sh" jobs.d "$work/plan.md" >"$work/plan.out" 2>&1) || code=$?
  echo "$code" >"$work/plan.exit"
}
# expect_status N: the script exited N and told the workflow status=N.
expect_status() {
  [[ $(cat "$work/plan.exit") == "$1" ]] || fail "plan.sh exited $(cat "$work/plan.exit"), expected $1: $(cat "$work/plan.out")"
  grep -qx "status=$1" "$work/github_output" || fail "status=$1 expected in GITHUB_OUTPUT, got $(cat "$work/github_output")"
}
late_seen() { run_plan checkout; grep -q '(late-at-once)' "$work/plan.md"; }
# late@web1's new threshold is 1s: late once a whole second has passed since the server saw it.
wait_for 10 "the plan warns late@web1 is late at once" late_seen
expect_status 3
[[ $(head -1 "$work/plan.md") == '<!-- cronmetrics-plan -->' ]] || fail "the comment starts with the marker the workflow updates it by"
grep -qF '**1 to add, 5 to change, 2 to remove**, 6 warnings' "$work/plan.md" || fail "summary: $(cat "$work/plan.md")"
for kind in late-at-once unknown-channel no-key renames-series removes-failing removes-running; do
  [[ $(grep -c "^- :warning: .*($kind)" "$work/plan.md") == 1 ]] || fail "one $kind warning expected in: $(cat "$work/plan.md")"
done
grep -qF '| change | `rekey@web1` | `rekey@web1.yaml` | `api_key_sha256`: changed |' "$work/plan.md" || fail "the key hash only as changed"
if grep -q "$(key_hash key-rekey)" "$work/plan.md"; then fail "a key hash in the comment"; fi

# A runner that cannot reach the server: a basis saved where it can.
CRONMETRICS_ADMIN_KEY=e2e-ci "$bin" plan --save-basis "$work/basis.json" --server "$SERVER_URL" >/dev/null
for name in keep late failing running rekey relabel pager moved; do
  if grep -q "$(key_hash "key-$name")" "$work/basis.json"; then fail "the key hash of $name in the saved basis"; fi
done
cp "$work/plan.md" "$work/plan-live.md"
run_plan checkout CRONMETRICS_BASIS="$work/basis.json" CRONMETRICS_SERVER=
expect_status 3
diff <(grep -v 'against the server as of' "$work/plan-live.md") <(grep -v 'against the server as of' "$work/plan.md") \
  || fail "the plan from a saved basis differs from the live one"

# A broken pull request: annotations, the errors in the comment, status 1.
run_plan invalid
expect_status 1
grep -q '^::error file=jobs.d/keep@web1.yaml,line=5,col=13::depends_on names job' "$work/plan.out" || fail "annotation: $(cat "$work/plan.out")"
grep -qF '**The tree is invalid; no plan.**' "$work/plan.md" || fail "the comment says why: $(cat "$work/plan.md")"

# The audit trail: a write through the CLI, named by its key; a read-only key refused, no row.
CRONMETRICS_ADMIN_KEY=e2e-alice "$bin" job update keep@web1 --grace 5m --server "$SERVER_URL" >/dev/null
if CRONMETRICS_ADMIN_KEY=e2e-ci "$bin" job update keep@web1 --grace 9m --server "$SERVER_URL" >/dev/null 2>&1; then
  fail "a read-only key wrote"
fi
rows=$(CRONMETRICS_ADMIN_KEY=e2e-ci "$bin" audit --server "$SERVER_URL" --job keep@web1 --output json)
python3 - "$rows" <<'PY' || fail "audit rows of keep@web1: $rows"
import json, sys
rows = [(e["actor"], e["role"], e["route"], e["action"]) for e in json.loads(sys.argv[1])["entries"]]
assert rows == [("alice", "admin", "PATCH /api/job/{id}", "changed"), ("git", "git", "start", "added")], rows
PY

# A change merged elsewhere and pulled into the server's checkout (git holds
# its index lock while it writes, and the watcher waits for it): the
# watcher's reload is credited to git at the new HEAD.
git clone -q "$work" "$work/upstream"
sed -i 's/automatic_failure_threshold: 1h/automatic_failure_threshold: 2h/' "$work/upstream/jobs.d/late@web1.yaml"
git -C "$work/upstream" -c user.name=e2e -c user.email=e2e@example.com commit -q -am "late: 2h"
git -C "$work" pull -q --ff-only "$work/upstream" main
head=$(git -C "$work" rev-parse HEAD)
[[ $head == $(git -C "$work/upstream" rev-parse HEAD) ]] || fail "the pull did not fast-forward"
git_row() {
  CRONMETRICS_ADMIN_KEY=e2e-ci "$bin" audit --server "$SERVER_URL" --job late@web1 --actor git --limit 1 --output json \
    | grep -q "\"commit\" *: *\"$head\""
}
wait_for 10 "the watcher's reload audited with commit $head" git_row
# The local form reads the same store.
"$bin" audit --database "$work/cronmetrics.db" --job late@web1 --limit 1 | grep -q "git .* changed .*late@web1 .*watch .*commit ${head:0:12}" \
  || fail "cronmetrics audit on the database: $("$bin" audit --database "$work/cronmetrics.db" --job late@web1 --limit 1)"
echo "plan: ok (the example workflow's script: 6 warnings, status 3 live and from a saved basis, 1 on errors; audit rows by key and by git at $head)"
