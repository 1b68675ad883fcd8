"""Follow-up calls (回访, SPEC §10, issue 13 item 5): an officer calls the consumer (or the reporter, the
enquirer) after a complaint or a matter closed, and records when, the outcome and a note.

The console suggests whom to call: a sample of the week's closed complaints and matters, random but the same
every time it is asked for the same week (`sample`). Each candidate gets a rank from its id through a hash
drawn for the week and its kind from the deployment's secret (so nobody outside can tell in advance whom the
centre will call); the sample is the lowest ranks. A candidate keeps its rank when more close later in the
week: an officer who started on the list does not see it reshuffled. The hash is arithmetic (`rank`), so the
database ranks the week's closings and hands over the first few (tens of thousands a week at a national
centre: none of them is sent to Python to be ranked).

A district bureau's officers call about what their bureau holds (SPEC §11): the sample and the calls of a
`bureau` are drawn from its complaints and matters alone (None: every bureau's, a city-level officer's).

Here, above the centre's models, because "closed" is the complaint's state (`choices.TERMINAL_STATES`) and its
closing instant is on the complaint's log.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import BigIntegerField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.centre.jurisdiction import about_bureau
from complaintdesk.centre.models import CallOutcome, FollowUpCall, Matter, MatterKind, MatterState
from complaintdesk.complaints.choices import TERMINAL_STATES
from complaintdesk.complaints.models import CLOSING, Complaint, ComplaintEvent
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.lib.literal import literal

NOTE_MAX = FollowUpCall._meta.get_field("note").max_length
COMPLAINT, MATTER = "complaint", "matter"


@dataclass(frozen=True)
class Candidate:
    """A closed complaint or matter the centre may call about."""

    kind: str  # COMPLAINT or MATTER
    item: Complaint | Matter
    closed_at: datetime

    @property
    def reference(self) -> str:
        return self.item.reference or ""

    @property
    def called(self) -> bool:
        return bool(getattr(self.item, "called", False))


def parse_week(text: str) -> date:
    """The Monday of an ISO week written `2026-W42`."""
    try:
        year, week = text.strip().upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise FieldError("week", _("Write the week as year and ISO week number, as in 2026-W42.")) from None


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_full_week(today: date) -> date:
    """The Monday of the week before `today`'s: the week whose closed matters are called back now."""
    return today - timedelta(days=today.weekday() + 7)


