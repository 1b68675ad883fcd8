"""Reports and enquiries to the 12315 centre (SPEC §7, §10): anyone files one, no token needed (a report may be
anonymous); the centre's officers list them, read them, decide or answer each once, or transfer one to another
bureau with the reason (`centre.matters`).

Who wrote in is the officers' to know only: these answers are the only ones that carry it, and every one of
them but the filing's own is for officers (403 to anyone else, for every id alike).
"""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from complaintdesk.accounts.models import Role
from complaintdesk.api import presenters
from complaintdesk.api.auth import ANYONE
from complaintdesk.api.common import (
    Error,
    Instant,
    PageIn,
    PageOut,
    RowId,
    ValidationErrorOut,
    paged_segments,
)
from complaintdesk.api.complaints import DeadlineOut, StrictRowId
from complaintdesk.centre import letters, matters, transfers
from complaintdesk.centre.matters import Filing, ReportDecision
from complaintdesk.centre.models import Matter, MatterChannel, MatterKind, MatterState, Transfer
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.lib.clientip import client_ip
from complaintdesk.notify import render

reports = Router(tags=["reports and enquiries"])
enquiries = Router(tags=["reports and enquiries"])


def _text(limit: int):
    return Annotated[str, StringConstraints(max_length=limit)]


class MatterIn(Schema):
    text: _text(matters.TEXT_LIMIT) = Field(description="What happened, or the question. Required.")
    merchant: RowId | None = Field(
        None, description="The shop's id, if it is one of ours (GET /api/v1/merchants/directory)."
    )
    web_address: _text(matters.WEB_ADDRESS_LIMIT) = Field(
        "", description="The address of the shop or of the page (https:// is added when left out)."
    )
    contact_name: _text(matters.CONTACT_NAME_LIMIT) = ""
    contact_phone: _text(40) = ""
    contact_email: _text(254) = ""
    channel: MatterChannel = Field(
        MatterChannel.WEB, description="Officers only: how a call, a visit or a letter reached the centre."
    )
    received_at: datetime | None = Field(
        None,
        description="Officers only: when it reached the centre, with its offset, if before now (its duty "
        "counts from then).",
    )


class ReportIn(MatterIn):
    anonymous: bool = Field(
        False,
        description="Report without a name: neither your account nor any contact is kept, so the centre "
        "cannot tell you its decision (contact fields are refused). Without an account and not anonymous, "
        "give a phone number or an e-mail address.",
    )


class EnquiryIn(MatterIn):
    pass


class ReportFiledOut(Schema):
    id: int
    reference: str
    kind: str
    state: str
    received_at: datetime
    rule_version: str = Field(description="The rule version the report follows: the one in force on its day.")
    decision_due: datetime | None = Field(description="When the centre must decide whether to open a case.")


class EnquiryFiledOut(Schema):
    id: int
    reference: str
    kind: str
    state: str
    received_at: datetime
    rule_version: str
    answer_due: datetime | None = Field(description="When the centre must answer.")


class LetterOut(Schema):
    id: int
    kind: str
    recipient: str
    language: str
    title: str
    issued_at: datetime
    link: str = Field(description="The letter's printable page.")


class TransferOut(Schema):
    from_bureau: int
    to_bureau: int
    reason: str
    by: str | None = Field(description="The officer who transferred it (username), or null.")
    at: datetime = Field(description="When the receiving bureau received it: its duty counts from then.")


class MatterOut(Schema):
    """A report or an enquiry as the centre's officers see it, with who wrote in."""

    id: int
    reference: str
    kind: str
    state: str
    channel: str
    received_at: datetime = Field(description="When the bureau that holds it received it.")
    bureau: int
    bureau_name: str
    routing: str = Field(
        description="Why it first went to its bureau: district (the shop's registered district), platform "
        "(where the shop's platform is registered), city (neither), no_shop (it names no shop of ours); "
        "blank before routing was recorded."
    )
    transfers: list[TransferOut] = Field(description="Its transfers between bureaus, the oldest first.")
    rule_version: str
    merchant: int | None
    merchant_name: str | None
    web_address: str
    text: str
    anonymous: bool
    filed_by: str | None = Field(description="The account that wrote in (username), or null.")
    contact_name: str
    contact_phone: str
    contact_email: str
    language: str
    decided_at: datetime | None
    decided_by: str | None
    deadlines: list[DeadlineOut]
    letters: list[LetterOut]


class ReportOut(MatterOut):
    decision: ReportDecision | None = Field(description="open_case or no_case; null until decided.")
    reason: str
    decision_due: datetime | None


class EnquiryOut(MatterOut):
    answer: str
    answer_due: datetime | None


class MatterFilters(Schema):
    state: MatterState | None = None
    merchant: RowId | None = None
    received_from: Instant | None = None
    received_to: Instant | None = None
    overdue: bool | None = Field(None, description="true: only those whose decision or answer is late.")
    bureau: RowId | None = Field(
        None,
        description="Only those this bureau holds (GET /bureaus), as the console's list filters them. A "
        "district bureau's officers see their own bureau's only: another bureau's id gives an empty list.",
    )


