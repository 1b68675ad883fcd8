"""A group's page of members (the console's group page) reads the group's own index in the members' order,
on both databases: with the group alone indexed, PostgreSQL walked the primary key in search of a big
group's members, which are among the newest complaints (2.2 s a page at 10 M complaints)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.api.tests.test_groups_api_scale import open_groups
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints import groups
from complaintdesk.lib import cursor as keyset
from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.web.views.groups import MEMBERS_IN_FILING_ORDER

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["city_officer", "d1_officer"])
def test_a_groups_members_are_read_from_its_index_in_their_order(world, who):
    (group,) = open_groups(world, 1, 3)
    officer = world.city_officer if who == "city_officer" else world.d1.officer
    members = groups.visible_members(officer, [group.pk])
    as_large_on_postgresql({"complaints_complaint": 10_000_000})
    with CaptureQueriesContext(connection) as queries:
        page = keyset.chained([keyset.Segment(members, MEMBERS_IN_FILING_ORDER)], None, 2)
    assert [c.pk for c in page.rows] == sorted(group.members.values_list("pk", flat=True))[:2]
    plan = plan_of(queries.captured_queries[0]["sql"])
    if connection.vendor == "sqlite":
        # Either index of the group: a SQLite index ends with the rowid (the id), so the foreign key's own
        # (group_id) holds the members in their order too, as `complaint_group_members` does.
        first = plan.splitlines()[0]
        assert first.startswith("SEARCH complaints_complaint USING COVERING INDEX"), plan
        assert first.endswith("(group_id=?)") and "TEMP B-TREE" not in plan, plan  # in order: no sort
    else:
        # The members' own rows not walked by their key (a district's check of each one's bureau may be).
        walks = [
            line for line in plan.splitlines() if "on complaints_complaint " in line and " u0 " not in line
        ]
        assert walks and all("complaint_group_members" in line for line in walks), plan
