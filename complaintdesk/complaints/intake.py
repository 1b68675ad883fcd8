"""The domain checks of a new complaint, shared by the API and the web form: who may file, which values
only the back office may set, and that the shop, the category and the dates are acceptable."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.services import NewComplaint
from complaintdesk.lib import sql
from complaintdesk.lib.errors import FieldError
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions import linking


def build_new_complaint(
    user,
    *,
    merchant: int,
    category: str,
    kind: str | None,
    channel: str,
    sector: str,
    order_number: str,
    amount,
    order_date: date | None,
    wanted_outcome: str,
    description: str,
    promotion: int | str = "",
    received_at: datetime | None = None,
    consumer_name: str = "",
    product: str = "",
    publish_consent: bool = False,
    for_centre: bool = False,
) -> NewComplaint:
    """A `NewComplaint` ready for `services.file_complaint`, or FieldError / ActionForbidden saying what is
    wrong."""
    if user.role not in (Role.CONSUMER, Role.REGULATOR):
        raise ActionForbidden(_("only consumers and regulator officers file complaints"))
    back_office = user.role == Role.REGULATOR
    if received_at is not None and not back_office:
        raise FieldError("received_at", _("only the regulator's back office may set the time of receipt"))
    if consumer_name and not back_office:
        raise FieldError("consumer_name", _("only the regulator's back office may name another consumer"))
    if for_centre and not back_office:
        raise FieldError(
            "for_centre", _("only a regulator officer files a complaint with the 12315 centre directly")
        )
    if received_at is not None:
        if received_at.tzinfo is None:
            raise FieldError(
                "received_at", _("must include a time zone offset, e.g. 2026-09-30T17:00:00+08:00")
            )
        if received_at > timezone.now():
            raise FieldError("received_at", _("must not be in the future"))
    # Read without the ORM's query compiler: filing is the hot path (lib.sql says why).
    shop = sql.select_one(Merchant, "id = %s AND is_active", [merchant])
    if shop is None:
        raise FieldError("merchant", _("unknown shop %(merchant)s") % {"merchant": merchant})
    found = sql.select_one(Category, "code = %s AND is_active", [category])
    if found is None:
        codes = ", ".join(Category.objects.filter(is_active=True).values_list("code", flat=True))
        raise FieldError(
            "category",
            _("unknown category %(category)r; categories are: %(codes)s")
            % {"category": category, "codes": codes},
        )
    kind = kind_for(found, kind)
    today = timezone.localdate()
    if order_date is not None and order_date > today:
        raise FieldError(
            "order_date", _("must not be in the future (today is %(today)s)") % {"today": today.isoformat()}
        )
    # An id must be a filing of this very shop that the user may link; a name is kept as written
    # (promotions.linking).
    filed_promotion, promotion_name = linking.resolve(shop, promotion, user)
    return NewComplaint(
        merchant=shop,
        category=found,
        kind=kind,
        channel=channel,
        sector=sector,
        order_number=order_number,
        amount=amount,
        order_date=order_date,
        wanted_outcome=wanted_outcome,
        description=description,
        promotion_name=promotion_name,
        promotion=filed_promotion,
        received_at=received_at,
        consumer_name=consumer_name,
        product=product,
        publish_consent=publish_consent,
        for_centre=for_centre,
    )


def kind_for(category: Category, kind: str | None) -> str:
    """The complaint's kind as its category says (`Category.is_quality_problem`): a quality issue runs the
    4-working-hour reply deadline. A kind given must agree with the category, or FieldError names it."""
    derived = category.complaint_kind
    if kind is not None and kind != derived:
        raise FieldError(
            "kind",
            _("must be %(derived)r for category %(category)r, or left out")
            % {"derived": derived, "category": category.code},
        )
    return derived
