#!/usr/bin/env python3
"""Writes N valid job files into DIR (spread over subfolders), for benchmarks.

usage: gen-jobs.py N DIR [--schedules]   (with --schedules every job has a cron
schedule in one of five zones, and a threshold for one in five)"""
import hashlib
import os
import sys

count, root = int(sys.argv[1]), sys.argv[2]
schedules = "--schedules" in sys.argv[3:]
teams = ["infra", "web", "data", "platform", "payments"]
zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
for i in range(count):
    team = teams[i % len(teams)]
    folder = os.path.join(root, team, f"shard{i % 20:02d}")
    os.makedirs(folder, exist_ok=True)
    name, host = f"job{i:06d}", f"host{i % 500:03d}"
    key_hash = hashlib.sha256(f"bench-key-{i}".encode()).hexdigest()
    threshold = ["3600", "90m", "1h30m", "2d", "600"][i % 5]
    timing = f"automatic_failure_threshold: {threshold}\n"
    if schedules:
        minute = i % 60
        schedule = [f"{minute} * * * *", f"*/5 * * * *", f"{minute} {i % 24} * * *", f"{minute} 3 * * 1-5", "@hourly"][i % 5]
        timing = (timing if i % 5 == 0 else "") + f'schedule: "{schedule}"\ntimezone: {zones[i % 5]}\ngrace: 2m\nmax_runtime: 1h\n'
    with open(os.path.join(folder, f"{name}@{host}.yaml"), "w") as f:
        f.write(
            f"version: 1\njob_name: {name}\nhost: {host}\n"
            f"{timing}status: active\n"
            f"labels:\n  env: prod\n  team: {team}\n"
            f"api_key_sha256: {key_hash}\n"
            f"description: Benchmark job number {i}\n"
        )
