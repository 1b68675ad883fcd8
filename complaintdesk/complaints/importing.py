"""Importing complaints from CSV files: our own columns, or the public CFPB consumer-complaint database.

How a file is imported (`import_file`):
1. Rows are streamed from the file and checked one by one (`read_rows`): a row with the wrong number of columns (a file
   cut mid-row, between fields), a file that ends inside a quoted field (cut inside a narrative), bytes
   that are not UTF-8 — each is a rejected row with its line number and the reason; the rest goes on.
   A missing final line break is no sign of a cut: the CFPB's own exports end without one.
2. Each row is mapped (`CfpbFormat.map`, `NativeFormat.map`) to a complete complaint with its deadlines
   and event, or rejected with the reason naming the column. Nothing is written for a rejected row.
   The mapping builds the rows to insert directly as lists of column values (`Rows`), and works out
   each distinct date, issue, answer or company once: a million rows share a few thousand of each.
3. Rows go in batches: already imported ones (same channel and external id: re-running a file adds
   nothing) and repeats inside the file are skipped; the rest are written with batched raw inserts
   (`executemany` of plain lists, the complaints' ids allocated up front so that each row carries its
   reference) — complaints, deadlines, events and the statistics rollups (the batch's rows counted by
   the facts that decide their rollup keys, then one upsert per key: `rollups.grouped`) in one
   transaction per batch. Should a batch fail in the database, its rows are retried one by one, each
   all or nothing.

Historical records must not wake the worker: imported CFPB complaints carry one deadline, "company
response within 15 days" (the CFPB's own timeliness rule), already met or missed according to
`Timely response?`, with no next check. Native rows in a final state (resolved, closed, withdrawn)
get their deadlines cancelled; native rows without one are live complaints with running deadlines.
"""

import csv
import functools
import gc
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from complaintdesk.complaints.choices import Channel, Kind, ResolutionType, Sector, State, WantedOutcome
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines.models import Clock, Deadline, DeadlineStatus, Phase
from complaintdesk.lib import sql
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
    """One validated row: the rows that will be written for it, as lists of column values (`Rows`),
    with the complaint's id, reference and shop (and the links to it) filled in when it is written;
    and the facts its rollup contributions depend on (`rollups.grouped`)."""

    line: int
    external_id: str
    identity: tuple  # a CFPB id whatever its channel, else (channel, id): what makes two rows the same
    merchant_key: tuple  # ("code", credit code) of an existing shop, or ("company", name) to create
    complaint: list
    deadlines: list[list] | None  # None: the policy's deadlines, computed once the shop is known
    event: list
    year: int  # the local year of receipt, in the reference
    facts: tuple  # (received_at, category_id, kind, channel, sector, state)
    deadline_facts: list[tuple]  # (phase, rule label, status, met_at, due_at, starts_at) per deadline
    truncated: bool = False
    native: dict | None = None  # a native row's fields that choose its policy deadlines


def identity_of(channel: str, external_id: str) -> tuple:
    return ("", external_id) if external_id.startswith("cfpb:") else (channel, external_id)


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
# Rows per transaction: larger batches write each index page and rollup row fewer times; 20,000
# CFPB rows are about 20 MB of SQL parameters and hold SQLite's write lock for about a second.
BATCH_SIZE = 20000


def read_rows(path: Path, progress=None) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number, the row's values or None, rejection reason). Line numbers are the file's, 1 = header.
    The file is streamed (decoded as it is read; bytes that are not UTF-8 become lone surrogates, so the
    row holding them is rejected and the others are not)."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        yield from _read(f, progress)


def _read(f, progress) -> Iterator[tuple[int, list[str] | None, str]]:
    reader = csv.reader(f, strict=True)
    width = len(next(reader, []))
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
            if len(values) != width:
                yield (
                    start,
                    None,
                    f"has {len(values)} columns, the header has {width} (cut mid-row, or shifted?)",
                )
            elif _not_utf8(values):
                yield start, None, "contains bytes that are not UTF-8"
            else:
                held = (start, values, "")
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


