"""Alert policy end to end (SPEC §16), on the built binary with a real
webhook receiver: a dependent's `down` is held while the job it depends on
fails and sent once that one recovers; an escalation step reaches its
channel at its time after the `down` went out, once, and the `up` resolves
it too; nothing is sent inside a maintenance window, and a failure still
true at the window's end is sent then; `cronjob_in_maintenance_window`
follows the window."""
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, serve, wait_until, write_job  # noqa: E402

ESCALATE_AFTER = 15


class Receiver:
    """Records every delivery: (arrival time, path, event)."""

    def __init__(self):
        self.arrived, self.lock = [], threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with receiver.lock:
                    receiver.arrived.append((time.time(), self.path, event))
                self.send_response(200)
                self.end_headers()

        self.server, self.url = serve(Handler)

    def find(self, path, job, kind, escalation=None):
        with self.lock:
            return [(at, event) for (at, p, event) in self.arrived
                    if p == path and event["job_id"] == job and event["kind"] == kind and event.get("escalation") == escalation]

    def summary(self):
        with self.lock:
            return sorted(f"{p} {e['job_id']} {e['kind']}" + (f" escalation {e['escalation']}" if e.get("escalation") else "")
                          for (_, p, e) in self.arrived)


def key(job):
    return f"key-{job}-0123456789abcdef0123456789"


def submit(server, job, exit_code):
    name, host = job.split("@")
    status, text = server.submit(key(job), {"job_name": name, "host": host, "exit_code": exit_code})
    if status != 201:
        fail(f"{job}: submission answered {status}: {text}")
    return time.time()


def main(work):
    binary = sys.argv[1]
    receiver = Receiver()
    config = os.path.join(work, "cronmetrics.yaml")
    with open(config, "w") as f:
        f.write("notifications:\n  default_channels: [hook]\n  retry: {base: 1s, cap: 2s}\n  channels:\n"
                f"    hook: {{type: webhook, url: \"{receiver.url}/hook\"}}\n"
                f"    pager: {{type: webhook, url: \"{receiver.url}/pager\"}}\n")
    jobs_dir = os.path.join(work, "jobs.d")
    # A window that opened this minute (UTC) and ends 30 s from now.
    now = datetime.now(timezone.utc)
    window_start = now.replace(second=0, microsecond=0)
    window_end = window_start.timestamp() + now.second + 30
    length = int(window_end - window_start.timestamp())
    write_job(jobs_dir, "db", "e2e", key("db@e2e"))
    write_job(jobs_dir, "report", "e2e", key("report@e2e"), extra="depends_on: [db@e2e]\n")
    write_job(jobs_dir, "sync", "e2e", key("sync@e2e"), extra=f"escalate: [{{after: {ESCALATE_AFTER}s, notify: [pager]}}]\n")
    write_job(jobs_dir, "vacuum", "e2e", key("vacuum@e2e"),
              extra=f"maintenance_windows: [{{schedule: \"{window_start.minute} {window_start.hour} * * *\", duration: {length}s}}]\n")
    server = Server(binary, work, env={"CRONMETRICS_CONFIG": config}).start()
    try:
        window_line = 'cronjob_in_maintenance_window{job_name="vacuum",host="e2e"}'
        if server.metric(window_line) != "1":
            fail(f"inside its window: {window_line} is {server.metric(window_line)}, expected 1")

        # Everything fails at once.
        for job in ["db@e2e", "report@e2e", "vacuum@e2e"]:
            submit(server, job, 1)
        sync_failed = submit(server, "sync@e2e", 1)
        if not wait_until(lambda: receiver.find("/hook", "db@e2e", "down") and receiver.find("/hook", "sync@e2e", "down"), timeout=15):
            fail(f"the downs of db and sync did not arrive: {receiver.summary()}")

        # report depends on db: held, and the API says why.
        status, text = server.admin("GET", "/api/job/report@e2e")
        blocked = json.loads(text).get("state", {}).get("blocked_by") if status == 200 else None
        if blocked != ["db@e2e"]:
            fail(f"report@e2e: blocked_by {blocked}, expected ['db@e2e'] ({status} {text[:200]})")
        time.sleep(3)
        if receiver.find("/hook", "report@e2e", "down"):
            fail("report@e2e's down went out while db@e2e was failing")
        db_recovered = submit(server, "db@e2e", 0)
        if not wait_until(lambda: receiver.find("/hook", "report@e2e", "down"), timeout=20):
            fail(f"report@e2e's down was not sent after db@e2e recovered: {receiver.summary()}")
        held_for = receiver.find("/hook", "report@e2e", "down")[0][0] - db_recovered
        print(f"report@e2e's down: sent {held_for:.1f} s after db@e2e recovered (the housekeeping pass comes every 10 s)")

        # sync escalates to the pager at its time after its down, once.
        if not wait_until(lambda: receiver.find("/pager", "sync@e2e", "down", escalation=1), timeout=ESCALATE_AFTER + 15):
            fail(f"no escalation for sync@e2e: {receiver.summary()}")
        after = receiver.find("/pager", "sync@e2e", "down", escalation=1)[0][0] - sync_failed
        if not ESCALATE_AFTER <= after <= ESCALATE_AFTER + 4:
            fail(f"the escalation arrived {after:.1f} s after the down, expected {ESCALATE_AFTER}-{ESCALATE_AFTER + 4} s")
        print(f"sync@e2e escalated to the pager {after:.1f} s after its down (after: {ESCALATE_AFTER}s)")

        # vacuum: nothing inside the window; its down once the window has ended.
        if not wait_until(lambda: time.time() >= window_end - 1, timeout=120):
            fail("the window did not end")
        if receiver.find("/hook", "vacuum@e2e", "down"):
            fail("vacuum@e2e's down went out inside its maintenance window")
        if not wait_until(lambda: receiver.find("/hook", "vacuum@e2e", "down"), timeout=20):
            fail(f"vacuum@e2e's down was not sent after its window: {receiver.summary()}")
        sent = receiver.find("/hook", "vacuum@e2e", "down")[0][0]
        if sent < window_end:
            fail(f"vacuum@e2e's down arrived {window_end - sent:.1f} s before its window ended")
        if server.metric(window_line) != "0":
            fail(f"after its window: {window_line} is {server.metric(window_line)}, expected 0")
        print(f"vacuum@e2e: nothing in its {length} s window; its down {sent - window_end:.1f} s after the end")

        # sync recovers: the up goes to its channel and to the escalation's.
        submit(server, "sync@e2e", 0)
        if not wait_until(lambda: receiver.find("/pager", "sync@e2e", "up"), timeout=15):
            fail(f"the up of sync@e2e did not reach the pager: {receiver.summary()}")
        time.sleep(1)
        expected = sorted(["/hook db@e2e down", "/hook db@e2e up", "/hook report@e2e down", "/hook sync@e2e down",
                           "/pager sync@e2e down escalation 1", "/hook sync@e2e up", "/pager sync@e2e up", "/hook vacuum@e2e down"])
        if receiver.summary() != expected:
            fail(f"deliveries {receiver.summary()}, expected {expected}")
    finally:
        server.kill(15)
    print("alert_policy: held down sent after its upstream recovered, escalation on time, nothing inside a window")


if __name__ == "__main__":
    work = tempfile.mkdtemp(prefix="cronmetrics-e2e-policy-")
    try:
        main(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
