"""Shared helpers for the Python end-to-end scripts: start the cronmetrics
binary on a temp tree, talk to it, and stop it."""
import hashlib
import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def write_job(jobs_dir, name, host, key, threshold=3600, extra=""):
    os.makedirs(jobs_dir, exist_ok=True)
    with open(os.path.join(jobs_dir, f"{name}@{host}.yaml"), "w") as f:
        f.write(f"version: 1\njob_name: {name}\nhost: {host}\nautomatic_failure_threshold: {threshold}\n"
                f"api_key_sha256: {key_hash(key)}\n{extra}")


def serve(handler):
    """Serves `handler` (a BaseHTTPRequestHandler class, quieted) on a free
    loopback port in a thread of its own: (server, its base URL)."""
    from http.server import ThreadingHTTPServer
    import threading
    handler.log_message = lambda self, *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Server:
    """The binary serving `work/jobs.d` with `work/cronmetrics.db` on a free
    port, or the PostgreSQL store `storage_url` names (its password and TLS
    settings in `env`)."""

    def __init__(self, binary, work, env=None, database=None, port=None, storage_url=None):
        self.binary, self.work = binary, work
        self.database = database or os.path.join(work, "cronmetrics.db")
        self.storage_url = storage_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, CRONMETRICS_SECURITY_ADMIN_API_KEYS="e2e-admin", **(env or {}))
        self.proc = None

    def start(self, timeout=30):
        self.launch()
        return self.wait_ready(timeout)

    def launch(self):
        """Starts the process without waiting for it to answer."""
        log = open(os.path.join(self.work, "server.log"), "a")
        store = ["--storage-url", self.storage_url] if self.storage_url else ["--database", self.database]
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--jobs-dir", os.path.join(self.work, "jobs.d"),
             *store, "--listen", f"127.0.0.1:{self.port}"],
            env=self.env, stdout=log, stderr=log)
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail(f"server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        fail("server did not start")

    def kill(self, sig=9):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            if sig in (9, 15):
                self.proc.wait(timeout=30)

    def log_tail(self, lines=10):
        with open(os.path.join(self.work, "server.log")) as f:
            return "".join(f.readlines()[-lines:])

    def request(self, method, path, body=None, headers=None, timeout=10):
        """(status, body text); never raises for an HTTP status."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def submit(self, key, payload, timeout=10):
        return self.request("POST", "/api/job-result", json.dumps(payload),
                            {"X-API-Key": key, "Content-Type": "application/json"}, timeout)

    def admin(self, method, path, payload=None):
        headers = {"Authorization": "Bearer e2e-admin"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, path, json.dumps(payload) if payload is not None else None, headers)

    def history(self, job_id, limit=1000):
        ids, before = [], None
        while True:
            query = f"?limit={limit}" + (f"&before={before}" if before else "")
            status, text = self.admin("GET", f"/api/job/{job_id}/results{query}")
            if status != 200:
                fail(f"history answered {status}: {text}")
            page = json.loads(text)
            ids += [r["id"] for r in page["results"]]
            before = page.get("next_before")
            if not before:
                return ids

    def metric(self, line_prefix):
        _, text = self.request("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(line_prefix):
                return line[len(line_prefix):].strip()
        return None


def wrk_submissions(url, seconds, jobs):
    """p50 and p99 latency (ms) and requests/s of result submissions (wrk,
    2 threads, 16 connections, Benchmarks/wrk/submit.lua over `jobs` jobs)
    for `seconds`; run from the repository root."""
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", "Benchmarks/wrk/submit.lua", url],
                         env=dict(os.environ, JOBS=str(jobs), THREADS="2"), capture_output=True, text=True, check=True).stdout

    def percentile(n):
        found = re.search(rf"^\s+{n}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)]
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M).group(1))
    return {"p50": percentile(50), "p99": percentile(99), "rps": rps}


def wait_until(condition, timeout=10, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)
