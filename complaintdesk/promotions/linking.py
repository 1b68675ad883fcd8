"""Which filed promotion a complaint concerns (SPEC §2 "optional promotion", §4 "unfiled").

A consumer names a promotion by the id of the shop's filing or in their own words; otherwise the order date
may fall inside a filing of the shop. A complaint that names a promotion no filing matches stays unlinked,
and the unfiled-promotion detector (`unfiled.py`) reports it.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.deadlines.services import working_time_of
from complaintdesk.lib import sql
from complaintdesk.lib.errors import FieldError
from complaintdesk.promotions import queries
from complaintdesk.promotions.models import Promotion, SalePeriod

_SEPARATORS = re.compile(r"[\s\-_·.,，。!！]+")
# Filings further than this from the order (or receipt) are never candidates: one indexed range per intake.
_NEAR = timedelta(days=400)


def normalise(name: str) -> str:
    """Case, spacing and punctuation do not tell promotions apart: "Double-11" is "double 11"."""
    return _SEPARATORS.sub(" ", name.casefold()).strip()


def sale_period_named(name: str, periods=None) -> SalePeriod | None:
    """The well-known sale period that `name` is one of the names of ("双11", "Double 11", "11.11")."""
    wanted = normalise(name)
    if not wanted:
        return None
    for period in periods if periods is not None else SalePeriod.objects.filter(is_active=True):
        if wanted in {normalise(n) for n in period.names()}:
            return period
    return None


def resolve(merchant, promotion: int | str | None, user) -> tuple[Promotion | None, str]:
    """The `promotion` `user` sent with a complaint: the id of one of the shop's filings, or a name.
    Returns (filing or None, the name to keep). An id that is not a filing of this shop that the user may
    link (`queries.linkable`) is a FieldError with the same words, whoever's filing it might be and whatever
    its state: the answer tells nothing about filings the user may not see."""
    if promotion is None or promotion == "":
        return None, ""
    if isinstance(promotion, int) and not isinstance(promotion, bool):
        found = queries.linkable(user).filter(pk=promotion, merchant=merchant).first()
        if found is None:
            raise FieldError(
                "promotion", _("no promotion filing %(promotion)s of this shop") % {"promotion": promotion}
            )
        return found, found.name
    return None, str(promotion).strip()


def _local_day(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def _near(day: date, offset: timedelta, tz: str) -> datetime:
    """The local midnight of `day` moved by `offset`, in UTC. Beyond the years Python holds (an order dated
    within `_NEAR` of year 1 or 9999) it is the first or last instant UTC holds: no filing lies further out."""
    try:
        return datetime.combine(day + offset, time.min, ZoneInfo(tz)).astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if offset < timedelta(0) else datetime.max.replace(tzinfo=UTC)


def find(
    merchant, name: str, order_date: date | None, received_at: datetime | None = None
) -> Promotion | None:
    """The shop's filing a complaint concerns, or None.

    1. A name equal to a filing's name (ignoring case, spacing and punctuation).
    2. A name of a well-known sale period ("双11"): the shop's filing of that type in the year of the order.
    3. The order date inside a filing's period (in the shop's time zone); the latest-starting one wins.
    """
    reference = order_date or timezone.localdate(received_at or timezone.now())
    # The zone the shop's deadlines count in, even if the stored one is unusable.
    tz = working_time_of(merchant)[1]
    # Runs for every complaint filed: read without the ORM's query compiler (lib.sql says why).
    candidates = sql.select(
        Promotion,
        "merchant_id = %s AND starts_at <= %s AND ends_at >= %s",
        [
            merchant.pk,
            _near(reference, _NEAR, tz),
            _near(reference, -_NEAR, tz),
        ],
        suffix="ORDER BY starts_at DESC, id DESC",
    )
    if not candidates:
        return None
    if name:
        wanted = normalise(name)
        named = [p for p in candidates if normalise(p.name) == wanted]
        if named:
            containing = [p for p in named if _contains(p, reference, tz)]
            return (containing or named)[0]
        period = sale_period_named(name)
        if period is not None:
            same_year = [
                p
                for p in candidates
                if p.type == period.promotion_type and _local_day(p.starts_at, tz).year == reference.year
            ]
            if same_year:
                return same_year[0]
    if order_date is not None:
        for p in candidates:
            if _contains(p, order_date, tz):
                return p
    return None


def _contains(promotion: Promotion, day: date, tz: str) -> bool:
    return (
        _local_day(promotion.starts_at, tz)
        <= day
        <= _local_day(promotion.ends_at - timedelta(microseconds=1), tz)
    )
