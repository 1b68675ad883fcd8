"""The fixed vocabularies of a complaint (SPEC §2). The category taxonomy is data (Category model)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RESPONDED = "responded", _("Responded")
    AWAITING_CONSUMER = "awaiting_consumer", _("Awaiting consumer")
    RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
    DISPUTED = "disputed", _("Disputed")
    ESCALATED = "escalated", _("Escalated")
    IN_MEDIATION = "in_mediation", _("In mediation")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # At the 12315 centre (SPEC §10): not accepted; mediation paused for testing or appraisal; mediation
    # ended in an agreement; mediation terminated on an art. 21 ground.
    REFUSED = "refused", _("Not accepted by the centre")
    TESTING = "testing", _("Mediation paused for testing")
    AGREED = "agreed", _("Mediation agreement")
    TERMINATED = "terminated", _("Mediation terminated")


TERMINAL_STATES = frozenset(
    {State.RESOLVED, State.CLOSED, State.WITHDRAWN, State.REFUSED, State.AGREED, State.TERMINATED}
)
OPEN_STATES = frozenset(State) - TERMINAL_STATES


class EventKind(models.TextChoices):
    """The events of a complaint's log (`ComplaintEvent.action`) that are no lifecycle action: facts the
    system records (a filing, a deadline reminder…), never a step someone asks to take. The actions are
    `lifecycle.Action`; the log holds both, so no value is in both. Here rather than in the lifecycle
    because the deadline sweep and recomputation record some of them, and they may read this module."""

    SUBMIT = "submit"
    IMPORT = "import"  # a complaint taken from another system (`importing`)
    ADD_EVIDENCE = "add_evidence"
    TAG_COMMITMENT = "tag_commitment"
    UNTAG_COMMITMENT = "untag_commitment"
    DEADLINE_REMINDER = "deadline_reminder"
    DEADLINE_BREACH = "deadline_breach"
    RECOMPUTE_DEADLINES = "recompute_deadlines"
    # An officer cleared a repeat-complainant flag (`complaints.flags`): in the log for officers only.
    CLEAR_FLAG = "clear_flag"
    # A group complaint (`complaints.groups`): the complaint became a member; the group's shop answer
    # was posted to it (the lifecycle step it took is its own event beside this one).
    JOIN_GROUP = "join_group"
    GROUP_ANSWER = "group_answer"


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    QUALITY_ISSUE = "quality_issue", _("Quality issue")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    HOTLINE = "hotline_12315", _("12315 hotline")
    SHOP_DIRECT = "shop_direct", _("Shop direct")
    IMPORT = "import", _("Import")
    COUNTER = "counter", _("Centre counter")


class Sector(models.TextChoices):
    ONLINE_SHOPPING = "online_shopping", _("Online shopping")
    OFFLINE_RETAIL = "offline_retail", _("Offline retail")
    FINANCIAL_SERVICES = "financial_services", _("Financial services")
    TELECOM = "telecom", _("Telecommunications")
    TRAVEL = "travel", _("Travel and transport")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class WantedOutcome(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    APOLOGY = "apology", _("Apology / explanation")


class ResolutionType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")
    VOUCHER = "voucher", _("Voucher")
    COMPENSATION = "compensation", _("Compensation")
    EXPLANATION = "explanation", _("Explanation / apology")
    OTHER = "other", _("Other")
