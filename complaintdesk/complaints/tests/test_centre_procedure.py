"""One complaint through every path of the 12315 centre's procedure (SPEC §10), step by step on the real
services and the real worker: the events it logs, the letters and notices it writes, the duties it starts,
meets and breaches. The times are SPEC §10's worked examples on the centre's calendar (Asia/Shanghai)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre import duties
from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, Matter, Notice, RuleVersion
from complaintdesk.complaints import centre, lifecycle, services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.calendar_days import store_days
from complaintdesk.deadlines.holiday_files import HolidayEntry
from complaintdesk.deadlines.models import Deadline, DeadlineStatus
from complaintdesk.deadlines.services import centre_calendar
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.notify.models import NotificationChannel, OutboxMessage
from complaintdesk.stats import rollups

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 9, 30, 17, 0, tzinfo=SH)  # Wednesday before National Day
ACCEPTANCE_DUE = datetime(2026, 10, 15, 18, 0, tzinfo=SH)
ACCEPTED = datetime(2026, 10, 15, 10, 0, tzinfo=SH)
MEDIATION_DUE = datetime(2026, 12, 17, 18, 0, tzinfo=SH)
NOTICE_DUE = datetime(2026, 10, 26, 18, 0, tzinfo=SH)  # a termination decided on 10-15


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def act(complaint, actor, action, when, message="", **details):
    """Take `action` at `when` (the clock stands still there), with a centre step's fields if any."""
    resolution = {"type": "refund", "details": message} if action == "propose_resolution" else None
    with time_machine.travel(when, tick=False):
        return services.perform(
            complaint.pk, actor, action, message, resolution, at=when,
            details=centre.Details(**details) if details else None,
        )  # fmt: skip


def duty(complaint, phase) -> Deadline:
    return Deadline.objects.get(complaint=complaint, phase=phase)


def case(complaint) -> CentreCase:
    return CentreCase.objects.get(complaint=complaint)


def last_event(complaint):
    return complaint.events.order_by("-created_at", "-id").first()


def notices(complaint, kind=None) -> list[tuple[str, str]]:
    rows = Notice.objects.filter(complaint=complaint, **({"kind": kind} if kind else {}))
    return sorted(rows.values_list("kind", "recipient"))


@pytest.fixture
def desk(people):
    """The shop's staff and the consumer with e-mail, the centre's channel, and a district bureau."""
    for user in (people.alice, people.bob, people.carol, people.rita):
        user.email = f"{user.username}@example.test"
        user.save()
    NotificationChannel.objects.create(kind="email", target="desk@12315.test")
    people.district = Bureau.objects.create(
        name_zh="东城区市场监管局", name_en="Dongcheng District Bureau", level=BureauLevel.DISTRICT,
        parent=Bureau.city_centre(),
    )  # fmt: skip
    return people


@pytest.fixture
def escalated(desk):
    """Alice disputed Acme's proposal and asked the centre for help on Wednesday 2026-09-30 at 17:00."""
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(desk.alice, desk.acme)
    act(c, desk.bob, "propose_resolution", at(2026, 9, 30, 11), "A voucher")
    c.refresh_from_db()
    return c


def _escalate(c, people, when=RECEIVED):
    act(c, people.alice, "dispute", when - timedelta(minutes=5), "Not enough")
    return act(c, people.alice, "escalate", when, "Please mediate")


@pytest.fixture
def at_centre(escalated, desk):
    _escalate(escalated, desk)
    escalated.refresh_from_db()
    return escalated


@pytest.fixture
def mediating(at_centre, desk):
    act(at_centre, desk.rita, "accept_case", ACCEPTED)
    at_centre.refresh_from_db()
    return at_centre


# ------------------------------------------------------------------------------------ reaching the centre


def test_escalation_brings_the_complaint_to_the_centre_with_its_acceptance_duty(escalated, desk):
    with pytest.raises(CentreCase.DoesNotExist):
        case(escalated)
    _escalate(escalated, desk)
    received = case(escalated)
    assert (received.bureau, received.via, received.received_at) == (
        Bureau.city_centre(),
        "escalation",
        RECEIVED,
    )
    assert received.rule_version.name == "SAMR Order No. 20 (2019, amended 2022)"
    acceptance = duty(escalated, "acceptance")
    assert (acceptance.due_at, acceptance.status) == (ACCEPTANCE_DUE, DeadlineStatus.OPEN)
    assert "art. 14" in acceptance.rule_label
    assert last_event(escalated).data["bureau"] == received.bureau_id


def test_the_worker_escalating_a_breach_brings_the_complaint_to_the_centre(desk):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(desk.alice, desk.acme)
    sweep.sweep(at(2026, 9, 30, 12))  # the 2-hour first response passed
    c.refresh_from_db()
    assert c.state == "escalated"
    assert case(c).received_at == at(2026, 9, 30, 12)
    assert duty(c, "acceptance").due_at == at(2026, 10, 15, 18)


