"""Notifications end to end, on the built binary: the outbox survives
`kill -9` (queued events are delivered after a restart, each event id exactly
once at the receiver), a delivery cut by `kill -9` is sent again with the same
event id (at-least-once: receivers dedupe on X-Cronmetrics-Event-Id: each id
that had arrived unanswered arrives exactly twice, the others once), and
SIGHUP re-reads cronmetrics.yaml (a new admin key and a new channel, live)."""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, free_port, serve, wait_until, write_job  # noqa: E402


class Receiver:
    """A webhook receiver: answers 503 while `failing`, else 200 after `delay`
    seconds; records every delivery it does not refuse as it arrives (before
    its answer: a delivery cut mid-answer is recorded too)."""

    def __init__(self):
        self.failing, self.delay = True, 0.0
        self.refused, self.arrived, self.lock = 0, [], threading.Lock()
        self.connections = 0  # open now
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def handle(self):
                with receiver.lock:
                    receiver.connections += 1
                try:
                    super().handle()
                finally:
                    with receiver.lock:
                        receiver.connections -= 1

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.failing:
                    with receiver.lock:
                        receiver.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                event = json.loads(body)
                with receiver.lock:
                    receiver.arrived.append((self.path, self.headers.get("X-Cronmetrics-Event-Id"), event))
                time.sleep(receiver.delay)
                self.send_response(200)
                self.end_headers()

        self.server, self.url = serve(Handler)

    def ids(self, path="/hook"):
        with self.lock:
            return [event_id for (p, event_id, _) in self.arrived if p == path]

    def deliveries(self, start=0, path="/hook"):
        """(event id, event) of each delivery to `path` from the start-th on."""
        with self.lock:
            return [(event_id, event) for (p, event_id, event) in self.arrived[start:] if p == path]


STARTED = []


def submit(server, job, exit_code):
    name, host = job.split("@")
    return server.submit(f"key-{job}-0123456789abcdef0123456789", {"job_name": name, "host": host, "exit_code": exit_code})


def start(binary, work, env, port=None):
    server = Server(binary, work, env=env, port=port)
    # Admin keys come from the file here, so that SIGHUP can rotate them.
    server.env.pop("CRONMETRICS_SECURITY_ADMIN_API_KEYS")
    server.start()
    STARTED.append(server)
    return server


