"""seed_demo's 12315 centre (complaints.demo_centre): every state of every kind of matter, in both languages,
received before and after the demo's second rule version took effect, with letters, ratings and follow-up
calls — and the officer's queue has something in it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from complaintdesk.centre.models import (
    CentreCase,
    FollowUpCall,
    Matter,
    MatterKind,
    MatterState,
    Notice,
    Rating,
    RuleVersion,
    Via,
)
from complaintdesk.complaints import centre_queue, demo_centre
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 17, 5, tzinfo=SH)
EFFECTIVE = date(2026, 4, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", verbosity=0)


def local_day(at):
    return at.astimezone(SH).date()


def test_the_demo_rule_version_follows_order_no_20_but_for_mediation_and_says_it_is_unconfirmed(demo):
    version = RuleVersion.objects.get(name="SAMR Order No. 121 (2026) — figures to be confirmed")
    assert version.effective_from == EFFECTIVE and "unconfirmed" in version.note
    default = RuleVersion.objects.get(name__startswith="SAMR Order No. 20")
    figures = {r.phase: (r.clock, r.days, r.duration) for r in version.rules.all()}
    before = {r.phase: (r.clock, r.days, r.duration) for r in default.rules.all()}
    assert figures.pop(Phase.MEDIATION) == ("working_days", 60, None)
    assert before.pop(Phase.MEDIATION) == ("working_days", 45, None)
    assert figures == before


def test_every_centre_state_is_there_under_both_versions(demo):
    cases = CentreCase.objects.select_related("complaint", "rule_version")
    assert {c.complaint.state for c in cases} >= {
        State.ESCALATED, State.IN_MEDIATION, State.TESTING, State.REFUSED, State.AGREED, State.TERMINATED,
    }  # fmt: skip
    for case in cases:
        expected = "SAMR Order No. 121" if local_day(case.received_at) >= EFFECTIVE else "SAMR Order No. 20"
        assert case.rule_version.name.startswith(expected), case.complaint.reference
    days = [local_day(c.received_at) for c in cases]
    assert min(days) < EFFECTIVE <= max(days)
    assert {c.via for c in cases} == {Via.ESCALATION, Via.DIRECT}
    # Each of the grounds an officer refuses on, and termination on most grounds, the worker's (5) too.
    assert set(cases.exclude(refusal_ground=None).values_list("refusal_ground", flat=True)) == {
        1,
        2,
        3,
        4,
        5,
        6,
    }
    assert {5, 4} <= set(cases.exclude(termination_ground=None).values_list("termination_ground", flat=True))


def test_terminated_mediations_with_the_notice_sent_and_one_awaiting_it(demo):
    terminated = CentreCase.objects.filter(complaint__state=State.TERMINATED)
    assert terminated.filter(termination_notice_sent_at__isnull=False).exists()
    waiting = terminated.get(termination_notice_sent_at__isnull=True)
    assert waiting.termination_ground == 5  # the worker's, on the mediation period's end
    duty = Deadline.objects.get(complaint=waiting.complaint, phase=Phase.TERMINATION_NOTICE)
    assert duty.status == DeadlineStatus.OPEN and duty.met_at is None and duty.due_at > NOW
    assert not Notice.objects.filter(complaint=waiting.complaint, kind="termination").exists()
    # Testing: the mediation clock stands still.
    testing = Complaint.objects.filter(state=State.TESTING)
    assert testing.exists()
    assert all(c.deadlines.get(phase=Phase.MEDIATION).status == DeadlineStatus.PAUSED for c in testing)


def test_reports_and_enquiries_in_every_state_in_both_languages(demo):
    found = {(m.kind, m.state) for m in Matter.objects.all()}
    assert found == {
        (MatterKind.REPORT, MatterState.RECEIVED), (MatterKind.REPORT, MatterState.CASE_OPENED),
        (MatterKind.REPORT, MatterState.NO_CASE), (MatterKind.ENQUIRY, MatterState.RECEIVED),
        (MatterKind.ENQUIRY, MatterState.ANSWERED),
    }  # fmt: skip
    reports = Matter.objects.filter(kind=MatterKind.REPORT)
    assert reports.filter(anonymous=True, user=None, contact_phone="", contact_email="").exists()
    assert reports.filter(anonymous=False, user__isnull=False).exists()
    assert set(Matter.objects.values_list("language", flat=True)) == {"zh-hans", "en"}
    assert set(Matter.objects.values_list("channel", flat=True)) == {
        "web",
        "hotline_12315",
        "counter",
        "letter",
    }
    days = [local_day(m.received_at) for m in Matter.objects.all()]
    assert min(days) < EFFECTIVE <= max(days)
    for matter in Matter.objects.select_related("rule_version"):
        expected = "SAMR Order No. 121" if local_day(matter.received_at) >= EFFECTIVE else "SAMR Order No. 20"
        assert matter.rule_version.name.startswith(expected), matter.reference
    # A decided matter's letter goes to whoever can be reached, in their language.
    assert Notice.objects.filter(matter__language="en", language="en").exists()
    assert Notice.objects.filter(matter__language="zh-hans", language="zh-hans").exists()


def test_letters_ratings_follow_up_calls_and_the_queue(demo):
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert kinds == {"acceptance", "refusal", "agreement", "termination", "report_decision", "enquiry_answer"}
    assert Rating.objects.count() >= 20
    assert set(Rating.objects.values_list("score", flat=True)) == {1, 2, 3, 4, 5}
    assert FollowUpCall.objects.filter(complaint__isnull=False).exists()
    with time_machine.travel(NOW, tick=False):
        queue = centre_queue.entries(centre_queue.queue(centre_queue.Filters())[:100])
        kinds_queued = {e.kind for e in queue}
        overdue = centre_queue.queue(centre_queue.Filters(overdue=True))
        assert kinds_queued == {"complaint", "report", "enquiry"}
        assert overdue  # an enquiry and a report the centre is late with


def test_the_centres_stories_are_loaded_once(demo):
    counts = (
        Complaint.objects.count(),
        Matter.objects.count(),
        Rating.objects.count(),
        Notice.objects.count(),
    )
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", verbosity=0)
    assert (
        Complaint.objects.count(),
        Matter.objects.count(),
        Rating.objects.count(),
        Notice.objects.count(),
    ) == counts
    assert Complaint.objects.filter(external_id__startswith="demo-centre-").count() == len(
        demo_centre.STORIES
    )
