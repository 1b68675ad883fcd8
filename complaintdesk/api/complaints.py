import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator, StrictInt, StringConstraints

from complaintdesk.accounts import ratelimit
from complaintdesk.api import presenters
from complaintdesk.api.common import (
    Error,
    Instant,
    PageIn,
    PageOut,
    QueryText,
    RowId,
    ValidationErrorOut,
    WarningOut,
    paged_segments,
)
from complaintdesk.api.flags import FlagOut
from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.complaints import evidence, intake, services
from complaintdesk.complaints.centre import Details
from complaintdesk.complaints.choices import Channel, Kind, ResolutionType, Sector, WantedOutcome
from complaintdesk.complaints.lifecycle import ACTIONS
from complaintdesk.complaints.queries import (
    NEWEST_FIRST,
    earlier_complaint_about_the_same_order,
    late_among,
    listed,
    overdue_filter,
    visible_complaints,
)
from complaintdesk.lib.dates import FIRST_DAY, FIRST_INSTANT
from complaintdesk.lib.errors import FieldError
from complaintdesk.notify import render
from complaintdesk.search import query as search

router = Router(tags=["complaints"])


# The days a complaint or an order can fall on: lib.dates says why these years. The messages are translated
# when a request is validated, in the language LocaleMiddleware chose for it.


def _received_from_first_day(value: datetime) -> datetime:
    # A naive value passes: intake refuses it; the latest receipt is now, which intake checks too.
    if value.tzinfo is not None and value < FIRST_INSTANT:
        raise ValueError(_("must be on or after %(first)s (UTC)") % {"first": FIRST_DAY})
    return value


def _not_before_first_day(value: date) -> date:
    if value < FIRST_DAY:
        raise ValueError(_("must be on or after %(first)s") % {"first": FIRST_DAY})
    return value


ReceivedAt = Annotated[datetime, AfterValidator(_received_from_first_day)]
OrderDate = Annotated[date, AfterValidator(_not_before_first_day)]


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
# A number the centre's steps take from a JSON body: a JSON integer only. Lax parsing would read `true` as
# ground 1 and "2" or 2.0 as 2; the legal ground of a decision is never guessed from another type.
StrictRowId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


class ComplaintIn(Schema):
    merchant: RowId
    kind: Kind | None = Field(
        None,
        description="Derived from the category (quality_issue for a quality-problem category) when left "
        "out; a kind given must agree with the category (422 otherwise).",
    )
    category: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    channel: Channel = Channel.WEB
    sector: Sector = Field(
        Sector.ONLINE_SHOPPING,
        description="What the complaint is about; a hotline or counter complaint may be outside online shopping.",
    )
    order_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    order_date: OrderDate | None = Field(None, description=f"From {FIRST_DAY}; not in the future.")
    product: ShortText = Field(
        "", description="What was bought, as you name it: a name, a model or SKU, or a product link."
    )
    wanted_outcome: WantedOutcome
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
    publish_consent: bool = Field(
        False,
        description="The consumer agrees that the description, with phone numbers, e-mail addresses, ID "
        "and card numbers, WeChat/QQ ids, addresses, order numbers and references removed, is published "
        "in the public open data. Without it the open data has the complaint but not its text. "
        "Default false.",
    )
    promotion: int | ShortText = Field(
        "", description="The id of the shop's promotion filing, or the promotion's name in your own words."
    )
    received_at: ReceivedAt | None = Field(
        None, description=f"Regulator back-office and imports only; from {FIRST_DAY}, not in the future."
    )
    consumer_name: ShortText = Field(
        "", description="Regulator back-office only: a consumer without account."
    )
    for_centre: bool = Field(
        False,
        description="Regulator only: filed with the 12315 centre itself (a hotline or counter complaint for "
        "the centre to handle). It is at the centre from its receipt: state escalated, acceptance_due running.",
    )


class ResolutionIn(Schema):
    type: ResolutionType = ResolutionType.OTHER
    details: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class ActionIn(Schema):
    message: Text = ""
    resolution: (
        ResolutionIn | Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None
    ) = Field(
        None, description='For propose_resolution: {"type": "refund", "details": "…"}, a type, or free text.'
    )
    # The 12315 centre's steps (SPEC §7, §10); other actions ignore them.
    ground: StrictInt | None = Field(
        None,
        description="For refuse_case: the ground of SAMR Order No. 20 art. 15, 1–6; for terminate_mediation: "
        "the ground of art. 21, 1–7 (the rule version's articles). Required by both, with a message. A JSON "
        'integer: true, "1" or 1.5 are refused (422).',
    )
    bureau: StrictRowId | None = Field(
        None, description="For transfer: the id of the bureau that receives it (a JSON integer)."
    )
    terms: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = Field(
        "", description="For record_agreement: the terms the parties agreed on."
    )
    amount_recovered: Decimal | None = Field(
        None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="For record_agreement: the money recovered for the consumer, in yuan (0 if none).",
    )
    case_bureau: StrictRowId | None = Field(
        None,
        description="Optional, for the centre's decisions: the bureau holding the case as you last saw it. "
        "If the complaint has been transferred to another bureau since, the step is refused (409) and "
        "changes nothing.",
    )


