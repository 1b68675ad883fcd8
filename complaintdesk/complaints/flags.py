"""Repeat-complainant flags (SPEC §11; docs/flags.md): a complaint flagged for an officer's review. A flag, not
a verdict: nothing here refuses, delays or changes a complaint.

Two rules, checked when a consumer files (`services.file_complaint`):

1. Many shops: the complainant — the consumer's account, and every other consumer account with the same
   e-mail address or phone number (`same_person`) — has filed more than REPEAT_COMPLAINANT_COMPLAINTS
   complaints against more than REPEAT_COMPLAINANT_SHOPS different shops within the last
   REPEAT_COMPLAINANT_DAYS days, this one included. Evidence: the other complaints of the window.
2. Repeat: the account filed a complaint before (open, finished or withdrawn) about the same order at the same
   shop (`queries.earlier_complaint_about_the_same_order`: order number equal ignoring case), or with the
   same description once both are normalised (`text_key`: NFKC, case folded, without whitespace,
   punctuation or symbols; at least MIN_REPEAT_TEXT characters left). Evidence: those complaints.

Only a consumer's own filing is checked: a back-office filing has no account to look at, and a record of
another system (an external id: the demo's stories; the bulk import writes its rows without this path) is
history, not a filing to review. Every query reads an index: the complaints by (consumer, received_at), the
flags by complaint; the accounts by contact are the exception (docs/flags.md says why and what would serve
it).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace, Trim
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role, User
from complaintdesk.centre.jurisdiction import officer_bureau, officer_opens
from complaintdesk.centre.models import Flag, FlagReason
from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.queries import earlier_complaint_about_the_same_order
from complaintdesk.lib.errors import Conflict, FieldError

# A flag lists at most this many other complaints (the latest); its details count them all.
EVIDENCE_LIMIT = 100
# The rules read the account's latest complaints, this many, in one query: the repeat rule compares their
# descriptions (a bounded read per filing; a copy-pasted complaint is a recent one), the many-shops rule
# counts them when its window holds no more (else it asks the database).
LATEST = 100
# Shorter normalised descriptions ("退款", "no refund") say too little to call two complaints the same.
MIN_REPEAT_TEXT = 10
# Other accounts found by one contact, at most: a made-up address many people type ("123@qq.com") must not
# turn one filing into a scan of their complaints.
SAME_PERSON_LIMIT = 50
NOTE_MAX = 2000
# Events of a complaint's log that only officers see: a flag is never shown to the consumer or the shop.
OFFICERS_ONLY_EVENTS = frozenset({EventKind.CLEAR_FLAG})


@dataclass(frozen=True)
class Finding:
    """A flag to raise: its reason, the other complaints behind it (ids) and its figures."""

    reason: str
    evidence: list[int] = field(default_factory=list)
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------- detection


def text_key(text: str) -> str:
    """A description as the repeat rule compares it: full-width forms folded (NFKC), case folded, and only
    letters, marks and digits kept, so whitespace, punctuation and symbols make no difference."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def phone_key(phone: str) -> str:
    """A phone number's digits without the country code of China (+86 or 0086 before a mobile number); empty
    for fewer than 7 digits, which name nobody."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
            break
    return digits if len(digits) >= 7 else ""


def _stored_phone_digits(column: str):
    """The stored phone without the separators people type, in SQL, so that it compares with `phone_key`."""
    expression = Trim(column)
    for separator in (" ", "-", "(", ")", "+", "."):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def same_person(consumer) -> list[int]:
    """The other consumer accounts with the consumer's e-mail address or phone number (`email_key`,
    `phone_key`): the same person filing under several names. Empty when the account has neither."""
    email, phone = email_key(consumer.email), phone_key(consumer.phone)
    match = Q()
    if email:
        match |= Q(email_key=email)
    if phone:
        match |= Q(phone_digits__in=[phone, f"86{phone}", f"0086{phone}"])
    if not match:
        return []
    accounts = (
        User.objects.filter(role=Role.CONSUMER)
        .exclude(pk=consumer.pk)
        .alias(email_key=Lower(Trim("email")), phone_digits=_stored_phone_digits("phone"))
        .filter(match)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(accounts[:SAME_PERSON_LIMIT])


@dataclass(frozen=True)
class Recent:
    """A complaint of the account's latest (`_latest`): what both rules read of it."""

    pk: int
    merchant_id: int
    received_at: datetime
    description: str


