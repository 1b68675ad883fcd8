"""The rollup contributions of many complaints at once: what a bulk import adds to the statistics.

`rollups.complaint_contribution` and `rollups.deadline_contribution` say what one complaint and one
deadline add; calling them once per imported row costs more than the import itself. Here the rows are
first counted by the facts that decide their keys (a `Counter` of plain tuples, counted in C), then
each distinct group adds `n` at once, straight into plain dicts, and each table is written with one
`executemany` of upserts. The keys and counters are the ones those two functions produce (the test
`test_bulk_rollups_equal_the_per_row_contributions` holds them to it; `rollups.differences()` after
an import checks the tables).

Complaint groups: (received_at, merchant_id, category_id, kind, channel, sector, state); `resolved`
means the state is resolved, as it is for an imported complaint whose one event leads to its state.
Deadline groups: (received_at, merchant_id, phase, rule label, status, met_at, due_at, starts_at).
"""

from collections import Counter
from datetime import date, datetime

from django.db import connection

from complaintdesk.lib import sql
from complaintdesk.stats import buckets, periods, rollups
from complaintdesk.stats.models import ALL_CATEGORIES, ALL_SHOPS


class Local:
    """The local day and hour of instants, each distinct instant converted once."""

    def __init__(self):
        self.zone = periods.zone()
        self.seen: dict[datetime, tuple[date, datetime]] = {}

    def __call__(self, instant: datetime) -> tuple[date, datetime]:
        try:
            return self.seen[instant]
        except KeyError:
            local = instant.astimezone(self.zone)
            out = self.seen[instant] = (local.date(), local.replace(minute=0, second=0, microsecond=0))
            return out


def contributions(complaints: Counter, deadlines: Counter, local: Local | None = None) -> dict:
    """{table: {key: counters}} for `rollups.TABLES`, from the counted groups (see the module doc)."""
    local = local or Local()
    terminal = rollups.TERMINAL
    out = {name: {} for name in rollups.TABLES}
    counts, shops, hours = out["complaints"], out["shops"], out["hours"]
    for (received_at, shop, category, kind, channel, sector, state), n in complaints.items():
        day, hour = local(received_at)
        resolved = n if state == "resolved" else 0
        finished = n if state in terminal else 0
        for table, key in (
            (counts, (day, shop, category, kind, channel, sector)),
            (counts, (day, ALL_SHOPS, category, kind, channel, sector)),
            (shops, (day, shop)),
            (shops, (day, ALL_SHOPS)),
        ):
            c = table.get(key)
            if c is None:
                table[key] = [n, resolved, finished]
            else:
                c[0] += n
                c[1] += resolved
                c[2] += finished
        for key in ((hour, shop, category), (hour, shop, ALL_CATEGORIES), (hour, ALL_SHOPS, ALL_CATEGORIES)):
            c = hours.get(key)
            if c is None:
                hours[key] = [n]
            else:
                c[0] += n
    counters = rollups.TABLES["deadlines"].counters
    response = out["response"]
    for (received_at, shop, phase, rule, status, met_at, due_at, starts_at), n in deadlines.items():
        day = local(received_at)[0]
        outcome = rollups.deadline_outcome(status, met_at, due_at)
        at = counters.index(outcome) if outcome else None
        for key in ((day, shop, phase, rule), (day, ALL_SHOPS, phase, rule)):
            c = out["deadlines"].setdefault(key, [0] * len(counters))
            c[0] += n
            if at is not None:
                c[at] += n
        if phase == "first_response" and met_at is not None:
            bucket = buckets.bucket_of(met_at - starts_at)
            for key in ((day, shop, bucket), (day, ALL_SHOPS, bucket)):
                c = response.setdefault(key, [0])
                c[0] += n
    return out


def write(tables: dict) -> None:
    """Add the counters to the rollup tables: per table one `executemany` of upserts, in key order (the
    lock order `rollups.write` uses too). Dates and hours are adapted for the database once each."""
    q = connection.ops.quote_name
    adapted: dict = {}

    def adapt(value):
        if type(value) is int or type(value) is str:
            return value
        try:
            return adapted[value]
        except KeyError:
            out = adapted[value] = sql.adapt(value)
            return out

    with connection.cursor() as cursor:
        for name, table in rollups.TABLES.items():
            counted = tables.get(name)
            if not counted:
                continue
            rows = sorted((*map(adapt, key), *c) for key, c in counted.items() if any(c))
            db_table = q(table.model._meta.db_table)
            columns = table.keys + table.counters
            updates = ", ".join(f"{q(c)} = {db_table}.{q(c)} + excluded.{q(c)}" for c in table.counters)
            cursor.executemany(
                f"INSERT INTO {db_table} ({', '.join(q(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT ({', '.join(q(k) for k in table.keys)}) DO UPDATE SET {updates}",
                rows,
            )
