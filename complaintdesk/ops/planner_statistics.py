"""The query planner's statistics, kept fresh by the worker.

PostgreSQL's autovacuum analyses a table as it grows. SQLite analyses nothing by itself: without
`sqlite_stat1`, or with a picture from when the table was a tenth of its size, its planner may walk every
complaint of a bureau or a shop where a page of an index would do (the lists' plans at 10 M complaints rest
on statistics; docs/scaling.md). SQLite's advice for a long-running application is to refresh them every few
hours. With `analysis_limit` ANALYZE samples an index instead of reading it, and one index at a time keeps
each write transaction short: on the 10 M set, 190 indexes in 0.9 s with the pages cached, none over 30 ms
(a whole-database ANALYZE held the write lock for 2.7 s warm and 18 s cold, which a filing would wait for)."""

import threading
import time

from django.db import connection

RUN_EVERY_SECONDS = 6 * 3600
# Rows sampled per index: what `PRAGMA optimize` uses, and enough for the planner's choices here.
ANALYSIS_LIMIT = 1000

_lock = threading.Lock()
_last_run = {"at": None}


def run_if_due() -> bool:
    """The worker's call: refresh when this process has not done so for RUN_EVERY_SECONDS (and once when
    it starts). Returns whether it ran. The time is taken first, so a failing run is not retried at once."""
    with _lock:
        last = _last_run["at"]
        if last is not None and time.monotonic() - last < RUN_EVERY_SECONDS:
            return False
        _last_run["at"] = time.monotonic()
    return refresh()


def refresh() -> bool:
    """Sample every index into SQLite's statistics, one at a time. Nothing on PostgreSQL (autovacuum's job)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")
        for (index,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(index)}")
    return True


def forget_last_run() -> None:
    """Let the next `run_if_due` run at once (tests)."""
    with _lock:
        _last_run["at"] = None
