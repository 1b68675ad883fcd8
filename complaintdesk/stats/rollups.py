"""Keeping the rollups (models.py) equal to what the raw rows say, one transaction at a time.

How:
1. Each complaint, deadline and commitment tag *contributes* counters to rollup keys: a complaint +1
   `received` on (its local day, shop, category, kind, channel, sector) and +1 on its local hour; a
   deadline +1 `total` on (day, shop, phase, rule), +1 on its outcome so far and, once met, +1 on its
   time bucket (day, shop, phase, bucket); and so on. One function per thing says what it contributes
   (`complaint_contribution`, `deadline_contribution`, …).
2. A change is the contribution after minus the contribution before (`complaint_changed` takes a
   snapshot of the deadlines under the complaint's row lock and diffs it after the action).
3. The sum of the changes is written with one multi-row `INSERT … ON CONFLICT DO UPDATE SET n = n + …`
   per table (SQLite and PostgreSQL speak the same syntax), as the last statement of the complaint's
   transaction, so the hot regulator-wide rows are locked for the shortest time.
4. A bulk import counts its rows by the facts that decide their keys and adds each group at once
   (`grouped`), through the same functions.
5. `recompute()` adds up the contributions of every raw row from scratch with the same functions; the
   property test and `manage.py stats --check` compare it with the tables; `--rebuild` replaces them.

Only the shop's deadlines (`SHOP_PHASES`) count in the shops' tables: the 12315 centre's duties on a complaint
count in the centre's tables (`centre_rollups.py`, kept through the same `Deltas` and `write`).
"""

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from complaintdesk.centre.models import Rating
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.deadlines.models import CENTRE_PHASES, SHOP_PHASES, Deadline
from complaintdesk.lib import sql
from complaintdesk.pledges.models import ComplaintCommitment
from complaintdesk.stats import buckets, centre_rollups, periods
from complaintdesk.stats.models import (
    ALL_CATEGORIES,
    ALL_SHOPS,
    CentreCount,
    CentreDutyCount,
    CentreDutyMonthCount,
    CentreMonthCount,
    CentreTransferCount,
    CentreValueCount,
    CentreValueMonthCount,
    CommitmentCount,
    ComplaintCount,
    ComplaintMonthCount,
    DeadlineCount,
    DeadlineMonthCount,
    HourCount,
    RatingCount,
    ResponseTimeCount,
    ResponseTimeMonthCount,
    ShopCount,
    ShopMonthCount,
)

TERMINAL = frozenset({"resolved", "closed", "withdrawn"})


@dataclass(frozen=True)
class Table:
    model: type
    keys: tuple[str, ...]  # the shop (the bureau in the centre's tables) is always the second key
    counters: tuple[str, ...]


TABLES = {
    "complaints": Table(
        ComplaintCount,
        ("day", "shop", "category", "kind", "channel", "sector"),
        ("received", "resolved", "finished"),
    ),
    "shops": Table(ShopCount, ("day", "shop"), ("received", "resolved", "finished")),
    "deadlines": Table(
        DeadlineCount,
        ("day", "shop", "phase", "rule"),
        ("total", "met_in_time", "met_late", "cancelled", "paused"),
    ),
    "response": Table(ResponseTimeCount, ("day", "shop", "phase", "bucket"), ("n",)),
    "complaints_by_month": Table(
        ComplaintMonthCount,
        ("day", "shop", "category", "kind", "channel", "sector"),
        ("received", "resolved", "finished"),
    ),
    "shops_by_month": Table(ShopMonthCount, ("day", "shop"), ("received", "resolved", "finished")),
    "deadlines_by_month": Table(
        DeadlineMonthCount,
        ("day", "shop", "phase", "rule"),
        ("total", "met_in_time", "met_late", "cancelled", "paused"),
    ),
    "response_by_month": Table(ResponseTimeMonthCount, ("day", "shop", "phase", "bucket"), ("n",)),
    "commitments": Table(CommitmentCount, ("day", "shop", "number"), ("n",)),
    "hours": Table(HourCount, ("hour", "shop", "category"), ("n",)),
    "ratings": Table(RatingCount, ("day", "shop"), ("n", "score")),
    "centre": Table(
        CentreCount,
        ("day", "bureau", "kind", "via", "channel", "state", "ground"),
        ("n", "accepted", "amount_fen"),
    ),
    "centre_duties": Table(
        CentreDutyCount,
        ("day", "bureau", "phase"),
        ("total", "met_in_time", "met_late", "cancelled", "paused"),
    ),
    "centre_values": Table(CentreValueCount, ("day", "bureau", "measure", "value"), ("n",)),
    "centre_transfers": Table(CentreTransferCount, ("day", "bureau", "direction", "other"), ("n",)),
    "centre_by_month": Table(
        CentreMonthCount,
        ("day", "bureau", "kind", "via", "channel", "state", "ground"),
        ("n", "accepted", "amount_fen"),
    ),
    "centre_duties_by_month": Table(
        CentreDutyMonthCount,
        ("day", "bureau", "phase"),
        ("total", "met_in_time", "met_late", "cancelled", "paused"),
    ),
    "centre_values_by_month": Table(CentreValueMonthCount, ("day", "bureau", "measure", "value"), ("n",)),
}


