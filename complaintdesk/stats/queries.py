"""Statistics read from the rollups (models.py): summaries, breakdowns, time series, scorecards.

Every function takes a `shop`: a merchant id, ALL_SHOPS (0) for the regulator's view, or a set of merchant
ids whose figures are summed (a district bureau's shops, SPEC §11). Who may ask for which shops is
`scope.shop_scope`'s business, not this module's.
"""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaintdesk.centre import ratings
from complaintdesk.complaints.choices import OPEN_STATES, Channel, Kind, Sector
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.deadlines.models import SHOP_PHASES, SHOP_RUNNING, Deadline, DeadlineStatus, Phase
from complaintdesk.lib.errors import FieldError
from complaintdesk.lib.ids import one_of
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
    # Only the ends the period covers partly: an empty range still costs a seek a shop (SQLite skip-scans the
    # (shop, day) key for all shops: ~12 ms at 10 M, a third of the shops' ranking).
    ends = [
        days
        for partly, days in (
            (period.start < first, Q(day__gte=period.start, day__lt=first)),
            (after <= period.end, Q(day__gte=after, day__lte=period.end)),
        )
        if partly
    ]
    if ends:
        parts.append((model, Q(*ends, _connector=Q.OR)))
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
    the months it covers partly (`_parts`): a year is at most ~12 + 60 rows a key, not 365. One query
    (`_summed_sql`). Without `group_by`, one row of totals (zeros when there are no rows). `where`: a further
    condition on the rows (of both tables)."""
    if shops is not None and not shops:  # no shop: no rows (and no SQL: `IN ()` is empty to the ORM)
        return [] if group_by else [dict.fromkeys(counters, 0)]
    with connection.cursor() as cursor:
        cursor.execute(*_summed_sql(model, shops, period, group_by, counters, where))
        rows = cursor.fetchall()
    n = len(group_by)
    return [
        {
            **dict(zip(group_by, row[:n], strict=True)),
            **{c: v or 0 for c, v in zip(counters, row[n:], strict=True)},
        }
        for row in rows
    ]


def _summed_sql(model, shops, period: Period, group_by, counters, where: Q | None) -> tuple[str, list]:
    """The SQL of `_summed` and its parameters: each part's rows added up by the database, then the parts'
    sums together (`UNION ALL`) added up, with the counters named as the columns. Summed part by part, SQLite
    groups a part's rows in its key's order as it reads them (by shop: the shops' ranking) and sorts only the
    parts' sums, not every row of the period (~66,000 for the city's shops in a year at 10 M: 46 → 40 ms)."""
    q = connection.ops.quote_name

    def select(total: str) -> str:
        return ", ".join([*map(q, group_by), *(f"{total.format(q(c))} AS {q(c)}" for c in counters)])

    grouped = f" GROUP BY {', '.join(map(q, group_by))}" if group_by else ""
    parts, params = [], []
    for i, (table, days) in enumerate(_parts(model, period)):
        rows = table.objects.filter(days, _of(shops), where or Q()).order_by()
        sql, part_params = rows.values_list(*group_by, *counters).query.sql_with_params()
        parts.append(f"SELECT {select('SUM({})')} FROM ({sql}) AS part{i}{grouped}")
        params.extend(part_params)
    # PostgreSQL sums bigints (the parts' sums) as numeric: a count is an integer again, as a row's sum was.
    union = " UNION ALL ".join(parts)
    return f"SELECT {select('CAST(SUM({}) AS BIGINT)')} FROM ({union}) AS parts{grouped}", params


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
    (phase, rule), of the complaints the period received.

    Counted without reading a deadline's row: the open complaints (the backlog, not the history) from their
    indexes, each looked up in the running deadlines' index (`deadline_shop_running`, which holds every
    column counted), in grouped queries. A shop's duty runs only while its complaint is open: every step to
    a final state meets the shop's duties or cancels the open ones and makes the breached ones missed
    (`lifecycle.TRANSITIONS`, ClockChange.CANCEL), an import cancels a finished complaint's (or imports it
    missed), and the recomputation moves only open complaints' duties too. Shops by their open complaints
    (`complaints_complaint(merchant, state)`); every shop together by `_city_running`."""
    # `NOT (due_at < now)`, not `due_at >= now`: a range on `due_at` would let SQLite read the city's running
    # deadlines by due time (`deadline_shop_running_due`), each a deadline row, instead of the covering index.
    running = Deadline.objects.filter(literal(SHOP_RUNNING), ~Q(due_at__lt=now), status=DeadlineStatus.OPEN)
    if tuple(phases) != PHASES:
        running = running.filter(phase__in=phases)
    counts = defaultdict(lambda: defaultdict(int))
    if ALL_SHOPS in shops:
        counts[ALL_SHOPS].update(_city_running(period, running))
    if not (shops := [s for s in shops if s != ALL_SHOPS]):
        return counts
    # Whether a shop's complaint is of the period is read as a column: for a condition on `received_at`
    # SQLite walks the period's complaints by their time index instead (55 ms at 1 M). Annotated before the
    # filter, so that the filter makes the join an inner one: a left join would make SQLite walk the city's
    # running deadlines first.
    start, end = period.instants()
    inside = Q(complaint__received_at__gte=start, complaint__received_at__lt=end)
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