# ------------------------------------------------------------------------------------------ rows


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
    """`Product` and `Sub-product` are the CFPB's kinds of financial service ("Credit card", "Checking
    account"), not a thing the consumer bought: as our `product` they would make each large company's
    daily complaints one "same product" mass incident. They are kept in the import event's data."""

    name = "CFPB consumer complaint database"
    required = ("Date received", "Product", "Issue", "Company", "Complaint ID", "Submitted via",
                "Company response to consumer", "Timely response?")  # fmt: skip
    narrative = "Consumer complaint narrative"
    consent = "Consumer consent provided?"
    optional = ("Sub-product", "Sub-issue", narrative, "Company public response", "State",
                "Consumer disputed?", "Tags", consent)  # fmt: skip

    def __init__(self, categories: dict[str, Category], header: list[str], tables: Tables):
        self.categories = categories
        self.tables = tables
        column = {name: i for i, name in enumerate(header)}
        # An optional column the file lacks reads the empty string `map` appends to every row.
        self.at = {name: column.get(name, len(header)) for name in (*self.required, *self.optional)}
        # A million rows share a few thousand dates, issues and answers: each is worked out once.
        self.category_for = functools.lru_cache(maxsize=4096)(self.category_for)
        self.instants: dict[str, tuple] = {}
        self.deadline_plans: dict[tuple, tuple[list, tuple]] = {}
        self.responses = {k: (_plain(state), _plain(how)) for k, (state, how) in CFPB_RESPONSES.items()}
        self.channels = {k: _plain(v) for k, v in CFPB_CHANNELS.items()}
        c = tables.complaints.index
        self.c_at = SimpleNamespace(**c)
        self.e_at = SimpleNamespace(**tables.events.index)
        self.kind, self.sector = _plain(Kind.COMPLAINT), _plain(CFPB_SECTORS["default"])
        self.submitted, self.other_channel = _plain(State.SUBMITTED), _plain(Channel.IMPORT)
        self.wanted_outcome = (_plain(WantedOutcome.APOLOGY), _plain(WantedOutcome.REFUND))
        self.publish_consent = {b: tables.complaints.adapted("publish_consent", b) for b in (False, True)}
        template = tables.complaints.template.copy()
        template[c["kind"]], template[c["sector"]] = self.kind, self.sector
        self.c_template = template
        template = tables.events.template.copy()
        template[self.e_at.actor_role], template[self.e_at.action] = "system", "import"
        self.e_template = template
        self.adapt_json = connection.ops.adapt_json_value  # once: each `connection.` costs a lookup

    def row_id(self, values: list[str]) -> str:
        at = self.at["Complaint ID"]
        return values[at].strip() if at < len(values) else ""

    def category_for(self, issue: str, sub_issue: str, product: str) -> Category:
        text = f"{issue} {sub_issue}".lower()
        for pattern, code in CFPB_CATEGORY_RULES:
            if re.search(pattern, text):
                return self.categories[code]
        return self.categories["other"]

    def instant(self, value: str, now: datetime) -> tuple:
        """(received_at, as the database takes it, the local year) of a `Date received`."""
        try:
            return self.instants[value]
        except KeyError:
            received_at = _at_noon(_parse_date(value, "Date received"))
            _not_future(received_at, "Date received", now)
            out = self.instants[value] = (received_at, adapt_datetime(received_at), received_at.year)
            return out

    def deadline_plan(self, value: str, timely: bool, state: str) -> tuple[list, tuple]:
        """The deadline row (without its complaint) and its rollup facts: one per date and outcome."""
        key = (value, timely, state)
        try:
            return self.deadline_plans[key]
        except KeyError:
            pass
        received_at = self.instants[value][0]
        # One deadline, the CFPB's own rule, already decided: it never reminds and never breaches later.
        due = received_at + CFPB_WINDOW
        deadline = {
            "phase": Phase.FIRST_RESPONSE, "rule_label": CFPB_RULE, "clock": Clock.WALL,
            "starts_at": received_at, "due_at": due, "remind_at": due, "next_check_at": None,
        }  # fmt: skip
        if not timely:
            deadline["status"], deadline["breached_at"] = DeadlineStatus.BREACHED, due
        elif state == State.SUBMITTED:
            deadline["status"] = DeadlineStatus.CANCELLED  # still open at the CFPB: no outcome to record
        else:
            deadline["status"] = DeadlineStatus.MET  # timely by the CFPB's flag; the exact time is unknown
        deadline = {k: _plain(v) for k, v in deadline.items()}
        facts = (deadline["phase"], CFPB_RULE, deadline["status"], None, due, received_at)
        out = self.deadline_plans[key] = (self.tables.deadlines.row(deadline), facts)
        return out

    def map(self, line: int, v: list[str], now: datetime) -> Planned:
        """The row's complaint, deadline and event (see the module doc); the plain-list fast path: a
        million rows go through here, so the columns' places are worked out once (`__init__`)."""
        v.append("")  # what an absent optional column reads
        at = self.at
        complaint_id = v[at["Complaint ID"]].strip()
        if not complaint_id:
            raise RowError("Complaint ID: missing")
        if not complaint_id.isdigit():
            raise RowError(f"Complaint ID: {complaint_id!r} is not a number")
        raw_date = v[at["Date received"]].strip()
        if not raw_date:
            raise RowError("Date received: missing")
        instant = self.instants.get(raw_date) or self.instant(raw_date, now)
        company = _need(v, at, "Company")
        if len(company) > 200:
            raise RowError("Company: longer than 200 characters")
        product, issue = _need(v, at, "Product"), _need(v, at, "Issue")
        response = _need(v, at, "Company response to consumer")
        answer = self.responses.get(response.lower())
        if answer is None:
            raise RowError(
                f"Company response to consumer: unknown value {response!r}; known: {', '.join(CFPB_RESPONSES)}"
            )
        state, resolution_type = answer
        timely = v[at["Timely response?"]].strip().lower()
        if timely not in ("yes", "no"):
            raise RowError(f"Timely response?: must be Yes or No, got {timely!r}")
        timely = timely == "yes"
        via = _need(v, at, "Submitted via")
        sub_product, sub_issue = v[at["Sub-product"]], v[at["Sub-issue"]]
        category = self.category_for(issue, sub_issue, product)
        narrative = v[at[self.narrative]].strip()
        # The CFPB publishes a narrative only when its consumer consented; a row without one gets our
        # summary of the CFPB's product and issue, no consumer's words. Either goes into our open data
        # (scrubbed), unless the row's own consent column says otherwise.
        consented = not narrative or v[at[self.consent]].strip().lower() in ("", "consent provided")
        if not narrative:
            narrative = " / ".join(x for x in (product, sub_product.strip(), issue, sub_issue.strip()) if x)
        description, truncated = _description(narrative)
        public = v[at["Company public response"]].strip()
        external_id = "cfpb:" + complaint_id
        channel = self.channels.get(via.lower(), self.other_channel)
        received_at, received_db, year = instant

        complaint = self.c_template.copy()
        c = self.c_at
        complaint[c.category_id] = category.pk
        complaint[c.channel] = channel
        complaint[c.wanted_outcome] = self.wanted_outcome[category.code == "contract_fees"]
        complaint[c.description] = description
        complaint[c.publish_consent] = self.publish_consent[consented]
        complaint[c.state] = state
        complaint[c.resolution_type] = resolution_type
        complaint[c.resolution_text] = f"{response}. {public}".strip() if state != self.submitted else ""
        complaint[c.received_at] = received_db
        complaint[c.external_id] = external_id

        deadline, deadline_facts = self.deadline_plan(raw_date, timely, state)
        data = {
            "source": "cfpb", "complaint_id": complaint_id, "product": product,
            "sub_product": sub_product, "issue": issue, "sub_issue": sub_issue,
            "company": company, "us_state": v[at["State"]], "submitted_via": via,
            "company_response": response, "company_public_response": public, "timely": timely,
            "consumer_disputed": v[at["Consumer disputed?"]], "tags": v[at["Tags"]],
        }  # fmt: skip
        event = self.e_template.copy()
        e = self.e_at
        event[e.to_state] = state
        event[e.message] = (
            f"Imported from the CFPB database: complaint {complaint_id}, {response}, "
            f"{'timely' if timely else 'not timely'}."
        )
        event[e.data] = self.adapt_json(data, None)
        event[e.created_at] = received_db
        return Planned(
            line,
            external_id,
            ("", external_id),
            ("company", company),
            complaint,
            [deadline.copy()],
            event,
            year,
            (received_at, category.pk, self.kind, channel, self.sector, state),
            [deadline_facts],
            truncated,
        )


