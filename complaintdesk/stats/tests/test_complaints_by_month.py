"""The complaints' rollup by month (`stats.ComplaintMonthCount`, issue 15): kept by the same writes as the daily
`ComplaintCount`, filled from it by `stats` 0008, and read for the whole months of a period (the days of the
months it covers partly from the daily rows). Every figure read from it equals the day-by-day reading, for
periods that start and end anywhere in a month, for every shop, a district's shops and one shop; the number of
queries does not grow with the period or the number of shops."""

import importlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.stats import periods, queries, rollups
from complaintdesk.stats.models import ALL_SHOPS, ComplaintCount
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db

SHOPS = (201, 202, 203, 204)
CATEGORIES = (1, 2, 3)
SECTORS = ("online_shopping", "catering", "telecom")
NOW = datetime(2026, 12, 5, 12, tzinfo=periods.zone())

PERIODS = [
    Period(date(2026, 1, 1), date(2026, 12, 5)),  # the dashboard's default: this year so far
    Period(date(2026, 1, 31), date(2026, 3, 1)),  # a day, a whole month, a day
    Period(date(2026, 2, 1), date(2026, 2, 28)),  # one whole month
    Period(date(2026, 2, 2), date(2026, 2, 27)),  # days only, inside a month
    Period(date(2025, 3, 15), date(2026, 4, 14)),  # across the new year, partial at both ends
    Period(date(2024, 2, 29), date(2024, 3, 31)),  # from a leap day: its year earlier starts on 28 February
    Period(date(2025, 12, 1), date(2026, 1, 31)),  # two whole months across the new year, nothing partial
]
SCOPES = [ALL_SHOPS, frozenset({201, 203}), 202]


def _facts(day: date, i: int) -> rollups.ComplaintFacts:
    received = datetime(day.year, day.month, day.day, 9 + i % 10, tzinfo=periods.zone())
    return rollups.ComplaintFacts(
        received,
        SHOPS[(day.toordinal() + i) % len(SHOPS)],
        CATEGORIES[i % len(CATEGORIES)],
        ("complaint", "report")[i % 2],
        ("web", "phone", "12315")[(day.day + i) % 3],
        SECTORS[(day.toordinal() * 7 + i) % len(SECTORS)],
    )


@pytest.fixture
def counted():
    """Complaints on most days from 2024-01-01 to 2026-12-05 (a few a day, varied keys), some resolved or
    finished, added through the contribution functions as filing and answering them would."""
    deltas = rollups.Deltas()
    day = date(2024, 1, 1)
    while day <= NOW.date():
        for i in range(day.toordinal() % 4):
            rollups.complaint_contribution(deltas, _facts(day, i), resolved=i == 1, finished=i >= 1)
        day += timedelta(days=1)
    rollups.write(deltas)


def _figures(period: Period, shop) -> tuple:
    with time_machine.travel(NOW, tick=False):
        return (
            queries.counts(period, shop),
            {k: v for k, v in queries.summary(period, shop).items() if k != "compliance"},
            *(queries.breakdown(period, by, shop) for by in ("category", "kind", "channel", "sector")),
            *(queries.series(period, interval, shop) for interval in ("day", "week", "month")),
            queries.top_shops(period, shop),
        )


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("shop", SCOPES, ids=["all", "district", "one"])
def test_the_figures_read_by_month_equal_those_read_day_by_day(counted, monkeypatch, period, shop):
    by_month = _figures(period, shop)
    monkeypatch.setattr(queries, "BY_MONTH", {})
    assert by_month == _figures(period, shop)
    assert by_month[0]["received"] > 0
    assert (
        sum(r["count"] for r in by_month[2]["rows"]) == by_month[0]["received"]
    )  # every complaint a category


def test_the_monthly_rows_are_the_sums_of_the_days_and_their_recomputation(counted):
    stored = rollups.stored()
    sums = {}
    for (day, *rest), counters in stored["complaints"].items():
        key = (day.replace(day=1), *rest)
        sums[key] = [a + b for a, b in zip(sums.get(key, [0, 0, 0]), counters, strict=True)]
    assert stored["complaints_by_month"] == sums
    assert len(sums) < len(stored["complaints"]) / 3


def test_a_whole_months_category_figures_are_read_from_the_monthly_rows(counted):
    """The dashboard's figures by category of this year so far read the monthly rows of January to November and
    the daily rows of December's five days only, in one query a year, not 340 days of rows of every shop."""
    period = PERIODS[0]
    with CaptureQueriesContext(connection) as captured:
        queries.breakdown(period, "category", frozenset(SHOPS))
    reads = [q["sql"] for q in captured.captured_queries if "stats_complaint" in q["sql"]]
    assert len(reads) == 2  # this period and the same days a year earlier
    assert all('"stats_complaintmonthcount"' in sql and '"stats_complaintcount"' in sql for sql in reads)
    daily = ComplaintCount.objects.filter(shop__in=SHOPS, day__gte=period.start, day__lte=period.end).count()
    monthly = rollups.TABLES["complaints_by_month"].model.objects.filter(
        shop__in=SHOPS, day__gte=period.start, day__lte=period.end
    )
    assert monthly.count() < daily / 2


def _queries_of(period: Period, shop) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        queries.summary(period, shop)
        queries.breakdown(period, "category", shop)
        queries.series(period, "month", shop)
        queries.top_shops(period, shop)
    return len(captured.captured_queries)


def test_the_figures_take_as_many_queries_for_a_month_as_for_years_and_for_one_shop_as_for_many(counted):
    """Each figure is one query whatever it spans (the months and the days at its ends together): the number
    does not grow with the period or the shops."""
    short = _queries_of(Period(date(2026, 2, 3), date(2026, 2, 9)), frozenset({201}))
    long = _queries_of(Period(date(2024, 1, 15), date(2026, 12, 5)), frozenset(SHOPS))
    assert short == long
    # summary: 2 counts, 1 by sector, compliance 3 (running, deadlines, response times); breakdown: 2, its
    # total and the categories' labels; series: 2; top shops: the ranking, last year's counts of the top, the
    # total and their names.
    assert long == 16


def test_the_migration_adds_up_the_months_from_the_days(counted):
    """`stats` 0008 fills the complaints' monthly rollup of a database that had only the daily one."""
    kept = rollups.stored()
    rollups.TABLES["complaints_by_month"].model.objects.all().delete()
    migration = importlib.import_module("complaintdesk.stats.migrations.0008_complaints_by_month")
    # What the migration uses of its schema editor (a real one cannot open inside the test's transaction).
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.add_up_months(django_apps, editor)
    assert rollups.stored() == kept
    assert kept["complaints_by_month"]
