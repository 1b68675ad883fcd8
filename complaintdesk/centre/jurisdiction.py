"""Which bureau is in charge of what (属地管辖, SPEC §11), and which bureau's matters an officer sees.

A shop is in the charge of the bureau of its registered district when it has a published, reachable
address; otherwise of the bureau where its platform is registered (SAMR Order No. 121); with neither, of
the city centre, which routes what reaches it by hand (`transfer`). The answer is kept on the shop's row
(`Merchant.jurisdiction`) so that bureau-scoped lists filter one indexed column: it is set whenever a shop
is saved and again for a platform's shops when its seat changes (the signals in `centre.apps`).

A complaint is in the charge of the bureau that holds its centre case once it reached the centre, else of
its shop's (`in_bureau`). That answer is kept on the complaint's row too (`Complaint.bureau`), so that a
bureau's complaint lists read one index in their order, and this module keeps it in step (`file`, `hold`,
`release`, `follow_shop`; `centre.signals` calls them on every save of a complaint, a case or a shop).
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.dispatch import Signal

from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, Flag, PlatformSeat, Routing
from complaintdesk.merchants.models import Merchant


@dataclass(frozen=True)
class Route:
    bureau: Bureau
    basis: str  # a `Routing` value: why this bureau


def has_reachable_address(merchant) -> bool:
    return bool(merchant.registered_address.strip()) and not merchant.address_unreachable


def route(merchant) -> Route:
    """The bureau in charge of `merchant`, and why."""
    if merchant.registered_district_id is not None and has_reachable_address(merchant):
        return Route(merchant.registered_district, Routing.DISTRICT)
    seat = PlatformSeat.objects.select_related("bureau").filter(platform=merchant.platform).first()
    if seat is not None:
        return Route(seat.bureau, Routing.PLATFORM)
    return Route(Bureau.city_centre(), Routing.CITY)


def assign(merchant) -> None:
    """Set `merchant.jurisdiction` from its address, district and platform (before it is saved)."""
    merchant.jurisdiction = route(merchant).bureau


def reassign_platform(platform: str) -> int:
    """Re-route the shops of `platform` after its seat changed; how many rows changed."""
    changed = 0
    for merchant in Merchant.objects.filter(platform=platform).select_related("registered_district"):
        bureau = route(merchant).bureau
        if merchant.jurisdiction_id != (bureau.pk if bureau else None):
            changed += Merchant.objects.filter(pk=merchant.pk).update(jurisdiction=bureau)
            follow_shop(merchant.pk, bureau.pk if bureau else None)
    return changed


# --------------------------------------------------------------- the bureau in charge of each complaint


def _complaints():
    """The complaints' model, a layer above this one: reached through the case's relation, not imported."""
    return CentreCase._meta.get_field("complaint").related_model


def _shops_bureau(merchant_id: int):
    return Merchant.objects.filter(pk=merchant_id).values_list("jurisdiction_id", flat=True).first()


def file(complaint) -> None:
    """Before a new complaint's first save: it is in its shop's bureau's charge (it has no case yet). Read
    from the shop's row, not from a shop object the caller may have loaded before it was re-routed."""
    complaint.bureau_id = _shops_bureau(complaint.merchant_id)


# Sent after complaints' bureau in charge was written (`complaints`: a queryset of them), so that the rows
# above this layer that copy it (pledge tags) follow in the same transaction.
complaints_moved = Signal()


def _moved(sender, complaints) -> None:
    """After `complaints`' bureau in charge was written: the copies follow, this layer's (`Flag.bureau`)
    here, those above it by `complaints_moved`."""
    bureau = _complaints().objects.filter(pk=OuterRef("complaint_id")).values("bureau_id")[:1]
    Flag.objects.filter(complaint__in=complaints).update(bureau_id=Subquery(bureau))
    complaints_moved.send(sender=sender, complaints=complaints)


def hold(case: CentreCase) -> None:
    """After a case was opened or moved to another bureau (routing, a transfer, the admin): its complaint
    is in the case's bureau's charge."""
    rows = _complaints().objects.filter(pk=case.complaint_id)
    rows.update(bureau_id=case.bureau_id)
    _moved(CentreCase, rows)


