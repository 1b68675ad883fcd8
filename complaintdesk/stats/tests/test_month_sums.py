"""A district's or a shop's whole months summed from the month tables' `_sums` indexes alone (`queries._summed`
over the monthly twins): no table row read a key and month. At 10 M complaints a district's dashboard read
46,569 response-time rows through 24,301 table pages on PostgreSQL for one sum (117 ms; 42 from the index)."""

from datetime import date

import pytest
from django.db import connection

from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.stats import queries
from complaintdesk.stats.models import (
    ComplaintCount,
    ComplaintMonthCount,
    DeadlineCount,
    DeadlineMonthCount,
    ResponseTimeCount,
    ResponseTimeMonthCount,
    ShopCount,
    ShopMonthCount,
)
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db

# Whole months only: the period is read from the month tables alone (`queries._parts`).
YEAR_TO_NOVEMBER = Period(date(2026, 1, 1), date(2026, 11, 30))
DISTRICT = [1, 2]  # a district's shops; shop 3 is another district's


def _rows(month, keys: dict, counters: tuple[str, ...]):
    """Two months of each shop 1–3, each counter 1 in January and 10 in November (and a row of December,
    outside the period)."""
    month.objects.bulk_create(
        month(shop=shop, day=day, **keys, **dict.fromkeys(counters, n))
        for shop in (1, 2, 3)
        for day, n in ((date(2026, 1, 1), 1), (date(2026, 11, 1), 10), (date(2026, 12, 1), 100))
    )


@pytest.mark.parametrize(
    ("daily", "month", "keys", "group_by", "counters"),
    [
        (
            ComplaintCount,
            ComplaintMonthCount,
            {"category": 7, "kind": "quality", "channel": "web", "sector": "online_shopping"},
            ("category",),
            ("received", "resolved", "finished"),
        ),
        (ShopCount, ShopMonthCount, {}, ("shop",), ("received", "resolved", "finished")),
        (
            DeadlineCount,
            DeadlineMonthCount,
            {"phase": "first_response", "rule": "2 working hours"},
            ("phase", "rule"),
            ("total", "met_in_time", "met_late", "cancelled", "paused"),
        ),
        (
            ResponseTimeCount,
            ResponseTimeMonthCount,
            {"phase": "first_response", "bucket": 30},
            ("phase", "bucket"),
            ("n",),
        ),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_a_districts_months_are_summed_from_the_index_alone(daily, month, keys, group_by, counters):
    _rows(month, keys, counters)
    table = month._meta.db_table
    as_large_on_postgresql({table: 3_000_000}, visible=True)
    if connection.vendor == "postgresql":
        # The test's rows are one page of the table, so a bitmap scan of it looks as cheap as reading none
        # (a tie some runs broke either way); at 10 M the district's rows were 24,301 pages.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    sql, params = queries._summed_sql(daily, DISTRICT, YEAR_TO_NOVEMBER, group_by, counters, None)
    plan = plan_of(sql, params, sorts=True)
    index = f"{month.__name__.lower()}_sums"
    if connection.vendor == "sqlite":
        assert f"COVERING INDEX {index}" in plan, plan
    else:
        assert f"Index Only Scan using {index}" in plan, plan
    rows = queries._summed(daily, DISTRICT, YEAR_TO_NOVEMBER, *group_by, counters=counters)
    if group_by == ("shop",):
        assert {r["shop"]: [r[c] for c in counters] for r in rows} == {1: [11] * 3, 2: [11] * 3}
    else:  # the district's two shops, January and November: 2 × (1 + 10)
        assert [[r[c] for c in counters] for r in rows] == [[22] * len(counters)]