def _city_running(period: Period, running) -> dict[tuple[str, str], int]:
    """`_running` of every shop together: (phase, rule) → the `running` deadlines of the period's complaints.

    Of the open complaints (~78,000 at 10 M, `complaint_state_newest`: state, received_at), those of the period
    or those outside it are each looked up in `deadline_shop_running`, whichever costs less:
    1. count both sides on the (state, received_at) index (~3 ms at 10 M);
    2. if the outside is the smaller side (the year to date: 14,000 of 78,000), every running deadline of the
       city (read from `deadline_shop_running` whole, ~85,000 entries, 26 ms) less those of the complaints
       outside (6 ms); else (a past period, a short one) those of the complaints inside directly (46 ms for
       64,000). The index holds about one entry an open complaint, and on SQLite an entry of the whole index
       costs about half a look-up (~0.3 against ~0.7 µs): there "smaller" is fewer than half as many as the
       inside. On PostgreSQL a look-up reads ~3.6 pages of the index (~2.7 µs), so the outside is looked
       up whenever it is fewer (the last 30 days at 10 M, 27,000 outside and 51,000 inside: 173–201 against
       244–258 ms with a test run beside it).
    Joining each running deadline to its complaint row for `received_at` read 36,000 complaint rows (97 ms).
    On PostgreSQL the two reads of the first way are two statements, two snapshots: a complaint that closes
    between them may leave one answer a duty off, which the next corrects (a live figure, not a ledger)."""
    start, end = period.instants()
    open_complaints = Complaint.objects.filter(state__in=sorted(OPEN_STATES))
    inside = Q(received_at__gte=start, received_at__lt=end)
    outside = Q(received_at__lt=start) | Q(received_at__gte=end)
    weight = 1 if connection.vendor == "postgresql" else 2  # of an outside complaint (above)
    if weight * open_complaints.filter(outside).count() < open_complaints.filter(inside).count():
        counts = _by_rule(running)
        counts.subtract(_by_rule(running.filter(complaint__in=open_complaints.filter(outside))))
    else:
        counts = _by_rule(running.filter(complaint__in=open_complaints.filter(inside)))
    return {key: n for key, n in counts.items() if n > 0}


def _by_rule(deadlines) -> Counter:
    rows = deadlines.values_list("phase", "rule_label").annotate(n=Count("id")).order_by()
    return Counter({(phase, rule): n for phase, rule, n in rows})


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
        names = Merchant.objects.filter(pk__in=one_of(list(keys))).values_list("pk", "name")
        return {pk: (pk, name) for pk, name in names}
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
    """(shop, complaints received in the period) of each shop with any, most first: `_summed`'s figures by
    shop, sorted by the database and read a few at a time."""
    if shops is not None and not shops:
        return
    sql, params = _summed_sql(ShopCount, shops, period, ("shop",), ("received",), None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} HAVING SUM({connection.ops.quote_name('received')}) > 0 ORDER BY 2 DESC", params
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