def release(case: CentreCase) -> None:
    """After a case was deleted: its complaint is back in its shop's bureau's charge."""
    shop = Merchant.objects.filter(pk=OuterRef("merchant_id")).values("jurisdiction_id")[:1]
    rows = _complaints().objects.filter(pk=case.complaint_id)
    rows.update(bureau_id=Subquery(shop))
    _moved(CentreCase, rows)


def follow_shop(merchant_id: int, bureau_id: int | None) -> int:
    """After a shop's bureau in charge changed: its complaints still with it (no case) follow; those at the
    centre stay with the bureau holding their case. How many changed."""
    differs = Q(bureau_id__isnull=False) if bureau_id is None else ~Q(bureau_id=bureau_id)
    rows = _complaints().objects.filter(merchant_id=merchant_id, centre_case__isnull=True)
    changed = rows.filter(differs).update(bureau_id=bureau_id)
    if changed:
        _moved(Merchant, rows)
    return changed


def officer_bureau(user) -> int | None:
    """The bureau whose matters a regulator officer is limited to: its bureau's id for a district officer;
    None for a city-level officer (or one without a bureau), who sees every bureau."""
    bureau_id = getattr(user, "bureau_id", None)
    if bureau_id is None:
        return None
    # Asked several times a request (every scoped list): the level is read once per user object.
    cached = getattr(user, "_bureau_level", None)
    if cached is None or cached[0] != bureau_id:
        level = Bureau.objects.filter(pk=bureau_id).values_list("level", flat=True).first()
        cached = (bureau_id, level)
        user._bureau_level = cached
    return bureau_id if cached[1] == BureauLevel.DISTRICT else None


def in_bureau(bureau_id: int, prefix: str = "") -> Q:
    """Complaints in a bureau's charge (SPEC §11): those at the centre that the bureau holds, and those still
    with the shop (no centre case) of the shops in its charge — one column, `Complaint.bureau`, kept so by
    this module. `prefix`: the path to the complaint ("complaint__") when filtering rows that hang on one."""
    return Q(**{f"{prefix}bureau_id": bureau_id})


def officers_complaints(user, prefix: str = "") -> Q:
    """The complaints a regulator officer sees (`complaints.queries.visible_complaints`), as a condition for
    rows that hang on complaints: a district officer's bureau's (`in_bureau`), every one for a city-level
    officer (an empty Q: no subquery over every complaint). For officers only, as `in_charge`."""
    bureau = officer_bureau(user)
    return Q() if bureau is None else in_bureau(bureau, prefix)


def officer_opens(user, bureau_id: int | None) -> bool:
    """Whether a regulator officer sees a complaint in `bureau_id`'s charge: `officers_complaints` for a row
    already read (by its primary key: with the bureau's condition in the query, SQLite may walk the bureau's
    complaints in search of a few known ones). For officers only, as `in_charge`."""
    bureau = officer_bureau(user)
    return bureau is None or bureau_id == bureau


def about_bureau(bureau_id: int) -> Q:
    """Rows about a complaint or a matter (a letter, a duty, a follow-up call) in a bureau's charge: the
    complaint's by `in_bureau`, the matter's when the bureau holds it."""
    return in_bureau(bureau_id, "complaint__") | Q(matter__bureau_id=bureau_id)


def in_charge(user, path: str = "") -> Q:
    """Rows about the shops a regulator officer answers for (SPEC §11): a district officer's, the shops in
    its bureau's charge (`Merchant.jurisdiction`); a city-level officer's, every shop (an empty Q). `path`
    leads from the row to its shop ("merchant__"; "" for shops). For officers only: a shop's staff and
    consumers have scopes of their own, which the caller picks by role."""
    bureau = officer_bureau(user)
    return Q() if bureau is None else Q(**{f"{path}jurisdiction_id": bureau})


def shops_in_charge(user) -> QuerySet[Merchant]:
    """The shops a regulator officer answers for (`in_charge`); another shop is not found (404) for it."""
    return Merchant.objects.filter(in_charge(user))
