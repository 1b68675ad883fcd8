"""The customer-service pledge (SPEC §5): versions, signatures, and the commitments complaints allege were
broken. Tagging lives under the complaint at `/complaints/{id}/commitments/{number}`: three segments, so it
never meets the lifecycle's `/complaints/{id}/{action}`."""

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.api.common import Error, Instant, PageIn, PageOut, RowId, ValidationErrorOut, paged
from complaintdesk.centre.jurisdiction import in_charge
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.pledges import services
from complaintdesk.pledges.models import ComplaintCommitment, PledgeSignature, PledgeVersion

router = Router(tags=["pledges"])
complaint_tags = Router(tags=["pledges"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CommitmentIn(Schema):
    number: int
    text_en: Text
    text_zh: Text


class PledgeVersionIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    commitments: list[CommitmentIn] = Field(min_length=8, max_length=8)


class CommitmentOut(Schema):
    number: int
    text_en: str
    text_zh: str


class PledgeVersionOut(Schema):
    id: int
    number: int
    title: str
    published_at: datetime | None
    is_current: bool
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_is_current(version):
        current = services.current_version()
        return current is not None and current.pk == version.pk

    @staticmethod
    def resolve_commitments(version):
        return list(version.commitments.all())


class SignatureOut(Schema):
    id: int
    version: int
    merchant: int
    merchant_name: str
    signed_by: str
    signed_at: datetime
    ip_address: str | None

    @staticmethod
    def resolve_version(s):
        return s.version.number

    @staticmethod
    def resolve_merchant(s):
        return s.merchant_id

    @staticmethod
    def resolve_merchant_name(s):
        return s.merchant.name

    @staticmethod
    def resolve_signed_by(s):
        return s.signed_by.username


class TagOut(Schema):
    complaint: int
    reference: str
    merchant: int
    number: int
    text_en: str
    text_zh: str
    tagged_by_role: str | None
    created_at: datetime


class TagPageOut(PageOut):
    items: list[TagOut]


class TagCountOut(Schema):
    merchant: int
    merchant_name: str
    number: int
    count: int


def _versions(user):
    versions = PledgeVersion.objects.prefetch_related("commitments")
    if user is None or user.role != Role.REGULATOR:
        versions = versions.filter(published_at__isnull=False)
    return versions


@router.get(
    "/current", auth=None, response={200: PledgeVersionOut, 404: Error}, summary="The pledge in force"
)
def current_pledge(request):
    version = services.current_version()
    if version is None:
        return Status(404, {"detail": _("no pledge is published")})
    return version


@router.get("", response=list[PledgeVersionOut], summary="Pledge versions (drafts for the regulator only)")
def list_versions(request):
    return _versions(request.auth)


@router.get("/{int:version_id}", response={200: PledgeVersionOut, 404: Error})
def version_detail(request, version_id: int):
    return get_object_or_404(_versions(request.auth), pk=version_id)


@router.post("", response={201: PledgeVersionOut, 403: Error, 409: Error, 422: ValidationErrorOut})
def create_version(request, payload: PledgeVersionIn):
    """A draft version with its eight commitments; publish it to ask every shop to sign again."""
    version = services.create_version(
        request.auth, payload.title, [c.model_dump() for c in payload.commitments]
    )
    return Status(201, version)


@router.post(
    "/{int:version_id}/publish", response={200: PledgeVersionOut, 403: Error, 404: Error, 409: Error}
)
def publish_version(request, version_id: int):
    get_object_or_404(PledgeVersion, pk=version_id)
    return services.publish(version_id, request.auth)


@router.delete("/{int:version_id}", response={204: None, 403: Error, 404: Error, 409: Error})
def delete_draft(request, version_id: int):
    """Delete a version that was never published (a published one is kept: 409)."""
    get_object_or_404(_versions(request.auth), pk=version_id)
    services.delete_draft(version_id, request.auth)
    return Status(204, None)


@router.post("/{int:version_id}/sign", response={201: SignatureOut, 403: Error, 404: Error, 409: Error})
def sign_version(request, version_id: int):
    """The shop's designated 12315 coordinator signs the current version (who, when, from which address)."""
    get_object_or_404(_versions(request.auth), pk=version_id)
    signature = services.sign(version_id, request.auth, request.META.get("REMOTE_ADDR"))
    return Status(
        201, PledgeSignature.objects.select_related("version", "merchant", "signed_by").get(pk=signature.pk)
    )


@router.get("/signatures", response={200: list[SignatureOut], 403: Error})
def list_signatures(request, version: RowId | None = None, merchant: RowId | None = None):
    """Who signed which version: an officer sees the shops in its charge (every shop for a city-level
    officer, a district bureau's shops for its officers), a shop its own."""
    user = request.auth
    signatures = PledgeSignature.objects.select_related("version", "merchant", "signed_by")
    if user.role in MERCHANT_ROLES and user.merchant_id:
        signatures = signatures.filter(merchant_id=user.merchant_id)
    elif user.role == Role.REGULATOR:
        signatures = signatures.filter(in_charge(user, "merchant__"))
    else:
        raise ActionForbidden(_("signatures are for shops and the regulator"))
    if version:
        signatures = signatures.filter(version__number=version)
    if merchant:
        signatures = signatures.filter(merchant_id=merchant)
    return signatures


def _tag_out(tag: ComplaintCommitment, texts: dict) -> dict:
    en, zh = texts.get(tag.number, ("", ""))
    return {
        "complaint": tag.complaint_id,
        "reference": tag.complaint.reference,
        "merchant": tag.complaint.merchant_id,
        "number": tag.number,
        "text_en": en,
        "text_zh": zh,
        "tagged_by_role": tag.tagged_by.role if tag.tagged_by_id else None,
        "created_at": tag.created_at,
    }


def _texts() -> dict:
    version = services.current_version()
    if version is None:
        return {}
    return {c.number: (c.text_en, c.text_zh) for c in version.commitments.all()}


@router.get(
    "/tags",
    response={200: TagPageOut, 422: ValidationErrorOut},
    summary="Commitments alleged broken, on the complaints you see",
    description="By complaint and commitment number, 50 a page: follow `next` as `cursor` for the page "
    "after; `page` numbers reach the first 10,000 tags. `count` is exact up to 10,000, null beyond.",
)
def list_tags(
    request,
    paging: Query[PageIn],
    complaint: RowId | None = None,
    merchant: RowId | None = None,
    number: RowId | None = None,
):
    tags = ComplaintCommitment.objects.filter(services.tags_seen_by(request.auth)).select_related(
        "complaint", "tagged_by"
    )
    if complaint:
        tags = tags.filter(complaint_id=complaint)
    if merchant:
        tags = tags.filter(merchant_id=merchant)  # the tag's copy of its complaint's shop (indexed)
    if number:
        tags = tags.filter(number=number)
    texts = _texts()
    return paged(tags, services.BY_COMPLAINT, paging, lambda tag: _tag_out(tag, texts))


@router.get(
    "/tags/counts", response={200: list[TagCountOut], 403: Error}, summary="Alleged breaches per shop"
)
def tag_counts(request, start: Instant | None = None, end: Instant | None = None):
    """Complaints per shop and commitment (received in [start, end) when given), for the statistics."""
    if request.auth.role == Role.CONSUMER:
        raise ActionForbidden(_("counts are for shops and the regulator"))
    return services.tag_counts(request.auth, start, end)


def _complaint_tags(request, complaint_id: int) -> list[dict]:
    tags = ComplaintCommitment.objects.filter(complaint_id=complaint_id).select_related(
        "complaint", "tagged_by"
    )
    texts = _texts()
    return [_tag_out(t, texts) for t in tags.order_by("number")]


@complaint_tags.put(
    "/{int:complaint_id}/commitments/{int:number}",
    response={
        200: list[TagOut],
        201: list[TagOut],
        403: Error,
        404: Error,
        409: Error,
        422: ValidationErrorOut,
    },
    summary="Allege that the shop broke commitment `number` (1–8) of the pledge",
)
def tag_commitment(request, complaint_id: int, number: int):
    complaint = get_object_or_404(visible_complaints(request.auth), pk=complaint_id)
    _tag, created = services.tag(complaint.pk, request.auth, number)
    return Status(201 if created else 200, _complaint_tags(request, complaint.pk))


@complaint_tags.delete(
    "/{int:complaint_id}/commitments/{int:number}",
    response={200: list[TagOut], 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Withdraw the allegation",
)
def untag_commitment(request, complaint_id: int, number: int):
    complaint = get_object_or_404(visible_complaints(request.auth), pk=complaint_id)
    services.untag(complaint.pk, request.auth, number)
    return _complaint_tags(request, complaint.pk)
