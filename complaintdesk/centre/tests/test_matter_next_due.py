"""A matter's nearest running duty on its row (`Matter.next_due`, issue 15), and the lists of reports and
enquiries read from it: the stored time is what the matter's duties say after each step (filing, transfer,
decision, a duty moved or gone); the lists walk their two parts (running by due time, then the rest by
receipt) in the same order as the nearest duty computed from the duties, by cursor and by page number, and
each part reads its own index in its order (no sort) on both databases."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre import duties, matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind
from complaintdesk.centre.tests import bureaus
from complaintdesk.deadlines.models import Deadline, DeadlineStatus
from complaintdesk.lib import cursor
from complaintdesk.lib.tests.plans import plan_of


def _nearest(matter: Matter):
    """The matter's nearest running duty, from its duties' rows (what `next_due` must hold)."""
    running = Deadline.objects.filter(
        matter=matter, met_at__isnull=True, status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED]
    )
    return min((d.due_at for d in running), default=None)


def _stored(matter: Matter):
    return Matter.objects.values_list("next_due", flat=True).get(pk=matter.pk)


def _file(city, kind: str, n: int) -> Matter:
    text = f"Sells fakes {n}" if kind == MatterKind.REPORT else f"Is a 7-day return owed? {n}"
    return matters.file(None, Filing(kind, text, merchant=city.acme.pk, contact_phone=f"138000000{n:02d}"))


@pytest.fixture
def city(people):
    """Reports and enquiries received over a fortnight (two at one instant), some decided or answered."""
    city = bureaus.build(people)
    city.matters = []
    for n in range(12):
        kind = MatterKind.REPORT if n % 3 else MatterKind.ENQUIRY
        day = 2 + n - (n == 5)  # the sixth is received with the fifth
        with time_machine.travel(f"2026-11-{day:02d} 10:00+08:00", tick=False):
            matter = _file(city, kind, n)
        if n % 4 == 0:
            with time_machine.travel(f"2026-11-{day:02d} 15:00+08:00", tick=False):
                if kind == MatterKind.REPORT:
                    matters.decide_report(matter.pk, city.rita, "no_case", "Nothing unlawful found.")
                else:
                    matters.answer_enquiry(matter.pk, city.rita, "Yes, within seven days.")
        city.matters.append(matter)
    return city


@pytest.mark.django_db
def test_next_due_follows_the_duties_through_every_step(city):
    for matter in city.matters:
        assert _stored(matter) == _nearest(matter), matter
    running = next(m for m in Matter.objects.all() if _stored(m) is not None)
    decided = next(m for m in Matter.objects.all() if _stored(m) is None)
    assert decided.decided_at is not None and running.decided_at is None

    # A transfer restarts the duty at the receiving bureau: the stored time moves with it.
    before = _stored(running)
    with time_machine.travel("2026-11-20 10:00+08:00", tick=False):
        matters.transfer(running.pk, city.rita, city.pudong.pk, "Pudong's shop after all.")
    assert _stored(running) == _nearest(running) != before

    # A duty moved (a recomputation saves its row), breached, then gone.
    duty = matters.duty_of(running)
    duty.due_at += timedelta(days=3)
    duty.save(update_fields=["due_at"])
    assert _stored(running) == duty.due_at
    duty.status = DeadlineStatus.BREACHED
    duty.save(update_fields=["status"])
    assert _stored(running) == duty.due_at  # late, still to do
    duty.delete()
    assert _stored(running) is None

    # Settled all at once (the migration's and the data set's way), every matter holds what it held.
    held = dict(Matter.objects.values_list("pk", "next_due"))
    Matter.objects.update(next_due=None)
    assert duties.settle(Matter.objects.all()) == len(held)
    assert dict(Matter.objects.values_list("pk", "next_due")) == held


def _expected(kind: str) -> list[int]:
    """The lists' order from the duties themselves: the nearest running duty first, then the rest by
    receipt, the newest first (same instant: the filing order)."""
    found = list(Matter.objects.filter(kind=kind))

    def key(m):
        due = _nearest(m)
        return (due is None, due.timestamp() if due else 0, -m.received_at.timestamp(), m.pk)

    return [m.pk for m in sorted(found, key=key)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "path"), [(MatterKind.REPORT, "/reports"), (MatterKind.ENQUIRY, "/enquiries")]
)
def test_the_api_lists_walk_both_parts_in_the_nearest_duty_order(city, api, kind, path):
    expected = _expected(kind)
    client = api(city.rita)
    walked, token = [], None
    while True:  # two at a time by cursor, across the two parts
        answer = client.get(path, {"page_size": 2, **({"cursor": token} if token else {})})
        assert answer.status_code == 200, answer.content
        walked += [item["id"] for item in answer.json()["items"]]
        token = answer.json()["next"]
        if not token:
            break
    assert walked == expected
    assert answer.json()["count"] == len(expected)
    numbered = []
    for number in range(1, len(expected) // 2 + 2):  # by page numbers, a page that runs into the next part
        answer = client.get(path, {"page_size": 2, "page": number})
        numbered += [item["id"] for item in answer.json()["items"]]
    assert numbered == expected
    with time_machine.travel("2026-12-31 10:00+08:00", tick=False):  # every running duty is late by then
        late = client.get(path, {"overdue": "true"}).json()["items"]
        in_time = client.get(path, {"overdue": "false"}).json()["items"]
    running = [pk for pk in expected if _stored(Matter(pk=pk)) is not None]
    assert [item["id"] for item in late] == running
    assert [item["id"] for item in in_time] == [pk for pk in expected if pk not in running]


@pytest.mark.django_db
def test_the_console_lists_both_parts_in_the_nearest_duty_order(city, client):
    client.force_login(city.rita)
    answer = client.get("/console/matters/", {"kind": MatterKind.REPORT})
    assert answer.status_code == 200
    shown = [row["matter"].pk for row in answer.context["rows"]]
    assert shown == _expected(MatterKind.REPORT)
    page = cursor.chained(matters.listed(Matter.objects.filter(kind=MatterKind.REPORT)), None, 100)
    assert [m.pk for m in page.rows] == shown


@pytest.mark.django_db
@pytest.mark.parametrize(("overdue", "shop"), [(None, False), ("true", False), (None, True)])
def test_each_part_of_a_list_reads_its_index_in_order(city, api, overdue, shop):
    """The keys of a page (the first query of each part, lib.cursor._read) walk matter_running, then
    matter_at_rest (one shop's: matter_shop_…), in the list's order: no sort of every matter of the kind."""
    filters = {"page_size": 50} | ({"overdue": overdue} if overdue else {})
    filters |= {"merchant": city.acme.pk} if shop else {}
    with CaptureQueriesContext(connection) as captured:
        assert api(city.rita).get("/reports", filters).status_code == 200
    keys = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "centre_matter"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert len(keys) == (1 if overdue else 2), keys  # the overdue are all running: one part
    transfers = next(q["sql"] for q in captured.captured_queries if 'FROM "centre_transfer"' in q["sql"])
    plan = plan_of(transfers)  # a page's matters' transfers, not every transfer walked in time order
    assert "SCAN centre_transfer" not in plan and "Seq Scan on centre_transfer" not in plan, plan
    indexes = ["matter_shop_running", "matter_shop_at_rest"] if shop else ["matter_running", "matter_at_rest"]
    for sql, index in zip(keys, indexes, strict=False):
        plan = plan_of(sql)
        assert index in plan, plan
        if connection.vendor == "sqlite":
            assert "TEMP B-TREE" not in plan, plan
        else:
            assert "Sort" not in plan and "Seq Scan" not in plan, plan
