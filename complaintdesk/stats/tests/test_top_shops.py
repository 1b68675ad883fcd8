"""The dashboard's shops with the most complaints (`stats.queries.top_shops`) are the first rows of the
breakdown by shop, as it orders them (count, then last year's count, then key), for every shop or a bureau's
shops, over whole months, parts of months and a year; the database ranks the shops, and only the few at the
top (ties included) have their names and last year's counts read (issue 15: not every shop's)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.stats import queries, rollups
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db

# shop id: complaints a day on 2026-01-01…2026-03-31 (every other day), and the same a year earlier minus a few
DAILY = {101: 3, 102: 3, 103: 2, 104: 2, 105: 2, 106: 1, 107: 1, 108: 1, 109: 1, 110: 1, 111: 1, 112: 1}
LAST_YEAR = {101: 1, 103: 5, 104: 5, 107: 2, 112: 9, 113: 4}  # 113: last year only

PERIODS = [
    Period(date(2026, 1, 1), date(2026, 3, 31)),  # whole months
    Period(date(2026, 1, 10), date(2026, 2, 20)),  # part of a month, a whole one, part of another
    Period(date(2026, 2, 3), date(2026, 2, 9)),  # days only
    Period(date(2026, 1, 1), date(2026, 12, 31)),  # the year
    Period(date(2026, 6, 1), date(2026, 6, 30)),  # nothing received
]


@pytest.fixture
def counted():
    deltas = rollups.Deltas()
    day = date(2026, 1, 1)
    while day <= date(2026, 3, 31):
        if day.toordinal() % 2:
            for shop, n in DAILY.items():
                deltas.add("shops", (day, shop), "received", n)
            for shop, n in LAST_YEAR.items():
                deltas.add("shops", (day.replace(year=2025), shop), "received", n)
        day += timedelta(days=1)
    rollups.write(deltas)


def _breakdown_top(period, shop, n):
    return [r for r in queries.breakdown(period, "shop", shop)["rows"][:n] if r["count"]]


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("n", [1, 3, 10])
@pytest.mark.parametrize(
    "shop", [ALL_SHOPS, frozenset({103, 104, 105, 106, 107, 112, 113})], ids=["all", "some"]
)
def test_the_top_shops_are_the_breakdowns_first_rows(counted, period, n, shop):
    top = queries.top_shops(period, shop, n)
    assert top == _breakdown_top(period, shop, n)
    if period.start.month < 4:
        with_complaints = DAILY.keys() if shop == ALL_SHOPS else shop & DAILY.keys()
        assert len(top) == min(n, len(with_complaints))  # ties at the n-th count cut as the breakdown cuts


def test_only_the_top_shops_names_and_last_years_counts_are_read(counted):
    with CaptureQueriesContext(connection) as captured:
        top = queries.top_shops(PERIODS[0], ALL_SHOPS, 3)
    assert [r["key"] for r in top] == ["101", "102", "103"]  # 103, 104 and 105 tie: last year's count first
    names = next(q["sql"] for q in captured.captured_queries if "merchants_merchant" in q["sql"])
    assert "106" not in names and "101" in names
    assert len(captured.captured_queries) <= 5
