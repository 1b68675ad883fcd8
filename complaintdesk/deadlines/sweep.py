"""The worker's deadline duties: remind the shop at 75 % of a window, breach and escalate at its end; and
hand a complaint to the 12315 centre when the consumer's window to answer the shop's question has passed.

The centre's own duties (SPEC §10: a complaint's acceptance, mediation and termination notice, a report's
decision, an enquiry's answer) run on the same rows and the same steps, with three differences: the
reminder at 75 % and the breach go to the centre's officers, not the shop; a breach is recorded and told,
never escalated (there is nobody above the centre to escalate to); and the end of the mediation period
terminates the mediation on art. 21 ground (5), which meets the mediation duty (it is the duty's lawful
end, not a breach), and whose notices an officer then sends.

Exactly once, with several workers and across crashes:
1. Each deadline is handled in its own transaction that locks the row (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL, so a second worker skips it rather than waits; SQLite's IMMEDIATE transactions serialise).
2. The step is claimed with a conditional update (`… WHERE reminded_at IS NULL`); a worker whose update
   changed no row lost the race and moves on (healthchecks `sendalerts`).
3. The claim, the complaint's escalation, its event and the outbox rows commit together, so a worker killed
   mid-way leaves either all of it or none of it, and none is repeated after a restart.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints import centre, lifecycle, services
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.services import record_event
from complaintdesk.deadlines import notices
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus, Phase

log = logging.getLogger(__name__)

# An item that fails unexpectedly is looked at again this much later, so it cannot spin the loop.
RETRY_LATER = timedelta(minutes=5)
# A running worker handles a due row well within this (a failed item is retried after RETRY_LATER): a step
# taken later means no worker ran meanwhile (`ops.health` watches for it). A mediation period the worker ends
# within it ended at its limit; later, the worker ran late.
WORKER_LATE = timedelta(minutes=10)

PHASE_WORDS = {
    Phase.FIRST_RESPONSE: "first response",
    Phase.REPLY: "reply to the quality issue",
    Phase.RESOLUTION: "resolution",
    Phase.ACCEPTANCE: "the centre's decision to accept",
    Phase.MEDIATION: "the end of mediation",
    Phase.TERMINATION_NOTICE: "the notice of termination",
    Phase.REPORT_DECISION: "the decision on the report",
    Phase.ENQUIRY_ANSWER: "the answer to the enquiry",
}
OUTCOMES = ("reminded", "breached", "unanswered", "terminated")


def due_ids(now: datetime, limit: int = 500) -> list[int]:
    """Deadlines needing attention now: a range scan on the partial index `deadline_due_work`."""
    return list(
        Deadline.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", flat=True)[:limit]
    )


def handle(deadline_id: int, now: datetime | None = None) -> str | None:
    """Do what one deadline needs at `now`: 'reminded', 'breached', or None (nothing, or another worker's)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _handle_locked(deadline_id, now)
    except Exception:
        Deadline.objects.filter(pk=deadline_id, next_check_at__lte=now).update(
            next_check_at=now + RETRY_LATER
        )
        raise


def _handle_locked(deadline_id: int, now: datetime) -> str | None:
    deadline = (
        Deadline.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("complaint__merchant", "matter")
        .filter(pk=deadline_id, next_check_at__lte=now)
        .first()
    )
    if deadline is None:
        return None
    if (
        deadline.status == DeadlineStatus.PAUSED
        and deadline.met_at is None
        and deadline.phase == Phase.RESOLUTION
    ):
        return _unanswered(deadline, now)
    if deadline.met_at is not None or deadline.status != DeadlineStatus.OPEN:
        Deadline.objects.filter(pk=deadline.pk).update(next_check_at=None)
        return None
    if now >= deadline.due_at:
        if deadline.phase == Phase.MEDIATION:
            return _mediation_ended(deadline, now)
        if deadline.phase not in SHOP_PHASES:
            return _centre_breach(deadline, now)
        return _breach(deadline, now)
    if now >= deadline.remind_at and deadline.reminded_at is None:
        return _remind(deadline, now)
    # Woken early (e.g. after a recomputation): sleep until the next step.
    next_at = deadline.due_at if deadline.reminded_at else deadline.remind_at
    Deadline.objects.filter(pk=deadline.pk).update(next_check_at=next_at)
    return None


def _remind(deadline: Deadline, now: datetime, *, guarded: bool = True) -> str | None:
    """Claim the reminder and send it. `guarded=False` drops the claim's condition: only the concurrency
    suite's sanity test does that, to show on this very code the double reminder the condition prevents
    (pretix's debug flag that skips its lock)."""
    claim = Deadline.objects.filter(pk=deadline.pk)
    if guarded:
        claim = claim.filter(reminded_at__isnull=True)
    claimed = claim.update(reminded_at=now, next_check_at=deadline.due_at)
    if claimed != 1:
        return None
    what = PHASE_WORDS[deadline.phase]
    if deadline.phase in SHOP_PHASES:
        notices.reminder(deadline, _payload(deadline))
    else:
        notices.centre_reminder(deadline, _payload(deadline))
    _record(deadline, EventKind.DEADLINE_REMINDER, f"Reminder sent: {what} due {_local_due(deadline)}", now)
    return "reminded"


def _breach(deadline: Deadline, now: datetime) -> str | None:
    if not _claim_breach(deadline, now):
        return None
    complaint = deadline.complaint
    message = _breach_words(deadline)
    _record(deadline, EventKind.DEADLINE_BREACH, message, now)
    try:
        services.perform(complaint.pk, None, lifecycle.Action.ESCALATE, message, at=now)
        escalated = True
    except lifecycle.TransitionError:
        escalated = False  # already with the regulator (escalated, in mediation) or finished
    notices.breach(deadline, escalated, {**_payload(deadline), "escalated": escalated})
    return "breached"


def _claim_breach(deadline: Deadline, now: datetime) -> bool:
    claimed = Deadline.objects.filter(pk=deadline.pk, breached_at__isnull=True, met_at__isnull=True).update(
        breached_at=now, status=DeadlineStatus.BREACHED, next_check_at=None
    )
    return claimed == 1


def _centre_breach(deadline: Deadline, now: datetime) -> str | None:
    """A duty of the centre's passed unmet: recorded on the matter and told to the officers (who are the
    centre: nobody to escalate to). Met later, it counts as met late."""
    if not _claim_breach(deadline, now):
        return None
    _record(deadline, EventKind.DEADLINE_BREACH, _breach_words(deadline), now)
    notices.centre_breach(deadline, _payload(deadline))
    return "breached"


def _mediation_ended(deadline: Deadline, now: datetime) -> str | None:
    """The mediation period passed without agreement or termination: the mediation ends on art. 21 ground
    (5), once (the claim is the guard), and the termination notice duty starts. The officers are told to
    send the notices (`send_termination_notice`); the worker sends none itself.

    The duty is to end the mediation by its limit, and ending it there meets it: in time, met at the limit,
    when the worker took the step on its usual cadence (within WORKER_LATE); met late, when the worker did,
    only if it ran late (a downtime). Never a breach: a lawful time-out is no mediation missed."""
    ended_at = deadline.due_at if now - deadline.due_at <= WORKER_LATE else now
    claimed = Deadline.objects.filter(
        pk=deadline.pk, status=DeadlineStatus.OPEN, met_at__isnull=True, breached_at__isnull=True
    ).update(met_at=ended_at, status=DeadlineStatus.MET, next_check_at=None)
    if claimed != 1:
        return None
    message = (
        f"The mediation period ended on {_local_due(deadline)} without agreement: mediation is terminated "
        f"(art. 21 ground (5); {deadline.rule_label})."
    )
    try:
        services.perform(
            deadline.complaint_id, None, lifecycle.Action.TERMINATE_MEDIATION, message, at=now,
            details=centre.Details(ground=centre.TIME_LIMIT_GROUND),
        )  # fmt: skip
    except lifecycle.TransitionError:
        # Not at a stage the mediation can end from (a complaint at the centre from before it kept cases,
        # say): the period passed unmet, which is all there is to record.
        Deadline.objects.filter(pk=deadline.pk).update(
            met_at=None, status=DeadlineStatus.BREACHED, breached_at=now
        )
        _record(deadline, EventKind.DEADLINE_BREACH, _breach_words(deadline), now)
        return "breached"
    notices.mediation_ended(deadline, _payload(deadline))
    return "terminated"


def _unanswered(deadline: Deadline, now: datetime) -> str | None:
    """The consumer's answer window passed with the resolution clock still paused: the complaint goes to the
    12315 centre, which decides how to go on (reach the consumer, mediate, close)."""
    claimed = Deadline.objects.filter(
        pk=deadline.pk, status=DeadlineStatus.PAUSED, next_check_at__lte=now
    ).update(next_check_at=None)
    if claimed != 1:
        return None

    if deadline.complaint.state != State.AWAITING_CONSUMER:
        return None  # it left the wait another way (escalated on a breach, say): no question is open

    days = settings.CONSUMER_ANSWER_WORKING_DAYS
    message = (
        f"The consumer has not answered the request for information within {days} working days: "
        "the 12315 centre decides how to go on."
    )
    try:
        services.perform(deadline.complaint_id, None, lifecycle.Action.ESCALATE, message, at=now)
    except lifecycle.TransitionError:
        return None  # answered, escalated or finished meanwhile
    return "unanswered"


def _payload(deadline: Deadline) -> dict:
    facts = {"phase": deadline.phase, "due_at": deadline.due_at.isoformat(), "rule": deadline.rule_label}
    complaint = deadline.complaint
    if complaint is None:  # a report or an enquiry: the centre's alone, no shop to name
        return {"matter": deadline.matter_id, "reference": deadline.matter.reference, **facts}
    return {
        "complaint": complaint.pk,
        "reference": complaint.reference,
        "merchant": complaint.merchant_id,
        **facts,
    }


def _local_due(deadline: Deadline) -> str:
    return timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")


def _breach_words(deadline: Deadline) -> str:
    what = PHASE_WORDS[deadline.phase]
    return f"Deadline breached: {what} was due {_local_due(deadline)} ({deadline.rule_label})."


def _record(deadline: Deadline, action: EventKind, message: str, now: datetime) -> None:
    """The step on the complaint's log. A report's or an enquiry's duty keeps it on its deadline row
    (reminded_at, breached_at): a matter has no event log."""
    complaint = deadline.complaint
    if complaint is None:
        return
    record_event(
        complaint, None, action, complaint.state, complaint.state, message,
        data={"deadline": deadline.pk, "phase": deadline.phase}, at=now,
    )  # fmt: skip


def sweep(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """One pass over what is due now. Returns counts by outcome."""
    now = now or timezone.now()
    counts = dict.fromkeys(OUTCOMES, 0)
    for deadline_id in due_ids(now, limit):
        try:
            outcome = handle(deadline_id, now)
        except Exception:
            log.exception("deadline %s failed; retrying in %s", deadline_id, RETRY_LATER)
            continue
        if outcome:
            counts[outcome] += 1
    return counts
