from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from complaintdesk.accounts.models import Role
from complaintdesk.api import groups as groups_api
from complaintdesk.api import stats as stats_api
from complaintdesk.api.common import Error, PageIn, PageOut, QueryText, ValidationErrorOut, paged
from complaintdesk.centre.jurisdiction import shops_in_charge
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.merchants import compliance, profile
from complaintdesk.merchants.models import Merchant

router = Router(tags=["merchants"])


class MerchantIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    shop_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    platform: Annotated[str, StringConstraints(max_length=20)] = "own_site"
    service_hours: dict[str, list[list[str]]] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] = ""


class MerchantPatch(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    credit_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None
    shop_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    platform: Annotated[str, StringConstraints(max_length=20)] | None = None
    service_hours: dict[str, list[list[str]]] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    is_active: bool | None = None


class MerchantOut(Schema):
    id: int
    name: str
    credit_code: str
    shop_url: str
    platform: str
    service_hours: dict
    time_zone: str
    is_active: bool
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_info_published_at: datetime | None


class DirectoryEntryOut(Schema):
    id: int
    name: str
    shop_url: str
    platform: str
    service_hours: dict
    time_zone: str
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_info_published_at: datetime | None
    pledge_signed: bool = Field(description="Signed the current version of the customer-service pledge.")


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class ServiceInfoIn(Schema):
    """Only the fields sent change; an empty string removes a contact."""

    service_phone: Phone | None = None
    service_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    service_chat_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    returns_address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    service_hours: dict[str, list[list[str]]] | None = None


class ServiceInfoRevisionOut(Schema):
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_hours: dict
    changed_fields: list[str]
    changed_by: str | None
    changed_at: datetime

    @staticmethod
    def resolve_changed_by(revision):
        return revision.changed_by.username if revision.changed_by_id else None


class CoordinatorIn(Schema):
    user: int = Field(description="A merchant user of this shop.")
    direct_phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CoordinatorOut(Schema):
    user: int
    username: str
    name: str
    direct_phone: str
    started_at: datetime
    ended_at: datetime | None
    designated_by: str | None

    @staticmethod
    def resolve_user(d):
        return d.user_id

    @staticmethod
    def resolve_username(d):
        return d.user.username

    @staticmethod
    def resolve_name(d):
        return d.user.get_full_name()

    @staticmethod
    def resolve_designated_by(d):
        return d.designated_by.username if d.designated_by_id else None


class CoordinatorsOut(Schema):
    current: CoordinatorOut | None
    history: list[CoordinatorOut]


class ComplianceOut(Schema):
    merchant: int
    merchant_name: str
    compliant: bool
    missing: list[str] = Field(description="coordinator, service_info, pledge")
    reasons: list[str]
    coordinator: CoordinatorOut | None
    service_info_published_at: datetime | None
    signed_version: int | None
    current_version: int | None

    @staticmethod
    def resolve_merchant(c):
        return c.merchant.pk

    @staticmethod
    def resolve_merchant_name(c):
        return c.merchant.name

    @staticmethod
    def resolve_reasons(c):
        return c.reasons()

    @staticmethod
    def resolve_service_info_published_at(c):
        return c.merchant.service_info_published_at


def visible_merchants(user):
    """The shops in an officer's charge (SPEC §11: a district officer's; every shop for a city-level
    officer), a shop's staff their own, anyone else the active shops."""
    if user.role == Role.REGULATOR:
        return shops_in_charge(user)
    if user.merchant_id:
        return Merchant.objects.filter(pk=user.merchant_id)
    return Merchant.objects.filter(is_active=True)


def _require_regulator(user):
    if user.role != Role.REGULATOR:
        raise ActionForbidden(_("only regulator officers manage shops"))


class DirectoryPageOut(PageOut):
    items: list[DirectoryEntryOut]


@router.get(
    "/directory",
    auth=None,
    response={200: DirectoryPageOut, 422: ValidationErrorOut},
    summary="Public shop directory (by name; pages by `cursor`, as the complaint list)",
)
def directory(request, paging: Query[PageIn], q: QueryText = ""):
    """Active shops with their published customer-service contacts; no personal data."""
    return paged(profile.directory(q), profile.BY_NAME, paging, lambda shop: shop)


@router.get(
    "/{int:merchant_id}/scorecard",
    auth=None,
    response={200: groups_api.ScorecardWithGroupsOut, 404: Error},
    summary="Public scorecard: last 12 months' complaints, answers in time, resolution, pledge, group complaints",
)
def scorecard(request, merchant_id: int):
    return {**stats_api.public_scorecard(merchant_id), "groups": groups_api.scorecard_groups(merchant_id)}


class MerchantPageOut(PageOut):
    items: list[MerchantOut]


@router.get(
    "",
    response={200: MerchantPageOut, 422: ValidationErrorOut},
    summary="The shops the caller may see (by name; pages by `cursor`, as the complaint list)",
)
def list_merchants(request, paging: Query[PageIn]):
    return paged(visible_merchants(request.auth), profile.BY_NAME, paging, lambda shop: shop)


@router.get("/{int:merchant_id}", response={200: MerchantOut, 404: Error})
def merchant_detail(request, merchant_id: int):
    return get_object_or_404(visible_merchants(request.auth), pk=merchant_id)


@router.post("", response={201: MerchantOut, 403: Error, 422: ValidationErrorOut})
def create_merchant(request, payload: MerchantIn):
    _require_regulator(request.auth)
    data = payload.model_dump(exclude_none=True)
    if not data.get("time_zone"):
        data.pop("time_zone", None)
    return Status(201, profile.register_shop(data))


@router.patch(
    "/{int:merchant_id}", response={200: MerchantOut, 403: Error, 404: Error, 422: ValidationErrorOut}
)
def update_merchant(request, merchant_id: int, payload: MerchantPatch):
    _require_regulator(request.auth)
    get_object_or_404(shops_in_charge(request.auth), pk=merchant_id)
    try:
        return profile.change_shop(merchant_id, request.auth, payload.model_dump(exclude_unset=True))
    except Merchant.DoesNotExist:
        raise Http404 from None


@router.delete("/{int:merchant_id}", response={204: None, 403: Error, 404: Error})
def deactivate_merchant(request, merchant_id: int):
    """Shops are deactivated, never deleted: their complaints and statistics stay."""
    _require_regulator(request.auth)
    merchant = get_object_or_404(shops_in_charge(request.auth), pk=merchant_id)
    Merchant.objects.filter(pk=merchant.pk).update(is_active=False)
    return Status(204, None)


# Shop obligations: compliance, published service information, the 12315 coordinator.


def _staff_or_regulator(user, merchant_id: int) -> Merchant:
    """The shop's own staff and the officers in charge of it; anyone else gets "not found", as for another
    tenant."""
    if user.role == Role.REGULATOR:
        return get_object_or_404(shops_in_charge(user), pk=merchant_id)
    if user.merchant_id == merchant_id:
        return get_object_or_404(Merchant, pk=merchant_id)
    raise Http404


class CompliancePageOut(PageOut):
    items: list[ComplianceOut]


@router.get(
    "/compliance",
    response={200: CompliancePageOut, 403: Error, 422: ValidationErrorOut},
    summary="Shops and what they miss: coordinator, service information, current pledge (by name; pages by "
    "`cursor`, as the other lists)",
)
def compliance_list(
    request,
    paging: Query[PageIn],
    compliant: bool | None = None,
    missing: compliance.Requirement | None = None,
):
    """The active shops in the caller's charge; `compliant` and `missing` filter in the database, and only a
    page's shops are checked."""
    if request.auth.role != Role.REGULATOR:
        raise ActionForbidden(_("only regulator officers see every shop's compliance"))
    shops = shops_in_charge(request.auth).filter(is_active=True)
    if compliant is True:
        shops = compliance.meeting(shops)
    elif compliant is False:
        shops = compliance.missing(shops)
    if missing:
        shops = compliance.missing(shops, missing)
    page = paged(shops, profile.BY_NAME, paging, lambda shop: shop)
    return {**page, "items": compliance.check(page["items"])}


@router.get("/{int:merchant_id}/compliance", response={200: ComplianceOut, 404: Error})
def merchant_compliance(request, merchant_id: int):
    return compliance.check_one(_staff_or_regulator(request.auth, merchant_id))


@router.patch(
    "/{int:merchant_id}/service-info",
    response={200: MerchantOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Publish customer-service information (phone, e-mail, chat, returns address, hours)",
)
def publish_service_info(request, merchant_id: int, payload: ServiceInfoIn):
    _staff_or_regulator(request.auth, merchant_id)
    changes = payload.model_dump(exclude_unset=True)
    return profile.publish_service_info(merchant_id, request.auth, changes).merchant


@router.get(
    "/{int:merchant_id}/service-info/history", response={200: list[ServiceInfoRevisionOut], 404: Error}
)
def service_info_history(request, merchant_id: int):
    return profile.service_info_history(_staff_or_regulator(request.auth, merchant_id))


@router.get("/{int:merchant_id}/coordinator", response={200: CoordinatorsOut, 404: Error})
def coordinator(request, merchant_id: int):
    merchant = _staff_or_regulator(request.auth, merchant_id)
    return {
        "current": profile.current_coordinator(merchant),
        "history": profile.coordinator_history(merchant),
    }


@router.put(
    "/{int:merchant_id}/coordinator",
    response={200: CoordinatorOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Designate the shop's one 12315 coordinator (a user of the shop) with a direct phone",
)
def designate_coordinator(request, merchant_id: int, payload: CoordinatorIn):
    _staff_or_regulator(request.auth, merchant_id)
    return profile.designate_coordinator(merchant_id, request.auth, payload.user, payload.direct_phone)