def _bounds(monday: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(monday, time(), zone)
    return start, datetime.combine(monday + timedelta(days=7), time(), zone)


def closed_in(monday: date, bureau: int | None = None) -> list[Candidate]:
    """The complaints and matters closed in the week, that the centre can call: a complaint with a consumer
    account (a caller without one left no number to call), a report or enquiry whose author left a way to
    reach them; `bureau`'s only when given."""
    return _read_in_batches(_closings(monday), monday, bureau)


def _closings(monday: date) -> list[tuple[str, int]]:
    """(kind, id) of every complaint and matter closed in the week, from the week's closing events (the
    events' time index: a week of them, never every complaint) and the matters' decision times. Their ids
    alone; which of them can be called, whose they are and when they closed is `_candidates`' question."""
    complaints = closing_events(monday).values_list("complaint_id", flat=True)
    closings = dict.fromkeys((COMPLAINT, pk) for pk in complaints)  # closed twice in the week: once
    closings.update(dict.fromkeys((MATTER, pk) for pk in _decided(monday).values_list("pk", flat=True)))
    return list(closings)


def _decided(monday: date):
    """The matters decided in the week, in no order (their decision time's index)."""
    start, end = _bounds(monday)
    matters = Matter.objects.filter(decided_at__gte=start, decided_at__lt=end)
    return matters.exclude(state=MatterState.RECEIVED).order_by()


def closing_events(monday: date):
    """The events of the week that closed a complaint, in no order: a range of the closings' own partial
    index (`complaint_event_closed`, its condition written as literals), not every event of the week."""
    start, end = _bounds(monday)
    return ComplaintEvent.objects.filter(
        literal(CLOSING), created_at__gte=start, created_at__lt=end
    ).order_by()


def _candidates(closings: list[tuple[str, int]], monday: date, bureau: int | None) -> list[Candidate]:
    """The candidates among `closings` ((kind, id) closed in the week) that the centre can call
    (`closed_in`), with what the console shows of them and when they closed, in the order of `closings`."""
    ids = {COMPLAINT: [], MATTER: []}
    for kind, pk in closings:
        ids[kind].append(pk)
    complaints = (
        Complaint.objects.filter(pk__in=ids[COMPLAINT], consumer__isnull=False, state__in=TERMINAL_STATES)
        .annotate(called=_called("complaint"))
        .select_related("merchant", "consumer")
    )
    matters = (
        Matter.objects.filter(pk__in=ids[MATTER])
        .filter(Q(user__isnull=False) | ~Q(contact_phone="") | ~Q(contact_email=""))
        .annotate(called=_called("matter"))
        .select_related("merchant", "user")
    )
    # Whose they are is checked on each row read by its id: a condition on the bureau let SQLite walk every
    # complaint of the bureau by its index in search of the batch's (0.5 s at 10 M complaints).
    found = {(COMPLAINT, c.pk): (c, None) for c in complaints if _held(c, bureau)} if ids[COMPLAINT] else {}
    found.update(
        {(MATTER, m.pk): (m, m.decided_at) for m in matters if _held(m, bureau)} if ids[MATTER] else {}
    )
    closed = _closed_at(monday, [pk for kind, pk in found if kind == COMPLAINT])
    return [
        Candidate(key[0], found[key][0], found[key][1] or closed[key[1]]) for key in closings if key in found
    ]


def _held(item: Complaint | Matter, bureau: int | None) -> bool:
    """Whether `bureau` holds the complaint or matter (`centre.jurisdiction.in_bureau`: the complaint's own
    bureau column; a matter's bureau); every one when `bureau` is None."""
    return bureau is None or item.bureau_id == bureau


def _closed_at(monday: date, complaint_ids: list[int]) -> dict[int, datetime]:
    """Complaint id → its last closing in the week (closed twice in the week: the last closing)."""
    if not complaint_ids:
        return {}
    last = closing_events(monday).filter(complaint_id__in=complaint_ids).values("complaint_id")
    return dict(last.annotate(at=Max("created_at")).values_list("complaint_id", "at"))


def _called(owner: str):
    return Exists(FollowUpCall.objects.filter(**{owner: OuterRef("pk")}))


# Closings ranked at a time when the sample walks the week's closings in the order of their rank, twice as
# many each time: most can be called, but a district's are a few of the city's.
SAMPLE_BATCH = 200


def sample(monday: date, size: int | None = None, bureau: int | None = None) -> list[Candidate]:
    """Whom to call about the week's closed complaints and matters (`bureau`'s only when given): `size` of
    them (the setting FOLLOW_UP_SAMPLE_SIZE), the same ones whenever asked, in the order of their rank.

    The database ranks every closing of the week (`rank`) and returns the first batch of them; their rows are
    read, and the next batch asked for, until `size` of them can be called: a week's closings at a national
    centre are tens of thousands, its sample a few dozen."""
    size = settings.FOLLOW_UP_SAMPLE_SIZE if size is None else size
    found: list[Candidate] = []
    after, batch, more = None, max(size, SAMPLE_BATCH), True
    while more and len(found) < size:
        ranked, more = _ranked(monday, after, batch)
        found += _candidates([(kind, pk) for _rank, kind, pk in ranked], monday, bureau)
        after, batch = (ranked or [after])[-1], batch * 2
    return found[:size]


def _read_in_batches(closings: list, monday: date, bureau: int | None) -> list[Candidate]:
    """The candidates among `closings` ((kind, id) closed in the week), in their order, read a batch at a
    time (a bounded list of ids a query)."""
    found: list[Candidate] = []
    for first in range(0, len(closings), SAMPLE_BATCH):
        found += _candidates(closings[first : first + SAMPLE_BATCH], monday, bureau)
    return found


# The ranks: a polynomial of degree 3 in the id over this prime, its coefficients drawn from the secret, the
# week and the kind. Each closing's rank is as likely to be any number below the prime as any other, and any
# four closings' ranks are independent of each other (a polynomial of degree 3 with random coefficients): the
# draw favours no closing, neighbouring ids included (a test draws 600 weeks). Every step stays below
# PRIME², within the 64-bit integers that SQLite and PostgreSQL both compute exactly.
PRIME = 2**31 - 1


def coefficients(monday: date, kind: str) -> tuple[int, ...]:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{week_label(monday)}:{kind}".encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 8], "big") % PRIME for i in range(0, 32, 8))


def rank(monday: date, kind: str, pk: int) -> int:
    """The rank of a closing in its week's sample (lowest first), as the database computes it (`_rank_of`)."""
    value, x = 0, pk % PRIME
    for coefficient in coefficients(monday, kind):
        value = (value * x + coefficient) % PRIME
    return value


def _rank_of(column: str, monday: date, kind: str):
    """`rank` of the id in `column`, computed by the database (Horner's rule, each step reduced). A 64-bit
    product from the first step: PostgreSQL reads a number below 2³¹ as a 32-bit one."""
    first, *others = coefficients(monday, kind)
    value, x = Cast(Value(first), BigIntegerField()), F(column) % PRIME
    for coefficient in others:
        value = (value * x + coefficient) % PRIME
    return ExpressionWrapper(value, output_field=BigIntegerField())


def _ranked(monday: date, after: tuple | None, limit: int) -> tuple[list[tuple[int, str, int]], bool]:
    """The week's next closings in rank order after `after` ((rank, kind, id), ties in kind and id), at most
    `limit` of each kind, and whether more follow them. Each kind is ranked by the database over
    its own index of the week (the closing events', the matters' decision time); a complaint closed twice in
    the week comes once."""
    sources = ((COMPLAINT, closing_events(monday), "complaint_id"), (MATTER, _decided(monday), "pk"))
    merged: set[tuple[int, str, int]] = set()
    bound = None  # the last of a kind that has more after it: what follows it is not read yet
    for kind, rows, column in sources:
        rows = rows.annotate(rank=_rank_of(column, monday, kind))
        if after is not None:
            rows = rows.filter(_beyond(after, kind, column))
        read = [(r, kind, pk) for r, pk in rows.order_by("rank", column).values_list("rank", column)[:limit]]
        if len(read) == limit:
            bound = min(bound or read[-1], read[-1])
        merged.update(read)
    return sorted(key for key in merged if bound is None or key <= bound), bound is not None


def _beyond(after: tuple[int, str, int], kind: str, column: str) -> Q:
    """The closings of `kind` after `after` in the order (rank, kind, id)."""
    rank_after, kind_after, pk_after = after
    if kind == kind_after:
        return Q(rank__gt=rank_after) | Q(rank=rank_after, **{f"{column}__gt": pk_after})
    return Q(rank__gte=rank_after) if kind > kind_after else Q(rank__gt=rank_after)


# The calls of a week as the console pages them (`lib.cursor`), newest first: the index of their time.
CALLS_ORDER = Order("follow-up-calls", (Key("called_at", descending=True), Key("id", descending=True)))


def calls_in(monday: date, bureau: int | None = None):
    """The calls made in the week (about `bureau`'s complaints and matters only when given), newest first."""
    start, end = _bounds(monday)
    calls = FollowUpCall.objects.filter(called_at__gte=start, called_at__lt=end)
    if bureau is not None:
        calls = calls.filter(about_bureau(bureau))
    return calls.select_related("officer", "complaint__merchant", "matter").order_by(*CALLS_ORDER.ordering())


def closing_instant(*, complaint=None, matter=None) -> datetime | None:
    """When the complaint or matter closed; None while it is open."""
    if matter is not None:
        return matter.decided_at if matter.state != MatterState.RECEIVED else None
    if complaint.state not in TERMINAL_STATES:
        return None
    closings = complaint.events.filter(CLOSING)
    last = closings.aggregate(at=Max("created_at"))["at"]
    return last or complaint.received_at


def record(officer, *, complaint=None, matter=None, called_at: datetime, outcome: str, note: str = "",
           now: datetime | None = None) -> FollowUpCall:  # fmt: skip
    """Record an officer's call about a closed complaint or matter. Refused, with nothing written: an open
    one (409), a call in the future or before the closing, an unknown outcome, a note too long (422)."""
    if (complaint is None) == (matter is None):
        raise ValueError("a follow-up call is about one complaint or one matter")
    now = now or timezone.now()
    closed = closing_instant(complaint=complaint, matter=matter)
    if closed is None:
        raise Conflict(_("It is not closed yet: follow-up calls are made once it is."))
    if outcome not in CallOutcome.values:
        raise FieldError(
            "outcome",
            _("Choose one of: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in CallOutcome.labels)},
        )
    if called_at > now:
        raise FieldError("called_at", _("The call cannot be in the future."))
    if called_at < closed:
        raise FieldError(
            "called_at",
            _("The call is before the closing on %(closed)s.")
            % {"closed": f"{timezone.localtime(closed):%Y-%m-%d %H:%M}"},
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise FieldError(
            "note",
            _("The note is %(length)d characters long; at most %(limit)d fit.")
            % {"length": len(note), "limit": NOTE_MAX},
        )
    return FollowUpCall.objects.create(
        complaint=complaint, matter=matter, officer=officer, called_at=called_at, outcome=outcome, note=note
    )


def who_to_call(candidate_or_item) -> tuple[str, str]:
    """(name, phone) of the person to call about a complaint or matter; an empty phone when none is known."""
    item = getattr(candidate_or_item, "item", candidate_or_item)
    if isinstance(item, Complaint):
        user = item.consumer
        name = (user.get_full_name() or user.username) if user else item.consumer_name
        return name, user.phone if user else ""
    user = item.user
    name = item.contact_name or ((user.get_full_name() or user.username) if user else "")
    return name, item.contact_phone or (user.phone if user else "")


def kind_label(candidate: Candidate) -> str:
    if candidate.kind == COMPLAINT:
        return str(_("Complaint"))
    return str(MatterKind(candidate.item.kind).label)
