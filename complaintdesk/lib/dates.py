"""The years the desk serves, one bound for the API's schemas, the web forms and the domain checks.

From 2000: China's first online shops and the 12315 hotline both date from 1999, so no order or complaint
we handle is older. To 2099: far enough ahead for any promotion or deadline preview, and thousands of years
inside the deadline calendar (years 1–9998), so the deadlines of a complaint received then cannot leave it.
"""

from datetime import UTC, date, datetime, time, timedelta

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_INSTANT = datetime.combine(FIRST_DAY, time.min, UTC)
END_INSTANT = datetime.combine(LAST_DAY + timedelta(days=1), time.min, UTC)


def in_service_years(instant: datetime) -> bool:
    """Whether an aware instant lies from FIRST_DAY to LAST_DAY, counted in UTC."""
    return FIRST_INSTANT <= instant < END_INSTANT
