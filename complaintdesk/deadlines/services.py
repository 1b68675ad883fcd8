"""Deadlines on complaints: set at intake, met by the shop's actions, paused, recomputed. The worker's
side (reminders and breaches) is in `sweep.py`."""

import functools
import importlib
import json
import logging
import re
import threading
import time as _time
from datetime import UTC, datetime, timedelta

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from complaintdesk.complaints.models import Category
from complaintdesk.deadlines import policy, statutory
from complaintdesk.deadlines.calendar import BusinessCalendar
from complaintdesk.deadlines.models import (
    SHOP_PHASES,
    CalendarOverride,
    Clock,
    ClockChange,
    Deadline,
    DeadlineStatus,
    Phase,
    Policy,
    PolicyRule,
)
from complaintdesk.lib import sql
from complaintdesk.lib.errors import Conflict
from complaintdesk.merchants.models import (
    DEFAULT_SERVICE_HOURS,
    validate_countable_hours,
    validate_time_zone,
)

log = logging.getLogger(__name__)

# How long a process trusts its copy of the regulator's calendar entries before re-reading them. A save in
# the admin refreshes its own process at once (signals); other processes follow within this many seconds.
STATUTORY_REFRESH_SECONDS = 30

_sync_lock = threading.Lock()
_synced = {"at": 0.0, "stamp": None}


def sync_statutory_entries(force: bool = False) -> None:
    """Load the regulator's CalendarOverride rows into the shared CN statutory calendar when they changed."""
    now = _time.monotonic()
    if not force and now - _synced["at"] < STATUTORY_REFRESH_SECONDS:
        return
    with _sync_lock:
        stamp = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        if force or stamp != _synced["stamp"]:
            rows = list(CalendarOverride.objects.all())
            entries = {o.date: (o.is_day_off, o.note) for o in rows}
            statutory.CN.set_entries(entries, covered_years={o.notice_year for o in rows})
            _synced["stamp"] = stamp
        _synced["at"] = now


def forget_statutory_entries() -> None:
    """Drop this process's copy of the regulator's entries (tests, after their database is rolled back)."""
    with _sync_lock:
        statutory.CN.set_entries({})
        _synced.update(at=0.0, stamp=None)


@functools.lru_cache(maxsize=256)
def _calendar(hours_json: str, tz: str, uncovered: str) -> BusinessCalendar:
    hours = {int(day): [tuple(i) for i in intervals] for day, intervals in json.loads(hours_json).items()}
    return BusinessCalendar(hours=hours, tz=tz, statutory="CN", uncovered=uncovered)


def calendar_for(merchant, at: datetime | None = None) -> BusinessCalendar:
    """The shop's working time: its published service hours on the Chinese statutory calendar. `at`: the
    hours in force at that instant; a complaint's deadlines count in those in force when it was received,
    whatever the shop published since (`complaint_calendar`)."""
    sync_statutory_entries()
    hours_json, zone = working_time_of(merchant, at)
    return _calendar(hours_json, zone, settings.DEADLINE_UNCOVERED_YEARS)


def centre_calendar(service_hours: dict | None = None) -> BusinessCalendar:
    """A bureau's working time (SPEC §10): its `service_hours` (a shop's shape) on the Chinese statutory
    calendar, in the regulator's zone, with the regulator's calendar entries; empty or None: the centre's
    Monday–Friday 09:00–18:00. `centre.duties.calendar_of(bureau)` is how the centre asks."""
    sync_statutory_entries()
    hours_json = _usable_bureau_hours(json.dumps(service_hours or DEFAULT_SERVICE_HOURS, sort_keys=True))
    return _calendar(hours_json, settings.COMPLAINTDESK_TIME_ZONE, settings.DEADLINE_UNCOVERED_YEARS)


