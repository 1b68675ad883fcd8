"""Two tenants with one of everything each, for the fuzz and tenancy-matrix tests.

Acme (Bob agent, Carol coordinator) has Alice's complaint, an evidence file, a filing and an alert;
Bazaar (Dave agent) has Erin's, the same again. Each tenant's complaint is in a group complaint of its shop.
Rita regulates; a published pledge is signed by Acme.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaintdesk.alerts import services as alerts
from complaintdesk.centre import letters, matters
from complaintdesk.centre.models import Flag, FlagReason, MatterKind, NoticeKind
from complaintdesk.complaints import evidence, groups
from complaintdesk.complaints.tests import factories
from complaintdesk.notify.models import Notification
from complaintdesk.pledges import services as pledges
from complaintdesk.promotions import services as filings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Persona per role: each role's "own" tenant is Acme (or Alice's complaint), the other is Bazaar (Erin's).
ROLE_USERS = {
    "anonymous": None,
    "consumer": "alice",
    "agent": "bob",
    "coordinator": "carol",
    "regulator": "rita",
}
ROLES = tuple(ROLE_USERS)


@dataclass
class Tenant:
    merchant: int
    complaint: int
    evidence: int
    promotion: int
    alert: int
    notification: int  # the consumer's, under the bell
    letter: int  # the 12315 centre's letter to the shop (its staff's; the consumer has one of her own)
    report: int  # the consumer's report about the shop, with her phone: the officers' only to see
    enquiry: int  # the consumer's enquiry about the shop
    flag: int = 0  # a flag for review of the complaint: the officers' only to see and clear
    group: int = 0  # a group complaint of the shop with the consumer's complaint (its page is public)


def _tenant(consumer, merchant, staff) -> Tenant:
    complaint = factories.complaint(consumer, merchant, order_number=f"ORD-{merchant.pk}")
    item = evidence.attach(complaint, consumer, SimpleUploadedFile("receipt.png", PNG, "image/png"))
    now = timezone.now()
    promotion = filings.file(
        staff,
        filings.FilingData(
            name=f"{merchant.name} secret sale",
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
    alert, _ = alerts.raise_alert("surge", merchant, f"k-{merchant.pk}", f"Surge at {merchant.name}")
    notice = Notification.objects.create(
        user=consumer, title=f"Notice about ORD-{merchant.pk}", link=f"/complaints/{complaint.pk}/"
    )
    _to_consumer, to_shop = letters.issue(NoticeKind.ACCEPTANCE, complaint=complaint, at=now)
    report = matters.file(
        consumer,
        matters.Filing(MatterKind.REPORT, f"Fakes at {merchant.name}", merchant=merchant.pk,
                       contact_phone=reporter_phone(merchant)),
    )  # fmt: skip
    enquiry = matters.file(consumer, matters.Filing(MatterKind.ENQUIRY, "How long?", merchant=merchant.pk))
    return Tenant(
        merchant.pk,
        complaint.pk,
        item.pk,
        promotion.pk,
        alert.pk,
        notice.pk,
        to_shop.pk,
        report.pk,
        enquiry.pk,
    )


def _flag(complaint_id: int) -> int:
    flag = Flag.objects.create(complaint_id=complaint_id, reason=FlagReason.REPEAT, raised_at=timezone.now())
    return flag.pk


def reporter_phone(merchant) -> str:
    """The phone a tenant's reporter left: it must never show to anyone but an officer."""
    return f"1390000{merchant.pk:04d}"


def build(people) -> tuple[Tenant, Tenant, int]:
    """(own tenant, other tenant, published pledge version id)."""
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    commitments = [{"number": n, "text_en": f"Commitment {n}", "text_zh": f"承诺{n}"} for n in range(1, 9)]
    version = pledges.create_version(people.rita, "Pledge 2026", commitments)
    pledges.publish(version.pk, people.rita)
    own = _tenant(people.alice, people.acme, people.bob)
    other = _tenant(people.erin, people.bazaar, people.dave)
    for tenant in (own, other):
        tenant.group = groups.open_group(
            people.rita, product="Kettle", problem="Stops heating.", complaints=[tenant.complaint]
        ).pk
    own.flag, other.flag = _flag(own.complaint), _flag(other.complaint)
    return own, other, version.pk
