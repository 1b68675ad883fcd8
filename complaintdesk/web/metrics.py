"""Figures for the regulator's dashboard and the scorecards. Counts, series, breakdowns, compliance and
scorecards come from the statistics engine (complaintdesk/stats, read from its rollups); only what must be
live (overdue now, queues, open alerts) is counted here from the complaints themselves."""

from datetime import date

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language

from complaintdesk.accounts.models import Role
from complaintdesk.alerts.models import Alert, AlertState
from complaintdesk.centre.jurisdiction import in_charge, officer_bureau
from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.deadlines.models import SHOP_PHASES, Phase
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions.models import FilingState, Promotion
from complaintdesk.promotions.queries import visible as visible_filings
from complaintdesk.stats import overdue as overdue_counts
from complaintdesk.stats import queries as stats
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.scope import shop_scope
from complaintdesk.web.display import QUEUE_STATES, category_name


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


# Up to two months the series goes day by day; longer periods month by month.
DAILY_UP_TO_DAYS = 62


def default_period(today: date) -> Period:
    """This year so far: the dashboard's period unless the reader picks another."""
    return Period(date(today.year, 1, 1), today)


def series_interval(period: Period) -> str:
    return "day" if period.days <= DAILY_UP_TO_DAYS else "month"


def _compliance(compliance: dict) -> list[dict]:
    rows = []
    for phase in (p for p in Phase if p in SHOP_PHASES):
        figures = compliance["phases"].get(phase.value) or stats.empty_outcome()
        minutes = compliance["phase_minutes"][phase.value]
        rows.append(
            {
                "phase": phase.value,
                "label": str(phase.label),
                "in_time": figures["met_in_time"],
                "late": figures["met_late"],
                "missed": figures["missed"],
                "running": figures["running"],
                "share_in_time": figures["share_in_time"],
                "met": minutes["answered"],
                "median": minutes["median"],
                "p90": minutes["p90"],
            }
        )
    return rows


def dashboard(period: Period, today: date | None = None, viewer=None) -> dict:
    """The regulator's figures: those of `period` from the statistics engine (the same numbers as its
    downloads, row for row), the queues and alerts as they stand now. `viewer`: the officer whose figures
    they are (SPEC §11: a district officer's shops and the complaints its bureau holds; None: every one)."""
    today = today or timezone.localdate()
    shop = shop_scope(viewer) if viewer is not None else ALL_SHOPS
    complaints = visible_complaints(viewer) if viewer is not None else Complaint.objects.all()
    filings = visible_filings(viewer) if viewer is not None else Promotion.objects.all()
    alerts = Alert.objects.filter(in_charge(viewer, "merchant__"))  # every alert without a viewer
    summary = stats.summary(period, shop)
    categories = {c.code: c for c in Category.objects.all()}
    by_category = [
        {**r, "label": category_name(categories.get(r["key"])) or r["label"]}
        for r in stats.breakdown(period, "category", shop)["rows"]
    ]
    top_shops = stats.top_shops(period, shop)
    interval = series_interval(period)
    phases = dict(Phase.choices)
    # The live tiles read the open work only, whatever the length of the history: open complaints and
    # escalations a range of the state index (a district's: of complaint_bureau_state); the overdue ones by
    # shop a district's counted from its open complaints, the city's as the worker last counted them
    # (`stats.overdue`: their time shown beside them, counted here when that count is too old).
    open_complaints = complaints.filter(state__in=OPEN_STATES)
    if viewer is None or (viewer.role == Role.REGULATOR and officer_bureau(viewer) is None):
        overdue = overdue_counts.city()
    else:
        overdue = overdue_counts.Overdue(overdue_counts.count(open_complaints), counted_at=None)
    overdue_by_shop = overdue.by_shop
    growth = summary["growth"]
    return {
        "period": period,
        "today": today,
        "counts": {
            "received": summary["count"],
            "previous_year": summary["previous_year_count"],
            "open": open_complaints.count(),
            "overdue": sum(overdue_by_shop.values()),
            "overdue_counted_at": overdue.counted_at,  # None: counted live
            "escalations": complaints.filter(state__in=QUEUE_STATES).count(),
            "open_alerts": alerts.filter(state=AlertState.OPEN).count(),
            "filings_to_review": filings.filter(state=FilingState.SUBMITTED).count(),
        },
        "growth": {
            "percent": growth["text_percent"],
            "times": growth["text_times_zh"] if _zh() else growth["text_times"],
            "ratio": growth["text_ratio"],
        },
        "series": {"interval": interval, "points": stats.series(period, interval, shop)["points"]},
        "by_category": by_category,
        "online_share": summary["online_shopping_share"],
        "online": summary["online_shopping_count"],
        "other_sectors": summary["count"] - summary["online_shopping_count"],
        "compliance": _compliance(summary["compliance"]),
        "rules": [
            {**r, "phase_label": str(phases.get(r["phase"], r["phase"]))}
            for r in summary["compliance"]["rules"]
        ],
        "top_shops": top_shops,
        "top_overdue": _most_overdue(overdue_by_shop),
    }


# The shops of the "most overdue complaints" tile.
MOST_OVERDUE_SHOPS = 10


def _most_overdue(by_shop: dict[int, int]) -> list[dict]:
    """The MOST_OVERDUE_SHOPS shops with the most overdue complaints, most first, a tie by name: the names of
    the shops that can make the list (as many overdue complaints as the last one at least) read by id."""
    if not by_shop:
        return []
    counts = sorted(by_shop.values(), reverse=True)
    least = counts[min(MOST_OVERDUE_SHOPS, len(counts)) - 1]
    names = (
        Merchant.objects.filter(pk__in=[s for s, n in by_shop.items() if n >= least])
        .order_by()
        .values_list("pk", "name")
    )
    rows = sorted(
        ({"name": name, "count": by_shop[pk]} for pk, name in names), key=lambda r: (-r["count"], r["name"])
    )
    return rows[:MOST_OVERDUE_SHOPS]


def scorecard(merchant) -> dict:
    return scorecards([merchant])[0]


def scorecards(merchants) -> list[dict]:
    """Shops' public figures of the last 12 months (the statistics engine's scorecards), in the order
    given, from the same few queries however many shops there are."""
    shops = list(merchants)
    return [
        {
            "merchant": shop,
            "complaints": card["complaints"],
            "answered_in_time": card["answered_in_time_share"],
            "resolution_rate": card["resolution_rate"],
            "median_response_minutes": card["median_first_response_minutes"],
            "pledge": card["pledge"],
            "satisfaction": card["satisfaction"],
        }
        for shop, card in zip(shops, stats.scorecards(shops), strict=True)
    ]


def open_counts(merchants) -> dict[int, int]:
    rows = (
        Complaint.objects.filter(merchant__in=merchants, state__in=OPEN_STATES)
        .values("merchant")
        .annotate(n=Count("id"))
    )
    return {r["merchant"]: r["n"] for r in rows}
