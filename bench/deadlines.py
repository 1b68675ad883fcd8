"""Benchmark: business-time deadlines with BusinessCalendar against businesstimedelta.

    .venv/bin/python bench/deadlines.py [--n 1000000] [--check 5000] [--repeats 5] [--seed 12315]

1. Draw N random start instants (seeded) from 2025-01-01 to 2026-12-10 in Asia/Shanghai, with random
   microseconds, and durations from {2 h, 4 h, 7 x 9 h} of working time. The starts end on 10 December
   so every deadline stays inside the years the statutory packages cover (2004-2026).
2. Time `BusinessCalendar.add_working_time` on all N (Mon-Fri 09:00-18:00, CN statutory calendar),
   after one warm-up pass, as the median of --repeats passes.
3. Time businesstimedelta on the first --check cases, configured the same way: WorkDayRule Mon-Fri
   09:00-18:00, HolidayRule with chinesecalendar's days off, and a small Rule for the adjusted working
   weekends (businesstimedelta has none built in; it unions working rules, so one more rule models them).
4. Check that both give identical instants on those cases; print per-deadline microseconds, the ratio,
   the machine, and one summary line for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from bisect import bisect_left
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytz
from businesstimedelta import BusinessTimeDelta, HolidayRule, Rule, Rules, WorkDayRule
from businesstimedelta.businesstimedelta import localize_unlocalized_dt

# Run as a script (`python bench/deadlines.py`), so the repository root is not on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from complaintdesk.deadlines import BusinessCalendar  # noqa: E402

ZONE = "Asia/Shanghai"
FIRST_START = dt.datetime(2025, 1, 1, tzinfo=ZoneInfo(ZONE))
LAST_START = dt.datetime(2026, 12, 10, tzinfo=ZoneInfo(ZONE))
DURATIONS = [dt.timedelta(hours=2), dt.timedelta(hours=4), dt.timedelta(hours=7 * 9)]
OPENS, CLOSES = dt.time(9), dt.time(18)


class AdjustedWorkdayRule(Rule):
    """businesstimedelta rule: 09:00-18:00 on a list of dates (the weekends declared working days)."""

    def __init__(self, dates, start_time, end_time, tz):
        super().__init__(tz=tz, time_off=False)
        self.dates = sorted(dates)
        self.start_time, self.end_time = start_time, end_time

    def next(self, when):
        when = localize_unlocalized_dt(when)
        i = bisect_left(self.dates, when.astimezone(self.tz).date())
        for day in self.dates[i:]:
            start = self.tz.localize(dt.datetime.combine(day, self.start_time))
            end = self.tz.localize(dt.datetime.combine(day, self.end_time))
            if end > when:
                return max(start, when), end
        # No more adjusted days: a period far away, so the weekday rule always wins.
        far = self.tz.localize(dt.datetime(9000, 1, 1))
        return far, far + dt.timedelta(hours=9)


def businesstimedelta_rules() -> Rules:
    tz = pytz.timezone(ZONE)
    return Rules(
        [
            WorkDayRule(OPENS, CLOSES, [0, 1, 2, 3, 4], tz=tz),
            AdjustedWorkdayRule(chinese_calendar.workdays, OPENS, CLOSES, tz),
            # HolidayRule fails when it finds no holiday within five years ahead, so it also gets New
            # Year's Day 2027, which no deadline here reaches.
            HolidayRule(set(chinese_calendar.holidays) | {dt.date(2027, 1, 1)}, tz=tz),
        ]
    )


def random_cases(n: int, seed: int) -> list[tuple[dt.datetime, dt.timedelta]]:
    rng = random.Random(seed)
    span_us = (LAST_START - FIRST_START) // dt.timedelta(microseconds=1)
    return [
        (FIRST_START + dt.timedelta(microseconds=rng.randrange(span_us)), rng.choice(DURATIONS))
        for _ in range(n)
    ]


def time_passes(function, cases, repeats: int) -> float:
    """Median seconds per case over `repeats` passes."""
    per_case = []
    for _ in range(repeats):
        started = time.perf_counter()
        for start, duration in cases:
            function(start, duration)
        per_case.append((time.perf_counter() - started) / len(cases))
    return statistics.median(per_case)


def machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="deadlines computed by BusinessCalendar")
    parser.add_argument("--check", type=int, default=5_000, help="cases also run through businesstimedelta")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes; the median is reported")
    parser.add_argument("--seed", type=int, default=12315)
    args = parser.parse_args()

    cases = random_cases(args.n, args.seed)
    subsample = cases[: args.check]
    calendar = BusinessCalendar(tz=ZONE, statutory="CN")
    rules = businesstimedelta_rules()

    def ours(start, duration):
        return calendar.add_working_time(start, duration)

    def theirs(start, duration):
        return start + BusinessTimeDelta(rules, timedelta=duration)

    mismatches = [(s, d) for s, d in subsample if ours(s, d) != theirs(s, d)]  # also the warm-up pass
    time_passes(ours, cases, 1)
    ours_us = time_passes(ours, cases, args.repeats) * 1e6
    theirs_us = time_passes(theirs, subsample, max(1, min(args.repeats, 3))) * 1e6

    print(f"machine:            {machine()}")
    print(f"cases:              {args.n:,} starts 2025-01-01..2026-12-10 {ZONE}, durations 2 h / 4 h / 63 h")
    print(
        f"BusinessCalendar:   {ours_us:8.2f} µs per deadline (median of {args.repeats} passes over {args.n:,})"
    )
    print(f"businesstimedelta:  {theirs_us:8.2f} µs per deadline ({args.check:,} cases)")
    print(f"ratio:              {theirs_us / ours_us:8.1f} x faster")
    print(f"identical results:  {len(subsample) - len(mismatches):,} of {len(subsample):,}")
    for start, duration in mismatches[:5]:
        print(
            f"  MISMATCH {start.isoformat()} + {duration}: {ours(start, duration)} != {theirs(start, duration)}"
        )
    print()
    print(
        f"| {dt.date.today()} | add_working_time, Mon–Fri 09–18 CN statutory | {ours_us:.2f} µs | "
        f"businesstimedelta {theirs_us:.0f} µs | {theirs_us / ours_us:.0f}× | "
        f"{len(subsample) - len(mismatches):,}/{len(subsample):,} identical | n={args.n:,} | "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.machine()} |"
    )
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
