"""The centre's figures of a long period read its whole months from the monthly tables (stats 0007; kept by the
same writes as the daily ones, `rollups.BY_MONTH`) and only the days of the months it covers partly from the
daily tables: the same figures as from the days alone, for any period (issue 15: a year's dashboard reads ~12
rows a key, not 365)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.stats import centre, rollups
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd
from complaintdesk.stats.tests.test_centre_queries import NOW, _more_bureaus

pytestmark = pytest.mark.django_db

PERIODS = [
    Period(date(2026, 9, 1), date(2026, 9, 30)),  # one whole month
    Period(date(2026, 9, 15), date(2026, 10, 31)),  # part of one month, then a whole one
    Period(date(2026, 8, 31), date(2026, 10, 1)),  # a day at each end of a whole month
    Period(date(2026, 1, 1), date(2026, 12, 31)),  # the year
    Period(date(2026, 9, 29), date(2026, 9, 30)),  # days only
    Period(date(2025, 12, 20), date(2027, 1, 10)),  # across years
]


@pytest.fixture
def bureaus(people):
    rows = cd.september(people)
    return [ALL_BUREAUS, rows["city"].pk, rows["district"].pk, *(b.pk for b in _more_bureaus(people, 2))]


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_the_figures_by_month_are_those_of_the_days(bureaus, period, monkeypatch):
    by_month = centre.figures_of(period, bureaus, now=NOW)
    monkeypatch.setattr(centre, "BY_MONTH", {})
    by_day = centre.figures_of(period, bureaus, now=NOW)
    assert by_month == by_day
    if period.start <= date(2026, 9, 29) and period.end >= date(2026, 9, 30):
        assert by_month[ALL_BUREAUS]["received"]["total"] > 0  # figures, not only zeros


def test_a_whole_year_reads_no_daily_row_of_the_centres_counts(bureaus):
    with CaptureQueriesContext(connection) as captured:
        centre.figures_of(Period(date(2026, 1, 1), date(2026, 12, 31)), bureaus, now=NOW)
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for daily in ("stats_centrecount", "stats_centredutycount", "stats_centrevaluecount"):
        assert f'"{daily}"' not in sql
    assert '"stats_centremonthcount"' in sql


def test_the_monthly_rows_are_the_sums_of_the_daily_ones(bureaus):
    """As kept by the live hooks, and as a recomputation from the raw rows makes them."""
    stored = rollups.stored()
    for daily, monthly in (("centre", "centre_by_month"), ("centre_duties", "centre_duties_by_month"),
                           ("centre_values", "centre_values_by_month")):  # fmt: skip
        added = {}
        for (day, *key), counters in stored[daily].items():
            month = (day.replace(day=1), *key)
            added[month] = [
                a + b for a, b in zip(added.get(month, [0] * len(counters)), counters, strict=True)
            ]
        assert {k: v for k, v in added.items() if any(v)} == stored[monthly]
        assert stored[monthly]
    assert rollups.differences() == []
