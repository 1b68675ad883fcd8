"""A bureau's complaint lists read one index in their order (issue 15): a district officer's list, the
`bureau` filter and their overdue lists walk `complaint_bureau_newest` from the cursor, never sorting or
scanning the complaints; the overdue count reads the late duties, not every complaint. The query plans of
both databases (as in api/tests/test_cursor_pagination.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import NEWEST_FIRST, overdue_filter, visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.planner import page_keys_query, plan_of, reads_an_index_in_order
from complaintdesk.lib import cursor as keyset
from complaintdesk.lib.tests.plans import as_large_on_postgresql

pytestmark = pytest.mark.django_db

T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=10)
# How the plans are costed: as a city's complaints and their duties, not the test's dozen rows.
AT_SCALE = {"complaints_complaint": 1_000_000, "deadlines_deadline": 3_000_000}


@pytest.fixture
def city(people):
    city = bureaus.build(people)
    for i in range(6):  # Acme's in Huangpu's charge, Bazaar's in Pudong's (its platform's seat)
        factories.complaint(people.alice, city.acme, received_at=T0 + timedelta(minutes=7 * i))
        factories.complaint(people.erin, city.bazaar, received_at=T0 + timedelta(minutes=7 * i))
    return city


def lists(city) -> dict:
    return {
        "district": visible_complaints(city.dora),
        "bureau filter": visible_complaints(city.rita).filter(in_bureau(city.huangpu.pk)),
        "district, overdue": visible_complaints(city.dora).filter(overdue_filter(True)),
    }


@pytest.mark.parametrize("which", ["district", "bureau filter", "district, overdue"])
def test_a_bureaus_list_reads_its_index_in_order_on_the_first_and_a_deep_page(city, which):
    queryset = lists(city)[which]
    deep = NEWEST_FIRST.cursor(Complaint.objects.order_by("-received_at", "-id")[3])
    # Costed as at scale, not by the test's dozen rows and whatever statistics the suite left of them (a run
    # of part of the suite once planned the overdue page another way).
    as_large_on_postgresql(AT_SCALE)
    for cursor in (None, deep):
        plan = plan_of(page_keys_query(queryset, cursor))
        reads_an_index_in_order(plan, "complaint_bureau_newest")
        if "overdue" in which:
            assert "deadline_shop_running" in plan, plan


def test_the_lists_hold_the_bureaus_complaints(city):
    huangpu = set(Complaint.objects.filter(merchant=city.acme).values_list("pk", flat=True))
    assert set(lists(city)["district"].values_list("pk", flat=True)) == huangpu
    assert set(lists(city)["bureau filter"].values_list("pk", flat=True)) == huangpu


@pytest.mark.parametrize("who", ["rita", "dora"])
def test_the_overdue_count_reads_the_late_duties_not_every_complaint(city, who):
    queryset = visible_complaints(getattr(city, who)).filter(overdue_filter(True, counting=True))
    as_large_on_postgresql(AT_SCALE)
    with CaptureQueriesContext(connection) as queries:
        keyset.capped_count(queryset)
    plan = plan_of(queries.captured_queries[0]["sql"])
    assert "deadline_shop_running" in plan, plan  # one of the running duties' partial indexes
    if connection.vendor == "postgresql":
        assert "Seq Scan on complaints_complaint" not in plan, plan
    else:
        assert "SCAN complaints_complaint" not in plan and "SCAN complaints_complaint USING" not in plan, plan


def test_a_page_and_its_count_hold_the_same_late_complaints(city, api):
    late = Complaint.objects.filter(overdue_filter(True))
    assert late.exists()  # ten days after filing, the shop's first answers are late
    body = api(city.dora).get("/complaints", {"overdue": "true"}).json()
    mine = set(late.filter(merchant=city.acme).values_list("pk", flat=True))
    assert {c["id"] for c in body["items"]} == mine and body["count"] == len(mine)
    body = api(city.rita).get("/complaints", {"overdue": "false"}).json()
    assert body["count"] == Complaint.objects.count() - late.count() == len(body["items"])
