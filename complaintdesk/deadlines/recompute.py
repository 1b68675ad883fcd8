"""After the regulator changes a policy or the calendar: move the deadlines that have not passed yet.

A shop's change of its own hours moves none: each complaint counts in the hours in force when it was
received, here too (`services.complaint_calendar`)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints.choices import OPEN_STATES, EventKind
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import record_event
from complaintdesk.deadlines import services
from complaintdesk.deadlines.models import Clock, Deadline, DeadlineStatus


def _shift(due, paused_total: timedelta, clock: str, calendar):
    """Add back the time the consumer was asked to wait, on the rule's own clock."""
    if not paused_total:
        return due
    if clock == Clock.WALL:
        return due + paused_total
    return calendar.add_working_time(due, paused_total)


def recompute_open_deadlines(actor, reason: str, merchant=None) -> int:
    """Recompute every open, not yet passed, not yet met deadline of open complaints.

    1. Take the complaints in an open state that have such a deadline (of one shop, when given).
    2. Compute their deadlines afresh from the time of receipt under the active policy and calendar, in
       the shop's hours as they were at receipt.
    3. Where a due time moved, store it and write an event saying from what to what and why.
    Returns the number of complaints whose deadlines moved.
    """
    services.sync_statutory_entries(force=True)
    now = timezone.now()
    candidates = Complaint.objects.filter(
        state__in=OPEN_STATES,
        deadlines__status=DeadlineStatus.OPEN,
        deadlines__met_at__isnull=True,
        deadlines__due_at__gt=now,
    ).distinct()
    if merchant is not None:
        candidates = candidates.filter(merchant=merchant)
    moved = 0
    for complaint in candidates.select_related("merchant", "category").iterator(chunk_size=500):
        with transaction.atomic():
            changes = _recompute_one(complaint, now)
            if changes:
                moved += 1
                record_event(
                    complaint, actor, EventKind.RECOMPUTE_DEADLINES, complaint.state, complaint.state, reason,
                    data={"deadlines": changes},
                )  # fmt: skip
    return moved


def _recompute_one(complaint, now) -> dict:
    computed = services.deadlines_for(
        complaint.merchant, complaint.kind, complaint.category.code, complaint.channel, complaint.received_at
    )
    calendar = services.complaint_calendar(complaint)
    changes = {}
    rows = Deadline.objects.select_for_update().filter(
        complaint=complaint, status=DeadlineStatus.OPEN, met_at__isnull=True, due_at__gt=now
    )
    for deadline in rows:
        due = computed.get(deadline.phase)
        if due is None:
            continue
        due_at = _shift(due.due_at, deadline.paused_total, due.rule.clock, calendar)
        remind_at = _shift(due.remind_at, deadline.paused_total, due.rule.clock, calendar)
        warning = services.warning_for(due)
        if due_at == deadline.due_at and due.rule.id == deadline.rule_id:
            if warning != deadline.warning:  # a guessed calendar confirmed: the due time stands, known now
                deadline.warning = warning
                deadline.save(update_fields=["warning"])
            continue
        changes[deadline.phase] = {
            "from": deadline.due_at.isoformat(),
            "to": due_at.isoformat(),
            "rule": due.rule.label,
        }
        deadline.due_at, deadline.remind_at = due_at, remind_at
        deadline.rule_id, deadline.rule_label, deadline.clock = due.rule.id, due.rule.label, due.rule.clock
        deadline.warning = warning
        deadline.next_check_at = services.next_check(
            remind_at, due_at, reminded=deadline.reminded_at is not None
        )
        deadline.save()
    return changes
