"""Local mail (notify.mailfiles): one .eml file per message, named by the outbox id, read back decoded."""

import os
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core.mail import EmailMessage

from complaintdesk.notify import mailfiles, outbox
from complaintdesk.notify.models import OutboxMessage

SUBJECT = "投诉 CD-2026-000123：商家已超过 48 小时未回复，已升级至 12315 中心处理"


@pytest.fixture
def mail_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = mailfiles.BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return settings.EMAIL_FILE_PATH


def _enqueue(*targets):
    outbox.enqueue(
        "deadline_breached",
        "breach:123",
        [("email", t, None) for t in targets],
        SUBJECT,
        "第一行\n第二行",
        {},
    )
    return list(OutboxMessage.objects.order_by("target"))


@pytest.mark.django_db
def test_each_delivered_e_mail_is_one_eml_file_named_by_its_outbox_id(mail_dir):
    with time_machine.travel(datetime(2026, 11, 28, 2, 30, tzinfo=UTC), tick=False):
        messages = _enqueue("alice@example.test", "bob@example.test")
        assert [outbox.deliver(m.pk) for m in messages] == ["sent", "sent"]

    files = sorted(p.name for p in mail_dir.iterdir())
    assert files == sorted(f"{m.pk}@complaintdesk.eml" for m in messages)
    raw = (mail_dir / f"{messages[0].pk}@complaintdesk.eml").read_bytes()
    assert SUBJECT.encode() not in raw  # on disk the subject is MIME-encoded, as a mail server gets it
    parsed = message_from_bytes(raw, policy=policy.default)
    assert (parsed["Subject"].strip(), parsed["To"]) == (SUBJECT, "alice@example.test")
    assert parsed.get_content() == "第一行\n第二行"

    mail = mailfiles.read(f"{messages[0].pk}@complaintdesk", with_body=True)
    assert (mail.subject, mail.to, mail.body) == (SUBJECT, "alice@example.test", "第一行\n第二行")
    assert mail.sent_at == datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
    assert mail.sender == "ComplaintDesk <noreply@complaintdesk.local>"


@pytest.mark.django_db
def test_a_retried_delivery_replaces_its_file_instead_of_adding_a_copy(mail_dir):
    (message,) = _enqueue("alice@example.test")
    assert outbox.deliver(message.pk) == "sent"
    # A worker killed after writing but before recording "sent" delivers the message again.
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", next_attempt_at=message.created_at)
    assert outbox.deliver(message.pk) == "sent"
    assert [p.name for p in mail_dir.iterdir()] == [f"{message.pk}@complaintdesk.eml"]


@pytest.mark.django_db
def test_a_mail_folder_that_cannot_be_written_is_retried_later(mail_dir):
    mail_dir.write_text("a file where the folder should be")
    (message,) = _enqueue("alice@example.test")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and "mail server" in message.last_error


def test_messages_are_listed_newest_first_and_unsafe_names_are_refused(mail_dir):
    backend = mailfiles.EmailBackend()
    with time_machine.travel(datetime(2026, 11, 28, 2, 30, tzinfo=UTC), tick=False):
        first = EmailMessage("First", "a", to=["a@example.test"], headers={"Message-ID": "<1@complaintdesk>"})
        assert backend.send_messages([first]) == 1
    with time_machine.travel(datetime(2026, 11, 28, 2, 31, tzinfo=UTC), tick=False):
        assert backend.send_messages([EmailMessage("No id", "b", to=["b@example.test"])]) == 1
    names = mailfiles.names()
    assert len(names) == 2 and "1@complaintdesk" in names
    (unnamed,) = set(names) - {"1@complaintdesk"}
    assert mailfiles.read(unnamed).subject == "No id"  # named by its time and a random part instead
    # Newest file first, whatever the names.
    os.utime(mail_dir / "1@complaintdesk.eml", ns=(2 * 10**18, 2 * 10**18))
    os.utime(mail_dir / f"{unnamed}.eml", ns=(10**18, 10**18))
    assert mailfiles.names() == ["1@complaintdesk", unnamed]
    for name in ("../mail/1@complaintdesk", ".1@complaintdesk", "1@complaintdesk.eml", "missing", ""):
        assert mailfiles.read(name) is None