_COUNTER_INDEX = {name: {c: i for i, c in enumerate(t.counters)} for name, t in TABLES.items()}
# The tables kept by calendar month too (models.py): each addition to a day's row adds to its month's.
BY_MONTH = {
    "complaints": "complaints_by_month",
    "shops": "shops_by_month",
    "deadlines": "deadlines_by_month",
    "response": "response_by_month",
    "centre": "centre_by_month",
    "centre_duties": "centre_duties_by_month",
    "centre_values": "centre_values_by_month",
}


class Deltas:
    """Counter changes by table and key, summed in memory before one write per table."""

    def __init__(self):
        self.rows = {name: defaultdict(lambda t=t: [0] * len(t.counters)) for name, t in TABLES.items()}
        # Each centre matter's share, when recomputed from scratch (`centre_rollups.recompute`).
        self.ledger: dict[tuple[str, int], list] = {}

    def add(self, table: str, key: tuple, counter: str, n: int = 1, all_shops: bool = True) -> None:
        index = _COUNTER_INDEX[table][counter]
        self.rows[table][key][index] += n
        if all_shops and key[1] != ALL_SHOPS:
            self.rows[table][(key[0], ALL_SHOPS, *key[2:])][index] += n
        if table in BY_MONTH:
            self.add(BY_MONTH[table], (key[0].replace(day=1), *key[1:]), counter, n, all_shops)

    def nonzero(self, table: str) -> dict[tuple, list[int]]:
        return {k: v for k, v in self.rows[table].items() if any(v)}


# --------------------------------------------------------------------------------- contributions


@dataclass(frozen=True)
class ComplaintFacts:
    received_at: datetime
    merchant_id: int
    category_id: int
    kind: str
    channel: str
    sector: str

    @classmethod
    def of(cls, c) -> "ComplaintFacts":
        return cls(c.received_at, c.merchant_id, c.category_id, c.kind, c.channel, c.sector)


@dataclass(frozen=True)
class DeadlineFacts:
    phase: str
    rule: str
    status: str
    met_at: datetime | None
    due_at: datetime
    starts_at: datetime

    FIELDS = ("phase", "rule_label", "status", "met_at", "due_at", "starts_at")

    @classmethod
    def of(cls, d) -> "DeadlineFacts":
        return cls(d.phase, d.rule_label, d.status, d.met_at, d.due_at, d.starts_at)


def deadline_outcome(status: str, met_at: datetime | None, due_at: datetime) -> str | None:
    """The outcome counter a deadline adds to; None while it runs or once it was missed."""
    if met_at is not None:
        return "met_in_time" if met_at <= due_at else "met_late"
    if status == "met":  # imported as met by the source's own timeliness flag, time unknown
        return "met_in_time"
    if status in ("cancelled", "paused"):
        return status
    return None


def complaint_contribution(
    deltas: Deltas, c: ComplaintFacts, resolved: bool, finished: bool, sign: int = 1
) -> None:
    day = periods.local_day(c.received_at)
    key = (day, c.merchant_id, c.category_id, c.kind, c.channel, c.sector)
    for table, k in (("complaints", key), ("shops", (day, c.merchant_id))):
        deltas.add(table, k, "received", sign)
        if resolved:
            deltas.add(table, k, "resolved", sign)
        if finished:
            deltas.add(table, k, "finished", sign)
    hour = periods.local_hour(c.received_at)
    deltas.add("hours", (hour, c.merchant_id, c.category_id), "n", sign, all_shops=False)
    deltas.add("hours", (hour, c.merchant_id, ALL_CATEGORIES), "n", sign)


