"""Search at a national centre's size (issue 15): the work of a search is bounded whatever the number of
complaints, of the matches, of a shop's complaints or of a bureau's cases (docs/decisions.md, "Chinese
full-text search"). Its results are the same as before: the tenancy tests are in test_search.py and
centre/tests/test_bureau_scope.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.search import query as search

pytestmark = pytest.mark.django_db


# sqlite_stat1 of the complaints' indexes in `bench/scale.py`'s database of a million complaints in a
# thousand shops (after its ANALYZE): a shop's complaints are costed at 167 rows.
STATISTICS_AT_1M = {
    "complaint_shop_newest": "1053000 167 1",
    "complaints__merchan_7aa85b_idx": "1074375 167 15",
    "complaints__consume_e6847d_idx": "1068940 13 1",
    "complaint_state_newest": "823368 667 1",
    "complaints_complaint_received_at_c2328947": "1027200 1",
    "complaints_complaint_category_id_9eb66f7d": "1286144 1001",
    "sqlite_autoindex_complaints_complaint_1": "1058148 1",
    "complaints_complaint_group_id_fd6cbf08": "1008678 401",
    "complaints_complaint_promotion_id_42b374a2": "1008678 19",
}


def _as_at_scale():
    """The planner's statistics as at a million complaints, in the test's transaction: SQLite's by its
    `sqlite_stat1` (below), PostgreSQL's by the table's size (`as_large_on_postgresql`)."""
    if connection.vendor == "postgresql":
        as_large_on_postgresql({"complaints_complaint": 1_000_000})
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'complaints_complaint'")
        for index, stat in cursor.fetchall():  # an index not listed: as many rows, its own spread
            at_scale = STATISTICS_AT_1M.get(index, " ".join(["1000000", *stat.split()[1:]]))
            cursor.execute("UPDATE sqlite_stat1 SET stat = %s WHERE idx IS %s", [at_scale, index])
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics


def test_a_shops_search_reads_its_candidates_by_key_not_every_complaint_of_the_shop(people, monkeypatch):
    agent = people.bob
    factories.complaint(people.alice, people.acme)
    _as_at_scale()
    # A common word: the index hands out LIMIT candidates (ids of other shops' complaints are harmless
    # here: the tenancy narrows them away; what is checked is how the rows are read).
    monkeypatch.setattr(search, "ranked_ids", lambda phrases, scope: list(range(search.LIMIT, 0, -1)))
    found = search.matching(visible_complaints(agent), "退款", search.Scope.of(agent))
    sql, params = found.values("pk", "search_rank")[:51].query.sql_with_params()
    plan = plan_of(sql, params, sorts=True)
    assert "complaint_shop_newest" not in plan, plan
    if connection.vendor == "sqlite":
        assert "SEARCH complaints_complaint USING INTEGER PRIMARY KEY" in plan, plan
    else:
        assert "complaints_complaint_pkey" in plan, plan


def test_the_candidates_are_one_parameter_whatever_their_number(people, monkeypatch):
    complaints = [factories.complaint(people.alice, people.acme) for _ in range(3)]
    ranking = [
        complaints[1].pk,
        *range(10_000, 10_000 + search.LIMIT - 3),
        complaints[2].pk,
        complaints[0].pk,
    ]
    monkeypatch.setattr(search, "ranked_ids", lambda phrases, scope: ranking)
    found = search.matching(Complaint.objects.all(), "退款", search.Scope())
    sql, params = found.query.sql_with_params()
    assert len(params) < 5  # the candidates, their order (and EXISTS's 1), not a parameter each
    assert list(found.values_list("pk", flat=True)) == [complaints[i].pk for i in (1, 2, 0)]


def test_a_district_officers_scope_does_not_read_the_cases_its_bureau_holds(world):
    with CaptureQueriesContext(connection) as queries:
        scope = search.Scope.of(world.d2.officer)
    assert len(queries) <= 2  # the officer's bureau, and its shops
    assert not any("centre_centrecase" in q["sql"] for q in queries), [q["sql"] for q in queries]
    # Still the shops of the complaints transferred to it: D1's Acme, one of whose complaints D2 holds.
    assert scope.merchant_ids == tuple(sorted([world.d1.shop.pk, world.d2.shop.pk]))
    found = search.matching(visible_complaints(world.d2.officer), "parcel", scope)
    assert world.transferred.pk in set(found.values_list("pk", flat=True))
