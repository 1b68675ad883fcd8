"""The days the desk works with: the years it serves, and the wider days a statistics period may cover.

The years served, for the API's schemas, the web forms and the domain checks: from 2000, as China's first
online shops and the 12315 hotline both date from 1999, so no order or complaint we handle is older; to 2099,
far enough ahead for any promotion or deadline preview, and thousands of years inside the deadline calendar
(years 1–9998), so the deadlines of a complaint received then cannot leave it.

A statistics period only reads what is stored (an import may hold complaints older than 2000), so it may
cover any day whose neighbours exist: the year before its first day (a period is compared with it) and the
day or month after its last (where its instants and buckets end), in whole years so that the limits are easy
to state. Python's dates run from year 1 to 9999.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_INSTANT = datetime.combine(FIRST_DAY, time.min, UTC)
END_INSTANT = datetime.combine(LAST_DAY + timedelta(days=1), time.min, UTC)

PERIOD_FIRST_DAY = date(2, 1, 1)
PERIOD_LAST_DAY = date(9998, 12, 31)


def in_service_years(instant: datetime) -> bool:
    """Whether an aware instant lies from FIRST_DAY to LAST_DAY, counted in UTC."""
    return FIRST_INSTANT <= instant < END_INSTANT


def outside_service_years(instant: datetime) -> str | None:
    """Why an aware instant is refused (translated), or None when it lies in the years served. A naive one
    passes: its caller refuses it with an example of an offset."""
    if instant.tzinfo is None or in_service_years(instant):
        return None
    return _("must be from %(first)s to %(last)s (UTC)") % {"first": FIRST_DAY, "last": LAST_DAY}
