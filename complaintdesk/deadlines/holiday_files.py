"""Read a year's statutory holidays from a file, so the regulator can load a notice the packages lack.

Pure Python, no Django. Two formats:

- holiday-cn JSON (github.com/NateScarlet/holiday-cn), one file per State Council notice:
  `{"year": 2027, "papers": [url, …], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}`.
  The year is the notice's, so a file may also hold late-December days of the year before.
- iCalendar (.ics) with all-day events: each day from DTSTART up to (not including) DTEND is one entry.
  An event is a working day when its SUMMARY or CATEGORIES mention 班 (上班, 补班) or "working day" /
  "workday" in any case; any other event is a day off. Cancelled events are skipped.

`parse_holiday_file` returns entries sorted by date; `as_statutory_entries` turns them into the mapping
that `StatutoryCalendar.set_entries` takes. Every malformed file raises ValueError saying what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Any mention of 班 (上班 / 补班 / 调休上班) or the English words marks a working day.
_WORKING_DAY_WORDS = re.compile(r"班|working\s*day|workday", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A holiday notice covers one year (and the edge of the year before); more is a broken file.
_MAX_EVENT_DAYS = 60


@dataclass(frozen=True)
class HolidayEntry:
    date: date
    is_off: bool
    name: str


def parse_holiday_file(content: bytes | str, filename: str) -> list[HolidayEntry]:
    """Parse a holiday-cn JSON or an iCalendar file, chosen by the file name's extension."""
    text = _decode(content, filename)
    lowered = filename.lower()
    if lowered.endswith(".json"):
        entries = _parse_holiday_cn_json(text, filename)
    elif lowered.endswith((".ics", ".ical", ".ifb", ".icalendar")):
        entries = _parse_ics(text, filename)
    else:
        raise ValueError(
            f"{filename}: unknown holiday file type; expected a holiday-cn .json or an .ics file"
        )
    return _sorted_without_conflicts(entries, filename)


def as_statutory_entries(entries: list[HolidayEntry]) -> dict[date, tuple[bool, str]]:
    """The mapping `StatutoryCalendar.set_entries` takes: date -> (is_off, name)."""
    return {entry.date: (entry.is_off, entry.name) for entry in entries}


def _decode(content: bytes | str, filename: str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")  # tolerate the BOM some Windows tools write
    except UnicodeDecodeError as exc:
        raise ValueError(f"{filename}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# -- holiday-cn JSON ----------------------------------------------------------------------------------


def _parse_holiday_cn_json(text: str, filename: str) -> list[HolidayEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{filename}: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f'{filename}: expected a JSON object with "year" and "days"')
    for key in ("year", "days"):
        if key not in data:
            raise ValueError(f'{filename}: missing key "{key}"')
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f'{filename}: "year" must be an integer, got {year!r}')
    days = data["days"]
    if not isinstance(days, list) or not days:
        raise ValueError(f'{filename}: "days" must be a non-empty list')
    return [_json_day(item, index, year, filename) for index, item in enumerate(days)]


def _json_day(item: object, index: int, year: int, filename: str) -> HolidayEntry:
    where = f"{filename}: days[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be an object with name, date and isOffDay")
    for key in ("name", "date", "isOffDay"):
        if key not in item:
            raise ValueError(f'{where}: missing key "{key}"')
    name, raw_date, is_off = item["name"], item["date"], item["isOffDay"]
    if not isinstance(name, str):
        raise ValueError(f'{where}: "name" must be a string, got {name!r}')
    if not isinstance(is_off, bool):
        raise ValueError(f'{where}: "isOffDay" must be true or false, got {is_off!r}')
    try:
        day = date.fromisoformat(raw_date) if _ISO_DATE.fullmatch(str(raw_date)) else None
    except ValueError:  # e.g. 2027-02-30
        day = None
    if day is None:
        raise ValueError(f'{where}: "date" must be a YYYY-MM-DD date, got {raw_date!r}')
    # holiday-cn files are per notice year; a notice may move days of late December of the year before.
    if day.year not in (year - 1, year):
        raise ValueError(f"{where}: date {raw_date} does not belong to the {year} notice")
    return HolidayEntry(day, is_off, name)


# -- iCalendar ----------------------------------------------------------------------------------------


def _parse_ics(text: str, filename: str) -> list[HolidayEntry]:
    import icalendar  # noqa: PLC0415 - lazy: 37-48 ms to import, and only the import command needs it

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ValueError(f"{filename}: not a valid iCalendar file ({exc})") from None
    if calendar.name != "VCALENDAR":
        raise ValueError(f"{filename}: not an iCalendar file (found {calendar.name}, expected VCALENDAR)")
    entries: list[HolidayEntry] = []
    events = calendar.walk("VEVENT")
    if not events:
        raise ValueError(f"{filename}: no events (VEVENT) in the calendar")
    for index, event in enumerate(events):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        entries.extend(_event_days(event, f"{filename}: event {index + 1}"))
    if not entries:
        raise ValueError(f"{filename}: every event is cancelled; nothing to import")
    return entries


def _event_days(event, where: str) -> list[HolidayEntry]:
    summary = str(event.get("SUMMARY", "")).strip()
    if summary:
        where = f"{where} ({summary})"
    if "RRULE" in event or "RDATE" in event:
        raise ValueError(f"{where}: repeating events are not supported; list each holiday as its own event")
    try:
        start, end = event.start, event.end
    except ValueError as exc:  # icalendar's InvalidCalendar and IncompleteComponent are ValueErrors
        raise ValueError(f"{where}: {exc}") from None
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ValueError(f"{where}: not an all-day event (DTSTART;VALUE=DATE expected)")
    days = (end - start).days
    if not 1 <= days <= _MAX_EVENT_DAYS:
        raise ValueError(f"{where}: spans {days} days ({start} to {end}); expected 1 to {_MAX_EVENT_DAYS}")
    is_off = not _WORKING_DAY_WORDS.search(f"{summary} {_categories(event)}")
    return [HolidayEntry(start + timedelta(days=n), is_off, summary) for n in range(days)]


def _categories(event) -> str:
    values = event.get("CATEGORIES")
    if values is None:
        return ""
    values = values if isinstance(values, list) else [values]
    return " ".join(str(category) for value in values for category in getattr(value, "cats", [value]))


# -- both -----------------------------------------------------------------------------------------------


def _sorted_without_conflicts(entries: list[HolidayEntry], filename: str) -> list[HolidayEntry]:
    """Sort by date; the same day listed twice must agree on off/working (the first name is kept)."""
    by_day: dict[date, HolidayEntry] = {}
    for entry in entries:
        seen = by_day.get(entry.date)
        if seen is None:
            by_day[entry.date] = entry
        elif seen.is_off != entry.is_off:
            raise ValueError(
                f"{filename}: {entry.date} is listed both as a day off and as a working day "
                f"({seen.name!r} and {entry.name!r})"
            )
    return [by_day[day] for day in sorted(by_day)]
