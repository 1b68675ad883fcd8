"""Working time of a shop: its published hours, on the Chinese statutory calendar, in its time zone.

Pure Python, no Django. `BusinessCalendar` answers three questions (SPEC §3):

- `is_working_time(dt)`: is this instant inside working time?
- `add_working_time(dt, td)`: when has `td` of working time passed, counting from `dt`?
- `working_time_between(a, b)`: how much working time lies between two instants?

Conventions (those of the best helpdesk engines):

- Working intervals are half-open, [open, close): 09:00 is working time, 18:00 is not.
- A start outside working time counts from the next opening.
- `add_working_time` returns the *earliest* instant at which the duration has passed, so a duration that
  exactly fills a working period ends at its close (18:00), not at the next opening (09:00 next day).
  A negative duration counts backwards and returns the *latest* instant at which that much working time
  remains before `dt`. A zero duration returns `dt` unchanged.
- Hours are local wall-clock times of the calendar's zone, turned into real instants day by day, so
  durations are real elapsed time and a day with a DST change is shorter or longer. A wall time that
  does not exist (spring-forward gap) means the first instant after the gap: 02:30 on the day Berlin
  jumps from 02:00 to 03:00 is 03:00. A wall time that happens twice (fall-back) means the first time
  (fold=0).
- Results are aware datetimes in the calendar's zone; naive datetimes are refused with ValueError.
- Arithmetic is on integer microseconds since the epoch, so results are exact to the microsecond for any
  year (floats of epoch seconds lose sub-microsecond precision after about 2038).

A day's hours come from, in order: a per-date override of this calendar; else, with `statutory`, the
day's statutory status (a holiday has no hours, an adjusted working day gets Monday's hours, an ordinary
working day or weekend day its own weekday's hours); else the weekday's hours. A day in a year that no
statutory source covers raises `UncoveredYearError`; or it is guessed and listed by `guessed_days_between`
so that the caller can warn: with `uncovered="weekends"` it follows its weekday's hours, with
`uncovered="estimate"` too, except that the `holidays` package's rule-based days off for that year
(New Year, Spring Festival, National Day, …) have no hours.

Speed: per local year, the calendar precomputes its working intervals as UTC microseconds with prefix sums
of the working time before and through each interval (a `_YearBlock`). A query is two bisections in one
block, or a walk over a few blocks' totals for spans of years: no day-by-day walk. Blocks are built on
first use and shared by all calendars with the same configuration (a shop's calendar is rebuilt for each
request); they are dropped when the statutory calendar's `version` changes.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintdesk.deadlines import statutory as statutory_module
from complaintdesk.deadlines.statutory import DayStatus, StatutoryCalendar, UncoveredYearError

# The parsers are public for the shop model's validators: hours and zones the calendar refuses are refused
# there.
__all__ = ["BusinessCalendar", "UncoveredYearError", "parse_clock", "parse_tz", "parse_weekly_hours"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)  # \d would also take other scripts' digits
_UNCOVERED_MODES = ("error", "weekends", "estimate")
# A calendar whose weekly hours are all empty only has the working time of its overrides: past them, a
# walk over years would never end. After this many empty years in a row we stop and say so.
_MAX_EMPTY_YEARS = 10

DEFAULT_HOURS = {weekday: [("09:00", "18:00")] for weekday in range(5)}
DEFAULT_TZ = "Asia/Shanghai"

# Local intervals of one day: ((open_minute, close_minute), ...), close_minute may be 1440 ("24:00").
Intervals = tuple[tuple[int, int], ...]


class _YearBlock:
    """The working intervals of one local year as UTC microseconds, with prefix sums.

    `worked_before[i]` is the working time before interval i (n + 1 entries, the last is `total`);
    `worked_through[i]` the working time up to the close of interval i. Days that need a statutory
    status nobody knows (uncovered="error") are kept as `unknown` spans [start, end) and have no
    intervals; a query that touches one raises UncoveredYearError.
    """

    __slots__ = (
        "year",
        "start",
        "end",
        "opens",
        "closes",
        "worked_before",
        "worked_through",
        "total",
        "unknown",
        "guessed",
        "covered_years",
    )

    def __init__(self, year, start, end, opens, closes, unknown=(), guessed=(), covered_years=frozenset()):
        self.year = year
        self.start = start
        self.end = end
        self.opens = opens
        self.closes = closes
        self.worked_through = []
        total = 0
        for open_, close in zip(opens, closes, strict=True):
            total += close - open_
            self.worked_through.append(total)
        self.worked_before = [0, *self.worked_through]
        self.total = total
        self.unknown = unknown
        self.guessed = guessed
        self.covered_years = covered_years  # for the message of UncoveredYearError

    def worked_until(self, instant: int) -> int:
        """Working microseconds of this block before `instant` (clamped to the block)."""
        i = bisect_right(self.closes, instant)
        done = self.worked_before[i]
        if i < len(self.opens) and instant > self.opens[i]:
            done += instant - self.opens[i]
        return done

    def check_known(self, lo: int, hi: int) -> None:
        """Raise if the instants [lo, hi) touch a day whose statutory status nobody knows."""
        for start, end in self.unknown:
            if start < hi and end > lo:
                raise UncoveredYearError(self.year, self.covered_years)


class _SharedCache:
    """Year blocks of one calendar configuration, and the statutory version they were built with."""

    __slots__ = ("blocks", "version")

    def __init__(self):
        self.blocks: dict[int, _YearBlock] = {}
        self.version = -1


class BusinessCalendar:
    """Working time on a weekly schedule, a statutory calendar and per-date overrides (module docstring)."""

    _shared_caches: dict[tuple, _SharedCache] = {}
    _shared_caches_lock = threading.Lock()
    # A year takes about 40 kB (one interval each working day) to 110 kB (two every day): bound the memory.
    _SHARED_CACHE_LIMIT = 256
    _default: BusinessCalendar | None = None

    def __init__(
        self,
        hours: Mapping[int, Sequence[Sequence[str]]] | None = None,
        tz: str | ZoneInfo = DEFAULT_TZ,
        statutory: str | StatutoryCalendar | None = "CN",
        overrides: Mapping[date, Sequence[Sequence[str]]] | None = None,
        *,
        uncovered: str = "error",
    ):
        self._weekly = parse_weekly_hours(DEFAULT_HOURS if hours is None else hours)
        self._tz = parse_tz(tz)
        self._statutory = _parse_statutory(statutory)
        self._overrides = _parse_overrides(overrides or {})
        if uncovered not in _UNCOVERED_MODES:
            raise ValueError(f"uncovered must be one of {', '.join(_UNCOVERED_MODES)}; got {uncovered!r}")
        self._uncovered = uncovered
        self._has_weekly_hours = any(self._weekly)
        self._cache = self._shared_cache_for(self._config_key())

    @classmethod
    def default(cls) -> BusinessCalendar:
        """Monday–Friday 09:00–18:00 on the Chinese statutory calendar in Asia/Shanghai (shared)."""
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def __repr__(self) -> str:
        statutory = self._statutory.name if self._statutory else None
        return f"<BusinessCalendar tz={self._tz.key} statutory={statutory} uncovered={self._uncovered}>"

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # -- public queries -------------------------------------------------------------------------------

    def is_working_time(self, dt: datetime) -> bool:
        """Whether `dt` lies in a working interval [open, close)."""
        instant = _to_us(dt)
        block = self._block_at(instant, dt.year)
        if block.unknown:
            block.check_known(instant, instant + 1)
        i = bisect_right(block.opens, instant) - 1
        return i >= 0 and instant < block.closes[i]

    def add_working_time(self, dt: datetime, td: timedelta) -> datetime:
        """The earliest instant by which `td` of working time has passed since `dt` (module docstring).

        A negative `td` gives the latest instant from which `-td` of working time remains until `dt`.
        """
        instant = _to_us(dt)
        if not isinstance(td, timedelta):
            raise TypeError(f"add_working_time() takes a timedelta, not {td!r}")
        amount = td // _US
        if amount == 0:
            return dt
        if amount > 0:
            return self._from_us(self._forward(instant, amount, dt.year))
        return self._from_us(self._backward(instant, -amount, dt.year))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b); negative when b is before a."""
        start, end = _to_us(a), _to_us(b)
        if end < start:
            return -timedelta(microseconds=self._between(end, start, b.year))
        return timedelta(microseconds=self._between(start, end, a.year))

    def guessed_days_between(self, a: datetime | date, b: datetime | date) -> list[date]:
        """Local dates in [a, b] whose hours were guessed (uncovered="weekends" or "estimate").

        A date appears when no override, no statutory package and no regulator entry knew it. Always
        empty with uncovered="error" (such a date raises instead) or without a statutory calendar.
        """
        first, last = sorted((self._local_date(a), self._local_date(b)))
        days = []
        for year in range(first.year, last.year + 1):
            days.extend(d for d in self._block(year).guessed if first <= d <= last)
        return days

    # -- the algorithms -------------------------------------------------------------------------------

    def _forward(self, instant: int, amount: int, year_hint: int) -> int:
        """The earliest instant by which `amount` µs of working time have passed since `instant`.

        1. In the block holding `instant`, the working time already done before it is `worked_until`;
           the target is that plus `amount`.
        2. While the target lies beyond the block's total, subtract the total and go to the next year.
        3. In the block that holds it, the first interval whose running total reaches the target
           (bisect_left, so an exact fill ends at that interval's close) holds the answer.
        """
        block = self._block_at(instant, year_hint)
        target = block.worked_until(instant) + amount
        lo = instant
        empty_years = 0
        while target > block.total:
            if block.unknown:
                block.check_known(lo, block.end)
            empty_years = empty_years + 1 if block.total == 0 else 0
            self._refuse_endless_walk(empty_years, block.year, later=True)
            target -= block.total
            block = self._block(block.year + 1)
            lo = block.start
        j = bisect_left(block.worked_through, target)
        result = block.closes[j] - (block.worked_through[j] - target)
        if block.unknown:
            block.check_known(lo, result)
        return result

    def _backward(self, instant: int, amount: int, year_hint: int) -> int:
        """The latest instant from which exactly `amount` µs of working time remain until `instant`.

        The mirror of `_forward`: walk back over year totals while the target is negative, then take the
        last interval whose running total before it is at most the target (bisect_right), so an exact
        fill starts at that interval's opening.
        """
        block = self._block_at(instant, year_hint)
        target = block.worked_until(instant) - amount
        hi = instant
        empty_years = 0
        while target < 0:
            if block.unknown:
                block.check_known(block.start, hi)
            empty_years = empty_years + 1 if block.total == 0 else 0
            self._refuse_endless_walk(empty_years, block.year, later=False)
            block = self._block(block.year - 1)
            target += block.total
            hi = block.end
        j = bisect_right(block.worked_before, target) - 1
        result = block.opens[j] + (target - block.worked_before[j])
        if block.unknown:
            block.check_known(result, hi)
        return result

    def _between(self, start: int, end: int, year_hint: int) -> int:
        """Working µs in [start, end), start <= end: block totals between, partial blocks at the ends."""
        if start == end:
            return 0
        first = self._block_at(start, year_hint)
        last = first if end < first.end else self._block_at(end, first.year + 1)
        if first is last:
            if first.unknown:
                first.check_known(start, end)
            return first.worked_until(end) - first.worked_until(start)
        if first.unknown:
            first.check_known(start, first.end)
        total = first.total - first.worked_until(start)
        for year in range(first.year + 1, last.year):
            block = self._block(year)
            if block.unknown:
                block.check_known(block.start, block.end)
            total += block.total
        if last.unknown:
            last.check_known(last.start, end)
        return total + last.worked_until(end)

    def _refuse_endless_walk(self, empty_years: int, year: int, *, later: bool) -> None:
        """Stop a walk over years that can never find working time.

        Without weekly hours only overrides give working time, so the walk is endless once no override
        with hours lies further on. With weekly hours a year without any is absurd; stop after a few.
        """
        if empty_years == 0:
            return
        if self._has_weekly_hours:
            endless = empty_years >= _MAX_EMPTY_YEARS
        else:
            endless = not any(
                hours and (day.year > year if later else day.year < year)
                for day, hours in self._overrides.items()
            )
        if endless:
            # The walk passed `empty_years` empty years in a row, `year` the last of them.
            where = f"after {year - empty_years}" if later else f"before {year + empty_years}"
            raise ValueError(
                f"this calendar has no working time {where}: check its weekly hours and overrides"
            )

    # -- year blocks ----------------------------------------------------------------------------------

    def _blocks(self) -> dict[int, _YearBlock]:
        """This configuration's blocks, emptied first when the statutory calendar changed."""
        cache = self._cache
        if self._statutory is not None and cache.version != self._statutory.version:
            # Replace the dict (never clear it): a thread still building with old data writes into
            # the old dict, which nobody reads any more.
            cache.blocks = {}
            cache.version = self._statutory.version
        return cache.blocks

    def _block(self, year: int) -> _YearBlock:
        blocks = self._blocks()
        block = blocks.get(year)
        if block is None:
            block = blocks[year] = self._build_block(year)
        return block

    def _block_at(self, instant: int, year_hint: int) -> _YearBlock:
        """The block of the local year holding `instant`; `year_hint` is that year give or take one."""
        block = self._block(year_hint)
        while instant < block.start:
            block = self._block(block.year - 1)
        while instant >= block.end:
            block = self._block(block.year + 1)
        return block

    def _build_block(self, year: int) -> _YearBlock:
        """Turn every local day of `year` into UTC intervals.

        1. For each day, find its local hours (`_day_hours`): override, statutory status, or weekday.
        2. Convert each local open and close to UTC microseconds (`_local_us`, which handles DST), and
           drop intervals that a DST gap squeezed to nothing.
        3. Days of unknown status become unknown spans; guessed days are remembered.
        """
        if not 1 <= year <= 9998:
            raise ValueError(f"year {year} is outside the supported range 1–9998")
        opens: list[int] = []
        closes: list[int] = []
        unknown: list[tuple[int, int]] = []
        guessed: list[date] = []
        day = date(year, 1, 1)
        day_start = block_start = self._local_us(day, 0)
        while day.year == year:
            next_day = day + _ONE_DAY
            next_start = self._local_us(next_day, 0)
            intervals, how = self._day_hours(day)
            if how == "unknown":
                if unknown and unknown[-1][1] == day_start:
                    unknown[-1] = (unknown[-1][0], next_start)
                else:
                    unknown.append((day_start, next_start))
            else:
                if how == "guessed":
                    guessed.append(day)
                for open_minute, close_minute in intervals:
                    open_ = self._local_us(day, open_minute)
                    close = (
                        next_start if close_minute == _MINUTES_PER_DAY else self._local_us(day, close_minute)
                    )
                    if close > open_:
                        opens.append(open_)
                        closes.append(close)
            day, day_start = next_day, next_start
        covered = frozenset(self._statutory.covered_years()) if unknown else frozenset()
        return _YearBlock(year, block_start, day_start, opens, closes, unknown, guessed, covered)

    def _day_hours(self, day: date) -> tuple[Intervals, str]:
        """A day's local intervals and how they were found: 'known', 'guessed' or 'unknown'."""
        override = self._overrides.get(day)
        if override is not None:
            return override, "known"
        weekday_hours = self._weekly[day.weekday()]
        if self._statutory is None:
            return weekday_hours, "known"
        status = self._statutory.known_status(day)
        if status is None:
            if self._uncovered == "error":
                return (), "unknown"
            if self._uncovered == "estimate" and day in self._statutory.estimated_days_off(day.year):
                return (), "guessed"
            return weekday_hours, "guessed"
        if status is DayStatus.HOLIDAY:
            return (), "known"
        if status is DayStatus.ADJUSTED_WORKDAY:
            return self._weekly[0], "known"
        return weekday_hours, "known"

    # -- local time <-> UTC microseconds --------------------------------------------------------------

    def _local_us(self, day: date, minute: int) -> int:
        """UTC microseconds of a local wall time; a time in a DST gap means the end of the gap.

        PEP 495 tells a gap from a fold by the two offsets zoneinfo gives a wall time: in a gap fold=0
        has the smaller (pre-transition) offset, in a fold the larger one, elsewhere they are equal.
        """
        if minute == _MINUTES_PER_DAY:
            day, minute = day + _ONE_DAY, 0
        hour, minute_of_hour = divmod(minute, 60)
        wall = datetime(day.year, day.month, day.day, hour, minute_of_hour, tzinfo=self._tz)
        offset = wall.utcoffset()
        if offset < wall.replace(fold=1).utcoffset():
            return self._gap_end(wall.replace(tzinfo=None))
        local_seconds = (day.toordinal() - _EPOCH_ORDINAL) * 86400 + minute * 60
        return (local_seconds - offset.days * 86400 - offset.seconds) * 1_000_000

    def _wall(self, instant: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=instant)).astimezone(self._tz).replace(tzinfo=None)

    def _gap_end(self, wall: datetime) -> int:
        """The first instant whose wall time is at or after `wall`, for a `wall` inside a gap.

        PEP 495: in a gap, fold=1 applies the offset after the transition (an instant before it) and
        fold=0 the offset before (an instant after it). Bisect the whole seconds between them for the
        transition; zone transitions fall on whole seconds.
        """
        lo = (wall.replace(tzinfo=self._tz, fold=1) - _EPOCH) // timedelta(seconds=1)
        hi = (wall.replace(tzinfo=self._tz, fold=0) - _EPOCH) // timedelta(seconds=1)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._wall(mid * 1_000_000) >= wall:
                hi = mid
            else:
                lo = mid
        return hi * 1_000_000

    def _from_us(self, instant: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=instant)).astimezone(self._tz)

    def _local_date(self, value: datetime | date) -> date:
        if isinstance(value, datetime):
            _to_us(value)  # refuses naive datetimes
            return value.astimezone(self._tz).date()
        if isinstance(value, date):
            return value
        raise TypeError(f"expected a datetime or a date, got {value!r}")

    # -- shared caches --------------------------------------------------------------------------------

    def _config_key(self) -> tuple:
        return (
            self._weekly,
            self._tz,  # ZoneInfo("X") is one cached object per key
            self._statutory,  # by identity: each StatutoryCalendar has its own entries
            tuple(sorted(self._overrides.items())),
            self._uncovered,
        )

    @classmethod
    def _shared_cache_for(cls, key: tuple) -> _SharedCache:
        """The cache of this configuration, most recently used last (a small LRU)."""
        with cls._shared_caches_lock:
            cache = cls._shared_caches.pop(key, None)
            if cache is None:
                cache = _SharedCache()
                if len(cls._shared_caches) >= cls._SHARED_CACHE_LIMIT:
                    # Forget the least recently asked-for configuration; calendars holding it keep theirs.
                    del cls._shared_caches[next(iter(cls._shared_caches))]
            cls._shared_caches[key] = cache
            return cache


