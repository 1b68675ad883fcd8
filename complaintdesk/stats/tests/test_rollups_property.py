"""The rollups always equal a recomputation from the raw rows, whatever happens to the complaints."""

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.complaints import services
from complaintdesk.complaints.lifecycle import ACTIONS, ActionForbidden, TransitionError
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Policy, PolicyRule
from complaintdesk.deadlines.recompute import recompute_open_deadlines
from complaintdesk.deadlines.services import ensure_default_policy
from complaintdesk.lib.errors import FieldError
from complaintdesk.pledges.models import ComplaintCommitment
from complaintdesk.stats import rollups

START = datetime(2026, 12, 30, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # across a year's end
MERCHANT_ACTIONS = {"respond", "reply", "request_info", "propose_resolution"}
CONSUMER_ACTIONS = {"provide_info", "accept", "dispute", "withdraw"}

file_op = st.tuples(
    st.just("file"),
    st.sampled_from(["acme", "bazaar"]),
    st.sampled_from(["delivery", "quality", "other"]),
    st.sampled_from(["complaint", "quality_issue"]),
    st.sampled_from(["web", "hotline_12315"]),
    st.sampled_from(["online_shopping", "offline_retail"]),
)
action_op = st.tuples(st.just("act"), st.integers(0, 30), st.sampled_from(ACTIONS))
tag_op = st.tuples(st.just("tag"), st.integers(0, 30), st.integers(1, 8))
untag_op = st.tuples(st.just("untag"), st.integers(0, 30))
sweep_op = st.tuples(st.just("sweep"))
relabel_op = st.tuples(st.just("relabel"), st.integers(0, 1000))
operations = st.lists(
    st.tuples(
        st.integers(0, 40),  # minutes until this operation (time runs on)
        st.one_of(file_op, file_op, action_op, action_op, action_op, tag_op, untag_op, sweep_op, relabel_op),
    ),
    max_size=30,
)


def _apply(people, op, now):
    kind = op[0]
    complaints = list(Complaint.objects.order_by("id").select_related("consumer", "merchant"))
    if kind == "file":
        _, shop, category, k, channel, sector = op
        factories.complaint(
            people.alice, getattr(people, shop), category=category, kind=k, channel=channel, sector=sector
        )
    elif kind == "act" and complaints:
        complaint = complaints[op[1] % len(complaints)]
        action = op[2]
        if action in MERCHANT_ACTIONS:
            actor = people.bob if complaint.merchant == people.acme else people.dave
        elif action in CONSUMER_ACTIONS:
            actor = complaint.consumer
        else:
            actor = people.rita
        resolution = {"type": "refund"} if action == "propose_resolution" else None
        with contextlib.suppress(TransitionError, ActionForbidden, FieldError):  # refused: nothing changes
            services.perform(complaint.pk, actor, action, "message", resolution)
    elif kind == "tag" and complaints:
        ComplaintCommitment.objects.get_or_create(complaint=complaints[op[1] % len(complaints)], number=op[2])
    elif kind == "untag":
        tags = list(ComplaintCommitment.objects.order_by("id"))
        if tags:
            tags[op[1] % len(tags)].delete()
    elif kind == "sweep":
        sweep.sweep(now)
    elif kind == "relabel":
        # The regulator replaces the policy; recomputation moves open deadlines onto the new rules.
        for retired in Policy.objects.filter(is_active=True):
            Policy.objects.filter(pk=retired.pk).update(is_active=False, name=f"Retired policy #{retired.pk}")
        for rule in ensure_default_policy().rules.all():
            PolicyRule.objects.filter(pk=rule.pk).update(label=f"{rule.label}, edition {op[1]}")
        recompute_open_deadlines(None, "policy changed")


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_rollups_equal_a_recomputation_after_any_operations(people, ops):
    now = START
    for minutes, op in ops:
        now += timedelta(minutes=minutes)
        with time_machine.travel(now, tick=False):
            _apply(people, op, now)
    assert rollups.differences() == []


@pytest.mark.django_db
def test_the_check_finds_a_rollup_that_drifted(people):
    factories.complaint(people.alice, people.acme)
    assert rollups.differences() == []
    rollups.ComplaintCount.objects.update(received=5)
    assert rollups.differences()[0].startswith("complaints ")
    assert rollups.rebuild() > 0
    assert rollups.differences() == []


@pytest.mark.django_db
def test_the_check_covers_the_times_of_replies_and_resolutions(people):
    complaint = factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")
    services.perform(complaint.pk, people.bob, "reply", "Checking")
    services.perform(complaint.pk, people.bob, "propose_resolution", "Refund", {"type": "refund"})
    services.perform(complaint.pk, people.alice, "accept", "")
    stored = rollups.ResponseTimeCount.objects.filter(shop=people.acme.pk)
    assert sorted(stored.values_list("phase", flat=True)) == ["first_response", "reply", "resolution"]
    assert rollups.differences() == []
    stored.filter(phase="resolution").update(n=2)
    assert rollups.differences()[0].startswith("response ")