def _latest(consumer, exclude: int | None) -> list[Recent]:
    """The account's latest complaints (LATEST of them), newest first, in one read by the (consumer,
    received_at) index: the text rule compares with them, and the many-shops rule counts them when its window
    holds no more (`_window`). One query where each rule would make its own: filing is the hot path."""
    rows = Complaint.objects.filter(consumer=consumer)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    rows = rows.order_by("-received_at", "-id").values_list("pk", "merchant_id", "received_at", "description")
    return [Recent(*row) for row in rows[:LATEST]]


@dataclass(frozen=True)
class Window:
    """The person's complaints of the many-shops window, this one included."""

    accounts: int
    complaints: int
    shops: int
    evidence: list[int]  # the others, newest first, up to EVIDENCE_LIMIT


def _window(consumer, merchant_id: int, latest: list[Recent], since, at, exclude: int | None) -> Window:
    """The window (since, at]: from `latest` when it holds the whole window of the account alone (the common
    case: no query), else counted by the database over every account of the person."""
    others = same_person(consumer)
    covered = len(latest) < LATEST or latest[-1].received_at <= since
    if not others and covered:
        rows = [r for r in latest if since < r.received_at <= at]
        shops = {r.merchant_id for r in rows} | {merchant_id}
        return Window(1, len(rows) + 1, len(shops), [r.pk for r in rows][:EVIDENCE_LIMIT])
    accounts = [consumer.pk, *others]
    rows = Complaint.objects.filter(consumer_id__in=accounts, received_at__gt=since, received_at__lte=at)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    counted = rows.aggregate(
        n=Count("id"),
        shops=Count("merchant", distinct=True),
        here=Count("id", filter=Q(merchant_id=merchant_id)),
    )
    evidence = list(rows.order_by("-received_at", "-id").values_list("pk", flat=True)[:EVIDENCE_LIMIT])
    shops = counted["shops"] + (0 if counted["here"] else 1)
    return Window(len(accounts), counted["n"] + 1, shops, evidence)


def _many_shops(consumer, merchant_id: int, at: datetime, latest, exclude: int | None) -> Finding | None:
    days = settings.REPEAT_COMPLAINANT_DAYS
    since = at - timedelta(days=days)
    window = _window(consumer, merchant_id, latest, since, at, exclude)
    if (
        window.complaints <= settings.REPEAT_COMPLAINANT_COMPLAINTS
        or window.shops <= settings.REPEAT_COMPLAINANT_SHOPS
    ):
        return None
    return Finding(
        FlagReason.MANY_SHOPS,
        window.evidence,
        {
            "complaints": window.complaints,
            "shops": window.shops,
            "days": days,
            "since": since.isoformat(),
            "until": at.isoformat(),
            "accounts": window.accounts,
            "thresholds": {
                "complaints": settings.REPEAT_COMPLAINANT_COMPLAINTS,
                "shops": settings.REPEAT_COMPLAINANT_SHOPS,
            },
        },
    )


def _repeat(probe: Complaint, latest: list[Recent]) -> Finding | None:
    """`probe`: the complaint as filed (saved or not yet): its consumer, shop, order number, description."""
    # Only a complaint at the same shop can be about the same order: without one among the latest, and no
    # older ones unread, there is nothing to ask (a consumer's first complaint at a shop, the common case).
    here = any(r.merchant_id == probe.merchant_id for r in latest)
    same_order = earlier_complaint_about_the_same_order(probe) if here or len(latest) >= LATEST else None
    key = text_key(probe.description)
    same_text = (
        sorted(r.pk for r in latest if text_key(r.description) == key) if len(key) >= MIN_REPEAT_TEXT else []
    )
    if same_order is None and not same_text:
        return None
    evidence = sorted({*same_text, *([same_order.pk] if same_order else [])})
    return Finding(
        FlagReason.REPEAT,
        evidence[:EVIDENCE_LIMIT],
        {
            "same_order": same_order.pk if same_order else None,
            "order_number": probe.order_number if same_order else "",
            "same_text": same_text,
        },
    )


