"""The unfiled-promotion detector (SPEC §4), run by the worker: one `unfiled_promotion` alert per promotion.

Two signs that a shop ran a promotion it never filed:
1. named: recent complaints name a promotion of the shop that no filing matches (`linking.find` found none
   at intake); the complaints naming the same promotion in the same year are one episode;
2. sale surge: during a well-known sale period (`SalePeriod`, e.g. Double 11) the shop's complaints are
   improbably many against its own recent baseline (Poisson tail below the policy's threshold, with a
   minimum count), and no filing of the shop overlaps the period.
A named well-known sale and a surge in that sale are the same promotion, so they share the episode key
`sale:<code>:<year>`; `alerts.services.raise_alert` raises each episode once (a unique constraint), and a
later pass only adds the complaints that came since.
"""

import logging
import threading
import time as _time
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count

from complaintdesk.alerts.models import AlertKind
from complaintdesk.alerts.services import raise_alert
from complaintdesk.complaints.models import Complaint
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions import linking
from complaintdesk.promotions.models import FilingPolicy, Promotion, SalePeriod
from complaintdesk.stats.poisson import upper_tail as poisson_tail

log = logging.getLogger(__name__)

# Complaints naming a promotion arrive within weeks of it; sale periods are looked at while they run and
# for this long after they end, as their complaints keep coming.
LOOKBACK = timedelta(days=35)
# The worker calls `run_if_due` on every pass (every few seconds when idle); the detector's grouped queries
# need not run that often, so each process runs it at most this often.
RUN_EVERY_SECONDS = 300
MAX_COMPLAINTS_PER_ALERT = 500

_lock = threading.Lock()
_last_run = {"at": None}


def run_if_due(now: datetime) -> int:
    """The worker's call: detect when this process has not done so for RUN_EVERY_SECONDS. Returns the
    number of alerts raised. The time is taken before running, so a failing pass is not retried at once."""
    with _lock:
        last = _last_run["at"]
        if last is not None and _time.monotonic() - last < RUN_EVERY_SECONDS:
            return 0
        _last_run["at"] = _time.monotonic()
    return detect(now)


def forget_last_run() -> None:
    """Let the next `run_if_due` run at once (tests; a worker that just started runs at once anyway)."""
    with _lock:
        _last_run["at"] = None


def detect(now: datetime) -> int:
    return detect_named(now) + detect_sale_surges(now)


def _sale_year(period: SalePeriod, day, tz: str) -> int:
    """The year of the latest occurrence of `period` that started on or before `day`."""
    start, _ = period.window(day.year, tz)
    return day.year if start.date() <= day else day.year - 1


def _episode(name: str, reference_day, periods, tz: str) -> tuple[str, str]:
    period = linking.sale_period_named(name, periods)
    if period is not None:
        year = _sale_year(period, reference_day, tz)
        return f"sale:{period.code}:{year}", f"{period.name} {year}"
    return f"named:{reference_day.year}:{linking.normalise(name)[:150]}", name.strip()


def detect_named(now: datetime) -> int:
    """Complaints of the last LOOKBACK that name a promotion no filing of their shop matches."""
    tz = settings.COMPLAINTDESK_TIME_ZONE
    zone = ZoneInfo(tz)
    periods = list(SalePeriod.objects.filter(is_active=True))
    rows = (
        Complaint.objects.filter(
            received_at__gte=now - LOOKBACK,
            received_at__lte=now,
            promotion__isnull=True,
            merchant__is_active=True,
        )
        .exclude(promotion_name="")
        .values_list("pk", "merchant_id", "promotion_name", "order_date", "received_at")
        .order_by("received_at")
    )
    episodes = defaultdict(list)
    titles = {}
    for pk, merchant_id, name, order_date, received_at in rows:
        key, label = _episode(name, order_date or received_at.astimezone(zone).date(), periods, tz)
        episodes[(merchant_id, key)].append(pk)
        titles.setdefault((merchant_id, key), (label, name))
    shops = Merchant.objects.in_bulk({merchant_id for merchant_id, _ in episodes})
    raised = 0
    for (merchant_id, key), complaint_ids in episodes.items():
        shop = shops[merchant_id]
        label, named_as = titles[(merchant_id, key)]
        _, created = raise_alert(
            kind=AlertKind.UNFILED_PROMOTION,
            merchant=shop,
            episode_key=key,
            title=f"{shop}: complaints name the promotion “{label}”, which the shop never filed",
            complaints=complaint_ids[:MAX_COMPLAINTS_PER_ALERT],
            details={"source": "named", "promotion": label, "named_as": named_as},
            observed=len(complaint_ids),
            facts={"shop": shop.name, "source": "named", "promotion": label, "observed": len(complaint_ids)},
        )
        raised += created
    return raised


