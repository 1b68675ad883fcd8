"""The Chinese statutory calendar: package data, the cross-check with `holidays`, regulator entries."""

from datetime import date, datetime

import holidays
import pytest

from complaintdesk.deadlines import statutory
from complaintdesk.deadlines.statutory import (
    DayStatus,
    Discrepancy,
    StatutoryCalendar,
    UncoveredYearError,
    describe_years,
)


@pytest.fixture
def china():
    return StatutoryCalendar.china()


def test_china_covers_the_years_of_chinesecalendar(china):
    assert china.covered_years() == set(range(2004, 2027))
    assert china.covers(2026) and not china.covers(2027) and not china.covers(2003)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2026, 10, 1), DayStatus.HOLIDAY),  # National Day, Thursday
        (date(2026, 10, 3), DayStatus.HOLIDAY),  # a Saturday inside the break
        (date(2026, 2, 15), DayStatus.HOLIDAY),  # a Sunday inside Spring Festival
        (date(2026, 10, 10), DayStatus.ADJUSTED_WORKDAY),  # Saturday worked for National Day
        (date(2026, 9, 20), DayStatus.ADJUSTED_WORKDAY),  # Sunday worked for National Day
        (date(2026, 10, 9), DayStatus.WORKDAY),
        (date(2026, 10, 11), DayStatus.WEEKEND),
        (date(2004, 1, 1), DayStatus.HOLIDAY),  # first covered year
    ],
)
def test_day_status(china, day, status):
    assert china.day_status(day) is status
    assert status.is_off is (status in (DayStatus.HOLIDAY, DayStatus.WEEKEND))


def test_day_names_come_from_the_package(china):
    assert china.day_name(date(2026, 10, 1)) == "National Day"
    assert china.day_name(date(2026, 10, 10)) == "National Day"
    assert china.day_name(date(2026, 10, 9)) == ""


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2003, 6, 2)])
def test_uncovered_years_raise(china, day):
    with pytest.raises(UncoveredYearError) as caught:
        china.day_status(day)
    assert caught.value.year == day.year
    assert "2004–2026" in str(caught.value)
    assert "python manage.py import_holidays FILE" in str(caught.value)
    assert china.known_status(day) is None


def test_day_status_wants_a_date_not_a_datetime(china):
    with pytest.raises(TypeError, match="local date"):
        china.day_status(datetime(2026, 10, 1, 12))


# -- the cross-check with `holidays` ---------------------------------------------------------------


def test_packages_agree_on_2026(china):
    assert china.discrepancies(2026) == []


def test_labelling_differences_are_not_disagreements(china):
    """`holidays` does not list weekend days inside a break; both still say nobody works."""
    other = holidays.country_holidays("CN", years=2026)
    sunday_in_spring_festival = date(2026, 2, 15)
    assert sunday_in_spring_festival not in other
    assert not other.is_working_day(sunday_in_spring_festival)
    assert china.day_status(sunday_in_spring_festival) is DayStatus.HOLIDAY
    assert sunday_in_spring_festival not in [d.date for d in china.discrepancies(2026)]


def test_the_only_disagreement_in_all_covered_years_is_new_years_eve_2005(china):
    """The 2006 notice made Saturday 2005-12-31 a working day; chinesecalendar 1.11 misses it."""
    found = {year: china.discrepancies(year) for year in sorted(china.covered_years())}
    assert {year: days for year, days in found.items() if days} == {
        2005: [Discrepancy(date(2005, 12, 31), DayStatus.WEEKEND, DayStatus.ADJUSTED_WORKDAY)]
    }


def test_discrepancies_need_a_package_year(china):
    with pytest.raises(UncoveredYearError):
        china.discrepancies(2027)


# -- regulator entries --------------------------------------------------------------------------------


def test_entries_cover_their_year_and_bump_the_version(china):
    version = china.version
    china.set_entries({date(2027, 1, 1): (True, "元旦"), date(2027, 2, 14): (False, "春节 补班")})
    assert china.version == version + 1
    assert 2027 in china.covered_years()
    assert china.day_status(date(2027, 1, 1)) is DayStatus.HOLIDAY
    assert china.day_status(date(2027, 2, 14)) is DayStatus.ADJUSTED_WORKDAY
    assert china.day_status(date(2027, 1, 4)) is DayStatus.WORKDAY  # weekday rule for other days
    assert china.day_status(date(2027, 1, 9)) is DayStatus.WEEKEND
    assert china.day_name(date(2027, 2, 14)) == "春节 补班"
    assert china.entries() == {date(2027, 1, 1): (True, "元旦"), date(2027, 2, 14): (False, "春节 补班")}


def test_set_entries_replaces_the_previous_entries(china):
    china.set_entries({date(2027, 1, 1): (True, "元旦")})
    china.set_entries({date(2028, 1, 1): (True, "元旦")})
    assert china.covered_years() == set(range(2004, 2027)) | {2028}
    with pytest.raises(UncoveredYearError):
        china.day_status(date(2027, 1, 1))
    assert china.version == 2


def test_entries_win_over_the_package(china):
    china.set_entries({date(2026, 10, 9): (True, "extra day off"), date(2026, 10, 1): (False, "open")})
    assert china.day_status(date(2026, 10, 9)) is DayStatus.HOLIDAY
    assert china.day_status(date(2026, 10, 1)) is DayStatus.WORKDAY
    assert china.day_status(date(2026, 10, 2)) is DayStatus.HOLIDAY  # the package still holds elsewhere


def test_covered_years_can_be_given_explicitly(china):
    """A 2028 notice that moves 2027-12-31 must not make the rest of 2027 look covered."""
    china.set_entries(
        {date(2027, 12, 31): (True, "元旦"), date(2028, 1, 1): (True, "元旦")}, covered_years={2028}
    )
    assert china.day_status(date(2027, 12, 31)) is DayStatus.HOLIDAY
    assert china.day_status(date(2028, 1, 3)) is DayStatus.WORKDAY
    with pytest.raises(UncoveredYearError):
        china.day_status(date(2027, 12, 30))


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({datetime(2027, 1, 1): (True, "x")}, "must be dates"),
        ({"2027-01-01": (True, "x")}, "must be dates"),
        ({date(2027, 1, 1): True}, r"must be \(is_off, note\)"),
        ({date(2027, 1, 1): ("yes", "x")}, r"must be \(bool, str\)"),
        ({date(2027, 1, 1): (True, None)}, r"must be \(bool, str\)"),
    ],
)
def test_bad_entries_are_refused_and_change_nothing(china, mapping, message):
    with pytest.raises(ValueError, match=message):
        china.set_entries(mapping)
    assert china.version == 0 and china.entries() == {}


# -- the module ---------------------------------------------------------------------------------------


def test_module_level_cn_is_one_shared_china_calendar():
    assert isinstance(statutory.CN, StatutoryCalendar)
    assert statutory.CN is statutory.CN
    assert statutory.CN.name == "CN"
    with pytest.raises(AttributeError):
        statutory.XX  # noqa: B018


def test_describe_years():
    assert describe_years([]) == "none"
    assert describe_years({2004, 2005, 2006, 2028}) == "2004–2006, 2028"
    assert describe_years([2026]) == "2026"
