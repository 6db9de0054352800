#!/usr/bin/env python3
"""The server on PostgreSQL when things go wrong, against the cluster
scripts/e2e/postgres.sh started (PG_TEST_DIR, PG_TEST_PORT, PG_TEST_OPTIONS):

- a statement over storage.statement_timeout answers 503 at the timeout;
- PostgreSQL stopped (-m immediate) answers 503, /metrics keeps answering, and
  submissions succeed again when it is back, without a restart; nothing
  acknowledged is lost;
- a server started while PostgreSQL is down waits for it;
- a schema newer than the build is refused at start;
- passwords: from storage.password_env; a wrong one and one inside the URL
  stop the start at once;
- TLS verify-full with the cluster's CA works; another CA stops the start.

usage: postgres.py PATH_TO_CRONMETRICS
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, wait_until, write_job  # noqa: E402

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
DIR, PORT, OPTIONS = os.environ["PG_TEST_DIR"], os.environ["PG_TEST_PORT"], os.environ["PG_TEST_OPTIONS"]
KEY = "postgres-e2e-key-0123456789abcdef0123456789"
AS_OWNER = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def psql(sql, database="postgres"):
    return subprocess.run([f"{PG_BIN}/psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", PORT,
                           "-U", "cronmetrics", "-d", database, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def pg_ctl(*arguments):
    subprocess.run(AS_OWNER + [f"{PG_BIN}/pg_ctl", "-D", f"{DIR}/data", "-l", f"{DIR}/server.log", "-w", "-t", "60",
                               *arguments], check=True, capture_output=True)


def pg_start():
    pg_ctl("-o", OPTIONS, "start")


def pg_stop_now():
    pg_ctl("-m", "immediate", "stop")


def give_to_postgres(path, mode=0o600):
    os.chmod(path, mode)
    if AS_OWNER:
        subprocess.run(["chown", "postgres:postgres", path], check=True)


def exits(server, timeout=15):
    """Starts `server`, expects it to exit with an error within `timeout` s: its log."""
    server.launch()
    try:
        code = server.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill(9)
        fail(f"the server kept running; expected it to stop: {server.log_tail()}")
    if code == 0:
        fail("the server exited 0; expected an error")
    return server.log_tail(30)


class Acked:
    """Every submission acknowledged with 201, to find in the history at the end."""

    def __init__(self, server):
        self.server, self.ids = server, []

    def submit(self, code=0, timeout=15):
        started = time.monotonic()
        status, text = self.server.submit(KEY, {"job_name": "nightly", "host": "db1", "exit_code": code}, timeout=timeout)
        if status == 201:
            import json
            self.ids.append(json.loads(text)["id"])
        return status, text, time.monotonic() - started


def faults(binary, work, url):
    server = Server(binary, work, storage_url=url, env={
        "CRONMETRICS_STORAGE_TLS_MODE": "disable", "CRONMETRICS_STORAGE_STATEMENT_TIMEOUT": "1s",
        "CRONMETRICS_STORAGE_CONNECT_TIMEOUT": "2s"}).start()
    acked = Acked(server)
    for code in range(5):
        status, text, _ = acked.submit(code)
        if status != 201:
            fail(f"a submission on PostgreSQL answered {status}: {text}")

    # A lock held longer than the statement timeout: 503 at the timeout, not when the lock goes.
    locker = subprocess.Popen([f"{PG_BIN}/psql", "-qAtX", "-h", "127.0.0.1", "-p", PORT, "-U", "cronmetrics", "-d", "faults",
                               "-c", "BEGIN; LOCK TABLE job_state IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    held = "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'job_state' AND l.mode = 'AccessExclusiveLock' AND l.granted"
    if not wait_until(lambda: psql(held, "faults") == "1", timeout=10):
        fail("the lock on job_state was never taken")
    status, text, took = acked.submit(1)
    if status != 503 or "retry" not in text:
        fail(f"a submission blocked past statement_timeout answered {status} {text}; expected 503")
    if took > 4.5:
        fail(f"the 503 came after {took:.1f} s: the statement timeout (1 s) did not cut the wait for a 6 s lock")
    print(f"postgres: statement_timeout 1s: 503 after {took:.2f} s behind a 6 s lock")
    locker.wait(timeout=20)
    status, text, _ = acked.submit(0)
    if status != 201:
        fail(f"after the lock went, a submission answered {status}: {text}")

    # PostgreSQL gone: 503, /metrics from memory; back: 201 without a restart.
    pg_stop_now()
    status, text, took = acked.submit(2)
    if status != 503:
        fail(f"with PostgreSQL stopped a submission answered {status}: {text}")
    metrics_status, metrics = server.request("GET", "/metrics")
    if metrics_status != 200 or 'cronjob_status{job_name="nightly",host="db1"' not in metrics:
        fail(f"/metrics answered {metrics_status} with PostgreSQL stopped")
    print(f"postgres: stopped (-m immediate): submission 503 after {took:.2f} s, /metrics 200")
    pg_start()
    back = time.monotonic()
    if not wait_until(lambda: acked.submit(0)[0] == 201, timeout=30, interval=0.2):
        fail(f"submissions did not recover after PostgreSQL came back: {server.log_tail()}")
    print(f"postgres: back: submissions 201 again after {time.monotonic() - back:.2f} s, no restart")
    stored = set(server.history("nightly@db1"))
    missing = sorted(set(acked.ids) - stored)
    if missing:
        fail(f"acknowledged results lost across the faults: {missing}")
    server.kill(15)

    # A server started while PostgreSQL is down waits for it.
    pg_stop_now()
    server.launch()
    time.sleep(3)
    if server.proc.poll() is not None:
        fail(f"the server gave up while PostgreSQL was down: {server.log_tail()}")
    if "PostgreSQL unreachable; retrying" not in server.log_tail(50):
        fail(f"no retry logged: {server.log_tail()}")
    pg_start()
    server.wait_ready(60)
    print(f"postgres: started while PostgreSQL was down, ready once it came back; {len(acked.ids)} acknowledged results all stored")
    server.kill(15)

    # A schema newer than this build is refused.
    psql("INSERT INTO cronmetrics_schema (version, name, applied_at) VALUES (99, 'from the future', 0)", "faults")
    log = exits(server)
    if "newer than this cronmetrics knows" not in log:
        fail(f"a newer schema was not refused clearly: {log}")
    psql("DELETE FROM cronmetrics_schema WHERE version = 99", "faults")
    print("postgres: a schema newer than the build is refused at start")


def passwords(binary, work):
    psql("CREATE ROLE secured LOGIN PASSWORD 'pa55-word'")
    psql("CREATE DATABASE secured OWNER secured")
    hba = f"{DIR}/data/pg_hba.conf"
    with open(hba) as f:
        rules = f.read()
    with open(hba, "w") as f:
        f.write("host all secured 127.0.0.1/32 scram-sha-256\n" + rules)
    psql("SELECT pg_reload_conf()")
    url = f"postgres://secured@127.0.0.1:{PORT}/secured"
    env = {"CRONMETRICS_STORAGE_TLS_MODE": "disable", "CRONMETRICS_STORAGE_PASSWORD_ENV": "E2E_PG_PASSWORD"}
    server = Server(binary, work, storage_url=url, env=dict(env, E2E_PG_PASSWORD="pa55-word")).start()
    if Acked(server).submit()[0] != 201:
        fail("no submission with password authentication")
    server.kill(15)
    log = exits(Server(binary, work, storage_url=url, env=dict(env, E2E_PG_PASSWORD="wrong")))
    if "password authentication failed" not in log:
        fail(f"a wrong password did not say so: {log}")
    log = exits(Server(binary, work, storage_url=f"postgres://secured:pa55-word@127.0.0.1:{PORT}/secured", env=env))
    if "storage.password_file" not in log or "pa55-word" in log:
        fail(f"a password in the URL was not refused with a pointer (or was echoed): {log}")
    print("postgres: password from storage.password_env; a wrong one and one in the URL stop the start")


def tls(binary, work):
    # Inside the cluster's folder, which postgres.sh removes at the end.
    made = tempfile.mkdtemp(prefix="tls-", dir=DIR)

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=made)
    for name in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
                "-days", "1", "-subj", f"/CN=cronmetrics test {name}")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(f"{made}/san.ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "1", "-extfile", "san.ext")
    for name in ("server.pem", "server.key"):
        with open(f"{made}/{name}", "rb") as source, open(f"{DIR}/{name}", "wb") as target:
            target.write(source.read())
        give_to_postgres(f"{DIR}/{name}")
    psql(f"ALTER SYSTEM SET ssl_cert_file = '{DIR}/server.pem'")
    psql(f"ALTER SYSTEM SET ssl_key_file = '{DIR}/server.key'")
    psql("ALTER SYSTEM SET ssl = on")
    psql("SELECT pg_reload_conf()")
    url = f"postgres://cronmetrics@127.0.0.1:{PORT}/faults"
    server = Server(binary, work, storage_url=url, env={
        "CRONMETRICS_STORAGE_TLS_MODE": "verify-full", "CRONMETRICS_STORAGE_TLS_CA_FILE": f"{made}/ca.pem"}).start()
    if Acked(server).submit()[0] != 201:
        fail("no submission over verify-full TLS")
    encrypted = psql("SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.application_name = 'cronmetrics'")
    if encrypted == "0":
        fail("the server's connections are not encrypted")
    server.kill(15)
    started = time.monotonic()
    log = exits(Server(binary, work, storage_url=url, env={
        "CRONMETRICS_STORAGE_TLS_MODE": "verify-full", "CRONMETRICS_STORAGE_TLS_CA_FILE": f"{made}/other-ca.pem"}))
    if "certificate" not in log.lower():
        fail(f"a certificate from another CA did not stop the start with a reason: {log}")
    print(f"postgres: verify-full with the cluster's CA: {encrypted} encrypted connection(s); "
          f"another CA stops the start after {time.monotonic() - started:.1f} s")
    server = Server(binary, work, storage_url=url, env={"CRONMETRICS_STORAGE_TLS_MODE": "require"}).start()
    if Acked(server).submit()[0] != 201:
        fail("no submission over require TLS")
    server.kill(15)
    print("postgres: require TLS (no verification) works")


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cronmetrics-postgres-")
    write_job(os.path.join(work, "jobs.d"), "nightly", "db1", KEY)
    psql("CREATE DATABASE faults")
    faults(binary, work, f"postgres://cronmetrics@127.0.0.1:{PORT}/faults")
    passwords(binary, work)
    tls(binary, work)
    print("postgres: all passed")


if __name__ == "__main__":
    main()
