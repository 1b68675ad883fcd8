"""Statistics read from the rollups (models.py): summaries, breakdowns, time series, scorecards.

Every function takes a `shop`: a merchant id, ALL_SHOPS (0) for the regulator's view, or a set of merchant
ids whose figures are summed (a district bureau's shops, SPEC §11). Who may ask for which shops is
`scope.shop_scope`'s business, not this module's.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaintdesk.centre import ratings
from complaintdesk.complaints.choices import OPEN_STATES, Channel, Kind, Sector
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.deadlines.models import SHOP_PHASES, SHOP_RUNNING, Deadline, DeadlineStatus, Phase
from complaintdesk.lib.errors import FieldError
from complaintdesk.lib.literal import literal
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.stats import buckets, periods
from complaintdesk.stats.growth import growth
from complaintdesk.stats.models import (
    ALL_SHOPS,
    CommitmentCount,
    ComplaintCount,
    ComplaintMonthCount,
    DeadlineCount,
    DeadlineMonthCount,
    RatingCount,
    ResponseTimeCount,
    ResponseTimeMonthCount,
    ShopCount,
    ShopMonthCount,
)
from complaintdesk.stats.periods import Period

BREAKDOWNS = ("category", "kind", "channel", "sector", "shop", "commitment")
# The shop's phases (`deadlines.models.SHOP_PHASES`) in the order figures show them; the centre's duties are
# the centre's figures (`stats.centre`).
PHASES = tuple(phase.value for phase in Phase if phase in SHOP_PHASES)

# One shop, every shop together (ALL_SHOPS), or several shops summed: the rollups are kept per shop, so the
# figures of a set are its shops' rows added up (a set never holds ALL_SHOPS, whose rows repeat the others).
Shops = int | frozenset[int]


def shop_ids(shop: Shops) -> list[int] | frozenset[int]:
    """The rollups' shop keys to add up for `shop`."""
    return [shop] if isinstance(shop, int) else shop


def merchant_of(shop: Shops) -> int | None:
    """The `merchant` an answer names: the one shop's id, None for every shop or several."""
    return shop if isinstance(shop, int) and shop != ALL_SHOPS else None


def _rows(model, shops: list[int] | None, period: Period, *group_by: str, counters=("received",)):
    """The rows of `shops` (None: of every shop, without the ALL_SHOPS rows) in the period, grouped."""
    qs = model.objects.filter(_of(shops), day__gte=period.start, day__lte=period.end)
    return qs.values(*group_by).annotate(**{c: Sum(c) for c in counters}).order_by()


def _of(shops: list[int] | None) -> Q:
    return ~Q(shop=ALL_SHOPS) if shops is None else Q(shop__in=shops)


# The tables kept by month too (models.py), and their monthly twins.
BY_MONTH = {
    ComplaintCount: ComplaintMonthCount,
    ShopCount: ShopMonthCount,
    DeadlineCount: DeadlineMonthCount,
    ResponseTimeCount: ResponseTimeMonthCount,
}


def _parts(model, period: Period) -> list[tuple[type, Q]]:
    """Where a period's rows of `model` are: its whole months in the monthly twin (`BY_MONTH`), the days of
    the months it covers partly in the daily table (one condition for both ends)."""
    whole = periods.whole_months(period)
    if whole is None or model not in BY_MONTH:
        return [(model, Q(day__gte=period.start, day__lte=period.end))]
    first, last = whole
    after = periods.next_month(last)
    parts = [(BY_MONTH[model], Q(day__gte=first, day__lte=last))]
    if period.start < first or after <= period.end:
        parts.append(
            (model, Q(day__gte=period.start, day__lt=first) | Q(day__gte=after, day__lte=period.end))
        )
    return parts


