"""The centre's duties as deadlines (SPEC §10): the same engine as the shops' (`deadlines.policy`, one
`Deadline` table, one sweep), with the rules of the matter's rule version on the bureau's working calendar.

"Within N working days" = by the end of working time on the N-th working day after the day the duty starts
(receipt, acceptance, the termination decision). A duty is started once per matter and phase; starting it
again (a transfer restarts the acceptance decision at the receiving bureau) moves the same row.

A matter keeps when its nearest running duty falls due on its row (`Matter.next_due`, the lists' order):
`settle` recomputes it from its duties whenever one of them is saved or deleted (`centre.signals`: starting,
meeting, recomputing a duty all save its row), in the same transaction.
"""

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from complaintdesk.centre.models import Matter, RuleVersion
from complaintdesk.deadlines import policy
from complaintdesk.deadlines.calendar import BusinessCalendar
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, PolicyRule
from complaintdesk.deadlines.services import centre_calendar, centre_due, deadline_fields
from complaintdesk.lib.errors import Conflict


class NoRuleVersion(Conflict):
    """No rule version is in force on the day: the centre's duties cannot be set (HTTP 409)."""


def version_on(day) -> RuleVersion:
    """The rule version in force on `day` (a local date): the one a matter received that day follows."""
    version = RuleVersion.in_force_on(day)
    if version is None:
        raise NoRuleVersion(
            _("No rule version of the centre is in force on %(day)s: add one in the back office.")
            % {"day": day}
        )
    return version


def rule(version: RuleVersion, phase: str) -> policy.Rule | None:
    """The version's rule for a phase, as the policy engine takes it; None if the version has none."""
    row = PolicyRule.objects.filter(version=version, phase=phase).order_by("priority", "id").first()
    if row is None:
        return None
    label = row.label or str(row)
    return policy.Rule(
        phase=row.phase, clock=row.clock, duration=row.duration, days=row.days, priority=row.priority,
        label=f"{label} ({row.citation})" if row.citation else label, id=row.id,
    )  # fmt: skip


def calendar_of(bureau) -> BusinessCalendar:
    """The bureau's working calendar: its own working hours (`Bureau.service_hours`) on the Chinese statutory
    calendar in the regulator's zone; a bureau without hours of its own (or none given) works the centre's
    Monday–Friday 09:00–18:00."""
    return centre_calendar(bureau.service_hours if bureau is not None else None)


def due(version: RuleVersion, phase: str, start: datetime, bureau=None) -> policy.Due | None:
    """When the duty `phase` that starts at `start` is due under `version`, with its reminder instant."""
    found = rule(version, phase)
    if found is None:
        return None
    return centre_due(found, start, calendar_of(bureau))


def start(phase: str, start_at: datetime, version: RuleVersion, *, complaint=None, matter=None, bureau=None,
          watched: bool = True) -> Deadline | None:  # fmt: skip
    """Start (or restart) the duty `phase` of a complaint or a matter at `start_at`. `watched=False`: a
    window with no reminder or breach (the consumer's rating window). None when the version has no rule."""
    computed = due(version, phase, start_at, bureau)
    if computed is None:
        return None
    fields = deadline_fields(phase, computed, start_at)
    fields.update(
        status=DeadlineStatus.OPEN, met_at=None, reminded_at=None, breached_at=None, paused_at=None,
        next_check_at=fields["next_check_at"] if watched else None,
    )  # fmt: skip
    owner = {"complaint": complaint} if complaint is not None else {"matter": matter}
    deadline, _created = Deadline.objects.update_or_create(**owner, phase=phase, defaults=fields)
    return deadline


def meet(phase: str, at: datetime, *, complaint=None, matter=None) -> Deadline | None:
    """Mark the duty met at `at` (met late when after its due time); None when it is not running."""
    owner = {"complaint": complaint} if complaint is not None else {"matter": matter}
    deadline = Deadline.objects.filter(**owner, phase=phase, met_at__isnull=True).first()
    if deadline is None or deadline.status == DeadlineStatus.CANCELLED:
        return None
    deadline.met_at = at
    deadline.next_check_at = None
    if deadline.status != DeadlineStatus.BREACHED:
        deadline.status = DeadlineStatus.MET
    deadline.save(update_fields=["met_at", "next_check_at", "status"])
    return deadline


# A matter's duty runs while it is not met: open, or breached and still to do (paused is for complaints).
RUNNING = {"met_at__isnull": True, "status__in": [DeadlineStatus.OPEN, DeadlineStatus.BREACHED]}


def settle(matters: QuerySet[Matter]) -> int:
    """Store on each of `matters` when its nearest running duty falls due (None when none runs), in one
    UPDATE; the number of matters."""
    nearest = Deadline.objects.filter(matter_id=OuterRef("pk"), **RUNNING).order_by("due_at").values("due_at")
    return matters.update(next_due=Subquery(nearest[:1]))
