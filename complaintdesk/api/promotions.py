"""Promotion filings (SPEC §4, §7): shops file, amend and resubmit theirs; the regulator reviews them.
Consumers see none; a shop sees only its own (another shop's filing is not found)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictInt, StringConstraints

from complaintdesk.api.common import (
    Error,
    Instant,
    PageIn,
    PageOut,
    RowId,
    ValidationErrorOut,
    WarningOut,
    paged,
)
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.promotions import queries, services, typecheck
from complaintdesk.promotions.models import FilingAction, FilingState, Promotion, PromotionType

router = Router(tags=["promotions"])

# An empty name, plan or contact is the domain's to refuse (promotions.services.problems), with every other
# field's refusal in the same 422; the schema refuses only what cannot be read.
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Plan = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Count = Annotated[StrictInt, Field(gt=0, le=services.MAX_COUNT)]
Staff = Annotated[StrictInt, Field(gt=0, le=services.MAX_STAFF)]
Minutes = Annotated[Decimal, Field(gt=0, le=services.MAX_HANDLING_MINUTES, max_digits=7, decimal_places=2)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class ContactIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class PromotionIn(Schema):
    name: Name
    type: PromotionType
    # The years served (lib.dates) are checked by promotions.services.validate, as for the web form.
    starts_at: datetime = Field(description="With a time zone offset; must be in the future.")
    ends_at: datetime = Field(description="After starts_at.")
    expected_orders: Count = Field(description="Orders expected over the whole promotion.")
    peak_hour_orders: Count = Field(description="Orders expected in the busiest hour.")
    staff_per_shift: Staff = Field(description="Customer-service agents per shift.")
    avg_handling_minutes: Minutes = Field(description="Average handling time of a complaint, minutes.")
    emergency_plan: Plan
    contacts: list[ContactIn] = Field(min_length=1, max_length=20, description="Escalation contacts.")


class PromotionPatch(Schema):
    name: Name | None = None
    type: PromotionType | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    expected_orders: Count | None = None
    peak_hour_orders: Count | None = None
    staff_per_shift: Staff | None = None
    avg_handling_minutes: Minutes | None = None
    emergency_plan: Plan | None = None
    contacts: list[ContactIn] | None = Field(None, min_length=1, max_length=20)


class ResubmitIn(PromotionPatch):
    message: Comment = ""


class ReviewIn(Schema):
    comment: Comment = ""


class ContactOut(Schema):
    name: str
    phone: str
    role: str = ""


class StaffingOut(Schema):
    arrival_rate_per_hour: float = Field(description="Forecast complaints per hour at the peak.")
    wait_probability: float = Field(description="Erlang C: the share of complaints that wait for an agent.")
    share_within_window: float = Field(description="Share picked up within the first-response window.")
    window_minutes: float
    target: float
    min_staff_for_target: int | None = Field(description="The fewest agents per shift reaching the target.")
    meets_target: bool
    staff_per_shift: int
    offered_load_erlangs: float
    average_wait_minutes: float | None
    complaints_per_order: float
    rate_source: str = Field(description="history (the shop's past filings) or default (the regulator's).")


class PlanOut(Schema):
    name: str
    size: int
    uploaded_at: datetime


class PromotionEventOut(Schema):
    action: str
    actor: str | None
    actor_role: str
    from_state: str
    to_state: str
    message: str
    data: dict
    created_at: datetime

    @staticmethod
    def resolve_actor(event):
        return event.actor.username if event.actor_id else None


class PromotionOut(Schema):
    id: int
    merchant: int
    merchant_name: str
    name: str
    type: str
    starts_at: datetime
    ends_at: datetime
    expected_orders: int
    peak_hour_orders: int
    staff_per_shift: int
    avg_handling_minutes: float
    emergency_plan: str
    contacts: list[ContactOut]
    state: str
    late: bool
    due_by: datetime = Field(
        description="On time if filed by then (the lead time in the shop's working days)."
    )
    lead_working_days: int
    filed_at: datetime
    reviewed_at: datetime | None
    review_comment: str
    staffing: StaffingOut
    plan: PlanOut | None
    updated_at: datetime

    @staticmethod
    def resolve_merchant(p):
        return p.merchant_id

    @staticmethod
    def resolve_merchant_name(p):
        return p.merchant.name

    @staticmethod
    def resolve_plan(p):
        if not p.plan_name:
            return None
        return {"name": p.plan_name, "size": p.plan_size, "uploaded_at": p.plan_uploaded_at}


class PromotionDetailOut(PromotionOut):
    events: list[PromotionEventOut]

    @staticmethod
    def resolve_events(p):
        return list(p.events.select_related("actor"))


# A filing's warning (WarningOut.code): filed all the same, as the web's filing form does.
TYPE_DATES = "type_dates"


class PromotionFiledOut(PromotionDetailOut):
    warnings: list[WarningOut] = Field(
        description=f"Filed all the same, with a question: `{TYPE_DATES}` for each usual sale period of the "
        "type that the promotion's dates miss (a 'Double 11' running in December). Empty when there is "
        "nothing to ask."
    )

    @staticmethod
    def resolve_warnings(p):
        questions = typecheck.type_warnings(p.type, p.starts_at, p.ends_at)
        return [{"code": TYPE_DATES, "message": question} for question in questions]


class PromotionFilters(Schema):
    state: FilingState | None = None
    merchant: RowId | None = None
    late: bool | None = None
    type: PromotionType | None = None
    starts_from: Instant | None = None
    starts_to: Instant | None = None


def _refuse_outsiders(user) -> None:
    # Unlike the web, which shows them nothing, the API tells a client that filings are not for it.
    if not queries.sees_filings(user):
        raise ActionForbidden(_("promotion filings are for shops and the regulator"))


def visible_promotions(user) -> QuerySet[Promotion]:
    _refuse_outsiders(user)
    return queries.visible(user)


def _get(request, promotion_id: int) -> Promotion:
    return get_object_or_404(visible_promotions(request.auth), pk=promotion_id)


def _data(payload: PromotionIn) -> services.FilingData:
    return services.FilingData(**payload.model_dump())


@router.post("", response={201: PromotionFiledOut, 403: Error, 409: Error, 422: ValidationErrorOut})
def file_promotion(request, payload: PromotionIn):
    """File a promotion of your own shop. Late filings are accepted and marked late."""
    promotion = services.file(request.auth, _data(payload))
    return Status(201, _get(request, promotion.pk))


class PromotionPageOut(PageOut):
    items: list[PromotionOut]


@router.get(
    "",
    response={200: PromotionPageOut, 403: Error, 422: ValidationErrorOut},
    summary="List the promotion filings you may see, the latest start first (pages by `cursor`)",
)
def list_promotions(request, filters: Query[PromotionFilters], paging: Query[PageIn]):
    qs = visible_promotions(request.auth)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.merchant:
        qs = qs.filter(merchant_id=filters.merchant)
    if filters.late is not None:
        qs = qs.filter(late=filters.late)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.starts_from:
        qs = qs.filter(starts_at__gte=filters.starts_from)
    if filters.starts_to:
        qs = qs.filter(starts_at__lt=filters.starts_to)
    return paged(qs, queries.LATEST_START, paging, lambda p: p)


@router.get("/{int:promotion_id}", response={200: PromotionDetailOut, 403: Error, 404: Error})
def promotion_detail(request, promotion_id: int):
    return _get(request, promotion_id)


@router.patch(
    "/{int:promotion_id}",
    response={200: PromotionDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
)
def amend_promotion(request, promotion_id: int, payload: PromotionPatch):
    """Correct a filing that awaits review or was returned (the staffing check is computed again)."""
    _get(request, promotion_id)
    services.amend(promotion_id, request.auth, payload.model_dump(exclude_unset=True))
    return _get(request, promotion_id)


@router.post(
    "/{int:promotion_id}/resubmit",
    response={200: PromotionDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
)
def resubmit_promotion(request, promotion_id: int, payload: ResubmitIn):
    """Send a returned filing back for review, with its amendments."""
    _get(request, promotion_id)
    changes = payload.model_dump(exclude_unset=True)
    message = changes.pop("message", "")
    services.resubmit(promotion_id, request.auth, changes, message)
    return _get(request, promotion_id)


@router.post(
    "/{int:promotion_id}/accept",
    response={200: PromotionDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
)
def accept_promotion(request, promotion_id: int, payload: ReviewIn):
    _get(request, promotion_id)
    services.review(promotion_id, request.auth, FilingAction.ACCEPT, payload.comment)
    return _get(request, promotion_id)


@router.post(
    "/{int:promotion_id}/return",
    response={200: PromotionDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
)
def return_promotion(request, promotion_id: int, payload: ReviewIn):
    """Return the filing for changes; the comment says which."""
    _get(request, promotion_id)
    services.review(promotion_id, request.auth, FilingAction.RETURN, payload.comment)
    return _get(request, promotion_id)


@router.post(
    "/{int:promotion_id}/plan",
    response={200: PromotionDetailOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
)
def upload_plan(request, promotion_id: int, file: File[UploadedFile]):
    """Attach the emergency plan as a PDF (checked by content; the upload size limit applies)."""
    _get(request, promotion_id)
    services.attach_plan(promotion_id, request.auth, file)
    return _get(request, promotion_id)


@router.get("/{int:promotion_id}/plan", response={200: None, 403: Error, 404: Error})
def download_plan(request, promotion_id: int):
    _refuse_outsiders(request.auth)
    try:
        return queries.plan_download(request.auth, promotion_id)
    except queries.NoPlanAttached:
        return Status(404, {"detail": _("no plan attached")})
