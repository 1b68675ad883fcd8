"""Which shops meet their obligations (SPEC §1, §5): a designated 12315 coordinator, published
customer-service information, and a signature under the current pledge. The regulator's list of
non-compliant shops and each shop's own checklist come from here."""

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import models
from django.db.models import Exists, Max, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from complaintdesk.merchants.models import CoordinatorDesignation, Merchant
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.pledges.services import current_version


class Requirement(models.TextChoices):
    COORDINATOR = "coordinator", _("Designate a 12315 coordinator with a direct phone")
    SERVICE_INFO = "service_info", _("Publish customer-service information")
    PLEDGE = "pledge", _("Sign the current customer-service pledge")


@dataclass
class ShopCompliance:
    merchant: Merchant
    coordinator: CoordinatorDesignation | None
    signed_version: int | None
    current_version: int | None
    missing: list[str] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.missing

    def reasons(self) -> list[str]:
        """What is missing, in words, e.g. "Sign the current customer-service pledge (v2; signed v1)"."""
        words = []
        for requirement in self.missing:
            text = str(Requirement(requirement).label)
            if requirement == Requirement.PLEDGE and self.current_version:
                signed = f"signed v{self.signed_version}" if self.signed_version else "never signed"
                text += f" (v{self.current_version}; {signed})"
            words.append(text)
        return words


def check(merchants) -> list[ShopCompliance]:
    """The compliance of each shop of `merchants`, in four queries whatever their number."""
    shops = list(merchants)
    ids = [m.pk for m in shops]
    current = current_version()
    coordinators = {
        d.merchant_id: d
        for d in CoordinatorDesignation.objects.filter(
            merchant_id__in=ids, ended_at__isnull=True
        ).select_related("user")
    }
    latest_signed = dict(
        PledgeSignature.objects.filter(merchant_id__in=ids)
        .values_list("merchant_id")
        .annotate(latest=Max("version__number"))
    )
    signed_current = (
        set(
            PledgeSignature.objects.filter(merchant_id__in=ids, version=current).values_list(
                "merchant_id", flat=True
            )
        )
        if current
        else set()
    )
    result = []
    for shop in shops:
        entry = ShopCompliance(
            merchant=shop,
            coordinator=coordinators.get(shop.pk),
            signed_version=latest_signed.get(shop.pk),
            current_version=current.number if current else None,
        )
        if entry.coordinator is None:
            entry.missing.append(Requirement.COORDINATOR)
        if shop.service_info_published_at is None:
            entry.missing.append(Requirement.SERVICE_INFO)
        if current is not None and shop.pk not in signed_current:
            entry.missing.append(Requirement.PLEDGE)
        result.append(entry)
    return result


def _lacks(requirement: str, current) -> Q:
    """The shops that miss `requirement`, as `check` decides it, as a condition on the shop's row."""
    if requirement == Requirement.COORDINATOR:
        return ~Exists(CoordinatorDesignation.objects.filter(merchant=OuterRef("pk"), ended_at__isnull=True))
    if requirement == Requirement.SERVICE_INFO:
        return Q(service_info_published_at__isnull=True)
    if current is None:  # no pledge to sign: nobody misses it
        return Q(pk__in=[])
    return ~Exists(PledgeSignature.objects.filter(merchant=OuterRef("pk"), version=current))


def _lacking(requirement: str | None) -> Q:
    """The shops that miss `requirement` (None: any obligation) as one condition."""
    current = current_version()
    return reduce(
        operator.or_, (_lacks(each, current) for each in ([requirement] if requirement else Requirement))
    )


def missing(merchants, requirement: str | None = None):
    """The shops of `merchants` (a queryset) that miss `requirement` (None: any obligation), as `check`
    decides it, filtered by the database: a page of them or their count reads no other shop's row."""
    return merchants.filter(_lacking(requirement))


def meeting(merchants):
    """The shops of `merchants` (a queryset) that meet every obligation (`check`'s compliant ones)."""
    return merchants.filter(~_lacking(None))


def noncompliant_count(merchants) -> int:
    """How many shops of `merchants` (a queryset) miss an obligation, as `check` decides it, counted in one
    query by the database (the dashboard's figure: no shop row is read into memory)."""
    return missing(merchants).order_by().count()


def check_one(merchant: Merchant) -> ShopCompliance:
    return check([merchant])[0]
