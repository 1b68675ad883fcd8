"""Every action × role × state against an expectation written out by hand from SPEC §2 (not from the table)."""

import itertools

import pytest

from complaintdesk.complaints import lifecycle
from complaintdesk.complaints.choices import EventKind, State

S = State
MERCHANT = ("merchant_agent", "merchant_coordinator")
ROLES = ("consumer", "merchant_agent", "merchant_coordinator", "regulator", "system")
ALL_STATES = [s.value for s in State]
OPEN = [
    "submitted",
    "responded",
    "awaiting_consumer",
    "resolution_proposed",
    "disputed",
    "escalated",
    "in_mediation",
]


def _legal():
    legal = {}

    def allow(action, roles, sources, target):
        for role, source in itertools.product(roles, sources):
            legal[(action, role, source)] = target if target != "same" else source

    allow("respond", MERCHANT, ["submitted"], "responded")
    allow("respond", MERCHANT, ["escalated", "in_mediation", "testing"], "same")
    allow("reply", MERCHANT, ["submitted"], "responded")
    allow(
        "reply",
        MERCHANT,
        ["responded", "disputed", "escalated", "in_mediation", "testing", "resolution_proposed"],
        "same",
    )
    working = ["submitted", "responded", "disputed", "escalated", "in_mediation"]
    allow("request_info", MERCHANT + ("regulator",), working, "awaiting_consumer")
    allow("provide_info", ["consumer"], ["awaiting_consumer"], "responded")
    allow("propose_resolution", MERCHANT + ("regulator",), working, "resolution_proposed")
    allow("accept", ["consumer"], ["resolution_proposed"], "resolved")
    allow("dispute", ["consumer"], ["resolution_proposed"], "disputed")
    # At any point before the end, testing included (withdrawing during mediation terminates it on ground 1).
    allow("withdraw", ["consumer"], [*OPEN, "testing"], "withdrawn")
    allow("escalate", ["consumer"], ["disputed"], "escalated")
    allow(
        "escalate",
        ["regulator", "system"],
        ["submitted", "responded", "awaiting_consumer", "resolution_proposed", "disputed"],
        "escalated",
    )
    allow("start_mediation", ["regulator"], ["escalated", "disputed"], "in_mediation")
    allow("close", ["regulator"], ["resolved", "escalated", "in_mediation", "disputed"], "closed")
    return legal


LEGAL = _legal()
MAY_EVER = {(action, role) for action, role, _ in LEGAL}


def test_the_table_has_exactly_the_actions_of_the_spec():
    assert set(lifecycle.ACTIONS) == {
        "respond", "reply", "request_info", "provide_info", "propose_resolution", "accept", "dispute",
        "withdraw", "escalate", "start_mediation", "close",
        # SPEC §7, the centre's procedure (§10)
        "accept_case", "refuse_case", "transfer", "pause_for_testing", "resume_after_testing",
        "record_agreement", "terminate_mediation", "send_termination_notice",
    }  # fmt: skip


@pytest.mark.parametrize("action", sorted({a for a, _, _ in LEGAL}))
def test_every_role_and_state_gets_the_expected_answer(action):
    for role, state in itertools.product(ROLES, ALL_STATES):
        expected = LEGAL.get((action, role, state))
        if expected is not None:
            assert lifecycle.target_state(action, role, state) == expected, (role, state)
        elif (action, role) in MAY_EVER:
            with pytest.raises(lifecycle.TransitionError, match=f"cannot .* that is {state}"):
                lifecycle.target_state(action, role, state)
        else:
            with pytest.raises(lifecycle.ActionForbidden, match=f"a {role} may not"):
                lifecycle.target_state(action, role, state)


def test_provide_info_returns_to_the_state_the_request_came_from():
    assert (
        lifecycle.target_state("provide_info", "consumer", "awaiting_consumer", "in_mediation")
        == "in_mediation"
    )
    assert lifecycle.target_state("provide_info", "consumer", "awaiting_consumer", "disputed") == "disputed"


