"""Public scorecards of many shops at once: the figures of each shop, and a query count that does not grow
with the number of shops.

The fixture (Shanghai time, now Tuesday 2026-03-10 10:00; the shops serve Monday–Friday 09:00–18:00, so
a complaint received at 10:00 on a working day is due a first response by 12:00):
  acme    2025-03-01  before the last 12 months (2025-03-11 … 2026-03-10)
  acme    03-02 10:00  answered 10:30 (in time), then resolved
  acme    03-03 10:00  answered 13:00 (late)
  acme    03-10 09:30  not answered yet, due 11:30: running, neither in time nor missed
  bazaar  03-02 10:00  never answered (missed)
  bazaar  03-04 10:00  withdrawn at 10:15 (cancelled; finished without being resolved)
  bazaar  03-09 10:00  more information asked for at 10:30 (in time)
  cosmo   no complaints; signed the pledge's versions 1 and 2
"""

import importlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.tests.plans import as_large_on_sqlite, plan_of
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges.models import PledgeSignature, PledgeVersion
from complaintdesk.stats import queries, rollups
from complaintdesk.stats.models import ALL_SHOPS
from conftest import credit_code

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
LAST_12_MONTHS = {"start": date(2025, 3, 11), "end": date(2026, 3, 10), "days": 365}


def at(*args):
    return datetime(*args, tzinfo=SH)


def _file(who, merchant, when):
    with time_machine.travel(when, tick=False):
        return factories.complaint(who, merchant)


def _sign(merchant, version, who, when):
    PledgeSignature.objects.create(version=version, merchant=merchant, signed_by=who, signed_at=when)


@pytest.fixture
def shops(people):
    cosmo = Merchant.objects.create(name="Cosmo Store", credit_code=credit_code(3))
    _file(people.alice, people.acme, at(2025, 3, 1, 10))
    resolved = _file(people.alice, people.acme, at(2026, 3, 2, 10))
    services.perform(resolved.pk, people.bob, "respond", "On it", at=at(2026, 3, 2, 10, 30))
    services.perform(
        resolved.pk, people.bob, "propose_resolution", "Refund", {"type": "refund"}, at=at(2026, 3, 3, 9)
    )
    services.perform(resolved.pk, people.alice, "accept", "", at=at(2026, 3, 3, 9, 30))
    late = _file(people.erin, people.acme, at(2026, 3, 3, 10))
    services.perform(late.pk, people.bob, "respond", "Sorry for the wait", at=at(2026, 3, 3, 13))
    _file(people.erin, people.acme, at(2026, 3, 10, 9, 30))
    _file(people.alice, people.bazaar, at(2026, 3, 2, 10))
    withdrawn = _file(people.erin, people.bazaar, at(2026, 3, 4, 10))
    services.perform(withdrawn.pk, people.erin, "withdraw", "Sorted out", at=at(2026, 3, 4, 10, 15))
    asked = _file(people.alice, people.bazaar, at(2026, 3, 9, 10))
    services.perform(asked.pk, people.dave, "request_info", "Photos please", at=at(2026, 3, 9, 10, 30))
    first = PledgeVersion.objects.get(number=1)
    second = PledgeVersion.objects.create(number=2, title="Second", published_at=at(2025, 9, 1, 9))
    _sign(people.acme, first, people.carol, at(2025, 6, 2, 7, 30))  # still 1 June in UTC
    _sign(cosmo, first, people.rita, at(2025, 4, 1, 9))
    _sign(cosmo, second, people.rita, at(2025, 9, 2, 9))
    people.cosmo = cosmo
    return people


def _cards(merchants):
    with time_machine.travel(NOW, tick=False):
        return queries.scorecards(merchants)


