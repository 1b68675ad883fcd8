"""The complaint lifecycle of SPEC §2: every action, who may take it, from which states, to which state.

This table is the one place that says what may happen to a complaint. `services.perform` applies it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.choices import State
from complaintdesk.lib.errors import Conflict

MERCHANT = frozenset({Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR})
CONSUMER = frozenset({Role.CONSUMER})
REGULATOR = frozenset({Role.REGULATOR})
SYSTEM = "system"

# States in which the shop is still expected to work on the complaint.
_SHOP_WORKING = frozenset(
    {State.SUBMITTED, State.RESPONDED, State.DISPUTED, State.ESCALATED, State.IN_MEDIATION}
)
_ESCALATABLE = frozenset(
    {State.SUBMITTED, State.RESPONDED, State.AWAITING_CONSUMER, State.RESOLUTION_PROPOSED, State.DISPUTED}
)
# A consumer may leave at any point before the end.
_WITHDRAWABLE = frozenset(State) - {State.RESOLVED, State.CLOSED, State.WITHDRAWN}


@dataclass(frozen=True)
class Transition:
    action: str
    roles: frozenset
    sources: frozenset
    # None: the state does not change (a message in the same state); "resume": back to resume_state.
    target: str | None
    needs_message: bool = True
    needs_resolution: bool = False
    # The target state when the source is submitted (a human message is the first response).
    from_submitted: str | None = None
    # A consumer's step that a regulator officer records for a consumer without an account (a hotline
    # or back-office complaint): what the consumer said by phone or at the counter. Nobody else could.
    on_behalf: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("respond", MERCHANT, frozenset({State.SUBMITTED, State.ESCALATED, State.IN_MEDIATION}), None,
                   from_submitted=State.RESPONDED),
        Transition("reply", MERCHANT, _SHOP_WORKING | {State.RESOLUTION_PROPOSED}, None,
                   from_submitted=State.RESPONDED),
        Transition("request_info", MERCHANT | REGULATOR, _SHOP_WORKING, State.AWAITING_CONSUMER),
        Transition("provide_info", CONSUMER, frozenset({State.AWAITING_CONSUMER}), "resume", on_behalf=True),
        Transition("propose_resolution", MERCHANT | REGULATOR, _SHOP_WORKING, State.RESOLUTION_PROPOSED,
                   needs_resolution=True),
        Transition("accept", CONSUMER, frozenset({State.RESOLUTION_PROPOSED}), State.RESOLVED, needs_message=False,
                   on_behalf=True),
        Transition("dispute", CONSUMER, frozenset({State.RESOLUTION_PROPOSED}), State.DISPUTED, on_behalf=True),
        Transition("withdraw", CONSUMER, _WITHDRAWABLE, State.WITHDRAWN, needs_message=False, on_behalf=True),
        Transition("escalate", CONSUMER | REGULATOR | {SYSTEM}, _ESCALATABLE, State.ESCALATED),
        Transition("start_mediation", REGULATOR, frozenset({State.ESCALATED, State.DISPUTED}), State.IN_MEDIATION),
        Transition("close", REGULATOR,
                   frozenset({State.RESOLVED, State.ESCALATED, State.IN_MEDIATION, State.DISPUTED}), State.CLOSED),
    ]
}  # fmt: skip

ACTIONS = tuple(TRANSITIONS)

# A consumer's escalation is a request for the regulator's help; only after a dispute or a breach.
CONSUMER_ESCALATION_SOURCES = frozenset({State.DISPUTED})


class TransitionError(Conflict):
    """An action that the lifecycle does not allow now: answered with HTTP 409, nothing changes."""


class ActionForbidden(Exception):
    """The actor's role may never take this action: answered with HTTP 403."""


def acts_for_consumer(action: str, role: str, consumer_has_account: bool) -> bool:
    """Whether `role` takes the consumer's step `action` for a consumer who has no account."""
    transition = TRANSITIONS.get(action)
    return bool(transition and transition.on_behalf and role == Role.REGULATOR and not consumer_has_account)


def target_state(
    action: str, role: str, state: str, resume_state: str = "", consumer_has_account: bool = True
) -> str:
    """The state after `role` takes `action` in `state`, or an exception saying why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(
            _("unknown action %(action)r; actions are: %(actions)s")
            % {"action": action, "actions": ", ".join(ACTIONS)}
        )
    if role not in transition.roles and not acts_for_consumer(action, role, consumer_has_account):
        raise ActionForbidden(
            _("a %(role)s may not %(action)s a complaint")
            % {"role": role, "action": action.replace("_", " ")}
        )
    allowed = transition.sources
    if role == Role.CONSUMER and action == "escalate":
        allowed = CONSUMER_ESCALATION_SOURCES
    if state not in allowed:
        raise TransitionError(
            _("cannot %(action)s a complaint that is %(state)s; allowed from: %(allowed)s")
            % {"action": action.replace("_", " "), "state": state, "allowed": ", ".join(sorted(allowed))}
        )
    if state == State.SUBMITTED and transition.from_submitted:
        return transition.from_submitted
    if transition.target == "resume":
        return resume_state or State.RESPONDED
    return transition.target or state