@functools.lru_cache(maxsize=64)
def _usable_bureau_hours(hours_json: str) -> str:
    # As a shop's (`working_time_of`): hours the calendar cannot take never stop the centre's duties; the
    # bureau's form refuses them, a row written past it counts the default and is logged once.
    try:
        validate_countable_hours(json.loads(hours_json))
    except ValidationError as exc:
        log.warning("a bureau stores unusable working hours %s (%s): counting the default", hours_json, exc)
        return json.dumps(DEFAULT_SERVICE_HOURS, sort_keys=True)
    return hours_json


def centre_hours_of(complaint) -> dict:
    """The working hours of the bureau that holds the complaint's case ({}: the centre's default, also for
    a complaint without a case). Read through the relation: the deadlines sit below the centre's models."""
    case = getattr(complaint, "centre_case", None)
    return case.bureau.service_hours if case is not None else {}


# The centre is reminded when this share of a duty's window has passed, as the shops are (SPEC §10).
CENTRE_REMINDER_PERCENT = 75


def centre_due(rule: policy.Rule, start: datetime, calendar: BusinessCalendar | None = None) -> policy.Due:
    """When a duty of the centre's under `rule` that starts at `start` is due, with its reminder instant, on
    `calendar` (the bureau's; None: the centre's default): when it starts (`centre.duties`) and when the
    calendar changes (`recompute`)."""
    calendar = calendar or centre_calendar()
    due_at = policy.due_after(rule, start, calendar)
    remind_at = policy.remind_instant(rule, start, due_at, calendar, CENTRE_REMINDER_PERCENT)
    guessed = tuple(calendar.guessed_days_between(start, due_at)) if rule.clock != Clock.WALL else ()
    return policy.Due(rule.phase, rule, due_at, remind_at, guessed)


def complaint_calendar(complaint) -> BusinessCalendar:
    """The calendar a complaint's deadlines count in, whenever they are counted (intake, resuming after a
    question, the answer window, a recomputation): its shop's hours as they were when it was received, so
    that a shop cannot move its running deadlines by publishing other hours."""
    return calendar_for(complaint.merchant, at=complaint.received_at)


def working_time_of(merchant, at: datetime | None = None) -> tuple[str, str]:
    """The shop's (service hours as canonical JSON, time zone) as its deadlines count them, at `at` (now
    when None; `Merchant.working_time_at`).

    The model's validators refuse what the calendar cannot take, but a row written before they did, or past
    them, must not turn the shop's consumers away with an error: such a value is replaced by the default
    (Monday–Friday 09:00–18:00, the centre's zone), and the log names the shop so it can be corrected.
    Hours below the regulator's minimum that were stored before it count as they are."""
    hours, zone = merchant.working_time_at(at)
    return _usable_working_time(json.dumps(hours, sort_keys=True), zone, merchant.pk)


@functools.lru_cache(maxsize=1024)
def _usable_working_time(hours_json: str, zone: str, shop: int) -> tuple[str, str]:
    # Cached: every filing asks (twice), and a shop's hours rarely change; a bad value is logged once.
    try:
        validate_countable_hours(json.loads(hours_json))
    except ValidationError as exc:
        log.warning(
            "shop %s stores unusable service hours %s (%s): counting the default", shop, hours_json, exc
        )
        hours_json = json.dumps(DEFAULT_SERVICE_HOURS, sort_keys=True)
    try:
        validate_time_zone(zone)
    except ValidationError as exc:
        log.warning("shop %s stores unusable time zone %r (%s): counting the default", shop, zone, exc)
        zone = settings.COMPLAINTDESK_TIME_ZONE
    return hours_json, zone


def calendar_warnings(today=None) -> list[str]:
    """What the regulator must know about the statutory calendar: package disagreements for this year and
    the next, and those years that no source covers yet (deadlines there are guessed or refused)."""
    year = (today or timezone.localdate()).year
    sync_statutory_entries()
    warnings = []
    for y in (year, year + 1):
        if not statutory.CN.covers(y):
            warnings.append(
                gettext(
                    "%(year)s: no statutory calendar covers this year yet; upload the State Council notice "
                    "or enter its days on the console's Calendar page."
                )
                % {"year": y}
            )
            continue
        try:
            issues = statutory.CN.discrepancies(y)
        except statutory.UncoveredYearError:
            continue  # covered by the regulator's entries only: nothing to cross-check
        warnings += [
            gettext("%(year)s: chinesecalendar and holidays disagree about %(day)s") % {"year": y, "day": d}
            for d in issues
        ]
    return warnings


