"""Two workers against one PostgreSQL, and a worker killed with SIGKILL mid-batch: every reminder and every
escalation happens exactly once (pretix-style: first show that the race is real without the guard)."""

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline
from complaintdesk.notify.models import OutboxMessage

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test runs it there too)"
    ),
    # Transactional: the workers are other processes and must see committed rows; keep the migrated taxonomy.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _worker(*args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _many_overdue(people, n: int) -> list[int]:
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    received = timezone.now() - timedelta(days=2)
    return [factories.complaint(people.alice, people.acme, received_at=received).pk for _ in range(n)]


def _assert_exactly_once(complaint_ids):
    breaches = ComplaintEvent.objects.filter(complaint_id__in=complaint_ids, action="deadline_breach")
    escalations = ComplaintEvent.objects.filter(complaint_id__in=complaint_ids, action="escalate")
    assert breaches.count() == len(complaint_ids)
    assert not breaches.values("complaint_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert escalations.count() == len(complaint_ids)
    assert set(Complaint.objects.filter(pk__in=complaint_ids).values_list("state", flat=True)) == {
        "escalated"
    }
    # Breach notices go to the coordinator only: one message per complaint.
    assert OutboxMessage.objects.filter(event="deadline_breach").count() == len(complaint_ids)
    assert not OutboxMessage.objects.filter(event="deadline_breach").exclude(status="sent").exists()


def test_two_workers_racing_escalate_each_complaint_once(people):
    ids = _many_overdue(people, 150)
    workers = [_worker("--once"), _worker("--once")]
    for w in workers:
        assert w.wait(timeout=300) == 0, w.stderr.read().decode()[-2000:]
    _assert_exactly_once(ids)


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(people):
    ids = _many_overdue(people, 150)
    victim = _worker("--interval", "0.1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = ComplaintEvent.objects.filter(complaint_id__in=ids, action="deadline_breach").count()
        if done >= 10:
            break
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert 0 < done < len(ids), "the kill must land mid-batch for this test to mean anything"
    restarted = [_worker("--once"), _worker("--once")]
    for w in restarted:
        assert w.wait(timeout=300) == 0, w.stderr.read().decode()[-2000:]
    _assert_exactly_once(ids)


def _race(step) -> list:
    """Two threads load the same due deadline, meet at a barrier, then both take the step."""
    deadline_id = Deadline.objects.filter(next_check_at__isnull=False).order_by("id").first().pk
    barrier = threading.Barrier(2)
    results = []
    now = timezone.now()

    def run():
        try:
            loaded = Deadline.objects.select_related("complaint__merchant").get(pk=deadline_id)
            barrier.wait(timeout=10)
            with transaction.atomic():
                results.append(step(loaded, now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _reminder_events() -> int:
    return ComplaintEvent.objects.filter(action="deadline_reminder").count()


def test_without_the_conditional_claim_two_workers_both_remind(people):
    """The sanity test: the production reminder with its claim's condition switched off reminds twice, so
    the test below, on the same code with the condition, shows that the condition is what prevents it."""
    _many_overdue(people, 1)
    results = _race(functools.partial(sweep._remind, guarded=False))
    assert results == ["reminded", "reminded"]
    assert _reminder_events() == 2


def test_with_the_conditional_claim_only_one_of_two_racing_workers_reminds(people):
    _many_overdue(people, 1)
    results = _race(sweep._remind)
    assert sorted(results, key=str) == [None, "reminded"]
    assert _reminder_events() == 1
    assert OutboxMessage.objects.filter(event="deadline_reminder").count() == 2  # bob and carol, once each
