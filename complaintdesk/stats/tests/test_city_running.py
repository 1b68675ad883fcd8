"""The city's running deadlines (`queries._city_running`): every shop's open duties not yet due, of the
complaints a period received, counted from the open complaints' and the running duties' indexes (issue 15:
joining each running deadline to its complaint's row took 97 ms at 10 M).

Of the open complaints, those outside the period are looked up when they are the smaller side (every running
duty less theirs), else those inside it: the figures are the same either way, and the same as the shops'
own counted one by one (`_running` of the shops, by their open complaints).

The fixture (Shanghai time, now Tuesday 2026-03-10 10:00; the shops serve Monday–Friday 09:00–18:00):
  acme    2024-12-02  open; its resolution's due time moved to 2026-03-20 (running)
  acme    2026-03-02  answered at 10:30 (first response met), its resolution running
  acme    2026-03-10 09:30  first response and resolution running
  bazaar  2026-03-03  more information asked for at 10:30 (paused)
  bazaar  2026-03-05  first response missed (breached), resolution running
  bazaar  2026-03-09  first response running
  bazaar  2026-03-06  withdrawn (its duties cancelled)
"""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus, Phase
from complaintdesk.lib.tests.plans import as_large_on_postgresql, as_large_on_sqlite, plan_of
from complaintdesk.stats import queries
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SH)

# The year to date holds all but the old complaint (the outside is the smaller side); December 2024 holds it
# alone, March's first nine days all but it and the newest (the inside is the smaller side or close).
YEAR_TO_DATE = Period(date(2026, 1, 1), date(2026, 3, 10))
DECEMBER_2024 = Period(date(2024, 12, 1), date(2024, 12, 31))
SINCE_2024 = Period(date(2024, 1, 1), date(2026, 3, 10))
MARCH_1_TO_9 = Period(date(2026, 3, 1), date(2026, 3, 9))


def at(*args):
    return datetime(*args, tzinfo=SH)


def _file(who, merchant, when):
    with time_machine.travel(when, tick=False):
        return factories.complaint(who, merchant)


@pytest.fixture
def city(people):
    old = _file(people.alice, people.acme, at(2024, 12, 2, 10))
    # A duty of an old complaint still running (a recomputation or a long pause moved its due time).
    Deadline.objects.filter(complaint=old, phase=Phase.RESOLUTION).update(
        due_at=at(2026, 3, 20, 18), status=DeadlineStatus.OPEN
    )
    answered = _file(people.alice, people.acme, at(2026, 3, 2, 10))
    services.perform(answered.pk, people.bob, "respond", "On it", at=at(2026, 3, 2, 10, 30))
    _file(people.erin, people.acme, at(2026, 3, 10, 9, 30))
    asked = _file(people.alice, people.bazaar, at(2026, 3, 3, 10))
    services.perform(asked.pk, people.dave, "request_info", "Photos please", at=at(2026, 3, 3, 10, 30))
    missed = _file(people.erin, people.bazaar, at(2026, 3, 5, 10))
    Deadline.objects.filter(complaint=missed, phase=Phase.FIRST_RESPONSE).update(
        status=DeadlineStatus.BREACHED
    )
    _file(people.alice, people.bazaar, at(2026, 3, 9, 10))
    withdrawn = _file(people.erin, people.bazaar, at(2026, 3, 6, 10))
    services.perform(withdrawn.pk, people.erin, "withdraw", "Sorted out", at=at(2026, 3, 6, 10, 15))
    return people


def _expected(period: Period) -> Counter:
    """The running duties of the period's complaints, by (phase, rule), read row by row."""
    start, end = period.instants()
    now = timezone.now()
    return Counter(
        (d.phase, d.rule_label)
        for d in Deadline.objects.select_related("complaint")
        if d.phase in SHOP_PHASES
        and d.status == DeadlineStatus.OPEN
        and d.met_at is None
        and d.due_at >= now
        and start <= d.complaint.received_at < end
    )


def _city(period: Period) -> dict:
    return dict(queries._running(period, [ALL_SHOPS], timezone.now()).get(ALL_SHOPS, {}))


def _deadline_queries(period: Period) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        _city(period)
    return [q["sql"] for q in captured.captured_queries if '"deadlines_deadline"' in q["sql"]]


