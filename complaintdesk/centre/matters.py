"""Reports (举报) and enquiries (咨询) at the 12315 centre (SPEC §10): matters of their own kinds, not complaints.

1. Anyone files one (`file`): a report is about a shop of ours or a web address and may be anonymous; an
   enquiry is a question. An officer records those received by hotline, counter or letter, with the caller's
   contacts. The matter is received under the rule version in force on the local day of receipt
   (`duties.version_on`), which it keeps, and its duty starts at receipt: the case decision on a report, the
   answer to an enquiry (`centre.duties`).
2. An officer decides a report (`decide_report`: open a case or not, with the reason) or answers an enquiry
   (`answer_enquiry`), once. That meets the duty (late when after its due time) and writes the letter to the
   person who wrote in, when they can be reached (`centre.letters`), in the same transaction.
3. A matter goes to the bureau in charge of the shop it names (`routed_to`: `jurisdiction.route`), else to the
   city centre; why is kept with it (`Matter.routing`). Until decided, an officer may transfer it to another
   bureau with a reason (`transfer`), whose duty then starts anew on its own calendar.

Who reported is the officers' to know only: a matter's filer and contacts appear in no shop's page, API answer,
export or open data (there is no shop view of a matter at all; `visible_matters`). An anonymous report keeps
no account and no contact, so it cannot be told the decision; one who wants to be told gives a contact.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.accounts import ratelimit
from complaintdesk.accounts.models import Role
from complaintdesk.centre import duties, letters, transfers
from complaintdesk.centre.jurisdiction import Route, officer_bureau, route
from complaintdesk.centre.models import (
    Bureau,
    Matter,
    MatterChannel,
    MatterKind,
    MatterState,
    NoticeKind,
    Routing,
)
from complaintdesk.deadlines.models import Phase
from complaintdesk.lib.cursor import Key, Order, Segment
from complaintdesk.lib.dates import outside_service_years
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import Merchant

TEXT_LIMIT = 10000
REASON_LIMIT = 5000
WEB_ADDRESS_LIMIT = 500
CONTACT_NAME_LIMIT = 100
# A phone number as people write it: digits with an optional leading +, spaces, dashes, parentheses.
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")
PHONE_DIGITS = (5, 20)

# The duty each kind starts at receipt, and the letter that ends it.
DUTY = {MatterKind.REPORT: Phase.REPORT_DECISION, MatterKind.ENQUIRY: Phase.ENQUIRY_ANSWER}
LETTER = {MatterKind.REPORT: NoticeKind.REPORT_DECISION, MatterKind.ENQUIRY: NoticeKind.ENQUIRY_ANSWER}
CONTACTS = ("contact_name", "contact_phone", "contact_email")


class ReportDecision(models.TextChoices):
    """The officer's decision on a report (立案 / 不予立案) and the state it leaves the report in."""

    OPEN_CASE = "open_case", gettext_lazy("Open a case")
    NO_CASE = "no_case", gettext_lazy("Open no case")


STATE_AFTER = {ReportDecision.OPEN_CASE: MatterState.CASE_OPENED, ReportDecision.NO_CASE: MatterState.NO_CASE}
DECISION_OF = {state: decision for decision, state in STATE_AFTER.items()}
OPEN_STATES = (MatterState.RECEIVED,)
# Step 2's lock of `_conclude`, switched off only by the concurrency sanity test, which shows on this very code
# that two officers deciding at once both decide without it (STYLE.md "Tests").
GUARDED = True


@dataclass(frozen=True)
class Filing:
    """What a report or an enquiry says, as a form or the API received it (checked by `file`)."""

    kind: str
    text: str
    merchant: int | None = None
    web_address: str = ""
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    channel: str = MatterChannel.WEB
    # Officers only: when a letter or a call reached the centre, if before now (the duty counts from then).
    received_at: datetime | None = None
    # The language the person wrote in: their letter's (centre.letters).
    language: str = ""


