"""BusinessCalendar: SPEC §3 examples, the 2026 Chinese statutory calendar, edges, DST, overrides.

Plain pytest, no database. Tests that depend on which years are covered build their own
`StatutoryCalendar.china()` instead of touching the process-wide `statutory.CN`.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from complaintdesk.deadlines import BusinessCalendar, UncoveredYearError
from complaintdesk.deadlines.statutory import StatutoryCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
ALL_DAY = {weekday: [("00:00", "24:00")] for weekday in range(7)}


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def china():
    """A private copy of the CN statutory calendar (entries set here must not leak to other tests)."""
    return StatutoryCalendar.china()


@pytest.fixture
def cal(china):
    return BusinessCalendar(statutory=china)


# -- SPEC §3 worked examples --------------------------------------------------------------------------


def test_spec_quality_issue_reply_skips_national_day():
    cal = BusinessCalendar.default()
    # One working hour on 30 September, the National Day holiday, then three hours on 8 October.
    assert cal.add_working_time(sh(2026, 9, 30, 17), 4 * H) == sh(2026, 10, 8, 12)


def test_spec_resolution_is_end_of_seventh_working_day(cal):
    # 8, 9, 10 (an adjusted working Saturday), 12, 13, 14, 15 October.
    end_of_receipt_day = sh(2026, 9, 30, 18)
    assert cal.add_working_time(end_of_receipt_day, 7 * 9 * H) == sh(2026, 10, 15, 18)


def test_default_is_monday_to_friday_nine_to_six_in_shanghai():
    cal = BusinessCalendar.default()
    assert cal.tz == SHANGHAI
    assert cal.is_working_time(sh(2026, 3, 2, 9))  # Monday
    assert not cal.is_working_time(sh(2026, 3, 7, 10))  # Saturday
    assert BusinessCalendar.default() is cal


# -- the 2026 statutory calendar ----------------------------------------------------------------------

# (day, working at 10:00?, why) — from the State Council notice for 2026 as chinesecalendar 1.11 has it.
CALENDAR_2026 = [
    (date(2026, 1, 1), False, "New Year's Day"),
    (date(2026, 1, 2), False, "New Year bridge day (Friday)"),
    (date(2026, 1, 4), True, "adjusted working Sunday for New Year"),
    (date(2026, 1, 5), True, "ordinary Monday"),
    (date(2026, 2, 13), True, "Friday before Spring Festival"),
    (date(2026, 2, 14), True, "adjusted working Saturday for Spring Festival"),
    (date(2026, 2, 16), False, "Spring Festival eve (Monday)"),
    (date(2026, 2, 20), False, "Spring Festival (Friday)"),
    (date(2026, 2, 23), False, "Spring Festival, last day (Monday)"),
    (date(2026, 2, 24), True, "first working day after Spring Festival"),
    (date(2026, 2, 28), True, "adjusted working Saturday for Spring Festival"),
    (date(2026, 3, 1), False, "ordinary Sunday"),
    (date(2026, 4, 3), True, "Friday before Qingming"),
    (date(2026, 4, 6), False, "Qingming (Monday)"),
    (date(2026, 5, 1), False, "Labour Day"),
    (date(2026, 5, 5), False, "Labour Day break (Tuesday)"),
    (date(2026, 5, 6), True, "Wednesday after Labour Day"),
    (date(2026, 5, 9), True, "adjusted working Saturday for Labour Day"),
    (date(2026, 6, 19), False, "Dragon Boat Festival (Friday)"),
    (date(2026, 6, 22), True, "Monday after Dragon Boat"),
    (date(2026, 9, 20), True, "adjusted working Sunday for National Day"),
    (date(2026, 9, 25), False, "Mid-Autumn Festival (Friday)"),
    (date(2026, 10, 1), False, "National Day"),
    (date(2026, 10, 7), False, "National Day break (Wednesday)"),
    (date(2026, 10, 8), True, "first working day after National Day"),
    (date(2026, 10, 10), True, "adjusted working Saturday for National Day"),
    (date(2026, 10, 11), False, "ordinary Sunday"),
]


@pytest.mark.parametrize(("day", "working", "why"), CALENDAR_2026, ids=[c[2] for c in CALENDAR_2026])
def test_2026_statutory_days(cal, day, working, why):
    assert cal.is_working_time(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)) is working


def test_table_agrees_with_chinesecalendar():
    for day, working, _ in CALENDAR_2026:
        assert chinese_calendar.is_workday(day) is working


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (sh(2026, 2, 13, 17), 2, sh(2026, 2, 14, 10)),  # into the adjusted working Saturday
        (sh(2026, 2, 14, 17), 2, sh(2026, 2, 24, 10)),  # over the whole Spring Festival break
        (sh(2026, 4, 3, 17), 2, sh(2026, 4, 7, 10)),  # over Qingming
        (sh(2026, 4, 30, 17), 4, sh(2026, 5, 6, 12)),  # over Labour Day
        (sh(2026, 5, 8, 17), 2, sh(2026, 5, 9, 10)),  # into the adjusted working Saturday
        (sh(2026, 6, 18, 17), 2, sh(2026, 6, 22, 10)),  # over Dragon Boat
        (sh(2026, 9, 19, 10), 9, sh(2026, 9, 20, 18)),  # a Saturday start, adjusted Sunday filled
        (sh(2026, 9, 24, 17), 2, sh(2026, 9, 28, 10)),  # over Mid-Autumn
        (sh(2025, 12, 31, 17), 2, sh(2026, 1, 4, 10)),  # over New Year and the year boundary
    ],
)
def test_add_working_time_over_2026_holidays(cal, start, hours, due):
    assert cal.add_working_time(start, hours * H) == due
    assert cal.working_time_between(start, due) == hours * H


def test_adjusted_working_day_gets_mondays_hours(china):
    cal = BusinessCalendar(
        hours={0: [("10:00", "16:00")], 1: [("09:00", "18:00")], 5: [("11:00", "14:30")]},
        statutory=china,
    )
    # Saturday 10 October 2026 is worked for National Day: Monday's 10:00–16:00, not Saturday's hours.
    assert cal.is_working_time(sh(2026, 10, 10, 10))
    assert not cal.is_working_time(sh(2026, 10, 10, 16))
    assert cal.working_time_between(sh(2026, 10, 10, 0), sh(2026, 10, 11, 0)) == 6 * H
    # An ordinary Saturday keeps the shop's Saturday hours; a holiday Saturday has none.
    assert cal.working_time_between(sh(2026, 10, 17, 0), sh(2026, 10, 18, 0)) == 3.5 * H
    assert cal.working_time_between(sh(2026, 10, 3, 0), sh(2026, 10, 4, 0)) == timedelta(0)


def test_without_statutory_calendar_holidays_are_ordinary_days():
    cal = BusinessCalendar(statutory=None)
    assert cal.is_working_time(sh(2026, 10, 1, 10))
    assert not cal.is_working_time(sh(2026, 10, 10, 10))
    assert cal.is_working_time(sh(2040, 1, 2, 10))  # no statutory calendar: no year is uncovered


# -- edges ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "working"),
    [
        (sh(2026, 3, 3, 8, 59, 59), False),
        (sh(2026, 3, 3, 8, 59, 59, 999999), False),
        (sh(2026, 3, 3, 9), True),
        (sh(2026, 3, 3, 17, 59, 59), True),
        (sh(2026, 3, 3, 17, 59, 59, 999999), True),
        (sh(2026, 3, 3, 18), False),
    ],
)
def test_working_intervals_are_half_open(cal, instant, working):
    assert cal.is_working_time(instant) is working


def test_start_outside_working_time_counts_from_next_opening(cal):
    assert cal.add_working_time(sh(2026, 3, 3, 8, 59, 59), H) == sh(2026, 3, 3, 10)
    assert cal.add_working_time(sh(2026, 3, 3, 18), H) == sh(2026, 3, 4, 10)
    assert cal.add_working_time(sh(2026, 3, 6, 20), H) == sh(2026, 3, 9, 10)  # Friday night


def test_exact_fill_ends_at_close_not_next_opening(cal):
    assert cal.add_working_time(sh(2026, 3, 3, 9), 9 * H) == sh(2026, 3, 3, 18)
    assert cal.add_working_time(sh(2026, 3, 3, 17, 59, 59), timedelta(seconds=1)) == sh(2026, 3, 3, 18)
    one_us = timedelta(microseconds=1)
    assert cal.add_working_time(sh(2026, 3, 3, 17, 59, 59, 999999), one_us) == sh(2026, 3, 3, 18)
    assert cal.add_working_time(sh(2026, 3, 3, 18), one_us) == sh(2026, 3, 4, 9, 0, 0, 1)


def test_zero_duration_returns_the_start_unchanged(cal):
    outside = datetime(2026, 3, 3, 20, tzinfo=UTC)
    assert cal.add_working_time(outside, timedelta(0)) is outside


def test_results_are_in_the_calendars_zone(cal):
    start = datetime(2026, 3, 3, 1, tzinfo=UTC)  # 09:00 in Shanghai
    due = cal.add_working_time(start, 2 * H)
    assert due == sh(2026, 3, 3, 11)
    assert due.tzinfo is SHANGHAI


def test_between_is_negative_when_reversed(cal):
    a, b = sh(2026, 9, 30, 17), sh(2026, 10, 8, 12)
    assert cal.working_time_between(a, b) == 4 * H
    assert cal.working_time_between(b, a) == -4 * H
    assert cal.working_time_between(a, a) == timedelta(0)


def test_negative_duration_counts_back_to_the_latest_instant(cal):
    assert cal.add_working_time(sh(2026, 10, 8, 12), -4 * H) == sh(2026, 9, 30, 17)
    # An exact fill backwards starts at the opening (09:00), not at the previous close.
    assert cal.add_working_time(sh(2026, 3, 4, 18), -9 * H) == sh(2026, 3, 4, 9)
    assert cal.add_working_time(sh(2026, 3, 4, 9), -H) == sh(2026, 3, 3, 17)


def test_microseconds_are_kept(cal):
    start = sh(2026, 3, 3, 10, 0, 0, 123456)
    duration = timedelta(hours=30, microseconds=654321)
    due = cal.add_working_time(start, duration)
    assert due == sh(2026, 3, 6, 13, 0, 0, 777777)
    assert cal.working_time_between(start, due) == duration


# -- several intervals a day, 24:00, overrides ---------------------------------------------------------


def test_lunch_break_is_not_working_time():
    cal = BusinessCalendar(
        hours={d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(5)}, statutory=None
    )
    assert cal.is_working_time(sh(2026, 3, 2, 12, 59, 59))
    assert not cal.is_working_time(sh(2026, 3, 2, 13))
    assert not cal.is_working_time(sh(2026, 3, 2, 13, 59, 59))
    assert cal.is_working_time(sh(2026, 3, 2, 14))
    assert cal.add_working_time(sh(2026, 3, 2, 12), 2 * H) == sh(2026, 3, 2, 15)
    assert cal.add_working_time(sh(2026, 3, 2, 9), 4 * H) == sh(2026, 3, 2, 13)  # fills the morning
    assert cal.add_working_time(sh(2026, 3, 2, 13, 30), H) == sh(2026, 3, 2, 15)
    assert cal.working_time_between(sh(2026, 3, 2, 12), sh(2026, 3, 2, 15)) == 2 * H


def test_spec_example_calendar_with_saturday_hours(china):
    cal = BusinessCalendar(
        hours={0: [("09:00", "13:00"), ("14:00", "18:00")], 5: [("11:00", "14:30")]},
        tz="Europe/Berlin",
        statutory=china,
        overrides={date(2026, 2, 14): [("09:00", "18:00")], date(2026, 10, 1): []},
    )
    berlin = BERLIN
    assert cal.is_working_time(datetime(2026, 3, 7, 11, tzinfo=berlin))  # ordinary Saturday
    assert not cal.is_working_time(datetime(2026, 3, 3, 10, tzinfo=berlin))  # Tuesday: no hours
    assert cal.is_working_time(datetime(2026, 2, 14, 17, tzinfo=berlin))  # override wins
    # Monday 2 March: 4 h before lunch, then 14:00 + 1 h.
    assert cal.add_working_time(datetime(2026, 3, 2, 9, tzinfo=berlin), 5 * H) == datetime(
        2026, 3, 2, 15, tzinfo=berlin
    )


def test_interval_may_end_at_midnight():
    cal = BusinessCalendar(hours={4: [("20:00", "24:00")], 5: [("00:00", "02:00")]}, statutory=None)
    friday_night = sh(2026, 3, 6, 20)
    assert cal.is_working_time(sh(2026, 3, 6, 23, 59, 59))
    assert cal.is_working_time(sh(2026, 3, 7, 0))
    assert cal.add_working_time(friday_night, 4 * H) == sh(2026, 3, 7, 0)
    assert cal.add_working_time(friday_night, 5 * H) == sh(2026, 3, 7, 1)
    assert cal.working_time_between(friday_night, sh(2026, 3, 8)) == 6 * H


def test_overrides_replace_everything_for_their_date(china):
    cal = BusinessCalendar(
        statutory=china,
        overrides={
            date(2026, 10, 1): [("10:00", "12:00")],  # work on National Day morning
            date(2026, 10, 9): [],  # close on an ordinary Friday
            date(2026, 3, 7): [("09:00", "18:00")],  # open on an ordinary Saturday
        },
    )
    assert cal.is_working_time(sh(2026, 10, 1, 11))
    assert not cal.is_working_time(sh(2026, 10, 1, 12))
    assert cal.add_working_time(sh(2026, 9, 30, 17), 2 * H) == sh(2026, 10, 1, 11)
    assert cal.add_working_time(sh(2026, 10, 8, 17), 2 * H) == sh(2026, 10, 10, 10)
    assert cal.is_working_time(sh(2026, 3, 7, 9))


def test_override_on_an_uncovered_day_needs_no_statutory_source(china):
    cal = BusinessCalendar(statutory=china, overrides={date(2027, 1, 1): [("09:00", "12:00")]})
    assert cal.is_working_time(sh(2027, 1, 1, 10))
    assert cal.add_working_time(sh(2027, 1, 1, 9), 3 * H) == sh(2027, 1, 1, 12)
    with pytest.raises(UncoveredYearError):
        cal.add_working_time(sh(2027, 1, 1, 9), 4 * H)  # needs 2 January, which nobody knows


def test_unknown_days_between_two_overrides_are_not_skipped(china):
    hours = [("09:00", "12:00")]
    cal = BusinessCalendar(statutory=china, overrides={date(2027, 1, 1): hours, date(2027, 1, 5): hours})
    assert cal.working_time_between(sh(2027, 1, 5, 9), sh(2027, 1, 5, 11)) == 2 * H
    # Without the check these would jump over 2–4 January as if nobody worked then.
    with pytest.raises(UncoveredYearError):
        cal.add_working_time(sh(2027, 1, 1, 9), 4 * H)
    with pytest.raises(UncoveredYearError):
        cal.add_working_time(sh(2027, 1, 5, 10), -2 * H)
    with pytest.raises(UncoveredYearError):
        cal.working_time_between(sh(2027, 1, 1, 9), sh(2027, 1, 5, 10))
    with pytest.raises(UncoveredYearError):
        cal.is_working_time(sh(2027, 1, 3, 10))


# -- daylight saving time --------------------------------------------------------------------------------


def test_berlin_spring_forward_day_is_an_hour_shorter():
    cal = BusinessCalendar(hours=ALL_DAY, tz="Europe/Berlin", statutory=None)
    day = datetime(2026, 3, 29, tzinfo=BERLIN)
    assert cal.working_time_between(day, datetime(2026, 3, 30, tzinfo=BERLIN)) == 23 * H
    assert cal.add_working_time(day, 23 * H) == datetime(2026, 3, 30, tzinfo=BERLIN)
    assert cal.add_working_time(day, 3 * H) == datetime(2026, 3, 29, 4, tzinfo=BERLIN)


def test_berlin_fall_back_day_is_an_hour_longer():
    cal = BusinessCalendar(hours=ALL_DAY, tz="Europe/Berlin", statutory=None)
    day = datetime(2026, 10, 25, tzinfo=BERLIN)
    assert cal.working_time_between(day, datetime(2026, 10, 26, tzinfo=BERLIN)) == 25 * H
    assert cal.add_working_time(day, 25 * H) == datetime(2026, 10, 26, tzinfo=BERLIN)


def test_opening_inside_the_spring_gap_moves_to_the_end_of_the_gap():
    cal = BusinessCalendar(hours={6: [("02:30", "05:00")]}, tz="Europe/Berlin", statutory=None)
    assert not cal.is_working_time(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC))  # 01:59:59 CET
    assert cal.is_working_time(datetime(2026, 3, 29, 1, tzinfo=UTC))  # 03:00 CEST
    saturday = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    assert cal.add_working_time(saturday, timedelta(minutes=1)) == datetime(2026, 3, 29, 3, 1, tzinfo=BERLIN)
    assert cal.working_time_between(saturday, datetime(2026, 3, 30, tzinfo=BERLIN)) == 2 * H
    # A week later the same hours are 2.5 hours long.
    assert cal.working_time_between(
        datetime(2026, 4, 4, tzinfo=BERLIN), datetime(2026, 4, 6, tzinfo=BERLIN)
    ) == (2.5 * H)


def test_ambiguous_fall_back_time_means_the_first_occurrence():
    cal = BusinessCalendar(hours={6: [("02:30", "03:30")]}, tz="Europe/Berlin", statutory=None)
    saturday = datetime(2026, 10, 24, 12, tzinfo=BERLIN)
    # Opens at the first 02:30 (CEST, 00:30 UTC) and closes at 03:30 CET (02:30 UTC): two real hours.
    assert cal.working_time_between(saturday, datetime(2026, 10, 26, tzinfo=BERLIN)) == 2 * H
    due = cal.add_working_time(saturday, timedelta(minutes=90))
    assert due == datetime(2026, 10, 25, 2, tzinfo=UTC)
    assert due.utcoffset() == H  # 03:00 CET


def test_new_york_dst_days():
    cal = BusinessCalendar(hours=ALL_DAY, tz="America/New_York", statutory=None)
    spring, fall = datetime(2026, 3, 8, tzinfo=NEW_YORK), datetime(2026, 11, 1, tzinfo=NEW_YORK)
    assert cal.working_time_between(spring, spring + timedelta(days=1)) == 23 * H
    assert cal.working_time_between(fall, fall + timedelta(days=1)) == 25 * H
    night_shift = BusinessCalendar(hours={6: [("00:00", "06:00")]}, tz="America/New_York", statutory=None)
    assert night_shift.working_time_between(fall, fall + timedelta(days=1)) == 7 * H
    assert night_shift.working_time_between(spring, spring + timedelta(days=1)) == 5 * H


def test_office_hours_are_unchanged_by_weekend_dst_switch():
    cal = BusinessCalendar(tz="Europe/Berlin", statutory=None)
    friday, monday = datetime(2026, 3, 27, 17, tzinfo=BERLIN), datetime(2026, 3, 30, 10, tzinfo=BERLIN)
    assert cal.add_working_time(friday, 2 * H) == monday
    assert cal.add_working_time(friday, 2 * H).utcoffset() == 2 * H


# -- long spans and year boundaries ------------------------------------------------------------------


def reference_add(start: datetime, hours: int) -> datetime:
    """A slow, obviously right day-by-day walk for Mon–Fri 09:00–18:00 on chinesecalendar, whole hours."""
    moment = start
    left = hours * H
    while True:
        day = moment.date()
        if chinese_calendar.is_workday(day):
            opens, closes = sh(day.year, day.month, day.day, 9), sh(day.year, day.month, day.day, 18)
            begin = max(moment, opens)
            if begin < closes:
                if closes - begin >= left:
                    return begin + left
                left -= closes - begin
        moment = sh(day.year, day.month, day.day) + timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "hours"),
    [
        (sh(2025, 12, 1, 10), 200),
        (sh(2024, 12, 20, 17, 30), 200),
        (sh(2025, 9, 25, 9), 15 * 9),
        (sh(2023, 1, 1), 2000),  # about a working year, across two year boundaries
    ],
)
def test_long_spans_match_a_day_by_day_walk(cal, start, hours):
    due = cal.add_working_time(start, hours * H)
    assert due == reference_add(start, hours)
    assert cal.working_time_between(start, due) == hours * H


def test_between_over_years_counts_every_statutory_working_day(cal):
    days = chinese_calendar.get_workdays(date(2020, 1, 1), date(2026, 12, 31))
    assert cal.working_time_between(sh(2020, 1, 1), sh(2027, 1, 1)) == 9 * H * len(days)


def test_a_calendar_without_any_hours_fails_loudly():
    cal = BusinessCalendar(hours={}, statutory=None, overrides={date(2026, 3, 2): [("09:00", "10:00")]})
    assert cal.add_working_time(sh(2026, 1, 1), H) == sh(2026, 3, 2, 10)
    with pytest.raises(ValueError, match="no working time after 2026"):
        cal.add_working_time(sh(2026, 1, 1), 2 * H)


# -- uncovered years ------------------------------------------------------------------------------------


def test_uncovered_year_raises_with_a_clear_message(cal):
    with pytest.raises(UncoveredYearError) as caught:
        cal.is_working_time(sh(2027, 3, 1, 10))
    message = str(caught.value)
    assert "2027" in message
    assert "2004–2026" in message
    assert "import_holidays" in message and "overrides" in message
    assert caught.value.year == 2027
    assert isinstance(caught.value, LookupError)


def test_uncovered_year_raises_only_when_needed(cal):
    assert cal.add_working_time(sh(2026, 12, 31, 9), 2 * H) == sh(2026, 12, 31, 11)
    with pytest.raises(UncoveredYearError):
        cal.add_working_time(sh(2026, 12, 31, 17), 2 * H)
    with pytest.raises(UncoveredYearError):
        cal.working_time_between(sh(2026, 12, 31, 17), sh(2027, 1, 5))
    with pytest.raises(UncoveredYearError):
        cal.add_working_time(sh(2027, 1, 5, 10), -H)


def test_uncovered_weekends_mode_guesses_and_says_so(china):
    cal = BusinessCalendar(statutory=china, uncovered="weekends")
    start = sh(2026, 12, 31, 17)
    due = cal.add_working_time(start, 2 * H)
    assert due == sh(2027, 1, 1, 10)  # New Year's Day guessed as an ordinary Friday
    assert cal.guessed_days_between(start, due) == [date(2027, 1, 1)]
    assert cal.guessed_days_between(sh(2026, 12, 1), sh(2026, 12, 31, 23)) == []
    assert cal.guessed_days_between(date(2027, 1, 1), date(2027, 1, 4)) == [
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
        date(2027, 1, 4),
    ]
    assert not cal.is_working_time(sh(2027, 1, 2, 10))  # Saturday


def test_uncovered_estimate_mode_takes_the_usual_holidays_off_and_says_so(china):
    cal = BusinessCalendar(statutory=china, uncovered="estimate")
    start = sh(2026, 12, 31, 17)
    due = cal.add_working_time(start, 2 * H)
    assert due == sh(2027, 1, 4, 10)  # New Year's Day off by the estimate, then the weekend
    assert cal.guessed_days_between(start, due) == [date(2027, 1, d) for d in (1, 2, 3, 4)]
    # Spring Festival moves with the lunar calendar: the estimate knows 2031's (23 January onwards).
    assert not cal.is_working_time(sh(2031, 1, 23, 10))
    assert not cal.is_working_time(sh(2031, 10, 1, 10))  # National Day
    assert cal.is_working_time(sh(2031, 1, 21, 10))  # an ordinary Tuesday
    assert not cal.is_working_time(sh(2031, 1, 25, 10))  # Saturday: no adjusted working days are guessed


def test_guessed_days_are_empty_in_error_mode(cal):
    assert cal.guessed_days_between(sh(2026, 12, 31), sh(2027, 2, 1)) == []


# -- regulator entries and cache invalidation ------------------------------------------------------


def test_regulator_entries_cover_a_year_and_calendars_notice(china):
    cal = BusinessCalendar(statutory=china)
    guessing = BusinessCalendar(statutory=china, uncovered="weekends")
    start = sh(2026, 12, 31, 17)
    assert guessing.add_working_time(start, 2 * H) == sh(2027, 1, 1, 10)  # warms its cache with a guess
    with pytest.raises(UncoveredYearError):
        cal.is_working_time(sh(2027, 1, 4, 10))

    china.set_entries(
        {
            date(2027, 1, 1): (True, "元旦"),
            date(2027, 2, 5): (True, "春节"),
            date(2027, 2, 14): (False, "春节 补班"),
        }
    )

    assert cal.is_working_time(sh(2027, 1, 4, 10))
    assert not cal.is_working_time(sh(2027, 1, 1, 10))
    assert cal.is_working_time(sh(2027, 2, 14, 10))  # adjusted working Sunday
    assert not cal.is_working_time(sh(2027, 2, 13, 10))  # an ordinary Saturday, by the weekday rule
    assert guessing.add_working_time(start, 2 * H) == sh(2027, 1, 4, 10)
    assert guessing.guessed_days_between(start, sh(2027, 12, 31)) == []

    china.set_entries({})
    with pytest.raises(UncoveredYearError):
        cal.is_working_time(sh(2027, 1, 4, 10))


def test_regulator_entries_win_over_the_package_day_by_day(china):
    cal = BusinessCalendar(statutory=china)
    assert cal.add_working_time(sh(2026, 10, 8, 17), 2 * H) == sh(2026, 10, 9, 10)
    china.set_entries(
        {date(2026, 10, 9): (True, "extra day off"), date(2026, 10, 7): (False, "back to work")}
    )
    assert cal.add_working_time(sh(2026, 10, 8, 17), 2 * H) == sh(2026, 10, 10, 10)
    assert cal.is_working_time(sh(2026, 10, 7, 10))
    assert not cal.is_working_time(sh(2026, 10, 6, 10))  # the rest of the package's year still holds


def test_calendars_with_the_same_configuration_share_precomputed_years(china):
    first = BusinessCalendar(statutory=china, hours={0: [("09:00", "18:00")]})
    second = BusinessCalendar(statutory=china, hours={0: [("09:00", "18:00")]})
    other = BusinessCalendar(statutory=china, hours={0: [("09:00", "17:00")]})
    first.is_working_time(sh(2026, 3, 2, 10))
    assert second._cache is first._cache
    assert other._cache is not first._cache


# -- input validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {0: [("9am", "18:00")]}}, r"hours\[0\]: '9am' is not a time of day"),
        ({"hours": {0: [("09:60", "18:00")]}}, "not a time of day"),
        ({"hours": {0: [("25:00", "26:00")]}}, "not a time of day"),
        ({"hours": {0: [("18:00", "09:00")]}}, "must start before it ends"),
        ({"hours": {0: [("09:00", "09:00")]}}, "must start before it ends"),
        ({"hours": {0: [("24:00", "24:00")]}}, '"24:00" can only end an interval'),
        ({"hours": {0: [("09:00", "13:00"), ("12:00", "18:00")]}}, "09:00–13:00 and 12:00–18:00 overlap"),
        ({"hours": {7: [("09:00", "18:00")]}}, "weekday 7 is outside 0–6"),
        ({"hours": {-1: [("09:00", "18:00")]}}, "weekday -1 is outside 0–6"),
        ({"hours": {"mon": [("09:00", "18:00")]}}, "weekday 'mon' is outside 0–6"),
        ({"hours": {0: ("09:00", "18:00")}}, "expected an"),
        ({"hours": [("09:00", "18:00")]}, "hours must be a dict"),
        ({"tz": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"tz": ""}, "tz must be an IANA time zone name"),
        ({"statutory": "XX"}, "unknown statutory calendar 'XX'"),
        ({"uncovered": "guess"}, "uncovered must be one of error, weekends, estimate"),
        ({"overrides": {"2026-10-01": []}}, "key '2026-10-01' is not a date"),
        ({"overrides": {date(2026, 10, 1): [("10:00", "9:00")]}}, r"overrides\[2026-10-01\]"),
    ],
)
def test_constructor_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


def test_years_beyond_the_supported_range_are_refused_clearly():
    cal = BusinessCalendar(statutory=None)
    assert cal.is_working_time(sh(9998, 12, 31, 10))
    with pytest.raises(ValueError, match="year 9999 is outside the supported range 1–9998"):
        cal.is_working_time(sh(9999, 6, 1, 10))


def test_touching_intervals_are_allowed():
    cal = BusinessCalendar(hours={0: [("14:00", "18:00"), ("09:00", "14:00")]}, statutory=None)
    assert cal.working_time_between(sh(2026, 3, 2), sh(2026, 3, 3)) == 9 * H


@pytest.mark.parametrize("method", ["is_working_time", "add_working_time", "working_time_between"])
def test_naive_datetimes_are_refused(cal, method):
    naive = datetime(2026, 3, 3, 10)
    args = {
        "is_working_time": (naive,),
        "add_working_time": (naive, H),
        "working_time_between": (sh(2026, 3, 3, 9), naive),
    }[method]
    with pytest.raises(ValueError, match="naive datetime"):
        getattr(cal, method)(*args)
