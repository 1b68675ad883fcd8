"""The batched writes of an import: a batch's complaints, deadlines, events and rollups in one transaction,
with `executemany` of plain lists built through `lib.sql` (a measured fast path: docs/benchmarks.md),
and the shops an import creates for CFPB companies."""

import functools
import gc
import hashlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, models, transaction

from complaintdesk.complaints.choices import Channel
from complaintdesk.complaints.importing.common import Planned, Report
from complaintdesk.complaints.importing.native import native_deadlines
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib import sql
from complaintdesk.merchants.models import Merchant, Platform
from complaintdesk.merchants.uscc import ALPHABET, check_character
from complaintdesk.search import index as search_index
from complaintdesk.stats import rollups

sql.writes(Complaint, Deadline, ComplaintEvent)

# Rows per transaction: larger batches write each index page and rollup row fewer times; 20,000
# CFPB rows are about 20 MB of SQL parameters and hold SQLite's write lock for about a second.
BATCH_SIZE = 20000


def imported_credit_code(company: str) -> str:
    """A valid GB 32100 code for a company outside the Chinese register (a CFPB company), stable for its
    name: registration authority Y (other), type 1, administrative division 000000 (none exists, so the
    code can never be a real shop's), nine characters from the name's hash, the check character."""
    digest = int.from_bytes(hashlib.sha256(normalise_company(company).encode()).digest()[:8], "big")
    body = ""
    for _ in range(9):
        digest, index = divmod(digest, len(ALPHABET))
        body += ALPHABET[index]
    first17 = f"Y1000000{body}"
    return first17 + check_character(first17)


def is_imported_shop(merchant) -> bool:
    return merchant.credit_code[:8] == "Y1000000"


def normalise_company(name: str) -> str:
    return " ".join(name.split()).casefold()


class Rows:
    """One model's rows as plain lists for `executemany`: every concrete column, in order. `template`
    holds what each column gets when nothing is said (the field's default, as the ORM stores it; `now`
    for auto_now fields), `index[attname]` where a value goes. Values are adapted for the database as
    the ORM would (through caches: a million imported rows share a few thousand instants and dates)."""

    def __init__(self, model, now: datetime, with_pk: bool = False):
        self.sql, fields = sql.insert_statement(model, with_pk=with_pk)
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.adapters = {i: a for i, f in enumerate(fields) if (a := self._adapter(f)) is not None}
        self.template = [None] * len(fields)
        for i, f in enumerate(fields):
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # get_default() is "" for a blank text field without a default, as the ORM stores it.
            self.template[i] = self._adapted(i, now if auto else f.get_default())

    @staticmethod
    def _adapter(f):
        if isinstance(f, models.DateTimeField):
            return adapt_datetime
        if isinstance(f, (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)):
            return None  # TextChoices members are str: bound as they are
        if isinstance(f, models.JSONField):
            return adapt_json
        prepare = functools.partial(f.get_db_prep_save, connection=connection)
        return functools.lru_cache(maxsize=4096)(prepare)  # dates, durations, decimals: hashable

    def _adapted(self, i: int, value):
        adapt = self.adapters.get(i)
        return value if adapt is None or value is None else adapt(value)

    def adapted(self, name: str, value):
        """`value` for the column of field `name`, as the database takes it."""
        return self._adapted(self.index[name], value)

    def row(self, values: dict) -> list:
        """A row from field values by attribute name (the others keep their defaults)."""
        out = self.template.copy()
        index = self.index
        for name, value in values.items():
            i = index[name]
            out[i] = self._adapted(i, value)
        return out


@functools.lru_cache(maxsize=65536)
def adapt_datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def adapt_json(value):
    return connection.ops.adapt_json_value(value, None)


@dataclass
class Tables:
    complaints: Rows
    deadlines: Rows
    events: Rows

    @classmethod
    def build(cls, now: datetime) -> "Tables":
        return cls(Rows(Complaint, now, with_pk=True), Rows(Deadline, now), Rows(ComplaintEvent, now))


def _allocate_ids(cursor, n: int) -> list[int]:
    """`n` complaint ids nobody else will take, so that each row carries its reference from the start
    (inside the batch's transaction: SQLite's write lock is taken at BEGIN IMMEDIATE; PostgreSQL's
    sequence hands out ids atomically, not necessarily consecutive ones)."""
    table = Complaint._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
        )
        return [r[0] for r in cursor.fetchall()]
    cursor.execute(f'SELECT MAX(id) FROM "{table}"')
    top = cursor.fetchone()[0] or 0
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cursor.fetchone()
    first = max(top, row[0] if row else 0) + 1
    return list(range(first, first + n))


# SQLite's page cache for the importing connection, in KiB (the default is 2 MB): the complaint table's
# indexes are written in a few hundred places per batch (one per shop, per category, …) and the
# rollup tables in as many; with a small cache their pages are evicted and read back batch after
# batch. Only this connection's memory changes; nothing about durability or other connections does.
IMPORT_CACHE_KIB = 262144


@contextmanager
def bulk_load():
    """What a bulk load changes in this process, put back afterwards.

    1. The cyclic garbage collector is off: a batch is a few hundred thousand young containers (rows,
       tuples), and collecting them over and over took a quarter of the import's time; none of them
       is part of a cycle, and the collector is back when the import ends.
    2. On SQLite, a larger page cache for this connection (IMPORT_CACHE_KIB)."""
    collecting = gc.isenabled()
    gc.disable()
    previous = None
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                previous = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        yield
    finally:
        if previous is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")
        if collecting:
            gc.enable()


