"""What each outbox event is, in words (the back office's outbox list names them so). The event codes are
what the senders pass to `outbox.enqueue` and what a webhook receives; they stay codes there."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    # complaints.notices: a filing, and the steps the consumer or the shop is told about.
    "complaint_filed": _("Complaint filed"),
    "complaint_respond": _("The shop answered a complaint"),
    "complaint_reply": _("The shop replied to a quality problem"),
    "complaint_request_info": _("More information asked for"),
    "complaint_provide_info": _("The consumer answered a question"),
    "complaint_propose_resolution": _("Resolution proposed"),
    "complaint_accept": _("The consumer accepted the proposal"),
    "complaint_dispute": _("The consumer disputed the proposal"),
    "complaint_withdraw": _("The consumer withdrew a complaint"),
    "complaint_escalate": _("Complaint escalated to the 12315 centre"),
    "complaint_close": _("Complaint closed"),
    "complaint_refuse_case": _("Complaint not accepted by the centre"),
    "complaint_transfer": _("Complaint transferred to another bureau"),
    "complaint_pause_for_testing": _("Mediation paused for testing"),
    "complaint_resume_after_testing": _("Mediation resumed after testing"),
    "complaint_rating_invitation": _("Invitation to rate the centre's handling"),
    # centre.letters: the centre's letters (centre_<kind of notice>).
    "centre_acceptance": _("Notice of acceptance"),
    "centre_refusal": _("Notice of non-acceptance"),
    "centre_agreement": _("Mediation agreement"),
    "centre_termination": _("Notice of termination of mediation"),
    "centre_report_decision": _("Decision on a report"),
    "centre_enquiry_answer": _("Answer to an enquiry"),
    # deadlines.notices
    "deadline_reminder": _("Deadline reminder"),
    "deadline_breach": _("Deadline breached"),
    "centre_deadline_reminder": _("Reminder of a duty of the centre"),
    "centre_deadline_breach": _("A duty of the centre missed"),
    "mediation_terminated": _("Mediation terminated"),
    # promotions.notices (promotion_<review decision>)
    "promotion_filed": _("Promotion filed"),
    "promotion_resubmitted": _("Promotion filing resubmitted"),
    "promotion_accept": _("Promotion filing accepted"),
    "promotion_return": _("Promotion filing returned for changes"),
    # pledges, alerts, the daily digest
    "pledge_published": _("New pledge version published"),
    "alert": _("Alert raised"),
    "daily_digest": _("Daily digest"),
}


def event_label(event: str) -> str:
    """The event's name in the active language; an event not listed shows its code."""
    label = EVENT_LABELS.get(event)
    return str(label) if label is not None else event
