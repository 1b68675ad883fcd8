"""Whose statistics a user may see, one answer for the web's pages and downloads and the API.

A district bureau's officer (SPEC §11) sees the figures of the shops in its bureau's charge, summed from
their own rollups (the rollups are kept per shop), and the centre's figures of its own bureau; another
shop's or bureau's id is not found (404), as another shop's is for a shop's staff.
"""

from django.db.models import QuerySet
from django.http import Http404

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import officer_bureau, shops_in_charge
from complaintdesk.centre.models import Bureau
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.stats.models import ALL_BUREAUS, ALL_SHOPS
from complaintdesk.stats.queries import Shops


def shop_scope(user, merchant: int | None = None) -> Shops:
    """The shops whose figures `user` may see: a merchant id, ALL_SHOPS, or a set of merchant ids.

    A regulator officer sees the shops in its charge together (ALL_SHOPS for a city-level officer, the ids of
    a district bureau's shops for its officers), or the one `merchant` names (Http404 when it is not one of
    them); a shop's staff see their own shop only (another shop's id is Http404, not found as everywhere);
    anyone else is refused with ActionForbidden, which the web answers with its 403 page and the API with a
    403."""
    if user.role == Role.REGULATOR:
        if merchant is not None:
            if not shops_in_charge(user).filter(pk=merchant).exists():
                raise Http404
            return merchant
        if officer_bureau(user) is None:
            return ALL_SHOPS
        return frozenset(shops_in_charge(user).values_list("pk", flat=True))
    if user.role in MERCHANT_ROLES and user.merchant_id:
        if merchant is not None and merchant != user.merchant_id:
            raise Http404
        return user.merchant_id
    raise ActionForbidden("statistics are for regulator officers and shop staff")


def bureau_scope(user, bureau: int | None = None) -> int:
    """The bureau whose figures of the 12315 centre `user` may see: a bureau id, or ALL_BUREAUS.

    Regulator officers only (anyone else: ActionForbidden, 403). A district bureau's officer sees its own
    bureau's, asked for or not (another bureau's id: Http404); a city-level officer every bureau together,
    or the one `bureau` names (Http404 when there is none)."""
    if user.role != Role.REGULATOR:
        raise ActionForbidden("the centre's figures are for regulator officers")
    own = officer_bureau(user)
    if own is not None:
        if bureau is not None and bureau != own:
            raise Http404
        return own
    if bureau is None:
        return ALL_BUREAUS
    if not Bureau.objects.filter(pk=bureau).exists():
        raise Http404
    return bureau


def bureaus_in_scope(user, bureau: int | None = None) -> QuerySet[Bureau]:
    """The bureaus whose figures `user` sees side by side (`bureau_scope`'s): every bureau, or the one."""
    scoped = bureau_scope(user, bureau)
    return Bureau.objects.all() if scoped == ALL_BUREAUS else Bureau.objects.filter(pk=scoped)