def _card(merchant, complaints, in_time, resolution, median, pledge):
    signed = dict(zip(("signed", "version", "signed_on"), pledge, strict=True))
    return {
        "merchant": merchant.pk,
        "name": merchant.name,
        "period": LAST_12_MONTHS,
        "complaints": complaints,
        "answered_in_time_share": in_time,
        "resolution_rate": resolution,
        "median_first_response_minutes": median,
        "pledge": signed,
        "satisfaction": {"count": 0, "average": None},  # no ratings here (test_scorecard_ratings)
    }


@pytest.mark.django_db
def test_each_shop_gets_its_own_figures_when_many_are_computed_together(shops):
    acme, bazaar, cosmo = shops.acme, shops.bazaar, shops.cosmo
    assert _cards([acme, bazaar, cosmo]) == [
        # One in time, one late; the running one counts for neither. Median of 30 and 180 minutes.
        _card(acme, 3, 0.5, 1.0, 30, (True, 1, date(2025, 6, 2))),
        # One in time, one missed, the withdrawn one cancelled; finished once, resolved never.
        _card(bazaar, 3, 0.5, 0.0, 30, (False, None, None)),
        _card(cosmo, 0, None, None, None, (True, 2, date(2025, 9, 2))),
    ]


@pytest.mark.django_db
def test_a_shops_card_is_the_same_alone_as_among_others_in_any_order(shops):
    everyone = [shops.cosmo, shops.bazaar, shops.acme]
    together = _cards(everyone)
    assert together == [_cards([shop])[0] for shop in everyone]
    assert _cards(list(reversed(everyone))) == list(reversed(together))
    assert _cards([]) == []


def _add_shops(people, count: int) -> None:
    """Shops that each have a running deadline, an answered complaint and a signature: every query that a
    scorecard can make has rows to find."""
    version = PledgeVersion.objects.get(number=1)
    start = Merchant.objects.count()
    for i in range(start, start + count):
        shop = Merchant.objects.create(name=f"Shop {i}", credit_code=credit_code(100 + i))
        agent = User.objects.create(username=f"agent{i}", role=Role.MERCHANT_AGENT, merchant=shop)
        answered = _file(people.alice, shop, at(2026, 3, 9, 10))
        services.perform(answered.pk, agent, "respond", "On it", at=at(2026, 3, 9, 11))
        _file(people.erin, shop, NOW - timedelta(minutes=20))
        _sign(shop, version, people.rita, at(2025, 5, 1, 9))


def _queries_of(client, url) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_scorecard_lists_take_as_many_queries_for_ten_shops_as_for_five(people):
    regulator = Client()
    regulator.force_login(people.rita)
    pages = [(Client(), reverse("web:scorecards")), (regulator, reverse("web:regulator_scorecards"))]
    _add_shops(people, 3)  # with acme and bazaar: 5
    five = [_queries_of(client, url) for client, url in pages]
    _add_shops(people, 5)
    ten = [_queries_of(client, url) for client, url in pages]
    assert Merchant.objects.count() == 10
    assert ten == five
    shops = list(Merchant.objects.all())
    with CaptureQueriesContext(connection) as captured:
        _cards(shops)
    # Totals, deadline outcomes and response times, each one query of the months and the days of the months
    # covered partly; the running deadlines of the shops' open complaints; signatures; ratings.
    assert len(captured.captured_queries) == 6


@pytest.mark.django_db
def test_the_running_deadlines_count_the_same_from_the_shops_side_as_from_the_due_side(shops):
    """`queries._running` reads shops' running deadlines from their open complaints, every shop's together from
    the city's running deadlines: the figures are the same either way (a finished complaint's duties are met or
    cancelled: the fixture's resolved and withdrawn ones), for shops one by one and summed."""
    everyone = [shops.acme, shops.bazaar, shops.cosmo]
    ids = [m.pk for m in everyone]
    with time_machine.travel(NOW, tick=False):
        for period in (
            queries.periods.last_12_months(NOW.date()),
            queries.Period(date(2026, 3, 1), date(2026, 3, 9)),
        ):
            due_side = queries._running(period, [ALL_SHOPS, *ids], timezone.now())
            shops_side = queries._running(period, ids, timezone.now())
            assert {s: dict(n) for s, n in shops_side.items() if n} == {
                s: dict(n) for s, n in due_side.items() if s != ALL_SHOPS and n
            }
        period = queries.periods.last_12_months(NOW.date())
        figures = (_cards(everyone), queries.compliance(period, frozenset(ids)))
    assert figures[1]["phases"]["first_response"]["running"] == 1  # acme's of 10 March, 09:30
    assert figures[0][0]["answered_in_time_share"] == 0.5


