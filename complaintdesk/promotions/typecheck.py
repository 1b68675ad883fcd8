"""Whether a filing's dates fit its type: a "Double 11" promotion that runs in December is accepted, with a
question. The sale periods (`SalePeriod`, data) say when each type usually runs."""

from datetime import date, datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from complaintdesk.promotions.models import PromotionType, SalePeriod


def type_warnings(promotion_type: str, starts_at: datetime, ends_at: datetime) -> list[str]:
    """A question for each active sale period of the type the promotion does not overlap in any year it
    touches; none when one of them overlaps, or the type has no sale period (anniversary, other)."""
    periods = list(SalePeriod.objects.filter(is_active=True, promotion_type=promotion_type))
    for period in periods:
        for year in range(starts_at.year - 1, ends_at.year + 1):
            start, end = period.window(year)
            if starts_at < end and ends_at > start:
                return []
    return [
        _("%(type)s usually runs from %(start)s to %(end)s; is the type right?")
        % {
            "type": PromotionType(promotion_type).label,
            "start": date_format(date(2000, p.start_month, p.start_day), "MONTH_DAY_FORMAT"),
            "end": date_format(date(2000, p.end_month, p.end_day), "MONTH_DAY_FORMAT"),
        }
        for p in periods
    ]