def detect_sale_surges(now: datetime) -> int:
    """Shops whose complaints jump inside a running (or just ended) sale period that they did not file.

    1. For each active sale period, its occurrences this year and last that started before now and ended
       less than LOOKBACK ago.
    2. Per shop, the complaints received since the period started, against the shop's complaints in the
       policy's baseline days before it, scaled to the time elapsed (at least one baseline complaint, so a
       shop without history is not infinitely surprising).
    3. Improbably many (Poisson tail below the threshold, at least the minimum count) and no filing of the
       shop overlapping the period: one alert for the shop and the period.
    """
    policy = FilingPolicy.current()
    tz = settings.COMPLAINTDESK_TIME_ZONE
    local_year = now.astimezone(ZoneInfo(tz)).year
    baseline = timedelta(days=policy.baseline_days)
    raised = 0
    for period in SalePeriod.objects.filter(is_active=True):
        for year in (local_year - 1, local_year):
            start, end = period.window(year, tz)
            if start >= now or end < now - LOOKBACK:
                continue
            upto = min(end, now)
            counts = dict(
                Complaint.objects.filter(
                    received_at__gte=start, received_at__lt=upto, merchant__is_active=True
                )
                .values_list("merchant_id")
                .annotate(n=Count("id"))
                .filter(n__gte=policy.surge_min_complaints)
            )
            if not counts:
                continue
            filed = set(
                Promotion.objects.filter(
                    merchant_id__in=counts, starts_at__lt=end, ends_at__gt=start
                ).values_list("merchant_id", flat=True)
            )
            suspects = [m for m in counts if m not in filed]
            before = dict(
                Complaint.objects.filter(
                    merchant_id__in=suspects, received_at__gte=start - baseline, received_at__lt=start
                )
                .values_list("merchant_id")
                .annotate(n=Count("id"))
            )
            shops = Merchant.objects.in_bulk(suspects)
            for merchant_id in suspects:
                expected = max(before.get(merchant_id, 0), 1) * ((upto - start) / baseline)
                observed = counts[merchant_id]
                p = poisson_tail(observed, expected)
                if p >= policy.surge_p_value:
                    continue
                ids = list(
                    Complaint.objects.filter(
                        merchant_id=merchant_id, received_at__gte=start, received_at__lt=upto
                    )
                    .order_by("received_at")
                    .values_list("pk", flat=True)[:MAX_COMPLAINTS_PER_ALERT]
                )
                shop = shops[merchant_id]
                _, created = raise_alert(
                    kind=AlertKind.UNFILED_PROMOTION,
                    merchant=shop,
                    episode_key=f"sale:{period.code}:{year}",
                    title=f"{shop}: complaints jumped during {period.name} {year} without a promotion filing",
                    complaints=ids,
                    details={
                        "source": "sale_surge",
                        "promotion": f"{period.name} {year}",
                        "period": period.code,
                    },
                    observed=observed,
                    expected=expected,
                    p_value=p,
                    window_start=start,
                    window_end=upto,
                    facts={
                        "shop": shop.name,
                        "source": "sale_surge",
                        "promotion": f"{period.name} {year}",
                        "observed": observed,
                        "expected": expected,
                        "p_value": p,
                        "window_start": start.isoformat(),
                        "window_end": upto.isoformat(),
                    },
                )
                raised += created
    return raised
