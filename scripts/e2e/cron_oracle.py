#!/usr/bin/env python3
"""The cron engine against an independent implementation, PyPI's croniter
(pinned in cron_oracle.sh), in two sets, five fire times per case:

- generated: for each of several seeds, random expressions (lists, ranges,
  steps, names), each in every zone, from two hours before each of the zone's
  2026 clock changes and from a random instant of 2026;
- deliberate: every expression of the families below, in every zone with
  clock changes, from two hours, ten minutes before and ten minutes after
  each of its 2026 changes; and expressions that never fire, in every zone.

Every fire time must be identical, except where cronmetrics follows a rule of
its own (docs/schedules.md), which the comparison applies and counts:
- vixie: the Vixie rule for day-of-month and day-of-week: a field that begins
  with `*` (`*/2`) counts as unrestricted, so the other field must match too;
  croniter treats only a bare `*` so (compared against croniter with
  day_or=False);
- once: a time in a repeated hour fires once, at its first occurrence, unless
  the schedule runs every hour; croniter fires at both (its second occurrences
  are dropped before comparing);
- both: a schedule that runs every hour fires at both occurrences of a
  repeated time; in Lord Howe's 30-minute repeat croniter fires some of them
  only once (the second occurrences it skipped are added before comparing,
  and only Australia/Lord_Howe may need this).

croniter gives up when no date matches within 50 years: those cases are
counted apart and asked again over 400 years (a whole Gregorian cycle); when
nothing matches, cronmetrics must say the schedule never fires.

Every count is asserted (EXPECTED): a change in the engine, the rules or the
comparison shows as a changed number, and docs/schedules.md quotes them.

usage: cron_oracle.py PATH_TO_CRONMETRICS
"""
import json
import multiprocessing
import random
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
FIRES = 5
SEEDS = [20261123, 1, 2, 3]
EXPRESSIONS_PER_SEED = 1000
NEVER = ["error: the schedule never fires (no date matches it)"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
FIVES = range(0, 60, 5)

# The deliberate set: each family is every expression of its shape.
FAMILIES = {
    "every hour, one minute (M * * * *)": [f"{m} * * * *" for m in range(60)],
    "every hour, two minutes (A,B * * * *, A<B multiples of 5)": [f"{a},{b} * * * *" for a in FIVES for b in FIVES if a < b],
    "every hour, a step (*/N * * * *, N 2-30)": [f"*/{n} * * * *" for n in range(2, 31)],
    "every hour spelled 0-23 or */1": [f"{m} {h} * * *" for m in FIVES for h in ("0-23", "*/1")],
    "a fixed time (M H * * *, M multiple of 5)": [f"{m} {h} * * *" for h in range(24) for m in FIVES],
    "most hours (0-22, 1-23, */2, 1-23/2)": [f"{m} {h} * * *" for m in FIVES for h in ("0-22", "1-23", "*/2", "1-23/2")],
}
NEVER_FIRES = ["0 0 30 2 *", "0 0 31 2 *", "0 0 31 4 *", "0 0 31 6 *", "0 0 31 9 *", "0 0 31 11 *",
               "0 0 30,31 2 *", "0 0 31 2 */2"]

# What each set must find: cases, identical ones, and the cases each rule of
# cronmetrics' own explained (`both` by zone: Lord Howe only), croniter's
# give-ups (all of them schedules that never fire), no unexplained difference.
EXPECTED = {
    "deliberate": {"cases": 9310, "identical": 9310, "vixie": 0, "once": 324,
                   "both": {"Australia/Lord_Howe": 35}, "gave up": 40, "never fires": 40},
    "seed 20261123": {"cases": 11000, "identical": 11000, "vixie": 1859, "once": 13,
                      "both": {"Australia/Lord_Howe": 1}, "gave up": 0, "never fires": 0},
    "seed 1": {"cases": 11000, "identical": 11000, "vixie": 2046, "once": 11,
               "both": {"Australia/Lord_Howe": 2}, "gave up": 0, "never fires": 0},
    "seed 2": {"cases": 11000, "identical": 11000, "vixie": 1771, "once": 6, "both": {}, "gave up": 0, "never fires": 0},
    "seed 3": {"cases": 11000, "identical": 11000, "vixie": 1980, "once": 9, "both": {}, "gave up": 0, "never fires": 0},
}


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


def changes(zone, first=2026, last=2130):
    """(instant, offset before, offset after) of each clock change of the zone
    from `first` to `last`: a day's step, then the minute by bisection."""
    tz = ZoneInfo(zone)
    out, day = [], datetime(first, 1, 1, tzinfo=timezone.utc)
    offset = day.astimezone(tz).utcoffset()
    while day.year <= last:
        following = day + timedelta(days=1)
        new = following.astimezone(tz).utcoffset()
        if new != offset:
            low, high = day, following  # offset(low) == offset, offset(high) == new
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            out.append((high, offset, new))
            offset = new
        day = following
    return out


CHANGES = {zone: changes(zone) for zone in ZONES}
# The second occurrences of repeated times: from each change that sets clocks
# back, for as long as they went back.
REPEATS = {zone: [(at, before - after) for at, before, after in CHANGES[zone] if after < before] for zone in ZONES}


def changes_2026(zone):
    return [at for at, _, _ in CHANGES[zone] if at.year == 2026]


def vixie_and(expr):
    """Whether the Vixie star rule makes this expression AND where croniter ORs."""
    if expr.startswith("@"):
        return False
    dom, dow = expr.split()[2], expr.split()[4]
    star_dom, star_dow = dom.startswith("*"), dow.startswith("*")
    return (star_dom or star_dow) and dom != "*" and dow != "*"


def fields(expr):
    """croniter's reading of the expression: a set per field (None: all)."""
    return [None if values == ["*"] else set(values) for values in croniter(expr).expanded]


def every_hour(parsed):
    """Whether the hour field matches all 24 hours."""
    return parsed[1] is None or len(parsed[1]) == 24


def matches(parsed, day_or, wall):
    minute, hour, dom, month, dow = parsed
    if minute is not None and wall.minute not in minute or hour is not None and wall.hour not in hour:
        return False
    if month is not None and wall.month not in month:
        return False
    by_dom = dom is None or wall.day in dom
    by_dow = dow is None or (wall.weekday() + 1) % 7 in dow
    return by_dom or by_dow if day_or and dom is not None and dow is not None else by_dom and by_dow


def repeated_second(t, tz):
    """Whether instant t is the second occurrence of a repeated local time."""
    utc = t.astimezone(timezone.utc)  # arithmetic on aware local times is wall-clock arithmetic
    local = utc.astimezone(tz).replace(tzinfo=None)
    for back in (1800, 3600, 7200):
        if (utc - timedelta(seconds=back)).astimezone(tz).replace(tzinfo=None) == local:
            return True
    return False


def second_occurrences(parsed, day_or, zone, after, until):
    """Instants in (after, until] that are the second occurrence of a
    repeated local time the schedule matches."""
    tz, out = ZoneInfo(zone), []
    for at, length in REPEATS[zone]:
        if at + length <= after or at > until:
            continue
        for minute in range(int(length.total_seconds()) // 60):
            u = at + timedelta(minutes=minute)
            if after < u <= until and matches(parsed, day_or, u.astimezone(tz)):
                out.append(u)
    return out


def utc_text(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def croniter_fires(expr, parsed, and_rule, zone, start, max_years=None):
    """croniter's fire times with cronmetrics' rules applied: (fires as
    text, rules that changed them). Raises CroniterBadDateError when croniter
    gives up with fewer than FIRES."""
    tz = ZoneInfo(zone)
    hourly = every_hour(parsed)
    it = croniter(expr, start.astimezone(tz), day_or=not and_rule, max_years_between_matches=max_years)
    found, rules = [], set()
    while len(found) < FIRES:
        t = it.get_next(datetime)
        if not hourly and repeated_second(t, tz):
            rules.add("once")
            continue
        found.append(t.astimezone(timezone.utc))
    if hourly and REPEATS[zone]:
        merged = sorted(set(found) | set(second_occurrences(parsed, not and_rule, zone, start, found[-1])))[:FIRES]
        if merged != found:
            rules.add("both")
            found = merged
    if and_rule:
        rules.add("vixie")
    return [utc_text(t) for t in found], rules


def judge(case):
    """croniter's answer for one case (expression, zone, start), with the
    rules applied: (fires, rules, gave up, never fires)."""
    expr, zone, start = case
    parsed, and_rule = fields(expr), vixie_and(expr)
    try:
        return (*croniter_fires(expr, parsed, and_rule, zone, start), False, False)
    except CroniterBadDateError:
        try:
            return (*croniter_fires(expr, parsed, and_rule, zone, start, max_years=400), True, False)
        except CroniterBadDateError:
            return NEVER, set(), True, True


def generated(seed):
    rng = random.Random(seed)
    plan = []
    for _ in range(EXPRESSIONS_PER_SEED):
        expr = expression(rng)
        for zone in ZONES:
            randomly = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randint(0, 525_000))
            plan += [(expr, zone, at - timedelta(hours=2)) for at in changes_2026(zone)] + [(expr, zone, randomly)]
    return plan


def deliberate():
    plan = []
    for family in FAMILIES.values():
        for expr in family:
            for zone in ZONES:
                for at in changes_2026(zone):
                    plan += [(expr, zone, at + offset) for offset in
                             (timedelta(hours=-2), timedelta(minutes=-10), timedelta(minutes=10))]
    plan += [(expr, zone, datetime(2026, 1, 1, tzinfo=timezone.utc)) for expr in NEVER_FIRES for zone in ZONES]
    return plan


def cronmetrics(binary, plan, answer):
    batch = "".join(f"{e}\t{z}\t{utc_text(s)}\t{FIRES}\n" for e, z, s in plan)
    out = subprocess.run([binary, "schedule", "--stdin"], input=batch, capture_output=True, text=True, check=True).stdout
    answer.extend(json.loads(line) for line in out.splitlines())


def main():
    binary = sys.argv[1]
    sets = {"deliberate": deliberate(), **{f"seed {seed}": generated(seed) for seed in SEEDS}}
    plan = [case for cases in sets.values() for case in cases]
    ours = []
    # The binary answers every case while croniter works on them.
    asking = threading.Thread(target=cronmetrics, args=(binary, plan, ours))
    asking.start()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        verdicts = pool.map(judge, plan, chunksize=500)
    asking.join()
    if len(ours) != len(plan):
        print(f"FAIL: cronmetrics answered {len(ours)} lines for {len(plan)} cases", file=sys.stderr)
        sys.exit(1)
    problems, index = [], 0
    for name, cases in sets.items():
        counts = {"cases": len(cases), "identical": 0, "vixie": 0, "once": 0, "both": {}, "gave up": 0, "never fires": 0}
        differences = []
        for (expr, zone, start), mine, (theirs, rules, gave_up, never) in zip(
                cases, ours[index:index + len(cases)], verdicts[index:index + len(cases)]):
            if mine != theirs:
                differences.append((expr, zone, utc_text(start), mine, theirs))
                continue
            counts["identical"] += 1
            counts["vixie"] += "vixie" in rules
            counts["once"] += "once" in rules
            if "both" in rules:
                counts["both"][zone] = counts["both"].get(zone, 0) + 1
            counts["gave up"] += gave_up
            counts["never fires"] += never
        index += len(cases)
        expressions = len({e for e, _, _ in cases})
        both = ", ".join(f"{n} in {z}" for z, n in sorted(counts["both"].items())) or "none"
        print(f"croniter, {name}: {counts['cases']} cases ({expressions} expressions), {counts['identical']} identical;"
              f" rules applied: vixie {counts['vixie']}, once {counts['once']}, both {both};"
              f" croniter gave up on {counts['gave up']} ({counts['never fires']} never fire:"
              f" cronmetrics says so); {len(differences)} unexplained differences")
        for difference in differences[:10]:
            print("  differs:", difference)
        if counts != EXPECTED[name]:
            problems.append(f"{name}: found {counts}, expected {EXPECTED[name]}")
    sys.stdout.flush()
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
