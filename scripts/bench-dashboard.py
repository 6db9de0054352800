"""Dashboard benchmarks (release binary):

1. The overview with 10,000 jobs: time to the last byte of
   /dashboard pages (50 rows) over one kept-alive connection, 300 requests per
   view after 30 of warm-up: unfiltered page 1, a label filter page 2, a text
   search, a state filter. Reported as p50/p90 per view.
2. Submissions (wrk, 16 connections, the 1,000 probe jobs submit.lua posts to)
   with no dashboard clients and with 200 clients reading /dashboard/events,
   alternating 10 s runs, ROUNDS of each; the ratio of median p99s.
"""
import hashlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "e2e"))
from e2elib import Server, raise_file_limit, wrk_submissions  # noqa: E402

JOBS = 10_000
PROBES = 1_000


def write_jobs(root):
    for i in range(JOBS):
        folder = os.path.join(root, f"team{i % 20:02d}")
        os.makedirs(folder, exist_ok=True)
        name, host = f"job{i:06d}", f"host{i % 500:03d}"
        key_hash = hashlib.sha256(f"bench-key-{i}".encode()).hexdigest()
        timing = "automatic_failure_threshold: 1d\n" if i % 3 else 'schedule: "*/15 * * * *"\ngrace: 5m\n'
        with open(os.path.join(folder, f"{name}@{host}.yaml"), "w") as f:
            f.write(f"version: 1\njob_name: {name}\nhost: {host}\n{timing}"
                    f"labels: {{team: team{i % 20:02d}, env: {'prod' if i % 4 else 'stage'}}}\napi_key_sha256: {key_hash}\n")


def sign_in(server):
    """A session cookie for the admin key, through the sign-in form."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    conn.request("GET", "/dashboard/signin")
    response = conn.getresponse()
    page = response.read().decode()
    nonce = re.search(r"cronmetrics_signin=([0-9a-f]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "key": "e2e-admin", "next": "/dashboard"})
    conn.request("POST", "/dashboard/signin", body, {"Cookie": f"cronmetrics_signin={nonce}",
                                                     "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = re.search(r"cronmetrics_session=([^;]+)", response.getheader("Set-Cookie")).group(1)
    conn.close()
    return f"cronmetrics_session={cookie}"


def time_view(server, cookie, path, count=300, warmup=30):
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    times = []
    for i in range(warmup + count):
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200 or b"<tr data-job=" not in body:
            raise SystemExit(f"{path}: {response.status}")
        if i >= warmup:
            times.append(elapsed)
    conn.close()
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.9)], body.count(b"<tr data-job=")


def wrk(url, seconds):
    return wrk_submissions(url, seconds, PROBES)


class Listeners:
    """`count` clients holding /dashboard/events open and reading every byte."""

    def __init__(self, server, cookie, count, jobs):
        self.sockets, self.bytes, self.stop = [], [0] * count, False
        # As the page's script does: the ids of the rows it shows.
        query = urllib.parse.quote(",".join(jobs), safe=",")
        request = (f"GET /dashboard/events?jobs={query} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                   "Accept: text/event-stream\r\n\r\n").encode()
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(request)
            self.sockets.append(s)
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        import selectors
        selector = selectors.DefaultSelector()
        for index, s in enumerate(self.sockets):
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ, index)
        while not self.stop:
            for key, _ in selector.select(timeout=0.2):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                self.bytes[key.data] += len(data)

    def close(self):
        self.stop = True
        self.thread.join()
        for s in self.sockets:
            s.close()


def main():
    binary, rounds = sys.argv[1], int(sys.argv[2])
    raise_file_limit()
    work = tempfile.mkdtemp(prefix="cronmetrics-bench-dashboard-")
    write_jobs(os.path.join(work, "jobs.d"))
    # 200 streams on one session: above the production caps, raised here.
    server = Server(binary, work, env={"CRONMETRICS_LOG_LEVEL": "warning", "CRONMETRICS_DASHBOARD_MAX_STREAMS": "400",
                                       "CRONMETRICS_DASHBOARD_MAX_STREAMS_PER_SESSION": "400"}).start(timeout=120)
    try:
        cookie = sign_in(server)
        print(f"== overview with {JOBS} jobs (ms to the last byte, 300 requests each, one connection)")
        views = [("all, page 1 (attention first)", "/dashboard"),
                 ("label team=team07, page 2", "/dashboard?label=team%3Dteam07&page=2"),
                 ("search 'job0042'", "/dashboard?q=job0042"),
                 ("state pending, sorted by name, page 3", "/dashboard?state=pending&sort=name&page=3")]
        for name, path in views:
            p50, p90, rows = time_view(server, cookie, path)
            print(f"{name:42s} p50 {p50:6.2f}  p90 {p90:6.2f}  ({rows} rows)")

        print(f"== submissions (wrk -c16, {PROBES} jobs), 0 vs 200 /dashboard/events clients, {rounds} rounds alternating")
        wrk(server.url, 3)  # warm-up
        # 200 open overview pages: page 1, attention first (failing probe jobs,
        # which get results all through the run, so every row changes).
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        conn.request("GET", "/dashboard", headers={"Cookie": cookie})
        page = conn.getresponse().read().decode()
        conn.close()
        shown = re.findall(r'<tr data-job="([^"]+)"', page)
        results = {0: [], 200: []}
        for r in range(rounds):
            for clients in (0, 200):
                listeners = Listeners(server, cookie, clients, shown) if clients else None
                time.sleep(1)
                result = wrk(server.url, 10)
                received = sum(listeners.bytes) if listeners else 0
                if listeners:
                    listeners.close()
                results[clients].append(result)
                print(f"round {r + 1}: {clients:3d} clients  p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  "
                      f"{result['rps']:8.0f} req/s" + (f"  ({received / clients / 1024:.0f} KiB of events per client)" if clients else ""))
                time.sleep(1)
        base = statistics.median(r["p99"] for r in results[0])
        with_clients = statistics.median(r["p99"] for r in results[200])
        print(f"the pages show: {', '.join(shown[:3])} ... ({len(shown)} rows)")
        print(f"median p99: {base:.2f} ms without clients, {with_clients:.2f} ms with 200: ratio {with_clients / base:.3f}")
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