def detect(consumer, new_complaint, received_at: datetime, complaint_id: int | None = None) -> list[Finding]:
    """The flags a filing raises: `new_complaint` (a `services.NewComplaint`) filed by `consumer` (None for a
    back-office filing) and received at `received_at`. Reads only: `services.file_complaint` calls it before
    its transaction (as it reads the deadlines) and stores the findings in it (`raise_flags`).
    `complaint_id`: the complaint itself when it is stored already, left out of the comparisons.

    Queries, for an account without e-mail or phone: its latest complaints and, with an order number, the
    earlier complaint about it; with a contact, the accounts sharing it too (docs/flags.md has the costs)."""
    if consumer is None or new_complaint.external_id:
        return []
    probe = Complaint(
        pk=complaint_id,
        consumer=consumer,
        merchant=new_complaint.merchant,
        order_number=new_complaint.order_number,
        description=new_complaint.description,
    )
    latest = _latest(consumer, complaint_id)
    found = [
        _many_shops(consumer, new_complaint.merchant.pk, received_at, latest, complaint_id),
        _repeat(probe, latest),
    ]
    return [f for f in found if f is not None]


def raise_flags(complaint, findings: list[Finding], at: datetime | None = None) -> list[Flag]:
    """Store the findings as flags of `complaint`, once per reason (the unique constraint: raising again
    adds nothing), raised when the complaint was received unless `at` says otherwise, with the complaint's
    bureau in charge as its row has it (`Flag.bureau`). Inside the filing's transaction."""
    if not findings:
        return []
    at = at or complaint.received_at
    bureau = Complaint.objects.filter(pk=complaint.pk).values_list("bureau_id", flat=True).first()
    flags = [
        Flag(
            complaint=complaint, bureau_id=bureau, reason=f.reason, evidence=f.evidence, details=f.details,
            raised_at=at,
        )
        for f in findings
    ]  # fmt: skip
    return Flag.objects.bulk_create(flags, ignore_conflicts=True)


# ---------------------------------------------------------------------------------------------- clearing


def clear(complaint, flag_id: int, officer, note: str, at: datetime | None = None) -> Flag:
    """An officer clears a flag of `complaint` (one the officer may see: the caller's business) with a note
    saying what the review found: the flag stays, cleared, with its note, and the complaint's log records it
    (an event only officers see). Refused, changing nothing: by anyone but an officer (ActionForbidden, before
    any flag is looked up, so that nobody else learns which exist), a flag of another complaint or none
    (Http404), without a note (FieldError), once cleared (Conflict)."""
    if not sees_flags(officer):
        raise ActionForbidden(_("only regulator officers clear flags"))
    note = (note or "").strip()
    at = at or timezone.now()
    with transaction.atomic():
        flag = Flag.objects.select_for_update(of=("self",)).filter(pk=flag_id, complaint=complaint).first()
        if flag is None:
            raise Http404
        if not note:
            raise FieldError("note", _("say what the review found: a flag is cleared with a note"))
        if len(note) > NOTE_MAX:
            raise FieldError("note", _("must be at most %(n)s characters") % {"n": NOTE_MAX})
        if flag.cleared_at is not None:
            raise Conflict(_("this flag was already cleared; nothing was changed"))
        flag.cleared_at, flag.cleared_by, flag.note = at, officer, note
        flag.save(update_fields=["cleared_at", "cleared_by", "note"])
        # The note is kept in the event's data, not its message: messages are search text, which the
        # consumer and the shop search too.
        ComplaintEvent.objects.create(
            complaint=complaint,
            actor=officer,
            actor_role=officer.role,
            action=EventKind.CLEAR_FLAG,
            from_state=complaint.state,
            to_state=complaint.state,
            data={"flag": flag.pk, "reason": flag.reason, "note": note},
            created_at=at,
        )
    return flag


# ----------------------------------------------------------------------------------------- who sees what


def sees_flags(user) -> bool:
    """Officers only: a consumer or a shop never learns that a complaint was flagged."""
    return getattr(user, "role", None) == Role.REGULATOR


def events_seen_by(complaint, viewer) -> QuerySet[ComplaintEvent]:
    """The complaint's log as `viewer` may read it: without the officers' own events for anyone else."""
    events = complaint.events.select_related("actor")
    return events if sees_flags(viewer) else events.exclude(action__in=OFFICERS_ONLY_EVENTS)


