"""Notices that reach people: a link to the page, the reader's language, in-app rows, officers' alerts by
their setting, and the daily digest written once a day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import checks, mail
from django.test import override_settings
from django.utils import timezone

from complaintdesk.accounts.models import AlertNotices, Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.notify import digest, outbox
from complaintdesk.notify.models import Notification, OutboxMessage
from complaintdesk.ops.management.commands.worker import run_once

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # a Wednesday in working time


def deliver_all():
    """Until nothing is due: a shop's fan-out row adds its staff's messages."""
    while ids := outbox.due_message_ids(timezone.now()):
        for message_id in ids:
            outbox.deliver(message_id)


@pytest.fixture
def mailed(people):
    people.alice.email, people.bob.email = "alice@example.test", "bob@acme.test"
    people.alice.save()
    people.bob.save()
    return people


@pytest.mark.django_db
@override_settings(
    SITE_URL="https://complaints.example.org", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)
def test_a_notice_email_links_to_its_page_and_shows_in_app(mailed):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme)
        services.perform(c.pk, mailed.bob, "request_info", "Which colour did you order?")
        deliver_all()
    link = f"https://complaints.example.org/complaints/{c.pk}/"
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.test"])
    to_bob = next(m for m in mail.outbox if m.to == ["bob@acme.test"])
    assert to_alice.body.endswith(link) and to_bob.body.endswith(link)
    assert Notification.objects.get(user=mailed.alice).link == f"/complaints/{c.pk}/"
    assert Notification.objects.get(user=mailed.bob).title.startswith(f"New complaint {c.reference}")


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_chinese_reading_consumer_gets_a_chinese_subject_and_an_english_one_an_english(mailed):
    mailed.alice.language = "zh-hans"
    mailed.alice.save()
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(mailed.alice, mailed.acme)
        services.perform(c.pk, mailed.bob, "request_info", "Which colour did you order?")
        deliver_all()
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.test"])
    assert "商家" in to_alice.subject and "The shop" not in to_alice.subject
    assert "Which colour did you order?" in to_alice.body
    to_bob = next(m for m in mail.outbox if m.to == ["bob@acme.test"])
    assert to_bob.subject.startswith("New complaint") and "新投诉" not in to_bob.subject


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_an_alert_reaches_officers_by_their_setting_and_the_digest_goes_once_a_day(people):
    def officer(name, setting):
        return User.objects.create(username=name, role=Role.REGULATOR, email=f"{name}@12315.test",
                                   alert_notices=setting)  # fmt: skip

    now_one = officer("now", AlertNotices.IMMEDIATELY)
    daily = officer("daily", AlertNotices.DAILY_DIGEST)
    quiet = officer("quiet", AlertNotices.OFF)
    with time_machine.travel(NOW, tick=False):
        alert, _ = alerts.raise_alert("surge", people.acme, "2026-09-30T10", "Surge at Acme", observed=9)
        deliver_all()
    assert [m.to for m in mail.outbox] == [["now@12315.test"]]
    assert mail.outbox[0].body.endswith(f"/console/alerts/{alert.pk}/")
    assert Notification.objects.filter(user=now_one).count() == 1
    assert Notification.objects.get(user=daily).in_digest
    assert not Notification.objects.filter(user=quiet).exists()

    with time_machine.travel(datetime(2026, 9, 30, 23, 0, tzinfo=SH), tick=False):
        assert digest.run(datetime(2026, 9, 30, 23, 0, tzinfo=SH)) == 0  # today's arrived after 08:00
    next_morning = datetime(2026, 10, 1, 8, 5, tzinfo=SH)
    with time_machine.travel(next_morning, tick=False):
        run_once()
        run_once()  # a second pass (or worker) that day writes no second digest
    digests = [m for m in mail.outbox if m.to == ["daily@12315.test"]]
    assert len(digests) == 1
    assert f"/console/alerts/{alert.pk}/" in digests[0].body
    assert OutboxMessage.objects.filter(event=outbox.DIGEST_EVENT).count() == 1
    assert Notification.objects.get(user=daily).digested_at is not None


@pytest.mark.django_db
def test_deploy_check_warns_without_site_url():
    with override_settings(SITE_URL=""):
        ids = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "complaintdesk.W101" in ids
