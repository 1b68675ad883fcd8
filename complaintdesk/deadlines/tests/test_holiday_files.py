"""Holiday files: holiday-cn JSON and iCalendar, into statutory entries.

The fixtures in data/ are ILLUSTRATIVE TEST DATA for 2027, made up for these tests in the published
formats: they are not the State Council's notice for 2027.
"""

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.deadlines import BusinessCalendar
from complaintdesk.deadlines.holiday_files import HolidayEntry, as_statutory_entries, parse_holiday_file
from complaintdesk.deadlines.statutory import DayStatus, StatutoryCalendar

DATA = Path(__file__).parent / "data"
JSON_FILE = DATA / "holiday-cn-2027-illustrative.json"
ICS_FILE = DATA / "cn-holidays-2027-illustrative.ics"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_file(path: Path) -> list[HolidayEntry]:
    return parse_holiday_file(path.read_bytes(), path.name)


# -- holiday-cn JSON ----------------------------------------------------------------------------------


def test_holiday_cn_json_is_read_day_by_day():
    entries = parse_file(JSON_FILE)
    assert len(entries) == 35
    assert entries[0] == HolidayEntry(date(2027, 1, 1), True, "元旦")
    assert HolidayEntry(date(2027, 2, 14), False, "春节") in entries
    assert HolidayEntry(date(2027, 10, 9), False, "国庆节") in entries
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    assert all(e.date.weekday() >= 5 for e in entries if not e.is_off)  # adjusted days are weekend days


def test_a_json_file_makes_its_year_covered_for_business_calendars():
    china = StatutoryCalendar.china()
    cal = BusinessCalendar(hours={0: [("10:00", "16:00")], 2: [("09:00", "18:00")]}, statutory=china)
    china.set_entries(as_statutory_entries(parse_file(JSON_FILE)))
    assert china.day_status(date(2027, 2, 14)) is DayStatus.ADJUSTED_WORKDAY
    # The adjusted working Sunday gets Monday's hours; the Wednesday inside Spring Festival is off.
    assert cal.is_working_time(datetime(2027, 2, 14, 10, tzinfo=SHANGHAI))
    assert not cal.is_working_time(datetime(2027, 2, 14, 16, tzinfo=SHANGHAI))
    assert not cal.is_working_time(datetime(2027, 2, 10, 10, tzinfo=SHANGHAI))
    assert cal.is_working_time(datetime(2027, 2, 17, 10, tzinfo=SHANGHAI))


def test_text_and_a_byte_order_mark_are_accepted():
    text = JSON_FILE.read_text(encoding="utf-8")
    assert parse_holiday_file(text, "2027.json") == parse_file(JSON_FILE)
    assert parse_holiday_file(b"\xef\xbb\xbf" + text.encode(), "2027.JSON") == parse_file(JSON_FILE)


def test_a_notice_may_move_days_of_the_year_before():
    content = {
        "year": 2008,
        "papers": [],
        "days": [
            {"name": "元旦", "date": "2007-12-29", "isOffDay": False},
            {"name": "元旦", "date": "2007-12-30", "isOffDay": True},
        ],
    }
    entries = parse_holiday_file(json.dumps(content), "2008.json")
    assert [(e.date, e.is_off) for e in entries] == [(date(2007, 12, 29), False), (date(2007, 12, 30), True)]


def day(date_text="2027-01-01", is_off=True, name="元旦"):
    return {"name": name, "date": date_text, "isOffDay": is_off}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", 'expected a JSON object with "year" and "days"'),
        ({"days": [day()]}, 'missing key "year"'),
        ({"year": 2027}, 'missing key "days"'),
        ({"year": "2027", "days": [day()]}, '"year" must be an integer'),
        ({"year": 2027, "days": []}, '"days" must be a non-empty list'),
        ({"year": 2027, "days": ["2027-01-01"]}, r"days\[0\] must be an object"),
        (
            {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01"}]},
            r'days\[0\]: missing key "isOffDay"',
        ),
        ({"year": 2027, "days": [day(is_off="yes")]}, '"isOffDay" must be true or false'),
        ({"year": 2027, "days": [day(name=1)]}, '"name" must be a string'),
        ({"year": 2027, "days": [day("2027-02-30")]}, "must be a YYYY-MM-DD date, got '2027-02-30'"),
        ({"year": 2027, "days": [day("2027/01/01")]}, "must be a YYYY-MM-DD date"),
        ({"year": 2027, "days": [day("20270101")]}, "must be a YYYY-MM-DD date"),
        ({"year": 2027, "days": [day(None)]}, "must be a YYYY-MM-DD date"),
        ({"year": 2027, "days": [day("2029-01-01")]}, "does not belong to the 2027 notice"),
        (
            {"year": 2027, "days": [day(is_off=True), day(is_off=False, name="补班")]},
            "2027-01-01 is listed both as a day off and as a working day",
        ),
    ],
)
def test_malformed_json_is_refused_with_the_reason(content, message):
    text = content if isinstance(content, str) else json.dumps(content)
    with pytest.raises(ValueError, match=message) as caught:
        parse_holiday_file(text, "2027.json")
    assert str(caught.value).startswith("2027.json: ")


