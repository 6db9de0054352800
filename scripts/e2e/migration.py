"""The rows of docs/migrating-from-cron-exporter.md that are checked against
the binary (each check prints the row it proves: M1, M2 …). The importer,
Content-Type, X-API-Key, /health and settings rows are checked by the Swift
tests the guide names."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, free_port, key_hash, wait_until, write_job  # noqa: E402

KEY = "migration-key-0123456789abcdef0123456789"


def ok(row, text):
    print(f"ok {row}: {text}")


def main(binary, work):
    write_job(os.path.join(work, "jobs.d"), "backup", "db1", KEY, threshold=3600, extra="labels:\n  env: prod\n")
    write_job(os.path.join(work, "jobs.d"), "report", "web1", KEY + "x", threshold=3600, extra="labels:\n  env: staging\n")

    # M1: /etc/cronmetrics/config.yaml is read when no file is named.
    system = "/etc/cronmetrics/config.yaml"
    if not os.path.exists(system) and os.access("/etc", os.W_OK):
        os.makedirs("/etc/cronmetrics", exist_ok=True)
        try:
            with open(system, "w") as f:
                f.write("retention:\n  keep_last: 7\n")
            env = {k: v for k, v in os.environ.items() if k != "CRONMETRICS_CONFIG"}
            shown = subprocess.run([binary, "config", "show"], cwd=work, env=env, capture_output=True, text=True).stdout
            line = next((l for l in shown.splitlines() if l.startswith("retention.keep_last")), "")
            if "7" not in line.split() or f"{system}:2:3" not in line:
                fail(f"M1: {system} was not read: {line!r}")
            ok("M1", f"{system} is read when no --config is given")
        finally:
            os.remove(system)
            if not os.listdir("/etc/cronmetrics"):
                os.rmdir("/etc/cronmetrics")
    else:
        print(f"skip M1: {system} exists or /etc is not writable")

    # M2: the original's variables place the server.
    port = free_port()
    server = Server(binary, work, env={"CRONMETRICS_SERVER_HOST": "127.0.0.1", "CRONMETRICS_SERVER_PORT": str(port)}, port=port)
    server.proc = subprocess.Popen([binary, "serve", "--jobs-dir", os.path.join(work, "jobs.d"), "--database", server.database],
                                   env=server.env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))
    def up():
        try:
            return server.request("GET", "/health")[0] == 200
        except OSError:
            return False
    if not wait_until(up, timeout=30):
        fail(f"M2: no server at 127.0.0.1:{port} from CRONMETRICS_SERVER_HOST/_PORT: {server.log_tail()}")
    ok("M2", "CRONMETRICS_SERVER_HOST and CRONMETRICS_SERVER_PORT set where the server listens")
    try:
        checks(server)
    finally:
        server.kill(9)


def checks(server):
    # M8: a job that never reported is pending (-1), with no last-run time.
    _, metrics = server.request("GET", "/metrics")
    if 'cronjob_status{job_name="backup",host="db1",env="prod",status="pending"} -1' not in metrics:
        fail(f"M8: {metrics[:400]}")
    if 'cronjob_last_run_timestamp{job_name="backup"' in metrics:
        fail("M8: cronjob_last_run_timestamp before the first run")
    ok("M8", "never reported: status=\"pending\" -1, no cronjob_last_run_timestamp")
    # M10: no cronjob_status_info / cronjob_status_reason; the reason is the status label.
    if "cronjob_status_info" in metrics or "cronjob_status_reason" in metrics:
        fail("M10: the original's info and reason families are exported")
    ok("M10", "no cronjob_status_info or cronjob_status_reason; the status label says why")

    # M18: deadlines run on the server's clock: a result whose timestamp is two
    # hours old does not make a one-hour threshold fail (the original counted
    # from that timestamp and reported missed_deadline at once).
    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7200))
    status, text = server.request("POST", "/api/job-result", json.dumps(
        {"job_name": "backup", "host": "db1", "status": "success", "duration": 42, "timestamp": old}), {"X-API-Key": KEY})
    if status != 201:
        fail(f"M18: {status} {text}")
    _, metrics = server.request("GET", "/metrics")
    # M9 / M11: a reported job: the value as before, a status label, the times.
    if 'cronjob_status{job_name="backup",host="db1",env="prod",status="success"} 1' not in metrics:
        fail(f"M9/M18: {[l for l in metrics.splitlines() if 'backup' in l]}")
    ok("M18", "a result stamped two hours ago keeps a one-hour job up: deadlines count from receipt")
    if 'cronjob_last_run_timestamp{job_name="backup",host="db1"}' not in metrics:
        fail("M9: no cronjob_last_run_timestamp after a run")
    ok("M9", "a reported job: cronjob_status 1 with status=\"success\", cronjob_last_run_timestamp present")
    if 'cronjob_last_duration_seconds{job_name="backup",host="db1"} 42' not in metrics:
        fail("M11: no cronjob_last_duration_seconds 42")
    ok("M11", "cronjob_duration_seconds (never set by the original) is cronjob_last_duration_seconds")
    # M12: metrics are at /metrics.
    ok("M12", "/metrics answers (metrics.path is gone)")

    admin = {"X-API-Key": "e2e-admin"}
    # M3 and M7: numeric ids are gone; errors are JSON with `error`.
    status, text = server.request("GET", "/api/job/1", headers=admin)
    body = json.loads(text)
    if status != 404 or "ids are job_name@host" not in body.get("error", "") or "request_id" not in body:
        fail(f"M3/M7: {status} {text}")
    status, text = server.request("GET", "/api/job/backup@db1", headers=admin)
    if status != 200 or json.loads(text)["id"] != "backup@db1":
        fail(f"M3: {status} {text[:200]}")
    ok("M3", "/api/job/1 is 404 naming the id form; /api/job/backup@db1 answers")
    ok("M7", "errors are {\"error\": …, \"request_id\": …}")
    # M4: the list is an object with `jobs`; label.NAME=VALUE still filters.
    status, text = server.request("GET", "/api/job?label.env=prod", headers=admin)
    jobs = json.loads(text).get("jobs")
    if status != 200 or [j["id"] for j in jobs] != ["backup@db1"]:
        fail(f"M4: {status} {text[:300]}")
    ok("M4", "GET /api/job answers {\"jobs\": [...]}; ?label.env=prod filters as before (and ?label=env=prod)")
    # M5: PUT replaces (a partial body is refused, naming the field); PATCH changes some fields.
    status, text = server.request("PUT", "/api/job/backup@db1", json.dumps({"status": "paused"}), admin)
    if status != 422 or json.loads(text).get("field") != "automatic_failure_threshold":
        fail(f"M5: PUT with some fields: {status} {text[:200]}")
    status, text = server.request("PATCH", "/api/job/backup@db1", json.dumps({"status": "paused"}), admin)
    if status != 200 or json.loads(text)["status"] != "paused":
        fail(f"M5: PATCH: {status} {text[:200]}")
    ok("M5", "PUT with some fields is 422 naming the missing one; PATCH changes just those")
    # M6: POST /api/job answers {"api_key", "job"}.
    status, text = server.request("POST", "/api/job", json.dumps({"job_name": "new", "host": "db2", "automatic_failure_threshold": 600}), admin)
    body = json.loads(text)
    if status != 201 or not body.get("api_key", "").startswith("cm_") or body.get("job", {}).get("id") != "new@db2":
        fail(f"M6: {status} {text[:200]}")
    ok("M6", "POST /api/job answers {\"api_key\": \"cm_…\", \"job\": {…}}, the key once")


if __name__ == "__main__":
    folder = tempfile.mkdtemp(prefix="cronmetrics-migration-")
    try:
        main(os.path.abspath(sys.argv[1]), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
