"""Worker benchmark: one deadline pass with nothing due at 10k and 1M open complaints, and 10k escalations.

    .venv/bin/python bench/sweep.py [--sizes 10000,1000000] [--db sqlite,postgres] [--passes 20]
                                    [--escalations 10000] [--no-outbox-history] [--json FILE]

Quick check: `--sizes 2000,20000 --escalations 500 --passes 5` (about 2 minutes). The full run takes
about 9 minutes on 2 cores.

For each database (SQLite, then PostgreSQL) and each size N this script runs, in a child process of its
own (settings are read at import) on a fresh database (SQLite: a temporary DATA_DIR; PostgreSQL: a new
database on DATABASE_URL's server, or on a throwaway server from `scripts/pg_throwaway.sh`):

1. `migrate`, `seed_demo` (shops, staff with e-mail addresses, consumers, 200 complaints), and one
   `run_once()` that drains whatever the demo data has due;
2. bulk-loads N open complaints (executemany on SQLite, COPY on PostgreSQL) with their deadlines —
   first response, reply for quality issues, resolution — every `next_check_at` and `due_at` at least an
   hour ahead and spread over the next six weeks, then ANALYZE;
3. times `--passes` calls of the worker's `run_once()` (after 3 warm-up calls), each finding nothing due,
   and also `sweep.sweep(now)` alone; prints the query plan of the sweep's due query (and of the outbox's);
4. unless --no-outbox-history, adds N delivered notifications (one per complaint, as a live system keeps
   them) to the outbox and times `run_once()` again: the pass also runs the outbox's due query.

The target is large/small < 3 for the median pass: the due query must be an index range scan.

Then, per database, on another fresh database: the demo data plus `--escalations` complaints whose first
response deadline passed (reminder not sent), one timed `run_once()` that breaches, escalates and notifies
them all (e-mail through Django's dummy backend), and a check that exactly that many breach events, breached
deadlines, escalated complaints and sent e-mails exist; then idle passes again.

Exit status 1 when a check fails (a pass that found work, a wrong breach count); a missed ratio target is
reported, not failed, unless `--check-target`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from machine import PYTHON, ROOT, BenchError, Postgres, machine_info  # bench/ is on sys.path

TARGET_RATIO = 3.0
BATCH = 20_000
WARMUP_PASSES = 3
# Nothing seeded for the idle passes comes due before this; the whole run takes far less.
MARGIN = timedelta(hours=1)


# ============================================================================================ child side


def log(label: str, message: str) -> None:
    print(f"  [{label}] {message}", file=sys.stderr, flush=True)


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    if hasattr(value, "obj") and type(value).__name__ in ("Json", "Jsonb"):  # psycopg's JSON wrappers
        value = json.dumps(value.obj)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Loader:
    """Bulk-loads open complaints and their deadlines, bypassing `file_complaint` (far too slow for 1M).

    SQLite gets executemany, PostgreSQL COPY in text format (rows built as strings here). The tables'
    secondary indexes are dropped first and rebuilt from their own definitions afterwards, which is much
    faster than maintaining them row by row; primary keys and unique constraints stay in place."""

    def __init__(self, seed: int) -> None:
        from complaintdesk.accounts.models import Role, User  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.complaints.choices import Channel, Kind, Sector, State, WantedOutcome  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.complaints.models import Category, Complaint  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.deadlines.services import active_policy  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.merchants.models import Merchant  # noqa: PLC0415 - after child_main's django.setup()
        from complaintdesk.notify.models import ChannelKind, OutboxMessage, OutboxStatus  # noqa: PLC0415 - after child_main's django.setup()

        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        # On PostgreSQL every value in a row is already COPY text; on SQLite it is the parameter itself.
        conv = (lambda v: v) if self.sqlite else copy_text
        self.rng = random.Random(seed)
        self.Complaint, self.Deadline = Complaint, Deadline
        self.merchants = [conv(m) for m in Merchant.objects.order_by("id").values_list("id", flat=True)]
        self.consumers = [
            conv(u) for u in User.objects.filter(role=Role.CONSUMER).values_list("id", flat=True)
        ]
        self.categories = [
            (conv(pk), code in ("quality", "after_sales_repair"))
            for pk, code in Category.objects.filter(is_active=True).values_list("id", "code")
        ]
        if not (self.merchants and self.consumers and self.categories):
            raise BenchError("seed_demo left no shops, consumers or categories")
        self.kinds = {True: conv(Kind.QUALITY_ISSUE), False: conv(Kind.COMPLAINT)}
        _, rules = active_policy()
        by_phase: dict[str, list] = {}
        for rule in sorted(rules, key=lambda r: r.priority):
            by_phase.setdefault(rule.phase, []).append(
                (conv(rule.phase), conv(rule.id), conv(rule.label), conv(rule.clock))
            )
        missing = {Phase.FIRST_RESPONSE, Phase.REPLY, Phase.RESOLUTION} - set(by_phase)
        if missing:
            raise BenchError(f"the active policy has no rule for {sorted(missing)}")
        self.first_response_rules = by_phase[Phase.FIRST_RESPONSE]
        self.reply_rule = by_phase[Phase.REPLY][0]
        self.resolution_rule = by_phase[Phase.RESOLUTION][0]

        self.now = datetime.now(UTC)
        self.epoch = self.now.timestamp()
        self.columns: dict = {}
        self.User, self.OutboxMessage = User, OutboxMessage
        self.o_cols, self.o_tmpl, self.oi = self._template(
            OutboxMessage,
            {
                "kind": ChannelKind.EMAIL,
                "event": "deadline_reminder",
                "status": OutboxStatus.SENT,
                "subject": "[TS-2026-0000000] first response due (bench history)",
                "body": "bench history",
                "payload": {"bench": True},
                "attempts": 1,
                "last_error": "",
                "next_attempt_at": None,  # finished: out of the due index, as outbox._finish leaves it
            },  # fmt: skip
            varying=["id", "dedupe_key", "target", "created_at", "sent_at"],
        )
        self.c_cols, self.c_tmpl, self.ci = self._template(
            Complaint,
            {
                "consumer_name": "",
                "channel": Channel.WEB,
                "sector": Sector.ONLINE_SHOPPING,
                "wanted_outcome": WantedOutcome.REFUND,
                "state": State.SUBMITTED,
                "description": "Parcel arrived crushed and late by ten days. (bench)",
                "created_at": self.now,
                "updated_at": self.now,
            },  # fmt: skip
            varying=[
                "id",
                "reference",
                "consumer_id",
                "merchant_id",
                "kind",
                "category_id",
                "order_number",
                "received_at",
            ],  # fmt: skip
        )
        self.d_cols, self.d_tmpl, self.di = self._template(
            Deadline,
            {"status": DeadlineStatus.OPEN, "paused_total": timedelta(0), "warning": ""},
            varying=[
                "complaint_id",
                "phase",
                "rule_id",
                "rule_label",
                "clock",
                "starts_at",
                "due_at",
                "remind_at",
                "next_check_at",
            ],  # fmt: skip
        )

    def _template(self, model, constants: dict, varying: list[str]):
        """Columns, a row of prepared constant values, and {attname: index} of the columns set per row."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in varying]
        row = []
        for field in fields:
            if field.attname in varying:
                row.append(None)
                continue
            value = constants[field.attname] if field.attname in constants else field.get_default()
            if value is None and not field.null:
                raise BenchError(f"{model.__name__}.{field.attname}: no value for a NOT NULL column")
            value = field.get_db_prep_save(value, self.connection)
            row.append(value if self.sqlite else copy_text(value))
        self.columns[model] = [f.column for f in fields]
        return self.columns[model], row, {f.attname: i for i, f in enumerate(fields)}

    def _dt(self, seconds: float) -> str:
        """`now` + seconds as text: naive UTC on SQLite (exactly as Django writes it), ISO with offset else."""
        value = datetime.fromtimestamp(self.epoch + seconds, UTC).isoformat(" ")
        return value[:-6] if self.sqlite else value

    def next_id(self) -> int:
        return (self.Complaint.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def rows(self, first_id: int, count: int, overdue: bool):
        """Complaint and deadline rows for ids first_id… . Overdue: the first response is past due."""
        rng, ci, di, dt = self.rng, self.ci, self.di, self._dt
        hour, day = 3600.0, 86400.0
        margin = MARGIN.total_seconds()
        prefix = f"TS-{self.now.year}-"
        fr_rules, reply_rule, res_rule = self.first_response_rules, self.reply_rule, self.resolution_rule
        n_cat, n_con, n_mer, n_fr = (
            len(self.categories),
            len(self.consumers),
            len(self.merchants),
            len(fr_rules),
        )
        i_id, i_ref, i_con, i_mer = ci["id"], ci["reference"], ci["consumer_id"], ci["merchant_id"]
        i_kind, i_cat, i_order, i_recv = ci["kind"], ci["category_id"], ci["order_number"], ci["received_at"]
        d_slots = [di[k] for k in ("complaint_id", "phase", "rule_id", "rule_label", "clock", "starts_at")]
        i_due, i_remind, i_next = di["due_at"], di["remind_at"], di["next_check_at"]
        complaints, deadlines = [], []
        for pk in range(first_id, first_id + count):
            category_id, quality = self.categories[rng.randrange(n_cat)]
            received = -rng.uniform(4 * hour, 48 * hour) if overdue else -rng.uniform(0, 20 * hour)
            key = pk if self.sqlite else str(pk)
            starts = dt(received)
            row = self.c_tmpl.copy()
            row[i_id] = key
            row[i_ref] = f"{prefix}{pk:07d}"
            row[i_con] = self.consumers[pk % n_con]
            row[i_mer] = self.merchants[pk % n_mer]
            row[i_kind] = self.kinds[quality]
            row[i_cat] = category_id
            row[i_order] = f"B{pk:012d}"
            row[i_recv] = starts
            complaints.append(row)

            if overdue:
                fr_due = -rng.uniform(60, 3 * hour)
                fr_remind = received + 0.75 * (fr_due - received)
            else:
                fr_due = rng.uniform(2 * hour, 72 * hour)
                fr_remind = max(received + 0.75 * (fr_due - received), margin)
            phases = [(fr_rules[pk % n_fr], fr_due, fr_remind)]
            if quality:
                due = rng.uniform(4 * hour, 7 * day)
                phases.append((reply_rule, due, max(received + 0.75 * (due - received), margin)))
            due = rng.uniform(1 * day, 42 * day)
            phases.append((res_rule, due, max(received + 0.75 * (due - received), margin)))
            for (phase, rule_id, label, clock), due, remind in phases:
                d = self.d_tmpl.copy()
                for slot, value in zip(d_slots, (key, phase, rule_id, label, clock, starts), strict=True):
                    d[slot] = value
                d[i_due] = dt(due)
                d[i_remind] = d[i_next] = dt(remind)
                deadlines.append(d)
        return complaints, deadlines

    def _insert(self, cursor, table: str, cols: list[str], rows: list[list]) -> None:
        qn = self.connection.ops.quote_name
        columns = ", ".join(qn(c) for c in cols)
        if self.sqlite:
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(f"INSERT INTO {qn(table)} ({columns}) VALUES ({marks})", rows)
        else:
            with cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
                copy.write("".join(["\t".join(row) + "\n" for row in rows]))

    def _secondary_indexes(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes that no constraint needs (those can be rebuilt)."""
        if self.sqlite:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = 'public'::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
        return cursor.fetchall()

    def _bulk(self, models: list, count: int, make_rows, label: str, what: str) -> tuple[list[int], float]:
        """Insert `count` units in batches; make_rows(offset, n) gives one row list per model. Secondary
        indexes of the models' tables are dropped first and rebuilt at the end. Returns (rows per model,
        seconds spent rebuilding indexes)."""
        qn = self.connection.ops.quote_name
        tables = [(m._meta.db_table, self.columns[m]) for m in models]
        with self.connection.cursor() as cursor:
            if self.sqlite:  # this connection only; it is closed after loading
                cursor.execute("PRAGMA cache_size = -1048576")
            else:
                cursor.execute("SET maintenance_work_mem = '512MB'")
            indexes = [ix for table, _ in tables for ix in self._secondary_indexes(cursor, table)]
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
        started = time.perf_counter()
        done, totals = 0, [0] * len(models)
        while done < count:
            n = min(BATCH, count - done)
            batches = make_rows(done, n)
            with transaction.atomic(), self.connection.cursor() as cursor:
                for i, ((table, cols), rows) in enumerate(zip(tables, batches, strict=True)):
                    self._insert(cursor, table, cols, rows)
                    totals[i] += len(rows)
            done += n
            if count >= 200_000 and (done % 200_000 == 0 or done == count):
                rate = done / (time.perf_counter() - started)
                log(label, f"loaded {done:,} {what} ({rate:,.0f}/s)")
        t0 = time.perf_counter()
        with self.connection.cursor() as cursor:
            for _, create in indexes:
                cursor.execute(create)
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if self.sqlite:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        index_s = time.perf_counter() - t0
        names = ", ".join(n for n, _ in indexes)
        log(label, f"rebuilt {len(indexes)} secondary indexes in {index_s:.1f} s: {names}")
        # The worker's connection must not inherit the loader's big page cache or memory settings.
        self.connection.close()
        return totals, index_s

    def load(self, count: int, overdue: bool, label: str) -> tuple[int, int, float]:
        """Insert `count` complaints with their deadlines. Returns (first id, deadlines, index build s)."""
        first = self.next_id()
        (_, deadlines), index_s = self._bulk(
            [self.Complaint, self.Deadline],
            count,
            lambda offset, n: self.rows(first + offset, n, overdue),
            label,
            "complaints",
        )
        return first, deadlines, index_s

    def load_outbox_history(self, count: int, label: str) -> float:
        """`count` delivered notifications (status sent), as a live system keeps them. Returns index s."""
        staff = list(
            self.User.objects.filter(merchant__isnull=False).exclude(email="").values_list("email", flat=True)
        )
        conv = (lambda v: v) if self.sqlite else copy_text
        targets = [conv(e) for e in staff] or [conv("shop@demo.local")]
        i_id, i_key, i_target = self.oi["id"], self.oi["dedupe_key"], self.oi["target"]
        i_created, i_sent = self.oi["created_at"], self.oi["sent_at"]
        field = self.OutboxMessage._meta.pk
        rng, dt = self.rng, self._dt

        def make_rows(offset: int, n: int):
            rows = []
            for k in range(offset, offset + n):
                row = self.o_tmpl.copy()
                value = field.get_db_prep_save(
                    uuid.UUID(int=rng.getrandbits(128), version=4), self.connection
                )
                row[i_id] = value if self.sqlite else str(value)
                row[i_key] = f"reminder:bench-{k}"
                row[i_target] = targets[k % len(targets)]
                at = dt(-rng.uniform(3600, 365 * 86400))
                row[i_created] = row[i_sent] = at
                rows.append(row)
            return [rows]

        _, index_s = self._bulk([self.OutboxMessage], count, make_rows, label, "sent notifications")
        return index_s


def analyze() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return time.perf_counter() - started


def explain_plans() -> dict[str, str]:
    from complaintdesk.deadlines.models import Deadline  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.notify import outbox as notify_outbox  # noqa: PLC0415 - after child_main's django.setup()

    now = timezone.now()
    due = (
        Deadline.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", flat=True)[:500]
    )
    outbox = notify_outbox.due_messages(now).values_list("id", flat=True)[:500]  # the worker's own query
    plans = {"deadline due query": due.explain(), "outbox due query": outbox.explain()}
    if connection.vendor == "postgresql":
        plans["deadline due query, EXPLAIN ANALYZE"] = due.explain(analyze=True, buffers=True)
    return plans


def db_version() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def prepare(label: str) -> dict:
    """Migrate, load the demo data and let the worker handle what it has due."""
    from complaintdesk.ops.management.commands.worker import run_once  # noqa: PLC0415 - after child_main's django.setup()

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    drained = run_once()
    seconds = time.perf_counter() - started
    log(label, f"migrated, seed_demo, demo backlog drained {drained} in {seconds:.1f} s")
    return {"prepare_s": seconds, "demo_drained": drained}


def time_passes(passes: int) -> tuple[list[float], list[float], list[dict]]:
    """Milliseconds of `passes` run_once() calls (after warm-up), of as many sweep.sweep(now) calls, and
    whatever work they found (nothing, when the data is as seeded)."""
    from complaintdesk.deadlines import sweep  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.ops.management.commands.worker import run_once  # noqa: PLC0415 - after child_main's django.setup()

    found_work = []
    for _ in range(WARMUP_PASSES):
        run_once()
    run_ms = []
    for _ in range(passes):
        t0 = time.perf_counter()
        totals = run_once()
        run_ms.append((time.perf_counter() - t0) * 1000)
        if any(totals.values()):
            found_work.append(totals)
    sweep_ms = []
    for _ in range(passes):
        t0 = time.perf_counter()
        counts = sweep.sweep(timezone.now())
        sweep_ms.append((time.perf_counter() - t0) * 1000)
        if any(counts.values()):
            found_work.append(counts)
    return run_ms, sweep_ms, found_work


def child_idle(size: int, passes: int, history: bool, seed: int, label: str) -> dict:
    from complaintdesk.complaints.models import Complaint  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.deadlines.models import Deadline  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.notify.models import OutboxMessage  # noqa: PLC0415 - after child_main's django.setup()

    result = prepare(label)
    loader = Loader(seed)
    started = time.perf_counter()
    _, deadlines, result["index_s"] = loader.load(size, overdue=False, label=label)
    result["seed_s"] = time.perf_counter() - started
    result["analyze_s"] = analyze()
    log(
        label,
        f"bulk-loaded {size:,} complaints, {deadlines:,} deadlines in {result['seed_s']:.1f} s "
        f"({size / result['seed_s']:,.0f} complaints/s), ANALYZE {result['analyze_s']:.1f} s",
    )
    result["complaints"] = Complaint.objects.count()
    result["deadlines"] = Deadline.objects.count()
    result["queued"] = Deadline.objects.filter(next_check_at__isnull=False).count()
    result["open_complaints"] = Complaint.objects.exclude(
        state__in=["resolved", "closed", "withdrawn"]
    ).count()
    result["outbox"] = OutboxMessage.objects.count()
    result["plans"] = explain_plans()
    run_ms, sweep_ms, found_work = time_passes(passes)
    result.update(run_ms=run_ms, sweep_ms=sweep_ms, found_work=found_work)
    log(
        label,
        f"run_once median {statistics.median(run_ms):.3f} ms, sweep.sweep median "
        f"{statistics.median(sweep_ms):.3f} ms over {passes} passes",
    )
    if history:
        # A live system keeps every delivered notification: one per complaint is a modest history.
        started = time.perf_counter()
        loader.load_outbox_history(size, label)
        result["history_seed_s"] = time.perf_counter() - started
        analyze()
        result["history_outbox"] = OutboxMessage.objects.count()
        result["history_plans"] = explain_plans()
        run_ms, _, found_work = time_passes(passes)
        result.update(history_run_ms=run_ms, found_work=result["found_work"] + found_work)
        log(
            label,
            f"with {result['history_outbox']:,} sent notifications (loaded in {result['history_seed_s']:.1f} s): "
            f"run_once median {statistics.median(run_ms):.3f} ms",
        )
    return result


def child_escalate(count: int, passes: int, seed: int, label: str) -> dict:
    from complaintdesk.complaints.choices import EventKind, State  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.complaints.models import Complaint, ComplaintEvent  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.deadlines import sweep  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.notify import outbox  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.notify.models import OutboxMessage  # noqa: PLC0415 - after child_main's django.setup()
    from complaintdesk.ops.management.commands.worker import run_once  # noqa: PLC0415 - after child_main's django.setup()

    result = prepare(label)
    started = time.perf_counter()
    first, deadlines, result["index_s"] = Loader(seed).load(count, overdue=True, label=label)
    result["seed_s"] = time.perf_counter() - started
    result["analyze_s"] = analyze()
    mine = {"complaint_id__gte": first}
    result["due_before"] = Deadline.objects.filter(next_check_at__lte=datetime.now(UTC), **mine).count()
    log(
        label,
        f"bulk-loaded {count:,} overdue complaints ({deadlines:,} deadlines) in {result['seed_s']:.1f} s",
    )

    # Split the pass into its two halves by wrapping the functions `run_once` looks up on their modules.
    spent = {"sweep": 0.0, "deliver": 0.0}
    real_sweep, real_deliver = sweep.sweep, outbox.deliver

    batches: list[tuple[int, float]] = []  # (breaches, seconds) of each sweep batch, to see any drift

    def timed(name, function):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            outcome = None
            try:
                outcome = function(*args, **kwargs)
                return outcome
            finally:
                seconds = time.perf_counter() - t0
                spent[name] += seconds
                if name == "sweep" and outcome and outcome.get("breached"):
                    batches.append((outcome["breached"], seconds))

        return wrapper

    sweep.sweep, outbox.deliver = timed("sweep", real_sweep), timed("deliver", real_deliver)
    try:
        t0 = time.perf_counter()
        totals = run_once()
        result["run_s"] = time.perf_counter() - t0
    finally:
        sweep.sweep, outbox.deliver = real_sweep, real_deliver
    result.update(totals=totals, sweep_s=spent["sweep"], deliver_s=spent["deliver"], batches=batches)

    result["breach_events"] = ComplaintEvent.objects.filter(
        action=EventKind.DEADLINE_BREACH, complaint_id__gte=first
    ).count()
    result["breach_events_per_complaint_max"] = (
        ComplaintEvent.objects.filter(action=EventKind.DEADLINE_BREACH, complaint_id__gte=first)
        .values("complaint_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    result["breached_deadlines"] = Deadline.objects.filter(
        status=DeadlineStatus.BREACHED, phase=Phase.FIRST_RESPONSE, **mine
    ).count()
    result["escalated"] = Complaint.objects.filter(id__gte=first, state=State.ESCALATED).count()
    breach_mail = OutboxMessage.objects.filter(event="deadline_breach", payload__complaint__gte=first)
    result["outbox_breach"] = breach_mail.count()
    result["outbox_breach_sent"] = breach_mail.filter(status="sent").count()
    result["still_due"] = Deadline.objects.filter(next_check_at__lte=datetime.now(UTC), **mine).count()
    # The next passes find nothing again; on PostgreSQL they meet the claimed rows' dead index entries.
    after_ms, _, _ = time_passes(passes)
    result["after_run_ms"] = after_ms
    result["after_plans"] = explain_plans()
    log(
        label,
        f"run_once: {totals} in {result['run_s']:.1f} s (sweep {spent['sweep']:.1f} s, delivery "
        f"{spent['deliver']:.1f} s); breach events {result['breach_events']:,}",
    )
    return result


def child_main(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaintdesk.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    label = f"{connection.vendor} {args.child} {args.size:,}"
    if args.child == "idle":
        result = child_idle(args.size, args.passes, args.outbox_history, args.seed, label)
    else:
        result = child_escalate(args.size, args.passes, args.seed, label)
    result.update(scenario=args.child, size=args.size, vendor=connection.vendor, version=db_version())
    connection.close()
    Path(args.out).write_text(json.dumps(result, default=str))
    return 0


# =========================================================================================== parent side


class ScratchServer(Postgres):
    """A server to create scratch databases on."""

    def start(self) -> str:
        if self.throwaway:
            super().start()
            print(f"  throwaway PostgreSQL at {self.url} (fsync=off, synchronous_commit=off)")
        else:
            print("  using DATABASE_URL's server: scratch databases bench_sweep_* are created and dropped")
        return self.url

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self, name: str) -> str:
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        self._admin(f'CREATE DATABASE "{name}"')
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def drop(self, name: str) -> None:
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        except Exception as exc:  # a failed drop must not hide the result, nor the first error
            print(f"  could not drop database {name}: {exc}")


_running: subprocess.Popen | None = None


def run_child(db: str, scenario: str, size: int, args: argparse.Namespace, pg: ScratchServer | None) -> dict:
    global _running
    scratch = Path(tempfile.mkdtemp(prefix=f"complaintdesk-sweep-{db}-"))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="complaintdesk.settings",
        DATA_DIR=str(scratch),
        DEBUG="0",
        SECRET_KEY="bench-sweep",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    dbname = f"bench_sweep_{scenario}_{size}"
    if pg is not None:
        env["DATABASE_URL"] = pg.create(dbname)
    out = scratch / "result.json"
    cmd = [PYTHON, str(Path(__file__).resolve()), "--child", scenario, "--size", str(size)]
    cmd += ["--passes", str(args.passes), "--seed", str(args.seed), "--out", str(out)]
    if not args.outbox_history:
        cmd.append("--no-outbox-history")
    started = time.perf_counter()
    try:
        _running = subprocess.Popen(cmd, cwd=ROOT, env=env)
        code = _running.wait()
        if code != 0 or not out.exists():
            raise BenchError(f"{db} {scenario} {size:,}: child exited with status {code}")
        result = json.loads(out.read_text())
    finally:
        if _running is not None and _running.poll() is None:
            _running.terminate()
            try:
                _running.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _running.kill()
                _running.wait()
        _running = None
        if pg is not None:
            pg.drop(dbname)
        shutil.rmtree(scratch, ignore_errors=True)
    result["db"] = db
    result["wall_s"] = time.perf_counter() - started
    return result


LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * (len(ordered) - 1))))]


def median_or_nan(values: list[float] | None) -> float:
    return statistics.median(values) if values else float("nan")


def report(results: list[dict], info: dict, args: argparse.Namespace, command: str):
    """(summary lines, query plan lines, failures)."""
    lines, failures = [], []
    idle = [r for r in results if r["scenario"] == "idle"]
    esc = [r for r in results if r["scenario"] == "escalate"]
    versions = ", ".join(sorted({r["version"] for r in results}))
    machine = f"{info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM"
    lines += [
        "",
        f"Worker sweep benchmark — {info['date']}, commit {info['commit']}",
        f"machine: {machine}, Python {info['python']}, Linux {info['kernel']}; {versions}",
        f"load average at start {info['loadavg']}, at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"command: {command}",
    ]
    ratios: dict[str, tuple[float, float]] = {}
    if idle:
        lines += [
            "",
            f"One worker pass with nothing due: run_once(), median of {args.passes} after {WARMUP_PASSES} "
            "warm-up passes, in ms; 'sweep' is sweep.sweep(now) alone; 'with history' is run_once() again "
            "after adding one delivered notification per complaint to the outbox.",
            "",
            "| DB | open complaints | deadlines queued | run_once ms | p10–p90 ms | sweep ms | large/small "
            "| outbox rows | with history ms | large/small |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for db in args.db:
            rows = sorted((r for r in idle if r["db"] == db), key=lambda r: r["size"])
            if not rows:
                continue
            base = median_or_nan(rows[0]["run_ms"])
            base_h = median_or_nan(rows[0].get("history_run_ms"))
            for r in rows:
                med, med_h = median_or_nan(r["run_ms"]), median_or_nan(r.get("history_run_ms"))
                ratio, ratio_h = med / base, med_h / base_h
                if r is not rows[0]:
                    ratios[f"{LABELS[db]} {r['size']:,}/{rows[0]['size']:,}"] = (ratio, ratio_h)
                lines.append(
                    f"| {LABELS[db]} | {r['open_complaints']:,} | {r['queued']:,} | {med:.3f} "
                    f"| {pct(r['run_ms'], 0.1):.3f}–{pct(r['run_ms'], 0.9):.3f} "
                    f"| {median_or_nan(r['sweep_ms']):.3f} | {ratio:.2f} "
                    f"| {r.get('history_outbox', r['outbox']):,} | {med_h:.3f} | {ratio_h:.2f} |"
                )
                if r["found_work"]:
                    failures.append(
                        f"{LABELS[db]} {r['size']:,}: {len(r['found_work'])} idle passes found work: "
                        f"{r['found_work'][:3]}"
                    )
        lines += ["", "Seeding (bulk load includes rebuilding the tables' secondary indexes):"]
        lines += [
            f"  {LABELS[r['db']]} {r['size']:,}: {r['seed_s']:.1f} s for {r['size']:,} complaints + "
            f"{r['deadlines']:,} deadline rows in the table "
            f"({r['size'] / r['seed_s']:,.0f} complaints/s; index rebuild {r['index_s']:.1f} s), ANALYZE "
            f"{r['analyze_s']:.1f} s; sent-notification history {r.get('history_seed_s', 0):.1f} s; "
            f"migrate + seed_demo + drain {r['prepare_s']:.1f} s; child total {r['wall_s']:.0f} s"
            for r in idle
        ]
    if esc:
        lines += [
            "",
            "Escalating complaints whose first-response deadline passed together, one run_once() "
            "(breach + escalate + e-mail to the shop coordinator, delivered through the dummy backend):",
            "",
            "| DB | due | run_once s | breaches/s | of which sweep s | delivery s | breach events "
            "| breached | escalated | breach e-mails sent |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        notes = []
        for r in esc:
            n = r["size"]
            lines.append(
                f"| {LABELS[r['db']]} | {r['due_before']:,} | {r['run_s']:.1f} | {n / r['run_s']:,.0f} "
                f"| {r['sweep_s']:.1f} | {r['deliver_s']:.1f} | {r['breach_events']:,} "
                f"| {r['breached_deadlines']:,} | {r['escalated']:,} | {r['outbox_breach_sent']:,} |"
            )
            checks = {
                "due before the pass": r["due_before"],
                "breach events": r["breach_events"],
                "breached first-response deadlines": r["breached_deadlines"],
                "escalated complaints": r["escalated"],
                "breach e-mails": r["outbox_breach"],
                "sent breach e-mails": r["outbox_breach_sent"],
            }
            for what, got in checks.items():
                if got != n:
                    failures.append(f"{LABELS[r['db']]} escalation: {got:,} {what}, expected {n:,}")
            if r["breach_events_per_complaint_max"] != 1:
                failures.append(f"{LABELS[r['db']]} escalation: a complaint has more than one breach event")
            if r["still_due"]:
                failures.append(f"{LABELS[r['db']]} escalation: {r['still_due']} deadlines still due")
            notes.append(
                f"  {LABELS[r['db']]}: exactly {n:,} breach events, breached deadlines, escalations and "
                f"sent e-mails: {'OK' if all(v == n for v in checks.values()) else 'MISMATCH'}; "
                f"{n / r['sweep_s']:,.0f} breaches/s in the sweep alone; the next idle passes "
                f"{median_or_nan(r['after_run_ms']):.3f} ms (median of {len(r['after_run_ms'])})"
            )
            if r.get("batches"):
                rates = ", ".join(f"{n / sec:,.0f}" for n, sec in r["batches"])
                notes.append(f"    breaches/s per sweep batch of up to 500, in order: {rates}")
        lines += [""] + notes
    lines.append("")
    for name, (ratio, ratio_h) in ratios.items():
        met = ratio < TARGET_RATIO
        lines.append(
            f"target: {name} pass time < {TARGET_RATIO:g}x: {'MET' if met else 'MISSED'} ({ratio:.2f}x; "
            f"with the notification history {ratio_h:.2f}x)"
        )
        if not met and args.check_target:
            failures.append(f"{name}: ratio {ratio:.2f} ≥ {TARGET_RATIO:g}")

    plans = []
    for r in idle:
        for key, title in (("plans", "complaints"), ("history_plans", "complaints + history")):
            for name, plan in r.get(key, {}).items():
                if key == "history_plans" and not name.startswith("outbox"):
                    continue
                plans.append(f"--- {LABELS[r['db']]}, {r['size']:,} {title}: {name}")
                plans += plan.splitlines()
    for r in esc:
        name = "deadline due query, EXPLAIN ANALYZE"
        if name in r.get("after_plans", {}):
            plans.append(f"--- {LABELS[r['db']]}, right after escalating {r['size']:,}: {name}")
            plans += r["after_plans"][name].splitlines()
    docs = ["", "For docs/benchmarks.md:", ""]
    for db in args.db:
        rows = sorted((r for r in idle if r["db"] == db), key=lambda r: r["size"])
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            ms, ml = median_or_nan(small["run_ms"]), median_or_nan(large["run_ms"])
            hs, hl = median_or_nan(small.get("history_run_ms")), median_or_nan(large.get("history_run_ms"))
            docs.append(
                f"| {info['date'][:10]} | worker pass, nothing due ({LABELS[db]}) | {small['size']:,}: "
                f"{ms:.2f} ms | {large['size']:,}: {ml:.2f} ms | {ml / ms:.2f}× (target < 3×) "
                f"| with 1 sent notification per complaint: {hs:.2f} → {hl:.2f} ms ({hl / hs:.2f}×) "
                f"| {machine} |"
            )
    for r in esc:
        docs.append(
            f"| {info['date'][:10]} | escalate {r['size']:,} overdue complaints in one pass "
            f"({LABELS[r['db']]}) | {r['run_s']:.1f} s | {r['size'] / r['run_s']:,.0f} breaches/s "
            f"| {r['breach_events']:,} breach events | {machine} |"
        )
    docs.append(f"(`{command}` from the repository root, {info['date']}, commit {info['commit']})")
    return lines + docs, plans, failures


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="open complaints, comma-separated")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both, comma-separated")
    parser.add_argument("--passes", type=int, default=20, help="timed idle passes (median reported)")
    parser.add_argument("--escalations", type=int, default=10_000, help="overdue complaints (0: skip)")
    parser.add_argument(
        "--no-outbox-history",
        dest="outbox_history",
        action="store_false",
        help="skip the second idle measurement with one delivered notification per complaint",
    )
    parser.add_argument("--seed", type=int, default=12315)
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--check-target", action="store_true", help="fail when large/small ≥ 3")
    parser.add_argument("--child", choices=["idle", "escalate"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    args.db = [d.strip() for d in args.db.split(",") if d.strip()]
    if not args.db or set(args.db) - set(LABELS):
        parser.error("--db takes sqlite and/or postgres")
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    command = " ".join([".venv/bin/python bench/sweep.py", *(argv if argv is not None else sys.argv[1:])])
    signal.signal(signal.SIGTERM, _interrupt)
    info = machine_info()
    print(f"== sweep benchmark: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB, {info['date']}")
    results: list[dict] = []
    started = time.perf_counter()
    for db in args.db:
        print(f"== {LABELS[db]}", flush=True)
        pg = ScratchServer() if db == "postgres" else None
        try:
            if pg is not None:
                pg.start()
            for size in sizes:
                results.append(run_child(db, "idle", size, args, pg))
            if args.escalations:
                results.append(run_child(db, "escalate", args.escalations, args, pg))
        finally:
            if pg is not None:
                pg.stop()
    lines, plans, failures = report(results, info, args, command)
    print("\nQuery plans (the worker's due queries, after ANALYZE):")
    print("\n".join(plans))
    print("\n".join(lines))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=2, default=str))
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