def test_a_complaint_the_centre_received_goes_back_on_its_desk_but_is_not_received_twice(at_centre, desk):
    act(at_centre, desk.bob, "propose_resolution", at(2026, 10, 8, 10), "A refund")
    act(at_centre, desk.alice, "dispute", at(2026, 10, 8, 11), "Too late")
    act(at_centre, desk.alice, "escalate", at(2026, 10, 8, 12), "Please decide")
    assert CentreCase.objects.filter(complaint=at_centre).count() == 1
    assert case(at_centre).received_at == RECEIVED
    assert duty(at_centre, "acceptance").due_at == ACCEPTANCE_DUE  # still running from the first receipt


def test_a_matter_received_before_a_new_version_follows_the_old_one(at_centre, desk):
    RuleVersion.objects.create(
        name="Order No. 121", effective_from=at(2026, 10, 1).date(), law="SAMR Order No. 121"
    )
    assert case(at_centre).rule_version.name.startswith("SAMR Order No. 20")
    # Its running duty is not moved, and its later duties still come from its own version.
    act(at_centre, desk.rita, "accept_case", ACCEPTED)
    assert duty(at_centre, "mediation").due_at == MEDIATION_DUE


# --------------------------------------------------------------------------------------------- refusal


@pytest.mark.parametrize("ground", RefusalGround.values)
def test_refusing_on_each_ground_closes_the_case_and_tells_the_consumer_why(at_centre, desk, ground):
    act(at_centre, desk.rita, "refuse_case", at(2026, 10, 9, 15), "Reasons in writing", ground=ground)
    at_centre.refresh_from_db()
    assert at_centre.state == "refused"
    refused = case(at_centre)
    assert (refused.outcome, refused.refusal_ground, refused.refused_at) == (
        "refused",
        ground,
        at(2026, 10, 9, 15),
    )
    event = last_event(at_centre)
    assert (event.action, event.from_state, event.to_state, event.data["ground"]) == (
        "refuse_case", "escalated", "refused", ground,
    )  # fmt: skip
    # The decision met the acceptance duty in time; the shop's deadlines end with the complaint.
    acceptance = duty(at_centre, "acceptance")
    assert (acceptance.status, acceptance.met_at) == (DeadlineStatus.MET, at(2026, 10, 9, 15))
    assert not at_centre.deadlines.filter(phase="resolution", status="open").exists()
    # The letter goes to the consumer alone, with the ground; the shop hears that it is closed.
    assert notices(at_centre) == [("refusal", "consumer")]
    assert Notice.objects.get(complaint=at_centre).ground == ground
    assert OutboxMessage.objects.filter(event="centre_refusal", kind="user").count() == 1
    assert OutboxMessage.objects.filter(event="complaint_refuse_case", kind="shop").count() == 1
    # The consumer is asked to rate the handling.
    assert duty(at_centre, "rating").starts_at == at(2026, 10, 9, 15)


# ---------------------------------------------------------------------------------- accept → agreement


def test_accepting_meets_the_acceptance_duty_starts_mediation_and_writes_both_letters(at_centre, desk):
    act(at_centre, desk.rita, "accept_case", ACCEPTED)
    at_centre.refresh_from_db()
    assert at_centre.state == "in_mediation"
    assert case(at_centre).accepted_at == ACCEPTED
    assert duty(at_centre, "acceptance").met_at == ACCEPTED
    assert duty(at_centre, "acceptance").was_met_in_time
    assert duty(at_centre, "mediation").due_at == MEDIATION_DUE
    assert notices(at_centre) == [("acceptance", "consumer"), ("acceptance", "shop")]
    assert sorted(OutboxMessage.objects.filter(event="centre_acceptance").values_list("kind", flat=True)) == [
        "shop", "user",
    ]  # fmt: skip


def test_start_mediation_is_accepting_the_case(at_centre, desk):
    act(at_centre, desk.rita, "start_mediation", ACCEPTED, "We will call both sides")
    assert case(at_centre).accepted_at == ACCEPTED
    assert duty(at_centre, "mediation").due_at == MEDIATION_DUE
    assert notices(at_centre) == [("acceptance", "consumer"), ("acceptance", "shop")]


def test_an_officer_takes_a_disputed_complaint_straight_into_mediation(escalated, desk):
    act(escalated, desk.alice, "dispute", at(2026, 10, 12, 9), "No")
    act(escalated, desk.rita, "accept_case", ACCEPTED)
    taken = case(escalated)
    assert (taken.received_at, taken.accepted_at) == (ACCEPTED, ACCEPTED)
    assert duty(escalated, "acceptance").met_at == ACCEPTED


