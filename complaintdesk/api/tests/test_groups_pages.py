"""GET /api/v1/groups pages by keys as the other lists (issue 15): `{items, count, next}`, newest first, 50
a page, `next` a signed cursor of this list, `page` numbers for the first 10,000 groups; a page reads its
groups' figures from their rows, never their members' events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.api import groups as groups_api
from complaintdesk.api.tests.test_groups_api_scale import open_groups
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints.models import Complaint, ComplaintGroup

pytestmark = pytest.mark.django_db


def newest_first() -> list[int]:
    return list(ComplaintGroup.objects.order_by("-opened_at", "-id").values_list("pk", flat=True))


def test_a_walk_by_cursor_yields_every_group_once_newest_first(api, world):
    open_groups(world, 5, 1)
    officer = api(world.city_officer)
    first = officer.get("/groups", {"page_size": 2}).json()
    assert [g["id"] for g in first["items"]] == newest_first()[:2]
    assert first["count"] == 5 and first["next"]
    second = officer.get("/groups", {"page_size": 2, "cursor": first["next"]}).json()
    assert [g["id"] for g in second["items"]] == newest_first()[2:4]
    last = officer.get("/groups", {"page_size": 2, "cursor": second["next"]}).json()
    assert [g["id"] for g in last["items"]] == newest_first()[4:]
    assert last["next"] is None
    # Page numbers for small offsets, the same rows; the members and figures as on the group's own answer.
    assert officer.get("/groups", {"page_size": 2, "page": 2}).json()["items"] == second["items"]
    (listed,) = officer.get("/groups", {"page_size": 1, "state": "open"}).json()["items"][:1]
    assert listed["members"] == 1 and listed["complaints"] == [
        Complaint.objects.get(group_id=listed["id"]).pk
    ]


@pytest.mark.parametrize(
    "query", [{"cursor": "not-a-cursor"}, {"page": 0}, {"page": 201}, {"page_size": 0}, {"state": "gone"}]
)
def test_a_bad_cursor_or_filter_is_refused_naming_it_and_changes_nothing(api, world, query):
    open_groups(world, 2, 1)
    before = list(ComplaintGroup.objects.order_by("pk").values())
    answer = api(world.city_officer).get("/groups", query)
    assert answer.status_code == 422, answer.content
    assert [issue["loc"][-1] for issue in answer.json()["detail"]] == [next(iter(query))]
    assert list(ComplaintGroup.objects.order_by("pk").values()) == before


def test_a_cursor_of_another_list_is_refused(api, world):
    open_groups(world, 1, 3)
    complaints_cursor = api(world.city_officer).get("/complaints", {"page_size": 1}).json()["next"]
    answer = api(world.city_officer).get("/groups", {"cursor": complaints_cursor})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_a_page_reads_the_figures_from_the_groups_rows_not_the_members_events(api, world):
    open_groups(world, 3, 4)
    with CaptureQueriesContext(connection) as captured:
        answer = api(world.city_officer).get("/groups")
    assert [g["members"] for g in answer.json()["items"]] == [4, 4, 4]
    assert not [q["sql"] for q in captured.captured_queries if "complaints_complaintevent" in q["sql"]]


def test_a_city_level_officer_reads_the_members_from_the_groups_index_alone(world):
    """It sees every complaint: no look-up of each member's row (30,000 of them for 41 groups at 10 M)."""
    found = open_groups(world, 2, 2)
    with CaptureQueriesContext(connection) as captured:
        groups_api._with_visible_members(found, world.city_officer)
    (sql,) = [q["sql"] for q in captured.captured_queries if "complaints_complaint" in q["sql"]]
    assert "EXISTS" not in sql and " U0" not in sql, sql  # the members' rows not read again
    assert [g.visible_members for g in found] == [
        list(Complaint.objects.filter(group=g).order_by("pk").values_list("pk", flat=True)) for g in found
    ]
