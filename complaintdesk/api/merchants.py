from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from complaintdesk.accounts.models import Role
from complaintdesk.api.schemas import (
    DirectoryEntryOut,
    Error,
    MerchantIn,
    MerchantOut,
    MerchantPatch,
    ValidationErrorOut,
)
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.deadlines.recompute import recompute_open_deadlines
from complaintdesk.lib.errors import FieldError
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
        raise ActionForbidden("only regulator officers manage shops")


def _save(merchant: Merchant) -> Merchant:
    """Validate with the model's own validators and report the first problem by field name."""
    try:
        merchant.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise FieldError(field, " ".join(messages)) from None
    try:
        with transaction.atomic():
            merchant.save()
    except IntegrityError:
        raise FieldError(
            "credit_code", "a shop with this unified social credit code exists already"
        ) from None
    return merchant


@router.get("/directory", auth=None, response=list[DirectoryEntryOut], summary="Public shop directory")
def directory(request, q: str = ""):
    shops = Merchant.objects.filter(is_active=True)
    if q:
        shops = shops.filter(name__icontains=q[:100])
    return shops


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
    merchant = _save(Merchant(**data))
    return Status(201, merchant)


@router.patch(
    "/{int:merchant_id}", response={200: MerchantOut, 403: Error, 404: Error, 422: ValidationErrorOut}
)
def update_merchant(request, merchant_id: int, payload: MerchantPatch):
    _require_regulator(request.auth)
    merchant = get_object_or_404(Merchant, pk=merchant_id)
    changes = payload.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise FieldError(field, "may not be null")
        setattr(merchant, field, value)
    _save(merchant)
    if {"service_hours", "time_zone"} & changes.keys():
        recompute_open_deadlines(request.auth, reason="the shop's service hours changed", merchant=merchant)
    return merchant


@router.delete("/{int:merchant_id}", response={204: None, 403: Error, 404: Error})
def deactivate_merchant(request, merchant_id: int):
    """Shops are deactivated, never deleted: their complaints and statistics stay."""
    _require_regulator(request.auth)
    merchant = get_object_or_404(Merchant, pk=merchant_id)
    Merchant.objects.filter(pk=merchant.pk).update(is_active=False)
    return Status(204, None)
