#!/usr/bin/env bash
# Ping URLs and `cronmetrics run` with the built binary, the way a crontab uses
# them: Healthchecks' own curl snippets (GET with no headers of ours, POST with a
# body of any type), and the wrapper around a real command.
set -euo pipefail
bin=${1:?usage: pings.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
e2e_workdir

key=ping-key-0123456789abcdefghijklmnopqrstuv
mkdir -p "$work/jobs.d"
cat > "$work/jobs.d/nightly@db1.yaml" <<YAML
version: 1
job_name: nightly
host: db1
schedule: "0 2 * * *"
timezone: Europe/Berlin
max_runtime: 3h
api_key_sha256: $(key_hash "$key")
YAML
start_server "$bin" "$work" pings
url=$SERVER_URL

# Healthchecks' snippets, only the base URL changed.
body=$(curl -fsS -m 10 --retry 5 "$url/ping/$key/start")
[[ $body == OK ]] || fail "start answered '$body'"
metrics_has "$url" 'cronjob_running{job_name="nightly",host="db1"} 1' || fail "start not running"
curl -fsS -m 10 --retry 5 -o /dev/null "$url/ping/$key"
metrics_has "$url" 'cronjob_running{job_name="nightly",host="db1"} 0' || fail "success did not close the run"
metrics_has "$url" 'cronjob_status{job_name="nightly",host="db1",status="success"} 1' || fail "success"
printf 'rsync: connection refused\n' | curl -fsS -m 10 --retry 5 --data-binary @- -o /dev/null "$url/ping/$key/23"
metrics_has "$url" 'cronjob_status{job_name="nightly",host="db1",status="failure"} 0' || fail "exit status 23"
metrics_has "$url" 'cronjob_last_exit_code{job_name="nightly",host="db1"} 23' || fail "exit code 23"
curl -fsS -m 10 -X POST --data-raw 'a=b&c=d' -o /dev/null "$url/ping/$key/fail"   # a form body is output too
curl -fsSI -m 10 -o /dev/null "$url/ping/$key"                                     # HEAD
metrics_has "$url" 'cronjob_runs_total{job_name="nightly",host="db1"} 4' || fail "four results"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/ping/not-a-key") == 404 ]] || fail "unknown key"
[[ $(curl -s "$url/ping/not-a-key") == "not found" ]] || fail "unknown key body"
history=$(curl -sf -H "Authorization: Bearer e2e-admin" "$url/api/job/nightly@db1/results?limit=3")
grep -q '"output":"a=b&c=d"' <<<"$history" || fail "form body not stored: $history"
grep -q 'rsync: connection refused' <<<"$history" || fail "piped body not stored: $history"
! grep -q "$key" "$work/pings.log" || fail "the key in the URL reached the log"

# The wrapper: output passed through, exit code kept, result reported.
printf '%s' "$key" > "$work/key"
set +e
out=$(CRONMETRICS_SERVER=$url "$bin" run --job nightly@db1 --key-file "$work/key" --spool "$work/spool" \
  -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 3' 2>"$work/run.err")
code=$?
set -e
[[ $code == 3 ]] || fail "run exited $code, not the command's 3"
[[ $out == to-stdout ]] || fail "run stdout: '$out'"
grep -qx 'to-stderr' "$work/run.err" || fail "run stderr: $(cat "$work/run.err")"
metrics_has "$url" 'cronjob_last_exit_code{job_name="nightly",host="db1"} 3' || fail "run result not reported"
metrics_has "$url" 'cronjob_running{job_name="nightly",host="db1"} 0' || fail "run left open"
echo "pings: ok (Healthchecks curl snippets: start, success, exit status, form and piped bodies, HEAD, 404; run wrapper)"