def flags_of(complaint, viewer) -> list[Flag]:
    """The complaint's flags, newest first; none for anyone but an officer."""
    if not sees_flags(viewer):
        return []
    return list(complaint.flags.select_related("cleared_by"))


@dataclass(frozen=True)
class Evidence:
    """A flag's evidence as one officer may see it: the complaints they may open (id, reference), and how
    many others are at bureaus they do not see."""

    complaints: list[dict]
    elsewhere: int


def evidence_seen_by(flags: list[Flag], viewer) -> dict[int, Evidence]:
    """Each flag's evidence (by flag id) limited to the complaints `viewer` (an officer) sees, read in one
    query by primary key, the bureau compared on the rows read (`officer_opens`): a page of flags may name
    thousands of complaints, and with the bureau's condition SQLite walked the bureau's complaints instead."""
    wanted = {pk for f in flags for pk in f.evidence}
    if not wanted or not sees_flags(viewer):
        return {f.pk: Evidence([], len(f.evidence)) for f in flags}
    rows = Complaint.objects.filter(pk__in=wanted).order_by().values_list("pk", "bureau_id", "reference")
    seen = {pk: reference for pk, held_by, reference in rows if officer_opens(viewer, held_by)}
    out = {}
    for f in flags:
        shown = [{"id": pk, "reference": seen[pk]} for pk in f.evidence if pk in seen]
        out[f.pk] = Evidence(shown, len(f.evidence) - len(shown))
    return out


def open_flags(viewer) -> QuerySet[Flag]:
    """The flags not yet cleared of the complaints `viewer` sees (a district officer: those in its bureau's
    charge, `centre.jurisdiction.in_bureau`, as the flag's copy of it has it: `Flag.bureau`), newest first,
    read from an index of the open flags in that order; none for anyone but an officer."""
    if not sees_flags(viewer):
        return Flag.objects.none()
    flags = Flag.objects.filter(cleared_at__isnull=True)
    bureau = officer_bureau(viewer)
    if bureau is not None:
        flags = flags.filter(bureau_id=bureau)
    return flags.select_related("complaint__merchant").order_by("-raised_at", "-id")


def open_count(viewer) -> int:
    """How many `open_flags(viewer)` there are, counted in the open flags' index (`flag_open_bureau`: a
    district officer's, its bureau's entries)."""
    return open_flags(viewer).order_by().count()


def figures(start: datetime, end: datetime, bureau: int | None = None) -> dict:
    """The centre's figures of flags (`stats.centre`): raised in [start, end) (by reason) and cleared in it;
    of the complaints in one bureau's charge now, or of all. Flags are few: counted from their rows."""
    return figures_of(start, end, [bureau])[bureau]


def figures_of(start: datetime, end: datetime, bureaus: list[int | None]) -> dict[int | None, dict]:
    """`figures` of each of `bureaus` (None: of all) from two queries however many bureaus there are: the
    period's flags counted by the bureau holding their complaint (`Flag.bureau`, its copy), each bureau's its
    own group, all of them the sum of every group."""
    out = {
        b: {"raised": 0, "raised_by_reason": dict.fromkeys(FlagReason.values, 0), "cleared": 0}
        for b in bureaus
    }
    bureau = "bureau_id"  # the flag's copy of its complaint's (`in_bureau`)
    raised = Flag.objects.filter(raised_at__gte=start, raised_at__lt=end)
    for r in raised.values("reason", bureau).annotate(n=Count("id")).order_by():
        for b in {None, r[bureau]} & out.keys():
            out[b]["raised_by_reason"][r["reason"]] = out[b]["raised_by_reason"].get(r["reason"], 0) + r["n"]
            out[b]["raised"] += r["n"]
    cleared = Flag.objects.filter(cleared_at__gte=start, cleared_at__lt=end)
    for r in cleared.values(bureau).annotate(n=Count("id")).order_by():
        for b in {None, r[bureau]} & out.keys():
            out[b]["cleared"] += r["n"]
    return out


def reason_label(reason: str) -> str:
    return str(FlagReason(reason).label) if reason in FlagReason.values else reason