class DecisionIn(Schema):
    decision: ReportDecision
    reason: _text(matters.REASON_LIMIT) = Field("", description="Required: kept, and told to the reporter.")


class EnquiryAnswerIn(Schema):
    answer: _text(matters.REASON_LIMIT) = Field("", description="Required: sent to the enquirer.")


class TransferIn(Schema):
    bureau: StrictRowId | None = Field(
        None,
        description="Required: the id of the bureau that receives it (GET /api/v1/bureaus), a JSON integer.",
    )
    message: _text(transfers.REASON_LIMIT) = Field(
        "", description="Required: why that bureau should handle it; kept with the transfer."
    )


# -------------------------------------------------------------------------------------------- handlers


def _officer(user) -> None:
    if user.role != Role.REGULATOR:
        raise ActionForbidden(_("reports and enquiries are for the 12315 centre's officers"))


def _file(request, kind: str, payload: MatterIn) -> Matter:
    by = request.auth if request.auth.is_authenticated else None
    values = payload.model_dump()
    filing = Filing(kind=kind, language=get_language() or "", **values)
    return matters.file(by, filing, before_storing=lambda: matters.check_filing_rate(by, client_ip(request)))


def _filed(matter: Matter) -> dict:
    duty = matters.duty_of(matter)
    due = "decision_due" if matter.kind == MatterKind.REPORT else "answer_due"
    return {
        "id": matter.pk,
        "reference": matter.reference,
        "kind": matter.kind,
        "state": matter.state,
        "received_at": matter.received_at,
        "rule_version": matter.rule_version.name,
        due: duty.due_at if duty else None,
    }


FILED_RESPONSES = {401: Error, 403: Error, 409: Error, 422: ValidationErrorOut, 429: Error}


@reports.post(
    "",
    auth=ANYONE,
    response={201: ReportFiledOut, **FILED_RESPONSES},
    summary="Report a shop that breaks the law (anyone, no token needed; anonymous allowed)",
)
def file_report(request, payload: ReportIn):
    return Status(201, _filed(_file(request, MatterKind.REPORT, payload)))


@enquiries.post(
    "",
    auth=ANYONE,
    response={201: EnquiryFiledOut, **FILED_RESPONSES},
    summary="Ask the 12315 centre a question (anyone, no token needed)",
)
def file_enquiry(request, payload: EnquiryIn):
    return Status(201, _filed(_file(request, MatterKind.ENQUIRY, payload)))


def _matter(m: Matter, viewer) -> dict:
    now = timezone.now()
    duty = next((d for d in m.deadlines.all() if d.phase == matters.DUTY[m.kind]), None)
    data = {
        "id": m.pk,
        "reference": m.reference,
        "kind": m.kind,
        "state": m.state,
        "channel": m.channel,
        "received_at": m.received_at,
        "bureau": m.bureau_id,
        "bureau_name": m.bureau.name_in(get_language() or "en"),
        "routing": m.routing,
        "transfers": [
            {
                "from_bureau": t.from_bureau_id,
                "to_bureau": t.to_bureau_id,
                "reason": t.reason,
                "by": t.by.username if t.by_id else None,
                "at": t.at,
            }
            for t in m.transfers.all()
        ],
        "rule_version": m.rule_version.name,
        "merchant": m.merchant_id,
        "merchant_name": m.merchant.name if m.merchant_id else None,
        "web_address": m.web_address,
        "text": m.text,
        "anonymous": m.anonymous,
        "filed_by": m.user.username if m.user_id else None,
        "contact_name": m.contact_name,
        "contact_phone": m.contact_phone,
        "contact_email": m.contact_email,
        "language": m.language,
        "decided_at": m.decided_at,
        "decided_by": m.decided_by.username if m.decided_by_id else None,
        "deadlines": [presenters.deadline(d, now) for d in m.deadlines.all()],
        "letters": [
            {
                "id": n.pk,
                "kind": n.kind,
                "recipient": n.recipient,
                "language": n.language,
                "title": n.title,
                "issued_at": n.issued_at,
                "link": render.absolute(letters.link(n)),
            }
            for n in m.readable_letters  # letters.with_letters
        ],
    }
    if m.kind == MatterKind.REPORT:
        data.update(
            decision=matters.DECISION_OF.get(m.state), reason=m.reason, decision_due=duty and duty.due_at
        )
    else:
        data.update(answer=m.reason, answer_due=duty and duty.due_at)
    return data


