"""The 12315 centre officer's queue (issue 13 item 7): every matter before the centre — the complaints that
reached it, the reports, the enquiries — in one list, the one whose duty falls due first on top, as the
shop's workbench orders its complaints by the shop's deadlines.

1. The queue is read from the duties, not from the complaints: the centre's duties still to do (Deadline
   rows of `CENTRE_PHASES`, not met, open, breached or paused while testing runs) through the partial index
   of their due times (`deadline_centre_to_do`), walked in its order: the running duties, then the paused
   ones (a paused duty's due time moves when testing ends: it waits below every running one), each a part
   of the list (`lib.cursor.chained`) that stops after a page. A page's cost follows the page and the share
   of the duties the filters keep, never the number of complaints or deadlines ever stored. A complaint or
   matter has one duty to do at a time (the procedure meets one before it starts the next), so each line
   is one duty. The consumer's rating window is no duty and never in it.
2. Reports or enquiries alone (a matter's kind or state) are read from the matters' own partial indexes of
   their nearest duty (`centre.matters.listed`): a matter's duties never pause.
3. Filtered by a complaint's state, the queue lists what is in that state, the nearest duty first, then
   what has none, the newest received by the centre first: walked in the duties' and the cases' indexes,
   but for a bureau's complaints in a state the centre works in, few, read by the complaints' (bureau,
   state) index (`AT_HAND`).
4. No total is counted: it would read every matching duty and its complaint (seconds at 10 M complaints);
   the page says how many it holds when it is the whole list.
5. A page of the queue is loaded in four queries whatever its length (`entries`).
6. A district bureau's officer sees what its bureau holds (SPEC §11: `viewer`); a city-level officer every
   bureau's, or one bureau's with the `bureau` filter (a district officer's filter for another bureau leaves
   nothing). A complaint's bureau is its own indexed column (`Complaint.bureau`), a matter's its row's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from complaintdesk.centre import matters
from complaintdesk.centre.jurisdiction import about_bureau, in_bureau, officer_bureau
from complaintdesk.centre.models import CentreCase, Matter, MatterKind, MatterState
from complaintdesk.complaints.choices import OPEN_STATES, State
from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import CENTRE_PHASES, Deadline, DeadlineStatus, Phase
from complaintdesk.lib.cursor import Key, Order, Segment

ALL = "all"
COMPLAINT = "complaint"
KINDS = (COMPLAINT, MatterKind.REPORT, MatterKind.ENQUIRY)
# A filter's state is a complaint's or a matter's: the two vocabularies share no value.
COMPLAINT_STATES = frozenset(State.values)
MATTER_STATES = frozenset(MatterState.values)
assert not COMPLAINT_STATES & MATTER_STATES

# A duty of the centre's still to do: not met, and open, breached (late, but still to do) or paused (testing),
# of a complaint or matter still open. A terminated mediation's notice is the one duty that outlives its
# complaint's end; a duty left breached when its complaint ended another way (withdrawn while the centre
# was late to accept; the mediation period that ran out, on which the worker terminated) is over.
TO_DO = Q(
    phase__in=CENTRE_PHASES,
    met_at__isnull=True,
    status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED, DeadlineStatus.PAUSED],
) & (
    Q(complaint__state__in=OPEN_STATES)
    | Q(matter__state__in=matters.OPEN_STATES)
    | Q(phase=Phase.TERMINATION_NOTICE)
)

# The partial index's own condition, written out as the index has it: SQLite uses a partial index only for
# a query whose terms match the index's literally (a bound parameter could be any value).
_PHASES = ", ".join(f"'{phase}'" for phase in sorted(CENTRE_PHASES))
_INDEXED = RawSQL(
    f"(deadlines_deadline.met_at IS NULL AND deadlines_deadline.phase IN ({_PHASES}))",
    [],
    output_field=BooleanField(),
)

# A complaint's duty, written so that no index serves it (a unary +): `complaint_id IS NOT NULL` drew SQLite
# to the (complaint, …) index of every complaint's deadline (3.3 s at 1 M) instead of the partial index above.
_A_COMPLAINTS = RawSQL("+deadlines_deadline.complaint_id IS NOT NULL", [], output_field=BooleanField())


@dataclass(frozen=True)
class Filters:
    kind: str = ALL  # ALL or one of KINDS
    state: str = ""  # a complaint's or a matter's state; "" for what has a duty to do
    overdue: bool = False  # only what has a duty past its due time
    bureau: int | None = None  # only what this bureau holds


@dataclass
class Entry:
    """One line of the queue: a complaint at the centre, or a report or an enquiry, with its nearest duty
    still to do (None when none is)."""

    kind: str  # COMPLAINT, MatterKind.REPORT or MatterKind.ENQUIRY
    complaint: Complaint | None
    matter: Matter | None
    duty: Deadline | None

    @property
    def item(self) -> Complaint | Matter:
        return self.complaint if self.complaint is not None else self.matter

    @property
    def case(self) -> CentreCase | None:
        return getattr(self.complaint, "centre_case", None) if self.complaint is not None else None

    @property
    def bureau(self):
        """The bureau that holds it (None for a complaint at the centre from before cases were kept)."""
        holder = self.case if self.complaint is not None else self.matter
        return holder.bureau if holder is not None else None

    @property
    def rule_version(self):
        """The rule version its duties follow (as `bureau`)."""
        holder = self.case if self.complaint is not None else self.matter
        return holder.rule_version if holder is not None else None

    @property
    def received_at(self) -> datetime:
        """When the centre received it: a complaint's escalation or direct filing, a matter's receipt."""
        if self.matter is not None:
            return self.matter.received_at
        return self.case.received_at if self.case is not None else self.complaint.received_at


def _bureaus(filters: Filters, viewer) -> list[int]:
    """The bureaus whose matters the queue is narrowed to: the viewer's own (a district officer's) and the
    filter's; both when both are given, so that a district officer asking for another bureau sees nothing."""
    own = officer_bureau(viewer) if viewer is not None else None
    return [b for b in {own, filters.bureau} if b is not None]


