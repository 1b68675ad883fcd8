"""The 12315 centre's figures kept in rollups (models.CentreCount, CentreDutyCount, CentreValueCount), equal
to what the centre's raw rows say, one transaction at a time.

How:
1. Each matter of the centre — a complaint once it reached the centre (its `CentreCase`), a report or an
   enquiry (`Matter`) — contributes counters computed from its own rows alone (`contribution`): +1 on (the
   local day the centre received it, bureau, kind, via, channel, where it stands, the decision's ground),
   with whether it was accepted and the money recovered; +1 per duty on (day, bureau, phase) with its
   outcome so far; the working days to acceptance and to closing and the consumer's rating on (day,
   bureau, measure, value); each transfer +1 out of the sending bureau and +1 into the receiving one, on the
   day of the transfer.
2. The ledger (`CentreLedger`) keeps what each matter has added, exactly as added. `refresh` locks the
   matter's ledger row, reads the matter's rows, writes the new contribution minus the recorded one and
   records the new one. So it may run any number of times, after any change made in any way: on every save
   or deletion of the rows (signals.py), after each action on a complaint (`rollups.complaint_changed`,
   which also sees deadlines changed by bulk UPDATEs: cancelled, paused, resumed), and by anyone who
   changed the rows another way. Subtracting what was recorded, not what the old rows would give now,
   keeps the sums right when the calendar that counts working days changes in between.
3. `recompute` adds up every matter's contribution from scratch with the same functions; the property
   test and `manage.py stats --check` compare it with the tables and the ledger; `--rebuild` replaces
   both (`rollups.rebuild`).

The shops' rollups (`rollups.py`) never count the centre's duties: a centre duty's deadline is the
centre's figure, not the shop's (`deadlines.models.SHOP_PHASES`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from complaintdesk.centre.duties import calendar_of
from complaintdesk.centre.models import Bureau, CentreCase, Matter, MatterState, Outcome, Rating, Transfer
from complaintdesk.deadlines.calendar import BusinessCalendar, UncoveredYearError
from complaintdesk.deadlines.models import CENTRE_PHASES, Deadline
from complaintdesk.stats import periods, rollups
from complaintdesk.stats.models import CentreLedger

COMPLAINT = "complaint"
MATTER = "matter"
# Where a complaint stands at the centre (CentreCount.state) besides its outcomes (centre.Outcome).
PENDING = "pending"
ACCEPTED = "accepted"
TO_ACCEPTANCE = "to_acceptance"
RATING = "rating"
# A transfer's direction (CentreTransferCount.direction).
IN, OUT = "in", "out"


def to_closing(kind: str) -> str:
    return f"to_closing_{kind}"


@dataclass(frozen=True)
class DutyFacts:
    phase: str
    status: str
    met_at: datetime | None
    due_at: datetime

    FIELDS = ("phase", "status", "met_at", "due_at")


@dataclass(frozen=True)
class TransferFacts:
    at: datetime
    from_bureau: int
    to_bureau: int

    FIELDS = ("at", "from_bureau_id", "to_bureau_id")


@dataclass(frozen=True)
class MatterFacts:
    """What decides a matter's contribution (kind: complaint, report or enquiry)."""

    kind: str
    received_at: datetime
    bureau: int
    via: str
    channel: str
    state: str
    ground: int
    accepted_at: datetime | None
    closed_at: datetime | None
    amount: Decimal | None
    duties: tuple[DutyFacts, ...] = ()
    score: int | None = None
    transfers: tuple[TransferFacts, ...] = ()


# ------------------------------------------------------------------------------------------- the facts

CASE_FIELDS = (
    "complaint_id", "received_at", "bureau_id", "via", "complaint__channel", "outcome", "accepted_at",
    "refused_at", "refusal_ground", "ended_at", "termination_ground", "amount_recovered",
)  # fmt: skip
MATTER_FIELDS = ("id", "kind", "received_at", "bureau_id", "channel", "state", "decided_at")


def case_state(outcome: str, refused_at, accepted_at) -> str:
    """Where a complaint stands at the centre: its outcome once there is one; else refused, accepted (in
    mediation, paused for testing included) or pending (awaiting the decision to accept)."""
    if outcome:
        return outcome
    if refused_at is not None:
        return Outcome.REFUSED
    return ACCEPTED if accepted_at is not None else PENDING


def case_facts(
    row: tuple, duties: tuple[DutyFacts, ...], score: int | None, transfers: tuple[TransferFacts, ...] = ()
) -> MatterFacts:
    (_id, received_at, bureau, via, channel, outcome, accepted_at, refused_at, refusal_ground, ended_at,
     termination_ground, amount) = row  # fmt: skip
    state = case_state(outcome, refused_at, accepted_at)
    ground = {Outcome.REFUSED: refusal_ground, Outcome.TERMINATED: termination_ground}.get(state) or 0
    closed_at = (
        refused_at if state == Outcome.REFUSED else ended_at if state not in (PENDING, ACCEPTED) else None
    )
    return MatterFacts(
        "complaint", received_at, bureau, via, channel, state, ground, accepted_at, closed_at, amount,
        duties, score, transfers,
    )  # fmt: skip


