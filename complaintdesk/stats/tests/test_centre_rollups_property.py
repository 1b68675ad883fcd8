"""The centre's rollups always equal a recomputation from the raw rows, whatever happens to its matters and
however their rows are written: saves, bulk UPDATEs inside a complaint's action (a close cancels every
duty), the worker's sweep, transfers that move a case to another bureau and day, ratings given, changed and
withdrawn, deletions of ratings, cases and matters."""

import contextlib
from datetime import date, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.centre import duties
from complaintdesk.centre.models import Bureau, CentreCase, Matter, MatterState, Rating
from complaintdesk.complaints import services
from complaintdesk.complaints.lifecycle import ActionForbidden, TransitionError
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Phase
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.stats import centre, centre_rollups, rollups
from complaintdesk.stats.models import CentreLedger
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd

START = cd.at(2026, 9, 29, 16)  # across the National Day holiday
REFUSED_ANYHOW = (TransitionError, ActionForbidden, FieldError, Conflict)

pick = st.integers(0, 30)
operations = st.lists(
    st.tuples(
        st.integers(0, 60 * 24 * 3),  # minutes until this operation (time runs on)
        st.one_of(
            st.tuples(
                st.just("reach"),
                st.sampled_from(["web", "hotline_12315"]),
                st.booleans(),
                st.sampled_from(["escalation", "direct"]),
            ),  # fmt: skip
            # The case's next step, on a path `choice` picks (accept or refuse; agree or terminate; …).
            st.tuples(st.just("step"), pick, st.integers(0, 1_000_000)),
            st.tuples(st.just("step"), pick, st.integers(0, 1_000_000)),
            st.tuples(st.just("step"), pick, st.integers(0, 1_000_000)),
            st.tuples(st.just("transfer"), pick),
            st.tuples(
                st.just("lifecycle"),
                pick,
                st.sampled_from(["close", "pause_for_testing", "resume_after_testing"]),
            ),  # fmt: skip
            st.tuples(st.just("rate"), pick, st.integers(1, 5)),
            st.tuples(st.just("unrate"), pick),
            st.tuples(st.just("delete"), pick),
            st.tuples(st.just("matter"), st.sampled_from(["report", "enquiry"]), st.booleans()),
            st.tuples(st.just("decide"), pick, st.sampled_from(["case_opened", "no_case", "answered"])),
            st.tuples(st.just("forget"), pick),
            # The worker, on time or after days without one (a mediation period passes: the worker ends it
            # on ground (5), meeting its duty in time or late).
            st.tuples(st.just("sweep"), st.sampled_from([0, 0, 70])),
        ),
    ),
    max_size=25,
)


def _nth(qs, i):
    rows = list(qs.order_by("pk"))
    return rows[i % len(rows)] if rows else None


def _step(case, choice: int, now) -> None:
    """The case's next step: accept or refuse it; end its mediation in an agreement or a termination;
    send a termination's notice."""
    if case.accepted_at is None and not case.outcome:
        if choice % 3:
            cd.accept(case, now)
            Complaint.objects.filter(pk=case.complaint_id).update(state="in_mediation")
        else:
            cd.refuse(case, now, 1 + choice % 6)
    elif case.accepted_at is not None and not case.outcome:
        if choice % 2:
            cd.agree(case, now, f"{choice / 100:.2f}")
        else:
            cd.terminate(case, now, 1 + choice % 7, notice_at=now if choice % 4 == 0 else None)
    elif case.outcome == "terminated":
        duties.meet(Phase.TERMINATION_NOTICE, now, complaint=case.complaint)


