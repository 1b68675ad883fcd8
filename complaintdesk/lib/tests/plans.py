"""The database's plan of a query, for plan tests on both databases (any app's tests may use it)."""

import pytest
from django.db import connection


def plan_of(sql: str, params=None, *, sorts: bool = False) -> str:
    """The database's plan of `sql` (with `params`, as the database takes them), one line a step. On
    PostgreSQL as on a large table: where it has a way without scanning a table (or, unless the query `sorts`
    by design, without sorting), it takes it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            if not sorts:
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def as_large_on_postgresql(rows: dict[str, int], *, shares: bool = False, visible: bool = False) -> None:
    """PostgreSQL's planner costs each table as holding `rows[table]` rows, with no statistics of its
    columns (each condition then at its default share), until the test's transaction ends. Without it the
    plan is of the test's handful of rows, with whatever statistics autovacuum took during the suite: a
    walk of a few index entries that would be millions at scale may win (CI failed so). PostgreSQL costs a
    table by `pg_class`, its rows a page times the pages it has: the rows go on the table's one page.
    With `shares`, the statistics of the test's own rows (ANALYZE) instead of none: each condition at its
    share of them, e.g. a common word's and a bureau's where the default shares would tie two plans.
    With `visible`, the table's pages as all-visible (vacuumed since its rows last changed), so that an
    index-only scan is costed as reading no table page, as it reads none of a settled table.
    Needs a superuser (the suite's own server has one); nothing on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("needs a superuser to set the planner's statistics (the suite's own server has one)")
        for table, n in rows.items():
            if shares:  # before the sizes: ANALYZE counts the table's rows and pages too
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            # The table and its indexes: a partial index is costed by its own size, taken as the table's
            # (the most its condition can hold).
            cursor.execute(
                "UPDATE pg_class SET reltuples = %s, relpages = 1 WHERE oid = %s::regclass "
                "OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
                [n, table, table],
            )
            if visible:
                cursor.execute("UPDATE pg_class SET relallvisible = 1 WHERE oid = %s::regclass", [table])
            if not shares:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])


def as_large_on_sqlite(rows: dict[str, int], indexes: dict[str, str] | None = None) -> None:
    """SQLite's planner statistics (`sqlite_stat1`) of each table in `rows` as at that many rows, until the
    test's transaction ends: each index given its line of `indexes` (a kept set's own, e.g. "85680 2 1"), an
    index not listed as many rows with the spread of the test's own. Without it SQLite plans for the test's
    handful of rows, or by default guesses. Nothing on PostgreSQL (`as_large_on_postgresql`)."""
    if connection.vendor != "sqlite":
        return
    indexes = indexes or {}
    with connection.cursor() as cursor:
        for table, n in rows.items():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            for index, stat in cursor.fetchall():
                at_scale = indexes.get(index, " ".join([str(n), *stat.split()[1:]]))
                cursor.execute(
                    "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx IS %s", [at_scale, table, index]
                )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics
