"""Early warning: complaint surges and mass incidents, raised as alerts once per episode.

The worker calls `run(now)` on every pass (at most once a minute per process does work); several workers
may run it at once, since `alerts.services.raise_alert` keeps one alert per (kind, shop, episode).

Surge, per shop and per shop × category, for the current local hour and the one before:
1. observed = complaints received in the hour (HourCount rollup);
2. expected = the shop's (or shop × category's) mean hourly count over the last `baseline_days` days
   × how busy that weekday and hour is for all shops over those days (`poisson.hour_of_week_profile`),
   at least `floor_per_hour`, plus, during a promotion filing of the shop (submitted or accepted), its peak-hour
   orders × complaints per order (the filing's own staffing forecast: an expected rise is no surge);
3. alert when observed ≥ `min_count` and P(X ≥ observed | Poisson(expected)) < `p_threshold`.
A surge over consecutive hours is one episode: the next hour's sighting extends the alert.

Mass incident, per shop over the last `mass_window_hours`: at least `mass_min_complaints` complaints
about the same product (`product_key`), with nearly the same text (`neardup.clusters`), or with the same
order-number pattern (one batch); complaints that name no product also group by amount and category (one
product at one price, one problem: the nearest sign of a product they give). A cluster that shares a
complaint with an earlier mass-incident alert of the shop is that alert's episode, so a growing incident
stays one alert.
"""

import re
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from complaintdesk.alerts.models import Alert, AlertKind, AlertState
from complaintdesk.alerts.services import raise_alert
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions.models import FilingPolicy, FilingState, Promotion
from complaintdesk.promotions.staffing import complaints_per_order
from complaintdesk.stats import neardup, periods, poisson
from complaintdesk.stats.models import ALL_CATEGORIES, ALL_SHOPS, HourCount
from complaintdesk.stats.scrub import scrub

DEFAULTS = {
    "p_threshold": 0.001,
    "min_count": 10,
    "baseline_days": 28,
    "floor_per_hour": 0.05,
    "mass_window_hours": 24,
    "mass_min_complaints": 5,
    "text_similarity": 0.4,
    "max_texts_per_shop": 2000,
    "interval_seconds": 60,
}
HOUR = timedelta(hours=1)


def config() -> dict:
    """The defaults above, overridden by settings.COMPLAINTDESK_EARLY_WARNING (a dict) where given."""
    return {**DEFAULTS, **getattr(settings, "COMPLAINTDESK_EARLY_WARNING", {})}


_last_run = {"at": float("-inf")}


def run(now=None, force: bool = False) -> int:
    """Both detectors, at most once per `interval_seconds` in this process. Returns new alerts."""
    cfg = config()
    if not force and time.monotonic() - _last_run["at"] < cfg["interval_seconds"]:
        return 0
    _last_run["at"] = time.monotonic()
    now = now or timezone.now()
    return detect_surges(now, cfg) + detect_mass_incidents(now, cfg)


# ---------------------------------------------------------------------------------------------- surges


def promotion_extra(shop: int, hour_start, cfg) -> float:
    """Complaints per hour that the shop's promotion filings running in this hour are expected to bring:
    the peak-hour orders × complaints per order, the arrival rate of the filing's staffing check.

    SPEC §6 raises the baseline for *filed* promotions: a filing still waiting for review counts (a
    promotion often starts before the regulator has read it, and its expected rush is no surge), one the
    regulator returned for changes does not (its figures were found wanting)."""
    running = Promotion.objects.filter(
        merchant_id=shop,
        state__in=(FilingState.SUBMITTED, FilingState.ACCEPTED),
        starts_at__lt=hour_start + HOUR,
        ends_at__gt=hour_start,
    ).select_related("merchant")
    extra = 0.0
    for p in running:
        rate = complaints_per_order(p.merchant, hour_start, FilingPolicy.current())[0]
        extra += p.peak_hour_orders * rate
    return extra