def _summed(
    model,
    shops: list[int] | None,
    period: Period,
    *group_by: str,
    counters=("received",),
    where: Q | None = None,
) -> list[dict]:
    """`_rows` added up, read by month where the period covers a whole month (`BY_MONTH`) and by day only in
    the months it covers partly (`_parts`): a year is at most ~12 + 60 rows a key, not 365. One query: the
    parts' rows together (`UNION ALL`), summed by the database. Without `group_by`, one row of totals (zeros
    when there are no rows). `where`: a further condition on the rows (of both tables)."""
    if shops is not None and not shops:  # no shop: no rows (and no SQL: `IN ()` is empty to the ORM)
        return [] if group_by else [dict.fromkeys(counters, 0)]
    parts = [
        table.objects.filter(days, _of(shops), where or Q())
        .order_by()
        .values_list(*group_by, *counters)
        .query.sql_with_params()
        for table, days in _parts(model, period)
    ]
    q = connection.ops.quote_name
    sums = ", ".join(f"SUM({q(c)})" for c in counters)
    grouped = f" GROUP BY {', '.join(map(q, group_by))}" if group_by else ""
    select = ", ".join([*map(q, group_by), sums])
    union = " UNION ALL ".join(sql for sql, _params in parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM ({union}) AS parts{grouped}", [p for _sql, params in parts for p in params]
        )
        rows = cursor.fetchall()
    n = len(group_by)
    return [
        {
            **dict(zip(group_by, row[:n], strict=True)),
            **{c: v or 0 for c, v in zip(counters, row[n:], strict=True)},
        }
        for row in rows
    ]


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def period_dict(period: Period) -> dict:
    return {"start": period.start, "end": period.end, "days": period.days}


def counts(period: Period, shop: Shops = ALL_SHOPS) -> dict:
    """Received, resolved and finished complaints of the period (the cohort received in it)."""
    (row,) = _summed(ShopCount, list(shop_ids(shop)), period, counters=("received", "resolved", "finished"))
    return row


def summary(period: Period, shop: Shops = ALL_SHOPS, now=None) -> dict:
    current = counts(period, shop)
    previous_period = period.previous_year()
    previous = counts(previous_period, shop)["received"]
    by_sector = _summed(ComplaintCount, list(shop_ids(shop)), period, "sector")
    online = next((r["received"] for r in by_sector if r["sector"] == "online_shopping"), 0)
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous_period),
        "merchant": merchant_of(shop),
        "count": current["received"],
        "previous_year_count": previous,
        "growth": growth(current["received"], previous),
        "online_shopping_count": online,
        "online_shopping_share": ratio(online, current["received"]),
        "resolution": {
            "finished": current["finished"],
            "resolved": current["resolved"],
            "rate": ratio(current["resolved"], current["finished"]),
        },
        "compliance": compliance(period, shop, now),
    }


# ---------------------------------------------------------------------------------------- compliance


def _running(period: Period, shops: list[int], now, phases=PHASES) -> dict[int, dict[tuple[str, str], int]]:
    """Open deadlines of `phases` not yet due, by shop of `shops` (ALL_SHOPS: every shop together) and
    (phase, rule).

    Counted from raw rows, each read from its index:
    - shops (however big): their open complaints (`complaints_complaint(merchant, state)`: the backlog, not
      the history), each looked up in the running deadlines' index (`deadline_shop_running`, which holds
      every column counted: no deadline row is read), in one grouped query. A shop's duty runs only while
      its complaint is open: every step to a final state meets the shop's duties or cancels the open ones
      (`lifecycle.TRANSITIONS`, ClockChange.CANCEL), an import cancels a finished complaint's, and the
      recomputation moves only open complaints' duties too;
    - every shop together: the city's running deadlines from now on, counted with their complaints by the
      database (`_running_due`).
    Whether a shop's complaint is of the period is read as a column, for a condition on `received_at` let
    SQLite walk the period's complaints by their time index instead (55 ms at 1 M). The partial indexes' terms
    are written as literals (`lib.literal`): SQLite uses them only so."""
    start, end = period.instants()
    running = Deadline.objects.filter(literal(SHOP_RUNNING), status=DeadlineStatus.OPEN, due_at__gte=now)
    if tuple(phases) != PHASES:
        running = running.filter(phase__in=phases)
    counts = defaultdict(lambda: defaultdict(int))
    if ALL_SHOPS not in shops:
        inside = Q(complaint__received_at__gte=start, complaint__received_at__lt=end)
        # Annotated before the filter, so that the filter makes the join an inner one: a left join would
        # make SQLite walk the city's running deadlines first.
        rows = (
            running.annotate(inside=ExpressionWrapper(inside, output_field=BooleanField()))
            .filter(complaint__merchant_id__in=shops, complaint__state__in=sorted(OPEN_STATES))
            .order_by()
            .values_list("complaint__merchant_id", "phase", "rule_label", "inside")
            .annotate(n=Count("id"))
        )
        for shop, phase, rule, of_period, n in rows:
            if of_period:
                counts[shop][(phase, rule)] += n
        return counts
    for shop, phase, rule, n in _running_due(period, set(shops), running):
        if shop != ALL_SHOPS and shop in shops:
            counts[shop][(phase, rule)] += n
        counts[ALL_SHOPS][(phase, rule)] += n
    return counts