def test_an_agreement_ends_mediation_with_its_terms_and_the_money_recovered(mediating, desk):
    when = at(2026, 11, 2, 16)
    act(mediating, desk.rita, "record_agreement", when, terms="Full refund of 120.50 by 11-09",
        amount_recovered="120.50")  # fmt: skip
    mediating.refresh_from_db()
    agreed = case(mediating)
    assert mediating.state == "agreed"
    assert (agreed.outcome, agreed.agreement_terms, agreed.amount_recovered, agreed.ended_at) == (
        "agreed", "Full refund of 120.50 by 11-09", Decimal("120.50"), when,
    )  # fmt: skip
    letters = Notice.objects.filter(complaint=mediating, kind="agreement").order_by("id")
    assert last_event(mediating).data == {
        "deadlines": ["mediation met"],
        "terms": "Full refund of 120.50 by 11-09",
        "amount_recovered": "120.50",
        "notices": list(letters.values_list("pk", flat=True)),
    }
    assert duty(mediating, "mediation").status == DeadlineStatus.MET
    assert notices(mediating, "agreement") == [("agreement", "consumer"), ("agreement", "shop")]
    assert "120.50" in Notice.objects.get(complaint=mediating, kind="agreement", recipient="consumer").body
    assert duty(mediating, "rating").starts_at == when


def test_an_agreement_of_nothing_recovered_says_zero(mediating, desk):
    act(mediating, desk.rita, "record_agreement", at(2026, 11, 2, 16), terms="An apology", amount_recovered=0)
    assert case(mediating).amount_recovered == Decimal("0.00")


# ------------------------------------------------------- accept → pause → resume → terminate (each ground)


def test_testing_pauses_the_mediation_period_and_its_working_time_moves_the_end(mediating, desk):
    act(mediating, desk.rita, "pause_for_testing", at(2026, 10, 19, 10), "Sent to the quality lab")
    mediating.refresh_from_db()
    assert mediating.state == "testing"
    period = duty(mediating, "mediation")
    assert (period.status, period.next_check_at) == (DeadlineStatus.PAUSED, None)
    assert sweep.sweep(MEDIATION_DUE + timedelta(days=1))["terminated"] == 0  # nothing falls due while paused
    assert duty(mediating, "mediation").status == DeadlineStatus.PAUSED
    # Monday 10:00 to Wednesday 10:00: 18 working hours, two working days; the end moves from Thursday
    # 12-17 to Monday 12-21 18:00 (the weekend between).
    act(mediating, desk.rita, "resume_after_testing", at(2026, 10, 21, 10), "Lab report received")
    mediating.refresh_from_db()
    period = duty(mediating, "mediation")
    assert mediating.state == "in_mediation"
    assert (period.status, period.due_at, period.paused_total) == (
        DeadlineStatus.OPEN, at(2026, 12, 21, 18), timedelta(hours=18),
    )  # fmt: skip
    resumed = mediating.events.get(action="resume_after_testing")
    assert resumed.data["deadlines"] == [
        "mediation clock resumed: due 2026-12-17T10:00:00+00:00 → 2026-12-21T10:00:00+00:00"
    ]
    assert OutboxMessage.objects.filter(event="complaint_pause_for_testing", kind="user").exists()
    assert OutboxMessage.objects.filter(event="complaint_resume_after_testing", kind="shop").exists()


@pytest.mark.parametrize("ground", TerminationGround.values)
def test_accept_pause_resume_then_terminate_on_each_ground(mediating, desk, ground):
    act(mediating, desk.rita, "pause_for_testing", at(2026, 10, 19, 10), "Sent to the quality lab")
    act(
        mediating, desk.bob, "respond", at(2026, 10, 20, 10), "We wait for the lab too"
    )  # the shop still writes
    act(mediating, desk.rita, "resume_after_testing", at(2026, 10, 21, 10))
    # Ground (5) is the end of the period (moved by the testing time); any other ground is decided earlier.
    when = at(2026, 12, 22, 9) if ground == TerminationGround.TIME_LIMIT else at(2026, 11, 2, 16)
    act(mediating, desk.rita, "terminate_mediation", when, "No agreement possible", ground=ground)
    mediating.refresh_from_db()
    ended = case(mediating)
    assert mediating.state == "terminated"
    assert (ended.outcome, ended.termination_ground, ended.ended_at) == ("terminated", ground, when)
    event = last_event(mediating)
    assert (event.action, event.to_state, event.data["ground"]) == (
        "terminate_mediation",
        "terminated",
        ground,
    )
    # An officer's termination writes both notices at once: the notice duty starts and is met together.
    assert notices(mediating) == [
        ("acceptance", "consumer"), ("acceptance", "shop"), ("termination", "consumer"), ("termination", "shop"),
    ]  # fmt: skip
    assert Notice.objects.filter(complaint=mediating, kind="termination", ground=ground).count() == 2
    notice_duty = duty(mediating, "termination_notice")
    assert (notice_duty.starts_at, notice_duty.met_at, notice_duty.status) == (when, when, DeadlineStatus.MET)
    assert ended.termination_notice_sent_at == when
    mediation = duty(mediating, "mediation")
    assert mediation.met_at == when and mediation.status == DeadlineStatus.MET
    assert duty(mediating, "rating").starts_at == when
    assert [e.action for e in mediating.events.order_by("created_at", "id")][-5:] == [
        "accept_case", "pause_for_testing", "respond", "resume_after_testing", "terminate_mediation",
    ]  # fmt: skip