def file(by, filing: Filing, now: datetime | None = None, before_storing=None) -> Matter:
    """Store a new report or enquiry with its reference and its duty, all or nothing.

    `by`: the signed-in person who writes in, an officer who records a call or a letter for someone else, or
    None (nobody signed in). A report marked anonymous keeps neither the account nor any contact. Every field
    the checks refuse is named at once (FieldError). No rule version in force on the day: NoRuleVersion (409).
    `before_storing` runs once the filing passed its checks (the rate limit: a refused filing uses none).
    """
    now = now or timezone.now()
    checked = _checked(by, filing, now)
    if before_storing is not None:
        before_storing()
    officer = by is not None and by.role == Role.REGULATOR
    received_at = checked["received_at"]
    with transaction.atomic():
        version = duties.version_on(local(received_at).date())
        routed = routed_to(checked["merchant"])
        bureau = routed.bureau
        matter = Matter.objects.create(
            kind=filing.kind,
            bureau=bureau,
            routing=routed.basis,
            rule_version=version,
            channel=filing.channel,
            received_at=received_at,
            merchant=checked["merchant"],
            web_address=checked["web_address"],
            text=checked["text"],
            # An officer who records a call is not the one who wrote in; an anonymous reporter leaves no trace.
            user=None if officer or filing.anonymous else by,
            anonymous=filing.anonymous,
            contact_name=checked["contact_name"],
            contact_phone=checked["contact_phone"],
            contact_email=checked["contact_email"],
            language=_language(filing.language, by),
        )
        matter.reference = Matter.reference_for(matter.kind, matter.pk, local(received_at).year)
        matter.save(update_fields=["reference"])
        duties.start(DUTY[matter.kind], received_at, version, matter=matter, bureau=bureau)
    return matter


def routed_to(merchant) -> Route:
    """The bureau a new report or enquiry goes to, and why: the one in charge of the shop it names
    (`jurisdiction.route`); the city centre when it names none of ours (a web address, a question)."""
    if merchant is None:
        return Route(Bureau.city_centre(), Routing.NO_SHOP)
    return route(merchant)


def transfer(matter_id: int, officer, bureau, message: str, at: datetime | None = None) -> Matter:
    """Move a report or an enquiry that awaits its decision or answer to another bureau, with the reason
    (SPEC §11), all or nothing:

    1. Check the receiving bureau and the reason (FieldError naming `bureau` or `message`).
    2. Lock the matter; refuse one already decided or answered (Conflict) and one already at that bureau.
    3. Record the transfer (`centre.transfers`), move the matter, and start its duty anew at the receiving
       bureau from now, on that bureau's calendar: it receives the matter now. The rule version stays the
       one in force when the centre first received it."""
    if officer is None or officer.role != Role.REGULATOR:
        raise PermissionDenied(_("Only an officer of the centre transfers reports and enquiries."))
    receiving = transfers.receiving_bureau(bureau)
    reason = transfers.reason(message)
    at = at or timezone.now()
    with transaction.atomic():
        # Lock the matter only (`of`): the bureau row is shared by every matter it holds.
        matter = Matter.objects.select_for_update(of=("self",)).select_related("bureau").get(pk=matter_id)
        if matter.state not in OPEN_STATES:
            raise Conflict(_already(matter))
        transfers.another_bureau(receiving, matter.bureau_id)
        transfers.record(
            matter=matter, from_bureau=matter.bureau, to_bureau=receiving, reason=reason, by=officer, at=at,
            received_before=matter.received_at,
        )  # fmt: skip
        matter.bureau, matter.received_at = receiving, at
        matter.save(update_fields=["bureau", "received_at"])
        duties.start(DUTY[matter.kind], at, matter.rule_version, matter=matter, bureau=receiving)
    return matter


def decide_report(matter_id: int, officer, decision: str, reason: str, at: datetime | None = None) -> Matter:
    """The officer's case decision on a report, with its reason; once. The reporter, if reachable, is told."""
    decision = _choice(decision)
    return _conclude(matter_id, officer, MatterKind.REPORT, STATE_AFTER[decision], "reason", reason, at)