def matter_facts(
    row: tuple, duties: tuple[DutyFacts, ...], transfers: tuple[TransferFacts, ...] = ()
) -> MatterFacts:
    _id, kind, received_at, bureau, channel, state, decided_at = row
    if state == MatterState.RECEIVED:
        state, decided_at = PENDING, None
    return MatterFacts(
        kind, received_at, bureau, "", channel, state, 0, None, decided_at, None, duties, None, transfers
    )


def _duties(**owner) -> tuple[DutyFacts, ...]:
    rows = Deadline.objects.filter(**owner, phase__in=CENTRE_PHASES).order_by("phase")
    return tuple(DutyFacts(*row) for row in rows.values_list(*DutyFacts.FIELDS))


def _transfers(**owner) -> tuple[TransferFacts, ...]:
    rows = Transfer.objects.filter(**owner).order_by("at", "id")
    return tuple(TransferFacts(*row) for row in rows.values_list(*TransferFacts.FIELDS))


def facts_of(owner: str, owner_id: int) -> MatterFacts | None:
    """The matter's facts as its rows say now; None when it has none (a complaint that has not reached the
    centre, a deleted matter)."""
    if owner == COMPLAINT:
        row = CentreCase.objects.filter(complaint_id=owner_id).values_list(*CASE_FIELDS).first()
        if row is None:
            return None
        score = Rating.objects.filter(complaint_id=owner_id).values_list("score", flat=True).first()
        return case_facts(row, _duties(complaint_id=owner_id), score, _transfers(complaint_id=owner_id))
    row = Matter.objects.filter(pk=owner_id).values_list(*MATTER_FIELDS).first()
    if row is None:
        return None
    return matter_facts(row, _duties(matter_id=owner_id), _transfers(matter_id=owner_id))


# ------------------------------------------------------------------------------------------- working days


