"""The filing lead time (SPEC §4: "3 working days before the start"), counted in the shop's own working
days on its deadline calendar. Pure: a BusinessCalendar in, an instant out."""

from datetime import datetime, timedelta

from complaintdesk.deadlines.calendar import BusinessCalendar
from complaintdesk.deadlines.policy import nth_working_day

_TICK = timedelta(microseconds=1)


def filing_due_by(calendar: BusinessCalendar, starts_at: datetime, working_days: int) -> datetime:
    """The last instant at which a filing is on time: the opening of the N-th working day before the day
    the promotion starts, so that the regulator has N whole working days of the shop to look at it.

    Working days are those with working time on the shop's calendar: statutory holidays have none, the
    weekend days declared working days have their hours. With N = 0 a filing is on time until the start.
    """
    if working_days <= 0:
        return starts_at
    day_start, _ = nth_working_day(calendar, starts_at, working_days, backwards=True)
    # add_working_time(x, 0) is x itself; the first working microsecond, less one, is the opening.
    return calendar.add_working_time(day_start, _TICK) - _TICK
