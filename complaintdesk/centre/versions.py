"""What keeps the centre's rule versions consistent with the matters already received under them (issue 13
item 1; the back office's rule versions, `centre.admin`, and docs/centre.md).

A matter follows the version in force on the local day the centre received it, and keeps it: its duties were
started under that version's rules, and those started later (mediation at acceptance, the termination
notice) are counted by them too. So a change of versions must never make a day on which matters were already
received belong to another version: that would silently move their running duties.

1. Effective dates are unique: each day has one version in force.
2. Every version's matters lie in its days, from its effective date to the day before the next version's:
   a new version may not take effect on or before the last day on which matters were received under the
   version it replaces, and an edited version may not move away from the days of its own matters.
3. A version in use keeps its time limits: its rules' phase, clock and length are fixed (the wording of a
   label or a citation may still be corrected); a new version carries new figures.
4. Every version sets every duty of the centre (and the consumer's rating window): a missing rule would run
   that duty without a limit.
5. The version in force today stays unless another is in force today without it: without one, no matter could
   be received.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.centre.models import CentreCase, Matter, RuleVersion
from complaintdesk.deadlines.models import CENTRE_PHASES, Phase

# The phases a version must give a rule for (point 4).
REQUIRED_PHASES = (
    Phase.ACCEPTANCE,
    Phase.MEDIATION,
    Phase.TERMINATION_NOTICE,
    Phase.REPORT_DECISION,
    Phase.ENQUIRY_ANSWER,
    Phase.RATING,
)
VERSION_PHASES = frozenset(CENTRE_PHASES | {Phase.RATING})
# The parts of a rule that set a duty's length: fixed once matters follow the version (point 3).
FIXED_RULE_FIELDS = ("phase", "priority", "clock", "days", "duration", "received_in")


@dataclass(frozen=True)
class Receipts:
    """The first and the last local day on which the centre received a matter under a version."""

    first: date
    last: date
    count: int


def _day(at: datetime) -> date:
    return at.astimezone(ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE)).date()


def receipts(version: RuleVersion) -> Receipts | None:
    """The days of the complaints (at the centre), reports and enquiries received under `version`."""
    if version.pk is None:
        return None
    spans = [
        model.objects.filter(rule_version=version).aggregate(
            first=Min("received_at"), last=Max("received_at"), count=Count("id")
        )
        for model in (CentreCase, Matter)
    ]
    found = [s for s in spans if s["count"]]
    if not found:
        return None
    return Receipts(
        first=_day(min(s["first"] for s in found)),
        last=_day(max(s["last"] for s in found)),
        count=sum(s["count"] for s in found),
    )


def in_use(version: RuleVersion) -> int:
    """How many matters follow the version (complaints at the centre, reports and enquiries)."""
    found = receipts(version)
    return found.count if found else 0


def check_effective_date(version: RuleVersion, effective_from: date) -> None:
    """Refuse an effective date that would put a day with matters under another version (points 1 and 2),
    with the reason and the days that would do; ValidationError on `effective_from`."""
    others = list(RuleVersion.objects.exclude(pk=version.pk).order_by("effective_from"))
    same_day = next((v for v in others if v.effective_from == effective_from), None)
    if same_day is not None:
        raise ValidationError(
            {
                "effective_from": _(
                    "“%(other)s” takes effect on %(day)s already: each day has one rule version in force."
                )
                % {"other": same_day.name, "day": effective_from}
            }
        )
    timeline = sorted([*others, version], key=lambda v: effective_from if v is version else v.effective_from)
    for position, current in enumerate(timeline):
        start = effective_from if current is version else current.effective_from
        following = timeline[position + 1] if position + 1 < len(timeline) else None
        end = None
        if following is not None:
            end = effective_from if following is version else following.effective_from
        span = receipts(current)
        if span is None:
            continue
        if span.first < start:
            raise ValidationError({"effective_from": _moved_past_its_matters(current, span)})
        if end is not None and span.last >= end:
            message = (
                _replaces_received_days(current, span, effective_from)
                if following is version
                else _moved_before(version, effective_from, following, span)
            )
            raise ValidationError({"effective_from": message})


def _replaces_received_days(replaced: RuleVersion, span: Receipts, day: date) -> str:
    return _(
        "Matters received up to %(last)s already follow “%(replaced)s”, which this version would replace from "
        "%(day)s: their running duties would silently follow other rules. A new version applies only to "
        "matters received from its effective date on; choose a day after %(last)s (the earliest is "
        "%(earliest)s), and note the law's own date of effect in the note."
    ) % {"last": span.last, "replaced": replaced.name, "day": day, "earliest": span.last + timedelta(days=1)}


def _moved_past_its_matters(version: RuleVersion, span: Receipts) -> str:
    return _(
        "“%(version)s” already governs matters received from %(first)s on: its effective date cannot be "
        "later than %(first)s, or those matters would have been received before it was in force."
    ) % {"version": version.name, "first": span.first}


def _moved_before(version: RuleVersion, day: date, following: RuleVersion, span: Receipts) -> str:
    return _(
        "Matters received up to %(last)s follow “%(version)s”; taking effect on %(day)s, it would come before "
        "“%(following)s” (in force from %(following_day)s), which would then govern days on which those "
        "matters were received."
    ) % {
        "last": span.last,
        "version": version.name,
        "day": day,
        "following": following.name,
        "following_day": following.effective_from,
    }


def missing_phases(phases) -> list[str]:
    """The duties a version's rules leave without a limit (point 4), by their labels."""
    given = set(phases)
    return [str(Phase(p).label) for p in REQUIRED_PHASES if p not in given]


def starting_rules(today: date | None = None) -> list[dict]:
    """The figures a new version starts from: those of the version in force today, one per required duty
    (phase, clock, days, duration); its wording and citations are the new law's to write."""
    today = today or timezone.localdate(timezone=ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE))
    current = RuleVersion.in_force_on(today)
    rules = {r.phase: r for r in current.rules.all()} if current else {}
    return [
        {"phase": phase, "clock": rule.clock, "days": rule.days, "duration": rule.duration}
        if (rule := rules.get(phase))
        else {"phase": phase}
        for phase in REQUIRED_PHASES
    ]


def check_deletion(version: RuleVersion, today: date | None = None) -> str | None:
    """Why the version may not be deleted (points 2 and 5), or None. A version in use is also protected by
    its matters' foreign keys."""
    count = in_use(version)
    if count:
        return _(
            "%(count)s matters follow “%(version)s”: it stays, with its rules, as long as they exist."
        ) % {"count": count, "version": version.name}
    today = today or timezone.localdate(timezone=ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE))
    if version.effective_from <= today:
        earlier = RuleVersion.objects.exclude(pk=version.pk).filter(effective_from__lte=today).exists()
        if not earlier:
            return _(
                "“%(version)s” is the only version in force today: without it, no complaint, report or "
                "enquiry could be received."
            ) % {"version": version.name}
    return None
