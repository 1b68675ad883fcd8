"""Outbox delivery: signed webhooks to a real loopback server, retries with backoff, permanent failures."""

import hashlib
import hmac
import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from complaintdesk.notify import outbox
from complaintdesk.notify.models import NotificationChannel, OutboxMessage


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers with the next queued status code."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))  # case-insensitive
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def _enqueue(channel, key="breach:1"):
    with_channel = [(channel.kind, channel.target, channel)]
    return outbox.enqueue(
        "deadline_breach", key, with_channel, "Subject", "Body", {"reference": "TS-2026-0000001"}
    )


@pytest.mark.django_db
def test_a_webhook_is_signed_with_hmac_sha256_over_timestamp_and_body(receiver):
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url, secret="s3cret")
    _enqueue(channel)
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == "sent"
    headers, body = receiver.requests[0]
    timestamp = headers["X-ComplaintDesk-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-ComplaintDesk-Signature"] == f"sha256={expected}"
    assert headers["X-ComplaintDesk-Delivery"] == str(message.pk)
    assert json.loads(body) == {
        "id": str(message.pk),
        "event": "deadline_breach",
        "reference": "TS-2026-0000001",
    }


@pytest.mark.django_db
def test_enqueueing_the_same_event_twice_adds_nothing(receiver):
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url)
    assert _enqueue(channel) == 1
    _enqueue(channel)
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_server_error_is_retried_with_backoff_then_delivered(receiver):
    receiver.statuses = [503]
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url)
    _enqueue(channel)
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and "503" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert outbox.due_message_ids(timezone.now()) == []
    assert outbox.deliver(message.pk, now=message.next_attempt_at) == "sent"
    assert len(receiver.requests) == 2
    assert (
        receiver.requests[0][0]["X-ComplaintDesk-Delivery"]
        == receiver.requests[1][0]["X-ComplaintDesk-Delivery"]
    )


@pytest.mark.django_db
def test_a_client_error_fails_for_good_and_disables_the_channel(receiver):
    receiver.statuses = [410]
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url)
    _enqueue(channel)
    assert outbox.deliver(OutboxMessage.objects.get().pk) == "failed"
    channel.refresh_from_db()
    assert (channel.is_active, channel.disabled_reason) == (False, "webhook answered 410")


@pytest.mark.django_db
def test_a_message_claimed_by_a_worker_that_died_is_sent_again_after_its_lease(receiver):
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url)
    _enqueue(channel)
    message = OutboxMessage.objects.get()
    now = timezone.now()
    assert outbox.claim(message.pk, now) is not None  # ...and the worker is killed before sending
    assert outbox.deliver(message.pk, now) is None, "the lease keeps other workers off"
    assert outbox.deliver(message.pk, now + outbox.LEASE) == "sent"
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_an_unreachable_webhook_gives_up_after_the_last_attempt():
    channel = NotificationChannel.objects.create(kind="webhook", target="http://127.0.0.1:9/closed")
    _enqueue(channel)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.deliver(message.pk) == "failed"
    assert "gave up after" in OutboxMessage.objects.get().last_error


@pytest.mark.django_db
def test_e_mail_goes_through_the_django_backend_with_the_outbox_id():
    outbox.enqueue(
        "deadline_reminder", "reminder:7", [("email", "shop@example.test", None)], "Due", "Soon", {}
    )
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == "sent"
    assert mail.outbox[0].to == ["shop@example.test"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{message.pk}@complaintdesk>"


@pytest.mark.django_db
def test_a_finished_message_leaves_the_workers_index(receiver):
    channel = NotificationChannel.objects.create(kind="webhook", target=receiver.url)
    _enqueue(channel)
    message = OutboxMessage.objects.get()
    outbox.deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at) == ("sent", None)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner is the one that needed the care")
def test_the_due_query_is_an_index_range_scan():
    plan = outbox.due_messages(timezone.now()).values_list("id", flat=True)[:100].explain()
    assert "outbox_due_work" in plan, plan
    assert "SCAN notify_outboxmessage" not in plan, plan


@pytest.mark.django_db
def test_a_shop_fan_out_row_becomes_one_message_per_staff_email_and_channel_once(people, receiver):
    people.acme.staff.update(email=Concat("username", Value("@acme.test")))
    hook = NotificationChannel.objects.create(merchant=people.acme, kind="webhook", target=receiver.url)
    with transaction.atomic():
        outbox.enqueue_for_shop("complaint_filed", "filed:1", people.acme.pk, "New", "Body", {"complaint": 1})
    fan = OutboxMessage.objects.get(kind="shop")
    assert fan.target == str(people.acme.pk)

    assert outbox.deliver(fan.pk) == "sent"
    staff = set(people.acme.staff.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    assert staff == {"bob@acme.test", "carol@acme.test"}
    made = OutboxMessage.objects.exclude(kind="shop")
    assert {(m.kind, m.target) for m in made} == {("email", e) for e in staff} | {("webhook", hook.target)}
    assert {m.dedupe_key for m in made} == {"filed:1"} and made.get(kind="webhook").channel == hook
    # A worker that died after fanning out, before recording it, fans out again: nothing new.
    outbox.fan_out(fan)
    assert OutboxMessage.objects.exclude(kind="shop").count() == len(staff) + 1
    for message_id in outbox.due_message_ids(timezone.now()):
        outbox.deliver(message_id)
    assert len(receiver.requests) == 1 and len(mail.outbox) == len(staff)


@pytest.mark.django_db
def test_a_fan_out_row_for_no_shop_fails_for_good_instead_of_stopping_the_worker():
    with transaction.atomic():
        outbox.enqueue_for_shop("complaint_filed", "filed:9", 999999, "New", "Body", {})
    fan = OutboxMessage.objects.get()
    assert outbox.deliver(fan.pk) == "failed"
    fan.refresh_from_db()
    assert fan.next_attempt_at is None and "no shop" in fan.last_error
