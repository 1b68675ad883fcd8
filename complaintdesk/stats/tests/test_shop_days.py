"""Every shop's days of a period (`queries._summed_sql` over ShopCount, the month not yet rolled into
ShopMonthCount): read as a range of days by `shopcount_day`, not every shop's key. A breakdown or ranking by
shop of the last 30 days read the whole table on PostgreSQL (a parallel sequential scan of 683,571 rows at 2 M
complaints, the largest part of `GET /stats/breakdown?by=shop`, 156 ms p95)."""

from datetime import date

import pytest
from django.db import connection

from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.stats import queries
from complaintdesk.stats.models import ShopCount
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db


def test_every_shops_days_of_a_period_are_read_by_day_not_by_shop():
    ShopCount.objects.bulk_create(
        ShopCount(day=date(2026, 11, d), shop=s, received=d + s) for d in (1, 20, 30) for s in (1, 2, 3)
    )
    as_large_on_postgresql({"stats_shopcount": 5_000_000})
    period = Period(date(2026, 11, 6), date(2026, 12, 5))  # no whole month: the days table only
    sql, params = queries._summed_sql(ShopCount, None, period, ("shop",), ("received",), None)
    plan = plan_of(sql, params, sorts=True)
    assert "shopcount_day" in plan, plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX shopcount_day (day>? AND day<?)" in plan, plan
    figures = {r["shop"]: r["received"] for r in queries._summed(ShopCount, None, period, "shop")}
    assert figures == {1: 21 + 31, 2: 22 + 32, 3: 23 + 33}