class Writer:
    """Writes an import's batches (`write`), finding or creating their shops on the way; counts what it
    wrote, skipped and rejected in the import's report."""

    def __init__(self, tables: Tables, report: Report):
        self.tables = tables
        self.report = report
        self.shops: dict[tuple, Merchant | None] = {}  # merchant key as in the file → shop (None: none)

    def write(self, batch: list[Planned]) -> None:
        existing = self.stored([p.external_id for p in batch])
        fresh = [p for p in batch if p.identity not in existing]
        self.report.already_imported += len(batch) - len(fresh)
        unknown = {p.merchant_key for p in fresh} - self.shops.keys()
        if unknown:
            with transaction.atomic():  # the batch's new shops in one transaction, not one each
                for key in sorted(unknown):
                    self.shops[key] = self.find_shop(*key)
        # The policy as it is when the batch is written: an edit made during a long import applies from
        # the next batch on, as it applies to filings from the next one on.
        active = deadline_services.active_policy() if any(p.deadlines is None for p in fresh) else None
        fresh = [p for p in fresh if self.attach_shop(p, active)]
        if not fresh:
            return
        try:
            with transaction.atomic():
                self.insert(fresh)
        except IntegrityError:
            # Another import wrote some of these meanwhile: one by one, each all or nothing.
            for planned in fresh:
                try:
                    with transaction.atomic():
                        self.insert([planned])
                except IntegrityError as exc:
                    self.report.reject(planned.line, planned.external_id, f"not stored: {exc}")

    def stored(self, external_ids: list[str]) -> set[tuple]:
        """The (channel, external id) and ("", external id) of those already stored."""
        found = set()
        for start in range(0, len(external_ids), 5000):
            rows = (
                Complaint.objects.filter(
                    channel__in=Channel.values, external_id__in=external_ids[start : start + 5000]
                )
                .exclude(external_id="")
                .values_list("channel", "external_id")
            )
            for channel, external_id in rows:
                found.add((channel, external_id))
                found.add(("", external_id))
        return found

    def attach_shop(self, planned: Planned, active) -> bool:
        merchant = self.shops[planned.merchant_key]
        if merchant is None:
            value = planned.merchant_key[1]
            self.report.reject(
                planned.line, planned.external_id, f"merchant: no shop has credit code {value}"
            )
            return False
        planned.complaint[self.tables.complaints.index["merchant_id"]] = merchant.pk
        # With its shop's bureau in charge, as `centre.jurisdiction.file` sets it (no case yet, no signal).
        planned.complaint[self.tables.complaints.index["bureau_id"]] = merchant.jurisdiction_id
        if planned.deadlines is None:
            deadlines = native_deadlines(merchant, planned.native, active)
            planned.deadlines = [self.tables.deadlines.row(d) for d in deadlines]
            planned.deadline_facts = [
                (d["phase"], d["rule_label"], d["status"], None, d["due_at"], d["starts_at"])
                for d in deadlines
            ]
        return True

    def find_shop(self, kind: str, value: str) -> Merchant | None:
        """The shop of a credit code; or a company's imported shop, created on first sight (company names
        that differ only in spaces and case are one shop)."""
        key = (kind, normalise_company(value) if kind == "company" else value)
        if key in self.shops:
            return self.shops[key]
        code = value if kind == "code" else imported_credit_code(value)
        merchant = Merchant.objects.filter(credit_code=code).first()
        if merchant is None and kind == "company":
            merchant, created = Merchant.objects.get_or_create(
                credit_code=code,
                defaults={"name": value[:200], "platform": Platform.OTHER, "is_active": False},
            )
            self.report.shops_created += created
        self.shops[key] = merchant
        return merchant

    def insert(self, planned: list[Planned]) -> None:
        """The batch's complaints, deadlines, events and rollups (inside the caller's transaction)."""
        at = self.tables.complaints.index
        pk_at, reference_at, merchant_at = at["id"], at["reference"], at["merchant_id"]
        deadline_link = self.tables.deadlines.index["complaint_id"]
        event_link = self.tables.events.index["complaint_id"]
        reference_for = Complaint.reference_for
        complaint_rows, deadline_rows, event_rows = [], [], []
        counted, deadlines_counted = [], []  # the rollup groups, one entry per row (rollups.grouped)
        with connection.cursor() as cursor:
            ids = _allocate_ids(cursor, len(planned))
            for p, pk in zip(planned, ids, strict=True):
                c = p.complaint
                c[pk_at] = pk
                c[reference_at] = reference_for(pk, p.year)
                complaint_rows.append(c)
                received_at, category, kind, channel, sector, state = p.facts
                shop = c[merchant_at]
                counted.append((received_at, shop, category, kind, channel, sector, state))
                for d, facts in zip(p.deadlines, p.deadline_facts, strict=True):
                    d[deadline_link] = pk
                    deadline_rows.append(d)
                    deadlines_counted.append((received_at, shop, *facts))
                p.event[event_link] = pk
                event_rows.append(p.event)
            cursor.executemany(self.tables.complaints.sql, complaint_rows)
            searchable = [at[name] for name in search_index.IMPORTED_COLUMNS]
            search_index.complaints_imported([c[i] for i in searchable] for c in complaint_rows)
            if deadline_rows:
                cursor.executemany(self.tables.deadlines.sql, deadline_rows)
            cursor.executemany(self.tables.events.sql, event_rows)
        rollups.write(rollups.grouped(Counter(counted), Counter(deadlines_counted)))
        self.report.imported += len(planned)
        self.report.truncated += sum(p.truncated for p in planned)
