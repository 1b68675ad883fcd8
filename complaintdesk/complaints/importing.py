"""Importing complaints from CSV files: our own columns, or the public CFPB consumer-complaint database.

How a file is imported (`import_file`):
1. Rows are streamed from the file and checked one by one (`read_rows`): a row with the wrong number of columns (a file
   cut mid-row, between fields), a file that ends inside a quoted field (cut inside a narrative), bytes
   that are not UTF-8 — each is a rejected row with its line number and the reason; the rest goes on.
   A missing final line break is no sign of a cut: the CFPB's own exports end without one.
2. Each row is mapped (`CFPB.map`, `NATIVE.map`) to a complete complaint with its deadlines and event,
   or rejected with the reason naming the column. Nothing is written for a rejected row.
3. Rows go in batches: already imported ones (same channel and external id: re-running a file adds
   nothing) and repeats inside the file are skipped; the rest are written with batched raw inserts
   (`executemany` of plain tuples, the complaints' ids allocated up front so that each row carries its
   reference) — complaints, deadlines, events and the statistics rollups (the batch's contributions
   added up per key, one upsert per key) in one transaction per batch. Should a batch fail in the
   database, its rows are retried one by one, each all or nothing.

Historical records must not wake the worker: imported CFPB complaints carry one deadline, "company
response within 15 days" (the CFPB's own timeliness rule), already met or missed according to
`Timely response?`, with no next check. Native rows in a final state (resolved, closed, withdrawn)
get their deadlines cancelled; native rows without one are live complaints with running deadlines.
"""

import csv
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from complaintdesk.complaints.choices import Channel, Kind, ResolutionType, Sector, State, WantedOutcome
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent
from complaintdesk.deadlines.models import Clock, Deadline, DeadlineStatus, Phase
from complaintdesk.merchants.models import Merchant, Platform
from complaintdesk.merchants.uscc import ALPHABET, check_character
from complaintdesk.stats import periods, rollups

CFPB_RULE = "CFPB: company response within 15 calendar days (imported)"
CFPB_WINDOW = timedelta(days=15)
MAX_DESCRIPTION = 10000


class RowError(ValueError):
    pass


@dataclass
class Rejected:
    line: int
    external_id: str
    reason: str


@dataclass(slots=True)
class Planned:
    """One validated row: everything that will be written for it, as field values by attribute name
    (`Complaint`, `Deadline`, `ComplaintEvent`; the links between them are set when it is written)."""

    line: int
    complaint: dict
    deadlines: list[dict] | None  # None: the policy's deadlines, computed once the shop is known
    event: dict
    merchant_key: tuple  # ("code", credit code) of an existing shop, or ("company", name) to create
    truncated: bool = False
    category_code: str = ""

    @property
    def external_id(self) -> str:
        return self.complaint["external_id"]

    @property
    def identity(self) -> tuple:
        """What makes two rows the same complaint: a CFPB id whatever its channel, else channel and id."""
        external_id = self.complaint["external_id"]
        return (
            ("", external_id) if external_id.startswith("cfpb:") else (self.complaint["channel"], external_id)
        )


@dataclass
class Report:
    format: str = ""
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    shops_created: int = 0
    truncated: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.format}: {self.rows} rows, {self.imported} imported, {self.already_imported} already "
            f"imported, {len(self.rejected)} rejected, {self.shops_created} shops created"
            + (
                f", {self.truncated} descriptions cut to {MAX_DESCRIPTION} characters"
                if self.truncated
                else ""
            )
        )


# ------------------------------------------------------------------------------------------ reading


PROGRESS_EVERY = 1000


def read_rows(path: Path, progress=None) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, {column: value} or None, rejection reason). Line numbers are the file's, 1 = header.
    The file is streamed (decoded as it is read; bytes that are not UTF-8 become lone surrogates, so the
    row holding them is rejected and the others are not)."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        yield from _read(f, progress)


