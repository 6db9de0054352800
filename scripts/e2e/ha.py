"""Three replicas on one PostgreSQL behind HAProxy, broken the ways operators
break them (docs/high-availability.md). Ten checks, each named as it runs:

 1. kill -9 of the leader under load through HAProxy: every acknowledged
    submission and ping is in the database, a new leader within 5 s, errors
    only for requests in flight on the killed replica;
 2. a deadline that passes during that failover: one flip, one event id;
 3. an event-stream client on a survivor sees a change within 1 s;
 4. the survivors' job series are identical within 2 s of the last write;
 5. the killed replica, restarted, resyncs and serves the same series;
 6. PostgreSQL restarted under load: 503s while it is down, /metrics still
    served (cronmetrics_store_up 0), recovery without restarting replicas,
    nothing acknowledged lost;
 7. a replica killed holding notification claims: another delivers them
    after the lease, with the same event id;
 8. jobs.read_only: API, CLI --server and dashboard writes get 409 with the
    hint; a replica on another tree shows as disagreeing;
 9. SIGSTOP of the leader: a follower announces a missed deadline within
    ha.takeover_after + 2 s, once; after SIGCONT nothing twice;
10. a dashboard session through HAProxy holds across round robin, and a
    sign-out ends it on every replica.
Then the failover time over five kills of the leader (median, max)."""
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, free_port, serve, wait_until, write_job  # noqa: E402

BINARY, STORE_URL = sys.argv[1], sys.argv[2]
PG_BIN, PG_DIR, PG_PORT, PG_OPTIONS = (os.environ[k] for k in ("PG_BIN", "PG_TEST_DIR", "PG_TEST_PORT", "PG_TEST_OPTIONS"))
TAKEOVER, LEASE, THREADS = 3, 6, 6
HINT = "definitions are read-only on this server: change jobs.d in git"


def key(job):
    return f"key-{job}-0123456789abcdef0123456789"


def psql(sql):
    out = subprocess.run([f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "cronmetrics", "-d", "ha", "-Atc", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"psql: {out.stderr}")
    return out.stdout.strip()


def pg_ctl(*args):
    command = [f"{PG_BIN}/pg_ctl", "-D", f"{PG_DIR}/data", *args]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True)


class Receiver:
    """Records every delivery as it arrives (path, event id, event, time);
    the first arrival of each event id on a path in `hang` is not answered
    for two minutes (its sender is killed meanwhile)."""

    def __init__(self):
        self.arrived, self.lock, self.hang, self.hung = [], threading.Lock(), set(), set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event_id = self.headers.get("X-Cronmetrics-Event-Id")
                with receiver.lock:
                    receiver.arrived.append((self.path, event_id, json.loads(body), time.time()))
                    hang = self.path in receiver.hang and event_id not in receiver.hung
                    if hang:
                        receiver.hung.add(event_id)
                if hang:
                    time.sleep(120)
                self.send_response(200)
                self.end_headers()

        self.server, self.url = serve(Handler)

    def downs(self, job, path="/hook", since=0.0):
        """(event id, arrival time) of each `down` delivery of `job` to `path` that arrived after `since`."""
        with self.lock:
            return [(i, t) for (p, i, e, t) in self.arrived
                    if p == path and e.get("job_id") == job and e.get("kind") == "down" and t >= since]


