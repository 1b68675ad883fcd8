from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from complaintdesk.accounts.models import Role
from complaintdesk.api import stats as stats_api
from complaintdesk.api.schemas import (
    ComplianceOut,
    CoordinatorIn,
    CoordinatorOut,
    CoordinatorsOut,
    DirectoryEntryOut,
    Error,
    MerchantIn,
    MerchantOut,
    MerchantPatch,
    QueryText,
    ServiceInfoIn,
    ServiceInfoRevisionOut,
    ValidationErrorOut,
)
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.merchants import compliance, profile
from complaintdesk.merchants.models import Merchant

router = Router(tags=["merchants"])


def visible_merchants(user):
    if user.role == Role.REGULATOR:
        return Merchant.objects.all()
    if user.merchant_id:
        return Merchant.objects.filter(pk=user.merchant_id)
    return Merchant.objects.filter(is_active=True)


def _require_regulator(user):
    if user.role != Role.REGULATOR:
        raise ActionForbidden(_("only regulator officers manage shops"))


@router.get("/directory", auth=None, response=list[DirectoryEntryOut], summary="Public shop directory")
def directory(request, q: QueryText = ""):
    """Active shops with their published customer-service contacts; no personal data."""
    return profile.directory(q)


@router.get(
    "/{int:merchant_id}/scorecard",
    auth=None,
    response={200: stats_api.ScorecardOut, 404: Error},
    summary="Public scorecard: last 12 months' complaints, answers in time, resolution, pledge",
)
def scorecard(request, merchant_id: int):
    return stats_api.public_scorecard(merchant_id)


@router.get("", response=list[MerchantOut])
def list_merchants(request):
    return visible_merchants(request.auth)


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
    try:
        return profile.change_shop(merchant_id, request.auth, payload.model_dump(exclude_unset=True))
    except Merchant.DoesNotExist:
        raise Http404 from None


@router.delete("/{int:merchant_id}", response={204: None, 403: Error, 404: Error})
def deactivate_merchant(request, merchant_id: int):
    """Shops are deactivated, never deleted: their complaints and statistics stay."""
    _require_regulator(request.auth)
    merchant = get_object_or_404(Merchant, pk=merchant_id)
    Merchant.objects.filter(pk=merchant.pk).update(is_active=False)
    return Status(204, None)


# Shop obligations (issue 4): compliance, published service information, the 12315 coordinator.


def _staff_or_regulator(user, merchant_id: int) -> Merchant:
    """The shop's own staff and the regulator; anyone else gets "not found", as for another tenant."""
    if user.role == Role.REGULATOR:
        return get_object_or_404(Merchant, pk=merchant_id)
    if user.merchant_id == merchant_id:
        return get_object_or_404(Merchant, pk=merchant_id)
    raise Http404


@router.get(
    "/compliance",
    response={200: list[ComplianceOut], 403: Error},
    summary="Shops and what they miss: coordinator, service information, current pledge",
)
def compliance_list(request, compliant: bool | None = None, missing: compliance.Requirement | None = None):
    if request.auth.role != Role.REGULATOR:
        raise ActionForbidden(_("only regulator officers see every shop's compliance"))
    entries = compliance.check(Merchant.objects.filter(is_active=True).order_by("name"))
    if compliant is not None:
        entries = [e for e in entries if e.compliant == compliant]
    if missing:
        entries = [e for e in entries if missing in e.missing]
    return entries


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
