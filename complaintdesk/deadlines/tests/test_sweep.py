"""The worker, one step at a time: reminders at 75 %, breaches and escalation at the deadline, each once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline, DeadlineStatus
from complaintdesk.notify.models import NotificationChannel, OutboxMessage
from complaintdesk.ops.management.commands import worker
from complaintdesk.stats import detectors

SH = ZoneInfo("Asia/Shanghai")


def did(**counts) -> dict:
    """What one sweep did, by outcome: those not named are 0."""
    return {**dict.fromkeys(sweep.OUTCOMES, 0), **counts}


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def staffed(people):
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    NotificationChannel.objects.create(kind="email", target="desk@12315.test")  # the regulator's
    return people


@pytest.fixture
def complaint(staffed):
    # Wednesday 10:00: first response due 12:00, reminder at 11:30.
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        return factories.complaint(staffed.alice, staffed.acme)


@pytest.mark.django_db
def test_nothing_happens_before_75_percent(complaint):
    assert sweep.sweep(at(2026, 9, 30, 11, 29, 59)) == did()
    # Only the shop's notice of the new complaint, written when it was filed.
    assert list(OutboxMessage.objects.values_list("event", flat=True)) == ["complaint_filed"]


@pytest.mark.django_db
def test_the_shop_is_reminded_once_at_75_percent(complaint):
    assert sweep.sweep(at(2026, 9, 30, 11, 30)) == did(reminded=1)
    assert sweep.sweep(at(2026, 9, 30, 11, 45)) == did()
    reminders = OutboxMessage.objects.filter(event="deadline_reminder")
    assert sorted(reminders.values_list("target", flat=True)) == ["bob@acme.test", "carol@acme.test"]
    assert complaint.events.filter(action="deadline_reminder").count() == 1
    assert Deadline.objects.get(complaint=complaint, phase="first_response").reminded_at == at(
        2026, 9, 30, 11, 30
    )


@pytest.mark.django_db
def test_at_the_deadline_it_is_breached_and_escalated_once(complaint):
    sweep.sweep(at(2026, 9, 30, 11, 30))
    assert sweep.sweep(at(2026, 9, 30, 12, 0)) == did(breached=1)
    assert sweep.sweep(at(2026, 9, 30, 12, 5)) == did()
    complaint.refresh_from_db()
    assert complaint.state == "escalated"
    escalation = complaint.events.get(action="escalate")
    assert (escalation.actor, escalation.actor_role, escalation.from_state) == (None, "system", "submitted")
    breach = OutboxMessage.objects.filter(event="deadline_breach")
    # Escalations go to the shop's coordinator and to the regulator, not to every agent.
    assert sorted(breach.values_list("target", flat=True)) == ["carol@acme.test", "desk@12315.test"]
    assert Deadline.objects.get(complaint=complaint, phase="first_response").status == DeadlineStatus.BREACHED


@pytest.mark.django_db
def test_a_worker_that_wakes_late_breaches_without_a_stale_reminder(complaint):
    assert sweep.sweep(at(2026, 9, 30, 13)) == did(breached=1)
    assert not OutboxMessage.objects.filter(event="deadline_reminder").exists()


@pytest.mark.django_db
def test_a_met_deadline_is_never_breached(complaint, staffed):
    with time_machine.travel(at(2026, 9, 30, 11), tick=False):
        services.perform(complaint.pk, staffed.bob, "respond", "On it")
    assert sweep.sweep(at(2026, 9, 30, 12, 30)) == did()
    complaint.refresh_from_db()
    assert complaint.state == "responded"


@pytest.mark.django_db
def test_a_paused_resolution_clock_does_not_breach(complaint, staffed):
    with time_machine.travel(at(2026, 9, 30, 11), tick=False):
        services.perform(complaint.pk, staffed.bob, "request_info", "Photo?")
    # Two months on: no breach of the paused clock; the consumer's answer window has long passed.
    assert sweep.sweep(at(2026, 12, 1, 12)) == did(unanswered=1)
    assert Deadline.objects.get(complaint=complaint, phase="resolution").status == DeadlineStatus.PAUSED


@pytest.fixture
def asked(staffed):
    """Wednesday 3 June 2026 11:00: the shop asks the consumer a question (no holiday until the 19th)."""
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(staffed.alice, staffed.acme)
    with time_machine.travel(at(2026, 6, 3, 11), tick=False):
        services.perform(c.pk, staffed.bob, "request_info", "Which colour did you order?")
    return c


@pytest.mark.django_db
def test_an_unanswered_question_goes_to_the_centre_when_seven_working_days_have_passed_once(asked):
    # 4, 5, 8, 9, 10, 11 and 12 June are the seven working days: the window closes on the 12th at 18:00.
    assert sweep.sweep(at(2026, 6, 12, 17, 59)) == did()
    assert sweep.sweep(at(2026, 6, 12, 18)) == did(unanswered=1)
    asked.refresh_from_db()
    assert asked.state == "escalated"
    event = asked.events.last()
    assert (event.action, event.actor_role, event.from_state) == ("escalate", "system", "awaiting_consumer")
    assert "has not answered the request for information within 7 working days" in event.message
    assert sweep.sweep(at(2026, 6, 15, 10)) == did()


@pytest.mark.django_db
def test_an_answer_in_time_closes_the_window(asked):
    with time_machine.travel(at(2026, 6, 10, 9), tick=False):
        services.perform(asked.pk, asked.consumer, "provide_info", "Blue")
    counts = sweep.sweep(at(2026, 6, 12, 18))
    assert counts["unanswered"] == 0
    asked.refresh_from_db()
    assert asked.state == "responded"


@pytest.mark.django_db
def test_without_a_window_the_question_waits_for_the_consumer(staffed, settings):
    settings.CONSUMER_ANSWER_WORKING_DAYS = 0
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(staffed.alice, staffed.acme)
        services.perform(c.pk, staffed.bob, "request_info", "Which colour?")
    assert Deadline.objects.get(complaint=c, phase="resolution").next_check_at is None
    assert sweep.sweep(at(2026, 9, 1, 10))["unanswered"] == 0


@pytest.mark.django_db
def test_a_breach_of_a_complaint_already_with_the_regulator_is_recorded_without_a_second_escalation(
    complaint,
):
    Complaint.objects.filter(pk=complaint.pk).update(state="in_mediation")
    assert sweep.sweep(at(2026, 9, 30, 12)) == did(breached=1)
    complaint.refresh_from_db()
    assert complaint.state == "in_mediation"
    assert complaint.events.filter(action="deadline_breach").count() == 1
    assert not complaint.events.filter(action="escalate").exists()


@pytest.mark.django_db
def test_a_step_lost_to_another_worker_is_skipped(complaint):
    deadline = Deadline.objects.get(complaint=complaint, phase="first_response")
    now = at(2026, 9, 30, 11, 30)
    assert sweep._remind(deadline, now) == "reminded"
    # A second worker that loaded the row before the first one's claim: its conditional update finds nothing.
    assert sweep._remind(deadline, now) is None
    assert OutboxMessage.objects.filter(event="deadline_reminder").count() == 2  # one per staff e-mail


@pytest.mark.django_db
def test_an_item_that_fails_is_pushed_forward_and_does_not_stop_the_pass(complaint, monkeypatch, staffed):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        other = factories.complaint(staffed.erin, staffed.acme)
    broken = Deadline.objects.get(complaint=complaint, phase="first_response")
    real = sweep._remind

    def flaky(deadline, now):
        if deadline.pk == broken.pk:
            raise RuntimeError("boom")
        return real(deadline, now)

    monkeypatch.setattr(sweep, "_remind", flaky)
    assert sweep.sweep(at(2026, 9, 30, 11, 30)) == did(reminded=1)
    broken.refresh_from_db()
    assert broken.next_check_at == at(2026, 9, 30, 11, 35)
    assert broken.reminded_at is None
    assert other.deadlines.get(phase="first_response").reminded_at is not None


@pytest.mark.django_db
def test_the_worker_command_delivers_what_the_sweep_enqueued(complaint):
    with time_machine.travel(at(2026, 9, 30, 12, 1), tick=False):
        call_command("worker", "--once")

    def breach_mail():
        return sorted(m.to[0] for m in mail.outbox if "deadline breached" in m.subject)

    assert breach_mail() == ["carol@acme.test", "desk@12315.test"]
    assert all(m.extra_headers["Message-ID"].endswith("@complaintdesk>") for m in mail.outbox)
    with time_machine.travel(at(2026, 9, 30, 12, 2), tick=False):
        call_command("worker", "--once")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert breach_mail() == ["carol@acme.test", "desk@12315.test"]
    # The new complaint's notice reached the shop's staff too, once each.
    filed = sorted(m.to[0] for m in mail.outbox if "New complaint" in m.body)
    assert filed == ["bob@acme.test", "carol@acme.test"]


@pytest.mark.django_db
def test_a_window_left_behind_by_an_escalation_escalates_nothing_and_a_new_question_opens_a_new_one(
    asked, staffed
):
    with time_machine.travel(at(2026, 6, 4, 9), tick=False):
        services.perform(asked.pk, None, "escalate", "Deadline breached")  # out of the wait, clock paused
        services.perform(
            asked.pk,
            staffed.bob,
            "propose_resolution",
            "Refund",
            resolution={"type": "refund", "details": "Full"},
        )
    assert sweep.sweep(at(2026, 6, 12, 18))["unanswered"] == 0
    asked.refresh_from_db()
    assert asked.state == "resolution_proposed" and asked.events.filter(action="escalate").count() == 1
    # The consumer disputes the proposal and the shop asks again: a new window of seven working days.
    with time_machine.travel(at(2026, 6, 15, 10), tick=False):
        services.perform(asked.pk, staffed.alice, "dispute", "Not enough")
        services.perform(asked.pk, staffed.bob, "request_info", "Which part is broken?")
    resolution = Deadline.objects.get(complaint=asked, phase="resolution")
    assert resolution.next_check_at == at(2026, 6, 25, 18)  # 16–18, 22–25 June (the 19th: Dragon Boat)
    assert sweep.sweep(at(2026, 6, 25, 17, 59))["unanswered"] == 0
    assert sweep.sweep(at(2026, 6, 25, 18))["unanswered"] == 1


@pytest.mark.django_db
def test_a_failing_early_warning_step_does_not_keep_the_worker_from_deadlines(complaint, monkeypatch):
    def broken(now, force=False):
        raise ValueError("a detector bug")

    monkeypatch.setattr(detectors, "run", broken)  # fault injection: any error in the step will do
    with time_machine.travel(at(2026, 9, 30, 12, 1), tick=False):
        totals = worker.run_once()
    assert totals["alerts"] == 0 and totals["breached"] == 1