@pytest.mark.django_db
def test_the_figures_read_by_month_equal_those_read_day_by_day(shops, monkeypatch):
    """The shops', deadlines' and response times' rollups are kept by month too (`stats.*MonthCount`): a
    period's whole months are read there, the days of its partly covered months from the daily rows. The
    figures are those of the daily rows alone, for periods that start and end anywhere in a month, and the
    monthly rows equal their recomputation (the sums of the days). The shops' ranking of a breakdown too."""
    for day, minutes in ((date(2026, 1, 31), 30), (date(2026, 2, 1), 200), (date(2026, 2, 28), 45)):
        complaint = _file(shops.alice, shops.acme, at(day.year, day.month, day.day, 10))
        when = at(day.year, day.month, day.day, 10) + timedelta(minutes=minutes)
        services.perform(complaint.pk, shops.bob, "respond", "On it", at=when)
    ids = [shops.acme.pk, shops.bazaar.pk, shops.cosmo.pk]
    periods_ = [
        queries.periods.last_12_months(NOW.date()),
        queries.Period(date(2026, 1, 1), date(2026, 3, 31)),
        queries.Period(date(2026, 1, 31), date(2026, 3, 1)),
        queries.Period(date(2026, 2, 1), date(2026, 2, 28)),
        queries.Period(date(2026, 2, 2), date(2026, 2, 27)),
        queries.Period(date(2025, 3, 1), date(2026, 3, 10)),
    ]

    def figures():
        with time_machine.travel(NOW, tick=False):
            return [
                (
                    queries.compliances(p, ids),
                    queries.compliance(p, frozenset(ids)),
                    _cards(list(Merchant.objects.all())),
                    queries.breakdown(p, "shop"),
                    queries.breakdown(p, "shop", frozenset(ids)),
                )
                for p in periods_
            ]

    by_month = figures()
    monkeypatch.setattr(queries, "BY_MONTH", {})
    assert by_month == figures()
    assert by_month[3][0][shops.acme.pk]["phases"]["first_response"]["met_in_time"] == 2  # February's two
    assert by_month[1][3]["rows"][0]["count"] == 6  # acme from January to March: 3 + the fixture's 3
    assert rollups.differences() == []


@pytest.mark.django_db
def test_the_migration_adds_up_the_months_from_the_days(shops):
    """`stats` 0006 fills the monthly rollups of a database that had only the daily ones."""
    kept = rollups.stored()
    for name in ("shops_by_month", "deadlines_by_month", "response_by_month"):
        rollups.TABLES[name].model.objects.all().delete()
    migration = importlib.import_module("complaintdesk.stats.migrations.0006_rollups_by_month")
    # What the migration uses of its schema editor (a real one cannot open inside the test's transaction).
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.add_up_months(django_apps, editor)
    assert rollups.stored() == kept
    assert kept["deadlines_by_month"] and rollups.differences() == []


@pytest.mark.django_db
def test_every_shops_running_deadlines_are_those_of_the_periods_complaints(shops):
    """Every shop together, a running deadline of a complaint received outside the period does not count
    (how they are read: test_city_running.py)."""
    with time_machine.travel(NOW, tick=False):
        running = queries.compliance(queries.periods.last_12_months(NOW.date()), ALL_SHOPS)
        before = queries.compliance(queries.Period(date(2026, 3, 1), date(2026, 3, 9)), ALL_SHOPS)
    assert running["phases"]["first_response"]["running"] == 1  # acme's of 10 March, 09:30
    assert before["phases"]["first_response"]["running"] == 0


