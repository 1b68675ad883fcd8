"""Our own CSV format (`NATIVE_COLUMNS`), mapped to complaints; their deadlines come from the active policy
once the shop is known (`native_deadlines`)."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from complaintdesk.complaints.choices import Channel, EventKind, Kind, Sector, State, WantedOutcome
from complaintdesk.complaints.importing.common import (
    Planned,
    RowError,
    at_noon,
    cut_description,
    identity_of,
    not_future,
    parse_date,
    plain,
)
from complaintdesk.complaints.models import Category
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines.models import DeadlineStatus
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats import periods

if TYPE_CHECKING:  # write imports this module (native_deadlines): the type only, not a cycle at run time
    from complaintdesk.complaints.importing.write import Tables


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

    def __init__(self, categories: dict[str, Category], header: list[str], tables: "Tables"):
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
            received_at = at_noon(received_at.date())
        not_future(received_at, "received_at", now)
        code = need("category")
        if code not in self.categories:
            raise RowError(
                f"category: unknown category {code!r}; categories are: {', '.join(self.categories)}"
            )
        # As at filing (intake.kind_for): the category decides; a kind given must agree with it.
        derived = self.categories[code].complaint_kind
        kind = choice("kind", Kind, derived)
        if kind != derived:
            raise RowError(f"kind: must be {derived!r} for category {code!r}, or left out")
        amount = None
        if (raw := (v.get("amount") or "").strip()) != "":
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise RowError(f"amount: {raw!r} is not a number") from None
            if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
                raise RowError("amount: must be ≥ 0 with at most 2 decimals and 10 digits before the point")
        order_date = (
            parse_date(v["order_date"], "order_date") if (v.get("order_date") or "").strip() else None
        )
        state = (v.get("state") or "").strip() or State.SUBMITTED
        if state not in (State.SUBMITTED, *FINAL_STATES):
            raise RowError(f"state: {state!r}; use empty (live), resolved, closed or withdrawn")
        description, truncated = cut_description(need("description"))
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
            "category_id": self.categories[code].pk, "kind": kind,
            "channel": choice("channel", Channel, Channel.IMPORT),
            "sector": choice("sector", Sector, Sector.ONLINE_SHOPPING),
            "order_number": (v.get("order_number") or "").strip(), "amount": amount, "order_date": order_date,
            "product": (v.get("product") or "").strip(),
            "wanted_outcome": choice("wanted_outcome", WantedOutcome, ""), "description": description,
            "publish_consent": CONSENT_VALUES[consent],
            "state": state, "received_at": received_at, "external_id": external_id,
        }  # fmt: skip
        event = {
            "actor_role": "system", "action": plain(EventKind.IMPORT), "from_state": "", "to_state": state,
            "message": f"Imported: {external_id}.", "data": {"source": "csv", "external_id": external_id},
            "created_at": received_at,
        }  # fmt: skip
        c = {k: plain(value) for k, value in complaint.items()}
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
        row = deadline_services.deadline_fields(plain(phase), due, native["received_at"])
        row["clock"] = plain(row["clock"])
        row["status"] = (DeadlineStatus.CANCELLED if final else DeadlineStatus.OPEN).value
        if final:
            row["next_check_at"] = None
        rows.append(row)
    return rows