def _need(v: list[str], at: dict, column: str) -> str:
    value = v[at[column]].strip()
    if not value:
        raise RowError(f"{column}: missing")
    return value


def _plain(value):
    """A TextChoices member as the plain str it stands for (bound without the driver's adaptation)."""
    return value.value if isinstance(value, models.Choices) else value


# ------------------------------------------------------------------------------------------ native

NATIVE_COLUMNS = (
    "external_id", "received_at", "merchant", "kind", "category", "channel", "sector", "order_number",
    "amount", "order_date", "wanted_outcome", "description", "consumer_name", "state", "product",
    "publish_consent",
)  # fmt: skip
FINAL_STATES = (State.RESOLVED, State.CLOSED, State.WITHDRAWN)
CONSENT_VALUES = {"": False, "no": False, "false": False, "0": False, "yes": True, "true": True, "1": True}


class NativeFormat:
    """Our own columns (NATIVE_COLUMNS). Required: external_id, received_at (ISO 8601 with offset, or a
    date), merchant (the shop's unified social credit code), category (code), wanted_outcome,
    description. Optional: kind, channel (default import), sector (default online_shopping),
    order_number, amount, order_date, consumer_name, state (empty for a live complaint, or resolved,
    closed, withdrawn for a finished one), product (what was bought, up to 200 characters),
    publish_consent (yes/true/1 when the consumer agreed to the description's publication in the open
    data; empty, no, false, 0 when not: the default, as at filing)."""

    name = "ComplaintDesk CSV"
    required = ("external_id", "received_at", "merchant", "category", "wanted_outcome", "description")

    def __init__(self, categories: dict[str, Category], header: list[str], tables: Tables):
        self.categories = categories
        self.header = header
        self.tables = tables

    def row_id(self, values: list[str]) -> str:
        return (dict(zip(self.header, values, strict=True)).get("external_id") or "").strip()

    def map(self, line: int, values: list[str], now: datetime) -> Planned:
        v = dict(zip(self.header, values, strict=True))

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
        consent = (v.get("publish_consent") or "").strip().lower()
        if consent not in CONSENT_VALUES:
            raise RowError(
                f"publish_consent: {consent!r}; use yes or no (true/false, 1/0), or leave it empty"
            )
        for column, limit in (("order_number", 64), ("consumer_name", 100), ("product", 200)):
            if len((v.get(column) or "").strip()) > limit:
                raise RowError(f"{column}: longer than {limit} characters")
        complaint = {
            "consumer_name": (v.get("consumer_name") or "").strip(),
            "category_id": self.categories[code].pk, "kind": choice("kind", Kind, Kind.COMPLAINT),
            "channel": choice("channel", Channel, Channel.IMPORT),
            "sector": choice("sector", Sector, Sector.ONLINE_SHOPPING),
            "order_number": (v.get("order_number") or "").strip(), "amount": amount, "order_date": order_date,
            "product": (v.get("product") or "").strip(),
            "wanted_outcome": choice("wanted_outcome", WantedOutcome, ""), "description": description,
            "publish_consent": CONSENT_VALUES[consent],
            "state": state, "received_at": received_at, "external_id": external_id,
        }  # fmt: skip
        event = {
            "actor_role": "system", "action": "import", "from_state": "", "to_state": state,
            "message": f"Imported: {external_id}.", "data": {"source": "csv", "external_id": external_id},
            "created_at": received_at,
        }  # fmt: skip
        c = {k: _plain(value) for k, value in complaint.items()}
        facts = (received_at, c["category_id"], c["kind"], c["channel"], c["sector"], c["state"])
        native = {"kind": c["kind"], "category_code": code, "channel": c["channel"], "received_at": received_at,
                  "state": c["state"]}  # fmt: skip
        return Planned(
            line,
            external_id,
            identity_of(c["channel"], external_id),
            ("code", need("merchant").upper()),
            self.tables.complaints.row(c),
            None,
            self.tables.events.row(event),
            received_at.astimezone(periods.zone()).year,
            facts,
            [],
            truncated,
            native,
        )