class NoActivePolicy(Conflict):
    """No policy is active, so no complaint can get its deadlines (the API and the web answer 409). The
    admin refuses to deactivate or delete the active policy, so only an edit past it gets here."""

    def __init__(self):
        super().__init__(
            gettext(
                "No deadline policy is active, so no complaint can be filed now. The regulator must "
                "activate one: in the back office, Deadlines › Policies, tick “active” on a policy and save."
            )
        )


def ensure_default_policy() -> Policy:
    """The active policy; when none is, the SPEC §3 default as the data migration seeds it (activated
    again when it exists). A write for set-up (`seed_demo`) and tests, never part of a read: the table
    has its one home in the migration."""
    seed = importlib.import_module("complaintdesk.deadlines.migrations.0004_default_policy").seed
    with transaction.atomic():
        seed(django_apps, None)
    return Policy.objects.get(is_active=True)


def _as_rule(row: PolicyRule, category_code: str) -> policy.Rule:
    return policy.Rule(
        phase=row.phase,
        clock=row.clock,
        duration=row.duration,
        days=row.days,
        kind=row.kind,
        category=category_code,
        channel=row.channel,
        received_in=row.received_in,
        priority=row.priority,
        label=row.label or str(row),
        id=row.id,
    )


def active_policy() -> tuple[Policy, list[policy.Rule]]:
    """The active policy and its rules, read for every complaint (an edit applies at once in every
    process) without the ORM's query compiler: filing is the hot path (lib.sql says why)."""
    active = sql.select_one(Policy, "is_active")
    if active is None:
        raise NoActivePolicy()
    rows = sql.select(PolicyRule, "policy_id = %s", [active.pk], suffix="ORDER BY phase, priority, id")
    codes = {}
    if any(r.category_id for r in rows):
        in_rules = f"id IN (SELECT category_id FROM {PolicyRule._meta.db_table} WHERE policy_id = %s)"
        codes = {c.pk: c.code for c in sql.select(Category, in_rules, [active.pk])}
    return active, [_as_rule(r, codes.get(r.category_id, "")) for r in rows]


def deadlines_for(merchant, kind: str, category_code: str, channel: str, received_at: datetime, active=None):
    """What the active policy gives a complaint with these facts: {phase: policy.Due}. `active` is what
    `active_policy()` gave, for a caller that computes many complaints' deadlines at once (an import)."""
    calendar = calendar_for(merchant, at=received_at)
    active, rules = active or active_policy()
    facts = policy.Facts(kind, category_code, channel, calendar.is_working_time(received_at))
    return policy.compute(rules, facts, received_at, calendar, active.reminder_percent)


def warning_for(due: policy.Due) -> str:
    """Which days of the deadline's window no statutory calendar covers, stored in English as the API gives
    it; `warning_text` says it in the reader's language."""
    if not due.guessed_days:
        return ""
    days = ", ".join(d.isoformat() for d in due.guessed_days[:3])
    days += "…" if len(due.guessed_days) > 3 else ""
    return _UNCOVERED % {"days": days, "assumed": _GUESSES.get(settings.DEADLINE_UNCOVERED_YEARS, "")}


_UNCOVERED = gettext_noop("No statutory calendar covers %(days)s: %(assumed)s.")
_GUESSES = {
    "weekends": gettext_noop("weekends assumed"),
    "estimate": gettext_noop(
        "the usual statutory holidays and weekends assumed, without adjusted working days"
    ),
}
# What `warning_for` stored, read back for its facts (the days and the guess).
_STORED_UNCOVERED = re.compile(r"No statutory calendar covers (?P<days>[^:]+): (?P<assumed>[^:]*)\.")


