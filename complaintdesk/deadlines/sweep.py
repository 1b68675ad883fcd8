"""The worker's deadline duties: remind the shop at 75 % of a window, breach and escalate at its end; and
hand a complaint to the 12315 centre when the consumer's window to answer the shop's question has passed.

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

from complaintdesk.complaints import lifecycle, services
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.services import record_event
from complaintdesk.deadlines import notices
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase

log = logging.getLogger(__name__)

# An item that fails unexpectedly is looked at again this much later, so it cannot spin the loop.
RETRY_LATER = timedelta(minutes=5)

PHASE_WORDS = {
    Phase.FIRST_RESPONSE: "first response",
    Phase.REPLY: "reply to the quality issue",
    Phase.RESOLUTION: "resolution",
}


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
        .select_related("complaint__merchant")
        .filter(pk=deadline_id, next_check_at__lte=now)
        .first()
    )
    if deadline is None:
        return None
    if deadline.status == DeadlineStatus.PAUSED and deadline.met_at is None:
        return _unanswered(deadline, now)
    if deadline.met_at is not None or deadline.status != DeadlineStatus.OPEN:
        Deadline.objects.filter(pk=deadline.pk).update(next_check_at=None)
        return None
    if now >= deadline.due_at:
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
    complaint = deadline.complaint
    what = PHASE_WORDS[deadline.phase]
    local_due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    notices.reminder(deadline, _payload(deadline))
    _record(complaint, EventKind.DEADLINE_REMINDER, f"Reminder sent: {what} due {local_due}", deadline, now)
    return "reminded"


def _breach(deadline: Deadline, now: datetime) -> str | None:
    claimed = Deadline.objects.filter(pk=deadline.pk, breached_at__isnull=True, met_at__isnull=True).update(
        breached_at=now, status=DeadlineStatus.BREACHED, next_check_at=None
    )
    if claimed != 1:
        return None

    complaint = deadline.complaint
    what = PHASE_WORDS[deadline.phase]
    local_due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    message = f"Deadline breached: {what} was due {local_due} ({deadline.rule_label})."
    _record(complaint, EventKind.DEADLINE_BREACH, message, deadline, now)
    try:
        services.perform(complaint.pk, None, lifecycle.Action.ESCALATE, message, at=now)
        escalated = True
    except lifecycle.TransitionError:
        escalated = False  # already with the regulator (escalated, in mediation) or finished
    notices.breach(deadline, escalated, {**_payload(deadline), "escalated": escalated})
    return "breached"


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
    complaint = deadline.complaint
    return {
        "complaint": complaint.pk,
        "reference": complaint.reference,
        "merchant": complaint.merchant_id,
        "phase": deadline.phase,
        "due_at": deadline.due_at.isoformat(),
        "rule": deadline.rule_label,
    }


def _record(complaint, action: EventKind, message: str, deadline: Deadline, now: datetime) -> None:
    record_event(
        complaint, None, action, complaint.state, complaint.state, message,
        data={"deadline": deadline.pk, "phase": deadline.phase}, at=now,
    )  # fmt: skip


def sweep(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """One pass over what is due now. Returns counts by outcome."""
    now = now or timezone.now()
    counts = {"reminded": 0, "breached": 0, "unanswered": 0}
    for deadline_id in due_ids(now, limit):
        try:
            outcome = handle(deadline_id, now)
        except Exception:
            log.exception("deadline %s failed; retrying in %s", deadline_id, RETRY_LATER)
            continue
        if outcome:
            counts[outcome] += 1
    return counts