def test_the_termination_notice_of_a_decision_on_10_15_is_due_on_10_26(mediating, desk):
    act(mediating, desk.rita, "terminate_mediation", ACCEPTED + timedelta(minutes=30), "Refused to take part",
        ground=TerminationGround.PARTY_ABSENT)  # fmt: skip
    assert duty(mediating, "termination_notice").due_at == NOTICE_DUE


@pytest.mark.parametrize("testing", [False, True], ids=["in_mediation", "testing"])
def test_withdrawing_during_mediation_terminates_it_on_ground_1_and_tells_both(mediating, desk, testing):
    if testing:
        act(mediating, desk.rita, "pause_for_testing", at(2026, 10, 19, 10), "Sent to the quality lab")
    when = at(2026, 11, 2, 16)
    act(mediating, desk.alice, "withdraw", when, "We settled it ourselves")
    mediating.refresh_from_db()
    ended = case(mediating)
    assert mediating.state == "withdrawn"
    assert (ended.outcome, ended.termination_ground, ended.ended_at) == ("terminated", 1, when)
    event = last_event(mediating)
    assert (event.action, event.data["ground"], len(event.data["notices"])) == ("withdraw", 1, 2)
    # The mediation period is cancelled (not met, not missed: the consumer ended it), running or paused.
    mediation = duty(mediating, "mediation")
    assert (mediation.status, mediation.met_at) == (DeadlineStatus.CANCELLED, None)
    # Both parties get the termination letter on ground (1) at once: the notice duty is met with it.
    letters = Notice.objects.filter(complaint=mediating, kind="termination")
    assert sorted(letters.values_list("recipient", "ground", "issued_by")) == [
        ("consumer", 1, None), ("shop", 1, None),
    ]  # fmt: skip
    assert "art. 21(1)" in letters.first().legal_basis
    assert "We settled it ourselves" in letters.get(recipient="consumer").body
    notice_duty = duty(mediating, "termination_notice")
    assert (notice_duty.starts_at, notice_duty.met_at, notice_duty.status) == (when, when, DeadlineStatus.MET)
    assert ended.termination_notice_sent_at == when
    told = OutboxMessage.objects.filter(event="centre_termination")
    assert sorted(told.values_list("kind", flat=True)) == ["shop", "user"]
    # Nothing is left for the worker: no ground (5) later, no breach.
    assert sweep.sweep(MEDIATION_DUE + timedelta(days=30)) == dict.fromkeys(sweep.OUTCOMES, 0)


def test_a_withdrawal_before_the_centre_accepted_closes_its_case(at_centre, desk):
    act(at_centre, desk.alice, "withdraw", at(2026, 10, 9, 10))
    ended = case(at_centre)
    assert (ended.outcome, ended.termination_ground) == ("closed", None)
    assert duty(at_centre, "acceptance").status == DeadlineStatus.CANCELLED
    assert notices(at_centre) == []


def test_a_proposal_the_consumer_accepts_during_mediation_ends_the_centres_duties(mediating, desk):
    act(mediating, desk.bob, "propose_resolution", at(2026, 11, 2, 10), "Full refund")
    act(mediating, desk.alice, "accept", at(2026, 11, 2, 16))
    mediating.refresh_from_db()
    assert (mediating.state, case(mediating).outcome) == ("resolved", "closed")
    assert duty(mediating, "mediation").status == DeadlineStatus.CANCELLED
    assert sweep.sweep(MEDIATION_DUE)["terminated"] == 0
    assert not mediating.events.filter(action__in=["terminate_mediation", "deadline_breach"]).exists()


# ------------------------------------------------------------------------ the mediation period passes