@pytest.mark.django_db
def test_a_scorecard_reads_the_first_responses_rows_alone(shops):
    """A scorecard's figures are the first response's (answers in time, the median time to answer): its
    deadlines', response times' and running duties' queries read that phase's rows alone (the other phases
    are ~4/5 of the rollups' rows and most of a big shop's running duties), and the figures are those of
    the first response in the shops' whole compliance."""
    everyone = [shops.acme, shops.bazaar, shops.cosmo]
    with CaptureQueriesContext(connection) as captured:
        cards = _cards(everyone)
    phased = [q["sql"] for q in captured.captured_queries if '"phase"' in q["sql"]]
    assert len(phased) == 3 and all("IN ('first_response')" in sql for sql in phased), phased
    with time_machine.travel(NOW, tick=False):
        whole = queries.compliances(queries.periods.last_12_months(NOW.date()), [m.pk for m in everyone])
    assert whole[shops.acme.pk]["phases"].keys() > {"first_response"}  # the phases a card does not read
    for shop, card in zip(everyone, cards, strict=True):
        first = whole[shop.pk]["phases"].get("first_response", {})
        assert card["answered_in_time_share"] == first.get("share_in_time")
        assert card["median_first_response_minutes"] == whole[shop.pk]["first_response_minutes"]["median"]


# The planner's statistics (sqlite_stat1) of the 10 M set: 32 M deadlines, ~110,000 of them running, ~4 a
# complaint; 10 M complaints, ~2,000 a shop. Without statistics SQLite would read the unique (complaint, phase)
# index and every deadline row of a first response.
ROWS_AT_10M = {"deadlines_deadline": 32_000_000, "complaints_complaint": 10_000_000}
INDEXES_AT_10M = {"deadline_shop_running": "110000 2 1 1 1 1 1", "deadline_shop_running_due": "110000 2 1"}


def _as_at_10m() -> None:
    """The statistics of the deadlines and complaints as at 10 M, in the test's transaction (SQLite)."""
    as_large_on_sqlite(ROWS_AT_10M, INDEXES_AT_10M)


@pytest.mark.django_db
def test_a_shops_running_duties_are_counted_from_the_running_index_alone(shops):
    """`deadline_shop_running` holds every column a shop's running duties are counted by (status, phase, rule,
    and met_at of its own condition): the biggest shop's ~3,000 at 10 M are counted without reading a
    deadline row, for the whole compliance and a scorecard's first response alike (whose complaints' rows
    are then read only for their running first responses: ~200 of the biggest shop's ~3,000)."""
    period = queries.periods.last_12_months(NOW.date())
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        whole = queries._running(period, [shops.acme.pk], timezone.now())
        first = queries._running(period, [shops.acme.pk], timezone.now(), queries.SCORECARD_PHASES)
    assert first[shops.acme.pk] == {k: n for k, n in whole[shops.acme.pk].items() if k[0] == "first_response"}
    assert first[shops.acme.pk] and whole[shops.acme.pk].keys() > first[shops.acme.pk].keys()
    with connection.cursor() as cursor:
        index = connection.introspection.get_constraints(cursor, "deadlines_deadline")[
            "deadline_shop_running"
        ]
    assert {"complaint_id", "due_at", "status", "phase", "rule_label", "met_at"} <= set(index["columns"])
    if connection.vendor == "sqlite":  # PostgreSQL plans the test's handful of rows by its statistics
        _as_at_10m()
        for sql in [q["sql"] for q in captured.captured_queries if '"deadlines_deadline"' in q["sql"]]:
            plan = plan_of(sql)
            assert "SEARCH deadlines_deadline USING COVERING INDEX deadline_shop_running (" in plan, plan
