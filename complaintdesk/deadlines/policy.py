"""From a complaint's facts and a policy's rules to its due dates. Pure: no database, no Django.

The rules of SPEC §3 are data (PolicyRule rows); this module only knows how to match them and how each
clock counts:
- wall: received + duration, real elapsed time;
- business: received + duration counted only in the shop's working time;
- working_days: the end of working time on the N-th working day after the day of receipt.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from complaintdesk.deadlines.calendar import BusinessCalendar

# A search bound for working_days: a shop open on no day at all must fail loudly, not loop forever.
_MAX_CALENDAR_DAYS_SEARCHED = 3660


@dataclass(frozen=True)
class Rule:
    phase: str
    clock: str
    duration: timedelta | None = None
    days: int | None = None
    kind: str = ""
    category: str = ""
    channel: str = ""
    received_in: str = "any"
    priority: int = 100
    label: str = ""
    id: int | None = None

    def matches(self, facts: "Facts") -> bool:
        if self.kind and self.kind != facts.kind:
            return False
        if self.category and self.category != facts.category:
            return False
        if self.channel and self.channel != facts.channel:
            return False
        if self.received_in == "working_time":
            return facts.in_working_time
        if self.received_in == "outside_working_time":
            return not facts.in_working_time
        return True


@dataclass(frozen=True)
class Facts:
    kind: str
    category: str
    channel: str
    in_working_time: bool


@dataclass(frozen=True)
class Due:
    phase: str
    rule: Rule
    due_at: datetime
    remind_at: datetime
    guessed_days: tuple[date, ...] = ()


def select_rules(rules: list[Rule], facts: Facts) -> dict[str, Rule]:
    """The first matching rule per phase, by priority (stable for equal priorities)."""
    chosen: dict[str, Rule] = {}
    for rule in sorted(rules, key=lambda r: r.priority):
        if rule.phase not in chosen and rule.matches(facts):
            chosen[rule.phase] = rule
    return chosen


def due_after(rule: Rule, start: datetime, calendar: BusinessCalendar) -> datetime:
    if rule.clock == "wall":
        return start + rule.duration
    if rule.clock == "business":
        return calendar.add_working_time(start, rule.duration)
    if rule.clock == "working_days":
        return end_of_nth_working_day(calendar, start, rule.days)
    raise ValueError(f"unknown clock {rule.clock!r}")


def end_of_nth_working_day(calendar: BusinessCalendar, start: datetime, n: int) -> datetime:
    """The close of working time on the n-th working day after start's local day: the instant that day's
    working time is used up."""
    day_start, worked = nth_working_day(calendar, start, n)
    return calendar.add_working_time(day_start, worked)


def nth_working_day(
    calendar: BusinessCalendar, start: datetime, n: int, *, backwards: bool = False
) -> tuple[datetime, timedelta]:
    """The n-th working day after start's local day (before it, backwards): the instant its local day
    begins and the working time it holds.

    1. Walk local days from start's day, one at a time; start's own day never counts.
    2. A day counts when it has any working time.
    3. Stop at the n-th such day.
    """
    step = timedelta(days=-1 if backwards else 1)
    day = start.astimezone(calendar.tz).date()
    found = 0
    for _ in range(_MAX_CALENDAR_DAYS_SEARCHED):
        day += step
        day_start = datetime.combine(day, time(0), calendar.tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), calendar.tz)
        worked = calendar.working_time_between(day_start, day_end)
        if worked > timedelta(0):
            found += 1
            if found == n:
                return day_start, worked
    raise ValueError(f"no {n} working days within {_MAX_CALENDAR_DAYS_SEARCHED} days of {start:%Y-%m-%d}")


def remind_instant(rule: Rule, start: datetime, due_at: datetime, calendar: BusinessCalendar, percent: int):
    """When `percent` of the window has passed, measured on the rule's own clock."""
    if rule.clock == "wall":
        return start + (due_at - start) * percent / 100
    window = calendar.working_time_between(start, due_at)
    return calendar.add_working_time(start, window * percent / 100)


def compute(
    rules: list[Rule], facts: Facts, received_at: datetime, calendar: BusinessCalendar, reminder_percent: int
) -> dict[str, Due]:
    result = {}
    for phase, rule in select_rules(rules, facts).items():
        due_at = due_after(rule, received_at, calendar)
        remind_at = remind_instant(rule, received_at, due_at, calendar, reminder_percent)
        guessed = tuple(calendar.guessed_days_between(received_at, due_at)) if rule.clock != "wall" else ()
        result[phase] = Due(phase, rule, due_at, remind_at, guessed)
    return result
