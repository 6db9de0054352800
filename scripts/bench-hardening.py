#!/usr/bin/env python3
"""The third hardening pass's findings re-run against a binary, with figures:

1. `cronmetrics run --timeout 2s` on a shell whose child sleeps 20 s, and on
   one with a background sleep: seconds until the wrapper exits;
2. 300 sign-ins with a wrong key sent at once from one address: how many were
   tried (401) and refused (429); then a read-only user signing in between
   guesses at an admin key;
3. 40 live streams opened by one read-only session on a server with
   max_connections 32: the answers, and whether /metrics and a ping answer;
4. a job file with nine levels of YAML aliases dropped into a live jobs.d:
   how long the reload takes, /health meanwhile, and how long SIGTERM takes.

usage: bench-hardening.py PATH_TO_CRONMETRICS
"""
import collections
import concurrent.futures
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)) + "/e2e")
from e2elib import Server, write_job, key_hash  # noqa: E402

READ = "bench-read-key"


def timed_run(binary, work, command):
    env = dict(os.environ, CRONMETRICS_JOB_KEY="x", CRONMETRICS_SERVER="http://127.0.0.1:9", CRONMETRICS_SPOOL=work + "/spool")
    start = time.monotonic()
    code = subprocess.run([binary, "run", "--job", "a@b", "--timeout", "2s", "--"] + command, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=700).returncode
    return code, time.monotonic() - start


def post_form(port, path, fields, cookie, forwarded=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", path, urllib.parse.urlencode(fields), headers)
    response = conn.getresponse()
    response.read()
    answer = response.status, response.getheader("Set-Cookie") or ""
    conn.close()
    return answer


def sign_in_form(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/dashboard/signin")
    response = conn.getresponse()
    body = response.read().decode()
    nonce = re.search(r"cronmetrics_signin=([0-9a-f]+)", response.getheader("Set-Cookie")).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    conn.close()
    return f"cronmetrics_signin={nonce}", csrf


def sign_ins(binary):
    work = tempfile.mkdtemp(prefix="cm-bench-signin-")
    try:
        server = Server(binary, work, env={"CRONMETRICS_SECURITY_READ_API_KEYS": READ}).start()
        cookie, csrf = sign_in_form(server.port)
        with concurrent.futures.ThreadPoolExecutor(300) as pool:
            statuses = list(pool.map(lambda _: post_form(server.port, "/dashboard/signin", {"csrf": csrf, "key": "guess"}, cookie)[0],
                                     range(300)))
        counts = collections.Counter(statuses)
        server.kill(9)
        server = Server(binary, work, env={"CRONMETRICS_SECURITY_READ_API_KEYS": READ}).start()
        guesses = 0
        for round in range(30):
            cookie, csrf = sign_in_form(server.port)
            post_form(server.port, "/dashboard/signin", {"csrf": csrf, "key": READ}, cookie)
            cookie, csrf = sign_in_form(server.port)
            if post_form(server.port, "/dashboard/signin", {"csrf": csrf, "key": f"admin-guess-{round}"}, cookie)[0] == 401:
                guesses += 1
        server.kill(9)
        return counts, guesses
    finally:
        shutil.rmtree(work, ignore_errors=True)


def open_stream(port, cookie):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET /dashboard/events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode())
    try:
        head = s.recv(4096).decode(errors="replace")
        status = int(head.split(" ")[1]) if head.startswith("HTTP/") else "closed"
    except (socket.timeout, OSError, IndexError, ValueError):
        status = "closed"
    return s, status


def streams(binary):
    work = tempfile.mkdtemp(prefix="cm-bench-streams-")
    try:
        write_job(os.path.join(work, "jobs.d"), "a", "web1", "key-a")
        server = Server(binary, work, env={"CRONMETRICS_SECURITY_READ_API_KEYS": READ, "CRONMETRICS_SERVER_MAX_CONNECTIONS": "32"}).start()
        cookie, csrf = sign_in_form(server.port)
        status, set_cookie = post_form(server.port, "/dashboard/signin", {"csrf": csrf, "key": READ}, cookie)
        session = re.search(r"(cronmetrics_session=[^;]+)", set_cookie).group(1)
        held = [open_stream(server.port, session) for _ in range(40)]
        counts = collections.Counter(status for _, status in held)
        # A page whose stream was refused lets go of its connection (and the
        # server closes it too); the accepted ones stay open.
        for s, status in held:
            if status != 200:
                s.close()
        held = [(s, status) for s, status in held if status == 200]
        def answers(path):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                return status
            except OSError as error:
                return type(error).__name__
        metrics, ping = answers("/metrics"), answers("/ping/key-a")
        for s, _ in held:
            s.close()
        server.kill(9)
        return counts, metrics, ping
    finally:
        shutil.rmtree(work, ignore_errors=True)


LAUGHS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CronMetricsCoreTests", "Fixtures", "hostile", "alias-laughs.yaml")


def laughs(binary):
    work = tempfile.mkdtemp(prefix="cm-bench-laughs-")
    try:
        write_job(os.path.join(work, "jobs.d"), "a", "web1", "key-a")
        server = Server(binary, work).start()
        shutil.copy(LAUGHS, os.path.join(work, "jobs.d", "laughs@web1.yaml"))
        start = time.monotonic()
        try:
            status = server.request("POST", "/-/reload", headers={"Authorization": "Bearer e2e-admin"}, timeout=60)[0]
        except OSError as error:
            status = type(error).__name__
        reload_seconds = time.monotonic() - start
        try:
            health = server.request("GET", "/health", timeout=5)[0]
        except OSError as error:
            health = type(error).__name__
        start = time.monotonic()
        server.proc.terminate()
        try:
            server.proc.wait(timeout=30)
            term_seconds = time.monotonic() - start
        except subprocess.TimeoutExpired:
            term_seconds = None
            server.kill(9)
        return status, reload_seconds, health, term_seconds, os.path.getsize(LAUGHS)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cm-bench-run-")
    try:
        for command in (["bash", "-c", "sleep 20; echo done"], ["sh", "-c", "sleep 25 & sleep 600"]):
            code, seconds = timed_run(binary, work, command)
            print(f"1. run --timeout 2s -- {' '.join(command)}: exit {code} after {seconds:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    counts, guesses = sign_ins(binary)
    print(f"2. 300 wrong keys at once from one address: {counts.get(401, 0)} tried (401), {counts.get(429, 0)} refused (429); "
          f"a read-only user signing in between 30 guesses at an admin key: {guesses} guesses tried")
    counts, metrics, ping = streams(binary)
    print(f"3. 40 streams of one read-only session, max_connections 32: {dict(counts)}; /metrics {metrics}, ping {ping}")
    status, reload_seconds, health, term_seconds, size = laughs(binary)
    print(f"4. a {size}-byte billion-laughs job file: POST /-/reload {status} after {reload_seconds:.2f} s, /health {health}, "
          f"SIGTERM exit after {'%.2f s' % term_seconds if term_seconds is not None else 'more than 30 s'}")


if __name__ == "__main__":
    main()
