"""A complaint list's page and its overdue count at a national centre's size (issue 15), on both databases:

- a page's rows are loaded by their ids alone (`queries.listed`): with the list's filters beside the ids,
  SQLite took a big shop's `merchant_id = ?` for the average shop's few hundred rows and walked the shop's
  whole index (the biggest shop's 815,000 entries at 10 M complaints) to find 50 complaints;
- the overdue complaints of a list narrowed to a shop or a bureau are counted from its open complaints, each
  looked up among the running duties (`queries.late_among`), never by walking the shop's or the bureau's
  every complaint nor the city's late duties; of every complaint from the late duties, no complaint read;
  the count holds the same complaints as the list, each once, and no ended complaint (its breached duties
  are missed, no longer running)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import (
    NEWEST_FIRST,
    late_among,
    listed,
    overdue_filter,
    visible_complaints,
)
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus
from complaintdesk.lib import cursor as keyset
from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.search.tests.test_search_scale import _as_at_scale

pytestmark = pytest.mark.django_db

LATER = timedelta(days=10)  # ten days after filing, the shop's first answers are late


@pytest.fixture
def city(people):
    city = bureaus.build(people)
    for _ in range(3):
        factories.complaint(people.alice, city.acme)
        factories.complaint(people.erin, city.bazaar)
    return city


def lists(city) -> dict:
    """Lists of Acme's complaints (Acme is in Huangpu's charge) among others'."""
    return {
        "agent": visible_complaints(city.people.bob),
        "shop filter": visible_complaints(city.rita).filter(merchant_id=city.acme.pk),
        "district": visible_complaints(city.dora),
        "bureau filter": visible_complaints(city.rita).filter(in_bureau(city.huangpu.pk)),
        "city": visible_complaints(city.rita),
    }


def _rows_query(queryset) -> str:
    with CaptureQueriesContext(connection) as queries:
        found = keyset.chained([listed(queryset, NEWEST_FIRST)], None, 50)
    assert found.rows and all(isinstance(row, Complaint) for row in found.rows)
    return next(
        q["sql"] for q in queries.captured_queries if '"complaints_complaint"."reference"' in q["sql"]
    )


@pytest.mark.parametrize("which", ["agent", "shop filter", "district"])
def test_a_pages_rows_are_loaded_by_their_ids_alone(city, which):
    queryset = lists(city)[which]
    _as_at_scale()
    sql = _rows_query(queryset)
    where = sql.split(" WHERE ", 1)[1]
    assert where.startswith('"complaints_complaint"."id" IN (') and "merchant_id" not in where, sql
    plan = plan_of(sql)
    assert "complaint_shop_newest" not in plan and "complaint_bureau" not in plan, plan
    if connection.vendor == "sqlite":
        assert "SEARCH complaints_complaint USING INTEGER PRIMARY KEY" in plan, plan
    else:
        assert "complaints_complaint_pkey" in plan, plan


def test_a_page_holds_the_lists_rows_in_order_with_what_it_shows(city):
    queryset = lists(city)["agent"]
    found = keyset.chained([listed(queryset, NEWEST_FIRST)], None, 2)
    assert found.rows == list(queryset.order_by("-received_at", "-id")[:2])
    with CaptureQueriesContext(connection) as queries:  # shop, category, case and deadlines: loaded with it
        [
            (c.merchant.name, c.category.code, getattr(c, "centre_case", None), list(c.deadlines.all()))
            for c in found.rows
        ]
    assert not queries.captured_queries
    after = keyset.chained([listed(queryset, NEWEST_FIRST)], found.next, 2)
    assert after.rows == list(queryset.order_by("-received_at", "-id")[2:4])


def _count_plan(counted) -> str:
    _as_at_scale()
    # The duties too: costed by the test's few rows (and the suite's statistics of them), a walk of the
    # unique (complaint, phase) index won on a loaded CI run; at scale it is millions of entries.
    as_large_on_postgresql({"deadlines_deadline": 3_000_000})
    with CaptureQueriesContext(connection) as queries:
        keyset.capped_count(counted)
    return plan_of(queries.captured_queries[0]["sql"])


@pytest.mark.parametrize(
    ("which", "index"),
    [
        ("agent", "complaints__merchan"),
        ("shop filter", "complaints__merchan"),
        ("district", "complaint_bureau_state"),
        ("bureau filter", "complaint_bureau_state"),
    ],
)
def test_a_narrowed_lists_overdue_count_reads_its_open_complaints(city, which, index):
    """A shop's, a bureau's: its open complaints (their range of the shop's or the bureau's (…, state)
    index), each looked up among the running duties; not the city's late duties each checked against it."""
    plan = _count_plan(late_among(lists(city)[which]))
    assert "deadline_shop_running" in plan, plan  # one of the running duties' partial indexes
    if connection.vendor == "postgresql":
        assert "Seq Scan on complaints_complaint" not in plan, plan
    else:
        # The open ones: a range of the index by state (covering: no complaint row read), not its every entry.
        assert f"SEARCH complaints_complaint USING COVERING INDEX {index}" in plan, plan
        assert "_id=? AND state=?)" in plan, plan
        scans = [line.strip() for line in plan.splitlines() if "SCAN" in line]
        assert scans == ["SCAN subquery"], plan  # the count's own walk of the ids found


def test_the_overdue_count_of_every_complaint_reads_no_complaint(city):
    """A city officer's unfiltered list: every late duty's complaint is in it (a foreign key), so none is read."""
    counted = late_among(lists(city)["city"])
    assert "complaints_complaint" not in str(counted.query)
    assert "complaints_complaint" in str(late_among(lists(city)["shop filter"]).query)
    plan = _count_plan(counted)
    assert "deadline_shop_running" in plan and "complaints_complaint" not in plan, plan


def _ids(counted) -> set[int]:
    return {next(iter(row.values())) for row in counted}


def test_the_overdue_count_holds_the_lists_late_complaints_once_each(city):
    """Each list's late complaints, each once (two late duties count one complaint), and no ended complaint:
    its end made its breached duties missed, no longer running."""
    ended = factories.complaint(city.people.alice, city.acme)
    on_time = factories.complaint(city.people.alice, city.acme)
    with time_machine.travel(timezone.now() + LATER):
        now = timezone.now()
        Deadline.objects.filter(complaint=on_time).update(due_at=now + LATER, next_check_at=None)
        sweep.sweep(now)  # the late duties breach (and escalate their complaints)
        assert ended.deadlines.filter(status=DeadlineStatus.BREACHED).exists()
        services.perform(ended.pk, city.people.alice, "withdraw")
        unmet = ended.deadlines.filter(phase__in=sorted(SHOP_PHASES), met_at__isnull=True)
        assert set(unmet.values_list("status", flat=True)) == {DeadlineStatus.MISSED}
        for which, queryset in lists(city).items():
            late = set(queryset.filter(overdue_filter(True)).values_list("pk", flat=True))
            assert late and ended.pk not in late and on_time.pk not in late, which
            assert _ids(late_among(queryset)) == late, which
            assert keyset.capped_count(late_among(queryset)) == len(late), which
            assert keyset.capped_count(late_among(queryset), cap=1) is None, which
