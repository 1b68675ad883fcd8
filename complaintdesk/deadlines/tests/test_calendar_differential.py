"""BusinessCalendar against an independent engine, businesstimedelta 1.0.1, on 10,000 seeded random cases.

What businesstimedelta models faithfully, read from its source (.venv/…/businesstimedelta/):

- `WorkDayRule(start, end, working_days, tz)`: one interval on some weekdays; `LunchTimeRule` cuts one
  break out of it. `Rules.next` only cuts a break that ends before the working interval does, so the
  lunch here lies strictly inside the working day (open < lunch start < lunch end < close).
- `HolidayRule(dates, tz)`: whole local days off. It looks at most five years ahead for the next holiday
  and fails without one, so both calendars get a sentinel holiday every three years up to 2041, and a
  duration is at most half a year of the calendar's working time.
- Zones: it localises wall times with pytz's `localize(is_dst=False)`, which in a DST gap or fold picks
  other instants than our documented rule (gap -> end of gap, fold -> first occurrence). So we compare
  in UTC and in Asia/Shanghai, zones without DST in these years; DST is covered by the unit and property
  tests instead.

Conventions, which agree without any normalising: a start outside working time counts from the next
opening, and a duration that exactly fills a period ends at its close (`period_delta >= td_left` returns
`period_start + td_left`). Two differences are kept out of the comparison on purpose: a zero duration
(businesstimedelta moves it to the next opening; ours returns the start unchanged, so durations here are
at least 1 µs) and `Rule.difference`, which drops microseconds (ours is compared floored to the second).
"""

import functools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytz
from businesstimedelta import BusinessTimeDelta, HolidayRule, LunchTimeRule, Rules, WorkDayRule

from complaintdesk.deadlines import BusinessCalendar

SEED = 20260930
CALENDARS = 100
CASES_PER_CALENDAR = 100  # 10,000 cases in all
ZONES = ["UTC", "Asia/Shanghai"]
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2026, 12, 31)
SENTINEL_HOLIDAYS = {
    date(year, 1, 1) for year in range(2029, 2042, 3)
}  # HolidayRule needs one within 5 years


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def random_calendar(rng: random.Random):
    """The same random calendar for both engines: (ours, businesstimedelta's rules, description)."""
    zone = rng.choice(ZONES)
    working_days = sorted(rng.sample(range(7), rng.randint(1, 7)))
    # Minutes of the day: open < [lunch start < lunch end] < close, all before 24:00 (a datetime.time).
    with_lunch = rng.random() < 0.5
    cuts = sorted(rng.sample(range(0, 24 * 60), 4 if with_lunch else 2))
    opens, closes = cuts[0], cuts[-1]
    holidays = {
        FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 40)) for _ in range(40)
    }
    holidays |= SENTINEL_HOLIDAYS
    weekly_minutes = len(working_days) * (closes - opens - (cuts[2] - cuts[1] if with_lunch else 0))

    if with_lunch:
        intervals = [(clock(opens), clock(cuts[1])), (clock(cuts[2]), clock(closes))]
    else:
        intervals = [(clock(opens), clock(closes))]
    ours = BusinessCalendar(
        hours={day: intervals for day in working_days},
        tz=zone,
        statutory=None,
        overrides={day: [] for day in holidays},
    )

    tz = pytz.timezone(zone)
    as_time = lambda minute: time(minute // 60, minute % 60)  # noqa: E731
    rules = [WorkDayRule(as_time(opens), as_time(closes), working_days, tz=tz)]
    if with_lunch:
        rules.append(LunchTimeRule(as_time(cuts[1]), as_time(cuts[2]), working_days, tz=tz))
    rules.append(HolidayRule(holidays, tz=tz))
    description = f"{zone} days={working_days} hours={intervals} holidays={len(holidays)}"
    return ours, Rules(rules), description, timedelta(minutes=26 * weekly_minutes)


def random_instant(rng: random.Random) -> datetime:
    """An instant in 2025–2026 with microseconds, in UTC or Shanghai (the engines must not care)."""
    first, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    seconds = rng.randrange(int((end - first).total_seconds()))
    instant = first + timedelta(seconds=seconds, microseconds=rng.randrange(10**6))
    # Whole minutes half of the time, to land exactly on openings and closes.
    if rng.random() < 0.5:
        instant = instant.replace(second=0, microsecond=0)
    return instant.astimezone(ZoneInfo(rng.choice(ZONES)))


def random_duration(rng: random.Random, longest: timedelta) -> timedelta:
    """From a microsecond to 100 hours, often whole minutes or hours, at most `longest`."""
    kind = rng.random()
    if kind < 0.3:
        duration = timedelta(hours=rng.randint(1, 80))
    elif kind < 0.6:
        duration = timedelta(minutes=rng.randint(1, 3000))
    else:
        duration = timedelta(microseconds=rng.randint(1, 10**6 * 3600 * 100))
    return min(duration, longest)


@functools.cache
def generated_cases():
    """[(ours, theirs, description, [(start, duration, other instant), …]), …], the same on every run."""
    rng = random.Random(SEED)
    result = []
    for _ in range(CALENDARS):
        ours, theirs, description, longest = random_calendar(rng)
        cases = []
        for _ in range(CASES_PER_CALENDAR):
            start = random_instant(rng)
            # Within three weeks either way: businesstimedelta's difference walks period by period.
            other = start + timedelta(
                seconds=rng.randint(-21 * 86400, 21 * 86400), microseconds=rng.randrange(10**6)
            )
            cases.append((start, random_duration(rng, longest), other))
        result.append((ours, theirs, description, cases))
    return result


def test_add_working_time_matches_businesstimedelta_on_10000_cases():
    mismatches, compared = [], 0
    for ours, theirs, description, cases in generated_cases():
        for start, duration, _ in cases:
            expected = start + BusinessTimeDelta(theirs, timedelta=duration)
            got = ours.add_working_time(start, duration)
            compared += 1
            if got != expected:
                mismatches.append(f"{description}: {start.isoformat()} + {duration} -> {got} != {expected}")
    assert compared == CALENDARS * CASES_PER_CALENDAR
    assert mismatches == [], f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


@pytest.mark.parametrize("calendar_index", range(0, CALENDARS, 5))
def test_working_time_between_matches_businesstimedelta(calendar_index):
    ours, theirs, description, cases = generated_cases()[calendar_index]
    for a, _, b in cases[:25]:
        expected = theirs.difference(a, b).timedelta
        got = abs(ours.working_time_between(a, b))
        assert timedelta(seconds=got // timedelta(seconds=1)) == expected, f"{description}: {a} .. {b}"
