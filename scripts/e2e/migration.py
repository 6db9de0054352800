"""The rows of docs/migrating-from-cron-exporter.md that are checked against
the binary, M1 to M18: each check prints the row it proves, and at the end the
rows proved must be exactly the rows the guide says `e2e M…` for (the guide
names the Swift suites that check the others, or marks them documentation
only).

M1 needs root (a private mount namespace shows the binary its own
/etc/cronmetrics, whatever the machine has there): without root it fails where
CI=true, and is reported as skipped elsewhere."""
import hashlib
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, free_port, key_hash, wait_until, write_job  # noqa: E402

KEY = "migration-key-0123456789abcdef0123456789"
LEGACY_KEY = "legacy-key-0123456789abcdef0123456789ab"
GUIDE = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "migrating-from-cron-exporter.md")
PROVED, SKIPPED = [], []

# The cron-exporter's jobs and job_results tables as its last migration
# (004) leaves them (Tests/CronMetricsCLITests/ImportCronExporterTests.swift
# builds them step by step).
OLD_SCHEMA = """
CREATE TABLE migrations (filename TEXT PRIMARY KEY, applied_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, host TEXT NOT NULL, api_key TEXT,
  automatic_failure_threshold INTEGER NOT NULL DEFAULT 3600, labels TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'active',
  last_reported_at DATETIME DEFAULT CURRENT_TIMESTAMP, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME DEFAULT CURRENT_TIMESTAMP, UNIQUE(name, host));
CREATE TABLE job_results (id INTEGER PRIMARY KEY AUTOINCREMENT, job_name TEXT NOT NULL, host TEXT NOT NULL, status TEXT NOT NULL,
  labels TEXT DEFAULT '{}', duration INTEGER, output TEXT, timestamp DATETIME NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  job_id INTEGER REFERENCES jobs(id));
INSERT INTO migrations (filename) VALUES ('001_create_jobs_table.sql'), ('002_create_job_results_table.sql'),
  ('003_add_api_key_to_jobs.sql'), ('004_add_job_id_column.sql');
"""

# A cron-exporter config.yaml in the old names (server: the M2 variables win).
OLD_CONFIG = """server:
  host: 127.0.0.1
  port: 9099
  idle_timeout: 90
  read_timeout: 15
database:
  path: {database}
logging:
  level: warn
  format: json
metrics:
  path: /prom
"""


def ok(row, text):
    PROVED.append(row)
    print(f"ok {row}: {text}")


def guide_rows():
    """The rows the guide says are checked here: every `e2e M…` it names."""
    with open(GUIDE) as f:
        text = f.read()
    return {row for names in re.findall(r"e2e (M\d+(?:, M\d+)*)", text) for row in names.split(", ")}


def system_config(binary, work):
    """M1: `config show` with no --config, as the binary sees it when
    /etc/cronmetrics/config.yaml says keep_last: 7. A private mount namespace
    puts a tmpfs on /etc/cronmetrics for that one command, so a file the
    machine has there is neither read nor touched; a folder made for the
    mount point is removed after."""
    made = not os.path.isdir("/etc/cronmetrics")
    if made:
        os.makedirs("/etc/cronmetrics")
    try:
        env = {k: v for k, v in os.environ.items() if k != "CRONMETRICS_CONFIG"}
        script = ('mount -t tmpfs tmpfs /etc/cronmetrics && printf "retention:\\n  keep_last: 7\\n" > /etc/cronmetrics/config.yaml'
                  ' && exec "$0" config show')
        shown = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, binary],
                               cwd=work, env=env, capture_output=True, text=True)
        if shown.returncode != 0:
            fail(f"M1: config show in a mount namespace exited {shown.returncode}: {shown.stderr}")
        return shown.stdout
    finally:
        if made:
            os.rmdir("/etc/cronmetrics")


def old_database(path):
    """M17: the cron-exporter's database with one job, its key in clear."""
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO jobs (name, host, api_key, automatic_failure_threshold, labels, status) VALUES (?, ?, ?, ?, ?, ?)",
                   ("legacy", "old1", LEGACY_KEY, 7200, '{"team":"ops"}', "active"))
        db.execute("INSERT INTO job_results (job_name, host, status, duration, output, timestamp, job_id) VALUES (?, ?, ?, ?, ?, ?, 1)",
                   ("legacy", "old1", "success", 12, "ok", "2026-11-20 03:00:12"))
    db.close()


