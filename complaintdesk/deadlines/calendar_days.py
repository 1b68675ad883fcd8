"""The regulator's statutory calendar days (CalendarOverride): a State Council notice read from a file
(`holiday_files`) or one day at a time. `import_holidays` and the console's calendar page both store them
here, so both replace earlier entries for those dates and move the open deadlines that the days change."""

from collections import Counter

from django.db import transaction

from complaintdesk.deadlines.holiday_files import HolidayEntry
from complaintdesk.deadlines.models import CalendarOverride
from complaintdesk.deadlines.recompute import recompute_open_deadlines


def notice_year(entries: list[HolidayEntry]) -> int:
    """A notice is about one year; days of the years around it (e.g. 31 December) do not cover those."""
    return Counter(e.date.year for e in entries).most_common(1)[0][0]


def store_days(entries: list[HolidayEntry], *, year: int | None, user, source: str) -> int:
    """Store `entries` of the notice of `year` (None: each day's own year), replacing what was entered for
    those dates, then recompute the open deadlines (`source` is the reason their events give). Returns the number of complaints whose deadlines moved."""
    with transaction.atomic():
        for entry in entries:
            CalendarOverride.objects.update_or_create(
                date=entry.date,
                defaults={
                    "is_day_off": entry.is_off,
                    "note": entry.name[:200],
                    "notice_year": year or entry.date.year,
                    "created_by": user,
                },
            )
    return recompute_open_deadlines(user, reason=source)
