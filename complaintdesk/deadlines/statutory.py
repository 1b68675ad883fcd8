"""The Chinese statutory calendar: which days are statutory holidays and which weekends are worked (调休).

Pure Python, no Django. Three sources, in order of precedence:

1. Regulator entries (`StatutoryCalendar.set_entries`): days typed in from a State Council notice, or
   imported from a holiday file, for years the packages do not cover yet or to correct them.
2. The `chinesecalendar` package: every day off and every adjusted working day of the years it knows
   (2004–2026 in 1.11.0).
3. The weekday rule: Monday–Friday are working days, Saturday and Sunday are not.

The weekday rule is only applied inside a covered year (a package year or a year with entries). Asking
about any other year raises `UncoveredYearError`: the State Council publishes each year's calendar only
late in the year before, so a guess would be silently wrong about Spring Festival and National Day.

The `holidays` package is a second, independent opinion: `discrepancies(year)` lists the days on which
it and `chinesecalendar` disagree about whether people work. It is not a source, because for years
without a notice it *estimates* holidays from rules instead of saying it does not know. That estimate
(`estimated_days_off`) is what a calendar told to guess an uncovered year uses (`uncovered="estimate"`),
always as a guess that callers warn about.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar


class DayStatus(enum.Enum):
    WORKDAY = "workday"  # Monday–Friday with no statutory change
    WEEKEND = "weekend"  # Saturday or Sunday with no statutory change
    HOLIDAY = "holiday"  # a statutory day off (the legal days and the bridge days around them)
    ADJUSTED_WORKDAY = "adjusted_workday"  # a weekend day declared a working day (调休上班)

    @property
    def is_off(self) -> bool:
        return self in (DayStatus.WEEKEND, DayStatus.HOLIDAY)


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue (`makemessages` looks for this name) without Django,
    whose own gettext_noop needs its settings: the benchmark runs the calendar without them."""
    return message


# The exception says it in English, as logs and commands show it; the API answers it in the client's
# language from this message and the exception's `params`.
UNCOVERED_YEAR = gettext_noop(
    "No statutory calendar covers %(year)s (covered: %(covered)s). The regulator can enter %(year)s's days "
    "off and adjusted working days as overrides, or run `python manage.py import_holidays FILE` with the "
    "State Council notice."
)


class UncoveredYearError(LookupError):
    """No source knows the statutory calendar of this year; the caller must not guess."""

    def __init__(self, year: int, covered_years: Iterable[int]):
        self.year = year
        self.covered_years = frozenset(covered_years)
        self.params = {"year": year, "covered": describe_years(self.covered_years)}
        super().__init__(UNCOVERED_YEAR % self.params)


@dataclass(frozen=True)
class Discrepancy:
    """A day on which the two packages disagree about whether people work."""

    date: date
    chinesecalendar_says: DayStatus
    holidays_says: DayStatus


def describe_years(years: Iterable[int]) -> str:
    """'2004–2026, 2028' for {2004, …, 2026, 2028}; 'none' for an empty set."""
    ordered = sorted(years)
    if not ordered:
        return "none"
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _weekday_status(day: date) -> DayStatus:
    return DayStatus.WEEKEND if day.weekday() >= 5 else DayStatus.WORKDAY


def _entry_status(day: date, is_off: bool) -> DayStatus:
    if is_off:
        return DayStatus.HOLIDAY
    return DayStatus.ADJUSTED_WORKDAY if day.weekday() >= 5 else DayStatus.WORKDAY


