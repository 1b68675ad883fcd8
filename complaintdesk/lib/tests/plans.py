"""The database's plan of a query, for plan tests on both databases (any app's tests may use it)."""

from django.db import connection


def plan_of(sql: str) -> str:
    """The database's plan of `sql`, one line a step."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As on a large table: where PostgreSQL has a way without scanning or sorting, it takes it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