def _running_due(period: Period, shops: set[int], running) -> list[tuple[int, str, str, int]]:
    """(shop, phase, rule, n) of `running` (the running deadlines from now on, `deadline_shop_running_due`:
    only complaints still inside their windows, however many millions are stored) whose complaints the period
    received, of every shop (as ALL_SHOPS, not shop by shop, when `shops` is ALL_SHOPS alone). Each deadline
    is joined to its complaint by id and counted by the database in one grouped query: `CROSS JOIN` keeps
    SQLite's loop in that order (a plain join let it drive from the period's complaints by their time index
    instead); PostgreSQL reads it as an inner join and plans it by its statistics. Fetching the deadlines and
    looking their complaints up by id from Python in chunks took ~0.55 s at 10 M (37,000 running; the same
    moment, this ~0.2 s)."""
    q = connection.ops.quote_name
    deadlines, params = (
        running.order_by().values_list("complaint_id", "phase", "rule_label").query.sql_with_params()
    )
    shop = f"c.{q('merchant_id')}"
    group = f"{shop}, " if shops != {ALL_SHOPS} else ""
    received = f"c.{q('received_at')}"
    sql = (
        f"SELECT {group or f'{ALL_SHOPS}, '}d.phase, d.rule_label, COUNT(*) FROM ({deadlines}) AS d "
        f"CROSS JOIN {q(Complaint._meta.db_table)} AS c "
        f"WHERE c.{q('id')} = d.complaint_id AND {received} >= %s AND {received} < %s "
        f"GROUP BY {group}d.phase, d.rule_label"
    )
    instants = [connection.ops.adapt_datetimefield_value(t) for t in period.instants()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *instants])
        return cursor.fetchall()


def outcome(total, met_in_time, met_late, cancelled, running) -> dict:
    missed = total - met_in_time - met_late - cancelled - running
    decided = met_in_time + met_late + missed
    return {
        "deadlines": total,
        "met_in_time": met_in_time,
        "met_late": met_late,
        "missed": missed,
        "running": running,
        "cancelled": cancelled,
        "share_in_time": ratio(met_in_time, decided),
    }


def empty_outcome() -> dict:
    """The outcome of a phase without deadlines in the period (`compliance` leaves such phases out)."""
    return outcome(0, 0, 0, 0, 0)


def compliance(period: Period, shop: Shops = ALL_SHOPS, now=None) -> dict:
    """Deadlines of the period's complaints by rule and by phase: met in time, met late, missed (unmet
    after the due time), still running (paused, or not yet due), cancelled (no longer applies), and the
    share in time = met in time ÷ (met in time + met late + missed). The median and 90th percentile of
    each phase's time (`phase_minutes`; `first_response_minutes` is the first phase's) are over the
    deadlines met so far."""
    if isinstance(shop, int):
        return compliances(period, [shop], now)[shop]
    return _summed_compliance(period, shop, now)


_DEADLINE_COUNTERS = ("total", "met_in_time", "met_late", "cancelled", "paused")


def compliances(period: Period, shops: list[int], now=None, phases=PHASES) -> dict[int, dict]:
    """`compliance` of each of `shops` in three queries whatever their number, so that a list of scorecards
    reads the running deadlines once, not once a shop. `phases`: the phases read (a scorecard's figures are
    the first response's: the other phases' rollups, ~4/5 of the rows, and running duties are not read);
    the others show no deadlines and no times."""
    now = now or timezone.now()
    running = _running(period, shops, now, phases)
    where = None if tuple(phases) == PHASES else Q(phase__in=phases)
    deadlines = defaultdict(list)
    for r in _summed(
        DeadlineCount, shops, period, "shop", "phase", "rule", counters=_DEADLINE_COUNTERS, where=where
    ):
        deadlines[r["shop"]].append(r)
    histograms = defaultdict(lambda: defaultdict(dict))
    for r in _summed(
        ResponseTimeCount, shops, period, "shop", "phase", "bucket", counters=("n",), where=where
    ):
        histograms[r["shop"]][r["phase"]][r["bucket"]] = r["n"]
    return {shop: _compliance(deadlines[shop], running.get(shop, {}), histograms[shop]) for shop in shops}


def _summed_compliance(period: Period, shops: frozenset[int], now=None) -> dict:
    """`compliance` of several shops together: their rows grouped without the shop, their running deadlines
    and response-time histograms added up (a median over the sum, not a median of medians)."""
    now = now or timezone.now()
    running = defaultdict(int)
    for by_rule in _running(period, list(shops), now).values():
        for key, n in by_rule.items():
            running[key] += n
    deadlines = _summed(DeadlineCount, shops, period, "phase", "rule", counters=_DEADLINE_COUNTERS)
    histograms = defaultdict(dict)
    for r in _summed(ResponseTimeCount, shops, period, "phase", "bucket", counters=("n",)):
        histograms[r["phase"]][r["bucket"]] = r["n"]
    return _compliance(deadlines, running, histograms)


def _compliance(
    rows: list[dict], running: dict[tuple[str, str], int], histograms: dict[str, dict[int, int]]
) -> dict:
    rules, phases = [], defaultdict(lambda: [0] * 5)
    for r in sorted(rows, key=lambda r: (PHASES.index(r["phase"]) if r["phase"] in PHASES else 9, r["rule"])):
        if not r["total"]:
            continue
        pending = r["paused"] + running.get((r["phase"], r["rule"]), 0)
        figures = (r["total"], r["met_in_time"], r["met_late"], r["cancelled"], pending)
        rules.append({"phase": r["phase"], "rule": r["rule"], **outcome(*figures)})
        for i, value in enumerate(figures):
            phases[r["phase"]][i] += value
    minutes = {phase: _minutes(histograms.get(phase, {})) for phase in PHASES}
    return {
        "rules": rules,
        "phases": {phase: outcome(*figures) for phase, figures in phases.items()},
        "first_response_minutes": minutes["first_response"],
        "phase_minutes": minutes,
    }


def _minutes(histogram: dict[int, int]) -> dict:
    return {
        "answered": sum(histogram.values()),
        "median": buckets.percentile(histogram, 0.5),
        "p90": buckets.percentile(histogram, 0.9),
    }


# ---------------------------------------------------------------------------------------- breakdowns


def _labels(by: str, keys) -> dict:
    if by == "category":
        return {c.pk: (c.code, f"{c.name_en} / {c.name_zh}") for c in Category.objects.filter(pk__in=keys)}
    if by == "shop":  # every shop's name at most: names only, not 5,000 shops' whole rows (~1 s at 10 M)
        return {pk: (pk, name) for pk, name in Merchant.objects.filter(pk__in=keys).values_list("pk", "name")}
    if by == "commitment":
        return {n: (n, COMMITMENT_LABELS.get(n, f"Commitment {n}")) for n in keys}
    choices = {"kind": Kind, "channel": Channel, "sector": Sector}[by]
    return {k: (k, str(dict(choices.choices).get(k, k))) for k in keys}


# The default pledge's eight commitments (SPEC §5), for labels; the regulator's text is in the pledges app.
# Marked for the catalogue: a download says them in the requester's language (stats.exports).
COMMITMENT_LABELS = {
    1: gettext_noop("Proactively offer repair, replacement and return"),
    2: gettext_noop("Issue receipts, invoices or other purchase documents"),
    3: gettext_noop("Keep price information true and accurate"),
    4: gettext_noop("No false promotion"),
    5: gettext_noop("Publish customer-service contacts"),
    6: gettext_noop("Designate a person to coordinate 12315 complaints"),
    7: gettext_noop("Respond to complaints within the deadlines"),
    8: gettext_noop("File large promotions in advance with an emergency plan"),
}


