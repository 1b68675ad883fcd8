"""The filing lead time in the shop's working days, across weekends, holidays and adjusted working days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.deadlines import BusinessCalendar
from complaintdesk.deadlines.policy import nth_working_day
from complaintdesk.promotions.leadtime import filing_due_by

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("starts_at", "due_by"),
    [
        # Double 11 2026 is a Wednesday: Tuesday, Monday, then Friday the 6th is the third working day back.
        (at(2026, 11, 11, 0, 0), at(2026, 11, 6, 9, 0)),
        # The start's own day never counts, whatever its hour.
        (at(2026, 11, 11, 20, 0), at(2026, 11, 6, 9, 0)),
        # Starting on a Monday: Friday, Thursday, Wednesday.
        (at(2026, 11, 16, 10, 0), at(2026, 11, 11, 9, 0)),
        # After National Day 2026 (1–7 October off): 8 October, then 30 and 29 September.
        (at(2026, 10, 9, 10, 0), at(2026, 9, 29, 9, 0)),
        # Saturday 10 October 2026 is a declared working day (调休) and counts; then 9 and 8 October.
        (at(2026, 10, 12, 0, 0), at(2026, 10, 8, 9, 0)),
        # Mid-Autumn Festival (Friday 25 September 2026) does not count: 24, 23, 22 September.
        (at(2026, 9, 28, 9, 0), at(2026, 9, 22, 9, 0)),
    ],
)
def test_the_lead_time_counts_working_days_of_the_statutory_calendar(starts_at, due_by):
    assert filing_due_by(BusinessCalendar.default(), starts_at, 3) == due_by


def test_a_naive_weekday_count_would_miss_the_national_day_holiday():
    weekdays_only = BusinessCalendar(hours={d: [("09:00", "18:00")] for d in range(5)}, statutory=None)
    start = at(2026, 10, 9, 10, 0)
    assert filing_due_by(weekdays_only, start, 3) == at(2026, 10, 6, 9, 0)
    assert filing_due_by(BusinessCalendar.default(), start, 3) == at(2026, 9, 29, 9, 0)


def test_the_shops_own_hours_decide_which_days_are_working_days():
    seven_days = BusinessCalendar(hours={d: [("10:00", "22:00")] for d in range(7)}, statutory=None)
    assert filing_due_by(seven_days, at(2026, 11, 11, 0, 0), 3) == at(2026, 11, 8, 10, 0)


def test_the_regulators_calendar_entries_count_too():
    usual = BusinessCalendar.default()
    monday_off = BusinessCalendar(
        hours={d: [("09:00", "18:00")] for d in range(5)}, overrides={date(2026, 11, 9): []}
    )
    assert filing_due_by(usual, at(2026, 11, 11, 0, 0), 2) == at(2026, 11, 9, 9, 0)
    assert filing_due_by(monday_off, at(2026, 11, 11, 0, 0), 2) == at(2026, 11, 6, 9, 0)


def test_without_a_lead_time_a_filing_is_on_time_until_the_start():
    start = at(2026, 11, 11, 0, 0)
    assert filing_due_by(BusinessCalendar.default(), start, 0) == start


def test_a_calendar_without_working_days_fails_loudly():
    never = BusinessCalendar(hours={}, statutory=None)
    with pytest.raises(ValueError, match="no 3 working days"):
        filing_due_by(never, at(2026, 11, 11, 0, 0), 3)


@pytest.mark.parametrize("start", [at(2026, 9, 30, 17, 0), at(2026, 11, 11, 0, 0), at(2026, 10, 10, 12, 0)])
def test_walking_back_retraces_the_deadlines_walk_forward(start):
    # The lead time and the resolution deadline share one walk over working days, in opposite directions.
    calendar = BusinessCalendar.default()
    ahead, _ = nth_working_day(calendar, start, 5)
    back, _ = nth_working_day(calendar, ahead, 5, backwards=True)
    assert back.date() == start.date()
