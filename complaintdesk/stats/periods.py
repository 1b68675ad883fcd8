"""Periods of days in the regulator's time zone (pure: no database).

A period is a range of calendar days with both ends included, as a regulator says it ("1 January to
31 December"). Its instants run from `start` 00:00 to the day after `end` 00:00 in
settings.COMPLAINTDESK_TIME_ZONE.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from complaintdesk.lib.dates import PERIOD_FIRST_DAY, PERIOD_LAST_DAY
from complaintdesk.lib.errors import FieldError

# A period longer than this is refused: ten years of days is already more than any dashboard shows.
MAX_DAYS = 3700


def zone() -> ZoneInfo:
    return ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE)


def local_day(instant: datetime) -> date:
    return _local(instant, settings.COMPLAINTDESK_TIME_ZONE)[0]


def local_hour(instant: datetime) -> datetime:
    """The start of the local hour that contains `instant` (aware, in the regulator's zone)."""
    return _local(instant, settings.COMPLAINTDESK_TIME_ZONE)[1]


@functools.lru_cache(maxsize=65536)
def _local(instant: datetime, zone_name: str) -> tuple[date, datetime]:
    # Cached: an import converts the same instants over and over (CFPB dates are whole days, so a
    # batch of 20,000 rows holds a few dozen), and each conversion is a zone look-up and two copies.
    local = instant.astimezone(ZoneInfo(zone_name))
    return local.date(), local.replace(minute=0, second=0, microsecond=0)


def same_day_last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February: the year before has no such day
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, start: date, end: date) -> "Period":
        for field, day in (("start", start), ("end", end)):
            if not PERIOD_FIRST_DAY <= day <= PERIOD_LAST_DAY:
                raise FieldError(
                    field,
                    _("must be between %(first)s and %(last)s")
                    % {"first": PERIOD_FIRST_DAY.isoformat(), "last": PERIOD_LAST_DAY.isoformat()},
                )
        if end < start:
            raise FieldError("end", _("must not be before start (%(start)s)") % {"start": start.isoformat()})
        if (end - start).days >= MAX_DAYS:
            raise FieldError("end", _("a period may span at most %(n)s days") % {"n": MAX_DAYS})
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_year(self) -> "Period":
        return Period(same_day_last_year(self.start), same_day_last_year(self.end))

    def instants(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes."""
        tz = zone()
        return (
            datetime.combine(self.start, time(), tz),
            datetime.combine(self.end + timedelta(days=1), time(), tz),
        )

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def last_12_months(today: date) -> Period:
    """The 365 (or 366) days ending today: what a public scorecard shows."""
    return Period(same_day_last_year(today) + timedelta(days=1), today)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def whole_months(period: Period) -> tuple[date, date] | None:
    """The first days of the first and of the last calendar month that `period` covers whole, or None."""
    first = period.start if period.start.day == 1 else next_month(period.start)
    end_month = period.end.replace(day=1)
    ends_its_month = next_month(period.end) - timedelta(days=1) == period.end
    last = end_month if ends_its_month else (end_month - timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None


INTERVALS = ("day", "week", "month")


def bucket_start(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":  # ISO weeks start on Monday
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    raise FieldError("interval", f"unknown interval {interval!r}; intervals are: {', '.join(INTERVALS)}")


def buckets(period: Period, interval: str) -> list[tuple[date, date]]:
    """The series' buckets as (first day, last day), clipped to the period at both ends."""
    out = []
    day = period.start
    while day <= period.end:
        first = bucket_start(day, interval)
        if interval == "day":
            nxt = first + timedelta(days=1)
        elif interval == "week":
            nxt = first + timedelta(days=7)
        else:
            nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(nxt - timedelta(days=1), period.end)
        out.append((max(first, period.start), last))
        day = nxt
    return out
