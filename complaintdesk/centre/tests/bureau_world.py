"""A small city of bureaus for the bureau-scoping tests (SPEC §11), to import from any test module:

    from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)

The city centre (from the migrations) and two district bureaus under it, D1 and D2, each with an officer
(Dora at D1, Dan at D2) beside Cleo, a city-level officer, and Rita, an officer without a bureau (who sees
every bureau as a city-level officer does). Each district has a shop registered in it (Acme in D1, Bazaar in
D2) with staff, a consumer's complaint still with the shop, a complaint at the centre held by the district,
a report about the shop held by the district, an alert and a promotion filing. One more complaint of Acme's
(D1's shop) was transferred to D2: D2 holds it, D1 no longer sees it.

Everything is built through the real services: a complaint brought to the centre and a report about a shop
are routed to the bureau in charge of the shop (`centre.jurisdiction.route`), and the transfer is the
centre's `transfer` step, so the centre's figures count each where it is held.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.alerts.models import Alert
from complaintdesk.centre import matters
from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, Matter, MatterKind
from complaintdesk.complaints import services
from complaintdesk.complaints.centre import Details
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions import services as filings
from complaintdesk.promotions.models import Promotion
from conftest import credit_code


@dataclass
class District:
    """One district bureau and what is in its charge."""

    bureau: Bureau
    officer: User
    shop: Merchant
    staff: User  # the shop's coordinator
    consumer: User
    complaint: Complaint  # still with the shop
    escalated: Complaint  # at the centre, held by this district
    report: Matter  # about the shop, held by this district
    alert: Alert
    filing: Promotion


@dataclass
class World:
    city: Bureau
    city_officer: User  # Cleo, of the city centre
    rita: User  # an officer without a bureau: every bureau's, as a city-level officer
    d1: District
    d2: District
    transferred: Complaint  # Acme's (D1's shop), transferred to and held by D2

    def officers(self):
        return [self.city_officer, self.rita, self.d1.officer, self.d2.officer]


def user(name: str, role: str, **fields) -> User:
    u = User.objects.create(username=name, role=role, email=f"{name}@example.test", **fields)
    u.set_password("pw-" + name)
    u.save()
    return u


def district_bureau(name: str, city: Bureau, code: str) -> Bureau:
    return Bureau.objects.create(
        name_en=f"{name} District Bureau",
        name_zh=f"{code}区市场监管局",
        level=BureauLevel.DISTRICT,
        parent=city,
        address=f"1 {name} Road",
        phone="021-12315",
        email=f"{name.lower()}@bureau.test",
    )


def registered_shop(name: str, seed: int, bureau: Bureau) -> Merchant:
    """A shop with a published, reachable address in `bureau`'s district: in that bureau's charge."""
    return Merchant.objects.create(
        name=name,
        credit_code=credit_code(seed),
        registered_address=f"{seed} Market Street",
        registered_district=bureau,
    )


def held_at(item) -> int:
    """The bureau holding a complaint at the centre or a matter."""
    if isinstance(item, Matter):
        return Matter.objects.get(pk=item.pk).bureau_id
    return CentreCase.objects.get(complaint=item).bureau_id


def at_centre(officer: User, consumer: User, shop: Merchant, order: str) -> Complaint:
    """A complaint an officer brought to the centre an hour after it was filed: routed to the shop's bureau."""
    filed = timezone.now() - timedelta(hours=3)
    with time_machine.travel(filed, tick=False):
        complaint = factories.complaint(consumer, shop, order_number=order)
    when = filed + timedelta(hours=1)
    with time_machine.travel(when, tick=False):
        services.perform(complaint.pk, officer, "escalate", "The caller asks the centre to help.", at=when)
    assert held_at(complaint) == shop.jurisdiction_id
    return complaint


def transfer(officer: User, complaint: Complaint, bureau: Bureau) -> Complaint:
    """The centre's transfer of a complaint it received to `bureau`, an hour ago."""
    when = timezone.now() - timedelta(hours=1)
    with time_machine.travel(when, tick=False):
        services.perform(complaint.pk, officer, "transfer", f"Handled in {bureau}.", at=when,
                         details=Details(bureau=bureau.pk))  # fmt: skip
    assert held_at(complaint) == bureau.pk
    complaint.refresh_from_db()
    return complaint


def _filing(staff: User, shop: Merchant) -> Promotion:
    now = timezone.now()
    return filings.file(
        staff,
        filings.FilingData(
            name=f"{shop.name} sale",
            type="other",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=31),
            expected_orders=20000,
            peak_hour_orders=1000,
            staff_per_shift=3,
            avg_handling_minutes=Decimal("6"),
            emergency_plan="Two extra shifts.",
            contacts=[{"name": "A", "phone": "400-820-8820", "role": ""}],
        ),
    )


def _district(code: str, name: str, seed: int, city: Bureau, escalator: User) -> District:
    bureau = district_bureau(name, city, code)
    officer = user(f"officer-{code.lower()}", Role.REGULATOR, bureau=bureau)
    shop = registered_shop(f"{name} Shop", seed, bureau)
    staff = user(f"staff-{code.lower()}", Role.MERCHANT_COORDINATOR, merchant=shop)
    consumer = user(f"consumer-{code.lower()}", Role.CONSUMER)
    complaint = factories.complaint(consumer, shop, order_number=f"{code}-1")
    escalated = at_centre(escalator, consumer, shop, f"{code}-2")
    report = matters.file(
        consumer, matters.Filing(MatterKind.REPORT, f"Fakes at {shop.name}", merchant=shop.pk)
    )
    assert held_at(report) == bureau.pk
    alert, _ = alerts.raise_alert("surge", shop, f"surge-{code}", f"Surge at {shop.name}")
    return District(
        bureau, officer, shop, staff, consumer, complaint, escalated, report, alert, _filing(staff, shop)
    )


def build() -> World:
    city = Bureau.city_centre()
    city_officer = user("cleo", Role.REGULATOR, bureau=city)
    rita = user("rita-b", Role.REGULATOR)
    d1 = _district("D1", "Huangpu", 101, city, city_officer)
    d2 = _district("D2", "Xuhui", 102, city, city_officer)
    transferred = transfer(city_officer, at_centre(city_officer, d1.consumer, d1.shop, "D1-3"), d2.bureau)
    return World(city, city_officer, rita, d1, d2, transferred)


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    return build()