def warning_text(stored: str) -> str:
    """A deadline's stored warning in the active language."""
    found = _STORED_UNCOVERED.fullmatch(stored or "")
    if found is None:
        return gettext(stored) if stored else ""
    assumed = gettext(found["assumed"]) if found["assumed"] else ""
    return gettext(_UNCOVERED) % {"days": found["days"], "assumed": assumed}


def deadline_fields(phase: str, due: policy.Due, starts_at: datetime) -> dict:
    """A new, running deadline row's fields for what the policy gave one phase (intake and imports)."""
    return {
        "phase": phase,
        "rule_id": due.rule.id,
        "rule_label": due.rule.label,
        "clock": due.rule.clock,
        "starts_at": starts_at,
        "due_at": due.due_at,
        "remind_at": due.remind_at,
        "next_check_at": due.remind_at,
        "warning": warning_for(due),
    }


sql.writes(Deadline)  # at intake, without the query compiler (set_deadlines)


def set_deadlines(complaint, computed: dict) -> list[Deadline]:
    """Store the complaint's deadlines at intake (inside the intake transaction); `computed` is what
    `deadlines_for` gave for it, worked out before the transaction."""
    rows = [
        Deadline(complaint=complaint, **deadline_fields(phase, due, complaint.received_at))
        for phase, due in computed.items()
    ]
    sql.insert(rows)
    return rows


def next_check(remind_at: datetime, due_at: datetime, reminded: bool) -> datetime:
    return due_at if reminded else remind_at


def apply_effects(complaint, meets: tuple, clock: ClockChange | None, now: datetime) -> list[str]:
    """Update the complaint's deadlines for an action: meet the phases `meets`, then make the clock change
    (which the caller reads from the action's `lifecycle.Transition`). Returns notes for the event log."""
    notes = []
    for deadline in complaint.deadlines.filter(phase__in=meets, met_at__isnull=True):
        deadline.met_at = now
        deadline.next_check_at = None
        if deadline.status != DeadlineStatus.BREACHED:
            deadline.status = DeadlineStatus.MET
        deadline.save(update_fields=["met_at", "next_check_at", "status"])
        notes.append(f"{deadline.phase} {'met' if now <= deadline.due_at else 'met late'}")
    if clock == ClockChange.PAUSE_RESOLUTION:
        notes += _pause_resolution(complaint, now)
    elif clock == ClockChange.RESUME_RESOLUTION:
        notes += _resume_resolution(complaint, now)
    elif clock == ClockChange.PAUSE_MEDIATION:
        notes += _pause_mediation(complaint, now)
    elif clock == ClockChange.RESUME_MEDIATION:
        notes += _resume_mediation(complaint, now)
    elif clock == ClockChange.CANCEL:
        unmet = complaint.deadlines.filter(met_at__isnull=True)
        unmet.filter(status__in=[DeadlineStatus.OPEN, DeadlineStatus.PAUSED]).update(
            status=DeadlineStatus.CANCELLED, next_check_at=None
        )
        unmet.filter(phase__in=sorted(SHOP_PHASES), status=DeadlineStatus.BREACHED).update(
            status=DeadlineStatus.MISSED, next_check_at=None
        )
    return notes


def _pause_resolution(complaint, now: datetime) -> list[str]:
    """Pause the resolution clock; the worker looks at the deadline again when the consumer's answer
    window ends (`answer_window_end`), through the same due-work index as reminders and breaches."""
    updated = complaint.deadlines.filter(
        phase=Phase.RESOLUTION, status=DeadlineStatus.OPEN, met_at__isnull=True, due_at__gt=now
    ).update(status=DeadlineStatus.PAUSED, paused_at=now)
    # Every question opens a new window for its answer, also on a clock paused before (the complaint was
    # escalated meanwhile, say).
    complaint.deadlines.filter(
        phase=Phase.RESOLUTION, status=DeadlineStatus.PAUSED, met_at__isnull=True
    ).update(next_check_at=answer_window_end(complaint, now))
    return ["resolution clock paused"] if updated else []


