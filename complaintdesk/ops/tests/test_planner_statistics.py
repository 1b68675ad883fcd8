"""The worker keeps SQLite's planner statistics fresh (PostgreSQL's autovacuum does it there)."""

import pytest
from django.db import connection

from complaintdesk.complaints.tests import factories
from complaintdesk.ops import planner_statistics

pytestmark = pytest.mark.django_db


def _statistics_of(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        return dict(cursor.fetchall())


@pytest.fixture
def fresh_worker():
    planner_statistics.forget_last_run()
    yield
    planner_statistics.forget_last_run()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statistics table")
def test_a_worker_samples_every_index_when_it_starts_then_every_few_hours(people, fresh_worker, monkeypatch):
    for _ in range(3):
        factories.complaint(people.alice, people.acme)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert planner_statistics.run_if_due() is True
    stats = _statistics_of("complaints_complaint")
    assert "complaint_shop_newest" in stats
    assert stats["complaint_shop_newest"].split()[0] == "3"  # the rows the index holds

    factories.complaint(people.alice, people.acme)
    assert planner_statistics.run_if_due() is False  # not again within the hours
    assert _statistics_of("complaints_complaint")["complaint_shop_newest"].split()[0] == "3"

    later = planner_statistics.time.monotonic() + planner_statistics.RUN_EVERY_SECONDS + 1
    monkeypatch.setattr(planner_statistics.time, "monotonic", lambda: later)
    assert planner_statistics.run_if_due() is True
    assert _statistics_of("complaints_complaint")["complaint_shop_newest"].split()[0] == "4"


def test_postgresql_is_left_to_autovacuum(fresh_worker):
    assert planner_statistics.refresh() is (connection.vendor == "sqlite")
