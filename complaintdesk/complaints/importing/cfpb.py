"""The CFPB consumer complaint database's columns, mapped to our complaints (docs/decisions.md, "Imported
CFPB complaints")."""

import functools
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db import connection

from complaintdesk.complaints.choices import (
    TERMINAL_STATES,
    Channel,
    EventKind,
    Kind,
    ResolutionType,
    Sector,
    State,
    WantedOutcome,
)
from complaintdesk.complaints.importing.common import (
    Planned,
    RowError,
    at_noon,
    cut_description,
    not_future,
    parse_date,
    plain,
)
from complaintdesk.complaints.importing.write import Tables, adapt_datetime
from complaintdesk.complaints.models import Category
from complaintdesk.deadlines.models import Clock, DeadlineStatus, Phase

CFPB_RULE = "CFPB: company response within 15 calendar days (imported)"
CFPB_WINDOW = timedelta(days=15)

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
        self.responses = {k: (plain(state), plain(how)) for k, (state, how) in CFPB_RESPONSES.items()}
        self.channels = {k: plain(v) for k, v in CFPB_CHANNELS.items()}
        c = tables.complaints.index
        self.c_at = SimpleNamespace(**c)
        self.e_at = SimpleNamespace(**tables.events.index)
        # A row's kind follows its category (Category.complaint_kind): "defective" is a quality issue.
        self.kinds = {kind: plain(kind) for kind in Kind}
        self.sector = plain(CFPB_SECTORS["default"])
        self.submitted, self.other_channel = plain(State.SUBMITTED), plain(Channel.IMPORT)
        self.wanted_outcome = (plain(WantedOutcome.APOLOGY), plain(WantedOutcome.REFUND))
        self.publish_consent = {b: tables.complaints.adapted("publish_consent", b) for b in (False, True)}
        template = tables.complaints.template.copy()
        template[c["sector"]] = self.sector
        self.c_template = template
        template = tables.events.template.copy()
        template[self.e_at.actor_role], template[self.e_at.action] = "system", plain(EventKind.IMPORT)
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
            received_at = at_noon(parse_date(value, "Date received"))
            not_future(received_at, "Date received", now)
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
            # Late by the CFPB's flag: still late while the complaint is open, missed once it ended.
            late = DeadlineStatus.MISSED if state in TERMINAL_STATES else DeadlineStatus.BREACHED
            deadline["status"], deadline["breached_at"] = late, due
        elif state == State.SUBMITTED:
            deadline["status"] = DeadlineStatus.CANCELLED  # still open at the CFPB: no outcome to record
        else:
            deadline["status"] = DeadlineStatus.MET  # timely by the CFPB's flag; the exact time is unknown
        deadline = {k: plain(v) for k, v in deadline.items()}
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
        description, truncated = cut_description(narrative)
        public = v[at["Company public response"]].strip()
        external_id = "cfpb:" + complaint_id
        channel = self.channels.get(via.lower(), self.other_channel)
        received_at, received_db, year = instant

        complaint = self.c_template.copy()
        c = self.c_at
        complaint[c.category_id] = category.pk
        complaint[c.kind] = kind = self.kinds[category.complaint_kind]
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
            (received_at, category.pk, kind, channel, self.sector, state),
            [deadline_facts],
            truncated,
        )


def _need(v: list[str], at: dict, column: str) -> str:
    value = v[at[column]].strip()
    if not value:
        raise RowError(f"{column}: missing")
    return value
