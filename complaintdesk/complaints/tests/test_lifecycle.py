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
    allow("respond", MERCHANT, ["escalated", "in_mediation"], "same")
    allow("reply", MERCHANT, ["submitted"], "responded")
    allow(
        "reply",
        MERCHANT,
        ["responded", "disputed", "escalated", "in_mediation", "resolution_proposed"],
        "same",
    )
    working = ["submitted", "responded", "disputed", "escalated", "in_mediation"]
    allow("request_info", MERCHANT + ("regulator",), working, "awaiting_consumer")
    allow("provide_info", ["consumer"], ["awaiting_consumer"], "responded")
    allow("propose_resolution", MERCHANT + ("regulator",), working, "resolution_proposed")
    allow("accept", ["consumer"], ["resolution_proposed"], "resolved")
    allow("dispute", ["consumer"], ["resolution_proposed"], "disputed")
    allow("withdraw", ["consumer"], OPEN, "withdrawn")
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


# docs/decisions.md, "Which actions meet which deadline", written out by hand: (phases met, clock change)
# when the shop's staff take the action, and when anyone else does.
FR, REPLY, RES = "first_response", "reply", "resolution"
DEADLINE_EFFECTS = {
    "respond": ((FR,), None),
    "reply": ((FR, REPLY), None),
    "request_info": ((FR,), "pause_resolution"),
    "provide_info": ((), "resume_resolution"),
    "propose_resolution": ((FR, REPLY), None),
    "accept": ((RES,), None),
    "dispute": ((), None),
    "withdraw": ((), "cancel"),
    "escalate": ((), None),
    "start_mediation": ((), None),
    "close": ((), "cancel"),
}


@pytest.mark.parametrize("action", sorted(DEADLINE_EFFECTS))
def test_each_transition_carries_its_deadline_effects_and_only_the_shop_meets_its_own(action):
    meets, clock = DEADLINE_EFFECTS[action]
    transition = lifecycle.TRANSITIONS[action]
    for role in ROLES:
        met, change = transition.deadline_effects(role)
        # The consumer's acceptance meets the resolution whoever records it; the centre's steps meet nothing.
        expected = meets if role in MERCHANT or action == "accept" else ()
        assert (tuple(met), change) == (expected, clock), role


def test_actions_and_the_other_event_names_are_two_sets_without_a_common_name():
    assert set(lifecycle.Action) == set(lifecycle.ACTIONS)
    assert not set(lifecycle.Action) & set(EventKind)
