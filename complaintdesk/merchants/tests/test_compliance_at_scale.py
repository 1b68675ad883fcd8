"""Compliance and scorecards however many shops and complaints there are (issue 15): the shops missing an
obligation are found, counted and paged by the database (`compliance.missing`, `meeting`), the same shops
`compliance.check` names; a page of the API's list or of the console's scorecards costs as many queries with
2 shops as with 8; a shop's running duties are read from its open complaints, not from its history of
complaints nor from the city's running duties."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.tests.plans import plan_of
from complaintdesk.merchants import compliance, profile
from complaintdesk.merchants.compliance import Requirement
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.stats import periods, queries
from conftest import credit_code

pytestmark = pytest.mark.django_db

INFO = {"service_phone": "400-820-8820"}


def _shop(people, n: int, coordinator=False, info=False, signed=False) -> Merchant:
    shop = Merchant.objects.create(name=f"Shop {n:02}", credit_code=credit_code(100 + n))
    if coordinator:
        staff = User.objects.create(username=f"staff{n}", role=Role.MERCHANT_AGENT, merchant=shop)
        profile.designate_coordinator(shop.pk, people.rita, staff.pk, "021 6123 4567")
    if info:
        profile.publish_service_info(shop.pk, people.rita, INFO)
    if signed:
        version = pledges.current_version()
        PledgeSignature.objects.create(
            version=version, merchant=shop, signed_by=people.rita, signed_at=timezone.now()
        )
    return shop


def _every_mix(people, first: int = 0) -> list[Merchant]:
    """A shop for each of the eight ways to meet or miss the three obligations."""
    return [
        _shop(people, first + i, coordinator=bool(i & 1), info=bool(i & 2), signed=bool(i & 4))
        for i in range(8)
    ]


def test_the_database_finds_the_shops_check_finds(people):
    assert pledges.current_version() is not None  # a pledge to sign, so that it can be missed
    _every_mix(people)
    shops = Merchant.objects.all()
    checked = compliance.check(shops)
    for requirement in Requirement:
        expected = {c.merchant.pk for c in checked if requirement in c.missing}
        assert set(compliance.missing(shops, requirement).values_list("pk", flat=True)) == expected
    assert set(compliance.missing(shops).values_list("pk", flat=True)) == {
        c.merchant.pk for c in checked if not c.compliant
    }
    assert set(compliance.meeting(shops).values_list("pk", flat=True)) == {
        c.merchant.pk for c in checked if c.compliant
    }
    assert compliance.meeting(shops).count() == 1  # the eighth mix: all three


def test_the_api_list_pages_by_name_and_filters_in_the_database(people, api):
    _every_mix(people)
    rita = api(people.rita)
    seen, cursor = [], None
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = rita.get("/merchants/compliance", params).json()
        seen += [e["merchant_name"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    everyone = list(
        Merchant.objects.filter(is_active=True).order_by("name", "id").values_list("name", flat=True)
    )
    assert seen == everyone and page["count"] == len(everyone)
    checked = {c.merchant.name: c for c in compliance.check(Merchant.objects.all())}
    for params, wanted in (
        ({"compliant": "true"}, lambda c: c.compliant),
        ({"compliant": "false"}, lambda c: not c.compliant),
        ({"missing": "pledge"}, lambda c: Requirement.PLEDGE in c.missing),
        ({"compliant": "false", "missing": "coordinator"}, lambda c: Requirement.COORDINATOR in c.missing),
    ):
        listed = rita.get("/merchants/compliance", {**params, "page_size": 100}).json()
        assert [e["merchant_name"] for e in listed["items"]] == [n for n in everyone if wanted(checked[n])]
        assert listed["count"] == len(listed["items"])
        assert all(e["missing"] == checked[e["merchant_name"]].missing for e in listed["items"])
    bad = rita.get("/merchants/compliance", {"cursor": "nonsense"})
    assert bad.status_code == 422 and "cursor" in str(bad.json())


def _read(request, monkeypatch) -> tuple[int, int, object]:
    """(queries, shop rows read, answer) of a request."""
    rows = []
    from_db = Merchant.from_db.__func__
    monkeypatch.setattr(Merchant, "from_db", classmethod(lambda cls, *a: rows.append(1) or from_db(cls, *a)))
    with CaptureQueriesContext(connection) as captured:
        answer = request()
    monkeypatch.undo()
    assert answer.status_code == 200
    return len(captured.captured_queries), len(rows), answer


def test_a_page_reads_a_pages_shops_however_many_there_are(people, api, monkeypatch):
    """The shops missing an obligation above the console's scorecards were every active shop checked in
    Python (5,000 at 10 M), and the API's list answered every shop at once: now a page reads the rows it
    shows, in as many queries with 2 shops as with 18."""
    console = Client()
    console.force_login(people.rita)

    def scorecards():
        monkeypatch.setattr("complaintdesk.web.paging.PER_PAGE", 2)
        monkeypatch.setattr("complaintdesk.web.views.regulator.MISSING_SHOWN", 2)
        return console.get(reverse("web:regulator_scorecards"))

    pages = [
        scorecards,
        lambda: api(people.rita).get("/merchants/compliance", {"page_size": 2}),
        lambda: api(people.rita).get("/merchants/compliance", {"compliant": "false", "page_size": 2}),
    ]
    few = [_read(page, monkeypatch)[0] for page in pages]
    _every_mix(people)
    _every_mix(people, first=8)
    read = [_read(page, monkeypatch) for page in pages]
    assert [queries for queries, _rows, _answer in read] == few
    assert all(rows <= 6 for _queries, rows, _answer in read), [rows for _q, rows, _a in read]
    missing = [c for c in compliance.check(Merchant.objects.filter(is_active=True)) if not c.compliant]
    shown = read[0][2].context
    assert [c.merchant.pk for c in shown["missing"]] == [c.merchant.pk for c in missing[:2]]
    assert shown["more_missing"] == len(missing) - 2


def test_a_shops_running_duties_are_read_from_its_open_complaints(people):
    """`stats.queries._running` for given shops, however big: their open complaints by the (merchant, state)
    index, each looked up in the running duties' index; not the shops' complaints of the 12 months (271,000
    of the biggest shop at 10 M), nor the city's running duties (37,000). The figure is the same as counted
    from the city's running duties."""
    complaint = factories.complaint(people.alice, people.acme)
    now = timezone.now()
    period = periods.last_12_months(timezone.localdate(timezone=periods.zone()))
    with CaptureQueriesContext(connection) as captured:
        running = queries._running(period, [people.acme.pk], now)
    (sql,) = [q["sql"] for q in captured.captured_queries if 'FROM "deadlines_deadline"' in q["sql"]]
    where = sql.split("WHERE", 1)[1]
    assert '"complaints_complaint"."state" IN' in where and "received_at" not in where, sql
    if connection.vendor == "sqlite":  # PostgreSQL costs the test's handful of rows by its statistics
        plan = plan_of(sql)
        assert "deadline_shop_running_due" not in plan and "complaint_shop_newest" not in plan, plan
        assert "SEARCH complaints_complaint USING INDEX complaints__merchan_7aa85b_idx" in plan, plan
        assert "deadline_shop_running (" in plan, plan
    assert sum(running[people.acme.pk].values()) == complaint.deadlines.filter(due_at__gte=now).count() > 0
    later = queries._running(period, [people.acme.pk], now + timedelta(days=400))
    assert not later.get(people.acme.pk)
