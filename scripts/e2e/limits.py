#!/usr/bin/env python3
"""Connection limits against the binary: 1,000 idle connections do not stop
submissions and are closed after the header timeout; a slowloris request and a
stalled body are cut off; connections over server.max_connections are closed
at once.

usage: limits.py PATH_TO_CRONMETRICS
"""
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, raise_file_limit, wait_until, write_job  # noqa: E402

IDLE = 1000


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


def closed_by_peer(sock, within):
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def main():
    raise_file_limit()
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cronmetrics-limits-")
    write_job(os.path.join(work, "jobs.d"), "bulk", "db1", "limits-key-0123456789abcdef0123456789")
    server = Server(binary, work, env={
        "CRONMETRICS_SERVER_HEADER_TIMEOUT_SECONDS": "3",
        "CRONMETRICS_SERVER_BODY_TIMEOUT_SECONDS": "2",
        "CRONMETRICS_SERVER_MAX_CONNECTIONS": "1500",
    }).start()
    try:
        # 1,000 connections that never send a byte.
        idle = [connect(server.port) for _ in range(IDLE)]
        started = time.time()
        latencies, errors = [], []
        lock = threading.Lock()

        def submit(count):
            for _ in range(count):
                t0 = time.time()
                status, text = server.submit("limits-key-0123456789abcdef0123456789",
                                             {"job_name": "bulk", "host": "db1", "status": "success"})
                with lock:
                    latencies.append(time.time() - t0)
                    if status != 201:
                        errors.append((status, text))

        threads = [threading.Thread(target=submit, args=(25,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            fail(f"submissions refused with {IDLE} idle connections open: {errors[:3]}")
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        if time.time() - started > 2.5:
            fail("the submissions were not done before the header timeout; the check proves nothing")
        print(f"limits: 200 submissions with {IDLE} idle connections open, p99 {p99 * 1000:.1f} ms")

        # The idle ones are closed by the header timeout (3 s).
        still_open = [s for s in idle if not closed_by_peer(s, max(0.05, 6 - (time.time() - started)))]
        if still_open:
            fail(f"{len(still_open)} idle connections still open after the header timeout")
        for s in idle:
            s.close()

        # Slowloris: headers dripping in, one line a second.
        slow = connect(server.port)
        slow.sendall(b"POST /api/job-result HTTP/1.1\r\nHost: x\r\n")
        t0 = time.time()
        cut = False
        for _ in range(10):
            time.sleep(1)
            try:
                slow.sendall(b"X-Drip: 1\r\n")
            except OSError:
                cut = True
                break
            if closed_by_peer(slow, 0.01):
                cut = True
                break
        if not cut or time.time() - t0 > 6:
            fail("a slowloris request was not cut off by the header timeout")

        # A body that stops halfway: cut by the body timeout (2 s).
        stalled = connect(server.port)
        stalled.sendall(b"POST /api/job-result HTTP/1.1\r\nHost: x\r\nX-API-Key: limits-key-0123456789abcdef0123456789\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"job_name\"")
        if not closed_by_peer(stalled, 5):
            fail("a stalled body was not cut off by the body timeout")

        # Over the cap (1,500): the extra connections are closed at once.
        crowd = [connect(server.port) for _ in range(1600)]
        time.sleep(0.5)
        refused = sum(1 for s in crowd[1500:] if closed_by_peer(s, 0.5))
        for s in crowd:
            s.close()
        if refused < 90:
            fail(f"only {refused} of 100 connections over the cap were closed")
        # And once they are gone, the server serves again.
        if not wait_until(lambda: server.submit("limits-key-0123456789abcdef0123456789",
                                               {"job_name": "bulk", "host": "db1", "status": "success"})[0] == 201, 10):
            fail("no submission accepted after the crowd left")
        print("limits: ok (idle connections, header timeout, slowloris, stalled body, connection cap)")
    finally:
        server.kill(15)


if __name__ == "__main__":
    main()