def expected_rate(baseline_total: int, cfg, profile_factor: float, extra: float) -> float:
    rate = baseline_total / (cfg["baseline_days"] * 24)
    return max(cfg["floor_per_hour"], rate * profile_factor) + extra


def detect_surges(now, cfg=None) -> int:
    cfg = cfg or config()
    current = periods.local_hour(now)
    hours = [current - HOUR, current]
    sightings = HourCount.objects.filter(hour__in=hours, n__gte=cfg["min_count"]).exclude(shop=ALL_SHOPS)
    sightings = list(sightings.values_list("hour", "shop", "category", "n"))
    if not sightings:
        return 0
    since = hours[0] - timedelta(days=cfg["baseline_days"])
    window = HourCount.objects.filter(hour__gte=since, hour__lt=hours[0])
    slots = defaultdict(int)
    for hour, n in window.filter(shop=ALL_SHOPS, category=ALL_CATEGORIES).values_list("hour", "n"):
        local = hour.astimezone(periods.zone())
        slots[(local.weekday(), local.hour)] += n
    profile = poisson.hour_of_week_profile(slots)
    keys = {(shop, category) for _, shop, category, _ in sightings}
    totals = dict.fromkeys(keys, 0)
    for row in (
        window.filter(shop__in={s for s, _ in keys})
        .values("shop", "category")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        if (row["shop"], row["category"]) in totals:
            totals[(row["shop"], row["category"])] = row["n"]
    created = 0
    for hour, shop, category, n in sightings:
        local = hour.astimezone(periods.zone())
        extra = promotion_extra(shop, hour, cfg)
        expected = expected_rate(totals[(shop, category)], cfg, profile[(local.weekday(), local.hour)], extra)
        p = poisson.upper_tail(n, expected)
        if p < cfg["p_threshold"]:
            created += _raise_surge(hour, shop, category, n, expected, p, extra)
    return created


def _raise_surge(hour, shop: int, category: int, n: int, expected: float, p: float, extra: float) -> int:
    kind = AlertKind.SURGE if category == ALL_CATEGORIES else AlertKind.SURGE_CATEGORY
    category_id = None if category == ALL_CATEGORIES else category
    merchant = Merchant.objects.get(pk=shop)
    local = hour.astimezone(periods.zone())
    previous = (
        Alert.objects.filter(kind=kind, merchant=merchant, category_id=category_id)
        .filter(window_end__gte=hour, window_start__lte=hour)
        .exclude(state=AlertState.CLOSED)
        .order_by("-raised_at")
        .first()
    )
    what = "complaints"
    key = f"{local:%Y-%m-%dT%H}"
    if category_id:
        code = Category.objects.get(pk=category_id).code
        what, key = f"'{code}' complaints", f"{code}:{key}"
    if previous is not None:
        key = previous.episode_key
    complaints = Complaint.objects.filter(
        merchant=merchant, received_at__gte=hour, received_at__lt=hour + HOUR
    )
    if category_id:
        complaints = complaints.filter(category_id=category_id)
    sighting = {
        "observed": n,
        "expected": round(expected, 2),
        "p_value": p,
        "promotion_extra": round(extra, 2),
    }
    facts = {
        "shop": merchant.name, "category": code if category_id else None, "observed": n,
        "expected": round(expected, 2), "p_value": p,
        "window_start": hour.isoformat(), "window_end": (hour + HOUR).isoformat(),
    }  # fmt: skip
    alert, created = raise_alert(
        kind, merchant, key,
        f"Surge at {merchant.name}: {n} {what} in the hour from {local:%Y-%m-%d %H}:00, {expected:.1f} expected",
        complaints=list(complaints.values_list("id", flat=True)),
        category_id=category_id, observed=n, expected=round(expected, 2), p_value=p,
        window_start=hour, window_end=hour + HOUR, details={"hours": {local.isoformat(): sighting}},
        facts=facts,
    )  # fmt: skip
    if not created:
        hours = {**alert.details.get("hours", {}), local.isoformat(): sighting}
        totals = {
            "observed": sum(h["observed"] for h in hours.values()),
            "expected": round(sum(h["expected"] for h in hours.values()), 2),
            "p_value": min(h["p_value"] for h in hours.values()),
            "window_end": max(alert.window_end or hour + HOUR, hour + HOUR),
        }
        Alert.objects.filter(pk=alert.pk).update(
            details={**alert.details, "hours": hours},
            facts={**(alert.facts or facts), **totals, "window_end": totals["window_end"].isoformat()},
            **totals,
        )
    return int(created)


# ---------------------------------------------------------------------------------------- mass incidents

_BATCH_SUFFIX = re.compile(r"\d{3,}$")


def order_pattern(order_number: str) -> str:
    """The batch part of an order number: what is left once its running number is cut off ('' if short)."""
    prefix = _BATCH_SUFFIX.sub("", (order_number or "").strip().upper())
    return prefix if len(prefix) >= 4 and prefix != order_number.strip().upper() else ""


# A link anywhere in the text (a pasted share text holds one among other words). Its host must have a dot,
# so that a link's key (host and path) can never equal a name's key (letters and digits only).
_LINK = re.compile(r"https?://[\w-]+(?:\.[\w-]+)+[!-~]*", re.IGNORECASE | re.ASCII)
# Query parameters that name the item: Taobao and Tmall put it in `id` and `skuId`, Douyin's shop in `id`,
# Pinduoduo in `goods_id`. Any other parameter is tracking (spm, scm, pvid, the sharer's ids).
_ITEM_PARAMETERS = {"id", "skuid", "item_id", "goods_id", "product_id"}


def product_key(product: str) -> str:
    """What the ways consumers name one product have in common ('' when none is named).

    1. NFKC: full-width letters, digits, spaces and punctuation become their half-width forms.
    2. A product link stands for the product: its host (without `www.`) and path, and of its query only
       the parameters that name the item (`_ITEM_PARAMETERS`), sorted. So the same JD page with or
       without a tracking query is one product, while two Taobao items (`item.htm?id=…`) are two.
    3. A name is case-folded and keeps only its letters (Chinese characters as they are), digits and
       `+` (Pro and Pro+ are two models): consumers space and punctuate one model in many ways."""
    text = unicodedata.normalize("NFKC", product or "")
    if link := _LINK.search(text):
        try:
            parts = urlsplit(link.group().rstrip(".,;:!?'\"()[]{}<>"))
            host = (parts.hostname or "").removeprefix("www.")
        except ValueError:  # not a URL after all ("https://item.jd.com[1].html"): read it as a name
            parts = None
        if parts is not None:
            named = sorted((k.lower(), v) for k, v in parse_qsl(parts.query) if k.lower() in _ITEM_PARAMETERS)
            path, query = parts.path.rstrip("/"), "&".join(f"{k}={v}" for k, v in named)
            if not path and not query:
                return ""  # a shop's front page is no product: all its products would be one
            return f"{host}{path}" + (f"?{query}" if query else "")
    key = "".join(ch for ch in text.casefold() if ch.isalnum() or ch == "+")
    return key if key.strip("+") else ""


def product_name(key: str, spellings: list[str]) -> str:
    """How an alert names a product: a link by its key (the rest of a link is tracking, at times the
    sharer's account), a name as consumers wrote it most often, scrubbed like the alert's sample."""
    if _LINK.search(unicodedata.normalize("NFKC", spellings[0])):
        return key
    return scrub(Counter(" ".join(s.split()) for s in spellings).most_common(1)[0][0])


def mass_clusters(rows: list[tuple], cfg) -> list[tuple[str, str, list[int]]]:
    """(pattern, value, complaint ids) for each group of at least `mass_min_complaints` complaints that
    share a product (`product_key`), nearly the same text, or an order-number pattern; complaints that
    name no product also group by amount and category. Rows: (id, text, amount, order number, category
    code, product).

    Product groups come first: a text group that shares complaints with one becomes that alert's episode
    (`_raise_mass_incident`), so the alert names the product. A complaint that names its product is left
    out of the amount groups, where two products of one price and category would be one."""
    least = cfg["mass_min_complaints"]
    by_product, spellings = defaultdict(list), defaultdict(list)
    by_amount, by_order = defaultdict(list), defaultdict(list)
    for complaint_id, _, amount, order_number, category, product in rows:
        if key := product_key(product):
            by_product[key].append(complaint_id)
            spellings[key].append(product)
        elif amount:
            by_amount[f"{amount} {category}"].append(complaint_id)
        if pattern := order_pattern(order_number):
            by_order[pattern].append(complaint_id)
    found = [
        ("product", product_name(key, spellings[key]), sorted(ids))
        for key, ids in sorted(by_product.items())
        if len(ids) >= least
    ]
    for group in neardup.clusters({r[0]: r[1] for r in rows}, cfg["text_similarity"]):
        if len(group) >= least:
            found.append(("text", "", group))
    for name, groups in (("amount", by_amount), ("order_pattern", by_order)):
        for value, ids in sorted(groups.items()):
            if len(ids) >= least:
                found.append((name, value, sorted(ids)))
    return found


WORDS = {
    "product": 'the same product: "{value}"',
    "text": "nearly the same text",
    "amount": "the same amount and category ({value})",
    "order_pattern": "order numbers {value}…",
}


def detect_mass_incidents(now, cfg=None) -> int:
    cfg = cfg or config()
    since = now - timedelta(hours=cfg["mass_window_hours"])
    recent = Complaint.objects.filter(received_at__gte=since, received_at__lte=now)
    shops = (
        recent.values("merchant_id")
        .annotate(n=Count("id"))
        .filter(n__gte=cfg["mass_min_complaints"])
        .values_list("merchant_id", flat=True)
        .order_by()
    )
    created = 0
    for shop in shops:
        rows = list(
            recent.filter(merchant_id=shop)
            .order_by("-received_at")
            .values_list("id", "description", "amount", "order_number", "category__code", "product")[
                : cfg["max_texts_per_shop"]
            ]
        )
        texts = {r[0]: r[1] for r in rows}
        for pattern, value, ids in mass_clusters(rows, cfg):
            created += _raise_mass_incident(shop, pattern, value, ids, texts, cfg)
    return created


def _raise_mass_incident(shop: int, pattern: str, value: str, ids: list[int], texts: dict, cfg) -> int:
    merchant = Merchant.objects.get(pk=shop)
    earlier = (
        Alert.objects.filter(kind=AlertKind.MASS_INCIDENT, merchant=merchant, complaints__id__in=ids)
        .order_by("raised_at")
        .first()
    )
    # A product's name may fill most of the key's 200 characters; ids[0] alone keeps two clusters apart.
    key = earlier.episode_key if earlier else f"{pattern}:{value[:100]}:{ids[0]}"
    received = (
        Complaint.objects.filter(pk__in=ids).order_by("received_at").values_list("received_at", flat=True)
    )
    what = WORDS[pattern].format(value=value)
    facts = {"shop": merchant.name, "pattern": pattern, "value": value, "observed": len(ids),
             "window_hours": cfg["mass_window_hours"]}  # fmt: skip
    category_id = None
    if pattern == "amount":  # value is "<amount> <category code>" (mass_clusters)
        amount, _, code = value.partition(" ")
        facts |= {"value": "", "amount": amount, "category": code}
        category_id = Category.objects.filter(code=code).values_list("pk", flat=True).first()
    _, created = raise_alert(
        AlertKind.MASS_INCIDENT, merchant, key,
        f"Mass-incident risk at {merchant.name}: {len(ids)} complaints with {what} within "
        f"{cfg['mass_window_hours']} h",
        complaints=ids, observed=len(ids), window_start=received.first(), window_end=received.last(),
        details={"pattern": pattern, "value": value, "sample": scrub(texts[ids[0]][:200])},
        facts=facts, category_id=category_id,
    )  # fmt: skip
    return int(created)