@time_machine.travel(NOW, tick=False)
def test_the_citys_running_deadlines_are_those_of_the_periods_complaints_on_either_side(city):
    """Paused, met, missed (breached) and cancelled duties are not running; a running duty of a complaint
    received before the period is not the period's. The outside's complaints are looked up (two queries:
    every running duty, less theirs) when they are fewer than half the inside's (on PostgreSQL: fewer), else
    the inside's (one)."""
    by_phase = {}
    for period in (YEAR_TO_DATE, DECEMBER_2024, SINCE_2024, MARCH_1_TO_9):
        figures = _city(period)
        assert figures == dict(_expected(period)), period
        by_phase[period] = Counter()
        for (phase, _rule), n in figures.items():
            by_phase[period][phase] += n
    # The newest one's first response (due 11:30); the resolutions of the answered one, the newest, the
    # missed one and 9 March's; not the paused one's, nor the withdrawn one's, nor the old one's.
    assert by_phase[YEAR_TO_DATE] == Counter({"first_response": 1, "resolution": 4})
    assert by_phase[DECEMBER_2024] == Counter({"resolution": 1})  # the old one's, moved
    assert by_phase[SINCE_2024] == Counter({"first_response": 1, "resolution": 5})
    assert by_phase[MARCH_1_TO_9] == Counter({"resolution": 3})
    assert len(_deadline_queries(YEAR_TO_DATE)) == 2  # 1 outside, 5 inside: every running duty, less 1's
    assert len(_deadline_queries(SINCE_2024)) == 2  # nothing outside: every running duty
    assert len(_deadline_queries(DECEMBER_2024)) == 1  # 1 inside, 5 outside: the inside's
    # 4 inside, 2 outside: not fewer than half (SQLite), fewer (PostgreSQL, where a look-up costs more).
    assert len(_deadline_queries(MARCH_1_TO_9)) == (2 if connection.vendor == "postgresql" else 1)


@time_machine.travel(NOW, tick=False)
def test_the_citys_figures_are_the_shops_figures_added_up(city):
    """Every shop together (from the due side) and the shops one by one (by their open complaints) count
    the same duties, for the whole compliance and a scorecard's first response alike; asked together with
    the shops, the city's figure is the same as asked alone."""
    ids = [city.acme.pk, city.bazaar.pk]
    for period in (YEAR_TO_DATE, DECEMBER_2024, SINCE_2024, MARCH_1_TO_9):
        for phases in (queries.PHASES, queries.SCORECARD_PHASES):
            shops = queries._running(period, ids, timezone.now(), phases)
            added = Counter()
            for by_rule in shops.values():
                added.update(by_rule)
            together = queries._running(period, [ALL_SHOPS, *ids], timezone.now(), phases)
            assert dict(together[ALL_SHOPS]) == {k: n for k, n in added.items() if n}, (period, phases)
            assert {s: dict(n) for s, n in together.items() if s != ALL_SHOPS and n} == {
                s: dict(n) for s, n in shops.items() if n
            }


# The planner's statistics (sqlite_stat1) of the 10 M set: 32 M deadlines, ~86,000 of them running;
# 10 M complaints, ~78,000 of them open (complaint_state_newest). Without them SQLite would plan for the
# test's handful of rows.
ROWS_AT_10M = {"deadlines_deadline": 32_000_000, "complaints_complaint": 10_000_000}
INDEXES_AT_10M = {
    "deadline_shop_running": "85680 2 1 1 1 1 1",
    "deadline_shop_running_due": "96600 1 1",
    "complaint_state_newest": "11792144 1001 1",
}


def _as_at_10m() -> None:
    """The statistics of the deadlines and complaints as at 10 M, in the test's transaction."""
    as_large_on_postgresql(ROWS_AT_10M)
    as_large_on_sqlite(ROWS_AT_10M, INDEXES_AT_10M)


@time_machine.travel(NOW, tick=False)
def test_the_citys_running_deadlines_are_read_from_the_running_index_not_each_ones_complaint(city):
    """Every running duty is read from `deadline_shop_running`, which holds every column counted, and
    complaints only from their (state, received_at) index: no deadline row is read by due time
    (`deadline_shop_running_due`), no complaint row looked up for each running duty (97 ms at 10 M)."""
    sides = [_deadline_queries(period) for period in (YEAR_TO_DATE, DECEMBER_2024)]
    _as_at_10m()
    for sql in sides[0] + sides[1]:
        plan = plan_of(sql)
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan and "deadline_shop_running" in plan, (sql, plan)
            continue
        assert "deadline_shop_running_due" not in plan and "PRIMARY KEY" not in plan, (sql, plan)
        assert "COVERING INDEX deadline_shop_running" in plan, (sql, plan)
        if "complaints_complaint" in sql:
            assert "COVERING INDEX complaint_state_newest" in plan, (sql, plan)
    every = plan_of(sides[0][0])
    if connection.vendor == "sqlite":  # the whole index, no complaint read for any of its duties
        assert "SCAN deadlines_deadline USING COVERING INDEX deadline_shop_running" in every, every
        assert "complaints_complaint" not in every
