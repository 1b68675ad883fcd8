"""SQLite's planner as it sees a city's complaints, for plan tests (import the fixture into a test module):

    from complaintdesk.complaints.tests.planner import city_statistics  # noqa: F401 (the fixture)

A test database of a few rows has no statistics, so every index looks alike and a plan test shows little.
This one tells SQLite what a kept database's ANALYZE says of the groups' index (a group is a few hundred of
a million complaints) and nothing of the other indexes, as of an index added since the last ANALYZE: the
planner takes such an index for one that finds 10 rows, the trap a query must not fall in (a bureau's or a
shop's index walked in search of a group's members). PostgreSQL's planner decides by its own statistics of
the real table (a group's rows against a bureau's), which a test database of a few rows cannot have: such
plan tests are SQLite's (`SQLITE_PLAN`).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.queries import NEWEST_FIRST
from complaintdesk.lib import cursor as keyset
from complaintdesk.lib.tests.plans import plan_of  # noqa: F401 (the lists' plan tests import it from here)

SQLITE_PLAN = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL plans by the real table's statistics, not a test's"
)
GROUPS_INDEX_STAT = "1000000 401"  # rows, and rows a group (the 1 M benchmark database's ANALYZE)


def _group_index() -> str:
    with connection.cursor() as db:
        constraints = connection.introspection.get_constraints(db, "complaints_complaint")
    return next(name for name, c in constraints.items() if c["index"] and c["columns"] == ["group_id"])


def _reload(db) -> None:
    db.execute("ANALYZE sqlite_schema")  # SQLite reads sqlite_stat1 again


@pytest.fixture
def city_statistics(db):
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as db_cursor:
        db_cursor.execute("ANALYZE")  # makes sqlite_stat1
        db_cursor.execute("DELETE FROM sqlite_stat1")
        db_cursor.execute(
            "INSERT INTO sqlite_stat1 VALUES ('complaints_complaint', %s, %s)",
            [_group_index(), GROUPS_INDEX_STAT],
        )
        _reload(db_cursor)
    yield
    with connection.cursor() as db_cursor:
        db_cursor.execute("DELETE FROM sqlite_stat1")
        _reload(db_cursor)


# The plans of the complaint lists' queries, on both databases (api and complaints plan tests).


def page_keys_query(queryset, cursor) -> str:
    """The SQL of the page's first query, which reads the keys of the page (the rows come after, by id)."""
    with CaptureQueriesContext(connection) as queries:
        keyset.page(queryset, NEWEST_FIRST, cursor, 50)
    return queries.captured_queries[0]["sql"]


def reads_an_index_in_order(plan: str, index: str) -> None:
    """The complaints are read through `index` in the list's order: no scan of the table, no sort."""
    if connection.vendor == "postgresql":
        assert "Seq Scan on complaints_complaint" not in plan, plan
        # A full sort is a "Sort" node; an "Incremental Sort" only orders the ids of rows received at once.
        assert not re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE), plan
        assert index in plan, plan
    else:
        assert "TEMP B-TREE" not in plan, plan
        complaints = [line for line in plan.splitlines() if "complaints_complaint" in line]
        assert complaints and all("INDEX" in line for line in complaints), plan
        assert index in plan, plan