# -- iCalendar ----------------------------------------------------------------------------------------


def test_ics_events_expand_to_days_and_tell_working_days_apart():
    entries = {e.date: e for e in parse_file(ICS_FILE)}
    assert len(entries) == 20
    # DTSTART 2027-02-05, DTEND 2027-02-14 (exclusive): nine days off.
    assert [d for d, e in entries.items() if e.name == "春节 休"] == [date(2027, 2, d) for d in range(5, 14)]
    assert entries[date(2027, 2, 14)] == HolidayEntry(date(2027, 2, 14), False, "春节 补班")
    assert entries[date(2027, 2, 20)].is_off is False  # "working day" in English, no DTEND
    assert entries[date(2027, 5, 8)].is_off is False  # CATEGORIES:上班, DURATION:P1D
    assert entries[date(2027, 5, 3)].is_off is True  # "Labour Day"
    assert date(2027, 6, 10) not in entries  # a cancelled event


def test_the_two_fixtures_agree_day_by_day():
    from_json = {e.date: e.is_off for e in parse_file(JSON_FILE)}
    from_ics = {e.date: e.is_off for e in parse_file(ICS_FILE)}
    assert {d: from_json[d] for d in from_ics} == from_ics


CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n"


def event(*lines):
    return (
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20261101T000000Z\r\n"
        + "".join(f"{x}\r\n" for x in lines)
        + "END:VEVENT\r\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hello", "not a valid iCalendar file"),
        ("", "not a valid iCalendar file"),
        (CALENDAR.format(""), r"no events \(VEVENT\)"),
        (event("DTSTART;VALUE=DATE:20270101", "SUMMARY:x"), "found VEVENT, expected VCALENDAR"),
        (CALENDAR.format(event("SUMMARY:元旦")), "DTSTART"),
        (CALENDAR.format(event("DTSTART;VALUE=DATE:20271345", "SUMMARY:元旦")), "20271345"),
        (
            CALENDAR.format(event("DTSTART:20270101T090000Z", "DTEND:20270101T100000Z", "SUMMARY:元旦")),
            "not an all-day event",
        ),
        (
            CALENDAR.format(
                event("DTSTART;VALUE=DATE:20270105", "DTEND;VALUE=DATE:20270101", "SUMMARY:元旦")
            ),
            "spans -4 days",
        ),
        (
            CALENDAR.format(event("DTSTART;VALUE=DATE:20270101", "RRULE:FREQ=YEARLY", "SUMMARY:元旦")),
            "repeating events are not supported",
        ),
        (
            CALENDAR.format(event("DTSTART;VALUE=DATE:20270101", "STATUS:CANCELLED", "SUMMARY:元旦")),
            "every event is cancelled",
        ),
    ],
)
def test_malformed_ics_is_refused_with_the_reason(content, message):
    with pytest.raises(ValueError, match=message):
        parse_holiday_file(content, "2027.ics")


# -- either -------------------------------------------------------------------------------------------


def test_unknown_file_types_and_bad_encodings_are_refused():
    with pytest.raises(ValueError, match="unknown holiday file type"):
        parse_holiday_file(b"{}", "2027.xlsx")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        parse_holiday_file(b"\xff\xfe{", "2027.json")


def test_as_statutory_entries():
    entries = [HolidayEntry(date(2027, 1, 1), True, "元旦"), HolidayEntry(date(2027, 2, 14), False, "补班")]
    assert as_statutory_entries(entries) == {
        date(2027, 1, 1): (True, "元旦"),
        date(2027, 2, 14): (False, "补班"),
    }