class DeadlineOut(Schema):
    phase: str
    due_at: datetime
    rule: str
    clock: str
    status: str = Field(
        description="open, paused, met, breached (late, still unmet), cancelled (no longer applies), or missed "
        "(breached and still unmet when the complaint ended)."
    )
    remind_at: datetime
    reminded_at: datetime | None
    breached_at: datetime | None
    met_at: datetime | None
    met_in_time: bool | None
    seconds_left: int | None = Field(
        description="Until due; negative when overdue; null once met, cancelled or missed."
    )
    warning: str


class EventOut(Schema):
    action: str
    actor: str | None
    actor_role: str
    from_state: str
    to_state: str
    message: str
    data: dict
    created_at: datetime


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    created_at: datetime


class CentreCaseOut(Schema):
    via: str = Field(description="escalation or direct (filed with the centre).")
    received_at: datetime = Field(description="When the bureau now holding it received it.")
    accepted_at: datetime | None
    refused_at: datetime | None
    refusal_ground: int | None
    outcome: str = Field(description="refused, agreed, terminated or closed; empty while open.")
    ended_at: datetime | None
    termination_ground: int | None
    agreement_terms: str
    amount_recovered: Decimal | None
    termination_notice_sent_at: datetime | None


class ComplaintOut(Schema):
    id: int
    reference: str
    state: str
    merchant: int
    merchant_name: str
    kind: str
    category: str
    channel: str
    sector: str
    order_number: str
    amount: Decimal | None
    order_date: date | None
    product: str
    promotion: str
    wanted_outcome: str
    description: str
    publish_consent: bool
    resolution: ResolutionIn | None
    received_at: datetime
    first_response_due: datetime | None
    reply_due: datetime | None
    resolution_due: datetime | None
    deadlines: list[DeadlineOut]
    bureau: int | None = Field(
        description="The bureau of the 12315 centre holding it; null before it got there."
    )
    rule_version: str | None = Field(
        description="The name of the centre's rule version the complaint follows there; null before."
    )
    acceptance_due: datetime | None = Field(description="The centre's decision to accept or refuse is due.")
    mediation_due: datetime | None = Field(
        description="Mediation ends without agreement then (testing excluded)."
    )
    termination_notice_due: datetime | None = Field(description="Both parties must be told of a termination.")
    centre: CentreCaseOut | None = Field(description="What the centre decided; null before it got there.")
    rating_due: datetime | None = Field(
        description="The end of the consumer's window to rate the handling (POST …/rating), opened once when "
        "the complaint ended; null when none was opened (still open, or no consumer account). It is no duty: "
        "never among `deadlines`."
    )
    group: int | None = Field(
        description="The group complaint it belongs to (its public page: GET /api/v1/groups/{id}), or null."
    )
    created_at: datetime
    updated_at: datetime


# A filing's warning (WarningOut.code): filed all the same, as the web's filing form does.
SAME_ORDER = "same_order"


class ComplaintFiledOut(ComplaintOut):
    warnings: list[WarningOut] = Field(
        description=f"Filed all the same, with a question: `{SAME_ORDER}` when you complained about this "
        "order number at this shop before (`related` is that complaint's id, `link` its page). Empty when "
        "there is nothing to ask."
    )


def filing_warnings(complaint) -> list[dict]:
    earlier = earlier_complaint_about_the_same_order(complaint)
    if earlier is None:
        return []
    # The web form's words, with the earlier complaint's reference where the web puts its link.
    message = _(
        "You complained about order {order} at this shop before: {link}. If it is the same "
        "problem, follow it there."
    ).format(order=complaint.order_number, link=earlier.reference)
    link = render.absolute(reverse("web:complaint", args=[earlier.pk]))
    return [{"code": SAME_ORDER, "message": message, "related": earlier.pk, "link": link}]


class ComplaintDetailOut(ComplaintOut):
    events: list[EventOut]
    evidence: list[EvidenceOut]
    flags: list[FlagOut] = Field(
        [], description="Flags for an officer's review (SPEC §11): regulator officers only; empty for others."
    )


class ComplaintFilters(Schema):
    state: QueryText | None = None
    merchant: RowId | None = None
    category: QueryText | None = None
    received_from: Instant | None = None
    received_to: Instant | None = None
    overdue: bool | None = None
    bureau: RowId | None = Field(
        None,
        description="Only the complaints this bureau holds: at the centre with it, or still with a shop in "
        "its charge (GET /bureaus). A district bureau's officers see their own bureau's only: another "
        "bureau's id gives an empty list.",
    )
    q: QueryText | None = Field(
        None,
        description="Words to find in the description, product, order number and messages (Chinese, "
        "traditional or simplified, full- or half-width, mixed with Latin and digits); words apart with "
        "spaces must all match, a word without spaces matches as written. Orders the list best match "
        f"first, among the newest {search.LIMIT} matching complaints you may see.",
    )