# -- validation of the constructor's input ------------------------------------------------------------


def _to_us(dt: datetime) -> int:
    if not isinstance(dt, datetime):
        raise TypeError(f"expected an aware datetime, got {dt!r}")
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt.isoformat()} refused: give it a time zone")
    try:
        return (dt - _EPOCH) // _US
    except TypeError:  # a tzinfo whose utcoffset() is None: naive in all but name
        raise ValueError(f"datetime {dt!r} has no UTC offset: give it a time zone") from None


def parse_tz(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"tz must be an IANA time zone name such as 'Asia/Shanghai', got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database ("Europe")
        raise ValueError(f"unknown time zone {tz!r}: use an IANA name such as 'Asia/Shanghai'") from None


def _parse_statutory(statutory: str | StatutoryCalendar | None) -> StatutoryCalendar | None:
    if statutory is None or isinstance(statutory, StatutoryCalendar):
        return statutory
    if statutory == "CN":
        return statutory_module.CN
    raise ValueError(f"unknown statutory calendar {statutory!r}: use 'CN', None or a StatutoryCalendar")


def parse_weekly_hours(hours: Mapping[int, Sequence[Sequence[str]]]) -> tuple[Intervals, ...]:
    if not isinstance(hours, Mapping):
        raise ValueError(
            'hours must be a dict of weekday (0 = Monday … 6 = Sunday) -> [("HH:MM", "HH:MM"), …]'
        )
    weekly: list[Intervals] = [()] * 7
    for weekday, intervals in hours.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"hours: weekday {weekday!r} is outside 0–6 (0 = Monday, 6 = Sunday)")
        weekly[weekday] = _parse_intervals(intervals, f"hours[{weekday}]")
    return tuple(weekly)