class Replica(Server):
    def __init__(self, name, root, jobs_dir, config, port=None):
        work = os.path.join(root, name)
        os.makedirs(work, exist_ok=True)
        link = os.path.join(work, "jobs.d")
        if not os.path.islink(link):
            os.symlink(jobs_dir, link)
        super().__init__(BINARY, work, env={"CRONMETRICS_CONFIG": config, "CRONMETRICS_HA_REPLICA_NAME": name},
                         storage_url=STORE_URL, port=port)
        self.name = name

    def start(self, timeout=30, new_port_if_taken=False):
        """Starts the replica and checks that the server answering on its port
        is this one (a port another process took between free_port() and the
        bind would answer /health for it). Before HAProxy knows the port, a
        taken one is swapped for another."""
        for _ in range(3):
            self.launch()
            deadline = time.time() + timeout
            while time.time() < deadline and self.alive():
                try:
                    status, text = self.admin("GET", "/health")
                    if status == 200 and json.loads(text).get("replica") == self.name:
                        return self
                except (OSError, ValueError):
                    pass
                time.sleep(0.1)
            if self.alive() or not new_port_if_taken or "Address already in use" not in self.log_tail(3):
                break
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        fail(f"replica {self.name} did not start on port {self.port}: {self.log_tail(3)}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def leads(self):
        try:
            return self.metric(f'cronmetrics_leader{{replica="{self.name}"}}') == "1"
        except OSError:
            return False

    def series(self):
        _, text = self.request("GET", "/metrics")
        return sorted(line for line in text.splitlines() if line.startswith("cronjob_"))


def call(port, method, path, body=None, headers=None, timeout=10):
    """(status, headers, text) of one request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode(errors="replace")
    finally:
        connection.close()


class HAProxy:
    def __init__(self, root, replicas):
        self.port = free_port()
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas)
        path = os.path.join(root, "haproxy.cfg")
        template = os.path.join(os.path.dirname(__file__), "..", "testing", "haproxy-replicas.cfg")
        with open(template) as f:
            text = f.read().replace("@PORT@", str(self.port)).replace("@SERVERS@", servers)
        with open(path, "w") as f:
            f.write(text)
        subprocess.run(["haproxy", "-c", "-f", path], check=True, capture_output=True)
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(root, "haproxy.log"), "w"))

    def request(self, method, path, body=None, headers=None):
        return call(self.port, method, path, body, headers)


class Load:
    """THREADS clients through HAProxy, each with one request in flight:
    results (two in three) and pings for `jobs`, each carrying a unique
    marker as its output; what was acknowledged (200/201) and what failed."""

    def __init__(self, port, jobs, tag):
        self.port, self.jobs, self.tag = port, jobs, tag
        self.acked, self.errors, self.lock, self.stop = set(), [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in self.threads:
            thread.start()

    def work(self, number):
        seq = 0
        while not self.stop.is_set():
            seq += 1
            job = self.jobs[(number * 7 + seq) % len(self.jobs)]
            marker = f"{self.tag}-{number}-{seq}"
            name, host = job.split("@")
            try:
                if seq % 3 == 0:
                    status, _, text = call(self.port, "POST", f"/ping/{key(job)}", marker, {"Content-Type": "text/plain"})
                else:
                    body = json.dumps({"job_name": name, "host": host, "status": "success", "output": marker})
                    status, _, text = call(self.port, "POST", "/api/job-result", body,
                                           {"X-API-Key": key(job), "Content-Type": "application/json"})
            except OSError as error:
                status, text = "exception", str(error)
            with self.lock:
                if status in (200, 201):
                    self.acked.add(marker)
                else:
                    self.errors.append((status, text[:120]))

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        return self

    def lost(self):
        stored = set(psql(f"SELECT output FROM results WHERE output LIKE '{self.tag}-%'").splitlines())
        return self.acked - stored


class Browser:
    """A dashboard session by hand: cookies, and the CSRF token of the last page."""

    def __init__(self, port):
        self.port, self.cookies, self.csrf = port, {}, None

    def request(self, method, path, form=None, port=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form)
        status, response_headers, text = call(port or self.port, method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";")[0].split("=", 1)
                if "Max-Age=0" in value or len(pair) < 2 or not pair[1]:
                    self.cookies.pop(pair[0], None)
                else:
                    self.cookies[pair[0]] = pair[1]
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', text)
        if found:
            self.csrf = found.group(1)
        location = next((v for n, v in response_headers if n.lower() == "location"), None)
        return status, location, text

    def sign_in(self):
        self.request("GET", "/dashboard/signin")
        status, location, _ = self.request("POST", "/dashboard/signin", {"csrf": self.csrf, "key": "e2e-admin", "next": "/dashboard"})
        if status != 303 or "cronmetrics_session" not in self.cookies:
            fail(f"dashboard sign-in answered {status} to {location}")


def leader(replicas, timeout=10):
    found = []
    wait_until(lambda: found.append(next((r for r in replicas if r.alive() and r.leads()), None)) or found[-1] is not None, timeout)
    return found[-1]


def check(number, text):
    print(f"ha {number}: {text}", flush=True)


def main(root):
    receiver = Receiver()
    jobs_dir = os.path.join(root, "jobs.d")
    load_jobs = [f"load{n}@ha" for n in range(12)]
    for job in load_jobs + ["sse@ha"]:
        write_job(jobs_dir, *job.split("@"), key(job))
    for job in ["deadline@ha", "frozen@ha"]:
        write_job(jobs_dir, *job.split("@"), key(job), threshold=5, extra="notify: [hook]\n")
    write_job(jobs_dir, "claims", "ha", key("claims@ha"), extra="notify: [slow]\n")
    config = os.path.join(root, "cronmetrics.yaml")
    with open(config, "w") as f:
        f.write("security:\n  admin_api_keys: [e2e-admin]\njobs:\n  read_only: true\nstorage:\n  tls: {mode: disable}\n  connect_timeout: 2s\n  statement_timeout: 5s\n"
                f"ha:\n  takeover_after: {TAKEOVER}s\n  claim_lease: {LEASE}s\n"
                "notifications:\n  retry: {base: 1s, cap: 2s}\n  channels:\n"
                f"    hook: {{type: webhook, url: \"{receiver.url}/hook\"}}\n"
                f"    slow: {{type: webhook, url: \"{receiver.url}/slow\"}}\n")
    replicas = [Replica(f"r{n}", root, jobs_dir, config) for n in (1, 2, 3)]
    try:
        for replica in replicas:
            replica.start(new_port_if_taken=True)
        proxy = HAProxy(root, replicas)
        try:
            run(root, receiver, replicas, proxy, jobs_dir, config, load_jobs)
        finally:
            proxy.proc.kill()
    finally:
        for replica in replicas:
            replica.kill()


def run(root, receiver, replicas, proxy, jobs_dir, config, load_jobs):
    def proxied_ready():
        try:
            return proxy.request("GET", "/ready")[0] == 200
        except OSError:  # not listening yet
            return False
    if not wait_until(proxied_ready, 15):
        fail(f"HAProxy has no ready replica: {open(os.path.join(root, 'haproxy.log')).read()[-500:]}")
    first = leader(replicas)
    if first is None:
        fail("no replica leads")
    if sorted(r.name for r in replicas if r.leads()) != [first.name]:
        fail("more than one replica says it leads")

    # 1 and 2: kill -9 of the leader under load, a deadline passing meanwhile.
    load = Load(proxy.port, load_jobs, "kill")
    time.sleep(1.5)
    succeeded = time.time()
    status, _, _ = proxy.request("POST", "/api/job-result", json.dumps({"job_name": "deadline", "host": "ha", "status": "success"}),
                                 {"X-API-Key": key("deadline@ha"), "Content-Type": "application/json"})
    if status != 201:
        fail(f"the deadline job's result answered {status}")
    # The kill comes just before the deadline (5 s), so it passes while no replica leads.
    time.sleep(max(0.0, succeeded + 4.8 - time.time()))
    killed_at = time.time()
    first.kill(9)
    survivors = [r for r in replicas if r is not first]
    successor = leader(survivors, timeout=10)
    failover = time.time() - killed_at
    time.sleep(2)
    load.finish()
    last_write = time.time()
    if successor is None or failover > 5:
        fail(f"no new leader within 5 s of killing {first.name}")
    lost = load.lost()
    if lost:
        fail(f"{len(lost)} acknowledged submissions are not in the database, e.g. {sorted(lost)[:3]}")
    bad = [e for e in load.errors if e[0] not in (502, 503, "exception")]
    if bad or len(load.errors) > THREADS:
        fail(f"{len(load.errors)} errors for {THREADS} requests in flight at the kill: {load.errors[:5]}")
    check(1, f"kill -9 of leader {first.name} under load: {len(load.acked)} acknowledged, all stored; "
             f"{successor.name} leads {failover:.2f} s later; {len(load.errors)} errors (in flight on the killed replica: at most {THREADS})")
    if not wait_until(lambda: receiver.downs("deadline@ha", since=succeeded), 20):
        fail("the deadline that passed during the failover was never announced")
    time.sleep(2)
    ids = {i for i, _ in receiver.downs("deadline@ha", since=succeeded)}
    flips = psql(f"SELECT count(*) FROM flips WHERE job_id = 'deadline@ha' AND reason = 'deadline' AND at >= {succeeded}")
    if len(ids) != 1 or flips != "1":
        fail(f"the missed deadline during the failover: {len(ids)} event ids, {flips} flips (want 1 and 1)")
    check(2, f"a deadline passing during the failover: 1 flip, 1 event id ({len(receiver.downs('deadline@ha', since=succeeded))} deliveries)")

    # 4 (before 3 writes again): the survivors agree within 2 s of the last write.
    a, b = survivors
    if not wait_until(lambda: a.series() == b.series(), 2 - (time.time() - last_write)):
        fail("the survivors' job series differ 2 s after the last write")
    check(4, f"survivors {a.name} and {b.name} export identical job series ({len(a.series())} lines)")

    # 3: an event stream on one survivor sees a change made through the other.
    browser = Browser(a.port)
    browser.sign_in()
    lines, opened = [], threading.Event()

    def stream():
        connection = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        connection.request("GET", "/dashboard/events?jobs=sse@ha", headers={"Cookie": f"cronmetrics_session={browser.cookies['cronmetrics_session']}"})
        response = connection.getresponse()
        opened.set()
        while True:
            line = response.fp.readline()
            if not line:
                return
            lines.append((time.time(), line.decode(errors="replace")))
    threading.Thread(target=stream, daemon=True).start()
    if not opened.wait(10):
        fail("the event stream did not open")
    time.sleep(0.5)
    sent = time.time()
    status, _, _ = call(b.port, "POST", "/api/job-result", json.dumps({"job_name": "sse", "host": "ha", "status": "failure", "exit_code": 7}),
                        {"X-API-Key": key("sse@ha"), "Content-Type": "application/json"})
    if status != 201:
        fail(f"the result for the stream answered {status}")
    seen = []
    wait_until(lambda: seen.extend(t for t, line in list(lines) if t >= sent and line.startswith("data:") and '"failure"' in line) or seen, 5)
    if not seen or seen[0] - sent > 1.0:
        fail(f"the stream on {a.name} did not show the change made on {b.name} within 1 s "
             f"({'%.2f s' % (seen[0] - sent) if seen else 'never'}): {[line for _, line in lines][-3:]}")
    check(3, f"the event stream on {a.name} showed a change made on {b.name} {seen[0] - sent:.2f} s later")

    # 5: the killed replica comes back and serves the same series.
    first.start()
    if not wait_until(lambda: first.series() == a.series(), 15):
        fail(f"{first.name}, restarted, does not serve the survivors' series")
    check(5, f"{first.name} restarted: resynced, the same {len(first.series())} job lines")

    # 6: PostgreSQL restarted under load.
    pids = [r.proc.pid for r in replicas]
    load = Load(proxy.port, load_jobs, "pg")
    time.sleep(1)
    pg_ctl("-m", "fast", "-w", "stop")
    stopped = time.time()
    if not wait_until(lambda: a.metric(f'cronmetrics_store_up{{replica="{a.name}"}}') == "0", 8):
        fail("cronmetrics_store_up did not turn 0 with PostgreSQL stopped")
    during = a.series()
    if not any(line.startswith('cronjob_status{job_name="load0"') for line in during):
        fail("/metrics lost the job series while PostgreSQL was down")
    code = call(a.port, "POST", "/api/job-result", json.dumps({"job_name": "load0", "host": "ha", "status": "success"}),
                {"X-API-Key": key("load0@ha"), "Content-Type": "application/json"})[0]
    ready = call(a.port, "GET", "/ready")[0]
    if code != 503 or ready != 503:
        fail(f"with PostgreSQL down a submission answered {code} and /ready {ready} (want 503 and 503)")
    time.sleep(max(0.0, 2 - (time.time() - stopped)))
    pg_ctl("-w", "-t", "60", "-l", f"{PG_DIR}/server.log", "-o", PG_OPTIONS, "start")
    restarted = time.time()

    def all_take_results():
        for replica in replicas:
            body = json.dumps({"job_name": "load1", "host": "ha", "status": "success", "output": f"pg-probe-{replica.name}"})
            if call(replica.port, "POST", "/api/job-result", body, {"X-API-Key": key("load1@ha"), "Content-Type": "application/json"})[0] != 201:
                return False
        return True
    if not wait_until(all_take_results, 30, interval=0.2):
        fail("the replicas did not take results again within 30 s of PostgreSQL's restart")
    recovered = time.time() - restarted
    load.finish()
    if [r.proc.pid for r in replicas] != pids or not all(r.alive() for r in replicas):
        fail("a replica was restarted or died")
    lost = load.lost()
    if lost:
        fail(f"{len(lost)} acknowledged submissions lost across the PostgreSQL restart, e.g. {sorted(lost)[:3]}")
    refused = sum(1 for e in load.errors if e[0] == 503)
    check(6, f"PostgreSQL stopped for {restarted - stopped:.1f} s under load: {refused} answers 503 "
             f"({len(load.errors)} errors in all), /metrics served with cronmetrics_store_up 0; all replicas took results "
             f"{recovered:.1f} s after its start, none restarted; {len(load.acked)} acknowledged, all stored")

    # 7: a replica killed while it holds a notification claim.
    if not wait_until(proxied_ready, 10):
        fail("HAProxy did not take the replicas back after PostgreSQL's restart")
    receiver.hang.add("/slow")
    for status in ("success", "failure"):
        body = json.dumps({"job_name": "claims", "host": "ha", "status": status})
        if proxy.request("POST", "/api/job-result", body, {"X-API-Key": key("claims@ha"), "Content-Type": "application/json"})[0] != 201:
            fail("the claims job's result was refused")
    if not wait_until(lambda: receiver.downs("claims@ha", "/slow"), 15):
        fail("the down of the claims job never reached the receiver")
    claim = psql("SELECT claimed_by || ' ' || claimed_until FROM notifications WHERE channel = 'slow' AND state = 'sending'")
    if not claim:
        fail("no claimed notification while its delivery hangs")
    holder_name, until = claim.split()[0], float(claim.split()[1])
    holder = next(r for r in replicas if r.name == holder_name)
    holder.kill(9)
    killed_at = time.time()
    if not wait_until(lambda: len(receiver.downs("claims@ha", "/slow")) >= 2, LEASE + 15):
        fail(f"the claim {holder_name} held was not delivered by another replica")
    deliveries = receiver.downs("claims@ha", "/slow")
    if len({i for i, _ in deliveries}) != 1 or deliveries[1][1] < until - 0.2:
        fail(f"the redelivery: ids {[i for i, _ in deliveries]}, at {deliveries[1][1]:.2f} for a lease until {until:.2f}")
    check(7, f"{holder_name} killed holding a claim: delivered again {deliveries[1][1] - killed_at:.1f} s later "
             f"(after its {LEASE} s lease), the same event id")
    holder.start()

    # 8: read-only definitions, and a replica on another tree.
    status, _, text = proxy.request("PATCH", "/api/job/load0@ha", json.dumps({"status": "paused"}),
                                    {"Authorization": "Bearer e2e-admin", "Content-Type": "application/json"})
    if status != 409 or json.loads(text).get("error") != HINT:
        fail(f"PATCH through HAProxy with jobs.read_only: {status} {text[:200]}")
    cli = subprocess.run([BINARY, "job", "update", "load0@ha", "--paused", "--server", f"http://127.0.0.1:{proxy.port}",
                          "--admin-key", "e2e-admin"], capture_output=True, text=True)
    if cli.returncode != 1 or HINT not in cli.stderr:
        fail(f"job update --server with jobs.read_only: exit {cli.returncode}, {cli.stderr.strip()[:200]}")
    admin = Browser(proxy.port)
    admin.sign_in()
    admin.request("GET", "/dashboard/jobs/load0@ha")
    status, _, page = admin.request("POST", "/dashboard/jobs/load0@ha/pause", {"csrf": admin.csrf})
    if status != 409 or HINT not in page:
        fail(f"a dashboard pause with jobs.read_only answered {status}")
    other_tree = os.path.join(root, "other.d")
    shutil.copytree(jobs_dir, other_tree)
    write_job(other_tree, "extra", "ha", key("extra@ha"))
    stray = Replica("r4", root, other_tree, config)
    stray.start(new_port_if_taken=True)
    try:
        def disagreement():
            report = json.loads(replicas[1].admin("GET", "/health")[1])
            same = {r["name"]: r["same_tree"] for r in report.get("replicas", [])}
            return report.get("trees_agree") is False and same.get("r4") is False and same.get(replicas[1].name) is True
        if not wait_until(disagreement, 10):
            fail(f"/health does not flag r4's tree: {replicas[1].admin('GET', '/health')[1][:400]}")
        digests = {r.name: re.search(r'cronmetrics_jobs_tree_info\{replica="[^"]+",digest="([0-9a-f]+)"\} 1', r.request("GET", "/metrics")[1])
                   for r in (replicas[1], stray)}
        if None in digests.values() or digests["r4"].group(1) == digests[replicas[1].name].group(1):
            fail("cronmetrics_jobs_tree_info does not tell the two trees apart")
    finally:
        stray.kill(9)
    check(8, "jobs.read_only: 409 with the hint from the API, CLI --server (exit 1) and the dashboard; "
             "a replica on another tree is flagged in /health and cronmetrics_jobs_tree_info")

    # 9: the leader frozen by SIGSTOP keeps its lock; a follower announces the miss.
    frozen_leader = leader(replicas)
    follower = next(r for r in replicas if r is not frozen_leader and r.alive())
    before = time.time()
    status = call(follower.port, "POST", "/api/job-result", json.dumps({"job_name": "frozen", "host": "ha", "status": "success"}),
                  {"X-API-Key": key("frozen@ha"), "Content-Type": "application/json"})[0]
    if status != 201:
        fail(f"the frozen job's result answered {status}")
    frozen_leader.proc.send_signal(signal.SIGSTOP)
    try:
        if not wait_until(lambda: receiver.downs("frozen@ha", since=before), 5 + TAKEOVER + 10):
            fail("the deadline missed while the leader was stopped was never announced")
        delay = receiver.downs("frozen@ha", since=before)[0][1] - (before + 5)
        if delay > TAKEOVER + 2:
            fail(f"announced {delay:.1f} s after the deadline (want at most ha.takeover_after + 2 s = {TAKEOVER + 2} s)")
    finally:
        frozen_leader.proc.send_signal(signal.SIGCONT)
    time.sleep(TAKEOVER + 1)
    ids = {i for i, _ in receiver.downs("frozen@ha", since=before)}
    flips = psql(f"SELECT count(*) FROM flips WHERE job_id = 'frozen@ha' AND reason = 'deadline' AND at >= {before}")
    if len(ids) != 1 or flips != "1":
        fail(f"after SIGCONT: {len(ids)} event ids, {flips} deadline flips for the frozen job (want 1 and 1)")
    check(9, f"SIGSTOP of leader {frozen_leader.name}: a follower announced the miss {delay:.1f} s after the deadline "
             f"(ha.takeover_after {TAKEOVER} s); after SIGCONT still 1 flip, 1 event id")

    # 10: a dashboard session through HAProxy.
    visitor = Browser(proxy.port)
    visitor.sign_in()
    statuses = [visitor.request("GET", "/dashboard")[0] for _ in range(10)]
    if statuses != [200] * 10:
        fail(f"signed in through HAProxy, ten pages answered {statuses}")
    session = dict(visitor.cookies)
    visitor.request("GET", "/dashboard")
    status, location, _ = visitor.request("POST", "/dashboard/signout", {"csrf": visitor.csrf})
    if status != 303:
        fail(f"sign-out answered {status}")
    replay = Browser(proxy.port)
    replay.cookies = session
    after = [replay.request("GET", "/dashboard", port=r.port)[0] for r in replicas]
    if after != [303] * len(replicas):
        fail(f"the signed-out cookie on each replica: {after} (want 303 to sign in everywhere)")
    check(10, "a session through HAProxy held for 10 round-robin pages; its sign-out ended it on all 3 replicas")

    # The failover time over five kills of the leader.
    times = []
    for _ in range(5):
        current = leader(replicas)
        if current is None:
            fail("no leader before a kill")
        current.kill(9)
        killed_at = time.time()
        successor = leader([r for r in replicas if r is not current])
        if successor is None:
            fail("no new leader within 10 s")
        times.append(time.time() - killed_at)
        current.start()
    if max(times) > 5:
        fail(f"a failover took {max(times):.2f} s")
    print(f"ha: failover over 5 kills of the leader: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
          f"({', '.join('%.2f' % t for t in times)})")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        try:
            main(work)
        except BaseException:
            for name in ("r1", "r2", "r3"):
                path = os.path.join(work, name, "server.log")
                if os.path.exists(path):
                    with open(path) as f:
                        print(f"--- {name} log tail ---\n" + "".join(f.readlines()[-60:]), file=sys.stderr)
            raise
    print("ha: all ten checks passed")
