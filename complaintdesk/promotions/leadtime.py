"""The filing lead time (SPEC §4: "3 working days before the start"), counted in the shop's own working
days on its deadline calendar. Pure: a BusinessCalendar in, an instant out."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from complaintdesk.deadlines.calendar import BusinessCalendar

# A shop open on no day at all must fail loudly, not loop for ever (as in deadlines.policy).
_MAX_CALENDAR_DAYS_SEARCHED = 3660
_TICK = timedelta(microseconds=1)


def filing_due_by(calendar: BusinessCalendar, starts_at: datetime, working_days: int) -> datetime:
    """The last instant at which a filing is on time: the opening of the N-th working day before the day
    the promotion starts, so that the regulator has N whole working days of the shop to look at it.

    1. Walk local days back from the day before the start's day.
    2. A day counts when it has working time on the shop's calendar (statutory holidays have none, the
       weekend days declared working days have their hours).
    3. On the N-th such day, the filing is due by the day's first working instant.
    With N = 0 a filing is on time until the start itself.
    """
    if working_days <= 0:
        return starts_at
    tz = ZoneInfo(calendar.tz) if isinstance(calendar.tz, str) else calendar.tz
    day = starts_at.astimezone(tz).date()
    found = 0
    for _ in range(_MAX_CALENDAR_DAYS_SEARCHED):
        day -= timedelta(days=1)
        day_start = datetime.combine(day, time(0), tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tz)
        if calendar.working_time_between(day_start, day_end) > timedelta(0):
            found += 1
            if found == working_days:
                # add_working_time(x, 0) is x itself; the first working microsecond, less one, is the opening.
                return calendar.add_working_time(day_start, _TICK) - _TICK
    raise ValueError(
        f"no {working_days} working days within {_MAX_CALENDAR_DAYS_SEARCHED} days of {starts_at}"
    )
