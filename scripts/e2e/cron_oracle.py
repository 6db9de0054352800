#!/usr/bin/env python3
"""The cron engine against an independent implementation, PyPI's croniter:
thousands of generated expressions x time zones x start instants (both
daylight-saving transitions of the year among them), five fire times each.

Every fire time must be identical, except where cronmetrics follows a rule of
its own (docs/schedules.md), which the comparison applies and counts:
- the Vixie rule for day-of-month and day-of-week: a field that begins with `*`
  (`*/2`) counts as unrestricted, so the other field must match too; croniter
  treats only a bare `*` so (compared against croniter with day_or=False);
- a time in a repeated hour fires once, at its first occurrence, unless the
  schedule runs every hour (as cron runs fixed-time jobs once); croniter fires
  at both (its second occurrences are dropped before comparing, for schedules
  that do not run every hour).

usage: croniter.py PATH_TO_CRONMETRICS [CASES]
"""
import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
FIRES = 5
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def field(rng, low, high, names=None):
    kind = rng.random()
    def value():
        v = rng.randint(low, high)
        return names[v - low] if names and rng.random() < 0.3 else str(v)
    if kind < 0.30:
        return "*"
    if kind < 0.45:
        return f"*/{rng.randint(2, max(2, (high - low) // 2))}"
    if kind < 0.65:
        return value()
    if kind < 0.78:
        a, b = sorted(rng.sample(range(low, high + 1), 2))
        return f"{a}-{b}"
    if kind < 0.86:
        a, b = sorted(rng.sample(range(low, high + 1), 2))
        return f"{a}-{b}/{rng.randint(2, 4)}"
    return ",".join(sorted({value() for _ in range(rng.randint(2, 4))}, key=lambda x: x))


def expression(rng):
    if rng.random() < 0.04:
        return rng.choice(["@hourly", "@daily", "@weekly", "@monthly", "@yearly"])
    return " ".join([field(rng, 0, 59), field(rng, 0, 23), field(rng, 1, 28 if rng.random() < 0.7 else 31),
                     field(rng, 1, 12, MONTHS), field(rng, 0, 6, DAYS)])


def transitions(zone, year=2026):
    """Instants an hour before each offset change of the zone in `year`."""
    tz = ZoneInfo(zone)
    out, t = [], datetime(year, 1, 1, tzinfo=timezone.utc)
    previous = t.astimezone(tz).utcoffset()
    while t.year == year:
        t += timedelta(minutes=30)
        offset = t.astimezone(tz).utcoffset()
        if offset != previous:
            out.append(t - timedelta(hours=2))
            previous = offset
    return out


def vixie_and(expr):
    """Whether the Vixie star rule makes this expression AND where croniter ORs."""
    if expr.startswith("@"):
        return False
    dom, dow = expr.split()[2], expr.split()[4]
    star_dom, star_dow = dom.startswith("*"), dow.startswith("*")
    return (star_dom or star_dow) and dom != "*" and dow != "*"


def every_hour(expr):
    """Whether the hour field matches all 24 hours."""
    if expr.startswith("@"):
        return expr == "@hourly"
    return len(croniter(expr).expanded[1]) == 24 or croniter(expr).expanded[1] == ["*"]


def repeated_second(t, tz):
    """Whether instant t is the second occurrence of a repeated local time."""
    utc = t.astimezone(timezone.utc)  # arithmetic on aware local times is wall-clock arithmetic
    local = utc.astimezone(tz).replace(tzinfo=None)
    for back in (1800, 3600, 7200):
        if (utc - timedelta(seconds=back)).astimezone(tz).replace(tzinfo=None) == local:
            return True
    return False


def main():
    binary, cases = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rng = random.Random(20261123)
    plan = []
    starts = {z: transitions(z) for z in ZONES}
    while len(plan) < cases:
        expr, zone = expression(rng), rng.choice(ZONES)
        for start in starts[zone][:2] + [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randint(0, 525_000))]:
            plan.append((expr, zone, start))
    batch = "".join(f"{e}\t{z}\t{s.strftime('%Y-%m-%dT%H:%M:%SZ')}\t{FIRES}\n" for e, z, s in plan)
    out = subprocess.run([binary, "schedule", "--stdin"], input=batch, capture_output=True, text=True, check=True).stdout
    ours = [json.loads(line) for line in out.splitlines()]
    assert len(ours) == len(plan), (len(ours), len(plan))
    same = vixie = repeats = 0
    failures = []
    for (expr, zone, start), mine in zip(plan, ours):
        tz = ZoneInfo(zone)
        and_rule = vixie_and(expr)
        hourly = every_hour(expr)
        it = croniter(expr, start.astimezone(tz), day_or=not and_rule)
        theirs, dropped = [], 0
        try:
            while len(theirs) < FIRES:
                t = it.get_next(datetime)
                if not hourly and repeated_second(t, tz):
                    dropped += 1
                    continue
                theirs.append(t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        except CroniterBadDateError:
            # croniter gives up on dates years away (29 February on a given
            # weekday); cronmetrics searches 28 years: compare what croniter found.
            mine = mine[:len(theirs)]
        if mine == theirs:
            same += 1
            vixie += and_rule
            repeats += dropped > 0
        else:
            failures.append((expr, zone, start.isoformat(), mine, theirs))
    zones = ", ".join(ZONES)
    print(f"croniter: {len(plan)} cases ({len({p[0] for p in plan})} expressions x {zones}; starts an hour"
          f" before each DST change of 2026 and at random), {FIRES} fire times each")
    print(f"croniter: {same} identical; of these, {vixie} under the Vixie day rule and {repeats} with a repeated hour"
          f" fired once; {len(failures)} unexplained differences")
    for failure in failures[:10]:
        print("  differs:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