def test_the_worker_terminates_on_ground_5_once_and_an_officer_sends_the_notices(mediating, desk):
    assert sweep.sweep(MEDIATION_DUE - timedelta(seconds=1))["terminated"] == 0
    assert sweep.sweep(MEDIATION_DUE)["terminated"] == 1
    assert sweep.sweep(MEDIATION_DUE + timedelta(minutes=5))["terminated"] == 0
    mediating.refresh_from_db()
    assert mediating.state == "terminated"
    ended = case(mediating)
    assert (ended.termination_ground, ended.ended_at, ended.termination_notice_sent_at) == (
        5,
        MEDIATION_DUE,
        None,
    )
    event = last_event(mediating)
    assert (event.action, event.actor, event.actor_role, event.data["ground"]) == (
        "terminate_mediation", None, "system", 5,
    )  # fmt: skip
    assert mediating.events.filter(action="terminate_mediation").count() == 1
    # Ending the mediation at its limit is what the duty asks: met in time, never breached.
    period = duty(mediating, "mediation")
    assert (period.status, period.met_at, period.breached_at) == (DeadlineStatus.MET, MEDIATION_DUE, None)
    assert period.was_met_in_time is True
    # No letter from the worker; the officers are told to send it within 7 working days.
    assert notices(mediating, "termination") == []
    notice_duty = duty(mediating, "termination_notice")
    assert (notice_duty.status, notice_duty.due_at) == (DeadlineStatus.OPEN, at(2026, 12, 28, 18))
    told = OutboxMessage.objects.filter(event="mediation_terminated")
    assert sorted(told.values_list("target", flat=True)) == sorted(["desk@12315.test", str(desk.rita.pk)])
    assert not OutboxMessage.objects.filter(event="mediation_terminated", kind="shop").exists()
    # The officer sends the notices in time: the duty is met, the letters quote the worker's words.
    act(mediating, desk.rita, "send_termination_notice", at(2026, 12, 21, 10))
    assert notices(mediating, "termination") == [("termination", "consumer"), ("termination", "shop")]
    assert Notice.objects.filter(complaint=mediating, kind="termination", ground=5).count() == 2
    notice_duty.refresh_from_db()
    assert (notice_duty.status, notice_duty.met_at) == (DeadlineStatus.MET, at(2026, 12, 21, 10))
    assert case(mediating).termination_notice_sent_at == at(2026, 12, 21, 10)
    # Sending them twice is refused and changes nothing.
    with pytest.raises(Conflict, match="was sent on 2026-12-21 10:00 already"):
        act(mediating, desk.rita, "send_termination_notice", at(2026, 12, 21, 11))
    assert mediating.events.filter(action="send_termination_notice").count() == 1


@pytest.mark.parametrize(
    "worker_at, met_at, in_time",
    [
        (MEDIATION_DUE, MEDIATION_DUE, True),  # exactly at the limit
        (MEDIATION_DUE + timedelta(minutes=3), MEDIATION_DUE, True),  # on the worker's usual cadence
        (MEDIATION_DUE + sweep.WORKER_LATE, MEDIATION_DUE, True),
        # No worker ran for a day (a downtime): the mediation ended when the worker came back, late.
        (MEDIATION_DUE + timedelta(days=1), MEDIATION_DUE + timedelta(days=1), False),
    ],
)
def test_the_workers_termination_meets_the_mediation_duty_late_only_when_the_worker_ran_late(
    mediating, desk, worker_at, met_at, in_time
):
    assert sweep.sweep(worker_at)["terminated"] == 1
    period = duty(mediating, "mediation")
    assert (period.status, period.met_at, period.was_met_in_time, period.breached_at) == (
        DeadlineStatus.MET, met_at, in_time, None,
    )  # fmt: skip
    assert not mediating.events.filter(action="deadline_breach", data__phase="mediation").exists()
    assert case(mediating).ended_at == worker_at  # the decision is recorded when the worker takes it


def test_a_termination_notice_sent_after_its_duty_breached_is_met_late(mediating, desk):
    sweep.sweep(MEDIATION_DUE)
    assert sweep.sweep(at(2026, 12, 28, 18))["breached"] == 1  # the notice duty passed: recorded, told
    mediating.refresh_from_db()
    assert mediating.state == "terminated"  # never escalated
    act(mediating, desk.rita, "send_termination_notice", at(2026, 12, 29, 9))
    notice_duty = duty(mediating, "termination_notice")
    assert (notice_duty.status, notice_duty.met_at, notice_duty.was_met_in_time) == (
        DeadlineStatus.BREACHED, at(2026, 12, 29, 9), False,
    )  # fmt: skip
    assert "termination_notice met late" in last_event(mediating).data["deadlines"]


# ------------------------------------------------------------------------------ the centre's own duties


def test_the_acceptance_duty_reminds_and_breaches_to_the_officers_and_never_escalates(at_centre, desk):
    acceptance = duty(at_centre, "acceptance")
    assert sweep.handle(acceptance.pk, acceptance.remind_at) == "reminded"
    reminded = OutboxMessage.objects.filter(event="centre_deadline_reminder")
    assert sorted(reminded.values_list("target", flat=True)) == sorted(["desk@12315.test", str(desk.rita.pk)])
    assert not reminded.filter(kind="shop").exists()
    assert "Decision to accept" in reminded.first().body
    events_before = at_centre.events.count()
    assert sweep.handle(acceptance.pk, ACCEPTANCE_DUE) == "breached"
    assert sweep.handle(acceptance.pk, ACCEPTANCE_DUE + timedelta(hours=1)) is None
    at_centre.refresh_from_db()
    assert at_centre.state == "escalated"
    added = list(at_centre.events.order_by("id").values_list("action", "data"))[events_before:]
    assert added == [("deadline_breach", {"deadline": acceptance.pk, "phase": "acceptance"})]
    breach = OutboxMessage.objects.filter(event="centre_deadline_breach")
    assert sorted(breach.values_list("target", flat=True)) == sorted(["desk@12315.test", str(desk.rita.pk)])
    # Decided late, the duty counts as met late.
    act(at_centre, desk.rita, "accept_case", at(2026, 10, 16, 9))
    assert duty(at_centre, "acceptance").was_met_in_time is False


