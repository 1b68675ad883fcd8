"""The city of the bureau tenancy matrix (issue 14 item 3): the city centre and two district bureaus, each
with one of every object an officer can address by id, and markers that say whose an answer shows.

    city centre (Cleo, a city-level officer)
    ├── D1 Huangpu (officer officer-qzd1): the Lantern Shop
    └── D2 Xuhui (officer officer-qzd2): the Teapot Store
    and the Corner Shop: no address, no platform seat, in the city centre's own charge

Each `District` holds: a complaint still with its shop (an evidence file, a pledge tag, in the alert and
the group complaint below), a complaint at the centre (the centre's letter to the shop, a flag for review),
a complaint transferred to it, a closed complaint with the consumer's rating and a follow-up call, a report
and two enquiries about its shop (one answered, with its letter), a mass-incident alert and the group
complaint opened from it (with the centre's statement), a promotion filing with its plan, the shop's pledge
signature, and a notification for its officer.

The crossings: D1's transferred complaint came from the city centre (the Corner Shop's); D2's from D1 (the
Lantern Shop's, sent by D1's officer), so D1 must not see it although the shop is D1's, and it is also in
D1's alert and group. Each district's flag names a complaint of the other's among its evidence (counted,
never shown). The city centre keeps a complaint and a report of the Corner Shop's that no district holds.

Every text an officer could see is seeded with its district's token (`QZD1`, `QZD2`; the city centre's
`QZC0`): order numbers, products, names, titles, notes; so that "nothing of D2 shows" is one search of the
answer for `QZD2` plus D2's references and its shop's name (`District.secrets`). `District.markers` gives
them by kind, so that a page showing a kind of D1's objects can be asked to show D2's of that kind to the
city-level officer.

Built once per test module through the real services (routing, escalation, transfer, letters, groups,
ratings, follow-up calls) inside a transaction the module rolls back (`built_city_fixture`); every test runs
in a savepoint of it (pytest-django's `db`), so what a test changes is gone before the next.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.centre import letters, matters, ratings
from complaintdesk.centre.models import Bureau, Flag, FlagReason, MatterKind, Notice, NoticeKind, Recipient
from complaintdesk.centre.tests.bureau_world import _filing, at_centre, district_bureau, held_at, transfer
from complaintdesk.complaints import evidence, followup, groups
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant, Platform
from complaintdesk.notify.models import Notification
from complaintdesk.pledges import services as pledges
from complaintdesk.promotions import services as filings
from conftest import credit_code

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
# A district's complaints, each a path's `complaint_id` in turn (attributes of `District`).
COMPLAINT_KINDS = ("shop_complaint", "centre_complaint", "moved", "closed")


@dataclass
class District:
    code: str  # the token in every text of the district's: QZD1, QZD2
    bureau: int
    officer: int
    shop: int
    coordinator: int
    consumer: int
    shop_complaint: int  # still with the shop; evidence, a pledge tag, member of the group
    evidence: int
    centre_complaint: int  # at the centre, held by the district; the centre's letter, a flag
    moved: int  # transferred to the district (held by it)
    closed: int  # closed, rated by its consumer, called back
    report: int
    enquiry: int
    answered: int  # an enquiry the district answered, with its letter to the enquirer
    letter: int  # the centre's letter to the shop about the centre complaint
    matter_letter: int  # the answer's letter
    flag: int
    alert: int  # a mass-incident alert about the shop complaint
    group: int  # opened from the alert (D1's also has the complaint of its shop that D2 holds)
    filing: int
    notification: int  # the district officer's
    markers: dict[str, str] = field(default_factory=dict)  # kind -> a string only its pages show
    references: dict[str, str] = field(default_factory=dict)  # kind -> a complaint's or matter's reference

    @property
    def complaints(self) -> dict[str, int]:
        return {kind: getattr(self, kind) for kind in COMPLAINT_KINDS}

    def secrets(self, except_shop: bool = False) -> list[str]:
        """What must not show to another district's officer: the token, the references, the shop's name
        (`except_shop`: for D2's officer, which holds a complaint of D1's shop and so knows its name)."""
        shown = [self.code, *self.references.values()]
        if not except_shop:
            shown.append(self.markers["shop"])
        return shown


@dataclass
class City:
    centre: int
    city_officer: int  # Cleo
    corner: int  # the Corner Shop, in the city centre's charge
    pledge: int  # the published pledge version
    d1: District
    d2: District
    held: dict[
        str, int
    ]  # the city centre's own complaint at the centre and report (as `District` names them)
    held_secrets: list[str]  # what of them no district officer sees

    def user(self, pk: int) -> User:
        """A fresh user row (officer_bureau caches the bureau's level on the object)."""
        return User.objects.get(pk=pk)


def _user(name: str, role: str, **fields) -> User:
    return User.objects.create(username=name, role=role, email=f"{name}@example.test", **fields)


def _shop(name: str, seed: int, bureau: Bureau | None) -> Merchant:
    if bureau is None:  # no address, sold on its own site (no platform seat): the city centre's
        return Merchant.objects.create(name=name, credit_code=credit_code(seed), platform=Platform.OWN_SITE)
    return Merchant.objects.create(
        name=name,
        credit_code=credit_code(seed),
        registered_address=f"{seed} Market Street",
        registered_district=bureau,
    )


def _complaint(consumer, shop, order: str, product: str, **fields) -> Complaint:
    return factories.complaint(
        consumer, shop, order_number=order, product=product, description=f"Broken {product}.", **fields
    )


def _closed_and_rated(consumer, shop, code: str, officer) -> Complaint:
    """A complaint closed two days ago, rated by its consumer the next day and called back today."""
    closed_at = timezone.now() - timedelta(days=2)
    with time_machine.travel(closed_at, tick=False):
        complaint = _complaint(consumer, shop, f"{code}-CLOSED", f"Closed lamp {code}", state="closed")
        ratings.invite(complaint, closed_at)
    ratings.rate(
        complaint, consumer, score=2, comment=f"Slow {code}-RATING", at=closed_at + timedelta(days=1)
    )
    followup.record(
        officer,
        complaint=complaint,
        called_at=timezone.now() - timedelta(minutes=5),
        outcome="partly",
        note=f"Called {code}-CALL",
    )
    return complaint


def _district(code: str, district: Bureau, shop: Merchant, city_officer: User, pledge: int) -> dict:
    """Everything of one district but its transferred complaint (built once both districts exist)."""
    officer = _user(f"officer-{code.lower()}", Role.REGULATOR, bureau=district, last_name=f"Officer {code}")
    coordinator = _user(f"staff-{code.lower()}", Role.MERCHANT_COORDINATOR, merchant=shop)
    profile.designate_coordinator(shop.pk, city_officer, coordinator.pk, "021-55550000")
    consumer = _user(
        f"consumer-{code.lower()}", Role.CONSUMER, first_name="Mei", last_name=f"Consumer {code}"
    )
    complaint = _complaint(consumer, shop, f"{code}-SHOP", f"Lamp {code}-P1")
    item = evidence.attach(complaint, consumer, SimpleUploadedFile("receipt.png", PNG, "image/png"))
    pledges.tag(complaint.pk, city_officer, 1)
    centre_complaint = at_centre(city_officer, consumer, shop, f"{code}-CENTRE")
    letter = letters.issue(NoticeKind.ACCEPTANCE, complaint=centre_complaint, at=timezone.now())[1]
    closed = _closed_and_rated(consumer, shop, code, city_officer)
    report = matters.file(
        consumer,
        matters.Filing(MatterKind.REPORT, f"Fake lamps {code}-REPORT", merchant=shop.pk,
                       contact_phone=f"13900{code[-1]}00001"),
    )  # fmt: skip
    enquiry = matters.file(
        consumer, matters.Filing(MatterKind.ENQUIRY, f"How long {code}-ENQUIRY?", merchant=shop.pk)
    )
    answered = matters.file(
        consumer, matters.Filing(MatterKind.ENQUIRY, f"Refund {code}-ASKED?", merchant=shop.pk)
    )
    matters.answer_enquiry(answered.pk, city_officer, f"Within 7 days {code}-ANSWER.")
    matter_letter = Notice.objects.get(matter=answered)
    alert, _ = alerts.raise_alert(
        "mass_incident", shop, f"mass-{code}", f"Same lamp {code}-ALERT", complaints=[complaint]
    )
    filing = _filing(coordinator, shop)
    filing.name = f"Lantern festival {code}-SALE"
    filing.save(update_fields=["name"])
    filings.attach_plan(filing.pk, coordinator, SimpleUploadedFile("plan.pdf", PDF, "application/pdf"))
    pledges.sign(pledge, coordinator, "127.0.0.1")
    notification = Notification.objects.create(
        user=officer, title=f"Note {code}-NOTE", link=f"/complaints/{centre_complaint.pk}/"
    )
    for item_ in (centre_complaint, report, enquiry, answered):
        assert held_at(item_) == district.pk
    return {
        "code": code,
        "bureau": district.pk,
        "officer": officer.pk,
        "shop": shop.pk,
        "coordinator": coordinator.pk,
        "consumer": consumer.pk,
        "shop_complaint": complaint.pk,
        "evidence": item.pk,
        "centre_complaint": centre_complaint.pk,
        "closed": closed.pk,
        "report": report.pk,
        "enquiry": enquiry.pk,
        "answered": answered.pk,
        "letter": letter.pk,
        "matter_letter": matter_letter.pk,
        "alert": alert.pk,
        "filing": filing.pk,
        "notification": notification.pk,
    }


def _group(district: dict, officer, also: list[int]) -> int:
    """The group complaint opened from the district's mass-incident alert (its shop complaint), with `also`
    picked, and the centre's statement on its page."""
    code = district["code"]
    group = groups.open_group(
        officer,
        product=f"Lamp {code}-GROUP",
        problem=f"Flickers {code}.",
        alert=district["alert"],
        complaints=also,
    )
    groups.post_statement(group, officer, message=f"The centre is on it {code}-STATEMENT.")
    return group.pk


def _flag(district: dict, evidence: list[int]) -> int:
    return Flag.objects.create(
        complaint_id=district["centre_complaint"],
        reason=FlagReason.REPEAT,
        evidence=evidence,
        details={"order_number": f"{district['code']}-CENTRE"},
        raised_at=timezone.now(),
    ).pk


def _finish(values: dict, moved: Complaint) -> District:
    code = values["code"]
    district = District(moved=moved.pk, **values)
    district.markers = {
        "shop": Merchant.objects.get(pk=district.shop).name,
        "shop_complaint": f"{code}-SHOP",
        "product": f"Lamp {code}-P1",
        "centre_complaint": f"{code}-CENTRE",
        "moved": f"{code}-MOVED",
        "closed": f"{code}-CLOSED",
        "rating": f"{code}-RATING",
        "call": f"{code}-CALL",
        "report": f"{code}-REPORT",
        "enquiry": f"{code}-ENQUIRY",
        "answered": f"{code}-ASKED",
        "answer": f"{code}-ANSWER",
        "statement": f"{code}-STATEMENT",
        "alert": f"{code}-ALERT",
        "group": f"Lamp {code}-GROUP",
        "problem": f"Flickers {code}.",
        "filing": f"{code}-SALE",
        "notification": f"{code}-NOTE",
        "consumer": f"Consumer {code}",
    }
    for kind, pk in district.complaints.items():
        district.references[kind] = Complaint.objects.get(pk=pk).reference
    for kind in ("report", "enquiry", "answered"):
        district.references[kind] = matters.Matter.objects.get(pk=getattr(district, kind)).reference
    return district


def build() -> City:
    city = Bureau.city_centre()
    cleo = _user("cleo", Role.REGULATOR, bureau=city, last_name="City officer")
    commitments = [{"number": n, "text_en": f"Commitment {n}", "text_zh": f"承诺{n}"} for n in range(1, 9)]
    pledge = pledges.create_version(cleo, "Pledge 2026", commitments)
    pledges.publish(pledge.pk, cleo)
    huangpu = district_bureau("Huangpu", city, "D1")
    xuhui = district_bureau("Xuhui", city, "D2")
    lantern = _shop("Lantern Shop of Huangpu", 201, huangpu)
    teapot = _shop("Teapot Store of Xuhui", 202, xuhui)
    corner = _shop("Corner Shop", 203, None)
    assert (lantern.jurisdiction_id, teapot.jurisdiction_id, corner.jurisdiction_id) == (
        huangpu.pk,
        xuhui.pk,
        city.pk,
    )
    v1 = _district("QZD1", huangpu, lantern, cleo, pledge.pk)
    v2 = _district("QZD2", xuhui, teapot, cleo, pledge.pk)
    dora = User.objects.get(pk=v1["officer"])
    # D1's: the Corner Shop's complaint, routed to the city centre, which sends it to Huangpu.
    walker = _user("walker", Role.CONSUMER, last_name="Walker QZD1")
    into_d1 = transfer(cleo, at_centre(cleo, walker, corner, "QZD1-MOVED"), huangpu)
    # D2's: the Lantern Shop's (D1's shop), which Dora sends on to Xuhui.
    runner = _user("runner", Role.CONSUMER, last_name="Runner QZD2")
    into_d2 = transfer(dora, at_centre(cleo, runner, lantern, "QZD2-MOVED"), xuhui)
    # D1's alert and group have the Lantern Shop's complaint that D2 holds among theirs.
    alerts.raise_alert("mass_incident", lantern, "mass-QZD1", "", complaints=[into_d2])
    v1["group"], v2["group"] = _group(v1, cleo, [into_d2.pk]), _group(v2, cleo, [])
    # The city centre's own: the Corner Shop's complaint and a report about it, which no district holds.
    strider = _user("strider", Role.CONSUMER, last_name="Strider QZC0")
    held = {
        "centre_complaint": at_centre(cleo, strider, corner, "QZC0-CITY").pk,
        "report": matters.file(
            strider, matters.Filing(MatterKind.REPORT, "Fakes QZC0-REPORT", merchant=corner.pk)
        ).pk,
    }
    # Each district's flag names one of its complaints and one of the other's as its evidence.
    v1["flag"] = _flag(v1, [v1["shop_complaint"], v2["shop_complaint"]])
    v2["flag"] = _flag(v2, [v2["shop_complaint"], v1["closed"]])
    d1, d2 = _finish(v1, into_d1), _finish(v2, into_d2)
    assert Notice.objects.filter(pk=d1.letter, recipient=Recipient.SHOP).exists()
    references = [
        Complaint.objects.get(pk=held["centre_complaint"]).reference,
        matters.Matter.objects.get(pk=held["report"]).reference,
    ]
    return City(city.pk, cleo.pk, corner.pk, pledge.pk, d1, d2, held, ["QZC0", *references])


@pytest.fixture(scope="module", name="built_city")
def built_city_fixture(django_db_setup, django_db_blocker, tmp_path_factory):
    """The city, built once for the module in a transaction rolled back at its end. Its evidence files are
    in a directory of the module's (`media` points the tests' MEDIA_ROOT at it)."""
    media = tmp_path_factory.mktemp("bureau-city-media")
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), fast:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
            built.media = media
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
