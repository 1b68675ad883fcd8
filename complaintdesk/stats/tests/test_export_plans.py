"""A long download's first row comes at once: its query reads the complaints in the list's order through an
index, never every row of the period sorted first.

With the shops joined, SQLite's planner could read the period shop by shop (through each shop's index of
received times) and sort all of it before the first row: 4–6 s for the regulator's year at 1 M complaints,
ten times that at 10 M. The shop's name and platform are read by their key instead (`exports._shop_column`);
`test_streamed_exports` shows the rows hold what they held. Nor does an XLSX download count its rows before
its first byte: it asks whether one stands after the most a sheet holds.
"""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import exports, periods

YEAR = periods.Period.parse(date(2025, 12, 1), date(2026, 11, 30))


def _rows_query(monkeypatch, make_rows) -> tuple[str, tuple]:
    """The SQL and parameters of the one query that a download's rows are read from."""
    read = []
    monkeypatch.setattr(exports, "_read", lambda rows: read.append(rows) or iter(()))
    list(make_rows())
    (rows,) = read
    return rows.query.sql_with_params()


def _plan(sql: str, params: tuple) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As on a large table: where PostgreSQL has a way without scanning or sorting, it takes it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _regulators_year(people):
    start, end = YEAR.instants()
    complaints = (
        visible_complaints(people.rita)
        .filter(received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
    )
    return exports.complaint_rows(complaints, people.rita)


def _open_data(_people):
    return exports.open_data_rows(exports.open_data_complaints(YEAR))


@pytest.mark.django_db
@pytest.mark.parametrize("download", [_regulators_year, _open_data], ids=["complaint list", "open data"])
def test_a_periods_download_reads_the_shops_by_key_in_received_order_without_sorting(
    people, monkeypatch, download
):
    sql, params = _rows_query(monkeypatch, lambda: download(people))
    assert 'JOIN "merchants_merchant"' not in sql, sql
    plan = _plan(sql, params)
    assert "received_at" in plan, plan
    # PostgreSQL's index of received times holds no id: it sorts the complaints of one same instant
    # (an incremental sort, streaming), never the whole period.
    assert "TEMP B-TREE" not in plan and not re.search(r"(?<!Incremental )Sort  \(", plan), plan


@pytest.mark.django_db
def test_a_list_too_long_for_one_sheet_is_refused_without_counting_every_row(people, monkeypatch, api):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    query = {"start": "2026-03-01", "end": "2026-03-31", "table": "complaints", "format": "xlsx"}
    client = api(people.rita)

    def download():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/stats/export", query)
        assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
        return response

    for day in (2, 3):
        with time_machine.travel(f"2026-03-{day:02d} 10:00 +0800", tick=False):
            factories.complaint(people.alice, people.acme)
    assert download().status_code == 200  # as many rows as the sheet holds
    with time_machine.travel("2026-03-04 10:00 +0800", tick=False):
        factories.complaint(people.alice, people.acme)
    refused = download()
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "format"
    assert client.get("/stats/export", {**query, "format": "csv"}).getvalue().count(b"\n") == 4