def native_deadlines(merchant: Merchant, native: dict, active) -> list[dict]:
    """The active policy's deadlines (`active`: `active_policy()`, read once per batch); running for a
    live complaint, cancelled for a finished one."""
    computed = deadline_services.deadlines_for(
        merchant, native["kind"], native["category_code"], native["channel"], native["received_at"], active
    )
    final = native["state"] in FINAL_STATES
    rows = []
    for phase, due in computed.items():
        row = deadline_services.deadline_fields(_plain(phase), due, native["received_at"])
        row["clock"] = _plain(row["clock"])
        row["status"] = (DeadlineStatus.CANCELLED if final else DeadlineStatus.OPEN).value
        if final:
            row["next_check_at"] = None
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------ importing

FORMATS = (CfpbFormat, NativeFormat)


def detect_format(header: list[str], categories, tables: Tables) -> CfpbFormat | NativeFormat:
    columns = set(header)
    for fmt in FORMATS:
        if set(fmt.required) <= columns:
            return fmt(categories, header, tables)
    cfpb_missing = [c for c in CfpbFormat.required if c not in columns]
    native_missing = [c for c in NativeFormat.required if c not in columns]
    raise ValueError(
        "unknown columns: a CFPB file lacks " + ", ".join(cfpb_missing)
        + "; a ComplaintDesk file lacks " + ", ".join(native_missing)
    )  # fmt: skip


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return [h.strip() for h in next(csv.reader(f), [])]


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
def _bulk_load():
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


