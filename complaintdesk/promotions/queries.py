"""Who sees which promotion filings (SPEC §1, §4), and the download of a filing's emergency plan. Every read
of filings for a user, in the API and in the web, starts here."""

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import in_charge
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.promotions.models import FilingState, Promotion

# The filing lists' order, the latest start first (the model's own), as their pages walk it (lib.cursor).
LATEST_START = Order("promotions", (Key("starts_at", descending=True), Key("id", descending=True)))


class NoPlanAttached(Http404):
    """The filing may be seen but has no plan yet: still not found, though the API says why."""


def sees_filings(user) -> bool:
    """The regulator and a shop's staff; consumers, the anonymous and staff without a shop see none."""
    if not user.is_authenticated:
        return False
    return user.role == Role.REGULATOR or (user.role in MERCHANT_ROLES and bool(user.merchant_id))


def visible(user) -> QuerySet[Promotion]:
    """The filings of the shops in an officer's charge (every shop's for a city-level officer, a district
    bureau's shops' for its officers: SPEC §11), the shop's own for its staff, none for anyone else."""
    filings = Promotion.objects.select_related("merchant")
    if not sees_filings(user):
        return filings.none()
    if user.role == Role.REGULATOR:
        return filings.filter(in_charge(user, "merchant__"))
    return filings.filter(merchant_id=user.merchant_id)


def linkable(user) -> QuerySet[Promotion]:
    """The filings `user` may name by id on a complaint they file (the answer shows the filing's name back):
    those they see (`visible`: every filing in an officer's charge), and for anyone else, consumers
    above all, the ones the regulator has accepted: an accepted filing is a promotion the shop runs in
    public; one waiting for review or returned is still between the shop and the regulator."""
    if sees_filings(user):
        return visible(user)
    return Promotion.objects.filter(state=FilingState.ACCEPTED)


def plan_download(user, promotion_id: int) -> FileResponse:
    """The filing's PDF plan as an attachment under the name it was uploaded with.

    Another shop's filing is not found (Http404), like one that does not exist, so its id reveals
    nothing; a visible filing without a plan raises NoPlanAttached. The upload was checked to be a PDF by
    its content, so the type is stated and browsers are told not to guess another.
    """
    promotion = get_object_or_404(visible(user), pk=promotion_id)
    if not promotion.plan_name:
        raise NoPlanAttached
    response = FileResponse(promotion.plan_file.open("rb"), as_attachment=True, filename=promotion.plan_name)
    response["Content-Type"] = "application/pdf"
    response["X-Content-Type-Options"] = "nosniff"
    return response
