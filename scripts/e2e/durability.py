#!/usr/bin/env python3
"""kill -9 during 500 concurrent submissions: every result acknowledged with
201 must be in the history after a restart.

usage: durability.py PATH_TO_CRONMETRICS
"""
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

TOTAL = 500
KILL_AFTER = 200  # acknowledgements before the kill
WORKERS = 8
ADMIN = "durability-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, work, port):
    env = dict(os.environ, CRONMETRICS_SECURITY_ADMIN_API_KEYS=ADMIN)
    log = open(os.path.join(work, "server.log"), "a")
    proc = subprocess.Popen(
        [binary, "serve", "--jobs-dir", os.path.join(work, "jobs.d"),
         "--database", os.path.join(work, "cronmetrics.db"), "--listen", f"127.0.0.1:{port}"],
        env=env, stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("server did not start")


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cronmetrics-durability-")
    os.makedirs(os.path.join(work, "jobs.d"))
    key = "durability-key"
    with open(os.path.join(work, "jobs.d", "bulk@db1.yaml"), "w") as f:
        f.write("version: 1\njob_name: bulk\nhost: db1\nautomatic_failure_threshold: 3600\n"
                f"api_key_sha256: {hashlib.sha256(key.encode()).hexdigest()}\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start(binary, work, port)

    acked = []
    lock = threading.Lock()
    next_index = [0]
    killed = threading.Event()

    def worker():
        while True:
            with lock:
                if next_index[0] >= TOTAL:
                    return
                index = next_index[0]
                next_index[0] += 1
            body = json.dumps({"job_name": "bulk", "host": "db1", "exit_code": index % 3,
                               "output": f"run {index}"}).encode()
            request = urllib.request.Request(f"{url}/api/job-result", data=body, method="POST",
                                             headers={"X-API-Key": key, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 201:
                        receipt = json.loads(response.read())
                        with lock:
                            acked.append(receipt["id"])
                            if len(acked) == KILL_AFTER and not killed.is_set():
                                killed.set()
                                server.send_signal(signal.SIGKILL)
            except (urllib.error.URLError, ConnectionError, OSError):
                if killed.is_set():
                    return

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.wait()
    if not killed.is_set():
        sys.exit("FAIL: the server was never killed")
    print(f"durability: {len(acked)} acknowledged before and around kill -9 (of {next_index[0]} sent)")

    server = start(binary, work, port)
    stored = set()
    before = None
    while True:
        query = "limit=1000" + (f"&before={before}" if before else "")
        request = urllib.request.Request(f"{url}/api/job/bulk@db1/results?{query}",
                                         headers={"Authorization": f"Bearer {ADMIN}"})
        page = json.loads(urllib.request.urlopen(request, timeout=5).read())
        stored.update(r["id"] for r in page["results"])
        before = page.get("next_before")
        if not before:
            break
    metrics = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    missing = sorted(set(acked) - stored)
    if missing:
        sys.exit(f"FAIL: {len(missing)} acknowledged results lost: {missing[:20]}")
    runs = next(line for line in metrics.splitlines() if line.startswith('cronjob_runs_total{job_name="bulk"'))
    if int(runs.split()[-1]) != len(stored):
        sys.exit(f"FAIL: runs_total {runs} but {len(stored)} results stored")
    print(f"durability: ok, all {len(acked)} acknowledged results present after restart ({len(stored)} stored; {runs})")


if __name__ == "__main__":
    main()
