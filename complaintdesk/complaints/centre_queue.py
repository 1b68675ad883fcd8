"""The 12315 centre officer's queue (issue 13 item 7): every matter before the centre — the complaints that
reached it, the reports, the enquiries — in one list, the one whose duty falls due first on top, as the
shop's workbench orders its complaints by the shop's deadlines.

1. The queue is read from the duties, not from the complaints: the centre's duties still to do (Deadline
   rows of `CENTRE_PHASES`, not met, open, breached or paused while testing runs) through the partial index
   of their due times (`deadline_centre_to_do`). Its cost follows the centre's open work, never the number
   of complaints or deadlines ever stored. A complaint or matter has one duty to do at a time (the
   procedure meets one before it starts the next), so each line is one duty. The consumer's rating window
   is no duty and never in it.
2. Filtered by a state, the queue lists what is in that state, the nearest duty first, then the newest:
   a state the centre is done with (agreed, answered…) has no duty left, so its complaints are looked up
   through their centre cases and its reports and enquiries by their (kind, state) index.
3. A page of the queue is loaded in four queries whatever its length (`entries`).
4. A district bureau's officer sees what its bureau holds (SPEC §11: `viewer`); a city-level officer every
   bureau's, or one bureau's with the `bureau` filter (a district officer's filter for another bureau leaves
   nothing).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Case, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from complaintdesk.centre import matters
from complaintdesk.centre.jurisdiction import about_bureau, officer_bureau
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


def queue(filters: Filters, now: datetime | None = None, viewer=None) -> QuerySet:
    """The queue's keys in order, as rows {"complaint_id", "matter_id"}: page them, then load a page with
    `entries`. `viewer`: the officer whose bureau's matters it lists (None: every bureau's)."""
    now = now or timezone.now()
    bureaus = _bureaus(filters, viewer)
    if filters.state and not filters.overdue:
        return _in_state(filters, bureaus)
    duties = Deadline.objects.filter(_INDEXED, TO_DO)
    for bureau in bureaus:
        duties = duties.filter(about_bureau(bureau))
    if filters.kind == COMPLAINT:
        duties = duties.filter(_A_COMPLAINTS)
    elif filters.kind != ALL:
        duties = duties.filter(matter__kind=filters.kind)
    if filters.state in COMPLAINT_STATES:
        duties = duties.filter(complaint__state=filters.state)
    elif filters.state in MATTER_STATES:
        duties = duties.filter(matter__state=filters.state)
    if filters.overdue:
        duties = duties.filter(due_at__lt=now).exclude(status=DeadlineStatus.PAUSED)
    # A paused duty's due time moves when testing ends: it waits below every running one.
    paused = Case(When(status=DeadlineStatus.PAUSED, then=1), default=0, output_field=IntegerField())
    rows = duties.annotate(waiting=paused).values("complaint_id", "matter_id", *_keys(BY_DUTY))
    return rows.order_by(*BY_DUTY.ordering())


def _in_state(filters: Filters, bureaus: list[int]) -> QuerySet:
    """What is in the filter's state, the nearest duty first, then the newest received by the centre."""
    held = Q(*(Q(bureau_id=b) for b in bureaus))
    if filters.state in COMPLAINT_STATES:
        found = (
            CentreCase.objects.filter(held, complaint__state=filters.state)
            .annotate(
                next_due=Min("complaint__deadlines__due_at", filter=_through("complaint__deadlines")),
                matter_id=Value(None, output_field=IntegerField()),
            )
            .values("complaint_id", "matter_id", *_keys(CASES_IN_STATE))
            .order_by(*CASES_IN_STATE.ordering())
        )
        return found if filters.kind in (ALL, COMPLAINT) else found.none()
    found = Matter.objects.filter(held, state=filters.state)
    if filters.kind != ALL:
        found = found.filter(kind=filters.kind)
    found = (
        found.annotate(  # next_due: stored (`centre.duties.settle`); a matter's duties never pause
            complaint_id=Value(None, output_field=IntegerField()),
            matter_id=F("pk"),
        )
        .values("complaint_id", "matter_id", *_keys(MATTERS_IN_STATE))
        .order_by(*MATTERS_IN_STATE.ordering())
    )
    return found.none() if filters.kind == COMPLAINT else found


# The queue's orders, as its pages walk them (lib.cursor): each of `queue`'s three lists has its own.
BY_DUTY = Order("centre-queue", (Key("waiting"), Key("due_at"), Key("id")))
CASES_IN_STATE = Order(
    "centre-queue-cases",
    (
        Key("next_due", nullable=True),
        Key("received_at", descending=True),
        Key("complaint_id", descending=True),
    ),
)
MATTERS_IN_STATE = Order(
    "centre-queue-matters",
    (Key("next_due", nullable=True), Key("received_at", descending=True), Key("id", descending=True)),
)


def _keys(order: Order) -> list[str]:
    return [key.name for key in order.keys if key.name not in ("complaint_id", "matter_id")]


def listed(filters: Filters, now: datetime | None = None, viewer=None) -> Segment:
    """`queue` with the order its rows are in, for its pages (lib.cursor)."""
    if filters.state and not filters.overdue:
        order = CASES_IN_STATE if filters.state in COMPLAINT_STATES else MATTERS_IN_STATE
    else:
        order = BY_DUTY
    return Segment(queue(filters, now, viewer), order)


def _through(relation: str) -> Q:
    """`TO_DO`, written from a model whose deadlines are reached through `relation` (an aggregate's filter)."""

    def walk(node):
        if isinstance(node, Q):
            return Q(
                *[walk(child) for child in node.children], _connector=node.connector, _negated=node.negated
            )
        field, value = node
        return (f"{relation}__{field}", value)

    return walk(TO_DO)


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