def answer_enquiry(matter_id: int, officer, answer: str, at: datetime | None = None) -> Matter:
    """The officer's answer to an enquiry; once. The enquirer, if reachable, is sent it."""
    return _conclude(matter_id, officer, MatterKind.ENQUIRY, MatterState.ANSWERED, "answer", answer, at)


def _conclude(matter_id, officer, kind, state, field, text, at) -> Matter:
    """1. Check the text; 2. lock the matter and refuse a second decision (Conflict: nothing changes);
    3. record the decision, meet the duty (late if past due) and write the letter, in one transaction."""
    if officer is None or officer.role != Role.REGULATOR:
        raise PermissionDenied(_("Only an officer of the centre decides reports and answers enquiries."))
    text = (text or "").strip()
    if not text:
        raise FieldError(field, _required_words(kind))
    if len(text) > REASON_LIMIT:
        raise FieldError(field, _too_long(len(text), REASON_LIMIT))
    at = at or timezone.now()
    with transaction.atomic():
        rows = Matter.objects.select_for_update() if GUARDED else Matter.objects
        matter = rows.get(pk=matter_id, kind=kind)
        if matter.state not in OPEN_STATES:
            raise Conflict(_already(matter))
        matter.state, matter.reason, matter.decided_at, matter.decided_by = state, text, at, officer
        matter.save(update_fields=["state", "reason", "decided_at", "decided_by"])
        duties.meet(DUTY[kind], at, matter=matter)
        letters.issue(LETTER[kind], matter=matter, reason=text, by=officer, at=at)
    return matter


def _required_words(kind) -> str:
    if kind == MatterKind.REPORT:
        return _(
            "Write the reason for the decision: it is kept with the report, and the reporter is told it "
            "if they can be reached."
        )
    return _("Write the answer to the enquiry.")


def _already(matter: Matter) -> str:
    when = f"{local(matter.decided_at):%Y-%m-%d %H:%M}" if matter.decided_at else ""
    if matter.kind == MatterKind.REPORT:
        return _(
            "Report %(ref)s was decided already (%(state)s, %(when)s): a report is decided once; nothing was "
            "changed."
        ) % {"ref": matter.reference, "state": matter.get_state_display(), "when": when}
    return _("Enquiry %(ref)s was answered already (%(when)s): it is answered once; nothing was changed.") % {
        "ref": matter.reference,
        "when": when,
    }


def _choice(decision: str) -> ReportDecision:
    try:
        return ReportDecision(decision)
    except ValueError:
        raise FieldError(
            "decision",
            _("Choose the decision: %(choices)s.") % {"choices": ", ".join(ReportDecision.values)},
        ) from None


# ----------------------------------------------------------------------------------------------- checks


def local(at: datetime) -> datetime:
    """An instant in the regulator's zone: the day of receipt picks the rule version, the year the reference."""
    return at.astimezone(ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE))


def _too_long(length: int, limit: int) -> str:
    return _("must be at most %(limit)s characters (it has %(length)s)") % {"limit": limit, "length": length}


