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
from complaintdesk.lib.tests.plans import as_large_on_postgresql, as_large_on_sqlite, plan_of
from complaintdesk.search import query as search
from complaintdesk.search.text import parse

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
    as_large_on_postgresql({"complaints_complaint": 1_000_000})
    as_large_on_sqlite({"complaints_complaint": 1_000_000}, STATISTICS_AT_1M)


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


def test_a_district_officers_search_reads_the_index_alone_by_its_bureaus_term(world):
    """A district's search is narrowed by its bureau's scope term inside the full-text index, as a shop's by
    its shop's (search 0004): not its cases, its shops, nor each match's complaint (before: the city's
    matches each looked up for their bureau on PostgreSQL, 176 / 203 ms at 10 M; an OR of up to 500 shops'
    terms on SQLite). On PostgreSQL, its bureau's newest windows of ids first."""
    district = search.Scope.of(world.d2.officer)
    with CaptureQueriesContext(connection) as queries:
        found = set(search.newest_ids(parse("parcel"), district, search.LIMIT))
    # Still the complaints transferred to it: one of D1's Acme's, which D2 holds.
    assert world.transferred.pk in found
    asked = [q["sql"] for q in queries]
    assert not any(
        table in sql for sql in asked for table in ("complaints_complaint", "centre_", "merchants_")
    )
    # SQLite: the bureau's term in the MATCH expression; PostgreSQL: its windows, the newest first (0 here).
    term = f"b{world.d2.bureau.pk}"
    expected = f"'{term}w0'" if connection.vendor == "postgresql" else f'"{term}"'
    searched = [sql for sql in asked if "MATCH" in sql or "@@" in sql]
    assert searched and expected in searched[0], searched