def deadline_contribution(deltas: Deltas, c: ComplaintFacts, d: DeadlineFacts, sign: int = 1) -> None:
    if d.phase not in SHOP_PHASES:
        return  # the centre's duty or the consumer's rating window: no figure of the shop's
    day = periods.local_day(c.received_at)
    key = (day, c.merchant_id, d.phase, d.rule)
    deltas.add("deadlines", key, "total", sign)
    outcome = deadline_outcome(d.status, d.met_at, d.due_at)
    if outcome:
        deltas.add("deadlines", key, outcome, sign)
    if d.met_at is not None:
        bucket = buckets.bucket_of(d.met_at - d.starts_at)
        deltas.add("response", (day, c.merchant_id, d.phase, bucket), "n", sign)


def commitment_contribution(deltas: Deltas, c: ComplaintFacts, number: int, sign: int = 1) -> None:
    deltas.add("commitments", (periods.local_day(c.received_at), c.merchant_id, number), "n", sign)


def rating_contribution(
    deltas: Deltas, merchant_id: int, rated_at: datetime, score: int, sign: int = 1
) -> None:
    """A consumer's rating of a complaint of the shop: one more rating and its score, on the day it was given."""
    key = (periods.local_day(rated_at), merchant_id)
    deltas.add("ratings", key, "n", sign)
    deltas.add("ratings", key, "score", score * sign)


def grouped(complaints: Counter, deadlines: Counter) -> Deltas:
    """The contributions of many rows at once (a bulk import), counted by the facts that decide their
    keys: each distinct group contributes through the same functions as one row, `n` times over.

    Complaint groups: (received_at, merchant_id, category_id, kind, channel, sector, state); `resolved`
    when the state is resolved, as it is for an imported complaint, whose one event leads to its state.
    Deadline groups: (received_at, merchant_id, phase, rule label, status, met_at, due_at, starts_at)."""
    deltas = Deltas()
    for (received_at, shop, category, kind, channel, sector, state), n in complaints.items():
        facts = ComplaintFacts(received_at, shop, category, kind, channel, sector)
        complaint_contribution(deltas, facts, state == "resolved", state in TERMINAL, sign=n)
    for (received_at, shop, *deadline), n in deadlines.items():
        # A deadline's keys take only the complaint's day and shop from its facts.
        facts = ComplaintFacts(received_at, shop, 0, "", "", "")
        deadline_contribution(deltas, facts, DeadlineFacts(*deadline), sign=n)
    return deltas


# --------------------------------------------------------------------------------- the live hooks


def snapshot(complaint) -> dict[int, DeadlineFacts]:
    """The complaint's deadlines as the rollups see them (take it under the complaint's row lock)."""
    rows = complaint.deadlines.model.objects.filter(complaint_id=complaint.pk).values_list(
        "id", *DeadlineFacts.FIELDS
    )
    return {row[0]: DeadlineFacts(*row[1:]) for row in rows}


def complaint_filed(complaint, deadlines: Iterable) -> None:
    """A new complaint, with the deadlines set at intake (in the intake transaction)."""
    deltas = Deltas()
    facts = ComplaintFacts.of(complaint)
    complaint_contribution(deltas, facts, resolved=False, finished=complaint.state in TERMINAL)
    for d in deadlines:
        deadline_contribution(deltas, facts, DeadlineFacts.of(d))
    write(deltas)


def complaint_changed(complaint, before_state: str, before: dict[int, DeadlineFacts]) -> None:
    """After an action: the state change and every deadline change since `before` (same transaction). A
    complaint at the centre has its centre figures refreshed first: the action may have changed its duties
    by bulk UPDATEs that no signal sees."""
    after = snapshot(complaint)
    if any(f.phase in CENTRE_PHASES for f in (*before.values(), *after.values())):
        centre_rollups.refresh(complaint_id=complaint.pk)
    deltas = Deltas()
    facts = ComplaintFacts.of(complaint)
    for deadline_id in before.keys() | after.keys():
        old, new = before.get(deadline_id), after.get(deadline_id)
        if old == new:
            continue
        if old is not None:
            deadline_contribution(deltas, facts, old, -1)
        if new is not None:
            deadline_contribution(deltas, facts, new, +1)
    day = periods.local_day(facts.received_at)
    key = (day, facts.merchant_id, facts.category_id, facts.kind, facts.channel, facts.sector)
    for table, k in (("complaints", key), ("shops", (day, facts.merchant_id))):
        if complaint.state == "resolved" and before_state != "resolved":
            deltas.add(table, k, "resolved")
        if complaint.state in TERMINAL and before_state not in TERMINAL:
            deltas.add(table, k, "finished")
    write(deltas)


# --------------------------------------------------------------------------------- writing