def answer_window_end(complaint, asked_at: datetime) -> datetime | None:
    """When the consumer's window to answer a request for information closes: the end of the shop's
    CONSUMER_ANSWER_WORKING_DAYS-th working day after the request; None without a window."""
    days = settings.CONSUMER_ANSWER_WORKING_DAYS
    if days <= 0:
        return None
    return policy.end_of_nth_working_day(complaint_calendar(complaint), asked_at, days)


def _resume_resolution(complaint, now: datetime) -> list[str]:
    """Shift the resolution deadline by the time spent waiting for the consumer, on the rule's own clock,
    counted in the hours the complaint counts in (those in force when it was received)."""
    deadline = complaint.deadlines.filter(phase=Phase.RESOLUTION, status=DeadlineStatus.PAUSED).first()
    if deadline is None:
        return []
    old_due = _resume(deadline, complaint_calendar(complaint), now)
    return [f"resolution clock resumed: due {_utc(old_due)} → {_utc(deadline.due_at)}"]


def _pause_mediation(complaint, now: datetime) -> list[str]:
    """Stop the centre's mediation period while testing or appraisal runs (art. 20: that time does not
    count). The worker does not look at a paused period: nothing falls due until it runs again."""
    updated = complaint.deadlines.filter(
        phase=Phase.MEDIATION, status=DeadlineStatus.OPEN, met_at__isnull=True, due_at__gt=now
    ).update(status=DeadlineStatus.PAUSED, paused_at=now, next_check_at=None)
    return ["mediation clock paused"] if updated else []


def _resume_mediation(complaint, now: datetime) -> list[str]:
    """Move the mediation period's end by the working time it was paused, on the calendar of the bureau
    that holds the case."""
    deadline = complaint.deadlines.filter(phase=Phase.MEDIATION, status=DeadlineStatus.PAUSED).first()
    if deadline is None:
        return []
    old_due = _resume(deadline, centre_calendar(centre_hours_of(complaint)), now)
    return [f"mediation clock resumed: due {_utc(old_due)} → {_utc(deadline.due_at)}"]


def _utc(instant: datetime) -> str:
    # The log states instants as stored (UTC), whichever zone the calendar computed them in.
    return instant.astimezone(UTC).isoformat()


def _resume(deadline: Deadline, calendar: BusinessCalendar, now: datetime) -> datetime:
    """Run a paused deadline again from `now` with the time it had left when paused, on its rule's clock
    (wall time, or working time of `calendar`); the pause adds to `paused_total`. Returns the old due."""
    if deadline.clock == Clock.WALL:
        waited = now - deadline.paused_at
        remaining = deadline.due_at - deadline.paused_at
        due_at = now + remaining
        remind_left = max(deadline.remind_at - deadline.paused_at, timedelta(0))
        remind_at = now + remind_left
    else:
        waited = calendar.working_time_between(deadline.paused_at, now)
        remaining = calendar.working_time_between(deadline.paused_at, deadline.due_at)
        due_at = calendar.add_working_time(now, remaining)
        remind_left = max(calendar.working_time_between(deadline.paused_at, deadline.remind_at), timedelta(0))
        remind_at = calendar.add_working_time(now, remind_left)
    old_due = deadline.due_at
    deadline.due_at, deadline.remind_at = due_at, remind_at
    deadline.status, deadline.paused_at = DeadlineStatus.OPEN, None
    deadline.paused_total += waited
    deadline.next_check_at = next_check(remind_at, due_at, reminded=deadline.reminded_at is not None)
    deadline.save(
        update_fields=["due_at", "remind_at", "status", "paused_at", "paused_total", "next_check_at"]
    )
    return old_due
