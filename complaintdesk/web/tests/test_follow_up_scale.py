"""The follow-up page at a national centre's size (issue 15): the week's closings are found from the closing
events' own index by time, not from every complaint nor every event; the sample reads the rows of the few it shows; the week's calls come a
page at a time in their index's order. The same number of queries whatever the week holds."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import BigIntegerField, Value
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre.models import FollowUpCall
from complaintdesk.complaints import followup
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests.test_followup import IN_WEEK, MONDAY, closed_complaint, decided_matter
from complaintdesk.web.paging import PER_PAGE

NEXT_WEEK = IN_WEEK + timedelta(days=6)


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As on a large table: where PostgreSQL has a way without scanning or sorting, it takes it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _queries(run) -> list[dict]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return captured.captured_queries


def _call(people, item, n: int) -> None:
    FollowUpCall.objects.create(
        complaint=item,
        officer=people.rita,
        called_at=IN_WEEK + timedelta(hours=1, minutes=n),
        outcome="partly",
    )


@pytest.mark.django_db
def test_the_weeks_closings_are_read_from_the_closings_index_not_from_the_complaints(people):
    """A range of the closings' partial index (an eighth of the week's events), covering what is read."""
    closed_complaint(people, 1)
    sql, params = (
        followup.closing_events(MONDAY).values_list("complaint_id", "created_at").query.sql_with_params()
    )
    assert 'complaints_complaint"' not in sql  # the events alone: no join of the complaints
    plan = _plan(sql, params)
    assert "complaint_event_closed" in plan, plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX complaint_event_closed" in plan, plan  # no row of the events read
        assert "SCAN complaints_complaintevent" not in plan, plan
    else:
        assert "Seq Scan" not in plan, plan


@pytest.mark.django_db
def test_the_calls_of_a_week_are_read_in_the_order_of_their_time_index(people):
    calls = followup.calls_in(MONDAY)
    sql, params = calls[:PER_PAGE].query.sql_with_params()
    plan = _plan(sql, params)
    assert "followupcall_by_time" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Seq Scan on centre_followupcall" not in plan, plan


@pytest.mark.django_db
def test_the_page_asks_as_many_queries_for_a_full_week_as_for_a_quiet_one(browser_of, people):
    def page_queries() -> int:
        with time_machine.travel(NEXT_WEEK + timedelta(days=1), tick=False):
            browser = browser_of(people.rita)
            browser.get("/console/follow-up/")  # the session and the user read once
            return len(_queries(lambda: browser.get("/console/follow-up/")))

    first = closed_complaint(people, 0)
    decided_matter(people, contact_phone="13800000000")
    _call(people, first, 0)
    quiet = page_queries()
    for n in range(1, 8):
        _call(people, closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n)), n)
    for n in range(3):
        decided_matter(people, contact_phone=f"1380000000{n}")
    assert page_queries() == quiet


@pytest.mark.django_db
def test_the_sample_reads_the_rows_of_a_batch_not_of_every_closing(people, settings, monkeypatch):
    settings.FOLLOW_UP_SAMPLE_SIZE = 2
    monkeypatch.setattr(followup, "SAMPLE_BATCH", 3)
    for n in range(9):
        closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n))
    everyone = [c.item.pk for c in followup.sample(MONDAY, size=100)]
    queries = _queries(lambda: followup.sample(MONDAY))
    rows = [q for q in queries if q["sql"].startswith('SELECT "complaints_complaint"."id"')]
    assert len(rows) == 1  # the first batch held enough
    assert [c.item.pk for c in followup.sample(MONDAY)] == everyone[:2]


@pytest.mark.django_db
def test_the_database_ranks_the_weeks_closings_and_hands_over_a_batch(people, settings, monkeypatch):
    """Ranking every closing of the week in Python read ~54,000 ids and hashed each (~450 ms at 10 M
    complaints): the database ranks them and returns the first batch; the instants shown are read for the
    batch only."""
    settings.FOLLOW_UP_SAMPLE_SIZE = 2
    monkeypatch.setattr(followup, "SAMPLE_BATCH", 3)
    closed = [closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n)) for n in range(7)]
    sampled = followup.sample(MONDAY)
    events = [
        q["sql"] for q in _queries(lambda: followup.sample(MONDAY)) if "complaints_complaintevent" in q["sql"]
    ]
    ranked = [sql for sql in events if '"complaint_id" IN (' not in sql]
    assert len(ranked) == 1 and ranked[0].endswith("LIMIT 3"), ranked
    # The instants shown: when each was closed (withdrawn) in the week.
    withdrawn = {c.pk: IN_WEEK + timedelta(minutes=n) for n, c in enumerate(closed)}
    assert len(sampled) == 2 and [s.closed_at for s in sampled] == [withdrawn[s.item.pk] for s in sampled]


@pytest.mark.django_db
def test_the_weeks_closings_are_ranked_on_the_closings_index(people):
    closed_complaint(people, 1)
    _ranked = followup.closing_events(MONDAY).annotate(
        rank=followup._rank_of("complaint_id", MONDAY, "complaint")
    )
    sql, params = _ranked.order_by("rank").values_list("rank", "complaint_id")[:200].query.sql_with_params()
    plan = _plan(sql, params)
    assert "complaint_event_closed" in plan, plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX complaint_event_closed" in plan, plan  # no row of the events read


@pytest.mark.django_db
def test_the_database_ranks_as_the_rank_says_across_batches_and_kinds(people, settings, monkeypatch):
    """SQLite and PostgreSQL compute `followup.rank` exactly (ids beyond 32 bits too); the walk a batch at a
    time, complaints and matters merged, is the order of the ranks whatever the batch."""
    for n in range(5):
        closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n))
    for n in range(4):
        decided_matter(people, contact_phone=f"1380000000{n}")
    big = [2**31 - 2, 2**31 + 5, 2**40 + 7, 10**12 + 39]
    for pk in big:
        value = Value(pk, output_field=BigIntegerField())
        rows = ComplaintEvent.objects.annotate(pk_=value, rank=followup._rank_of("pk_", MONDAY, "matter"))[:1]
        assert rows.values_list("rank", flat=True)[0] == followup.rank(MONDAY, "matter", pk)
    everyone = followup.sample(MONDAY, size=100)
    expected = sorted(everyone, key=lambda c: (followup.rank(MONDAY, c.kind, c.item.pk), c.kind, c.item.pk))
    assert len(everyone) == 9 and everyone == expected
    monkeypatch.setattr(followup, "SAMPLE_BATCH", 1)
    assert followup.sample(MONDAY, size=100) == everyone


@pytest.mark.django_db
def test_a_districts_sample_reads_the_batch_by_id_and_checks_the_bureau_on_each_row(people, settings):
    """A condition on the bureau let SQLite walk every complaint of the district by its bureau index in
    search of a batch of 200 ids (0.5 s at 10 M complaints): the rows are read by id, the bureau compared on
    each."""
    settings.FOLLOW_UP_SAMPLE_SIZE = 2
    closed = [closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n)) for n in range(3)]
    bureau = closed[0].bureau_id
    queries = _queries(lambda: followup.sample(MONDAY, bureau=bureau))
    rows = [q["sql"] for q in queries if q["sql"].startswith('SELECT "complaints_complaint"."id"')]
    assert rows and all('"complaints_complaint"."bureau_id" =' not in sql for sql in rows), rows
    assert len(followup.sample(MONDAY, bureau=bureau)) == 2
    assert followup.sample(MONDAY, bureau=bureau + 1000) == []
