"""A complaint list's page and its overdue count at a national centre's size (issue 15), on both databases:

- a page's rows are loaded by their ids alone (`queries.listed`): with the list's filters beside the ids,
  SQLite took a big shop's `merchant_id = ?` for the average shop's few hundred rows and walked the shop's
  whole index (the biggest shop's 815,000 entries at 10 M complaints) to find 50 complaints;
- the overdue complaints are counted from the late duties, each checked against the list on its one row
  (`queries.late_among`), never by walking a shop's or a bureau's every complaint; the count holds the same
  complaints as the list, each once, a finished complaint with a duty still breached too."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import (
    NEWEST_FIRST,
    late_among,
    listed,
    overdue_filter,
    visible_complaints,
)
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, DeadlineStatus
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


@pytest.mark.parametrize("which", ["agent", "district", "city"])
def test_the_overdue_count_reads_the_late_duties_and_each_ones_complaint_by_id(city, which):
    counted = late_among(lists(city)[which])
    _as_at_scale()
    # The duties too: costed by the test's few rows (and the suite's statistics of them), a walk of the
    # unique (complaint, phase) index won on a loaded CI run; at scale it is millions of entries.
    as_large_on_postgresql({"deadlines_deadline": 3_000_000})
    with CaptureQueriesContext(connection) as queries:
        keyset.capped_count(counted)
    plan = plan_of(queries.captured_queries[0]["sql"])
    assert "deadline_shop_running" in plan, plan  # one of the running duties' partial indexes
    if connection.vendor == "postgresql":
        assert "Seq Scan on complaints_complaint" not in plan, plan
    elif which == "city":  # every complaint: none read
        assert "complaints_complaint" not in plan and "PRIMARY KEY" not in plan, plan
    else:
        # The complaints (the subquery's U0) only looked up by id: no index of a shop's or a bureau's.
        scans = [line for line in plan.splitlines() if "SCAN" in line and "deadline" not in line]
        assert scans == ["SCAN subquery"] and "USING INTEGER PRIMARY KEY" in plan, plan
        assert not any(name in plan for name in ("complaint_shop", "complaints__merchan", "complaint_bureau"))


def test_the_overdue_count_of_every_complaint_reads_no_complaint(city):
    """A city officer's unfiltered list: every late duty's complaint is in it (a foreign key), so none is read."""
    counted = late_among(lists(city)["city"])
    assert "complaints_complaint" not in str(counted.query)
    assert "complaints_complaint" in str(late_among(lists(city)["shop filter"]).query)


def test_the_overdue_count_holds_the_lists_late_complaints_once_each(city):
    finished = factories.complaint(city.people.alice, city.acme)
    on_time = factories.complaint(city.people.alice, city.acme)
    with time_machine.travel(timezone.now() + LATER):
        now = timezone.now()
        Deadline.objects.filter(complaint=on_time).update(due_at=now + LATER)
        # A finished complaint whose duties were breached before it ended: still overdue, as the list says;
        # its two late duties count it once.
        Complaint.objects.filter(pk=finished.pk).update(state=State.WITHDRAWN)
        breached = Deadline.objects.filter(complaint=finished, phase__in=["first_response", "resolution"])
        assert breached.update(status=DeadlineStatus.BREACHED, due_at=now - timedelta(hours=1)) == 2
        for which, queryset in lists(city).items():
            late = set(queryset.filter(overdue_filter(True)).values_list("pk", flat=True))
            assert finished.pk in late and on_time.pk not in late, which
            assert set(late_among(queryset).values_list("complaint_id", flat=True)) == late, which
            assert keyset.capped_count(late_among(queryset)) == len(late), which
            assert keyset.capped_count(late_among(queryset), cap=1) is None, which
