"""The dashboard's live tiles (issue 15: the console fast at 10 million complaints): the open complaints, the
overdue ones, the escalations and the shops with the most overdue complaints are counted from the open work
only, whatever the length of the history: a district's open complaints and escalations from the index of its
complaints by state (complaint_bureau_state), the overdue ones from the late duties (the partial index of the
running duties by due time), never by reading every complaint a bureau ever had. The figures are those of the
complaints themselves, as each officer sees them.

The world (`bureau_world`): D1 has Acme, D2 has Bazaar; one of Acme's complaints was transferred to D2."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus
from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats.periods import Period
from complaintdesk.web import metrics
from complaintdesk.web.display import QUEUE_STATES
from conftest import credit_code

pytestmark = pytest.mark.django_db


def _late(now):
    """A shop's duty past due and not met, written out as SPEC §8 says it (not through the indexes' terms)."""
    return Deadline.objects.filter(
        complaint=OuterRef("pk"),
        phase__in=list(SHOP_PHASES),
        met_at__isnull=True,
        status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED],
        due_at__lt=now,
    )


def _raw(officer, now) -> dict:
    """The live tiles counted by reading the officer's complaints one by one."""
    mine = visible_complaints(officer)
    open_ = [c for c in mine if c.state in OPEN_STATES]
    late = {c.pk for c in mine.filter(Exists(_late(now)))}
    overdue = [c for c in open_ if c.pk in late]
    by_shop = {}
    for c in overdue:
        by_shop[c.merchant.name] = by_shop.get(c.merchant.name, 0) + 1
    return {
        "open": len(open_),
        "overdue": len(overdue),
        "escalations": sum(c.state in QUEUE_STATES for c in mine),
        "top_overdue": sorted(
            ({"name": k, "count": n} for k, n in by_shop.items()), key=lambda r: (-r["count"], r["name"])
        ),  # fmt: skip
    }


def _tiles(officer, today) -> dict:
    data = metrics.dashboard(Period(today.replace(month=1, day=1), today), today, officer)
    return {
        **{k: data["counts"][k] for k in ("open", "overdue", "escalations")},
        "top_overdue": data["top_overdue"],
    }


@pytest.mark.parametrize("days_later", [0, 3, 40])
def test_the_live_tiles_are_each_officers_complaints(world, days_later):
    """Now, and later when the shops' duties have run late (the overdue tiles fill up)."""
    now = timezone.now() + timedelta(days=days_later)
    with time_machine.travel(now, tick=False):
        seen = set()
        for officer in world.officers():
            tiles, raw = _tiles(officer, timezone.localdate()), _raw(officer, now)
            assert tiles == raw, officer
            seen.add(tiles["overdue"])
    if days_later == 40:
        assert max(seen) > 0  # the late duties were counted, not only none


def _plans(officer) -> list[tuple[str, str]]:
    """(SQL, plan) of each live count of the officer's dashboard (the queries counting complaints by state)."""
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as captured:
        metrics.dashboard(Period(today.replace(month=1, day=1), today), today, officer)
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "complaints_complaint"' in q["sql"]
        and '"complaints_complaint"."state" IN' in q["sql"]
        and '"received_at"' not in q["sql"]  # the compliance's open complaints of the period or outside it
    ]
    assert len(counts) == 3, counts  # open, escalations, the overdue by shop (their sum the overdue count)
    # PostgreSQL costs the complaints and the duties as a city's: by the test's few rows (and the statistics
    # the suite left of them) a walk of another index of the duties won on a loaded CI run.
    as_large_on_postgresql({"complaints_complaint": 1_000_000, "deadlines_deadline": 3_000_000})
    return [(sql, plan_of(sql, sorts=True)) for sql in counts]  # the counts by shop sort by design


def test_a_districts_live_counts_read_its_open_work_not_every_complaint_of_its_bureau(world):
    for sql, plan in _plans(world.d1.officer):
        assert "complaint_bureau_newest" not in plan, (sql, plan)  # every complaint of the bureau
        if connection.vendor == "postgresql":
            # Which side drives is PostgreSQL's choice by its statistics, of the test's few rows here (in the
            # full suite, autovacuum's): only that it scans no table is checked.
            assert "Seq Scan on complaints_complaint" not in plan, (sql, plan)
            continue
        # The overdue ones too: the bureau's open complaints, each looked up in the running duties' index
        # (by complaint), never the city's late duties by due time nor every deadline.
        assert "complaint_bureau_state" in plan, (sql, plan)
        if "deadlines_deadline" in sql:
            assert "deadline_shop_running" in plan, (sql, plan)
            assert "deadline_shop_running_due" not in plan, (sql, plan)
        assert "SCAN complaints_complaint" not in plan, (sql, plan)


def test_the_overdue_by_shop_read_no_shop_row_per_complaint(world):
    """Grouped by the shop's id (a column of the complaint), the names read for the tile's shops only: a join
    to the shops read a shop row for each overdue complaint (65,000 at 10 M)."""
    for officer in (world.city_officer, world.d1.officer):
        for sql, _plan in _plans(officer):
            if "deadlines_deadline" in sql:
                assert "merchants_merchant" not in sql, sql


def test_a_city_level_officers_overdue_counts_read_the_late_duties(world):
    for sql, plan in _plans(world.city_officer):
        if "deadlines_deadline" in sql:
            assert "deadline_shop_running" in plan, (sql, plan)
        if connection.vendor == "sqlite":
            assert "SCAN complaints_complaint" not in plan, (sql, plan)


def test_the_most_overdue_shops_are_ten_most_first_a_tie_by_name_their_names_read_for_those_only():
    shops = [
        Merchant.objects.create(name=f"Shop {i:02}", credit_code=credit_code(100 + i)) for i in range(14)
    ]
    # Shop 13 has 9, shops 00–11 have 5 each (a tie across the cut), shop 12 has 1.
    by_shop = {s.pk: 5 for s in shops[:12]} | {shops[12].pk: 1, shops[13].pk: 9}
    with CaptureQueriesContext(connection) as captured:
        rows = metrics._most_overdue(by_shop)
    assert rows == [{"name": "Shop 13", "count": 9}] + [
        {"name": f"Shop {i:02}", "count": 5} for i in range(9)
    ]
    assert len(captured.captured_queries) == 1
    read = re.search(r"IN \(([^)]*)\)", captured.captured_queries[0]["sql"]).group(1)
    assert sorted(int(pk) for pk in read.split(",")) == sorted(s.pk for s in shops if s != shops[12])
    assert metrics._most_overdue({}) == []