def test_terminal_states_allow_nothing_but_closing_a_resolved_complaint():
    for action, role in itertools.product(lifecycle.ACTIONS, ROLES):
        for state in ("closed", "withdrawn"):
            assert (action, role, state) not in LEGAL
            with pytest.raises((lifecycle.TransitionError, lifecycle.ActionForbidden)):
                lifecycle.target_state(action, role, state)


def test_unknown_action_names_the_known_ones():
    with pytest.raises(lifecycle.TransitionError, match="unknown action 'refund'; actions are: respond"):
        lifecycle.target_state("refund", "consumer", "submitted")


ON_BEHALF = ("provide_info", "accept", "dispute", "withdraw")


@pytest.mark.parametrize("action", sorted({a for a, _, _ in LEGAL}))
def test_without_an_account_the_regulator_takes_the_consumers_own_steps_and_nothing_more(action):
    # A hotline or back-office complaint has no consumer account: the regulator records what the consumer
    # said. Every other answer stays as it is.
    for role, state in itertools.product(ROLES, ALL_STATES):
        expected = LEGAL.get((action, role, state))
        if role == "regulator" and action in ON_BEHALF:
            expected = LEGAL.get((action, "consumer", state))
        try:
            got = lifecycle.target_state(action, role, state, consumer_has_account=False)
        except (lifecycle.TransitionError, lifecycle.ActionForbidden):
            got = None
        assert got == expected, (role, state)


# docs/decisions.md, "Which actions meet which deadline", written out by hand: (phases met, who meets them,
# clock change, the centre's duties started). The shop meets its own deadlines; the consumer's acceptance
# meets the resolution whoever records it; only an officer meets a duty of the centre's.
FR, REPLY, RES = "first_response", "reply", "resolution"
SHOP, ANYONE, OFFICER = set(MERCHANT), set(ROLES), {"regulator"}
DEADLINE_EFFECTS = {
    "respond": ((FR,), SHOP, None, ()),
    "reply": ((FR, REPLY), SHOP, None, ()),
    "request_info": ((FR,), SHOP, "pause_resolution", ()),
    "provide_info": ((), SHOP, "resume_resolution", ()),
    "propose_resolution": ((FR, REPLY), SHOP, None, ()),
    "accept": ((RES,), ANYONE, None, ()),
    "dispute": ((), SHOP, None, ()),
    "withdraw": ((), SHOP, "cancel", ()),
    "escalate": ((), SHOP, None, ()),
    "close": ((), SHOP, "cancel", ()),
    # SPEC §10: acceptance within 7 working days of receipt, mediation from acceptance, testing not counted,
    # the termination notice within 7 working days of the decision.
    "start_mediation": (("acceptance",), OFFICER, None, ("mediation",)),
    "accept_case": (("acceptance",), OFFICER, None, ("mediation",)),
    "refuse_case": (("acceptance",), OFFICER, "cancel", ()),
    "transfer": ((), OFFICER, None, ("acceptance",)),
    "pause_for_testing": ((), OFFICER, "pause_mediation", ()),
    "resume_after_testing": ((), OFFICER, "resume_mediation", ()),
    "record_agreement": (("mediation",), OFFICER, "cancel", ()),
    "terminate_mediation": (("mediation",), OFFICER, "cancel", ("termination_notice",)),
    "send_termination_notice": (("termination_notice",), OFFICER, None, ()),
}


def test_every_action_has_its_deadline_effects_written_out():
    assert set(DEADLINE_EFFECTS) == set(lifecycle.ACTIONS)


@pytest.mark.parametrize("action", sorted(DEADLINE_EFFECTS))
def test_each_transition_carries_its_deadline_effects_and_only_the_shop_meets_its_own(action):
    meets, meeting_roles, clock, starts = DEADLINE_EFFECTS[action]
    transition = lifecycle.TRANSITIONS[action]
    assert tuple(transition.starts) == starts
    for role in ROLES:
        met, change = transition.deadline_effects(role)
        expected = meets if role in meeting_roles else ()
        assert (tuple(met), change) == (expected, clock), role


# The centre's steps (SPEC §10), by hand: who, from which states, at which stage of the centre's case
# (none: not at the centre; received: awaiting the decision to accept; mediating: accepted; ended).
STAGES = ("none", "received", "mediating", "ended")
UNDECIDED = ["escalated", "disputed"]
MEDIATING = ["in_mediation", "awaiting_consumer", "resolution_proposed", "disputed"]


