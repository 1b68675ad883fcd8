"""`worker --check`: monitoring asks whether a worker keeps up, without doing any of its work."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaintdesk.complaints.tests import factories
from complaintdesk.notify.models import OutboxMessage


def _check(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("worker", "--check", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_nothing_waiting_too_long_is_exit_status_0(people):
    factories.complaint(people.alice, people.acme)  # its deadline steps are due in the future
    assert _check() == (
        0,
        "deadline steps overdue: 0, notifications overdue: 0 (due more than 10 minutes ago)\n",
    )


@pytest.mark.django_db
def test_a_deadline_step_due_eleven_minutes_ago_is_exit_status_1_and_changes_nothing(people):
    complaint = factories.complaint(people.alice, people.acme)
    deadline = complaint.deadlines.first()
    deadline.next_check_at = timezone.now() - timedelta(minutes=11)
    deadline.save(update_fields=["next_check_at"])
    before = list(complaint.events.values_list("pk", flat=True)), OutboxMessage.objects.count()
    status, output = _check()
    assert status == 1
    assert output.startswith("deadline steps overdue: 1, notifications overdue: 0")
    deadline.refresh_from_db()
    assert deadline.next_check_at < timezone.now() - timedelta(minutes=10)
    assert (list(complaint.events.values_list("pk", flat=True)), OutboxMessage.objects.count()) == before
    assert _check("--late-minutes", "15")[0] == 0


@pytest.mark.django_db
def test_a_notification_waiting_too_long_is_exit_status_1(people):
    OutboxMessage.objects.create(
        kind="email", target="desk@12315.test", event="test", subject="s", body="b",
        dedupe_key="late", next_attempt_at=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    status, output = _check()
    assert (status, output.split(",")[1].strip()) == (
        1,
        "notifications overdue: 1 (due more than 10 minutes ago)",
    )
