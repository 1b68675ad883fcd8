"""The notices of promotion filings, the pledge, the deadline sweep and alerts reach each reader in their
language (User.language), in-app and by e-mail, with the absolute link to the page they are about; an
address that belongs to nobody reads them in Chinese and English."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from complaintdesk.accounts.models import AlertNotices, Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.alerts.models import AlertKind
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.notify.models import Notification, NotificationChannel
from complaintdesk.notify.tests.test_notices_for_people import deliver_all
from complaintdesk.pledges import services as pledges
from complaintdesk.promotions import services as promotions
from complaintdesk.promotions.tests.helpers import FILING_DAY, payload

SH = ZoneInfo("Asia/Shanghai")
SITE = "https://complaints.example.org"
NOBODYS = "desk@12315.test"  # the regulator's mailbox: no user reads it

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("readers")]
notices_by_mail = override_settings(
    SITE_URL=SITE, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)


@pytest.fixture
def readers(people):
    """Bob reads English, Carol (Acme's coordinator) and Rita (an officer) Chinese."""
    for user, language in ((people.bob, "en"), (people.carol, "zh-hans"), (people.rita, "zh-hans")):
        user.email, user.language = f"{user.username}@example.test", language
        user.save()
    NotificationChannel.objects.create(kind="email", target=NOBODYS)
    return people


def to(address: str):
    return [m for m in mail.outbox if m.to == [address]]


def reads_chinese(text: str, *data: str) -> bool:
    """Chinese words and none in English: Latin letters only in the data (references, names, links)."""
    for value in data:
        text = text.replace(value, "")
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.search(r"[A-Za-z]{2,}", text)


def reads_english(text: str) -> bool:
    return not re.search(r"[\u4e00-\u9fff]", text)


def _return_first(messages):
    """The return (it carries the officer's comment) and the acceptance, whatever order they were sent in."""
    return sorted(messages, key=lambda m: "Add a night shift" not in m.body)


def _file_promotion(api, user) -> int:
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(user).post("/promotions", payload())
    assert response.status_code == 201, response.content
    return response.json()["id"]


@notices_by_mail
def test_a_promotion_filing_and_its_review_in_each_readers_language(people, api):
    NotificationChannel.objects.create(kind="email", target=people.rita.email)  # the officer's own address
    promotion_id = _file_promotion(api, people.bob)
    link = f"{SITE}/promotions/{promotion_id}/"
    with time_machine.travel(FILING_DAY, tick=False):
        deliver_all()
    [to_rita] = to(people.rita.email)
    assert reads_chinese(to_rita.subject, "Acme Online", "Double 11 Carnival")
    assert "2026-11-11" in to_rita.body and to_rita.body.endswith(link)
    [to_desk] = to(NOBODYS)  # nobody's address: both languages, Chinese first
    assert "Acme Online filed the promotion Double 11 Carnival (2026-11-11 to 2026-11-12)." in to_desk.body
    assert re.search(r"[\u4e00-\u9fff]", to_desk.body.split("Acme Online filed")[0])

    mail.outbox.clear()
    with time_machine.travel(FILING_DAY, tick=False):
        promotions.review(promotion_id, people.rita, "return", "Add a night shift on 11 November.")
        promotions.resubmit(promotion_id, people.bob, {"staff_per_shift": 6}, "Night shift added.")
        promotions.review(promotion_id, people.rita, "accept")
        deliver_all()
    returned_bob, accepted_bob = _return_first(to(people.bob.email))
    assert returned_bob.subject == "The 12315 centre returned your promotion filing Double 11 Carnival: amend " \
                                   "it as asked and resubmit it."  # fmt: skip
    assert "Add a night shift on 11 November." in returned_bob.body and returned_bob.body.endswith(link)
    assert accepted_bob.subject == "The 12315 centre accepted your promotion filing Double 11 Carnival."
    returned_carol, accepted_carol = _return_first(to(people.carol.email))
    assert reads_chinese(returned_carol.subject, "Double 11 Carnival") and "12315" in returned_carol.subject
    assert reads_chinese(accepted_carol.subject, "Double 11 Carnival")
    assert returned_carol.body.endswith(link) and accepted_carol.body.endswith(link)
    [resubmitted] = to(people.rita.email)
    assert reads_chinese(resubmitted.subject, "Acme Online", "Double 11 Carnival")
    assert "Night shift added." in resubmitted.body and resubmitted.body.endswith(link)
    in_app = Notification.objects.filter(user=people.carol).order_by("pk")
    assert [n.link for n in in_app] == [f"/promotions/{promotion_id}/"] * 2
    assert all(reads_chinese(n.title, "Double 11 Carnival") for n in in_app)


@notices_by_mail
def test_a_late_filing_says_it_came_late_and_when_it_was_due(people, api):
    with time_machine.travel(datetime(2026, 11, 9, 10, tzinfo=SH), tick=False):
        response = api(people.bob).post("/promotions", payload())
        assert response.status_code == 201, response.content
        deliver_all()
    [to_desk] = to(NOBODYS)
    assert (
        "Acme Online filed the promotion Double 11 Carnival (2026-11-11 to 2026-11-12) late: it was due by "
        "2026-11-06." in to_desk.body
    )


@notices_by_mail
def test_each_coordinator_is_asked_to_sign_a_new_pledge_in_their_language(people):
    bazaar_coordinator = User.objects.create(
        username="zoe", role=Role.MERCHANT_COORDINATOR, merchant=people.bazaar, email="zoe@bazaar.test",
        language="en",
    )  # fmt: skip
    commitments = [
        {"number": n, "text_en": f"We keep promise {n}.", "text_zh": f"承诺 {n}"} for n in range(1, 9)
    ]
    version = pledges.create_version(people.rita, "Pledge 2027", commitments)
    pledges.publish(version.pk, people.rita)
    deliver_all()
    link = f"{SITE}/workbench/shop/#sign-pledge"
    [to_carol] = to(people.carol.email)
    assert reads_chinese(to_carol.subject, "Pledge 2027") and "12315" in to_carol.subject
    assert to_carol.body.endswith(link)
    [to_zoe] = to(bazaar_coordinator.email)
    assert to_zoe.subject == (
        "The 12315 centre published version 2 of the customer-service pledge (Pledge 2027): your shop's "
        "12315 coordinator must sign it."
    )
    assert to_zoe.body.endswith(link)
    assert not to(people.bob.email)  # an agent, not the coordinator
    assert Notification.objects.get(user=people.carol).link == "/workbench/shop/#sign-pledge"


@notices_by_mail
def test_a_reminder_and_a_breach_in_each_readers_language(people):
    # Wednesday 10:00: the first response is due at 12:00, its reminder at 11:30.
    with time_machine.travel(datetime(2026, 9, 30, 10, tzinfo=SH), tick=False):
        complaint = factories.complaint(people.alice, people.acme)
        deliver_all()  # the shop hears of the new complaint
    mail.outbox.clear()
    link = f"{SITE}/complaints/{complaint.pk}/"
    ref = complaint.reference
    with time_machine.travel(datetime(2026, 9, 30, 11, 30, tzinfo=SH), tick=False):
        assert sweep.sweep()["reminded"] == 1
        deliver_all()
    [reminder_bob] = [m for m in to(people.bob.email) if m.subject.startswith("Reminder")]
    assert reminder_bob.subject == (
        f"Reminder: complaint {ref}, First response due 2026-09-30 12:00 (Received in working time: first "
        "response within 2 hours)."
    )
    assert reminder_bob.body.endswith(link)
    [reminder_carol] = to(people.carol.email)
    # The phase and the rule by their Chinese names.
    assert (
        "首次回应" in reminder_carol.subject and "工作时间内收到：2小时内首次回应" in reminder_carol.subject
    )
    assert reads_chinese(reminder_carol.subject, ref) and reminder_carol.body.endswith(link)

    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 9, 30, 12, 1, tzinfo=SH), tick=False):
        assert sweep.sweep()["breached"] == 1
        deliver_all()
    [breach_carol] = to(people.carol.email)
    assert reads_chinese(breach_carol.subject, ref) and "12315" in breach_carol.subject
    assert breach_carol.body.endswith(link)
    assert not [m for m in to(people.bob.email) if "breached" in m.subject]  # the coordinator's alone
    [breach_desk] = [m for m in to(NOBODYS) if ref in m.subject]
    assert (
        f"Complaint {ref}: deadline breached: First response, due 2026-09-30 12:00 (Received in working "
        "time: first response within 2 hours). The complaint is now with the 12315 centre."
        in breach_desk.body
    )
    assert "首次回应" in breach_desk.body and breach_desk.body.endswith(link)
    in_app = Notification.objects.filter(user=people.carol).order_by("pk")  # filed, reminded, breached
    assert [n.link for n in in_app] == [f"/complaints/{complaint.pk}/"] * 3
    assert all(reads_chinese(n.title, ref, "Acme Online") for n in in_app)


