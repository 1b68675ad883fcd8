import json

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from complaintdesk.accounts import ratelimit
from complaintdesk.api import presenters
from complaintdesk.api.schemas import (
    ActionIn,
    ComplaintDetailOut,
    ComplaintIn,
    ComplaintOut,
    Error,
    EvidenceOut,
    Instant,
    Pages,
    QueryText,
    RowId,
    ValidationErrorOut,
)
from complaintdesk.complaints import evidence, intake, services
from complaintdesk.complaints.choices import ResolutionType
from complaintdesk.complaints.lifecycle import ACTIONS
from complaintdesk.complaints.queries import overdue_filter, visible_complaints
from complaintdesk.lib.errors import FieldError

router = Router(tags=["complaints"])


class ComplaintFilters(Schema):
    state: QueryText | None = None
    merchant: RowId | None = None
    category: QueryText | None = None
    received_from: Instant | None = None
    received_to: Instant | None = None
    overdue: bool | None = None


def _filing(user, payload: ComplaintIn) -> services.Filing:
    return intake.build_filing(user, **payload.model_dump())


@router.post(
    "",
    response={
        201: ComplaintOut,
        200: ComplaintOut,
        403: Error,
        409: Error,
        422: ValidationErrorOut,
        429: Error,
    },
    summary="File a complaint (honours Idempotency-Key; rate-limited per account and address: 429)",
)
def file_complaint(request, payload: ComplaintIn):
    filing = _filing(request.auth, payload)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        ratelimit.check_filing(request, request.auth)
        complaint, created = services.file_complaint(request.auth, filing), True
    else:
        if len(key) > 255:
            raise FieldError("Idempotency-Key", _("must be at most %(limit)s characters") % {"limit": 255})
        body_hash = services.request_hash(
            json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()
        )
        complaint, created = services.file_complaint_idempotently(
            request.auth,
            filing,
            key,
            body_hash,
            before_filing=lambda: ratelimit.check_filing(request, request.auth),
        )
    if not created:  # a replay: the complaint as it is now
        return Status(200, presenters.complaint(_reload(request, complaint.pk), request.auth))
    # The complaint just written, as it is in memory, with its deadlines (no re-read).
    return Status(201, presenters.complaint(complaint, request.auth, deadlines=complaint.filed_deadlines))


def _reload(request, pk):
    return get_object_or_404(visible_complaints(request.auth), pk=pk)


@router.get("", response=list[ComplaintOut], summary="List the complaints you may see")
@paginate(Pages, page_size=50)
def list_complaints(request, filters: Query[ComplaintFilters]):
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
    if filters.overdue is not None:
        qs = qs.filter(overdue_filter(filters.overdue))
    return presenters.Presented(qs, lambda c: presenters.complaint(c, request.auth, in_list=True))


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
    with transaction.atomic():
        services.perform(complaint.pk, request.auth, action, payload.message, _resolution(payload.resolution))
    return presenters.complaint_detail(_reload(request, complaint.pk), request.auth)