def _new_complaint(user, payload: ComplaintIn) -> services.NewComplaint:
    return intake.build_new_complaint(user, **payload.model_dump())


@router.post(
    "",
    response={
        201: ComplaintFiledOut,
        200: ComplaintFiledOut,
        403: Error,
        409: Error,
        422: ValidationErrorOut,
        429: Error,
    },
    summary="File a complaint (honours Idempotency-Key; rate-limited per account and address: 429)",
)
def file_complaint(request, payload: ComplaintIn):
    new_complaint = _new_complaint(request.auth, payload)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        ratelimit.check_complaint_rate(request, request.auth)
        complaint, created = services.file_complaint(request.auth, new_complaint), True
    else:
        if len(key) > 255:
            raise FieldError("Idempotency-Key", _("must be at most %(limit)s characters") % {"limit": 255})
        body_hash = services.request_hash(
            json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()
        )
        complaint, created = services.file_complaint_idempotently(
            request.auth,
            new_complaint,
            key,
            body_hash,
            before_storing=lambda: ratelimit.check_complaint_rate(request, request.auth),
        )
    if not created:  # a replay: the complaint as it is now
        complaint = _reload(request, complaint.pk)
        return Status(
            200, {**presenters.complaint(complaint, request.auth), "warnings": filing_warnings(complaint)}
        )
    # The complaint just written, as it is in memory, with its deadlines (no re-read).
    answer = presenters.complaint(complaint, request.auth, deadlines=complaint.filed_deadlines)
    return Status(201, {**answer, "warnings": filing_warnings(complaint)})


def _reload(request, pk):
    return get_object_or_404(visible_complaints(request.auth), pk=pk)


class ComplaintPageOut(PageOut):
    items: list[ComplaintOut]


@router.get(
    "",
    response={200: ComplaintPageOut, 422: ValidationErrorOut},
    summary="List the complaints you may see",
    description="Newest first (best match first with `q`), 50 a page: follow `next` as `cursor` for the "
    "page after; `page` numbers reach the first 10,000 rows. `count` is exact up to 10,000, null beyond.",
)
def list_complaints(request, filters: Query[ComplaintFilters], paging: Query[PageIn]):
    qs = visible_complaints(request.auth)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.merchant:
        qs = qs.filter(merchant_id=filters.merchant)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.received_from:
        qs = qs.filter(received_at__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_at__lt=filters.received_to)
    if filters.bureau:
        qs = qs.filter(in_bureau(filters.bureau))
    if filters.q:
        qs = search.matching(qs, filters.q, search.Scope.of(request.auth, filters.merchant))
    counted = qs
    if filters.overdue is not None:  # one filter, read one way for the page and another for its count
        now = timezone.now()
        # The late ones are counted from the late duties or the list's open complaints (late_among); the
        # others are most of the list, whose walk newest first reaches the count's cap soon.
        counted = late_among(qs, now) if filters.overdue else qs.filter(overdue_filter(False, now))
        qs = qs.filter(overdue_filter(filters.overdue, now))
    order = search.order_of(qs, NEWEST_FIRST)
    return paged_segments(
        [listed(qs, order)],
        paging,
        lambda c: presenters.complaint(c, request.auth, in_list=True),
        counted,
    )


@router.get("/{int:complaint_id}", response={200: ComplaintDetailOut, 404: Error})
def complaint_detail(request, complaint_id: int):
    complaint = _reload(request, complaint_id)
    return presenters.complaint_detail(complaint, request.auth)


@router.post(
    "/{int:complaint_id}/evidence",
    response={201: EvidenceOut, 403: Error, 404: Error, 422: ValidationErrorOut},
)
def upload_evidence(request, complaint_id: int, file: File[UploadedFile]):
    complaint = _reload(request, complaint_id)
    item = evidence.attach(complaint, request.auth, file)
    return Status(201, item)


@router.get("/{int:complaint_id}/evidence/{int:evidence_id}", response={200: None, 404: Error})
def download_evidence(request, complaint_id: int, evidence_id: int):
    complaint = _reload(request, complaint_id)
    item = get_object_or_404(complaint.evidence, pk=evidence_id)
    return evidence.serve(item)


def _resolution(value) -> dict | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value in ResolutionType.values:
            return {"type": value, "details": ""}
        return {"type": ResolutionType.OTHER.value, "details": value} if value else None
    return {"type": value.type.value, "details": value.details}


@router.post(
    "/{int:complaint_id}/{action}",
    response={200: ComplaintDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary=f"Take an action: {', '.join(ACTIONS)}",
)
def take_action(request, complaint_id: int, action: str, payload: ActionIn):
    complaint = _reload(request, complaint_id)
    details = Details(
        ground=payload.ground,
        bureau=payload.bureau,
        terms=payload.terms,
        amount_recovered=payload.amount_recovered,
        case_bureau=payload.case_bureau,
    )
    with transaction.atomic():
        services.perform(
            complaint.pk,
            request.auth,
            action,
            payload.message,
            _resolution(payload.resolution),
            details=details,
        )
    return presenters.complaint_detail(_reload(request, complaint.pk), request.auth)