@notices_by_mail
def test_an_alert_reaches_each_officer_in_their_language(people):
    olga = User.objects.create(username="olga", role=Role.REGULATOR, email="olga@12315.test", language="en",
                               alert_notices=AlertNotices.IMMEDIATELY)  # fmt: skip
    quality = Category.objects.get(code="quality")
    with time_machine.travel(datetime(2026, 12, 2, 17, 5, tzinfo=SH), tick=False):
        alert, _ = alerts.raise_alert(
            AlertKind.SURGE_CATEGORY, people.acme, "quality:2026-12-02T14", "Surge at Acme Online (as raised)",
            category_id=quality.pk, observed=12, expected=0.05, p_value=4.9e-25,
            facts={"shop": "Acme Online", "category": "quality", "observed": 12, "expected": 0.05,
                   "p_value": 4.9e-25},
        )  # fmt: skip
        deliver_all()
    link = f"{SITE}/console/alerts/{alert.pk}/"
    [to_rita] = to(people.rita.email)
    assert reads_chinese(to_rita.subject, "Acme Online") and to_rita.body.endswith(link)
    [to_olga] = to(olga.email)
    assert to_olga.subject.startswith("Alert: Surge at Acme Online: 12 ")
    assert reads_english(to_olga.body) and to_olga.body.endswith(link)
    [to_desk] = to(NOBODYS)
    assert "Alert: Surge at Acme Online" in to_desk.body and "预警" in to_desk.body
