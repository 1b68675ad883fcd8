"""The complaint lifecycle of SPEC §2 and §10: every action, who may take it, from which states (and, for
the 12315 centre's steps, at which stage of the centre's case), to which state, and what it does to the
deadlines and the centre's duties.

This table is the one place that says what may happen to a complaint. `services.perform` applies it;
`complaints.centre` does the centre's part of it (its case, its duties, its letters).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.models import Role
from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.complaints.choices import OPEN_STATES, State
from complaintdesk.deadlines.models import ClockChange, Phase
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
# A consumer may leave at any point before the end, also while the centre mediates (testing included):
# withdrawing then ends the mediation on art. 21 ground (1) (`complaints.centre.record`).
_WITHDRAWABLE = OPEN_STATES
# Where a complaint stands when the centre decides whether to take it: with the centre, or disputed
# (an officer may take a disputed complaint straight into mediation, as `start_mediation` always could).
_UNDECIDED = frozenset({State.ESCALATED, State.DISPUTED})
# The states of a complaint while the centre mediates: the shop and the consumer go on talking (a
# question, a proposal, a dispute), and the centre may still end the mediation from any of them.
_MEDIATING = frozenset(
    {State.IN_MEDIATION, State.AWAITING_CONSUMER, State.RESOLUTION_PROPOSED, State.DISPUTED}
)


class CentreStage(models.TextChoices):
    """Where a complaint stands with the 12315 centre (`complaints.centre.stage_of`): not there; received,
    awaiting the decision to accept; accepted and mediated; done with (refused, agreed, terminated,
    closed). The complaint's state alone cannot say it: a question or a proposal of the shop's moves the
    state at every stage."""

    NONE = "none"
    RECEIVED = "received"
    MEDIATING = "mediating"
    ENDED = "ended"


_UNDECIDED_STAGES = frozenset({CentreStage.NONE, CentreStage.RECEIVED})
_RECEIVED = frozenset({CentreStage.RECEIVED})
_IN_MEDIATION = frozenset({CentreStage.MEDIATING})
_ENDED = frozenset({CentreStage.ENDED})


class Action(models.TextChoices):
    """The lifecycle's actions, by their stable names (SPEC §7): what `services.perform` takes, what
    `/complaints/{id}/{action}` accepts, and the event each writes. The other events a complaint's log
    records (its filing, evidence, deadline reminders…) are `choices.EventKind`: they are no step anyone
    may take, so they stay out of the names an action is checked against."""

    RESPOND = "respond"
    REPLY = "reply"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    PROPOSE_RESOLUTION = "propose_resolution"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    WITHDRAW = "withdraw"
    ESCALATE = "escalate"
    START_MEDIATION = "start_mediation"
    CLOSE = "close"
    # The 12315 centre's decisions (SPEC §10).
    ACCEPT_CASE = "accept_case"
    REFUSE_CASE = "refuse_case"
    TRANSFER = "transfer"
    PAUSE_FOR_TESTING = "pause_for_testing"
    RESUME_AFTER_TESTING = "resume_after_testing"
    RECORD_AGREEMENT = "record_agreement"
    TERMINATE_MEDIATION = "terminate_mediation"
    SEND_TERMINATION_NOTICE = "send_termination_notice"


# An action as the verb of a refusal ("cannot resume after testing a complaint that is …"): in English the
# words of its code, as API clients have always read them; in another language the step's name.
ACTION_VERBS = {
    Action.RESPOND: pgettext_lazy("action verb", "respond"),
    Action.REPLY: pgettext_lazy("action verb", "reply"),
    Action.REQUEST_INFO: pgettext_lazy("action verb", "request info"),
    Action.PROVIDE_INFO: pgettext_lazy("action verb", "provide info"),
    Action.PROPOSE_RESOLUTION: pgettext_lazy("action verb", "propose resolution"),
    Action.ACCEPT: pgettext_lazy("action verb", "accept"),
    Action.DISPUTE: pgettext_lazy("action verb", "dispute"),
    Action.WITHDRAW: pgettext_lazy("action verb", "withdraw"),
    Action.ESCALATE: pgettext_lazy("action verb", "escalate"),
    Action.START_MEDIATION: pgettext_lazy("action verb", "start mediation"),
    Action.CLOSE: pgettext_lazy("action verb", "close"),
    Action.ACCEPT_CASE: pgettext_lazy("action verb", "accept case"),
    Action.REFUSE_CASE: pgettext_lazy("action verb", "refuse case"),
    Action.TRANSFER: pgettext_lazy("action verb", "transfer"),
    Action.PAUSE_FOR_TESTING: pgettext_lazy("action verb", "pause for testing"),
    Action.RESUME_AFTER_TESTING: pgettext_lazy("action verb", "resume after testing"),
    Action.RECORD_AGREEMENT: pgettext_lazy("action verb", "record agreement"),
    Action.TERMINATE_MEDIATION: pgettext_lazy("action verb", "terminate mediation"),
    Action.SEND_TERMINATION_NOTICE: pgettext_lazy("action verb", "send termination notice"),
}


def action_verb(action: str) -> str:
    """How a refusal names the action, in the active language."""
    return str(ACTION_VERBS.get(action) or action.replace("_", " "))


@dataclass(frozen=True)
class Transition:
    action: Action
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
    # What it does to the complaint's deadlines (docs/decisions.md, "Which actions meet which deadline"):
    # the phases it meets when one of `meets_by` takes it (None: whoever may take it), and the change it
    # makes to the clocks (`deadlines.services.apply_effects`).
    meets: tuple[Phase, ...] = ()
    meets_by: frozenset | None = MERCHANT
    clock: ClockChange | None = None
    # The 12315 centre's part (SPEC §10). `stages`: the stages of the centre's case the action needs (None:
    # any). `starts`: the centre's duties it starts (or restarts) at the time of the action. `grounds`: the
    # legal list the action's `ground` must come from; `needs_bureau`, `needs_terms`: its other fields.
    stages: frozenset | None = None
    starts: tuple[Phase, ...] = ()
    grounds: type[models.IntegerChoices] | None = None
    needs_bureau: bool = False
    needs_terms: bool = False

    def deadline_effects(self, role: str) -> tuple[tuple[Phase, ...], ClockChange | None]:
        """(the phases met, the clock change) when `role` takes this action."""
        met = self.meets if self.meets_by is None or role in self.meets_by else ()
        return met, self.clock


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Any human message from the shop is a first response; a reply or a proposal answers a quality issue.
        # The shop may still write while testing pauses the centre's mediation.
        Transition(Action.RESPOND, MERCHANT,
                   frozenset({State.SUBMITTED, State.ESCALATED, State.IN_MEDIATION, State.TESTING}),
                   None, from_submitted=State.RESPONDED, meets=(Phase.FIRST_RESPONSE,)),
        Transition(Action.REPLY, MERCHANT, _SHOP_WORKING | {State.RESOLUTION_PROPOSED, State.TESTING}, None,
                   from_submitted=State.RESPONDED, meets=(Phase.FIRST_RESPONSE, Phase.REPLY)),
        Transition(Action.REQUEST_INFO, MERCHANT | REGULATOR, _SHOP_WORKING, State.AWAITING_CONSUMER,
                   meets=(Phase.FIRST_RESPONSE,), clock=ClockChange.PAUSE_RESOLUTION),
        Transition(Action.PROVIDE_INFO, CONSUMER, frozenset({State.AWAITING_CONSUMER}), "resume", on_behalf=True,
                   clock=ClockChange.RESUME_RESOLUTION),
        Transition(Action.PROPOSE_RESOLUTION, MERCHANT | REGULATOR, _SHOP_WORKING, State.RESOLUTION_PROPOSED,
                   needs_resolution=True, meets=(Phase.FIRST_RESPONSE, Phase.REPLY)),
        # Only an accepted proposal resolves, whoever records the consumer's acceptance.
        Transition(Action.ACCEPT, CONSUMER, frozenset({State.RESOLUTION_PROPOSED}), State.RESOLVED,
                   needs_message=False, on_behalf=True, meets=(Phase.RESOLUTION,), meets_by=None),
        Transition(Action.DISPUTE, CONSUMER, frozenset({State.RESOLUTION_PROPOSED}), State.DISPUTED,
                   on_behalf=True),
        Transition(Action.WITHDRAW, CONSUMER, _WITHDRAWABLE, State.WITHDRAWN, needs_message=False, on_behalf=True,
                   clock=ClockChange.CANCEL),
        # The first escalation brings the complaint to the centre and starts its acceptance duty
        # (`complaints.centre.reach`); a later one, before the centre decided (the shop asked a question
        # meanwhile, say), puts it back on the centre's desk with its duty running. Once the centre has
        # accepted, the complaint is the centre's: nothing to escalate to.
        Transition(Action.ESCALATE, CONSUMER | REGULATOR | {SYSTEM}, _ESCALATABLE, State.ESCALATED,
                   stages=_UNDECIDED_STAGES),
        # The old name of accept_case, kept for clients (docs/decisions.md): the same step.
        Transition(Action.START_MEDIATION, REGULATOR, _UNDECIDED, State.IN_MEDIATION, needs_message=False,
                   stages=_UNDECIDED_STAGES, meets=(Phase.ACCEPTANCE,), meets_by=REGULATOR,
                   starts=(Phase.MEDIATION,)),
        Transition(Action.CLOSE, REGULATOR,
                   frozenset({State.RESOLVED, State.ESCALATED, State.IN_MEDIATION, State.DISPUTED}), State.CLOSED,
                   clock=ClockChange.CANCEL),
        # The centre's decisions (SPEC §10). Only an officer meets a duty of the centre's.
        Transition(Action.ACCEPT_CASE, REGULATOR, _UNDECIDED, State.IN_MEDIATION, needs_message=False,
                   stages=_UNDECIDED_STAGES, meets=(Phase.ACCEPTANCE,), meets_by=REGULATOR,
                   starts=(Phase.MEDIATION,)),
        Transition(Action.REFUSE_CASE, REGULATOR, _UNDECIDED, State.REFUSED, stages=_RECEIVED,
                   grounds=RefusalGround, meets=(Phase.ACCEPTANCE,), meets_by=REGULATOR, clock=ClockChange.CANCEL),
        # The receiving bureau's acceptance duty starts when it receives the complaint.
        Transition(Action.TRANSFER, REGULATOR, _UNDECIDED, None, stages=_RECEIVED, needs_bureau=True,
                   starts=(Phase.ACCEPTANCE,)),
        Transition(Action.PAUSE_FOR_TESTING, REGULATOR, frozenset({State.IN_MEDIATION}), State.TESTING,
                   stages=_IN_MEDIATION, clock=ClockChange.PAUSE_MEDIATION),
        Transition(Action.RESUME_AFTER_TESTING, REGULATOR, frozenset({State.TESTING}), State.IN_MEDIATION,
                   needs_message=False, stages=_IN_MEDIATION, clock=ClockChange.RESUME_MEDIATION),
        Transition(Action.RECORD_AGREEMENT, REGULATOR, _MEDIATING | {State.TESTING}, State.AGREED,
                   needs_message=False, needs_terms=True, stages=_IN_MEDIATION, meets=(Phase.MEDIATION,),
                   meets_by=REGULATOR, clock=ClockChange.CANCEL),
        # The worker terminates on ground (5) when the mediation period passes (`deadlines.sweep`).
        Transition(Action.TERMINATE_MEDIATION, REGULATOR | {SYSTEM}, _MEDIATING | {State.TESTING},
                   State.TERMINATED, stages=_IN_MEDIATION, grounds=TerminationGround, meets=(Phase.MEDIATION,),
                   meets_by=REGULATOR, clock=ClockChange.CANCEL, starts=(Phase.TERMINATION_NOTICE,)),
        # The notices of a termination the worker decided; an officer's termination sends them itself.
        Transition(Action.SEND_TERMINATION_NOTICE, REGULATOR, frozenset({State.TERMINATED}), None,
                   needs_message=False, stages=_ENDED, meets=(Phase.TERMINATION_NOTICE,), meets_by=REGULATOR),
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


# What an action at the wrong stage of the centre's case is told (the state alone looked right).
STAGE_REFUSALS = {
    CentreStage.NONE: _noop("the complaint has not reached the 12315 centre"),
    CentreStage.RECEIVED: _noop("the 12315 centre has received the complaint and not decided on it yet"),
    CentreStage.MEDIATING: _noop("the 12315 centre has accepted the complaint and is mediating it"),
    CentreStage.ENDED: _noop("the 12315 centre has finished with the complaint"),
}


def target_state(
    action: str,
    role: str,
    state: str,
    resume_state: str = "",
    consumer_has_account: bool = True,
    centre_stage: str = CentreStage.NONE,
) -> str:
    """The state after `role` takes `action` in `state` (the centre's case at `centre_stage`), or an
    exception saying why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(
            _("unknown action %(action)r; actions are: %(actions)s")
            % {"action": action, "actions": ", ".join(ACTIONS)}
        )
    if role not in transition.roles and not acts_for_consumer(action, role, consumer_has_account):
        raise ActionForbidden(
            _("a %(role)s may not %(action)s a complaint") % {"role": role, "action": action_verb(action)}
        )
    allowed = transition.sources
    if role == Role.CONSUMER and action == Action.ESCALATE:
        allowed = CONSUMER_ESCALATION_SOURCES
    if state not in allowed:
        raise TransitionError(
            _("cannot %(action)s a complaint that is %(state)s; allowed from: %(allowed)s")
            % {"action": action_verb(action), "state": state, "allowed": ", ".join(sorted(allowed))}
        )
    if transition.stages is not None and centre_stage not in transition.stages:
        raise TransitionError(
            _("cannot %(action)s: %(why)s")
            % {"action": action_verb(action), "why": _(STAGE_REFUSALS[centre_stage])}
        )
    if state == State.SUBMITTED and transition.from_submitted:
        return transition.from_submitted
    if transition.target == "resume":
        return resume_state or State.RESPONDED
    return transition.target or state
