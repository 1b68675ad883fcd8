"""GET /api/v1/groups at scale (issue 15): a page of groups reads the members each caller may see in one
query (not one a group), from the groups' index; its count reads the groups' rows, not their members and
events; the ids each role sees are as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.api import groups as groups_api
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints import groups
from complaintdesk.complaints.models import ComplaintGroup
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.planner import SQLITE_PLAN, city_statistics  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def open_groups(world, n: int, members: int) -> list[ComplaintGroup]:
    shop, consumer = world.d1.shop, world.d1.consumer
    opened = []
    for g in range(n):
        picked = [factories.complaint(consumer, shop, order_number=f"G{g}-{m}") for m in range(members)]
        opened.append(
            groups.open_group(world.city_officer, product=f"Kettle {g}", problem="Leaks.", complaints=picked)
        )
    return opened


def queries_of(api, user) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        answer = api(user).get("/groups")
    assert answer.status_code == 200
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("who", ["city_officer", "district", "staff", "consumer"])
def test_a_page_of_groups_costs_as_many_queries_for_six_groups_as_for_one(api, world, who):
    user = {
        "city_officer": world.city_officer,
        "district": world.d1.officer,
        "staff": world.d1.staff,
        "consumer": world.d1.consumer,
    }[who]
    open_groups(world, 1, 2)
    few, _ = queries_of(api, user)
    open_groups(world, 5, 3)
    many, sql = queries_of(api, user)
    assert few == many, (few, many)
    counts = [q for q in sql if q.startswith("SELECT COUNT(") and "complaintgroup" in q]
    assert counts and all("complaintevent" not in q for q in counts), counts


def test_each_sees_the_member_ids_it_may_see(api, world):
    group = groups.open_group(
        world.city_officer,
        product="Power bank",
        problem="Swells.",
        complaints=[world.d1.complaint, world.transferred],
    )
    both = sorted([world.d1.complaint.pk, world.transferred.pk])
    for user, expected in (
        (world.city_officer, both),
        (world.d1.staff, both),
        (world.d1.officer, [world.d1.complaint.pk]),  # D2 holds the transferred one now
        (world.d1.consumer, both),  # both are hers
    ):
        items = api(user).get("/groups").json()["items"]
        assert [(g["id"], g["complaints"]) for g in items] == [(group.pk, expected)], user
        assert api(user).get(f"/groups/{group.pk}").json()["members"] == 2
    assert api(world.d2.consumer).get("/groups").json()["items"] == []  # no member of hers


@pytest.mark.usefixtures("city_statistics")
@SQLITE_PLAN
def test_the_members_of_a_page_are_read_from_the_groups_index(world):
    """With a city's statistics: the groups' index gives the members in order, each one's visibility looked
    up by its id; never the bureau's complaints walked by their own index in search of them."""
    found = open_groups(world, 2, 2)
    with CaptureQueriesContext(connection) as captured:
        groups_api._with_visible_members(found, world.d1.officer)
    (sql,) = [q["sql"] for q in captured.captured_queries if "complaints_complaint" in q["sql"]]
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = "\n".join(str(row[-1]) for row in db.fetchall())
    assert "group_id" in plan and "complaint_bureau_" not in plan, plan