# The queue's orders, as its pages walk them (lib.cursor): each part of each list has its own name, so that a
# cursor says which part it continues. The duties' parts are read in the order of their partial index (its
# due time, then the row id the index holds).
RUNNING = Order("centre-queue-running", (Key("due_at"), Key("id")))
PAUSED = Order("centre-queue-paused", (Key("due_at"), Key("id")))
IN_STATE_DUE = Order("centre-queue-state-due", (Key("due_at"), Key("id")))
CASES_AT_REST = Order("centre-queue-cases", (Key("received_at", descending=True), Key("id", descending=True)))
_KEYS = ("complaint_id", "matter_id")


def listed(filters: Filters, now: datetime | None = None, viewer=None) -> list[Segment]:
    """The queue as the parts of a list (`lib.cursor.chained`), each of rows {"complaint_id", "matter_id"}
    and its sort keys: page them, then load a page with `entries`. `viewer`: the officer whose bureau's
    matters it lists (None: every bureau's)."""
    now = now or timezone.now()
    bureaus = _bureaus(filters, viewer)
    if filters.kind in (MatterKind.REPORT, MatterKind.ENQUIRY) or filters.state in MATTER_STATES:
        return _matters(filters, bureaus, now)
    if filters.state and not filters.overdue:
        return _complaints_in_state(filters.state, bureaus)
    duties = Deadline.objects.filter(_INDEXED, TO_DO)
    # The bureau as a complaint's or a matter's (an OR over both), even of the complaints' duties alone: a
    # condition on the complaint alone would draw SQLite to walk every complaint of the bureau.
    duties = duties.filter(*(about_bureau(b) for b in bureaus))
    if filters.kind == COMPLAINT or filters.state:  # a complaint's state: its duties alone
        duties = duties.filter(_A_COMPLAINTS)
    if filters.state:
        duties = duties.filter(complaint__state=filters.state)
    running = duties.filter(status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED])
    if filters.overdue:  # a paused duty is never late: its due time moves when testing ends
        return [Segment(_duty_keys(running.filter(due_at__lt=now)), RUNNING)]
    paused = duties.filter(status=DeadlineStatus.PAUSED)
    return [Segment(_duty_keys(running), RUNNING), Segment(_duty_keys(paused), PAUSED)]


def queue(filters: Filters, now: datetime | None = None, viewer=None) -> list[dict]:
    """Every row of the queue (`listed`), in order: for a short queue (tests, the demo), not for a page."""
    return [
        row
        for segment in listed(filters, now, viewer)
        for row in segment.queryset.order_by(*segment.order.ordering())
    ]


def _duty_keys(duties: QuerySet) -> QuerySet:
    return duties.values(*_KEYS, "due_at", "id")


# The states a complaint is in while the centre works on it: a bureau's complaints in one are a share of the
# centre's work at hand (hundreds), read through the complaints' (bureau, state) index and put in order, where
# walking every duty of the centre for them would read thousands. The whole centre's are thousands, and a
# large share of its duties: walked in the duties' order, a page stops early.
AT_HAND = frozenset({State.ESCALATED, State.IN_MEDIATION, State.TESTING})


def _complaints_in_state(state: str, bureaus: list[int]) -> list[Segment]:
    """The complaints in `state` that reached the centre: those with a duty to do, the nearest first (a paused
    one at its due time), then the others, the newest received by the centre first."""
    to_do = Deadline.objects.filter(TO_DO, complaint_id=OuterRef("complaint_id"))
    # Asked of each row (EXISTS), the bureau as the complaint's, so that the planner walks the duties' and the
    # cases' indexes in the list's order rather than every complaint ever in the state.
    in_state = Complaint.objects.filter(
        *(in_bureau(b) for b in bureaus), pk=OuterRef("complaint_id"), state=state
    )
    duties = Deadline.objects.filter(_INDEXED, TO_DO, _A_COMPLAINTS, Exists(in_state))
    cases = CentreCase.objects.filter(Exists(in_state))
    if state in AT_HAND:
        held = [in_bureau(b, "complaint__") for b in bureaus]
        if bureaus:
            duties = Deadline.objects.filter(TO_DO, *held, complaint__state=state)
        # Their cases with no duty to do are few (none but a rule version's missing rule): found from the
        # complaints in the state, not by walking every case of the centre's history.
        cases = CentreCase.objects.filter(*held, complaint__state=state)
    at_rest = (
        cases.filter(~Exists(to_do))
        .annotate(matter_id=Value(None, output_field=IntegerField()))
        .values(*_KEYS, "received_at", "id")
    )
    return [Segment(_duty_keys(duties), IN_STATE_DUE), Segment(at_rest, CASES_AT_REST)]