def _grouped(by: str, period: Period, shop: Shops) -> dict:
    if by == "shop":
        shops = None if shop == ALL_SHOPS else [s for s in shop_ids(shop) if s != ALL_SHOPS]
        return {r["shop"]: r["received"] for r in _summed(ShopCount, shops, period, "shop")}
    if by == "commitment":
        rows = _rows(CommitmentCount, shop_ids(shop), period, "number", counters=("n",))
        return {r["number"]: r["n"] for r in rows}
    return {r[by]: r["received"] for r in _summed(ComplaintCount, list(shop_ids(shop)), period, by)}


def breakdown(period: Period, by: str, shop: Shops = ALL_SHOPS) -> dict:
    """Counts of the period by one dimension, each with last year's count, growth and share of the total.
    For `commitment` a complaint counts once per commitment it alleges broken (shares may add past 1)."""
    if by not in BREAKDOWNS:
        raise FieldError("by", f"unknown breakdown {by!r}; breakdowns are: {', '.join(BREAKDOWNS)}")
    current = _grouped(by, period, shop)
    previous = _grouped(by, period.previous_year(), shop)
    total = counts(period, shop)["received"]
    keys = [k for k in current.keys() | previous.keys() if current.get(k) or previous.get(k)]
    return {
        "period": period_dict(period),
        "by": by,
        "merchant": merchant_of(shop),
        "total": total,
        "rows": _breakdown_rows(by, keys, current, previous, total),
    }


def _breakdown_rows(by: str, keys, current: dict, previous: dict, total: int) -> list[dict]:
    """`breakdown`'s rows of `keys`, labelled, most complaints first."""
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
                "share": ratio(n, total),
            }
        )
    rows.sort(key=lambda r: (-r["count"], -r["previous_year_count"], r["key"]))
    return rows


def top_shops(period: Period, shop: Shops = ALL_SHOPS, n: int = 10) -> list[dict]:
    """The first `n` rows of `breakdown(period, "shop", shop)` with complaints in the period, as it gives them:
    the database ranks the shops by their count and only those at or above the n-th count (ties too: last
    year's count orders them) have their names and last year's counts read, not every shop's."""
    shops = None if shop == ALL_SHOPS else [s for s in shop_ids(shop) if s != ALL_SHOPS]
    current = {}
    for shop_id, count in _ranked_shops(period, shops):
        if len(current) >= n and count < current[next(reversed(current))]:
            break
        current[shop_id] = count
    previous = {
        r["shop"]: r["received"] for r in _summed(ShopCount, list(current), period.previous_year(), "shop")
    }
    total = counts(period, shop)["received"]
    return _breakdown_rows("shop", list(current), current, previous, total)[:n]


def _ranked_shops(period: Period, shops: list[int] | None):
    """(shop, complaints received in the period) of each shop with any, most first: the rows `_summed` adds
    up, added up and sorted by the database, read a few at a time."""
    parts = [
        table.objects.filter(days, _of(shops)).annotate(s=F("shop"), r=F("received")).values_list("s", "r")
        for table, days in _parts(ShopCount, period)
    ]
    compiled = [part.order_by().query.sql_with_params() for part in parts]
    union = " UNION ALL ".join(sql for sql, _params in compiled)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s, SUM(r) AS n FROM ({union}) AS parts GROUP BY s HAVING SUM(r) > 0 ORDER BY n DESC",
            [p for _sql, params in compiled for p in params],
        )
        while rows := cursor.fetchmany(100):
            yield from rows


# ---------------------------------------------------------------------------------------- time series


def _daily(period: Period, shop: Shops, by_month: bool) -> dict[date, int]:
    """Complaints received by day; `by_month`: each month the period covers whole as one figure on its first
    day (`_summed`), for buckets of calendar months, which hold a whole month's first day or none of it."""
    if not by_month:
        rows = ShopCount.objects.filter(shop__in=shop_ids(shop), day__gte=period.start, day__lte=period.end)
        return dict(rows.values("day").annotate(n=Sum("received")).order_by().values_list("day", "n"))
    return {
        _as_date(r["day"]): r["received"] for r in _summed(ShopCount, list(shop_ids(shop)), period, "day")
    }