def test_a_reports_and_an_enquirys_duties_are_swept_without_a_complaint(desk):
    version = duties.version_on(at(2026, 9, 24).date())
    report = Matter.objects.create(kind="report", bureau=Bureau.city_centre(), rule_version=version,
                                   received_at=at(2026, 9, 24, 11), text="Fake discounts", merchant=desk.acme)  # fmt: skip
    report.reference = Matter.reference_for("report", report.pk, 2026)
    report.save()
    decision = duties.start("report_decision", at(2026, 9, 24, 11), version, matter=report)
    assert decision.due_at == at(2026, 10, 22, 18)
    assert sweep.sweep(decision.remind_at)["reminded"] == 1
    assert sweep.sweep(decision.due_at)["breached"] == 1
    decision.refresh_from_db()
    assert (decision.status, decision.breached_at, decision.next_check_at) == (
        DeadlineStatus.BREACHED, at(2026, 10, 22, 18), None,
    )  # fmt: skip
    told = OutboxMessage.objects.filter(payload__matter=report.pk)
    assert sorted(set(told.values_list("event", flat=True))) == [
        "centre_deadline_breach",
        "centre_deadline_reminder",
    ]
    assert report.reference in told.first().body
    assert told.first().link == f"/console/matters/{report.pk}/"
    assert not told.filter(kind="shop").exists()


# ------------------------------------------------------------------------------------- a calendar change


def test_a_holiday_the_regulator_enters_moves_the_centres_running_duties_by_their_own_rule(at_centre, desk):
    """Tuesday 2026-10-13 becomes a day off (entered on Monday 10-12): every duty of the centre's that runs
    across it ends one working day later, by its own rule from its own start, paused time kept; a duty
    already met stands, a paused one stays paused."""
    version = case(at_centre).rule_version
    # A second complaint accepted on Friday 10-09 10:00 and paused for testing at 15:00; a third whose
    # mediation ended, its termination notice still to send; a report awaiting its decision.
    with time_machine.travel(at(2026, 9, 30, 9), tick=False):
        paused, ended = factories.complaint(desk.alice, desk.acme), factories.complaint(desk.alice, desk.acme)
    for c in (paused, ended):
        act(c, desk.rita, "escalate", at(2026, 10, 9, 9), "For the centre")
        act(c, desk.rita, "accept_case", at(2026, 10, 9, 10))
    act(paused, desk.rita, "pause_for_testing", at(2026, 10, 9, 15), "Sent to the lab")
    act(ended, desk.rita, "terminate_mediation", at(2026, 10, 9, 11), "No agreement", ground=4)
    notice = duties.start("termination_notice", at(2026, 10, 9, 11), version, complaint=ended)  # not sent yet
    report = Matter.objects.create(kind="report", bureau=Bureau.city_centre(), rule_version=version,
                                   received_at=at(2026, 10, 9, 11), text="Fake discounts", merchant=desk.acme)  # fmt: skip
    decision = duties.start("report_decision", at(2026, 10, 9, 11), version, matter=report)
    before = {d.pk: d.due_at for d in Deadline.objects.all()}
    met = duty(paused, "acceptance")
    assert duty(at_centre, "acceptance").due_at == ACCEPTANCE_DUE

    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        moved = store_days([HolidayEntry(date(2026, 10, 13), True, "Extra day off")], year=2026, user=desk.rita,
                           source="State Council notice")  # fmt: skip
    assert moved == 4  # the three complaints and the report

    def one_day_later(row):
        return centre_calendar().add_working_time(before[row.pk], timedelta(hours=9))

    acceptance = duty(at_centre, "acceptance")
    assert (acceptance.due_at, acceptance.status) == (at(2026, 10, 16, 18), DeadlineStatus.OPEN)
    assert acceptance.next_check_at == acceptance.remind_at < acceptance.due_at
    for row in (notice, decision):
        row.refresh_from_db()
        assert (row.due_at, row.status) == (one_day_later(row), DeadlineStatus.OPEN), row.phase
    # 7 working days from Friday 10-09: Saturday 10-10 (a working day of National Day's), 12, (13 off), 14,
    # 15, 16, 19, 20.
    assert Deadline.objects.get(pk=notice.pk).due_at == at(2026, 10, 20, 18)
    period = duty(paused, "mediation")
    assert (period.due_at, period.status, period.next_check_at) == (
        one_day_later(period), DeadlineStatus.PAUSED, None,
    )  # fmt: skip
    assert duty(paused, "acceptance").due_at == met.due_at  # met: it stands
    event = at_centre.events.get(action="recompute_deadlines")
    assert event.message == "State Council notice"
    assert event.data["deadlines"]["acceptance"]["to"] == at(2026, 10, 16, 18).isoformat()
    assert ended.events.filter(action="recompute_deadlines").exists()  # terminated, its notice still runs

    # Resumed after the holiday, the paused period keeps the time it had left on the new calendar: what ran
    # before the pause (Friday 10:00–15:00) plus what runs after Wednesday 10:00 make 45 working days.
    act(paused, desk.rita, "resume_after_testing", at(2026, 10, 14, 10), "Lab report received")
    resumed = duty(paused, "mediation")
    fresh = duties.due(version, "mediation", at(2026, 10, 9, 10)).due_at  # on the calendar with the holiday
    assert resumed.due_at == centre_calendar().add_working_time(fresh, resumed.paused_total)
    assert resumed.paused_total == timedelta(hours=3 + 9 + 9 + 1)  # Fri 15–18, Sat 10-10, Mon, (Tue off), Wed

    # Entering it again moves nothing more.
    with time_machine.travel(at(2026, 10, 14, 11), tick=False):
        assert store_days([HolidayEntry(date(2026, 10, 13), True, "Extra day off")], year=2026, user=desk.rita,
                          source="State Council notice") == 0  # fmt: skip
    assert rollups.differences() == []  # the centre's figures follow the moved duties