def _centre_legal():
    legal = {}

    def allow(action, roles, sources, stages, target):
        for role, source, stage in itertools.product(roles, sources, stages):
            legal[(action, role, source, stage)] = source if target == "same" else target

    # A complaint that never reached the centre (a disputed one) reaches it when an officer accepts it.
    allow("accept_case", ["regulator"], UNDECIDED, ["none", "received"], "in_mediation")
    allow("start_mediation", ["regulator"], UNDECIDED, ["none", "received"], "in_mediation")
    allow("refuse_case", ["regulator"], UNDECIDED, ["received"], "refused")
    allow("transfer", ["regulator"], UNDECIDED, ["received"], "same")
    allow("pause_for_testing", ["regulator"], ["in_mediation"], ["mediating"], "testing")
    allow("resume_after_testing", ["regulator"], ["testing"], ["mediating"], "in_mediation")
    # The shop and the consumer go on talking during mediation; the centre may end it from any such state.
    allow("record_agreement", ["regulator"], [*MEDIATING, "testing"], ["mediating"], "agreed")
    allow(
        "terminate_mediation", ["regulator", "system"], [*MEDIATING, "testing"], ["mediating"], "terminated"
    )
    allow("send_termination_notice", ["regulator"], ["terminated"], ["ended"], "same")
    # Escalating brings the complaint to the centre, or back to its desk before it decided; not after.
    for (action, role, state), target in LEGAL.items():
        if action == "escalate":
            legal[(action, role, state, "none")] = legal[(action, role, state, "received")] = target
    return legal


CENTRE_LEGAL = _centre_legal()
CENTRE_MAY_EVER = {(action, role) for action, role, _, _ in CENTRE_LEGAL}


@pytest.mark.parametrize("action", sorted({a for a, _, _, _ in CENTRE_LEGAL}))
def test_the_centres_steps_get_the_expected_answer_at_every_stage(action):
    for role, state, stage in itertools.product(ROLES, ALL_STATES, STAGES):
        expected = CENTRE_LEGAL.get((action, role, state, stage))
        if expected is not None:
            assert lifecycle.target_state(action, role, state, centre_stage=stage) == expected, (role, state)
        elif (action, role) in CENTRE_MAY_EVER:
            with pytest.raises(lifecycle.TransitionError, match="cannot"):
                lifecycle.target_state(action, role, state, centre_stage=stage)
        else:
            with pytest.raises(lifecycle.ActionForbidden, match=f"a {role} may not"):
                lifecycle.target_state(action, role, state, centre_stage=stage)


def test_a_step_at_the_wrong_stage_says_where_the_complaint_stands():
    with pytest.raises(lifecycle.TransitionError, match="already accepted|has accepted the complaint"):
        lifecycle.target_state("accept_case", "regulator", "disputed", centre_stage="mediating")
    with pytest.raises(lifecycle.TransitionError, match="has not reached the 12315 centre"):
        lifecycle.target_state("refuse_case", "regulator", "disputed", centre_stage="none")


def test_the_centres_steps_that_need_a_ground_name_the_articles_list():
    assert lifecycle.TRANSITIONS["refuse_case"].grounds.values == [1, 2, 3, 4, 5, 6]
    assert lifecycle.TRANSITIONS["terminate_mediation"].grounds.values == [1, 2, 3, 4, 5, 6, 7]
    assert {a for a, t in lifecycle.TRANSITIONS.items() if t.grounds} == {
        "refuse_case",
        "terminate_mediation",
    }
    assert {a for a, t in lifecycle.TRANSITIONS.items() if t.needs_bureau} == {"transfer"}
    assert {a for a, t in lifecycle.TRANSITIONS.items() if t.needs_terms} == {"record_agreement"}


def test_actions_and_the_other_event_names_are_two_sets_without_a_common_name():
    assert set(lifecycle.Action) == set(lifecycle.ACTIONS)
    assert not set(lifecycle.Action) & set(EventKind)