@functools.cache
def _upsert(name: str, vendor: str, rows: int) -> str:
    """The upsert of `rows` keys into table `name` (built once: it runs in every filing)."""
    q = connection.ops.quote_name
    table = TABLES[name]
    db_table = q(table.model._meta.db_table)
    columns = table.keys + table.counters
    updates = ", ".join(f"{q(c)} = {db_table}.{q(c)} + excluded.{q(c)}" for c in table.counters)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {db_table} ({', '.join(q(c) for c in columns)}) "
        f"VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({', '.join(q(k) for k in table.keys)}) DO UPDATE SET {updates}"
    )


def write(deltas: Deltas, chunk: int = 300) -> None:
    """Add the deltas to the tables: one upsert statement per table (and per `chunk` keys), the rows in
    key order (the same lock order in every transaction). Each distinct date or hour in the keys is
    adapted for the database once: an import batch writes thousands of rows over a few days."""
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
        for name in TABLES:
            rows = sorted(
                (*map(adapt, key), *counters) for key, counters in deltas.rows[name].items() if any(counters)
            )
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                cursor.execute(_upsert(name, connection.vendor, len(part)), [v for row in part for v in row])


# --------------------------------------------------------------------------------- from scratch


def recompute(chunk_size: int = 5000) -> Deltas:
    """Every rollup counter, added up from the raw complaint, deadline, event and tag rows, and the
    centre's from its cases, reports, enquiries, duties and ratings (`deltas.ledger`: each one's share)."""
    deltas = Deltas()
    facts: dict[int, ComplaintFacts] = {}
    resolved = set(
        ComplaintEvent.objects.filter(to_state="resolved").values_list("complaint_id", flat=True).distinct()
    )
    fields = ("id", "received_at", "merchant_id", "category_id", "kind", "channel", "sector", "state")
    for row in Complaint.objects.order_by().values_list(*fields).iterator(chunk_size=chunk_size):
        f = ComplaintFacts(*row[1:7])
        facts[row[0]] = f
        complaint_contribution(deltas, f, resolved=row[0] in resolved, finished=row[7] in TERMINAL)
    shop_deadlines = Deadline.objects.filter(phase__in=SHOP_PHASES).order_by()
    deadline_rows = shop_deadlines.values_list("complaint_id", *DeadlineFacts.FIELDS)
    for row in deadline_rows.iterator(chunk_size=chunk_size):
        deadline_contribution(deltas, facts[row[0]], DeadlineFacts(*row[1:]))
    tags = ComplaintCommitment.objects.order_by().values_list("complaint_id", "number")
    for complaint_id, number in tags.iterator(chunk_size=chunk_size):
        commitment_contribution(deltas, facts[complaint_id], number)
    ratings = Rating.objects.order_by().values_list("complaint_id", "created_at", "score")
    for complaint_id, rated_at, score in ratings.iterator(chunk_size=chunk_size):
        rating_contribution(deltas, facts[complaint_id].merchant_id, rated_at, score)
    deltas.ledger = centre_rollups.recompute(deltas, chunk_size)
    return deltas


def stored() -> dict[str, dict[tuple, list[int]]]:
    """The rollup tables as {table: {key: counters}}, rows of zeros left out (they mean nothing)."""
    out = {}
    for name, table in TABLES.items():
        rows = table.model.objects.values_list(*table.keys, *table.counters)
        n = len(table.keys)
        out[name] = {tuple(r[:n]): list(r[n:]) for r in rows.iterator() if any(r[n:])}
    return out


def differences(limit: int = 20) -> list[str]:
    """Where the stored rollups differ from a recomputation (empty when they agree)."""
    fresh = recompute()
    have = stored()
    problems = []
    for name in TABLES:
        want = fresh.nonzero(name)
        for key in sorted(want.keys() | have[name].keys(), key=lambda k: tuple(map(str, k))):
            if want.get(key) != have[name].get(key):
                problems.append(f"{name} {key}: stored {have[name].get(key)}, raw rows say {want.get(key)}")
                if len(problems) >= limit:
                    return problems
    have_ledger = centre_rollups.stored_ledger()
    for owner in sorted(fresh.ledger.keys() | have_ledger.keys()):
        if fresh.ledger.get(owner) != have_ledger.get(owner):
            problems.append(
                f"centre ledger {owner}: stored {have_ledger.get(owner)}, raw rows say {fresh.ledger.get(owner)}"
            )
            if len(problems) >= limit:
                return problems
    return problems


def rebuild() -> int:
    """Replace every rollup with a recomputation from raw rows. Returns the number of rows written."""
    deltas = recompute()
    with transaction.atomic():
        for table in TABLES.values():
            table.model.objects.all().delete()
        write(deltas, chunk=500)
        centre_rollups.replace_ledger(deltas.ledger)
    return sum(len(deltas.nonzero(name)) for name in TABLES)