# -------------------------------------------------------------------------------------------- transfer


def test_a_transfer_restarts_the_acceptance_duty_at_the_receiving_bureau(at_centre, desk):
    when = at(2026, 10, 12, 10)
    act(
        at_centre, desk.rita, "transfer", when, "The shop is registered in Dongcheng", bureau=desk.district.pk
    )
    at_centre.refresh_from_db()
    moved = case(at_centre)
    assert (at_centre.state, moved.bureau, moved.received_at) == ("escalated", desk.district, when)
    assert duty(at_centre, "acceptance").due_at == at(2026, 10, 21, 18)  # 7 working days from its receipt
    assert last_event(at_centre).data == {"bureau": desk.district.pk, "from_bureau": Bureau.city_centre().pk}
    told = OutboxMessage.objects.get(event="complaint_transfer", kind="user")
    assert "Dongcheng District Bureau" in told.body


@pytest.mark.parametrize(
    ("bureau", "why"),
    [
        (None, "needs the bureau"),
        ("same", "already at"),
        (999999, "unknown bureau"),
        ("x", "must be the id"),
        ("²", "must be the id"),
        (-3, "must be the id"),
        (2**63, "must be the id"),
    ],
)
def test_a_transfer_nowhere_or_to_the_same_bureau_is_refused(at_centre, desk, bureau, why):
    if bureau == "same":
        bureau = Bureau.city_centre().pk
    with pytest.raises(FieldError, match=why) as refused:
        act(at_centre, desk.rita, "transfer", at(2026, 10, 12, 10), "Move it", bureau=bureau)
    assert refused.value.field == "bureau"
    assert case(at_centre).bureau == Bureau.city_centre()


# ------------------------------------------------------------------------------------- direct filing


def test_an_officers_filing_for_the_centre_is_at_the_centre_from_its_receipt(desk):
    with time_machine.travel(RECEIVED, tick=False):
        c = services.file_complaint(
            desk.rita,
            factories.new_complaint(desk.acme, channel="counter", for_centre=True, consumer_name="Wang"),
        )
    assert c.state == "escalated"
    direct = case(c)
    assert (direct.via, direct.received_at) == ("direct", RECEIVED)
    assert duty(c, "acceptance").due_at == ACCEPTANCE_DUE
    assert c.events.get().to_state == "escalated"
    assert "acceptance" in [d.phase for d in c.filed_deadlines]


# ----------------------------------------------------------------------- what the lifecycle refuses


