"""The console's page of a group complaint at scale (issue 15): a group of thousands has as many members, so
the page lists them a page at a time by keys (in filing order, read from the groups' index), and costs as
many queries with sixty members as with two; a district officer sees only the members its bureau holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints import groups
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.planner import SQLITE_PLAN, city_statistics  # noqa: F401 (the fixture)
from complaintdesk.lib import cursor as keyset
from complaintdesk.web.paging import PER_PAGE
from complaintdesk.web.views import groups as group_views

pytestmark = pytest.mark.django_db
REFERENCE = re.compile(r'<td data-label="Reference"><a href="[^"]+">([^<]+)</a>')


def group_of(world, more: int):
    """A group of D1's shop: its complaint at the shop, the one transferred to D2, and `more`."""
    shop = world.d1.shop
    extra = [factories.complaint(world.d1.consumer, shop, order_number=f"G-{n}") for n in range(more)]
    picked = [world.d1.complaint, world.transferred, *extra]
    return groups.open_group(world.city_officer, product="Power bank", problem="Swells.", complaints=picked)


def shown(client, group) -> tuple[list[str], list[str]]:
    """Every member reference the console's page shows, page after page, and the pages."""
    url, query, references, pages = reverse("web:console_group", args=[group.pk]), "", [], []
    while query is not None:
        pages.append(client.get(f"{url}?{query}").content.decode())
        references += REFERENCE.findall(pages[-1])
        following = re.search(r'<a rel="next" href="\?([^"]+)"', pages[-1])
        query = following.group(1).replace("&amp;", "&") if following else None
    return references, pages


def test_the_members_come_a_page_at_a_time_in_filing_order(world, browser_of):
    group = group_of(world, PER_PAGE)
    members = list(group.members.order_by("pk").values_list("reference", flat=True))
    references, pages = shown(browser_of(world.city_officer), group)
    assert references == members and len(pages) == 2
    assert f'<dd id="group-members">{PER_PAGE + 2}</dd>' in pages[0]  # the facts count every member
    # D1's officer: every member but the one D2 holds now.
    references, _ = shown(browser_of(world.d1.officer), group)
    assert references == [r for r in members if r != world.transferred.reference]
    bad = browser_of(world.city_officer).get(reverse("web:console_group", args=[group.pk]), {"cursor": "x"})
    assert bad.status_code == 400


@pytest.mark.parametrize("officer", ["city_officer", "district"])
def test_the_page_costs_the_same_queries_with_sixty_members_as_with_two(world, browser_of, officer):
    client = browser_of(world.city_officer if officer == "city_officer" else world.d1.officer)
    group = group_of(world, 0)
    url = reverse("web:console_group", args=[group.pk])
    client.get(url)  # the session, warmed
    counts = []
    for more in (0, 60):
        joined = [
            factories.complaint(world.d1.consumer, world.d1.shop, order_number=f"H-{n}") for n in range(more)
        ]
        Complaint.objects.filter(pk__in=[c.pk for c in joined]).update(group=group)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("city_statistics")
@SQLITE_PLAN
def test_a_district_officers_page_reads_the_groups_index_not_its_bureaus_complaints(world):
    """With a city's statistics: a page of members is read from the group's index in its order (by id), each
    one's visibility looked up by its id: no sort of the members, no walk of the bureau's complaints."""
    group = group_of(world, 3)
    members = group_views._members(world.d1.officer, group)
    segment = keyset.Segment(members, group_views.MEMBERS_IN_FILING_ORDER)
    with CaptureQueriesContext(connection) as queries:
        keyset.chained([segment], None, PER_PAGE)
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[0]['sql']}")
        plan = "\n".join(str(row[-1]) for row in db.fetchall())
    assert "group_id" in plan, plan
    assert "complaint_bureau_" not in plan and "TEMP B-TREE" not in plan, plan
