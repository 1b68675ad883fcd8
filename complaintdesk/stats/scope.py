"""Whose statistics a user may see, one answer for the web's pages and downloads and the API."""

from django.http import Http404

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.models import Bureau
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats.models import ALL_BUREAUS, ALL_SHOPS


def shop_scope(user, merchant: int | None = None) -> int:
    """The shop whose figures `user` may see: a merchant id, or ALL_SHOPS for the regulator.

    A regulator officer sees every shop together, or the one `merchant` names (Http404 when there is none);
    a shop's staff see their own shop only (another shop's id is Http404, not found as everywhere); anyone
    else is refused with ActionForbidden, which the web answers with its 403 page and the API with a 403."""
    if user.role == Role.REGULATOR:
        if merchant is None:
            return ALL_SHOPS
        if not Merchant.objects.filter(pk=merchant).exists():
            raise Http404
        return merchant
    if user.role in MERCHANT_ROLES and user.merchant_id:
        if merchant is not None and merchant != user.merchant_id:
            raise Http404
        return user.merchant_id
    raise ActionForbidden("statistics are for regulator officers and shop staff")


def bureau_scope(user, bureau: int | None = None) -> int:
    """The bureau whose figures of the 12315 centre `user` may see: a bureau id, or ALL_BUREAUS.

    Regulator officers only (anyone else: ActionForbidden, 403): every bureau together, or the one `bureau`
    names (Http404 when there is none). Bureaus' own officers, who see their own bureau only, come with the
    bureaus of SPEC §11."""
    if user.role != Role.REGULATOR:
        raise ActionForbidden("the centre's figures are for regulator officers")
    if bureau is None:
        return ALL_BUREAUS
    if not Bureau.objects.filter(pk=bureau).exists():
        raise Http404
    return bureau