class StatutoryCalendar:
    """Day statuses from a package's data plus regulator entries.

    `version` grows by one on every `set_entries` call; a `BusinessCalendar` built on this instance
    compares it on each call and drops its precomputed working intervals when it changed.
    """

    def __init__(
        self,
        name: str,
        days_off: Mapping[date, str],
        adjusted_workdays: Mapping[date, str],
        covered_years: Iterable[int],
    ):
        self.name = name
        self._package_off = dict(days_off)
        self._package_on = dict(adjusted_workdays)
        self._package_years = frozenset(covered_years)
        # (entries, the years they cover), swapped as one tuple so a reader never mixes old and new.
        self._entries_state: tuple[dict[date, tuple[bool, str]], frozenset[int]] = ({}, frozenset())
        self._lock = threading.Lock()
        self._estimates: dict[int, frozenset[date]] = {}
        self.version = 0

    def __repr__(self) -> str:
        return f"<StatutoryCalendar {self.name} covering {describe_years(self.covered_years())}>"

    @classmethod
    def china(cls) -> StatutoryCalendar:
        """The People's Republic of China calendar from the `chinesecalendar` package.

        The package's own range check (`chinese_calendar.utils._validate_date`) accepts the years from
        its first to its last holiday, so those are the covered years.
        """
        years = {d.year for d in chinese_calendar.holidays}
        return cls(
            "CN",
            days_off=chinese_calendar.holidays,
            adjusted_workdays=chinese_calendar.workdays,
            covered_years=range(min(years), max(years) + 1),
        )

    # -- queries --------------------------------------------------------------------------------------

    def covered_years(self) -> set[int]:
        return set(self._package_years | self._entries_state[1])

    def covers(self, year: int) -> bool:
        return year in self._package_years or year in self._entries_state[1]

    def day_status(self, day: date) -> DayStatus:
        """The status of a day; raises UncoveredYearError for a year no source covers."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"day_status() takes a date (the local date), not {day!r}")
        status = self.known_status(day)
        if status is None:
            raise UncoveredYearError(day.year, self.covered_years())
        return status

    def known_status(self, day: date) -> DayStatus | None:
        """Like day_status, but None instead of an exception for a day no source covers."""
        entries, entry_years = self._entries_state
        entry = entries.get(day)
        if entry is not None:
            return _entry_status(day, entry[0])
        if day.year not in self._package_years and day.year not in entry_years:
            return None
        return self._package_status(day)

    def day_name(self, day: date) -> str:
        """The holiday or adjusted-workday name of a day ('' for an ordinary day)."""
        entry = self._entries_state[0].get(day)
        if entry is not None:
            return entry[1]
        return self._package_off.get(day) or self._package_on.get(day) or ""

    def entries(self) -> dict[date, tuple[bool, str]]:
        """A copy of the regulator entries: date -> (is_off, note)."""
        return dict(self._entries_state[0])

    def estimated_days_off(self, year: int) -> frozenset[date]:
        """The `holidays` package's rule-based estimate of a year's days off: the legal holidays (Spring
        Festival and the other lunar ones included) and its days in lieu, never the adjusted working days,
        which only a State Council notice fixes. Empty for a calendar `holidays` does not know."""
        import holidays  # noqa: PLC0415 - lazy: 36-37 ms to import, for the cross-check and estimates only

        with self._lock:
            cached = self._estimates.get(year)
        if cached is None:
            try:
                cached = frozenset(holidays.country_holidays(self.name, years=year))
            except NotImplementedError:  # no such country in the package
                cached = frozenset()
            with self._lock:
                self._estimates[year] = cached
        return cached

    # -- regulator entries ----------------------------------------------------------------------------

    def set_entries(
        self,
        mapping: Mapping[date, tuple[bool, str]],
        *,
        covered_years: Iterable[int] | None = None,
    ) -> None:
        """Replace all regulator entries: date -> (is_off, note).

        Entries win over the package day by day (so one correction, like the Spring Festival extension
        of 2020, does not throw away the rest of the package's year). A year with entries counts as
        covered: a State Council notice lists every holiday and every adjusted working day, and every
        other day follows the weekday rule. Pass `covered_years` to say exactly which years the entries
        cover, e.g. a 2028 notice that also moves 2027-12-31 must not make 2027 look covered.
        """
        entries = {day: _validated_entry(day, value) for day, value in mapping.items()}
        years = frozenset(d.year for d in entries) if covered_years is None else frozenset(covered_years)
        with self._lock:
            # Publish the data before the version, so a reader that sees the new version sees new data.
            self._entries_state = (entries, years)
            self.version += 1

    # -- cross-check ----------------------------------------------------------------------------------

    def discrepancies(self, year: int) -> list[Discrepancy]:
        """Days of `year` on which `chinesecalendar` and `holidays` disagree about working.

        A disagreement is a day one package says is worked and the other says is not (`DayStatus.is_off`
        differs). Differences in labelling alone are not reported: `holidays` lists only the legal days
        and the weekday days in lieu, never the weekend days inside a break that `chinesecalendar` lists,
        and both agree that nobody works on those weekend days. Regulator entries are ignored here: this
        compares the two packages. Raises UncoveredYearError when `chinesecalendar` lacks the year, since
        `holidays` alone would only give its rule-based estimate. With chinesecalendar 1.11.0 and
        holidays 0.109 the one disagreement in 2004–2026 is 2005-12-31, a Saturday the 2006 notice made a
        working day, which only `holidays` knows.
        """
        import holidays  # noqa: PLC0415 - lazy: 36-37 ms to import, for the cross-check and estimates only

        if year not in self._package_years:
            raise UncoveredYearError(year, self._package_years)
        other = holidays.country_holidays("CN", years=year)
        found = []
        day, end = date(year, 1, 1), date(year + 1, 1, 1)
        while day < end:
            ours, theirs = self._package_status(day), _holidays_status(other, day)
            if ours.is_off != theirs.is_off:
                found.append(Discrepancy(day, ours, theirs))
            day += timedelta(days=1)
        return found

    def _package_status(self, day: date) -> DayStatus:
        if day in self._package_off:
            return DayStatus.HOLIDAY
        if day in self._package_on:
            return _entry_status(day, is_off=False)
        return _weekday_status(day)


def _holidays_status(calendar, day: date) -> DayStatus:
    """A day's status by the `holidays` package, through its public working-day API."""
    if day in calendar:
        return DayStatus.HOLIDAY
    if day.weekday() >= 5:
        return DayStatus.ADJUSTED_WORKDAY if calendar.is_working_day(day) else DayStatus.WEEKEND
    return DayStatus.WORKDAY


def _validated_entry(day: object, value: object) -> tuple[bool, str]:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"statutory entry keys must be dates, got {day!r}")
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise ValueError(f"statutory entry for {day} must be (is_off, note), got {value!r}")
    is_off, note = value
    if not isinstance(is_off, bool) or not isinstance(note, str):
        raise ValueError(f"statutory entry for {day} must be (bool, str), got {value!r}")
    return is_off, note


_cn_lock = threading.Lock()


def __getattr__(name: str) -> StatutoryCalendar:
    """`statutory.CN`, built on first use so that importing this module stays cheap."""
    if name != "CN":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _cn_lock:
        if "CN" not in globals():
            # Stored as a module global, so later look-ups no longer come through here.
            globals()["CN"] = StatutoryCalendar.china()
    return globals()["CN"]
