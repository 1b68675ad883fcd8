"""Properties of BusinessCalendar over random calendars, zones (with DST) and instants (hypothesis).

Each property is one that any correct working-time engine must have, whatever the calendar:
monotonic, earliest instant, round trip through working_time_between, additivity, and agreement with
plain clock arithmetic on a calendar where every instant is working time.

Arithmetic and comparisons go through UTC (`utc()`): Python compares and adds two datetimes that share a
tzinfo by their wall times, which is wrong across a DST fold.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.deadlines import BusinessCalendar
from complaintdesk.deadlines.statutory import StatutoryCalendar

# Zones with DST of an hour (Berlin, New York), half an hour (Lord Howe), DST switching at midnight
# (Santiago), odd offsets (Kolkata, Chatham, St John's), and none (UTC, Shanghai).
ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
]
# Around 2025-2027, so random calendars cross year boundaries and every zone's DST switches.
LOW = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) * 10**6
HIGH = int(datetime(2027, 12, 31, tzinfo=UTC).timestamp()) * 10**6
ONE_US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHINA = StatutoryCalendar.china()  # private: never given entries, so covered years stay 2004–2026

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw):
    """0 to 3 disjoint intervals, from sorted distinct cut points in minutes (1440 = "24:00")."""
    count = draw(st.integers(0, 3))
    cuts = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * count, max_size=2 * count)))
    return [(clock(cuts[i]), clock(cuts[i + 1])) for i in range(0, len(cuts), 2)]


@st.composite
def calendars(draw):
    weekly = draw(st.lists(day_hours(), min_size=7, max_size=7).filter(lambda days: any(days)))
    override_days = draw(st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=4, unique=True))
    overrides = {day: draw(day_hours()) for day in override_days}
    statutory = draw(st.sampled_from([None, CHINA]))
    return BusinessCalendar(
        hours=dict(enumerate(weekly)),
        tz=draw(st.sampled_from(ZONES)),
        statutory=statutory,
        overrides=overrides,
        uncovered="weekends",  # 2027 has no statutory source; guess rather than raise
    )


def utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def at(microseconds: int, zone: str) -> datetime:
    return (EPOCH + timedelta(microseconds=microseconds)).astimezone(ZoneInfo(zone))


def offset_changes(zone: str) -> list[int]:
    """The instants (µs) at which `zone` changes its UTC offset between LOW and HIGH."""
    tz, changes = ZoneInfo(zone), []
    hour = 3600 * 10**6
    previous = at(LOW, zone).utcoffset()
    for instant in range(LOW, HIGH, hour):
        offset = (EPOCH + timedelta(microseconds=instant)).astimezone(tz).utcoffset()
        if offset != previous:
            changes.append(instant)
            previous = offset
    return changes


TRANSITIONS = sorted({change for zone in ZONES for change in offset_changes(zone)})
near_transitions = st.builds(
    lambda instant, shift, zone: at(instant + shift, zone),
    st.sampled_from(TRANSITIONS),
    st.integers(-2 * 86400 * 10**6, 2 * 86400 * 10**6),
    st.sampled_from(ZONES),
)
# Uniform over three years, or within two days of a DST switch of one of the zones.
instants = st.one_of(st.builds(at, st.integers(LOW, HIGH), st.sampled_from(ZONES)), near_transitions)
# Mostly up to a few working days, sometimes weeks; microsecond resolution.
durations = st.one_of(
    st.integers(1, 10**6 * 3600 * 10),
    st.integers(1, 10**6 * 3600 * 24 * 30),
).map(lambda us: timedelta(microseconds=us))


@PROPERTY_SETTINGS
@given(calendars(), instants, instants, durations)
def test_add_is_monotonic_in_the_start(cal, a, b, duration):
    a, b = sorted((a, b), key=utc)
    assert utc(cal.add_working_time(a, duration)) <= utc(cal.add_working_time(b, duration))


@PROPERTY_SETTINGS
@given(calendars(), instants, durations, durations)
def test_add_is_monotonic_in_the_duration(cal, start, d1, d2):
    d1, d2 = min(d1, d2), max(d1, d2)
    assert utc(cal.add_working_time(start, d1)) <= utc(cal.add_working_time(start, d2))


@PROPERTY_SETTINGS
@given(calendars(), instants, durations)
def test_result_is_in_working_time_or_at_a_close(cal, start, duration):
    """The microsecond before the result was worked: the result is inside a period or at its close."""
    due = cal.add_working_time(start, duration)
    assert utc(due) > utc(start)
    assert cal.is_working_time(utc(due) - ONE_US)
    assert due.tzinfo is cal.tz


@PROPERTY_SETTINGS
@given(calendars(), instants, durations)
def test_round_trip_through_between_and_earliest_instant(cal, start, duration):
    due = cal.add_working_time(start, duration)
    assert cal.working_time_between(start, due) == duration
    assert cal.working_time_between(start, utc(due) - ONE_US) == duration - ONE_US  # nothing earlier will do
    assert cal.working_time_between(due, start) == -duration


@PROPERTY_SETTINGS
@given(calendars(), instants, durations)
def test_negative_durations_count_back(cal, end, duration):
    begin = cal.add_working_time(end, -duration)
    assert utc(begin) < utc(end)
    assert cal.working_time_between(begin, end) == duration
    assert cal.is_working_time(begin)  # the latest such instant is an instant of work
    assert cal.working_time_between(utc(begin) + ONE_US, end) == duration - ONE_US


@PROPERTY_SETTINGS
@given(calendars(), instants, durations, durations)
def test_add_is_additive(cal, start, d1, d2):
    twice = cal.add_working_time(cal.add_working_time(start, d1), d2)
    assert utc(twice) == utc(cal.add_working_time(start, d1 + d2))


@PROPERTY_SETTINGS
@given(calendars(), instants, instants, instants)
def test_between_adds_up(cal, a, b, c):
    assert cal.working_time_between(a, b) + cal.working_time_between(b, c) == cal.working_time_between(a, c)


@PROPERTY_SETTINGS
@given(calendars(), instants)
def test_is_working_time_agrees_with_between(cal, instant):
    working = cal.working_time_between(instant, utc(instant) + ONE_US) == ONE_US
    assert cal.is_working_time(instant) is working


@PROPERTY_SETTINGS
@given(st.sampled_from(ZONES), instants, instants, durations)
def test_always_open_calendar_is_the_wall_clock(zone, a, b, duration):
    cal = BusinessCalendar(hours={d: [("00:00", "24:00")] for d in range(7)}, tz=zone, statutory=None)
    assert utc(cal.add_working_time(a, duration)) == utc(a) + duration
    assert utc(cal.add_working_time(a, -duration)) == utc(a) - duration
    assert cal.working_time_between(a, b) == utc(b) - utc(a)
    assert cal.is_working_time(a)