def _state_of(c) -> tuple:
    c.refresh_from_db()
    stored = CentreCase.objects.filter(complaint=c).values().first()
    return (
        c.state, c.events.count(), stored, Notice.objects.count(), OutboxMessage.objects.count(),
        sorted(Deadline.objects.filter(complaint=c).values_list("phase", "status", "due_at", "met_at")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("action", "details", "field"),
    [
        ("refuse_case", {}, "ground"),
        ("refuse_case", {"ground": 7}, "ground"),
        ("refuse_case", {"ground": 0}, "ground"),
        ("refuse_case", {"ground": "two"}, "ground"),
        ("refuse_case", {"ground": "²"}, "ground"),
        ("refuse_case", {"ground": True}, "ground"),
        ("refuse_case", {"ground": 2.5}, "ground"),
        ("transfer", {}, "bureau"),
    ],
)
def test_bad_fields_of_a_decision_are_refused_naming_the_field(at_centre, desk, action, details, field):
    before = _state_of(at_centre)
    with pytest.raises(FieldError) as refused:
        act(at_centre, desk.rita, action, at(2026, 10, 9, 15), "Because", **(details or {"ground": None}))
    assert refused.value.field == field
    assert _state_of(at_centre) == before


@pytest.mark.parametrize(
    ("action", "details", "field"),
    [
        ("terminate_mediation", {"ground": None}, "ground"),
        ("terminate_mediation", {"ground": 8}, "ground"),
        ("terminate_mediation", {"ground": TerminationGround.TIME_LIMIT}, "ground"),  # the period still runs
        ("record_agreement", {"amount_recovered": "12"}, "terms"),
        ("record_agreement", {"terms": "Refund", "amount_recovered": "-0.01"}, "amount_recovered"),
        ("record_agreement", {"terms": "Refund", "amount_recovered": "twelve"}, "amount_recovered"),
        ("record_agreement", {"terms": "Refund", "amount_recovered": "NaN"}, "amount_recovered"),
        ("record_agreement", {"terms": "Refund", "amount_recovered": "1.005"}, "amount_recovered"),
        ("record_agreement", {"terms": "Refund"}, "amount_recovered"),
    ],
)
def test_bad_fields_of_ending_a_mediation_are_refused_naming_the_field(
    mediating, desk, action, details, field
):
    before = _state_of(mediating)
    with pytest.raises(FieldError) as refused:
        act(mediating, desk.rita, action, at(2026, 11, 2, 16), "Because", **details)
    assert refused.value.field == field
    assert _state_of(mediating) == before


def test_accepting_a_refused_an_accepted_or_a_transferred_away_complaint_is_refused(
    at_centre, desk, escalated
):
    act(at_centre, desk.rita, "transfer", at(2026, 10, 9, 10), "Dongcheng's", bureau=desk.district.pk)
    before = _state_of(at_centre)
    # The officer's page still showed the city centre: the case went to Dongcheng meanwhile.
    with pytest.raises(Conflict, match="transferred to Dongcheng District Bureau meanwhile"):
        act(at_centre, desk.rita, "accept_case", ACCEPTED, case_bureau=Bureau.city_centre().pk)
    assert _state_of(at_centre) == before
    act(at_centre, desk.rita, "accept_case", ACCEPTED, case_bureau=desk.district.pk)
    before = _state_of(at_centre)
    with pytest.raises(lifecycle.TransitionError, match="that is in_mediation"):
        act(at_centre, desk.rita, "accept_case", ACCEPTED + timedelta(hours=1))
    # Disputed during mediation: the table allows accepting a disputed complaint, the stage does not.
    act(at_centre, desk.bob, "propose_resolution", at(2026, 10, 16, 10), "Half")
    act(at_centre, desk.alice, "dispute", at(2026, 10, 16, 11), "No")
    before = _state_of(at_centre)
    with pytest.raises(lifecycle.TransitionError, match="has accepted the complaint and is mediating it"):
        act(at_centre, desk.rita, "accept_case", at(2026, 10, 16, 12))
    assert _state_of(at_centre) == before
    refused = escalated  # the same complaint as at_centre: take another
    with time_machine.travel(at(2026, 10, 8, 10), tick=False):
        other = factories.complaint(desk.erin, desk.acme)
    act(other, desk.rita, "escalate", at(2026, 10, 8, 11), "Breach reported by phone")
    act(other, desk.rita, "refuse_case", at(2026, 10, 9, 10), "Out of time", ground=RefusalGround.TOO_LATE)
    before = _state_of(other)
    with pytest.raises(lifecycle.TransitionError, match="that is refused"):
        act(other, desk.rita, "accept_case", at(2026, 10, 9, 11))
    assert _state_of(other) == before
    assert refused.pk == at_centre.pk


def test_resuming_a_clock_that_is_not_paused_is_refused(mediating, desk):
    before = _state_of(mediating)
    with pytest.raises(
        lifecycle.TransitionError, match="cannot resume after testing a complaint that is in_mediation"
    ):
        act(mediating, desk.rita, "resume_after_testing", at(2026, 10, 20, 10))
    assert _state_of(mediating) == before


def test_pausing_after_the_mediation_period_ended_is_refused(mediating, desk):
    before = _state_of(mediating)
    with pytest.raises(Conflict, match="mediation period ended on 2026-12-17 18:00"):
        act(
            mediating,
            desk.rita,
            "pause_for_testing",
            MEDIATION_DUE + timedelta(minutes=1),
            "Too late for a lab",
        )
    assert _state_of(mediating) == before


def test_the_centres_steps_are_the_officers(mediating, desk):
    for actor in (desk.alice, desk.bob):
        with pytest.raises(lifecycle.ActionForbidden):
            act(mediating, actor, "record_agreement", at(2026, 11, 2, 16), terms="x", amount_recovered=1)
