#!/usr/bin/env python3
"""A notification flood: 10,000 jobs go down in the same deadline tick (they
never report, and their threshold runs out together), each with a webhook
channel to a local receiver. Measures how long until every event is
delivered, and submission latency (wrk, on 1,000 other jobs) during the
flood against the same server a moment before it: same run, same machine.

usage: bench-notify-flood.py BIN [ROUNDS]   (see scripts/bench-notify-flood.sh)"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "e2e"))
from e2elib import Server, fail, raise_file_limit, serve, wrk_submissions  # noqa: E402

FLOOD, PROBES, THRESHOLD = 10_000, 1_000, 45


class Receiver:
    """Accepts every delivery (HTTP/1.1 keep-alive) and notes its event id."""

    def __init__(self):
        self.ids, self.lock = set(), threading.Lock()
        self.deliveries = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.ids.add(self.headers.get("X-Cronmetrics-Event-Id"))
                    receiver.deliveries += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server, base = serve(Handler)
        self.url = base + "/hook"


def write_jobs(root):
    """Probe jobs 0..999 (the ones submit.lua posts to: long threshold, no
    channel) and flood jobs (threshold THRESHOLD, notify the receiver)."""
    for i in range(PROBES + FLOOD):
        folder = os.path.join(root, "probe" if i < PROBES else f"flood/shard{i % 20:02d}")
        os.makedirs(folder, exist_ok=True)
        name, host = f"job{i:06d}", f"host{i % 500:03d}"
        key_hash = hashlib.sha256(f"bench-key-{i}".encode()).hexdigest()
        timing = "automatic_failure_threshold: 1d\n" if i < PROBES else f"automatic_failure_threshold: {THRESHOLD}\nnotify: [flood]\n"
        with open(os.path.join(folder, f"{name}@{host}.yaml"), "w") as f:
            f.write(f"version: 1\njob_name: {name}\nhost: {host}\n{timing}api_key_sha256: {key_hash}\n")


def wrk(url, seconds):
    return wrk_submissions(url, seconds, PROBES)


def round_once(binary):
    work = tempfile.mkdtemp(prefix="cronmetrics-flood-")
    receiver = Receiver()
    try:
        write_jobs(os.path.join(work, "jobs.d"))
        config = os.path.join(work, "cronmetrics.yaml")
        with open(config, "w") as f:
            f.write(f"notifications:\n  channels:\n    flood: {{type: webhook, url: \"{receiver.url}\", concurrency: 16}}\n")
        server = Server(binary, work, env={"CRONMETRICS_CONFIG": config, "CRONMETRICS_JOBS_WATCH": "off"}).start(timeout=120)
        loaded = time.time()
        try:
            # Before: the flood jobs are pending, nothing is queued.
            time.sleep(2)
            wrk(server.url, 3)  # warm-up, not counted
            before = wrk(server.url, 10)
            if time.time() > loaded + THRESHOLD - 3:
                fail("the quiet measurement ran into the flood; raise THRESHOLD")
            time.sleep(max(0, loaded + THRESHOLD - 1 - time.time()))
            # During: wrk starts a second before the deadline and runs 10 s.
            during = wrk(server.url, 10)
            deadline = time.time() + 300
            while len(receiver.ids) < FLOOD and time.time() < deadline:
                time.sleep(0.2)
            if len(receiver.ids) != FLOOD:
                fail(f"{len(receiver.ids)} of {FLOOD} events delivered")
            db = sqlite3.connect(os.path.join(work, "cronmetrics.db"))
            created, delivered, rows = db.execute(
                "SELECT min(created_at), max(delivered_at), count(*) FROM notifications WHERE channel = 'flood' AND state = 'delivered'").fetchone()
            db.close()
            if rows != FLOOD:
                fail(f"{rows} delivered rows, expected {FLOOD}")
            # After: the same load once everything is delivered.
            after = wrk(server.url, 10)
            return {"delivery_s": delivered - created, "deliveries": receiver.deliveries,
                    "before": before, "during": during, "after": after}
        finally:
            server.kill(9)
    finally:
        receiver.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    raise_file_limit()
    print("| round | 10,000 delivered in | submissions p50 / p99 / per s: before | during the flood | after |")
    print("|---|---|---|---|---|")
    runs = []
    show = lambda m: f"{m['p50']:.2f} / {m['p99']:.2f} ms / {m['rps']:.0f}"  # noqa: E731
    for n in range(1, rounds + 1):
        r = round_once(binary)
        runs.append(r)
        print(f"| {n} | {r['delivery_s']:.2f} s ({r['deliveries']} requests) | {show(r['before'])} | {show(r['during'])} | {show(r['after'])} |",
              flush=True)
    median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
    ratio = median([r["during"]["p99"] / min(r["before"]["p99"], r["after"]["p99"]) for r in runs])
    print(f"\nmedian of {rounds}: delivered in {median([r['delivery_s'] for r in runs]):.2f} s; submission p99 "
          f"{median([r['before']['p99'] for r in runs]):.2f} ms before, {median([r['during']['p99'] for r in runs]):.2f} ms during, "
          f"{median([r['after']['p99'] for r in runs]):.2f} ms after; during / the lower of before and after: {ratio:.2f}")
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
