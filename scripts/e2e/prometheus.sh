#!/usr/bin/env bash
# A real Prometheus scraping the built binary every second, with the shipped
# examples/alerts.yml: cronjob_status reads as expected through Prometheus'
# query API, and CronJobMissedDeadline fires for a job that stays silent.
set -euo pipefail
bin=${1:?usage: prometheus.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
repo=$(cd "$here/../.." && pwd)
command -v prometheus >/dev/null || fail "prometheus is not installed (Debian package prometheus)"
e2e_workdir

mkdir -p "$work/jobs.d"
for spec in "nightly:3600:ok-key" "silent:3:silent-key" "broken:3600:broken-key"; do
  IFS=: read -r name threshold key <<<"$spec"
  printf 'version: 1\njob_name: %s\nhost: h1\nautomatic_failure_threshold: %s\nlabels: {env: e2e}\napi_key_sha256: %s\n' \
    "$name" "$threshold" "$(key_hash "$key")" > "$work/jobs.d/$name@h1.yaml"
done
start_server "$bin" "$work" cm
cm_port=${SERVER_URL##*:}
post() {  # KEY BODY
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$cm_port/api/job-result" -H "X-API-Key: $1" \
    -H "Content-Type: application/json" -d "$2"
}
post ok-key '{"job_name":"nightly","host":"h1","status":"success","duration":12}'
post broken-key '{"job_name":"broken","host":"h1","exit_code":2}'

pm_port=$(free_port)
cat > "$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $repo/examples/alerts.yml
scrape_configs:
  - job_name: cronmetrics
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$cm_port"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pm_port" --log.level=warn 2>"$work/prometheus.log" &
pids+=($!)
api="http://127.0.0.1:$pm_port/api/v1"

# query PROMQL: prints the first sample's value, or nothing.
query() {
  local body
  body=$(curl -fsS --get "$api/query" --data-urlencode "query=$1" 2>/dev/null) || return 0
  python3 -c 'import json,sys; r=json.loads(sys.argv[1])["data"]["result"]; print(r[0]["value"][1] if r else "")' "$body"
}
firing() {  # ALERTNAME JOB: succeeds when that alert fires for that job
  local body
  body=$(curl -fsS "$api/alerts" 2>/dev/null) || return 1
  python3 -c '
import json, sys
alerts = json.loads(sys.argv[3])["data"]["alerts"]
sys.exit(0 if any(a["labels"].get("alertname") == sys.argv[1] and a["labels"].get("job_name") == sys.argv[2]
                  and a["state"] == "firing" for a in alerts) else 1)' "$1" "$2" "$body"
}
expect_value() {  # PROMQL VALUE
  local got=""
  for _ in $(seq 1 60); do
    got=$(query "$1")
    [[ $got == "$2" ]] && return 0
    sleep 0.5
  done
  fail "Prometheus: $1 is '$got', expected $2"
}

expect_value 'cronjob_status{job_name="nightly",host="h1",status="success"}' 1
expect_value 'cronjob_status{job_name="broken",status="failure"}' 0
expect_value 'cronjob_last_duration_seconds{job_name="nightly"}' 12
expect_value 'cronjob_status{job_name="silent",status="missed_deadline"}' 0
expect_value 'cronjob_missed_deadlines_total{job_name="silent"}' 1
for _ in $(seq 1 60); do
  firing CronJobMissedDeadline silent && break
  sleep 0.5
done
firing CronJobMissedDeadline silent || fail "CronJobMissedDeadline did not fire for silent@h1"
firing CronJobFailed broken || fail "CronJobFailed did not fire for broken@h1"
firing CronJobMissedDeadline nightly && fail "CronJobMissedDeadline fired for a job within its threshold"
echo "prometheus: ok (scraped by a real Prometheus; CronJobMissedDeadline and CronJobFailed fire)"
