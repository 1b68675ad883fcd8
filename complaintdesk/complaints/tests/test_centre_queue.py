"""The officer's queue (complaints.centre_queue): every matter before the 12315 centre by its nearest duty
still to do — complaints, reports and enquiries together — read from the duties, filtered by kind, state
and overdue. What is done with (agreed, answered, withdrawn while late, a mediation period the worker ended)
has no duty in it; the consumer's rating window is no duty."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre import matters
from complaintdesk.complaints import centre, centre_queue, services
from complaintdesk.complaints.centre_queue import COMPLAINT, Filters
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase
from complaintdesk.lib.tests.plans import plan_of

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def act(complaint, actor, action, when, message="Noted.", **details):
    with time_machine.travel(when, tick=False):
        return services.perform(
            complaint.pk,
            actor,
            action,
            message,
            at=when,
            details=centre.Details(**details) if details else None,
        )


def escalated(people, when, consumer=None):
    """A complaint an officer brings to the centre at `when` (filed an hour before)."""
    with time_machine.travel(when - timedelta(hours=1), tick=False):
        c = factories.complaint(consumer or people.alice, people.acme)
    return act(c, people.rita, "escalate", when, "The caller asks the centre to help.")


def matter(kind, when, **fields):
    with time_machine.travel(when, tick=False):
        return matters.file(
            None, matters.Filing(kind=kind, text="Fake goods sold as genuine.", **fields), now=when
        )


def keys(filters: Filters | None = None, now=None) -> list:
    rows = centre_queue.queue(filters or Filters(), now)
    return [("c", r["complaint_id"]) if r["complaint_id"] else ("m", r["matter_id"]) for r in rows]


def c(complaint):
    return ("c", complaint.pk)


def m(item):
    return ("m", item.pk)


@pytest.fixture
def desk(people):
    """On Monday 2026-10-12: complaints and matters at every stage, received on different days."""
    w = type("World", (), {})()
    # Received Thursday 10-08: acceptance due the 7th working day after (Saturday 10-10 is worked), Friday
    # 10-16 18:00.
    w.waiting = escalated(people, at(2026, 10, 8, 10))
    # Received Friday 10-09, accepted on Saturday 10-10 (a working day in 2026): mediation runs 45 days.
    w.mediating = act(
        escalated(people, at(2026, 10, 9, 10), people.erin), people.rita, "accept_case", at(2026, 10, 10, 9)
    )
    # Accepted too, then paused for testing: the clock waits, below every running duty.
    w.testing = act(escalated(people, at(2026, 10, 9, 11)), people.rita, "accept_case", at(2026, 10, 10, 9))
    act(w.testing, people.rita, "pause_for_testing", at(2026, 10, 10, 10), "Sent to the lab.")
    # Accepted and agreed: done with.
    w.agreed = act(escalated(people, at(2026, 10, 9, 12)), people.rita, "accept_case", at(2026, 10, 10, 9))
    act(
        w.agreed,
        people.rita,
        "record_agreement",
        at(2026, 10, 10, 11),
        terms="Full refund.",
        amount_recovered="99",
    )
    # A report received Friday 10-09 (decision due in 15 working days) and one decided already.
    w.report = matter("report", at(2026, 10, 9, 15), merchant=people.acme.pk, anonymous=True)
    w.decided = matter(
        "report", at(2026, 10, 9, 16), web_address="https://fake.example.cn", contact_phone="13800000000"
    )
    with time_machine.travel(at(2026, 10, 10, 12), tick=False):
        matters.decide_report(w.decided.pk, people.rita, "no_case", "No evidence.", at=at(2026, 10, 10, 12))
    # An enquiry received Monday 10-12 09:00: answered within 7 working days, the nearest after `waiting`.
    w.enquiry = matter("enquiry", at(2026, 10, 12, 9), contact_email="ask@example.cn")
    # A complaint closed at the shop (its rating window open) and one still at the shop: no duty of the centre's.
    with time_machine.travel(at(2026, 10, 12, 8), tick=False):
        w.resolved = factories.complaint(people.erin, people.acme)
        services.perform(w.resolved.pk, people.bob, "propose_resolution", "Refund.", {"type": "refund"})
        services.perform(w.resolved.pk, people.erin, "accept", "")
    w.at_shop = factories.complaint(people.alice, people.bazaar)
    return w


def test_the_queue_holds_every_matter_with_a_duty_nearest_first(desk):
    queued = keys(now=at(2026, 10, 12, 10))
    assert queued == [c(desk.waiting), m(desk.enquiry), m(desk.report), c(desk.mediating), c(desk.testing)]
    entries = centre_queue.entries(centre_queue.queue(Filters()))
    assert [(e.kind, e.duty.phase) for e in entries] == [
        (COMPLAINT, Phase.ACCEPTANCE),
        ("enquiry", Phase.ENQUIRY_ANSWER),
        ("report", Phase.REPORT_DECISION),
        (COMPLAINT, Phase.MEDIATION),
        (COMPLAINT, Phase.MEDIATION),
    ]
    assert entries[-1].duty.status == DeadlineStatus.PAUSED
    assert entries[0].received_at == at(2026, 10, 8, 10)  # by the centre, not by the shop
    assert entries[0].case.rule_version.name.startswith("SAMR Order No. 20")


def test_the_filters_by_kind_state_and_overdue(desk):
    now = at(2026, 10, 12, 10)
    assert keys(Filters(kind=COMPLAINT), now) == [c(desk.waiting), c(desk.mediating), c(desk.testing)]
    assert keys(Filters(kind="report"), now) == [m(desk.report)]
    assert keys(Filters(kind="enquiry"), now) == [m(desk.enquiry)]
    # A state the centre is done with lists what is in it, the newest first; a state belongs to one kind.
    assert keys(Filters(state="agreed"), now) == [c(desk.agreed)]
    assert keys(Filters(state="no_case"), now) == [m(desk.decided)]
    assert keys(Filters(state="received"), now) == [m(desk.enquiry), m(desk.report)]
    assert keys(Filters(kind="report", state="received"), now) == [m(desk.report)]
    assert keys(Filters(kind="report", state="agreed"), now) == []
    assert keys(Filters(kind=COMPLAINT, state="received"), now) == []
    assert keys(Filters(state="testing"), now) == [c(desk.testing)]
    # Nothing is late on Monday; on Tuesday 10-20 the acceptance decision is, the paused mediation never.
    assert keys(Filters(overdue=True), now) == []
    late = at(2026, 10, 20, 9)
    assert keys(Filters(overdue=True), late) == [c(desk.waiting)]
    assert keys(Filters(overdue=True, kind="enquiry"), late) == []
    assert keys(Filters(overdue=True, state="escalated"), late) == [c(desk.waiting)]
    assert keys(Filters(overdue=True, state="in_mediation"), late) == []


def test_what_is_done_with_leaves_the_queue(desk, people):
    # The acceptance decision passes unmet (the worker records the breach), then the consumer withdraws:
    # the late duty is over, not overdue for ever.
    with time_machine.travel(at(2026, 10, 19, 18, 1), tick=False):
        sweep.sweep(now=at(2026, 10, 19, 18, 1))
    assert (
        Deadline.objects.get(complaint=desk.waiting, phase=Phase.ACCEPTANCE).status == DeadlineStatus.BREACHED
    )
    assert c(desk.waiting) in keys(Filters(overdue=True), at(2026, 10, 20, 9))
    act(desk.waiting, people.alice, "withdraw", at(2026, 10, 20, 9), "Sorted it out myself.")
    assert c(desk.waiting) not in keys(now=at(2026, 10, 20, 10))
    assert c(desk.waiting) in keys(Filters(state="withdrawn"))
    # The enquiry answered: its duty is met.
    with time_machine.travel(at(2026, 10, 20, 11), tick=False):
        matters.answer_enquiry(
            desk.enquiry.pk, people.rita, "Yes, within seven days.", at=at(2026, 10, 20, 11)
        )
    assert m(desk.enquiry) not in keys(now=at(2026, 10, 20, 12))
    # Closed complaints have a rating window open, which is nobody's duty.
    assert Deadline.objects.filter(
        complaint=desk.agreed, phase=Phase.RATING, status=DeadlineStatus.OPEN
    ).exists()
    assert c(desk.agreed) not in keys()
    assert Deadline.objects.filter(
        complaint=desk.resolved, phase=Phase.RATING, status=DeadlineStatus.OPEN
    ).exists()
    assert c(desk.resolved) not in keys() and c(desk.at_shop) not in keys()


def test_the_worker_ends_a_mediation_period_and_the_notice_waits_in_the_queue(desk, people):
    mediation = Deadline.objects.get(complaint=desk.mediating, phase=Phase.MEDIATION)
    after = mediation.due_at + timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        sweep.sweep(now=after)
    desk.mediating.refresh_from_db()
    assert desk.mediating.state == "terminated"
    mediation.refresh_from_db()
    # Ended at its limit by the worker: the duty met, nothing late in the queue.
    assert (mediation.status, mediation.met_at) == (DeadlineStatus.MET, mediation.due_at)
    # What the officer must do now is send the notices: the ended period is not late work.
    entry = next(
        e for e in centre_queue.entries(centre_queue.queue(Filters(), after)) if e.complaint == desk.mediating
    )
    assert entry.duty.phase == Phase.TERMINATION_NOTICE
    act(desk.mediating, people.rita, "send_termination_notice", after + timedelta(hours=1), "")
    assert c(desk.mediating) not in keys(now=after + timedelta(hours=2))
    assert c(desk.mediating) in keys(Filters(state="terminated"))


def test_the_queue_reads_the_duties_and_a_page_costs_the_same_whatever_its_length(desk, people):
    for day in range(13, 16):
        escalated(people, at(2026, 10, day, 10))
        matter("enquiry", at(2026, 10, day, 11), contact_email="ask@example.cn")
    for segment in centre_queue.listed(Filters()):
        assert str(segment.queryset.query).split(" FROM ", 1)[1].startswith('"deadlines_deadline"')
    queued = centre_queue.queue(Filters())
    with CaptureQueriesContext(connection) as small:
        centre_queue.entries(queued[:2])
    with CaptureQueriesContext(connection) as large:
        page = centre_queue.entries(queued[:50])
    assert len(page) == 11
    assert len(large) == len(small) == 4  # complaints and matters, each with their duties
    assert all(e.duty is not None for e in page)


def test_a_page_of_any_list_of_the_queue_is_read_in_its_indexs_order(desk, people):
    """Each part of the queue is read in the order of an index and stops after a page: the duties' parts
    through `deadline_centre_to_do` (the unmet duties of the centre, by due time: the running ones, then the
    paused ones), never sorting every duty (a paused duty used to be ordered by an expression, which sorted
    all of them: 0.3-0.6 s at 10 M complaints); a district's scope, a kind, a state the centre is done with
    or overdue alone too; then, in a state the centre is done with, the cases by their receipt. Reports or
    enquiries alone through the matters' indexes of their next duty.
    PostgreSQL is told not to scan whole tables where it has a choice, as it would not on a large table."""
    bureau = desk.waiting.centre_case.bureau_id
    indexes = {
        "centre-queue-running": "deadline_centre_to_do",
        "centre-queue-paused": "deadline_centre_to_do",
        "centre-queue-state-due": "deadline_centre_to_do",
        "centre-queue-cases": "centre_centrecase_received_at",
        "matters-running": "matter_running",
        "matters-at-rest": ("matter_at_rest", "centre_matt_kind"),  # or the (kind, state, receipt) index
    }
    lists = [
        Filters(),
        Filters(kind=COMPLAINT),
        Filters(overdue=True),
        Filters(bureau=bureau),
        Filters(kind=COMPLAINT, bureau=bureau),
        Filters(state="agreed"),
        Filters(state="terminated", bureau=bureau),
        Filters(state="escalated"),  # the city's: walked too (a district's are read by the state's index)
        Filters(kind="report"),
        Filters(state="answered"),
    ]
    for filters in lists:
        for segment in centre_queue.listed(filters, now=at(2026, 10, 20, 9)):
            if filters.state in centre_queue.AT_HAND and segment.order.name == "centre-queue-cases":
                continue  # the few cases at hand with no duty: from the complaints in the state, sorted
            with CaptureQueriesContext(connection) as read:
                list(segment.queryset.order_by(*segment.order.ordering())[:51])
            plan = plan_of(read.captured_queries[0]["sql"])
            names = indexes[segment.order.name]
            names = [names] if isinstance(names, str) else names
            assert any(name in plan for name in names), (filters, segment.order.name, plan)
            # A full sort is a "Sort" node; an "Incremental Sort" only orders the ids of duties due at once.
            assert "TEMP B-TREE" not in plan, (filters, segment.order.name, plan)
            assert not re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE), (filters, plan)