class Importer:
    def __init__(self, path: Path, batch_size: int = BATCH_SIZE, progress=None):
        self.path = path
        self.batch_size = batch_size
        self.progress = progress
        self.categories = {c.code: c for c in Category.objects.all()}
        self.now = timezone.now()
        self.tables = Tables.build(self.now)
        self.format = detect_format(read_header(path), self.categories, self.tables)
        self.report = Report(format=self.format.name)
        self.shops: dict[tuple, Merchant | None] = {}  # merchant key as in the file → shop (None: none)
        self.seen: dict[tuple, int] = {}

    def run(self) -> Report:
        with _bulk_load():
            return self._run()

    def _run(self) -> Report:
        now, fmt, seen = self.now, self.format, self.seen
        batch: list[Planned] = []
        for line, values, reason in read_rows(self.path, self.progress):
            self.report.rows += 1
            if values is None:
                self.reject(line, "", reason)
                continue
            try:
                planned = fmt.map(line, values, now)
            except RowError as exc:
                self.reject(line, fmt.row_id(values), str(exc))
                continue
            key = planned.identity
            if key in seen:
                self.reject(line, fmt.row_id(values), f"the same id as line {seen[key]} of this file")
                continue
            seen[key] = line
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

    def attach_shop(self, planned: Planned, active) -> bool:
        merchant = self.shops[planned.merchant_key]
        if merchant is None:
            value = planned.merchant_key[1]
            self.reject(planned.line, planned.external_id, f"merchant: no shop has credit code {value}")
            return False
        planned.complaint[self.tables.complaints.index["merchant_id"]] = merchant.pk
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
            if deadline_rows:
                cursor.executemany(self.tables.deadlines.sql, deadline_rows)
            cursor.executemany(self.tables.events.sql, event_rows)
        rollups.write(rollups.grouped(Counter(counted), Counter(deadlines_counted)))
        self.report.imported += len(planned)
        self.report.truncated += sum(p.truncated for p in planned)


def import_file(path: Path, batch_size: int = BATCH_SIZE, progress=None) -> Report:
    return Importer(path, batch_size, progress).run()