class WorkingDays:
    """Working days on a bureau's calendar between two instants: the days after the first one's local
    day, up to and including the second one's, that have working time — as the law counts "within N working
    days" (`policy.nth_working_day`): a complaint accepted on the 7th working day after the day of receipt
    took 7, one accepted the day it came 0. Each day is asked of the calendar once per instance.

    `calendar`: the calendar to count on; else that of `bureau` (an id: its working hours are read when a
    first day is counted, so a matter with nothing to count reads nothing); else the centre's default."""

    def __init__(self, calendar: BusinessCalendar | None = None, bureau: int | None = None):
        self._calendar = calendar
        self.bureau = bureau
        self._working: dict[date, bool] = {}

    @functools.cached_property
    def calendar(self) -> BusinessCalendar:
        if self._calendar is not None:
            return self._calendar
        bureau = Bureau.objects.filter(pk=self.bureau).first() if self.bureau else None
        return calendar_of(bureau)

    def _is_working(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            # Midnight to midnight, as `policy.nth_working_day` asks: a day with a DST change is not 24 h long.
            start = datetime.combine(day, time(0), self.calendar.tz)
            end = datetime.combine(day + timedelta(days=1), time(0), self.calendar.tz)
            known = self._working[day] = self.calendar.working_time_between(start, end) > timedelta(0)
        return known

    def between(self, start: datetime, end: datetime) -> int | None:
        """None when the calendar cannot say (a year no statutory source covers): the matter is then left
        out of that figure rather than counted wrong."""
        first, last = start.astimezone(self.calendar.tz).date(), end.astimezone(self.calendar.tz).date()
        try:
            return sum(self._is_working(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))
        except UncoveredYearError:
            return None


# ------------------------------------------------------------------------------------------- contributions

# A contribution as the ledger stores it: [table, [key…], [counters…]], the day as ISO text (JSON).
Row = list


def contribution(f: MatterFacts, workdays: WorkingDays) -> list[Row]:
    day = periods.local_day(f.received_at).isoformat()
    amount_fen = int(f.amount * 100) if f.amount else 0
    rows = [["centre", [day, f.bureau, f.kind, f.via, f.channel, f.state, f.ground],
             [1, int(f.accepted_at is not None), amount_fen]]]  # fmt: skip
    for d in f.duties:
        counters = [1, 0, 0, 0, 0]  # total, met_in_time, met_late, cancelled, paused
        outcome = rollups.deadline_outcome(d.status, d.met_at, d.due_at)
        if outcome:
            counters[rollups.TABLES["centre_duties"].counters.index(outcome)] = 1
        rows.append(["centre_duties", [day, f.bureau, d.phase], counters])
    measures = []
    if f.accepted_at is not None:
        measures.append((TO_ACCEPTANCE, workdays.between(f.received_at, f.accepted_at)))
    if f.closed_at is not None:
        measures.append((to_closing(f.kind), workdays.between(f.received_at, f.closed_at)))
    if f.score is not None:
        measures.append((RATING, f.score))
    rows += [["centre_values", [day, f.bureau, m, v], [1]] for m, v in measures if v is not None]
    for t in f.transfers:  # on the day of the transfer, out of one bureau and into the other
        moved = periods.local_day(t.at).isoformat()
        rows.append(["centre_transfers", [moved, t.from_bureau, OUT, t.to_bureau], [1]])
        rows.append(["centre_transfers", [moved, t.to_bureau, IN, t.from_bureau], [1]])
    return rows


def add(deltas: rollups.Deltas, rows: list[Row], sign: int) -> None:
    for table, key, counters in rows:
        names = rollups.TABLES[table].counters
        full_key = (date.fromisoformat(key[0]), *key[1:])
        for name, n in zip(names, counters, strict=True):
            if n:
                deltas.add(table, full_key, name, sign * n)


# ------------------------------------------------------------------------------------------- live


def refresh(*, complaint_id: int | None = None, matter_id: int | None = None) -> None:
    """Make the matter's share of the rollups what its rows say now (module docstring, step 2). Runs in
    the caller's transaction; the ledger row's lock orders two transactions that change one matter."""
    owner, owner_id = (COMPLAINT, complaint_id) if complaint_id is not None else (MATTER, matter_id)
    with transaction.atomic():
        ledger = CentreLedger.objects.select_for_update().filter(owner=owner, owner_id=owner_id).first()
        facts = facts_of(owner, owner_id)
        if ledger is None:
            if facts is None:
                return  # never counted, nothing to count: most complaints never reach the centre
            created = CentreLedger(owner=owner, owner_id=owner_id, contribution=[])
            CentreLedger.objects.bulk_create([created], ignore_conflicts=True)
            ledger = CentreLedger.objects.select_for_update().get(owner=owner, owner_id=owner_id)
            facts = facts_of(owner, owner_id)  # as committed by a transaction that held the lock before us
        new = contribution(facts, WorkingDays(bureau=facts.bureau)) if facts is not None else []
        if new == ledger.contribution:
            return
        deltas = rollups.Deltas()
        add(deltas, ledger.contribution, -1)
        add(deltas, new, +1)
        rollups.write(deltas)
        if new:
            ledger.contribution = new
            ledger.save(update_fields=["contribution"])
        else:
            ledger.delete()


# ------------------------------------------------------------------------------------------- from scratch


def recompute(deltas: rollups.Deltas, chunk_size: int = 5000) -> dict[tuple[str, int], list[Row]]:
    """Every matter's contribution from its raw rows, added to `deltas`; returns the ledger they make."""
    workdays: dict[int, WorkingDays] = {}  # by bureau: each bureau's days on its own calendar

    def counted(f: MatterFacts) -> list[Row]:
        return contribution(f, workdays.setdefault(f.bureau, WorkingDays(bureau=f.bureau)))

    duties = defaultdict(list)
    rows = Deadline.objects.filter(phase__in=CENTRE_PHASES).order_by("phase")
    for complaint_id, matter_id, *facts in rows.values_list("complaint_id", "matter_id", *DutyFacts.FIELDS):
        owner = (COMPLAINT, complaint_id) if complaint_id is not None else (MATTER, matter_id)
        duties[owner].append(DutyFacts(*facts))
    scores = dict(
        Rating.objects.filter(complaint__centre_case__isnull=False).values_list("complaint_id", "score")
    )
    transfers = defaultdict(list)
    moves = Transfer.objects.order_by("at", "id").values_list(
        "complaint_id", "matter_id", *TransferFacts.FIELDS
    )
    for complaint_id, matter_id, *facts in moves.iterator(chunk_size=chunk_size):
        owner = (COMPLAINT, complaint_id) if complaint_id is not None else (MATTER, matter_id)
        transfers[owner].append(TransferFacts(*facts))
    ledger = {}
    cases = CentreCase.objects.order_by().values_list(*CASE_FIELDS)
    for row in cases.iterator(chunk_size=chunk_size):
        owner = (COMPLAINT, row[0])
        ledger[owner] = counted(
            case_facts(row, tuple(duties[owner]), scores.get(row[0]), tuple(transfers[owner]))
        )
    for row in Matter.objects.order_by().values_list(*MATTER_FIELDS).iterator(chunk_size=chunk_size):
        owner = (MATTER, row[0])
        ledger[owner] = counted(matter_facts(row, tuple(duties[owner]), tuple(transfers[owner])))
    for rows_of_owner in ledger.values():
        add(deltas, rows_of_owner, +1)
    return ledger


def stored_ledger() -> dict[tuple[str, int], list[Row]]:
    return {(o, i): c for o, i, c in CentreLedger.objects.values_list("owner", "owner_id", "contribution")}


def replace_ledger(ledger: dict[tuple[str, int], list[Row]]) -> None:
    CentreLedger.objects.all().delete()
    CentreLedger.objects.bulk_create(
        [CentreLedger(owner=o, owner_id=i, contribution=c) for (o, i), c in ledger.items()], batch_size=1000
    )