def _as_date(value) -> date:
    """A date column read by a raw query: a date on PostgreSQL, its ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def series(period: Period, interval: str, shop: Shops = ALL_SHOPS) -> dict:
    """Complaints per day, ISO week or calendar month (the first and last bucket clipped to the period),
    each beside the same days a year earlier."""
    spans = periods.buckets(period, interval)
    daily = _daily(period, shop, by_month=interval == "month")
    last_year = _daily(period.previous_year(), shop, by_month=interval == "month")

    def between(table, first, last):
        return sum(n for day, n in table.items() if first <= day <= last)

    points = []
    for first, last in spans:
        n = between(daily, first, last)
        prev = between(last_year, periods.same_day_last_year(first), periods.same_day_last_year(last))
        points.append({"start": first, "end": last, "count": n, "previous_year_count": prev})
    return {
        "period": period_dict(period),
        "interval": interval,
        "merchant": merchant_of(shop),
        "points": points,
    }


# ---------------------------------------------------------------------------------------- scorecards


# The phases a scorecard's figures are of (`_scorecard`): answers in time and the median time to answer.
SCORECARD_PHASES = (Phase.FIRST_RESPONSE.value,)


def scorecard(merchant, today: date | None = None, now=None) -> dict:
    """A shop's public scorecard over the last 12 months: no personal data, only the shop's figures."""
    return scorecards([merchant], today, now)[0]


def scorecards(merchants, today: date | None = None, now=None) -> list[dict]:
    """The scorecards of `merchants`, in their order, in six queries whatever their number. The consumers'
    ratings given in the period show as an average only from the minimum count (`centre.ratings`)."""
    shops = list(merchants)
    ids = [m.pk for m in shops]
    today = today or timezone.localdate(timezone=periods.zone())
    period = periods.last_12_months(today)
    totals = {
        r["shop"]: r
        for r in _summed(ShopCount, ids, period, "shop", counters=("received", "resolved", "finished"))
    }
    rules = compliances(period, ids, now, phases=SCORECARD_PHASES)
    latest_signatures = {}
    signatures = PledgeSignature.objects.filter(merchant_id__in=ids).select_related("version")
    for signature in signatures.order_by("merchant_id", "-signed_at"):
        latest_signatures.setdefault(signature.merchant_id, signature)
    satisfaction = _satisfaction(period, ids)
    return [
        {
            **_scorecard(shop, period, totals.get(shop.pk), rules[shop.pk], latest_signatures.get(shop.pk)),
            "satisfaction": {"count": satisfaction[shop.pk].count, "average": satisfaction[shop.pk].average},
        }
        for shop in shops
    ]


def _satisfaction(period: Period, shops: list[int]) -> dict[int, ratings.Summary]:
    """Each shop's ratings given in the period (`centre.ratings.of_shops`, from the rollups)."""
    rows = {r["shop"]: r for r in _rows(RatingCount, shops, period, "shop", counters=("n", "score"))}
    summaries = {}
    for shop in shops:
        n, score = (rows[shop]["n"], rows[shop]["score"]) if shop in rows else (0, 0)
        summaries[shop] = ratings.summary_of(n, Decimal(score) / Decimal(n) if n else None)
    return summaries


def _scorecard(merchant, period: Period, totals: dict | None, rules: dict, signature) -> dict:
    totals = totals or {"received": 0, "resolved": 0, "finished": 0}
    first = rules["phases"].get("first_response", {})
    return {
        "merchant": merchant.pk,
        "name": merchant.name,
        "period": period_dict(period),
        "complaints": totals["received"],
        "answered_in_time_share": first.get("share_in_time"),
        "resolution_rate": ratio(totals["resolved"], totals["finished"]),
        "median_first_response_minutes": rules["first_response_minutes"]["median"],
        "pledge": {
            "signed": signature is not None,
            "version": signature.version.number if signature else None,
            "signed_on": timezone.localtime(signature.signed_at, periods.zone()).date()
            if signature
            else None,
        },
    }