def _apply(people, bureaus, op, now):  # noqa: C901 - one branch per operation
    kind = op[0]
    cases = CentreCase.objects.select_related("complaint", "rule_version")
    if kind == "reach":
        complaint = factories.complaint(people.alice, people.acme, channel=op[1])
        cd.reach(complaint, now, bureau=bureaus[op[2]], via=op[3])
        Complaint.objects.filter(pk=complaint.pk).update(state="escalated")
    elif kind == "matter":
        cd.matter(op[1], now, bureau=bureaus[op[2]], channel="counter")
    elif kind == "decide":
        matter = _nth(Matter.objects.filter(state=MatterState.RECEIVED), op[1])
        if matter is not None:
            cd.decide(matter, now, op[2])
    elif kind == "forget":
        matter = _nth(Matter.objects.all(), op[1])
        if matter is not None:
            matter.delete()
    elif kind == "sweep":
        with contextlib.suppress(*REFUSED_ANYHOW):
            sweep.sweep(now)
    elif (case := _nth(cases, op[1])) is None:
        return
    elif kind == "step":
        _step(case, op[2], now)
    elif kind == "transfer" and case.accepted_at is None and not case.outcome:
        case.bureau = bureaus[case.bureau_id == bureaus[0].pk]
        case.received_at = now
        case.save(update_fields=["bureau", "received_at"])
        duties.start(Phase.ACCEPTANCE, now, case.rule_version, complaint=case.complaint)
    elif kind == "lifecycle":
        # An officer's action: a close cancels every running duty, a pause stops mediation's clock, by bulk
        # UPDATEs inside the action.
        with contextlib.suppress(*REFUSED_ANYHOW):
            services.perform(case.complaint_id, people.rita, op[2], "By the centre")
    elif kind == "rate":
        Rating.objects.update_or_create(
            complaint=case.complaint, defaults={"score": op[2], "created_at": now, "updated_at": now}
        )
    elif kind == "unrate":
        Rating.objects.filter(complaint=case.complaint).delete()
    elif kind == "delete":
        case.delete()  # in the back office; a complaint itself is never deleted (its log is append-only)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_the_centres_rollups_equal_a_recomputation_after_any_operations(people, ops):
    bureaus = [Bureau.city_centre(), Bureau.objects.filter(name_en="District 1").first() or cd.district()]
    now = START
    for minutes, op in ops:
        now += timedelta(minutes=minutes, days=op[1] if op[0] == "sweep" else 0)
        with time_machine.travel(now, tick=False):
            _apply(people, bureaus, op, now)
    assert rollups.differences() == []


@pytest.mark.django_db
def test_a_close_that_cancels_the_centres_duties_in_bulk_is_counted(people):
    complaint = factories.complaint(people.alice, people.acme)
    cd.reach(complaint, cd.at(2026, 9, 30, 17))
    Complaint.objects.filter(pk=complaint.pk).update(state="escalated")
    with time_machine.travel(cd.at(2026, 10, 9, 10), tick=False):
        services.perform(complaint.pk, people.rita, "close", "The consumer settled with the shop")
    september = centre.figures(Period(date(2026, 9, 1), date(2026, 9, 30)), now=cd.at(2026, 10, 9, 10))
    assert september["duties"]["acceptance"]["cancelled"] == 1
    assert rollups.differences() == []


@pytest.mark.django_db
def test_refreshing_again_changes_nothing(people):
    rows = cd.september(people)
    tables = rollups.stored()
    for complaint in ("a", "b", "c", "d", "e", "h"):
        centre_rollups.refresh(complaint_id=rows[complaint].pk)
    for matter in Matter.objects.all():
        centre_rollups.refresh(matter_id=matter.pk)
    assert rollups.stored() == tables


@pytest.mark.django_db
def test_the_check_finds_a_centre_rollup_or_ledger_that_drifted_and_the_rebuild_mends_both(people):
    cd.september(people)
    assert rollups.differences() == []
    rollups.CentreCount.objects.filter(n__gt=0).update(n=7)
    assert rollups.differences()[0].startswith("centre ")
    CentreLedger.objects.all().update(contribution=[])
    assert any(p.startswith("centre ledger") for p in rollups.differences(limit=1000))
    rollups.rebuild()
    assert rollups.differences() == []
    assert CentreLedger.objects.count() == CentreCase.objects.count() + Matter.objects.count()
