"""Who is told what about a complaint: the shop when one arrives, the consumer when the shop or the centre
acts, the shop when the consumer acts; in Chinese and English; never about history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Policy
from complaintdesk.notify.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # a Wednesday in working time


@pytest.fixture
def mailed(people):
    people.alice.email = "alice@example.test"
    people.alice.save()
    return people


@pytest.mark.django_db
def test_a_new_complaint_tells_the_shop_at_once_in_chinese_and_english(mailed):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme)
    notice = OutboxMessage.objects.get()
    assert (notice.kind, notice.target, notice.event) == ("shop", str(mailed.acme.pk), "complaint_filed")
    assert notice.dedupe_key == f"filed:{c.pk}"
    assert (
        f"New complaint {c.reference} against Acme Online (Delivery): the first deadline is 2026-09-30 12:00."
        in (notice.body)
    )
    assert f"新投诉 {c.reference}" in notice.body and "2026-09-30 12:00" in notice.subject
    assert notice.payload["deadlines"]["first_response"] == "2026-09-30T04:00:00+00:00"


@pytest.mark.django_db
def test_a_record_of_long_ago_tells_nobody(mailed):
    with time_machine.travel(NOW, tick=False):
        c = services.file_complaint(
            mailed.rita, factories.new_complaint(mailed.acme, received_at=NOW - timedelta(days=30))
        )
        services.perform(c.pk, mailed.bob, "respond", "Sorry", at=NOW - timedelta(days=29))
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_consumer_hears_the_shops_question_with_its_words(mailed):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme)
        services.perform(c.pk, mailed.bob, "request_info", "Which colour did you order?")
    notice = OutboxMessage.objects.get(event="complaint_request_info")
    assert (notice.kind, notice.target) == ("user", str(mailed.alice.pk))
    assert notice.link == f"/complaints/{c.pk}/"
    assert f"The shop asks you for more information about complaint {c.reference}." in notice.body
    assert "商家" in notice.body and notice.body.endswith("Which colour did you order?")
    assert not OutboxMessage.objects.filter(kind="shop", event="complaint_request_info").exists()


@pytest.mark.django_db
def test_the_shop_hears_the_consumers_dispute_without_the_consumers_words(mailed):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme, "resolution_proposed")
        services.perform(c.pk, mailed.alice, "dispute", "Call me on 13812345678, this is not enough")
    notice = OutboxMessage.objects.get(event="complaint_dispute")
    assert (notice.kind, notice.target) == ("shop", str(mailed.acme.pk))
    assert f"The consumer disputed the proposed resolution of complaint {c.reference}." in notice.body
    assert "13812345678" not in notice.body
    assert not OutboxMessage.objects.filter(kind="email", event="complaint_dispute").exists()


@pytest.mark.django_db
def test_a_breach_escalation_tells_the_consumer_and_a_regulator_step_tells_both(mailed):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme)
        services.perform(c.pk, None, "escalate", "Deadline breached")
        services.perform(c.pk, mailed.rita, "start_mediation", "We will call both sides")
    escalated = OutboxMessage.objects.filter(event="complaint_escalate")
    assert list(escalated.values_list("kind", "target")) == [("user", str(mailed.alice.pk))]
    # Starting mediation is accepting the case: its letter of acceptance goes to both, no second notice.
    mediation = OutboxMessage.objects.filter(event="centre_acceptance")
    assert sorted(mediation.values_list("kind", flat=True)) == ["shop", "user"]
    assert "The centre has accepted your complaint" in mediation.get(kind="user").body
    assert not OutboxMessage.objects.filter(event="complaint_start_mediation").exists()


@pytest.mark.django_db
def test_a_complaint_the_policy_gives_no_deadline_is_filed_and_tells_nobody(mailed, api):
    Policy.objects.update(is_active=False)
    Policy.objects.create(name="No rules yet", is_active=True)
    with time_machine.travel(NOW, tick=False):
        response = api(mailed.alice).post("/complaints", factories.complaint_payload(mailed.acme.pk))
    assert response.status_code == 201, response.content
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_back_office_entry_of_an_earlier_call_still_tells_the_shop(mailed):
    # Received three hours ago: the 2-hour first response is already late, the resolution still ahead.
    with time_machine.travel(NOW, tick=False):
        services.file_complaint(
            mailed.rita, factories.new_complaint(mailed.acme, received_at=NOW - timedelta(hours=3))
        )
    assert OutboxMessage.objects.get().event == "complaint_filed"
