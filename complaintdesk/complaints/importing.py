"""Importing complaints from CSV files: our own columns, or the public CFPB consumer-complaint database.

How a file is imported (`import_file`):
1. Rows are read and checked one by one (`read_rows`): a row with the wrong number of columns (a file
   cut mid-row, between fields), a file that ends inside a quoted field (cut inside a narrative), bytes
   that are not UTF-8 — each is a rejected row with its line number and the reason; the rest goes on.
   A missing final line break is no sign of a cut: the CFPB's own exports end without one.
2. Each row is mapped (`CFPB.map`, `NATIVE.map`) to a complete complaint with its deadlines and event,
   or rejected with the reason naming the column. Nothing is written for a rejected row.
3. Rows go in batches: already imported ones (same channel and external id: re-running a file adds
   nothing) and repeats inside the file are skipped; the rest are written with batched inserts —
   complaints, deadlines, events and statistics rollups in one transaction per batch. Should a batch
   fail in the database, its rows are retried one by one, each all or nothing.

Historical records must not wake the worker: imported CFPB complaints carry one deadline, "company
response within 15 days" (the CFPB's own timeliness rule), already met or missed according to
`Timely response?`, with no next check. Native rows in a final state (resolved, closed, withdrawn)
get their deadlines cancelled; native rows without one are live complaints with running deadlines.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, transaction
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


@dataclass
class Planned:
    """One validated row: everything that will be written for it."""

    line: int
    complaint: Complaint
    deadlines: list[Deadline]
    event: ComplaintEvent
    merchant_key: tuple  # ("code", credit code) of an existing shop, or ("company", name) to create
    truncated: bool = False

    @property
    def identity(self) -> tuple:
        """What makes two rows the same complaint: a CFPB id whatever its channel, else channel and id."""
        c = self.complaint
        return ("", c.external_id) if c.external_id.startswith("cfpb:") else (c.channel, c.external_id)


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


def read_rows(path: Path, progress=None) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, {column: value} or None, rejection reason). Line numbers are the file's, 1 = header."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = [h.strip() for h in next(reader, [])]
    held = None  # the last good row waits until we know whether the file was cut inside the next one
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
        if progress is not None:
            progress.update(1)
        if not any(v.strip() for v in values):
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
        elif any("\udc80" <= ch <= "\udcff" for v in values for ch in v):
            yield start, None, "contains bytes that are not UTF-8"
        else:
            held = (start, dict(zip(header, values, strict=True)), "")
    if held:
        yield held


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

    def category_for(self, issue: str, sub_issue: str, product: str) -> Category:
        text = f"{issue} {sub_issue}".lower()
        for pattern, code in CFPB_CATEGORY_RULES:
            if re.search(pattern, text):
                return self.categories[code]
        return self.categories["other"]

    def map(self, line: int, v: dict, now: datetime) -> Planned:
        def need(column):
            value = (v.get(column) or "").strip()
            if not value:
                raise RowError(f"{column}: missing")
            return value

        complaint_id = need("Complaint ID")
        if not complaint_id.isdigit():
            raise RowError(f"Complaint ID: {complaint_id!r} is not a number")
        received_at = _at_noon(_parse_date(need("Date received"), "Date received"))
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
        category = self.category_for(issue, v.get("Sub-issue", ""), product)
        narrative = (v.get(self.narrative) or "").strip()
        subject = " / ".join(x for x in (product, v.get("Sub-product", "").strip(), issue,
                                         v.get("Sub-issue", "").strip()) if x)  # fmt: skip
        description, truncated = _description(narrative or subject)
        public = (v.get("Company public response") or "").strip()
        complaint = Complaint(
            consumer=None, merchant=None, category=category, kind=Kind.COMPLAINT,
            channel=CFPB_CHANNELS.get(via.lower(), Channel.IMPORT), sector=CFPB_SECTORS["default"],
            wanted_outcome=WantedOutcome.REFUND if category.code == "contract_fees" else WantedOutcome.APOLOGY,
            description=description, state=state, resolution_type=resolution_type,
            resolution_text=f"{response}. {public}".strip() if state != State.SUBMITTED else "",
            received_at=received_at, external_id=f"cfpb:{complaint_id}",
        )  # fmt: skip
        due = received_at + CFPB_WINDOW
        deadline = Deadline(
            phase=Phase.FIRST_RESPONSE, rule=None, rule_label=CFPB_RULE, clock=Clock.WALL,
            starts_at=received_at, due_at=due, remind_at=due, next_check_at=None,
        )  # fmt: skip
        if timely == "no":
            deadline.status, deadline.breached_at = DeadlineStatus.BREACHED, due
        elif state == State.SUBMITTED:
            deadline.status = DeadlineStatus.CANCELLED  # still open at the CFPB: no outcome to record
        else:
            deadline.status = DeadlineStatus.MET  # timely by the CFPB's flag; the exact time is unknown
        data = {
            "source": "cfpb", "complaint_id": complaint_id, "product": product,
            "sub_product": v.get("Sub-product", ""), "issue": issue, "sub_issue": v.get("Sub-issue", ""),
            "company": company, "us_state": v.get("State", ""), "submitted_via": via,
            "company_response": response, "company_public_response": public, "timely": timely == "yes",
            "consumer_disputed": v.get("Consumer disputed?", ""), "tags": v.get("Tags", ""),
        }  # fmt: skip
        event = ComplaintEvent(
            actor=None, actor_role="system", action="import", from_state="", to_state=state,
            message=f"Imported from the CFPB database: complaint {complaint_id}, {response}, "
            f"{'timely' if timely == 'yes' else 'not timely'}.",
            data=data, created_at=received_at,
        )  # fmt: skip
        return Planned(line, complaint, [deadline], event, ("company", company), truncated)


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
        complaint = Complaint(
            consumer=None, consumer_name=(v.get("consumer_name") or "").strip(), merchant=None,
            category=self.categories[code], kind=choice("kind", Kind, Kind.COMPLAINT),
            channel=choice("channel", Channel, Channel.IMPORT),
            sector=choice("sector", Sector, Sector.ONLINE_SHOPPING),
            order_number=(v.get("order_number") or "").strip(), amount=amount, order_date=order_date,
            wanted_outcome=choice("wanted_outcome", WantedOutcome, ""), description=description,
            state=state, received_at=received_at, external_id=external_id,
        )  # fmt: skip
        event = ComplaintEvent(
            actor=None, actor_role="system", action="import", from_state="", to_state=state,
            message=f"Imported: {external_id}.", data={"source": "csv", "external_id": external_id},
            created_at=received_at,
        )  # fmt: skip
        return Planned(line, complaint, [], event, ("code", need("merchant").upper()), truncated)


def native_deadlines(complaint: Complaint) -> list[Deadline]:
    """The active policy's deadlines; running for a live complaint, cancelled for a finished one."""
    from complaintdesk.deadlines import services as deadline_services

    computed = deadline_services.deadlines_for(
        complaint.merchant, complaint.kind, complaint.category.code, complaint.channel, complaint.received_at
    )
    final = complaint.state in FINAL_STATES
    return [
        Deadline(
            phase=phase,
            rule_id=due.rule.id,
            rule_label=due.rule.label,
            clock=due.rule.clock,
            starts_at=complaint.received_at,
            due_at=due.due_at,
            remind_at=due.remind_at,
            status=DeadlineStatus.CANCELLED if final else DeadlineStatus.OPEN,
            next_check_at=None if final else due.remind_at,
            warning=deadline_services.warning_for(due),
        )  # fmt: skip
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


class Importer:
    def __init__(self, path: Path, batch_size: int = 1000, progress=None):
        self.path = path
        self.batch_size = batch_size
        self.progress = progress
        self.categories = {c.code: c for c in Category.objects.all()}
        self.format = detect_format(read_header(path), self.categories)
        self.report = Report(format=self.format.name)
        self.shops: dict[tuple, Merchant] = {}
        self.seen: dict[tuple, int] = {}

    def run(self) -> Report:
        now = timezone.now()
        batch: list[Planned] = []
        for line, values, reason in read_rows(self.path, self.progress):
            self.report.rows += 1
            if values is None:
                self.reject(line, "", reason)
                continue
            row_id = (values.get("Complaint ID") or values.get("external_id") or "").strip()
            try:
                planned = self.format.map(line, values, now)
            except RowError as exc:
                self.reject(line, row_id, str(exc))
                continue
            key = planned.identity
            if key in self.seen:
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
        stored = (
            Complaint.objects.filter(
                channel__in=Channel.values, external_id__in=[p.complaint.external_id for p in batch]
            )
            .exclude(external_id="")
            .values_list("channel", "external_id")
        )
        existing = set(stored) | {("", external_id) for _, external_id in stored}
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
                    self.reject(planned.line, planned.complaint.external_id, f"not stored: {exc}")

    def attach_shop(self, planned: Planned) -> bool:
        kind, value = planned.merchant_key
        key = (kind, normalise_company(value) if kind == "company" else value)
        merchant = self.shops.get(key)
        if merchant is None:
            code = value if kind == "code" else imported_credit_code(value)
            merchant = Merchant.objects.filter(credit_code=code).first()
            if merchant is None and kind == "code":
                self.reject(
                    planned.line, planned.complaint.external_id, f"merchant: no shop has credit code {value}"
                )
                return False
            if merchant is None:
                merchant, created = Merchant.objects.get_or_create(
                    credit_code=code,
                    defaults={"name": value[:200], "platform": Platform.OTHER, "is_active": False},
                )
                self.report.shops_created += created
            self.shops[key] = merchant
        planned.complaint.merchant = merchant
        if not planned.deadlines:
            planned.deadlines = native_deadlines(planned.complaint)
        return True

    def insert(self, planned: list[Planned]) -> None:
        complaints = Complaint.objects.bulk_create([p.complaint for p in planned])
        deltas = rollups.Deltas()
        for p, c in zip(planned, complaints, strict=True):
            c.reference = Complaint.reference_for(
                c.pk, timezone.localtime(c.received_at, periods.zone()).year
            )
            for d in p.deadlines:
                d.complaint = c
            p.event.complaint = c
            facts = rollups.ComplaintFacts.of(c)
            rollups.complaint_contribution(
                deltas, facts, resolved=c.state == State.RESOLVED, finished=c.state in FINAL_STATES
            )
            for d in p.deadlines:
                rollups.deadline_contribution(deltas, facts, rollups.DeadlineFacts.of(d))
        Complaint.objects.bulk_update(complaints, ["reference"], batch_size=500)
        Deadline.objects.bulk_create([d for p in planned for d in p.deadlines])
        ComplaintEvent.objects.bulk_create([p.event for p in planned])
        rollups.write(deltas, chunk=500)
        self.report.imported += len(planned)
        self.report.truncated += sum(p.truncated for p in planned)


def import_file(path: Path, batch_size: int = 1000, progress=None) -> Report:
    return Importer(path, batch_size, progress).run()