# A decided matter's state is one kind's: a report's decision or an enquiry's answer ("received" is both's).
_KIND_OF_STATE = {
    MatterState.CASE_OPENED: MatterKind.REPORT,
    MatterState.NO_CASE: MatterKind.REPORT,
    MatterState.ANSWERED: MatterKind.ENQUIRY,
}


def _matters(filters: Filters, bureaus: list[int], now: datetime) -> list[Segment]:
    """Reports or enquiries alone, from the matters' partial indexes of their nearest duty (`Matter.next_due`,
    the due time of its duty to do): with a duty to do, the nearest first; filtered by a state, then those
    in it with none, the newest first (`centre.matters.listed`)."""
    if filters.kind == COMPLAINT or filters.state in COMPLAINT_STATES:
        return []
    found = Matter.objects.filter(*(Q(bureau_id=b) for b in bureaus))
    # The kind a decided matter's state belongs to, so that its kind's index gives the order.
    kind = _KIND_OF_STATE.get(filters.state, ALL) if filters.kind == ALL else filters.kind
    if kind != ALL:
        found = found.filter(kind=kind)
    found = found.filter(state__in=[filters.state] if filters.state else matters.OPEN_STATES)
    if filters.overdue:
        found = matters.overdue(found, now)
    keys = found.annotate(complaint_id=Value(None, output_field=IntegerField()), matter_id=F("pk"))
    parts = matters.listed(keys, at_rest=bool(filters.state) and not filters.overdue)
    return [
        Segment(part.queryset.values(*_KEYS, *(key.name for key in part.order.keys)), part.order)
        for part in parts
    ]


def entries(keys) -> list[Entry]:
    """The queue's entries for `keys` (a page of `queue`), in their order: the complaints with their shop,
    case, bureau and rule version, the matters likewise, each with its centre duties (four queries)."""
    keys = list(keys)
    duties = Prefetch(
        "deadlines", queryset=Deadline.objects.filter(phase__in=CENTRE_PHASES).order_by("due_at")
    )
    complaint_ids = [k["complaint_id"] for k in keys if k["complaint_id"] is not None]
    matter_ids = [k["matter_id"] for k in keys if k["matter_id"] is not None]
    complaints = Complaint.objects.select_related(
        "merchant", "category", "centre_case__bureau", "centre_case__rule_version"
    ).prefetch_related(duties)
    found_matters = Matter.objects.select_related("merchant", "bureau", "rule_version").prefetch_related(
        duties
    )
    by_complaint = {c.pk: c for c in complaints.filter(pk__in=complaint_ids)} if complaint_ids else {}
    by_matter = {m.pk: m for m in found_matters.filter(pk__in=matter_ids)} if matter_ids else {}
    found, seen = [], set()
    for key in keys:
        complaint = by_complaint.get(key["complaint_id"])
        matter = by_matter.get(key["matter_id"])
        if complaint is None and matter is None:
            continue  # deleted between the two queries
        if (key["complaint_id"], key["matter_id"]) in seen:
            continue  # one line each, should a complaint or matter ever have two duties to do
        seen.add((key["complaint_id"], key["matter_id"]))
        kind = COMPLAINT if complaint is not None else matter.kind
        found.append(Entry(kind, complaint, matter, nearest_duty(complaint or matter)))
    return found


def nearest_duty(item: Complaint | Matter) -> Deadline | None:
    """Of a complaint's or matter's (prefetched) deadlines, the duty of the centre's still to do that falls
    due first, a running one before a paused one."""
    to_do = [d for d in item.deadlines.all() if is_to_do(d, item.state)]
    if not to_do:
        return None
    return min(to_do, key=lambda d: (d.status == DeadlineStatus.PAUSED, d.due_at))


def is_to_do(deadline: Deadline, owner_state: str) -> bool:
    """`TO_DO` for a row already loaded, whose complaint or matter is in `owner_state`."""
    return (
        deadline.phase in CENTRE_PHASES
        and deadline.met_at is None
        and deadline.status in (DeadlineStatus.OPEN, DeadlineStatus.BREACHED, DeadlineStatus.PAUSED)
        and (
            owner_state in OPEN_STATES
            or owner_state in matters.OPEN_STATES
            or deadline.phase == Phase.TERMINATION_NOTICE
        )
    )
