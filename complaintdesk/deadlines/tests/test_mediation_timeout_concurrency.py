"""The end of a mediation period with two workers racing against one PostgreSQL: each mediation is terminated
on art. 21 ground (5) exactly once, with one event, one termination-notice duty and one word to the officers
(the shop's breaches of the same complaints escalate nothing: the centre already has them)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from complaintdesk.centre.models import CentreCase, Notice
from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline
from complaintdesk.deadlines.tests.test_workers_concurrency import _worker
from complaintdesk.notify.models import NotificationChannel, OutboxMessage

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test runs it there too)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _mediations_past_their_end(people, n: int) -> list[int]:
    """`n` complaints the centre accepted 80 days ago: their 45 working days have passed."""
    NotificationChannel.objects.create(kind="email", target="desk@12315.test")
    accepted = timezone.now() - timedelta(days=80)
    ids = []
    for _ in range(n):
        c = factories.complaint(people.alice, people.acme, received_at=accepted - timedelta(days=3))
        services.perform(c.pk, people.rita, "escalate", "By phone", at=accepted - timedelta(days=1))
        services.perform(c.pk, people.rita, "accept_case", at=accepted)
        ids.append(c.pk)
    return ids


def _assert_terminated_once(ids):
    terminations = ComplaintEvent.objects.filter(complaint_id__in=ids, action="terminate_mediation")
    assert terminations.count() == len(ids)
    assert not terminations.values("complaint_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert set(terminations.values_list("actor_role", flat=True)) == {"system"}
    assert set(Complaint.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"terminated"}
    assert set(
        CentreCase.objects.filter(complaint_id__in=ids).values_list("termination_ground", flat=True)
    ) == {5}
    assert Deadline.objects.filter(
        complaint_id__in=ids, phase="termination_notice", met_at=None
    ).count() == len(ids)
    assert not Notice.objects.filter(complaint_id__in=ids, kind="termination").exists()
    # The officers hear of each once: the centre's channel and Rita.
    told = OutboxMessage.objects.filter(event="mediation_terminated")
    assert told.count() == 2 * len(ids)
    assert not ComplaintEvent.objects.filter(complaint_id__in=ids, action="escalate", actor=None).exists()


def test_two_workers_racing_terminate_each_mediation_once(people):
    ids = _mediations_past_their_end(people, 40)
    workers = [_worker("--once"), _worker("--once")]
    for w in workers:
        assert w.wait(timeout=300) == 0, w.stderr.read().decode()[-2000:]
    _assert_terminated_once(ids)


def test_two_racing_steps_on_one_mediation_terminate_it_once(people):
    """Both workers loaded the same due period before either claimed it: the claim lets one through."""
    (complaint_id,) = _mediations_past_their_end(people, 1)
    period = Deadline.objects.get(complaint_id=complaint_id, phase="mediation")
    barrier = threading.Barrier(2)
    results = []
    now = timezone.now()

    def run():
        try:
            loaded = Deadline.objects.select_related("complaint__merchant").get(pk=period.pk)
            barrier.wait(timeout=10)
            with transaction.atomic():
                results.append(sweep._mediation_ended(loaded, now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [None, "terminated"]
    _assert_terminated_once([complaint_id])