def _parse_overrides(overrides: Mapping[date, Sequence[Sequence[str]]]) -> dict[date, Intervals]:
    if not isinstance(overrides, Mapping):
        raise ValueError('overrides must be a dict of date -> [("HH:MM", "HH:MM"), …] ([] = day off)')
    parsed = {}
    for day, intervals in overrides.items():
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"overrides: key {day!r} is not a date")
        parsed[day] = _parse_intervals(intervals, f"overrides[{day.isoformat()}]")
    return parsed


def _parse_intervals(intervals: Sequence[Sequence[str]], where: str) -> Intervals:
    """Validate ("HH:MM", "HH:MM") pairs and return them as sorted (open, close) minutes."""
    if isinstance(intervals, str) or not isinstance(intervals, Sequence):
        raise ValueError(f'{where}: expected a list of ("HH:MM", "HH:MM") intervals, got {intervals!r}')
    parsed = []
    for interval in intervals:
        if isinstance(interval, str) or not isinstance(interval, Sequence) or len(interval) != 2:
            raise ValueError(f'{where}: expected an ("HH:MM", "HH:MM") pair, got {interval!r}')
        opens, closes = interval
        open_minute = parse_clock(opens, where, may_be_24=False)
        close_minute = parse_clock(closes, where, may_be_24=True)
        if open_minute >= close_minute:
            raise ValueError(f"{where}: interval {opens}–{closes} must start before it ends")
        parsed.append((open_minute, close_minute))
    parsed.sort()
    for (open_a, close_a), (open_b, close_b) in zip(parsed, parsed[1:], strict=False):
        if open_b < close_a:
            raise ValueError(
                f"{where}: intervals {_clock(open_a)}–{_clock(close_a)} and "
                f"{_clock(open_b)}–{_clock(close_b)} overlap"
            )
    return tuple(parsed)


def parse_clock(text: object, where: str, *, may_be_24: bool) -> int:
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f'{where}: {text!r} is not a time of day in "HH:MM" form')
    hour, minute = int(match[1]), int(match[2])
    if hour == 24 and minute == 0:
        if not may_be_24:
            raise ValueError(f'{where}: "24:00" can only end an interval')
        return _MINUTES_PER_DAY
    if hour > 23 or minute > 59:
        raise ValueError(f'{where}: {text!r} is not a time of day in "HH:MM" form')
    return hour * 60 + minute


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