def _checked(by, filing: Filing, now: datetime) -> dict:
    """The filing's values, cleaned; every refused field named at once (the first, then `also`)."""
    problems: list[tuple[str, str]] = []
    officer = by is not None and by.role == Role.REGULATOR
    if filing.kind not in MatterKind.values:
        problems.append(("kind", _("Unknown kind of matter: %(kind)s.") % {"kind": filing.kind}))
    report = filing.kind == MatterKind.REPORT

    text = (filing.text or "").strip()
    if not text:
        problems.append(("text", _("Say what the shop did.") if report else _("Write your question.")))
    elif len(text) > TEXT_LIMIT:
        problems.append(("text", _too_long(len(text), TEXT_LIMIT)))

    merchant = None
    if filing.merchant is not None:
        merchant = Merchant.objects.filter(pk=filing.merchant).first()
        if merchant is None:
            problems.append(
                (
                    "merchant",
                    _("No shop has the id %(id)s: choose one from the directory.") % {"id": filing.merchant},
                )
            )
    web_address, address_problem = _web_address(filing.web_address)
    if address_problem:
        problems.append(("web_address", address_problem))
    if report and filing.merchant is None and not web_address and not address_problem:
        about = _(
            "A report is about a shop: choose the shop, or give the web address of the shop or of the page "
            "you report."
        )
        problems += [("merchant", about), ("web_address", about)]

    contacts = {name: (getattr(filing, name) or "").strip() for name in CONTACTS}
    problems += _contact_problems(contacts)
    if filing.anonymous:
        if not report:
            problems.append(("anonymous", _("An enquiry is answered to someone: it cannot be anonymous.")))
        for name in CONTACTS:
            if contacts[name]:
                problems.append(
                    (
                        name,
                        _(
                            "An anonymous report leaves no contact: leave this empty, or report under your name."
                        ),
                    )
                )
    # Nobody signed in (or an officer recording a call): the centre reaches the person by their contacts only.
    elif (by is None or officer) and not (contacts["contact_phone"] or contacts["contact_email"]):
        problems.append(
            (
                "contact_phone",
                _(
                    "Give a phone number or an e-mail address so that the centre can tell you its decision, "
                    "or report anonymously."
                )
                if report
                else _("Give a phone number or an e-mail address for the answer."),
            )
        )

    if filing.channel not in MatterChannel.values:
        problems.append(("channel", _("Unknown channel: %(channel)s.") % {"channel": filing.channel}))
    elif filing.channel != MatterChannel.WEB and not officer:
        problems.append(
            (
                "channel",
                _("Only an officer records a matter received by hotline, at the counter or by letter."),
            )
        )
    received_at = filing.received_at or now
    if filing.received_at is not None:
        problem = _received_problem(filing.received_at, now, officer)
        if problem:
            problems.append(("received_at", problem))
            received_at = now

    if problems:
        (field, reason), *also = problems
        raise FieldError(field, reason, tuple(also))
    return {
        "text": text,
        "merchant": merchant,
        "web_address": web_address,
        "received_at": received_at,
        **contacts,
    }


def _web_address(value: str) -> tuple[str, str | None]:
    """The address as stored (a scheme added when left out: people write "shop.example.com"), or why not."""
    value = (value or "").strip()
    if not value:
        return "", None
    if "://" not in value:
        value = f"https://{value}"
    if len(value) > WEB_ADDRESS_LIMIT:
        return "", _too_long(len(value), WEB_ADDRESS_LIMIT)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return "", _("Enter a web address such as https://shop.example.com/item/1.")
    return value, None