def main(work):
    binary = sys.argv[1]
    receiver = Receiver()
    config = os.path.join(work, "cronmetrics.yaml")
    settings = ("security:\n  admin_api_keys: [e2e-admin]\n"
                "notifications:\n  default_channels: [hook]\n  retry: {base: 1s, cap: 2s}\n"
                f"  channels:\n    hook: {{type: webhook, url: \"{receiver.url}/hook\"}}\n")
    with open(config, "w") as f:
        f.write(settings)
    jobs = [f"job{n}@e2e" for n in range(20)]
    for job in jobs:
        name, host = job.split("@")
        write_job(os.path.join(work, "jobs.d"), name, host, f"key-{job}-0123456789abcdef0123456789")
    env = {"CRONMETRICS_CONFIG": config}
    server = start(binary, work, env)

    # Twenty jobs fail: twenty down events, refused (503) by the receiver.
    for job in jobs:
        status, text = submit(server, job, 1)
        if status != 201:
            fail(f"submission for {job} answered {status}: {text}")
    if not wait_until(lambda: receiver.refused >= 20, timeout=30):
        fail(f"the dispatcher tried {receiver.refused} times, expected at least 20")
    status, text = server.admin("GET", "/api/notifications?state=pending&limit=1000")
    if status != 200:
        fail(f"GET /api/notifications answered {status}: {text[:300]}")
    queued = {row["event_id"] for row in json.loads(text)["notifications"]}
    if len(queued) != 20:
        fail(f"{len(queued)} events queued, expected 20: {text[:300]}")
    server.kill(9)

    # Restarted with a healthy receiver: each queued event exactly once.
    receiver.failing = False
    server = start(binary, work, env, port=server.port)
    if not wait_until(lambda: len(receiver.ids()) >= 20, timeout=30):
        fail(f"{len(receiver.ids())} of 20 events delivered after the restart")
    time.sleep(1.5)  # a second delivery would come within the backoff cap
    delivered = receiver.ids()
    if sorted(delivered) != sorted(queued):
        duplicates = sorted({i for i in delivered if delivered.count(i) > 1})
        fail(f"after kill -9 and restart: {len(delivered)} deliveries, {len(set(delivered))} distinct, "
             f"{len(set(delivered) - queued)} unknown, duplicates {duplicates[:5]}")
    for event_id, event in receiver.deliveries():
        if event.get("event_id") != event_id or event.get("kind") != "down":
            fail(f"header and body disagree, or not a down event: {event_id} vs {event}")
    print(f"ok: kill -9 with 20 queued events; after restart each event id delivered exactly once")

    # A delivery cut by kill -9 (the receiver answers slowly, and the server
    # dies before an answer) is sent again after the restart, with the same
    # event id: at-least-once, nothing lost.
    receiver.delay = 3.0
    before = len(receiver.arrived)
    for job in jobs[:5]:
        status, text = submit(server, job, 0)
        if status != 201:
            fail(f"submission for {job} answered {status}: {text}")
    if not wait_until(lambda: len(receiver.arrived) > before, timeout=10):
        fail("no up event reached the receiver within 10 s")
    server.kill(9)
    # Every delivery that arrives is still waiting for its answer (3 s) when
    # the server dies: none can be marked delivered. Those the server had sent
    # are all in once the receiver's connections have closed.
    if not wait_until(lambda: receiver.connections == 0, timeout=10):
        fail(f"the receiver still has {receiver.connections} connections open 10 s after kill -9")
    cut = {event_id for event_id, _ in receiver.deliveries(before)}
    receiver.delay = 0.0
    server = start(binary, work, env, port=server.port)
    def drained():
        status, text = server.admin("GET", "/api/notifications?state=pending&limit=1000")
        if status != 200:
            fail(f"GET /api/notifications answered {status}: {text[:300]}")
        return not json.loads(text)["notifications"]
    if not wait_until(drained, timeout=30):
        fail(f"still pending after the restart: {server.admin('GET', '/api/notifications?state=pending')[1][:300]}")
    ups = receiver.deliveries(before)
    arrivals = {event_id: [i for i, _ in ups].count(event_id) for event_id, _ in ups}
    expected = {event_id: 2 if event_id in cut else 1 for event_id in arrivals}
    wrong = [(event_id, event) for event_id, event in ups
             if event.get("event_id") != event_id or event.get("kind") != "up"]
    if wrong:
        fail(f"after the cut: deliveries that are not up events, or whose header and body disagree: {wrong[:3]}")
    bodies = {event_id: {json.dumps(event, sort_keys=True) for i, event in ups if i == event_id} for event_id in arrivals}
    if any(len(texts) != 1 for texts in bodies.values()):
        fail(f"an event sent again with another body: {[t for t in bodies.values() if len(t) != 1][:1]}")
    jobs_up = sorted(json.loads(next(iter(texts)))["job_id"] for texts in bodies.values())
    if jobs_up != sorted(jobs[:5]):
        fail(f"up event ids for {jobs_up}, expected one for each of {sorted(jobs[:5])}")
    if not cut or arrivals != expected:
        fail(f"{len(cut)} deliveries cut by kill -9; arrivals per event id {sorted(arrivals.values())},"
             f" expected each cut one twice and the others once: {sorted(expected.values())}")
    print(f"ok: 5 up events; {len(cut)} cut by kill -9 mid-answer arrived again with the same event id"
          f" ({len(ups)} deliveries of 5 event ids), none lost")

    # SIGHUP: a new admin key and a new channel, without a restart.
    with open(config, "w") as f:
        f.write(settings.replace("[e2e-admin]", "[e2e-admin-2]")
                + f"    second: {{type: webhook, url: \"{receiver.url}/second\"}}\n")
    server.proc.send_signal(signal.SIGHUP)
    if not wait_until(lambda: server.request("GET", "/api/job", headers={"Authorization": "Bearer e2e-admin-2"})[0] == 200, timeout=10):
        fail(f"the new admin key is not accepted after SIGHUP: {server.log_tail()}")
    if server.request("GET", "/api/job", headers={"Authorization": "Bearer e2e-admin"})[0] != 401:
        fail("the old admin key still works after SIGHUP")
    status, text = server.request("POST", "/api/notifications/test?channel=second", headers={"Authorization": "Bearer e2e-admin-2"})
    if status != 200 or not wait_until(lambda: receiver.ids("/second"), timeout=5):
        fail(f"the channel added by SIGHUP: {status} {text}")
    # An invalid file keeps the running configuration.
    with open(config, "w") as f:
        f.write("security:\n  admin_api_keys: [x]\nnotifications:\n  channels:\n    bad: {type: carrier-pigeon}\n")
    server.proc.send_signal(signal.SIGHUP)
    if not wait_until(lambda: "carrier-pigeon" in server.log_tail(40), timeout=10):
        fail(f"an invalid configuration was not reported: {server.log_tail()}")
    if server.request("GET", "/api/job", headers={"Authorization": "Bearer e2e-admin-2"})[0] != 200:
        fail("an invalid configuration replaced the running one")
    print("ok: SIGHUP re-reads cronmetrics.yaml: new admin key and channel live, an invalid file refused")
    server.kill(9)


if __name__ == "__main__":
    folder = tempfile.mkdtemp(prefix="cronmetrics-notify-")
    try:
        main(folder)
    finally:
        for started in STARTED:
            started.kill(9)
        shutil.rmtree(folder, ignore_errors=True)
