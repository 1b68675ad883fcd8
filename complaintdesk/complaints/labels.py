"""A complaint log's codes as people read them, in the active language: the name of each event (a lifecycle
action or a fact the system records), of the role that took it, of a state. The complaint's pages, its
timeline, its notices and the back office all say them with these words; the codes stay for programs."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.lifecycle import SYSTEM, Action

# An action's name as its button says it; an event the system records by what happened.
ACTION_LABELS = {
    EventKind.SUBMIT: _("Complaint filed"),
    EventKind.IMPORT: _("Imported from another system"),
    EventKind.ADD_EVIDENCE: _("Evidence added"),
    Action.RESPOND: _("Respond"),
    Action.REPLY: _("Reply"),
    Action.REQUEST_INFO: _("Ask for information"),
    Action.PROVIDE_INFO: _("Provide information"),
    Action.PROPOSE_RESOLUTION: _("Propose a resolution"),
    Action.ACCEPT: _("Accept the proposal"),
    Action.DISPUTE: _("Dispute the proposal"),
    Action.WITHDRAW: _("Withdraw the complaint"),
    Action.ESCALATE: _("Escalate to the 12315 centre"),
    Action.START_MEDIATION: _("Start mediation"),
    Action.CLOSE: _("Close the case"),
    Action.ACCEPT_CASE: _("Accept the complaint"),
    Action.REFUSE_CASE: _("Do not accept the complaint"),
    Action.TRANSFER: _("Transfer to another bureau"),
    Action.PAUSE_FOR_TESTING: _("Pause mediation for testing"),
    Action.RESUME_AFTER_TESTING: _("Resume mediation after testing"),
    Action.RECORD_AGREEMENT: _("Record the mediation agreement"),
    Action.TERMINATE_MEDIATION: _("Terminate mediation"),
    Action.SEND_TERMINATION_NOTICE: _("Send the termination notice"),
    EventKind.DEADLINE_REMINDER: _("Deadline reminder"),
    EventKind.DEADLINE_BREACH: _("Deadline breached"),
    EventKind.RECOMPUTE_DEADLINES: _("Deadlines recomputed"),
    EventKind.TAG_COMMITMENT: _("Pledge commitment alleged broken"),
    EventKind.UNTAG_COMMITMENT: _("Allegation withdrawn"),
    EventKind.CLEAR_FLAG: _("Flag for review cleared"),
    EventKind.JOIN_GROUP: _("Joined the group complaint"),
    EventKind.GROUP_ANSWER: _("The shop's answer to the group complaint"),
}

# The timeline says what was done, in its own words where the button's would mislead: "Resolution" alone
# is the resolution deadline's name (处理完结), not a proposal.
TIMELINE_LABELS = {
    Action.PROPOSE_RESOLUTION: pgettext_lazy("timeline", "Proposed a resolution"),
}

# Who took a step: a role, or the worker.
ACTOR_LABELS = {**dict(Role.choices), SYSTEM: _("System")}


def timeline_label(action: str) -> str:
    """What an event of the log did, as the timeline and the back office name it."""
    return str(TIMELINE_LABELS.get(action) or ACTION_LABELS.get(action, action.replace("_", " ")))


def actor_label(role: str) -> str:
    return str(ACTOR_LABELS.get(role, role))


def state_label(state: str) -> str:
    """A state's name; empty for none (an event that changed no state), the code for one not known."""
    if not state:
        return ""
    return str(State(state).label) if state in State.values else state
