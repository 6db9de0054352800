#!/usr/bin/env python3
"""kill -9 during 500 concurrent submissions: every result acknowledged with
201 must be in the history after a restart.

usage: durability.py PATH_TO_CRONMETRICS [POSTGRES_URL]
  with a URL, the store is that PostgreSQL database (scripts/e2e/postgres.sh
  runs it so), else a SQLite file.
"""
import json
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, write_job  # noqa: E402

TOTAL = 500
KILL_AFTER = 200  # acknowledgements before the kill
WORKERS = 8
KEY = "durability-key-0123456789abcdef0123456789"


def main():
    work = tempfile.mkdtemp(prefix="cronmetrics-durability-")
    write_job(os.path.join(work, "jobs.d"), "bulk", "db1", KEY)
    storage_url = sys.argv[2] if len(sys.argv) > 2 else None
    server = Server(sys.argv[1], work, storage_url=storage_url,
                    env={"CRONMETRICS_STORAGE_TLS_MODE": "disable"} if storage_url else None).start()
    store = "PostgreSQL" if storage_url else "SQLite"
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
            try:
                status, text = server.submit(KEY, {"job_name": "bulk", "host": "db1", "exit_code": index % 3,
                                                   "output": f"run {index}"}, timeout=5)
            except OSError:
                if killed.is_set():
                    return
                continue
            if status == 201:
                with lock:
                    acked.append(json.loads(text)["id"])
                    if len(acked) == KILL_AFTER and not killed.is_set():
                        killed.set()
                        server.kill(9)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not killed.is_set():
        fail("the server was never killed")
    print(f"durability ({store}): {len(acked)} acknowledged before and around kill -9 (of {next_index[0]} sent)")

    server.start()
    stored = set(server.history("bulk@db1"))
    runs = server.metric('cronjob_runs_total{job_name="bulk",host="db1"} ')
    server.kill(15)
    missing = sorted(set(acked) - stored)
    if missing:
        fail(f"{len(missing)} acknowledged results lost: {missing[:20]}")
    if int(runs) != len(stored):
        fail(f"runs_total {runs} but {len(stored)} results stored")
    print(f"durability ({store}): ok, all {len(acked)} acknowledged results present after restart ({len(stored)} stored; runs_total {runs})")


if __name__ == "__main__":
    main()
