"""Statistics read from the rollups (models.py): summaries, breakdowns, time series, scorecards.

Every function takes a `shop`: a merchant id, or ALL_SHOPS (0) for the regulator's view. Who may ask
for which shop is the API's business (`api/stats.py`), not this module's.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from complaintdesk.stats import buckets, periods
from complaintdesk.stats.growth import growth
from complaintdesk.stats.models import (
    ALL_SHOPS,
    CommitmentCount,
    ComplaintCount,
    DeadlineCount,
    ResponseTimeCount,
    ShopCount,
)
from complaintdesk.stats.periods import Period

BREAKDOWNS = ("category", "kind", "channel", "sector", "shop", "commitment")
PHASES = ("first_response", "reply", "resolution")


def _rows(model, shop: int, period: Period, *group_by: str, counters=("received",)):
    qs = model.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
    return qs.values(*group_by).annotate(**{c: Sum(c) for c in counters}).order_by()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def period_dict(period: Period) -> dict:
    return {"start": period.start, "end": period.end, "days": period.days}


def counts(period: Period, shop: int = ALL_SHOPS) -> dict:
    """Received, resolved and finished complaints of the period (the cohort received in it)."""
    row = (
        ShopCount.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
        .order_by()
        .aggregate(received=Sum("received"), resolved=Sum("resolved"), finished=Sum("finished"))
    )
    return {k: v or 0 for k, v in row.items()}


def summary(period: Period, shop: int = ALL_SHOPS, now=None) -> dict:
    current = counts(period, shop)
    previous_period = period.previous_year()
    previous = counts(previous_period, shop)["received"]
    online = (
        _rows(ComplaintCount, shop, period, "sector")
        .filter(sector="online_shopping")
        .aggregate(n=Sum("received"))["n"]
        or 0
    )
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous_period),
        "merchant": shop or None,
        "count": current["received"],
        "previous_year_count": previous,
        "growth": growth(current["received"], previous),
        "online_shopping_count": online,
        "online_shopping_share": _ratio(online, current["received"]),
        "resolution": {
            "finished": current["finished"],
            "resolved": current["resolved"],
            "rate": _ratio(current["resolved"], current["finished"]),
        },
        "compliance": compliance(period, shop, now),
    }


# ---------------------------------------------------------------------------------------- compliance


def _running(period: Period, shop: int, now) -> dict[tuple[str, str], int]:
    """Open deadlines not yet due, counted from raw rows in two steps so that the database walks the
    `due_at` index from now on (only complaints still inside their windows, however many millions are
    stored) instead of every complaint of the period, which a join tempts the planner into."""
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.deadlines.models import Deadline, DeadlineStatus

    running = list(
        Deadline.objects.filter(status=DeadlineStatus.OPEN, met_at__isnull=True, due_at__gte=now)
        .order_by()
        .values_list("complaint_id", "phase", "rule_label")
    )
    if not running:
        return {}
    start, end = period.instants()
    inside = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if shop != ALL_SHOPS:
        inside = inside.filter(merchant_id=shop)
    ids = sorted({r[0] for r in running})
    wanted = set()
    for i in range(0, len(ids), 5000):
        wanted.update(inside.filter(pk__in=ids[i : i + 5000]).values_list("pk", flat=True))
    counts = defaultdict(int)
    for complaint_id, phase, rule in running:
        if complaint_id in wanted:
            counts[(phase, rule)] += 1
    return dict(counts)


def _outcome(total, met_in_time, met_late, cancelled, running) -> dict:
    missed = total - met_in_time - met_late - cancelled - running
    decided = met_in_time + met_late + missed
    return {
        "deadlines": total,
        "met_in_time": met_in_time,
        "met_late": met_late,
        "missed": missed,
        "running": running,
        "cancelled": cancelled,
        "share_in_time": _ratio(met_in_time, decided),
    }


def compliance(period: Period, shop: int = ALL_SHOPS, now=None) -> dict:
    """Deadlines of the period's complaints by rule and by phase: met in time, met late, missed (unmet
    after the due time), still running (paused, or not yet due), cancelled (no longer applies), and the
    share in time = met in time ÷ (met in time + met late + missed). First-response time percentiles
    are over the complaints answered so far."""
    now = now or timezone.now()
    running = _running(period, shop, now)
    counters = ("total", "met_in_time", "met_late", "cancelled", "paused")
    rows = _rows(DeadlineCount, shop, period, "phase", "rule", counters=counters)
    rules, phases = [], defaultdict(lambda: [0] * 5)
    for r in sorted(rows, key=lambda r: (PHASES.index(r["phase"]) if r["phase"] in PHASES else 9, r["rule"])):
        if not r["total"]:
            continue
        pending = r["paused"] + running.get((r["phase"], r["rule"]), 0)
        figures = (r["total"], r["met_in_time"], r["met_late"], r["cancelled"], pending)
        rules.append({"phase": r["phase"], "rule": r["rule"], **_outcome(*figures)})
        for i, value in enumerate(figures):
            phases[r["phase"]][i] += value
    histogram = {
        r["bucket"]: r["n"] for r in _rows(ResponseTimeCount, shop, period, "bucket", counters=("n",))
    }
    return {
        "rules": rules,
        "phases": {phase: _outcome(*figures) for phase, figures in phases.items()},
        "first_response_minutes": first_response_minutes(histogram),
    }


def first_response_minutes(histogram: dict[int, int]) -> dict:
    return {
        "answered": sum(histogram.values()),
        "median": buckets.percentile(histogram, 0.5),
        "p90": buckets.percentile(histogram, 0.9),
    }


# ---------------------------------------------------------------------------------------- breakdowns


def _labels(by: str, keys) -> dict:
    from complaintdesk.complaints.choices import Channel, Kind, Sector
    from complaintdesk.complaints.models import Category
    from complaintdesk.merchants.models import Merchant

    if by == "category":
        return {c.pk: (c.code, f"{c.name_en} / {c.name_zh}") for c in Category.objects.filter(pk__in=keys)}
    if by == "shop":
        return {m.pk: (m.pk, m.name) for m in Merchant.objects.filter(pk__in=keys)}
    if by == "commitment":
        return {n: (n, COMMITMENT_LABELS.get(n, f"Commitment {n}")) for n in keys}
    choices = {"kind": Kind, "channel": Channel, "sector": Sector}[by]
    return {k: (k, str(dict(choices.choices).get(k, k))) for k in keys}


# The default pledge's eight commitments (SPEC §5), for labels; the regulator's text is in the pledges app.
COMMITMENT_LABELS = {
    1: "Proactively offer repair, replacement and return",
    2: "Issue receipts, invoices or other purchase documents",
    3: "Keep price information true and accurate",
    4: "No false promotion",
    5: "Publish customer-service contacts",
    6: "Designate a person to coordinate 12315 complaints",
    7: "Respond to complaints within the deadlines",
    8: "File large promotions in advance with an emergency plan",
}


def _grouped(by: str, period: Period, shop: int) -> dict:
    if by == "shop":
        qs = ShopCount.objects.filter(day__gte=period.start, day__lte=period.end).exclude(shop=ALL_SHOPS)
        if shop != ALL_SHOPS:
            qs = qs.filter(shop=shop)
        rows = qs.values("shop").annotate(n=Sum("received")).order_by()
        return {r["shop"]: r["n"] for r in rows}
    if by == "commitment":
        rows = _rows(CommitmentCount, shop, period, "number", counters=("n",))
        return {r["number"]: r["n"] for r in rows}
    rows = _rows(ComplaintCount, shop, period, by)
    return {r[by]: r["received"] for r in rows}


def breakdown(period: Period, by: str, shop: int = ALL_SHOPS) -> dict:
    """Counts of the period by one dimension, each with last year's count, growth and share of the total.
    For `commitment` a complaint counts once per commitment it alleges broken (shares may add past 1)."""
    if by not in BREAKDOWNS:
        from complaintdesk.lib.errors import FieldError

        raise FieldError("by", f"unknown breakdown {by!r}; breakdowns are: {', '.join(BREAKDOWNS)}")
    current = _grouped(by, period, shop)
    previous = _grouped(by, period.previous_year(), shop)
    total = counts(period, shop)["received"]
    keys = [k for k in current.keys() | previous.keys() if current.get(k) or previous.get(k)]
    labels = _labels(by, keys)
    rows = []
    for k in keys:
        key, label = labels.get(k, (k, str(k)))
        n, last = current.get(k, 0), previous.get(k, 0)
        rows.append(
            {
                "key": str(key),
                "label": label,
                "count": n,
                "previous_year_count": last,
                "growth": growth(n, last),
                "share": _ratio(n, total),
            }
        )
    rows.sort(key=lambda r: (-r["count"], -r["previous_year_count"], r["key"]))
    return {"period": period_dict(period), "by": by, "merchant": shop or None, "total": total, "rows": rows}


# ---------------------------------------------------------------------------------------- time series


def _daily(period: Period, shop: int) -> dict[date, int]:
    rows = ShopCount.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
    return dict(rows.values_list("day", "received"))


def series(period: Period, interval: str, shop: int = ALL_SHOPS) -> dict:
    """Complaints per day, ISO week or calendar month (the first and last bucket clipped to the period),
    each beside the same days a year earlier."""
    spans = periods.buckets(period, interval)
    daily = _daily(period, shop)
    last_year = _daily(period.previous_year(), shop)

    def between(table, first, last):
        return sum(n for day, n in table.items() if first <= day <= last)

    points = []
    for first, last in spans:
        n = between(daily, first, last)
        prev = between(last_year, periods.same_day_last_year(first), periods.same_day_last_year(last))
        points.append({"start": first, "end": last, "count": n, "previous_year_count": prev})
    return {"period": period_dict(period), "interval": interval, "merchant": shop or None, "points": points}


# ---------------------------------------------------------------------------------------- scorecards


def scorecard(merchant, today: date | None = None, now=None) -> dict:
    """A shop's public scorecard over the last 12 months: no personal data, only the shop's figures."""
    from complaintdesk.pledges.models import PledgeSignature

    today = today or timezone.localdate(timezone=periods.zone())
    period = periods.last_12_months(today)
    figures = counts(period, merchant.pk)
    rules = compliance(period, merchant.pk, now)
    first = rules["phases"].get("first_response", {})
    signature = (
        PledgeSignature.objects.filter(merchant=merchant)
        .select_related("version")
        .order_by("-signed_at")
        .first()
    )
    return {
        "merchant": merchant.pk,
        "name": merchant.name,
        "period": period_dict(period),
        "complaints": figures["received"],
        "answered_in_time_share": first.get("share_in_time"),
        "resolution_rate": _ratio(figures["resolved"], figures["finished"]),
        "median_first_response_minutes": rules["first_response_minutes"]["median"],
        "pledge": {
            "signed": signature is not None,
            "version": signature.version.number if signature else None,
            "signed_on": timezone.localtime(signature.signed_at, periods.zone()).date()
            if signature
            else None,
        },
    }
