#!/usr/bin/env bash
# The built binary on a temp jobs.d: the seed's curl example, /metrics through
# promtool, the admin history, refusals, and a clean SIGTERM shutdown.
set -euo pipefail
bin=${1:?usage: server.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
e2e_workdir

mkdir -p "$work/jobs.d/web"
cat > "$work/jobs.d/web/sync_db@web1.yaml" <<YAML
version: 1
job_name: sync_db
host: web1
automatic_failure_threshold: 90m
labels: {env: prod, team: "data \"core\""}
slo: {success_ratio: 99.5%, window: 7d}
metrics: {duration_histogram: true}
api_key_sha256: $(key_hash "sync-key")
YAML
start_server "$bin" "$work" server
pid=$SERVER_PID
url=$SERVER_URL

# The seed's example, as a cron host would send it.
status=$(curl -s -o "$work/receipt.json" -w '%{http_code}' -X POST "$url/api/job-result" \
  -H "X-API-Key: sync-key" -H "Content-Type: application/json" \
  -d '{"job_name":"sync_db","host":"web1","status":"success","duration":27,"timestamp":"2025-10-30T19:56:00Z","exit_code":0,"output":"…last lines…"}')
[[ $status == 201 ]] || fail "seed submission answered $status: $(cat "$work/receipt.json")"

# Refusals.
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/api/job-result" -H "Content-Type: application/json" -d '{}') == 401 ]] || fail "no key"
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/api/job-result" -H "X-API-Key: sync-key" -d 'job_name=x') == 415 ]] || fail "form body"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/api/job/sync_db@web1/results") == 401 ]] || fail "history without admin key"

curl -s "$url/metrics" > "$work/metrics.txt"
grep -qx 'cronjob_status{job_name="sync_db",host="web1",env="prod",team="data \\"core\\"",status="success"} 1' "$work/metrics.txt" \
  || fail "status line missing: $(grep cronjob_status "$work/metrics.txt")"
grep -qx 'cronjob_last_run_timestamp{job_name="sync_db",host="web1"} 1761854160' "$work/metrics.txt" || fail "last run timestamp"
# The job asks for its histogram (27 s: in the 30 s bucket) and has an SLO (its target, counted at start).
grep -qx 'cronjob_duration_seconds_bucket{job_name="sync_db",host="web1",le="30"} 1' "$work/metrics.txt" || fail "histogram bucket"
grep -qx 'cronjob_duration_seconds_bucket{job_name="sync_db",host="web1",le="15"} 0' "$work/metrics.txt" || fail "histogram bucket below"
grep -qx 'cronjob_slo_target_ratio{job_name="sync_db",host="web1",window="7d"} 0.995' "$work/metrics.txt" || fail "SLO target"

# promtool: the only finding allowed is the lint on cronjob_total, a name kept
# for compatibility (a gauge whose name ends in _total). A parse error exits 1.
set +e
lint=$(promtool check metrics < "$work/metrics.txt" 2>&1)
code=$?
set -e
[[ $code == 0 || $code == 3 ]] || fail "promtool check metrics exited $code: $lint"
unexpected=$(grep -v '^cronjob_total non-counter metrics should not have "_total" suffix$' <<<"$lint" | grep -v '^$' || true)
[[ -z $unexpected ]] || fail "promtool: $unexpected"
curl -s -H 'Accept-Encoding: gzip' "$url/metrics" | gunzip | promtool check metrics >/dev/null 2>&1 || [[ $? == 3 ]] || fail "gzip body"

history=$(curl -sf -H "Authorization: Bearer e2e-admin" "$url/api/job/sync_db@web1/results")
grep -q '"output":"…last lines…"' <<<"$history" || fail "history: $history"

# The GitOps loop with real signals: an edit on disk goes live by itself
# (inotify), a broken file is refused while the last good set stays, SIGHUP
# reloads, and the API writes a file.
sed -i 's/automatic_failure_threshold: 90m/automatic_failure_threshold: 2h/' "$work/jobs.d/web/sync_db@web1.yaml"
wait_for 5 "file edit not live" metrics_has "$url" 'cronjob_threshold_seconds{job_name="sync_db",host="web1"} 7200'
printf 'colour: blue\n' >> "$work/jobs.d/web/sync_db@web1.yaml"
wait_for 5 "broken file accepted" metrics_has "$url" 'cronmetrics_config_last_reload_successful 0'
curl -s "$url/metrics" | grep '^cronjob_status{job_name="sync_db"' >/dev/null || fail "last good set dropped"
sed -i '/^colour: blue$/d' "$work/jobs.d/web/sync_db@web1.yaml"
kill -HUP $pid
wait_for 5 "no successful reload after the fix and SIGHUP" metrics_has "$url" 'cronmetrics_config_last_reload_successful 1'
wait_for 5 "SIGHUP not seen" grep -q "SIGHUP: reloading the configuration and jobs" "$work/server.log"
created=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/api/job" -H "Authorization: Bearer e2e-admin" \
  -H "Content-Type: application/json" -d '{"job_name":"backup","host":"db1","automatic_failure_threshold":600}')
[[ $created == 201 ]] || fail "API create answered $created"
[[ -f "$work/jobs.d/backup@db1.yaml" ]] || fail "API create wrote no file"
"$bin" validate "$work/jobs.d" >/dev/null || fail "tree invalid after API create"

# SIGTERM: graceful shutdown, exit 0, database closed.
kill -TERM $pid
wait $pid
code=$?
pids=()
[[ $code == 0 ]] || fail "exit code after SIGTERM: $code"
grep -q "database closed" "$work/server.log" || fail "no clean database close: $(tail -5 "$work/server.log")"
echo "server: ok (seed submission, refusals, promtool, history, watch, SIGHUP, API write, SIGTERM)"