def main(binary, work):
    write_job(os.path.join(work, "jobs.d"), "backup", "db1", KEY, threshold=3600, extra="labels:\n  env: prod\n")
    write_job(os.path.join(work, "jobs.d"), "report", "web1", KEY + "x", threshold=3600, extra="labels:\n  env: staging\n")

    # M17: the importer carries a job over with its key, so the cron host's
    # curl line keeps working (the result is posted in checks()).
    old_database(os.path.join(work, "old.db"))
    imported = subprocess.run([binary, "import", "cron-exporter", "--database", os.path.join(work, "old.db"),
                               "--jobs-dir", os.path.join(work, "jobs.d")], capture_output=True, text=True)
    path = os.path.join(work, "jobs.d", "legacy@old1.yaml")
    if imported.returncode != 0 or not os.path.exists(path):
        fail(f"M17: import exited {imported.returncode}, {path} {'exists' if os.path.exists(path) else 'missing'}:"
             f" {imported.stdout}{imported.stderr}")
    with open(path) as f:
        written = f.read()
    want = ["automatic_failure_threshold: 7200", f"api_key_sha256: {hashlib.sha256(LEGACY_KEY.encode()).hexdigest()}", "team: ops"]
    if [w for w in want if w not in written] or LEGACY_KEY in written:
        fail(f"M17: the imported file lacks {[w for w in want if w not in written]} or holds the key:\n{written}")

    # M1: /etc/cronmetrics/config.yaml is read when no file is named.
    system = "/etc/cronmetrics/config.yaml"
    if os.geteuid() == 0:
        shown = system_config(binary, work)
        line = next((l for l in shown.splitlines() if l.startswith("retention.keep_last")), "")
        if line.split()[1:3] != ["7", f"{system}:2:3"]:
            fail(f"M1: {system} was not read: {line!r}")
        ok("M1", f"{system} is read when no --config is given")
    elif os.environ.get("CI") == "true":
        fail("M1: needs root (a mount namespace for /etc/cronmetrics), and CI runs as root: this run is not")
    else:
        SKIPPED.append("M1")
        print("SKIPPED M1: needs root (CI=true makes this a failure)")

    # M16: the old settings file: each old name read as its new one, with a
    # warning naming the new one; settings cronmetrics lacks, named and ignored.
    config = os.path.join(work, "old-config.yaml")
    with open(config, "w") as f:
        f.write(OLD_CONFIG.format(database=os.path.join(work, "old-names.db")))
    shown = subprocess.run([binary, "config", "show", "--config", config], cwd=work, capture_output=True, text=True)
    values = {l.split()[0]: l.split()[1] for l in shown.stdout.splitlines()[1:] if l.strip()}
    expected = {"server.listen": "127.0.0.1:9099", "server.idle_timeout_seconds": "90",
                "storage.database": os.path.join(work, "old-names.db"), "log.level": "warning", "log.format": "json"}
    got = {k: values.get(k) for k in expected}
    if shown.returncode != 0 or got != expected:
        fail(f"M16: config show: exit {shown.returncode}, {got}, expected {expected}: {shown.stderr}")
    warnings = [f"'{old}' is the cron-exporter's name; write '{new}'" for old, new in (
        ("server.host", "server.listen"), ("server.port", "server.listen"), ("server.idle_timeout", "server.idle_timeout_seconds"),
        ("database.path", "storage.database"), ("logging.level", "log.level"), ("logging.format", "log.format"))]
    warnings += ["'server.read_timeout' is a cron-exporter setting cronmetrics does not have, and is ignored",
                 "'metrics.path' is a cron-exporter setting cronmetrics does not have, and is ignored"]
    missing = [w for w in warnings if w not in shown.stderr]
    if missing:
        fail(f"M16: warnings missing: {missing}\n{shown.stderr}")
    ok("M16", "the old config.yaml: server.host/port, idle_timeout, database.path, logging.* read under their new names,"
              " each with a warning; read_timeout and metrics.path named and ignored")

    # M2: the original's variables place the server.
    port = free_port()
    # The old config.yaml too (M12: its metrics.path must not move /metrics);
    # the variables beat its server.host and server.port.
    server = Server(binary, work, env={"CRONMETRICS_SERVER_HOST": "127.0.0.1", "CRONMETRICS_SERVER_PORT": str(port),
                                       "CRONMETRICS_CONFIG": config}, port=port)
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
    claimed, here = guide_rows(), set(PROVED) | set(SKIPPED)
    if here != claimed or len(PROVED) != len(set(PROVED)):
        fail(f"the guide and this script disagree: the guide says e2e {sorted(claimed - here, key=lambda r: int(r[1:]))}"
             f" without a check here; checked here but not in the guide: {sorted(here - claimed, key=lambda r: int(r[1:]))}")
    print(f"migration: the {len(claimed)} rows the guide says e2e for: {len(PROVED)} checked"
          + (f", {', '.join(SKIPPED)} SKIPPED" if SKIPPED else ""))


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
    # M12: metrics are at /metrics, whatever the old metrics.path said (/prom).
    status, _ = server.request("GET", "/prom")
    if status != 404:
        fail(f"M12: /prom (the old file's metrics.path) answered {status}")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/metrics")
    response = connection.getresponse()
    body = response.read().decode()
    kind = response.getheader("Content-Type", "")
    connection.close()
    if response.status != 200 or not kind.startswith("text/plain; version=0.0.4") or "# TYPE cronjob_status gauge" not in body:
        fail(f"M12: /metrics answered {response.status} {kind!r}: {body[:200]}")
    ok("M12", "/metrics answers Prometheus text; the old metrics.path (/prom) is 404")

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

    # M13: a result as old curl lines post it: no Content-Type, or curl -d's
    # form type, with a JSON object; any other body is 415.
    result = json.dumps({"job_name": "report", "host": "web1", "status": "success"})
    for kind in (None, "application/x-www-form-urlencoded", "text/plain"):
        status, text = raw(server, "POST", "/api/job-result", result, {"X-API-Key": KEY + "x"}, kind)
        if status != 201:
            fail(f"M13: a JSON object with Content-Type {kind}: {status} {text}")
    status, text = raw(server, "POST", "/api/job-result", "job_name=report&host=web1&status=success",
                       {"X-API-Key": KEY + "x"}, "application/x-www-form-urlencoded")
    if status != 415:
        fail(f"M13: a form body answered {status}, not 415: {text}")
    ok("M13", "POST /api/job-result takes a JSON object with no, a form or a text Content-Type; a form body is 415")

    # M14: the admin key in X-API-Key or in Authorization: Bearer.
    for headers in ({"X-API-Key": "e2e-admin"}, {"Authorization": "Bearer e2e-admin"}):
        status, text = server.request("GET", "/api/job/backup@db1", headers=headers)
        if status != 200:
            fail(f"M14: {headers} answered {status}: {text[:200]}")
    status, _ = server.request("GET", "/api/job/backup@db1", headers={"X-API-Key": "not-a-key"})
    if status != 401:
        fail(f"M14: a wrong key answered {status}, not 401")
    ok("M14", "the admin key works in X-API-Key and in Authorization: Bearer; a wrong one is 401")

    # M15: /health: the old JSON when asked for JSON, plain ok otherwise.
    status, text = server.request("GET", "/health", headers={"Accept": "application/json"})
    try:
        health = json.loads(text)
    except ValueError:
        health = {}
    if status != 200 or not isinstance(health, dict) or sorted(health) != ["status", "timestamp", "version"] \
            or health["status"] != "ok":
        fail(f"M15: /health with Accept: application/json: {status} {text}")
    status, text = server.request("GET", "/health")
    if status != 200 or text.strip() != "ok":
        fail(f"M15: /health without Accept: {status} {text!r}")
    ok("M15", "/health answers {\"status\", \"version\", \"timestamp\"} to Accept: application/json, plain ok otherwise")

    # M17: the imported job takes the old key, posted the old way.
    status, text = raw(server, "POST", "/api/job-result", json.dumps({"job_name": "legacy", "host": "old1", "status": "success"}),
                       {"X-API-Key": LEGACY_KEY}, None)
    if status != 201:
        fail(f"M17: the imported job refused its old key: {status} {text}")
    _, metrics = server.request("GET", "/metrics")
    if 'cronjob_status{job_name="legacy",host="old1",team="ops",status="success"} 1' not in metrics:
        fail(f"M17: {[l for l in metrics.splitlines() if 'legacy' in l]}")
    ok("M17", "import cron-exporter wrote legacy@old1.yaml (threshold, labels, the key's SHA-256, never the key);"
              " the old key posts to it")


def raw(server, method, path, body, headers, content_type):
    """(status, text) of a request with exactly this Content-Type (None:
    none at all, as urllib would add one)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = dict(headers, **({"Content-Type": content_type} if content_type else {}))
    connection.request(method, path, body=body.encode(), headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


if __name__ == "__main__":
    folder = tempfile.mkdtemp(prefix="cronmetrics-migration-")
    try:
        main(os.path.abspath(sys.argv[1]), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