def _read(f, progress) -> Iterator[tuple[int, dict | None, str]]:
    reader = csv.reader(f, strict=True)
    header = [h.strip() for h in next(reader, [])]
    held = None  # the last good row waits until we know whether the file was cut inside the next one
    pending = 0  # rows read since the progress bar was last moved (moving it for every row is costly)
    try:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "end of data" in str(exc):
                    if held:
                        yield held
                    yield start, None, "the file ends inside a quoted field (cut mid-row?)"
                    return
                yield start, None, f"not valid CSV: {exc}"
                continue
            pending += 1
            if pending == PROGRESS_EVERY and progress is not None:
                progress.update(pending)
                pending = 0
            if _blank(values):
                continue
            if held:
                yield held
                held = None
            if len(values) != len(header):
                yield (
                    start,
                    None,
                    f"has {len(values)} columns, the header has {len(header)} (cut mid-row, or shifted?)",
                )
            elif _not_utf8(values):
                yield start, None, "contains bytes that are not UTF-8"
            else:
                held = (start, dict(zip(header, values, strict=True)), "")
        if held:
            yield held
    finally:
        if progress is not None and pending:
            progress.update(pending)


def _blank(values: list[str]) -> bool:
    return not any(values) or (not values[0].strip() and not any(v.strip() for v in values))


_SURROGATES = re.compile("[\udc80-\udcff]")


def _not_utf8(values: list[str]) -> bool:
    return any(_SURROGATES.search(v) for v in values if not v.isascii())


# ------------------------------------------------------------------------------------------ helpers


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


def _at_noon(day: date) -> datetime:
    # A date without a time: noon in the regulator's zone keeps the same calendar day in every display.
    return datetime.combine(day, time(12), periods.zone())