def _listed(request, kind: str, filters: MatterFilters):
    _officer(request.auth)
    qs = _shown(request.auth).filter(kind=kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.merchant:
        qs = qs.filter(merchant_id=filters.merchant)
    if filters.bureau:
        qs = qs.filter(bureau_id=filters.bureau)
    if filters.received_from:
        qs = qs.filter(received_at__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_at__lt=filters.received_to)
    if filters.overdue is True:
        qs = matters.overdue(qs)
    elif filters.overdue is False:
        qs = matters.not_overdue(qs)
    return qs


def _one(request, kind: str, matter_id: int) -> Matter:
    _officer(request.auth)
    return get_object_or_404(_shown(request.auth).filter(kind=kind), pk=matter_id)


def _shown(viewer):
    """The matters `viewer` sees, with what `_matter` shows of each read for a page of them at once."""
    shown = matters.visible_matters(viewer).prefetch_related(
        "deadlines",
        # By matter first: ordered by time alone, SQLite walks every transfer's time index for a page's few.
        Prefetch("transfers", Transfer.objects.select_related("by").order_by("matter_id", "at", "id")),
    )
    return letters.with_letters(shown, viewer)


class ReportPageOut(PageOut):
    items: list[ReportOut]


class EnquiryPageOut(PageOut):
    items: list[EnquiryOut]


@reports.get(
    "",
    response={200: ReportPageOut, 403: Error, 422: ValidationErrorOut},
    summary="The reports, the nearest duty first (pages by `cursor`, as the complaint list)",
)
def list_reports(request, filters: Query[MatterFilters], paging: Query[PageIn]):
    listed = _listed(request, MatterKind.REPORT, filters)
    segments = matters.listed(listed, at_rest=filters.overdue is not True)
    return paged_segments(segments, paging, lambda m: _matter(m, request.auth), listed)


@reports.get("/{int:report_id}", response={200: ReportOut, 403: Error, 404: Error})
def report_detail(request, report_id: int):
    return _matter(_one(request, MatterKind.REPORT, report_id), request.auth)


@reports.post(
    "/{int:report_id}/decide",
    response={200: ReportOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Decide whether to open a case (once; the reporter, if reachable, is told)",
)
def decide_report(request, report_id: int, payload: DecisionIn):
    matter = _one(request, MatterKind.REPORT, report_id)
    matters.decide_report(matter.pk, request.auth, payload.decision, payload.reason)
    return _matter(_one(request, MatterKind.REPORT, report_id), request.auth)


@enquiries.get(
    "",
    response={200: EnquiryPageOut, 403: Error, 422: ValidationErrorOut},
    summary="The enquiries, the nearest duty first (pages by `cursor`, as the complaint list)",
)
def list_enquiries(request, filters: Query[MatterFilters], paging: Query[PageIn]):
    listed = _listed(request, MatterKind.ENQUIRY, filters)
    segments = matters.listed(listed, at_rest=filters.overdue is not True)
    return paged_segments(segments, paging, lambda m: _matter(m, request.auth), listed)


@enquiries.get("/{int:enquiry_id}", response={200: EnquiryOut, 403: Error, 404: Error})
def enquiry_detail(request, enquiry_id: int):
    return _matter(_one(request, MatterKind.ENQUIRY, enquiry_id), request.auth)


@enquiries.post(
    "/{int:enquiry_id}/answer",
    response={200: EnquiryOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Answer an enquiry (once; the enquirer, if reachable, is sent the answer)",
)
def answer_enquiry(request, enquiry_id: int, payload: EnquiryAnswerIn):
    matter = _one(request, MatterKind.ENQUIRY, enquiry_id)
    matters.answer_enquiry(matter.pk, request.auth, payload.answer)
    return _matter(_one(request, MatterKind.ENQUIRY, enquiry_id), request.auth)


# ----------------------------------------------------------------------------------------------- transfer

TRANSFER_HELP = (
    "Officers only, on a {kind} that awaits its {duty}: it moves to the bureau named, with the reason "
    "(`message`); that bureau receives it now and its {duty} is due anew, on its own working calendar. A "
    "district officer transfers its own bureau's (another bureau's answers 404), to any other bureau: another "
    "district or up to the city centre. The bureau it is at already, an unknown one, no reason: 422 naming the "
    "field, nothing changes; one decided already: 409. The answer shows it at its new bureau."
)


def _transferred(request, kind: str, matter_id: int, payload: TransferIn) -> dict:
    matter = _one(request, kind, matter_id)
    matters.transfer(matter.pk, request.auth, payload.bureau, payload.message)
    # Read again whoever sees it now: a district officer who sent it away reads its new state this once.
    return _matter(letters.with_letters(Matter.objects, request.auth).get(pk=matter.pk), request.auth)


@reports.post(
    "/{int:report_id}/transfer",
    response={200: ReportOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Transfer a report to another bureau, with the reason",
    description=TRANSFER_HELP.format(kind="report", duty="case decision"),
)
def transfer_report(request, report_id: int, payload: TransferIn):
    return _transferred(request, MatterKind.REPORT, report_id, payload)


@enquiries.post(
    "/{int:enquiry_id}/transfer",
    response={200: EnquiryOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Transfer an enquiry to another bureau, with the reason",
    description=TRANSFER_HELP.format(kind="enquiry", duty="answer"),
)
def transfer_enquiry(request, enquiry_id: int, payload: TransferIn):
    return _transferred(request, MatterKind.ENQUIRY, enquiry_id, payload)
