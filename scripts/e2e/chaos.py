#!/usr/bin/env python3
"""Faults an operator meets, against the binary:

1. disk full under load (the database on a small tmpfs; needs root, and fails
   without it where CI=true): answers are 201 or 503, never a 201 that is lost;
   service is back when space is;
2. kill -9 during API writes (after at least 20 jobs were created): no
   half-written job file, and no temp file left after the restart;
3. SIGSTOP / SIGCONT under load: every request is answered once the process
   runs again, and every 201 is counted.

(Clock steps are tested with an injected clock: DeadlineTests.clockSteps.)

usage: chaos.py PATH_TO_CRONMETRICS
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, wait_until, write_job  # noqa: E402

KEY = "chaos-key-0123456789abcdef0123456789abc"


def load(server, seconds, workers=8, output_bytes=0, stop=None):
    """Submits results from `workers` threads; returns (acknowledged ids, statuses)."""
    acknowledged, statuses = [], {}
    lock = threading.Lock()
    end = time.time() + seconds
    payload = {"job_name": "bulk", "host": "db1", "status": "success"}
    if output_bytes:
        payload["output"] = "x" * output_bytes

    def work():
        while time.time() < end and not (stop and stop.is_set()):
            try:
                status, text = server.submit(KEY, payload, timeout=30)
            except OSError as error:
                status, text = type(error).__name__, ""
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    acknowledged.append(int(text.split('"id":')[1].split(",")[0]))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acknowledged, statuses


def disk_full(binary):
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            fail("disk full needs root to mount a tmpfs, and CI runs as root: this run is not")
        print("chaos: disk full SKIPPED (needs root to mount a tmpfs; CI=true makes this a failure)")
        return
    work = tempfile.mkdtemp(prefix="cronmetrics-chaos-disk-")
    write_job(os.path.join(work, "jobs.d"), "bulk", "db1", KEY)
    db_dir = os.path.join(work, "db")
    os.makedirs(db_dir)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", db_dir], check=True)
    try:
        server = Server(binary, work, database=os.path.join(db_dir, "cronmetrics.db")).start()
        acknowledged, statuses = load(server, 6, output_bytes=4096)
        if statuses.get(503, 0) == 0:
            fail(f"the disk never filled: {statuses}")
        if set(statuses) - {201, 503}:
            fail(f"answers other than 201 and 503 while the disk was full: {statuses}")
        if server.proc.poll() is not None:
            fail("the server died when the disk filled")
        status, _ = server.request("GET", "/health")
        if status != 200:
            fail(f"/health answered {status} with the disk full")
        # Space comes back: the service does too, with no restart.
        subprocess.run(["mount", "-o", "remount,size=64m", db_dir], check=True)
        if not wait_until(lambda: server.submit(KEY, {"job_name": "bulk", "host": "db1", "status": "success"})[0] == 201, 10):
            fail("no 201 after space came back")
        more, after = load(server, 2)
        if set(after) != {201}:
            fail(f"answers after space came back: {after}")
        acknowledged += more
        server.kill(9)
        server.start()
        stored = set(server.history("bulk@db1"))
        lost = [i for i in acknowledged if i not in stored]
        if lost:
            fail(f"{len(lost)} acknowledged results lost, e.g. {lost[:5]}")
        server.kill(15)
        print(f"chaos: disk full ok ({statuses.get(201, 0)} accepted, {statuses.get(503, 0)} refused with 503 while full,"
              f" all {len(acknowledged)} acknowledged results stored)")
    finally:
        subprocess.run(["umount", "-l", db_dir])


def kill_during_writes(binary):
    work = tempfile.mkdtemp(prefix="cronmetrics-chaos-writes-")
    jobs = os.path.join(work, "jobs.d")
    write_job(jobs, "bulk", "db1", KEY)
    server = Server(binary, work).start()
    created = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker):
        index = 0
        while not stop.is_set():
            name = f"w{worker}_{index}"
            try:
                status, _ = server.admin("POST", "/api/job", {
                    "job_name": name, "host": "h", "automatic_failure_threshold": "1h",
                    "description": "x" * 2000, "labels": {"worker": str(worker)}})
            except OSError:
                return
            if status == 201:
                with lock:
                    created.append(name)
            try:
                server.admin("PATCH", "/api/job/bulk@db1", {"description": f"edit {worker} {index}"})
            except OSError:
                return
            index += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    enough = wait_until(lambda: len(created) >= 20, 20)
    if not enough:
        stop.set()
        for t in threads:
            t.join()
        server.kill(9)
        fail(f"{len(created)} jobs created through the API in 20 s before kill -9, expected at least 20")
    server.kill(9)
    stop.set()
    for t in threads:
        t.join()
    leftovers_before = [n for n in os.listdir(jobs) if n.startswith(".cronmetrics-")]
    check = subprocess.run([binary, "validate", jobs], capture_output=True, text=True)
    if check.returncode != 0:
        fail(f"a job file is broken after kill -9:\n{check.stdout}{check.stderr}")
    missing = [n for n in created if not os.path.exists(os.path.join(jobs, f"{n}@h.yaml"))]
    if missing:
        fail(f"jobs answered 201 but without a file: {missing[:5]}")
    server.start()
    leftovers = [n for n in os.listdir(jobs) if n.startswith(".")]
    if leftovers:
        fail(f"temp files left after the restart: {leftovers}")
    server.kill(15)
    print(f"chaos: kill -9 during API writes ok ({len(created)} jobs created, tree valid,"
          f" {len(leftovers_before)} temp file(s) swept at restart)")


def stop_and_continue(binary):
    work = tempfile.mkdtemp(prefix="cronmetrics-chaos-stop-")
    write_job(os.path.join(work, "jobs.d"), "bulk", "db1", KEY)
    server = Server(binary, work).start()
    result = {}

    def run():
        result["load"] = load(server, 5)

    loader = threading.Thread(target=run)
    loader.start()
    time.sleep(1)
    server.kill(signal.SIGSTOP)
    time.sleep(2)
    server.kill(signal.SIGCONT)
    loader.join()
    acknowledged, statuses = result["load"]
    if set(statuses) != {201}:
        fail(f"answers across SIGSTOP/SIGCONT: {statuses}")
    runs = server.metric('cronjob_runs_total{job_name="bulk",host="db1"} ')
    if runs != str(len(acknowledged)):
        fail(f"cronjob_runs_total is {runs}, {len(acknowledged)} were acknowledged")
    server.kill(15)
    print(f"chaos: SIGSTOP/SIGCONT ok ({len(acknowledged)} submissions, all answered 201 and counted)")


def main():
    binary = sys.argv[1]
    disk_full(binary)
    kill_during_writes(binary)
    stop_and_continue(binary)
    print("chaos: ok")


if __name__ == "__main__":
    main()
