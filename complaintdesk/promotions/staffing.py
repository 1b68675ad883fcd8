"""The staffing check of a filing (SPEC §4): will the shop's customer service give the promotion's peak-hour
complaints their first response within the window?

1. Complaints per order: the complaints linked to the shop's past filings that ended in the last 12 months
   (and long enough ago for their complaints to have come in), over those filings' expected orders; the
   regulator's default when those filings expected fewer orders than the policy's minimum.
2. Arrival rate λ = peak-hour orders × complaints per order (per hour); service rate μ = 60 / handling
   minutes; the window is the active policy's first-response rule for complaints received in working time.
3. Erlang C (see `erlang.py`) gives P(wait), the share picked up within the window, and the least staff per
   shift that reaches the target.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines import policy as deadline_policy
from complaintdesk.deadlines.services import active_policy
from complaintdesk.promotions import erlang
from complaintdesk.promotions.models import FilingPolicy, Promotion

HISTORY = timedelta(days=365)
# Complaints about a promotion's orders keep coming for weeks after it ends (delivery, returns, repairs):
# a filing that ended more recently than this would make the shop look better than it is.
SETTLING = timedelta(days=30)
DEFAULT_WINDOW_MINUTES = 120.0


class RateSource:
    HISTORY = "history"
    DEFAULT = "default"


@dataclass(frozen=True)
class StaffingCheck:
    arrival_rate_per_hour: float
    wait_probability: float
    share_within_window: float
    window_minutes: float
    target: float
    min_staff_for_target: int | None
    staff_per_shift: int
    offered_load_erlangs: float
    average_wait_minutes: float | None
    complaints_per_order: float
    rate_source: str
    history_orders: int
    history_complaints: int

    @property
    def meets_target(self) -> bool:
        return self.share_within_window >= self.target

    def as_dict(self) -> dict:
        return {**asdict(self), "meets_target": self.meets_target}


def complaints_per_order(merchant, now: datetime, policy: FilingPolicy) -> tuple[float, str, int, int]:
    """(rate, source, orders, complaints) from the shop's past filings, or the default when too thin."""
    past = Promotion.objects.filter(
        merchant=merchant, ends_at__gte=now - HISTORY, ends_at__lte=now - SETTLING
    )
    orders = past.aggregate(n=Sum("expected_orders"))["n"] or 0
    complaints = Complaint.objects.filter(promotion__in=past).count() if orders else 0
    if orders < max(policy.min_history_orders, 1):
        return float(policy.default_complaints_per_order), RateSource.DEFAULT, orders, complaints
    return complaints / orders, RateSource.HISTORY, orders, complaints


def first_response_window_minutes() -> float:
    """The first-response window of a complaint received in working time under the active policy (2 h by
    default): the promotion's peak hour is when customer service is staffed."""
    _, rules = active_policy()
    facts = deadline_policy.Facts(kind="complaint", category="other", channel="web", in_working_time=True)
    rule = deadline_policy.select_rules(rules, facts).get("first_response")
    if rule is None or rule.duration is None:
        return DEFAULT_WINDOW_MINUTES
    return rule.duration.total_seconds() / 60


def compute(
    peak_hour_orders: int,
    staff_per_shift: int,
    avg_handling_minutes: float,
    complaints_per_order: float,
    window_minutes: float,
    target: float,
    rate_source: str = RateSource.DEFAULT,
    history_orders: int = 0,
    history_complaints: int = 0,
) -> StaffingCheck:
    """The check from its inputs alone (no database): rates per hour, times in minutes."""
    arrival = peak_hour_orders * complaints_per_order
    service = 60.0 / avg_handling_minutes
    window_hours = window_minutes / 60.0
    load = arrival / service
    wait = erlang.erlang_c(staff_per_shift, load)
    share = erlang.share_within(staff_per_shift, arrival, service, window_hours)
    mean = erlang.mean_wait(staff_per_shift, arrival, service)
    return StaffingCheck(
        arrival_rate_per_hour=arrival,
        wait_probability=wait,
        share_within_window=share,
        window_minutes=window_minutes,
        target=target,
        min_staff_for_target=erlang.min_servers(arrival, service, window_hours, target),
        staff_per_shift=staff_per_shift,
        offered_load_erlangs=load,
        average_wait_minutes=None if mean == float("inf") else mean * 60,
        complaints_per_order=complaints_per_order,
        rate_source=rate_source,
        history_orders=history_orders,
        history_complaints=history_complaints,
    )


def check(
    merchant, peak_hour_orders: int, staff_per_shift: int, avg_handling_minutes, now=None, policy=None
) -> StaffingCheck:
    """The staffing check of a shop's promotion, with the shop's history and the regulator's policy."""
    now = now or timezone.now()
    policy = policy or FilingPolicy.current()
    rate, source, orders, complaints = complaints_per_order(merchant, now, policy)
    return compute(
        peak_hour_orders=peak_hour_orders,
        staff_per_shift=staff_per_shift,
        avg_handling_minutes=float(avg_handling_minutes),
        complaints_per_order=rate,
        window_minutes=first_response_window_minutes(),
        target=float(policy.staffing_target),
        rate_source=source,
        history_orders=orders,
        history_complaints=complaints,
    )
