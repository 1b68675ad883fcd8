"""After the regulator changes a policy or the calendar: move the deadlines that have not passed yet.

The shop's deadlines are computed afresh under the active policy, in the shop's hours as they were when the
complaint was received. The 12315 centre's running duties (a complaint's acceptance, mediation and
termination notice; a report's decision, an enquiry's answer) are computed afresh by their own rule (the
rule of the matter's rule version they were started under: a newer version never applies to them) from
their own start, on the calendar of the bureau that holds the matter (its working hours, else the centre's),
with the time they were paused for testing added back; a bureau's change of its hours moves its running
duties at once (`recompute_open_deadlines(bureau_id=…)`). A paused
duty moves too, and stays paused: its end is where the time left is counted from when it resumes.

A shop's change of its own hours moves none: each complaint counts in the hours in force when it was
received, here too (`services.complaint_calendar`)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from complaintdesk.complaints.choices import OPEN_STATES, EventKind
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import record_event
from complaintdesk.deadlines import policy, services
from complaintdesk.deadlines.models import CENTRE_PHASES, SHOP_PHASES, Clock, Deadline, DeadlineStatus


def _shift(due, paused_total: timedelta, clock: str, calendar):
    """Add back the time the consumer was asked to wait, on the rule's own clock."""
    if not paused_total:
        return due
    if clock == Clock.WALL:
        return due + paused_total
    return calendar.add_working_time(due, paused_total)


def _running(now, phases) -> Q:
    """Deadline rows (of `phases`) that a recomputation moves: not met, running and not yet due, or a
    centre's duty paused for testing."""
    running = Q(status=DeadlineStatus.OPEN, due_at__gt=now)
    paused = Q(status=DeadlineStatus.PAUSED, phase__in=CENTRE_PHASES)
    return Q(phase__in=phases, met_at__isnull=True) & (running | paused)


def recompute_open_deadlines(actor, reason: str, merchant=None, bureau_id: int | None = None) -> int:
    """Recompute every open, not yet passed, not yet met deadline of open complaints, and every running duty
    of the centre's (of reports and enquiries too, unless only one shop's complaints are recomputed).
    `bureau_id`: only the centre's duties of what that bureau holds, after its working hours changed (the
    shops' deadlines are not its to move).

    1. Take the complaints that have such a deadline (of one shop, when given): the shop's deadlines of a
       complaint in an open state, the centre's duties whatever the state (a termination notice runs after
       the mediation ended).
    2. Compute their deadlines afresh: the shop's from the time of receipt under the active policy and
       calendar, in the shop's hours as they were at receipt; the centre's by their own rule and start, on
       the calendar of the bureau that holds them.
    3. Where a due time moved, store it and write an event saying from what to what and why (a report or an
       enquiry has no event log: its row moves).
    Returns the number of complaints, reports and enquiries whose deadlines moved.
    """
    services.sync_statutory_entries(force=True)
    now = timezone.now()
    shop = _running(now, SHOP_PHASES)
    centre = _running(now, CENTRE_PHASES)
    if bureau_id is None:
        moving = Q(complaint__state__in=OPEN_STATES) & shop | centre
    else:
        moving = centre & Q(complaint__centre_case__bureau_id=bureau_id)
    candidates = Complaint.objects.filter(
        pk__in=Deadline.objects.filter(moving, complaint__isnull=False).values("complaint_id")
    )
    if merchant is not None:
        candidates = candidates.filter(merchant=merchant)
    moved = 0
    for complaint in candidates.select_related("merchant", "category").iterator(chunk_size=500):
        with transaction.atomic():
            changes = _recompute_one(complaint, now) if bureau_id is None else {}
            changes.update(_recompute_centre(Deadline.objects.filter(centre, complaint=complaint)))
            if changes:
                moved += 1
                record_event(
                    complaint, actor, EventKind.RECOMPUTE_DEADLINES, complaint.state, complaint.state, reason,
                    data={"deadlines": changes},
                )  # fmt: skip
    if merchant is None:
        matters = Deadline.objects.filter(centre, matter__isnull=False).order_by("matter_id")
        if bureau_id is not None:
            matters = matters.filter(matter__bureau_id=bureau_id)
        for matter_id in matters.values_list("matter_id", flat=True).distinct().iterator(chunk_size=500):
            with transaction.atomic():
                moved += bool(_recompute_centre(Deadline.objects.filter(centre, matter_id=matter_id)))
    return moved


def _recompute_one(complaint, now) -> dict:
    if complaint.state not in OPEN_STATES:
        return {}
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


def _bureau_hours(deadline) -> dict:
    """The working hours of the bureau that holds the duty's complaint or matter ({}: the centre's)."""
    if deadline.matter_id is not None:
        return deadline.matter.bureau.service_hours
    return services.centre_hours_of(deadline.complaint)


def _recompute_centre(rows) -> dict:
    """Move the centre's duties `rows` to where their own rule, from their own start, falls now on the
    calendar of the bureau that holds their matter, paused time added back."""
    changes = {}
    rows = rows.select_for_update(of=("self",)).select_related(
        "rule", "matter__bureau", "complaint__centre_case__bureau"
    )
    for deadline in rows:
        row = deadline.rule
        if row is None:  # its rule was deleted since: nothing to count it by, it stands
            continue
        calendar = services.centre_calendar(_bureau_hours(deadline))
        rule = policy.Rule(phase=row.phase, clock=row.clock, duration=row.duration, days=row.days,
                           priority=row.priority, label=deadline.rule_label, id=row.id)  # fmt: skip
        due = services.centre_due(rule, deadline.starts_at, calendar)
        due_at = _shift(due.due_at, deadline.paused_total, rule.clock, calendar)
        remind_at = _shift(due.remind_at, deadline.paused_total, rule.clock, calendar)
        warning = services.warning_for(due)
        if due_at == deadline.due_at:
            if warning != deadline.warning:
                deadline.warning = warning
                deadline.save(update_fields=["warning"])
            continue
        changes[deadline.phase] = {
            "from": deadline.due_at.isoformat(),
            "to": due_at.isoformat(),
            "rule": deadline.rule_label,
        }
        deadline.due_at, deadline.remind_at, deadline.warning = due_at, remind_at, warning
        fields = ["due_at", "remind_at", "warning"]
        if deadline.status == DeadlineStatus.OPEN:  # a paused duty is looked at again when it resumes
            deadline.next_check_at = services.next_check(
                remind_at, due_at, reminded=deadline.reminded_at is not None
            )
            fields.append("next_check_at")
        deadline.save(update_fields=fields)
    return changes