def _contact_problems(contacts: dict) -> list[tuple[str, str]]:
    problems = []
    if len(contacts["contact_name"]) > CONTACT_NAME_LIMIT:
        problems.append(("contact_name", _too_long(len(contacts["contact_name"]), CONTACT_NAME_LIMIT)))
    phone = contacts["contact_phone"]
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not PHONE.match(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]):
        problems.append(
            (
                "contact_phone",
                _(
                    "Enter a phone number of %(min)s to %(max)s digits (+, spaces, dashes and brackets allowed)."
                )
                % {"min": PHONE_DIGITS[0], "max": PHONE_DIGITS[1]},
            )
        )
    email = contacts["contact_email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(("contact_email", _("Enter a valid e-mail address.")))
    return problems


def _received_problem(received_at: datetime, now: datetime, officer: bool) -> str | None:
    if not officer:
        return _("Only an officer enters when a matter was received; yours is received now.")
    if received_at.tzinfo is None:
        return _("Give the time with its offset, as in 2026-10-09T14:30:00+08:00.")
    if received_at > now:
        return _("The time of receipt cannot be in the future.")
    return outside_service_years(received_at)


def _language(language: str, by) -> str:
    """The letter's language: the one the person wrote in, else their account's, else the centre's own."""
    chosen = language or (getattr(by, "language", "") if by is not None else "") or "zh-hans"
    return "zh-hans" if chosen.lower().startswith("zh") else "en"


# ---------------------------------------------------------------------------------------- rate of filing


def filing_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """The filing rate limits of complaints (settings COMPLAINT_RATE_*), counted apart for these matters."""
    per_account, per_address = ratelimit.complaint_rate_limits()
    return (
        ratelimit.Limit("matter:account", per_account.limit, per_account.window),
        ratelimit.Limit("matter:address", per_address.limit, per_address.window),
    )


def check_filing_rate(by, address: str | None) -> None:
    """Raise RateLimited when this account or this network address filed too many reports and enquiries in
    the window. Officers record calls all day: not limited. Anyone may report without an account, so the
    address limit is what holds back a flood."""
    if by is not None and by.role == Role.REGULATOR:
        return
    per_account, per_address = filing_limits()
    now = timezone.now()
    account_key = f"user:{by.pk}" if by is not None else None
    if account_key and (wait := ratelimit.hit(per_account, account_key, now)) is not None:
        raise _limited(per_account, wait, _("this account"))
    wait = ratelimit.hit(per_address, f"ip:{address or 'unknown'}", now)
    if wait is not None:
        if account_key:
            ratelimit.release(per_account, account_key, now)
        raise _limited(per_address, wait, _("this network address"))


def _limited(limit: ratelimit.Limit, wait: int, source: str) -> ratelimit.RateLimited:
    minutes = max(1, -(-int(limit.window.total_seconds()) // 60))
    return ratelimit.RateLimited(
        _(
            "Too many reports and enquiries from %(source)s: at most %(n)s per %(window)s minutes. "
            "Please try again in %(wait)s minutes, or call 12315."
        )
        % {"source": source, "n": limit.limit, "window": minutes, "wait": max(1, -(-wait // 60))},
        wait,
    )


# ------------------------------------------------------------------------------------------------ lists


def visible_matters(user) -> QuerySet[Matter]:
    """The matters a user may see: an officer of a district bureau its bureau's, a city-level officer every
    one; anybody else none (a shop never sees a report, so never who made it; the person who wrote in reads
    the centre's letter to them, `centre.letters`)."""
    if user is None or not user.is_authenticated or user.role != Role.REGULATOR:
        return Matter.objects.none()
    matters = Matter.objects.select_related("merchant", "rule_version", "bureau", "user", "decided_by")
    bureau = officer_bureau(user)
    return matters if bureau is None else matters.filter(bureau_id=bureau)


# The lists' order, in two parts (`listed`), as their pages walk them (lib.cursor).
RUNNING_FIRST = Order("matters-running", (Key("next_due"), Key("received_at", descending=True), Key("id")))
AT_REST = Order("matters-at-rest", (Key("received_at", descending=True), Key("id")))


def listed(matters: QuerySet[Matter], at_rest: bool = True) -> list[Segment]:
    """`matters` in the lists' order, as the parts of a list (`lib.cursor.chained`): those with a duty
    running (undecided, unanswered), the nearest due first; then the others, the newest first (matters
    received at the same instant in the order they were filed). Each part walks its own partial index of
    `Matter.next_due` in its order (matter_running, matter_at_rest), so a page reads a page of rows however
    many matters there are. `at_rest=False`: the first part alone, for `matters` that all have a duty
    running (the `overdue`), whose empty second part a planner would look for among them."""
    running = Segment(matters.filter(next_due__isnull=False), RUNNING_FIRST)
    return [running, Segment(matters.filter(next_due__isnull=True), AT_REST)] if at_rest else [running]


def overdue(matters: QuerySet[Matter], now: datetime | None = None) -> QuerySet[Matter]:
    """Matters whose duty is past due and not met (the decision or the answer is late)."""
    return matters.filter(next_due__lt=now or timezone.now())


def not_overdue(matters: QuerySet[Matter], now: datetime | None = None) -> QuerySet[Matter]:
    """Matters with no duty past due: none running, or one not yet due."""
    return matters.filter(Q(next_due__isnull=True) | Q(next_due__gte=now or timezone.now()))


def duty_of(matter: Matter):
    """The matter's duty (its Deadline row), or None."""
    return matter.deadlines.filter(phase=DUTY[matter.kind]).first()