def _parse_date(value: str, column: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{column}: {value!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def _not_future(when: datetime, column: str, now: datetime) -> None:
    if when > now:
        raise RowError(f"{column}: {when.date().isoformat()} is in the future")


def _description(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        return text[: MAX_DESCRIPTION - 1] + "…", True
    return text, False


# ------------------------------------------------------------------------------------------ CFPB

# Issue (and sub-issue) words → our category; the first rule that matches wins, else "other". The CFPB
# products are financial services: most issues (credit reports, collection tactics, fraud) have no
# online-shopping category and count as "other" in the online-shopping taxonomy.
CFPB_CATEGORY_RULES = [
    (r"advertis|marketing|promotional|false statement|misrepresent", "false_promotion"),
    (r"\bfee|interest|charg|overcharg|cost", "contract_fees"),
    (r"refund|return", "returns_refunds"),
    (r"statement|written notification|disclosure|receipt|invoice|billing", "invoices_receipts"),
    (r"damaged|defective", "quality"),
    (r"not received|didn't receive|money was not available|delivery", "delivery"),
    (r"loan|lease|mortgage|managing an account|closing|opening|contract|terms|payment", "contract_fees"),
]
CFPB_SECTORS = {"default": Sector.FINANCIAL_SERVICES}
# Phone calls to the CFPB are the counterpart of our 12315 hotline; web forms are the web channel; the
# rest (referrals from other agencies, post, fax, e-mail) came in through no channel of ours.
CFPB_CHANNELS = {"web": Channel.WEB, "web referral": Channel.WEB, "phone": Channel.HOTLINE}
CFPB_RESPONSES = {
    "closed with monetary relief": (State.RESOLVED, ResolutionType.COMPENSATION),
    "closed with non-monetary relief": (State.RESOLVED, ResolutionType.OTHER),
    "closed with relief": (State.RESOLVED, ResolutionType.OTHER),
    "closed with explanation": (State.CLOSED, ResolutionType.EXPLANATION),
    "closed without relief": (State.CLOSED, ""),
    "closed": (State.CLOSED, ""),
    "untimely response": (State.CLOSED, ""),
    "in progress": (State.SUBMITTED, ""),
}


class CfpbFormat:
    name = "CFPB consumer complaint database"
    required = ("Date received", "Product", "Issue", "Company", "Complaint ID", "Submitted via",
                "Company response to consumer", "Timely response?")  # fmt: skip
    narrative = "Consumer complaint narrative"

    def __init__(self, categories: dict[str, Category]):
        self.categories = categories
        # A million rows share a few thousand dates, issues and answers: each is worked out once.
        self.category_for = functools.lru_cache(maxsize=4096)(self.category_for)
        self.received = functools.lru_cache(maxsize=65536)(self.received)

    def category_for(self, issue: str, sub_issue: str, product: str) -> Category:
        text = f"{issue} {sub_issue}".lower()
        for pattern, code in CFPB_CATEGORY_RULES:
            if re.search(pattern, text):
                return self.categories[code]
        return self.categories["other"]

    @staticmethod
    def received(value: str) -> datetime:
        return _at_noon(_parse_date(value, "Date received"))

    def map(self, line: int, v: dict, now: datetime) -> Planned:
        def need(column):
            value = (v.get(column) or "").strip()
            if not value:
                raise RowError(f"{column}: missing")
            return value

        complaint_id = need("Complaint ID")
        if not complaint_id.isdigit():
            raise RowError(f"Complaint ID: {complaint_id!r} is not a number")
        received_at = self.received(need("Date received"))
        _not_future(received_at, "Date received", now)
        company = need("Company")
        if len(company) > 200:
            raise RowError("Company: longer than 200 characters")
        product, issue = need("Product"), need("Issue")
        response = need("Company response to consumer")
        if response.lower() not in CFPB_RESPONSES:
            raise RowError(
                f"Company response to consumer: unknown value {response!r}; known: {', '.join(CFPB_RESPONSES)}"
            )
        state, resolution_type = CFPB_RESPONSES[response.lower()]
        timely = (v.get("Timely response?") or "").strip().lower()
        if timely not in ("yes", "no"):
            raise RowError(f"Timely response?: must be Yes or No, got {timely!r}")
        via = need("Submitted via")
        sub_product, sub_issue = v.get("Sub-product", ""), v.get("Sub-issue", "")
        category = self.category_for(issue, sub_issue, product)
        narrative = (v.get(self.narrative) or "").strip()
        subject = " / ".join(x for x in (product, sub_product.strip(), issue, sub_issue.strip()) if x)
        description, truncated = _description(narrative or subject)
        public = (v.get("Company public response") or "").strip()
        complaint = {
            "category_id": category.pk, "kind": Kind.COMPLAINT,
            "channel": CFPB_CHANNELS.get(via.lower(), Channel.IMPORT), "sector": CFPB_SECTORS["default"],
            "wanted_outcome": WantedOutcome.REFUND if category.code == "contract_fees" else WantedOutcome.APOLOGY,
            "description": description, "state": state, "resolution_type": resolution_type,
            "resolution_text": f"{response}. {public}".strip() if state != State.SUBMITTED else "",
            "received_at": received_at, "external_id": f"cfpb:{complaint_id}",
        }  # fmt: skip
        # One deadline, the CFPB's own rule, already decided: it never reminds and never breaches later.
        due = received_at + CFPB_WINDOW
        deadline = {
            "phase": Phase.FIRST_RESPONSE, "rule_label": CFPB_RULE, "clock": Clock.WALL,
            "starts_at": received_at, "due_at": due, "remind_at": due, "next_check_at": None,
        }  # fmt: skip
        if timely == "no":
            deadline["status"], deadline["breached_at"] = DeadlineStatus.BREACHED, due
        elif state == State.SUBMITTED:
            deadline["status"] = DeadlineStatus.CANCELLED  # still open at the CFPB: no outcome to record
        else:
            deadline["status"] = DeadlineStatus.MET  # timely by the CFPB's flag; the exact time is unknown
        data = {
            "source": "cfpb", "complaint_id": complaint_id, "product": product,
            "sub_product": sub_product, "issue": issue, "sub_issue": sub_issue,
            "company": company, "us_state": v.get("State", ""), "submitted_via": via,
            "company_response": response, "company_public_response": public, "timely": timely == "yes",
            "consumer_disputed": v.get("Consumer disputed?", ""), "tags": v.get("Tags", ""),
        }  # fmt: skip
        event = {
            "actor_role": "system", "action": "import", "from_state": "", "to_state": state,
            "message": f"Imported from the CFPB database: complaint {complaint_id}, {response}, "
            f"{'timely' if timely == 'yes' else 'not timely'}.",
            "data": data, "created_at": received_at,
        }  # fmt: skip
        return Planned(line, complaint, [deadline], event, ("company", company), truncated, category.code)


# ------------------------------------------------------------------------------------------ native

NATIVE_COLUMNS = (
    "external_id", "received_at", "merchant", "kind", "category", "channel", "sector", "order_number",
    "amount", "order_date", "wanted_outcome", "description", "consumer_name", "state",
)  # fmt: skip
FINAL_STATES = (State.RESOLVED, State.CLOSED, State.WITHDRAWN)


class NativeFormat:
    """Our own columns (NATIVE_COLUMNS). Required: external_id, received_at (ISO 8601 with offset, or a
    date), merchant (the shop's unified social credit code), category (code), wanted_outcome,
    description. Optional: kind, channel (default import), sector (default online_shopping),
    order_number, amount, order_date, consumer_name, state (empty for a live complaint, or resolved,
    closed, withdrawn for a finished one)."""

    name = "ComplaintDesk CSV"
    required = ("external_id", "received_at", "merchant", "category", "wanted_outcome", "description")

    def __init__(self, categories: dict[str, Category]):
        self.categories = categories

    def map(self, line: int, v: dict, now: datetime) -> Planned:
        def need(column):
            value = (v.get(column) or "").strip()
            if not value:
                raise RowError(f"{column}: missing")
            return value

        def choice(column, choices, default):
            value = (v.get(column) or "").strip() or default
            if value not in choices.values:
                raise RowError(f"{column}: unknown value {value!r}; one of: {', '.join(choices.values)}")
            return value

        external_id = need("external_id")
        if len(external_id) > 64:
            raise RowError("external_id: longer than 64 characters")
        raw_received = need("received_at")
        try:
            received_at = datetime.fromisoformat(raw_received)
        except ValueError:
            raise RowError(f"received_at: {raw_received!r} is not an ISO 8601 date or time") from None
        if received_at.tzinfo is None:
            if len(raw_received) > 10:
                raise RowError("received_at: a time needs its offset, e.g. 2026-09-30T17:00:00+08:00")
            received_at = _at_noon(received_at.date())
        _not_future(received_at, "received_at", now)
        code = need("category")
        if code not in self.categories:
            raise RowError(
                f"category: unknown category {code!r}; categories are: {', '.join(self.categories)}"
            )
        amount = None
        if (raw := (v.get("amount") or "").strip()) != "":
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise RowError(f"amount: {raw!r} is not a number") from None
            if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
                raise RowError("amount: must be ≥ 0 with at most 2 decimals and 10 digits before the point")
        order_date = (
            _parse_date(v["order_date"], "order_date") if (v.get("order_date") or "").strip() else None
        )
        state = (v.get("state") or "").strip() or State.SUBMITTED
        if state not in (State.SUBMITTED, *FINAL_STATES):
            raise RowError(f"state: {state!r}; use empty (live), resolved, closed or withdrawn")
        description, truncated = _description(need("description"))
        for column, limit in (("order_number", 64), ("consumer_name", 100)):
            if len((v.get(column) or "").strip()) > limit:
                raise RowError(f"{column}: longer than {limit} characters")
        complaint = {
            "consumer_name": (v.get("consumer_name") or "").strip(),
            "category_id": self.categories[code].pk, "kind": choice("kind", Kind, Kind.COMPLAINT),
            "channel": choice("channel", Channel, Channel.IMPORT),
            "sector": choice("sector", Sector, Sector.ONLINE_SHOPPING),
            "order_number": (v.get("order_number") or "").strip(), "amount": amount, "order_date": order_date,
            "wanted_outcome": choice("wanted_outcome", WantedOutcome, ""), "description": description,
            "state": state, "received_at": received_at, "external_id": external_id,
        }  # fmt: skip
        event = {
            "actor_role": "system", "action": "import", "from_state": "", "to_state": state,
            "message": f"Imported: {external_id}.", "data": {"source": "csv", "external_id": external_id},
            "created_at": received_at,
        }  # fmt: skip
        return Planned(line, complaint, None, event, ("code", need("merchant").upper()), truncated, code)


def native_deadlines(merchant: Merchant, planned: Planned) -> list[dict]:
    """The active policy's deadlines; running for a live complaint, cancelled for a finished one."""
    from complaintdesk.deadlines import services as deadline_services

    c = planned.complaint
    computed = deadline_services.deadlines_for(
        merchant, c["kind"], planned.category_code, c["channel"], c["received_at"]
    )
    final = c["state"] in FINAL_STATES
    return [
        {
            "phase": phase,
            "rule_id": due.rule.id,
            "rule_label": due.rule.label,
            "clock": due.rule.clock,
            "starts_at": c["received_at"],
            "due_at": due.due_at,
            "remind_at": due.remind_at,
            "status": DeadlineStatus.CANCELLED if final else DeadlineStatus.OPEN,
            "next_check_at": None if final else due.remind_at,
            "warning": deadline_services.warning_for(due),
        }
        for phase, due in computed.items()
    ]


# ------------------------------------------------------------------------------------------ importing


def detect_format(header: list[str], categories) -> CfpbFormat | NativeFormat:
    columns = set(header)
    for fmt in (CfpbFormat(categories), NativeFormat(categories)):
        if set(fmt.required) <= columns:
            return fmt
    cfpb_missing = [c for c in CfpbFormat.required if c not in columns]
    native_missing = [c for c in NativeFormat.required if c not in columns]
    raise ValueError(
        "unknown columns: a CFPB file lacks " + ", ".join(cfpb_missing)
        + "; a ComplaintDesk file lacks " + ", ".join(native_missing)
    )  # fmt: skip


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return [h.strip() for h in next(csv.reader(f), [])]


class Rows:
    """One model's rows as plain lists for `executemany`: every concrete column, in order, from a dict
    of field values by attribute name (the rest take the field's default), adapted for the database as
    the ORM would (through caches: a million imported rows share a few thousand instants and dates)."""

    def __init__(self, model, now: datetime, with_pk: bool = False):
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.defaults = []
        for f in fields:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # get_default() is "" for a blank text field without a default, as the ORM stores it.
            self.defaults.append((f.attname, now if auto else f.get_default()))
        self.adapters = [(i, a) for i, f in enumerate(fields) if (a := self._adapter(f)) is not None]
        q = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )

    @staticmethod
    def _adapter(f):
        if isinstance(f, models.DateTimeField):
            return _adapt_datetime
        if isinstance(f, (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)):
            return None  # TextChoices members are str: bound as they are
        prepare = functools.partial(f.get_db_prep_save, connection=connection)
        if isinstance(f, models.JSONField):
            return prepare
        return functools.lru_cache(maxsize=4096)(prepare)  # dates, durations, decimals: hashable

    def row(self, values: dict) -> list:
        out = [values.get(name, default) for name, default in self.defaults]
        for i, adapt in self.adapters:
            if (value := out[i]) is not None:
                out[i] = adapt(value)
        return out


@functools.lru_cache(maxsize=65536)
def _adapt_datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


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


class Importer:
    def __init__(self, path: Path, batch_size: int = 5000, progress=None):
        self.path = path
        self.batch_size = batch_size
        self.progress = progress
        self.categories = {c.code: c for c in Category.objects.all()}
        self.format = detect_format(read_header(path), self.categories)
        self.report = Report(format=self.format.name)
        self.shops: dict[tuple, Merchant] = {}
        self.seen: dict[tuple, int] = {}
        self.now = timezone.now()
        self.complaints = Rows(Complaint, self.now, with_pk=True)
        self.deadlines = Rows(Deadline, self.now)
        self.events = Rows(ComplaintEvent, self.now)

    def run(self) -> Report:
        now = self.now
        batch: list[Planned] = []
        for line, values, reason in read_rows(self.path, self.progress):
            self.report.rows += 1
            if values is None:
                self.reject(line, "", reason)
                continue
            try:
                planned = self.format.map(line, values, now)
            except RowError as exc:
                row_id = (values.get("Complaint ID") or values.get("external_id") or "").strip()
                self.reject(line, row_id, str(exc))
                continue
            key = planned.identity
            if key in self.seen:
                row_id = (values.get("Complaint ID") or values.get("external_id") or "").strip()
                self.reject(line, row_id, f"the same id as line {self.seen[key]} of this file")
                continue
            self.seen[key] = line
            batch.append(planned)
            if len(batch) >= self.batch_size:
                self.write(batch)
                batch = []
        if batch:
            self.write(batch)
        return self.report

    def reject(self, line: int, external_id: str, reason: str) -> None:
        self.report.rejected.append(Rejected(line, external_id, reason))

    def write(self, batch: list[Planned]) -> None:
        existing = self.stored([p.external_id for p in batch])
        fresh = [p for p in batch if p.identity not in existing]
        self.report.already_imported += len(batch) - len(fresh)
        fresh = [p for p in fresh if self.attach_shop(p)]
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
                    self.reject(planned.line, planned.external_id, f"not stored: {exc}")

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

    def attach_shop(self, planned: Planned) -> bool:
        kind, value = planned.merchant_key
        key = (kind, normalise_company(value) if kind == "company" else value)
        merchant = self.shops.get(key)
        if merchant is None:
            code = value if kind == "code" else imported_credit_code(value)
            merchant = Merchant.objects.filter(credit_code=code).first()
            if merchant is None and kind == "code":
                self.reject(planned.line, planned.external_id, f"merchant: no shop has credit code {value}")
                return False
            if merchant is None:
                merchant, created = Merchant.objects.get_or_create(
                    credit_code=code,
                    defaults={"name": value[:200], "platform": Platform.OTHER, "is_active": False},
                )
                self.report.shops_created += created
            self.shops[key] = merchant
        planned.complaint["merchant_id"] = merchant.pk
        if planned.deadlines is None:
            planned.deadlines = native_deadlines(merchant, planned)
        return True

    def insert(self, planned: list[Planned]) -> None:
        """The batch's complaints, deadlines, events and rollups (inside the caller's transaction)."""
        zone = periods.zone()
        complaint_rows, deadline_rows, event_rows = [], [], []
        counted = Counter()  # (complaint facts, resolved, finished) → complaints
        deadlines_counted = Counter()  # (complaint facts, deadline facts) → deadlines
        with connection.cursor() as cursor:
            ids = _allocate_ids(cursor, len(planned))
            for p, pk in zip(planned, ids, strict=True):
                c = p.complaint
                received_at = c["received_at"]
                c["id"] = pk
                c["reference"] = Complaint.reference_for(pk, _local_year(received_at, zone))
                complaint_rows.append(self.complaints.row(c))
                facts = rollups.ComplaintFacts(
                    received_at, c["merchant_id"], c["category_id"], c["kind"], c["channel"], c["sector"]
                )
                state = c["state"]
                counted[facts, state == State.RESOLVED, state in FINAL_STATES] += 1
                for d in p.deadlines:
                    d["complaint_id"] = pk
                    deadline_rows.append(self.deadlines.row(d))
                    deadlines_counted[facts, _deadline_facts(d)] += 1
                p.event["complaint_id"] = pk
                event_rows.append(self.events.row(p.event))
            cursor.executemany(self.complaints.sql, complaint_rows)
            if deadline_rows:
                cursor.executemany(self.deadlines.sql, deadline_rows)
            cursor.executemany(self.events.sql, event_rows)
        # The rollups: each distinct contribution once, times the number of rows that make it.
        deltas = rollups.Deltas()
        for (facts, resolved, finished), n in counted.items():
            rollups.complaint_contribution(deltas, facts, resolved=resolved, finished=finished, sign=n)
        for (facts, deadline), n in deadlines_counted.items():
            rollups.deadline_contribution(deltas, facts, deadline, sign=n)
        rollups.write(deltas, chunk=500)
        self.report.imported += len(planned)
        self.report.truncated += sum(p.truncated for p in planned)


@functools.lru_cache(maxsize=65536)
def _local_year(instant: datetime, zone) -> int:
    return instant.astimezone(zone).year


def _deadline_facts(d: dict) -> rollups.DeadlineFacts:
    return rollups.DeadlineFacts(
        d["phase"], d["rule_label"], d.get("status", DeadlineStatus.OPEN), d.get("met_at"), d["due_at"],
        d["starts_at"],
    )  # fmt: skip


def import_file(path: Path, batch_size: int = 5000, progress=None) -> Report:
    return Importer(path, batch_size, progress).run()
