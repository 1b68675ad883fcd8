"""Keyset pages ("cursor pagination") of an ordered queryset, and counts that stop at a cap.

An OFFSET page reads and throws away every row before it, and a page number needs the total (a COUNT(*)
over every matching row): at millions of complaints both cost seconds. A keyset page starts where the
last page ended, by the values of its sort keys, so the database walks its index from there:

1. An `Order` names a list's sort keys; the last key is unique (the id), so the order is total and a
   row's keys say exactly where it stands.
2. A cursor is the keys of the row a page ends (or starts) with, signed (`django.core.signing`, salted with
   the order's name): opaque to a client, refused when altered or when it belongs to another list's order.
   It holds only where to continue, nothing of whom it was made for: the queryset it is applied to is the
   reader's own, so a cursor passed to someone else shows them only their rows.
3. `page` reads one row more than the page to know whether another follows; the rows after a cursor are
   those strictly beyond its keys, so rows inserted meanwhile before the cursor are neither repeated nor
   do they push later rows out (an OFFSET page would show a row twice).
4. `capped_count` counts at most `CAP` rows and answers None beyond: "10,000+" is all a reader needs to
   know about a list that long, and counting it exactly would cost as much as reading it.
5. A list may be made of parts one after the other, each in its own order and read from its own index
   (`chained` over `Segment`s: the complaints with a running deadline by due time, then the others by
   receipt); a cursor is one of its part's, and a page runs on into the next part (or back).
6. `page` reads a page's keys first and then its rows by id (`_read`), and `numbered` serves the page
   numbers an API keeps for small offsets, with a cursor to go on from.

The keyset condition is written as a range on the first key AND the usual OR of equal prefixes, e.g.
`received_at <= t AND (received_at < t OR (received_at = t AND id < n))`: the range lets both databases
start an index scan at the cursor; the OR alone would hide it from SQLite's planner.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

# Rows a count reads before it stops: a list longer than this shows "10,000+" (docs/decisions.md).
CAP = 10_000
AFTER, BEFORE = "a", "b"


class InvalidCursor(ValueError):
    """A cursor that was not made by this server for this list (altered, truncated, of another list)."""

    field = "cursor"

    def __init__(self, reason: str | None = None):
        self.reason = reason or _("is not a cursor of this list: use the `next` of a page as it was given")
        super().__init__(self.reason)


@dataclass(frozen=True)
class Key:
    """A sort key: a field or annotation of the rows. `nullable` keys sort their NULLs after every value,
    in either direction (as "no deadline" comes after every deadline)."""

    name: str
    descending: bool = False
    nullable: bool = False

    def ordering(self, reverse: bool = False):
        descending = self.descending != reverse
        if not self.nullable:
            return f"-{self.name}" if descending else self.name
        # NULLs last in the order, so first when it is walked backwards.
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        return F(self.name).desc(**nulls) if descending else F(self.name).asc(**nulls)

    def beyond(self, value, reverse: bool = False, inclusive: bool = False) -> Q:
        """The rows whose key comes after `value` in the order (before it when `reverse`), or equals it too
        when `inclusive`."""
        greater = (not self.descending) != reverse  # the rows sought hold greater values
        found = Q(**{f"{self.name}__{'gt' if greater else 'lt'}{'e' if inclusive else ''}": value})
        if not self.nullable:
            return found
        null, not_null = Q(**{f"{self.name}__isnull": True}), Q(**{f"{self.name}__isnull": False})
        if value is None:  # NULLs are last: after them nothing, before them every value
            if reverse:
                return Q() if inclusive else not_null
            return null if inclusive else Q(pk__in=[])
        return found if reverse else found | null

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


@dataclass(frozen=True)
class Order:
    """A list's order: its name (a cursor of one order is refused by another) and its keys, the last one
    unique."""

    name: str
    keys: tuple[Key, ...]

    def ordering(self, reverse: bool = False) -> list:
        return [key.ordering(reverse) for key in self.keys]

    def values_of(self, row) -> list:
        if isinstance(row, dict):
            return [row[key.name] for key in self.keys]
        return [getattr(row, key.name) for key in self.keys]

    def beyond(self, values: list, reverse: bool = False) -> Q:
        """The rows strictly after `values` in the order (strictly before when `reverse`)."""
        first = self.keys[0]
        clauses, same = [], Q()
        for key, value in zip(self.keys, values, strict=True):
            clauses.append(same & key.beyond(value, reverse))
            same &= key.equal(value)
        # The range on the first key is implied by the OR; it is there for the planners (module doc).
        return first.beyond(values[0], reverse, inclusive=True) & reduce(or_, clauses)

    def cursor(self, row, direction: str = AFTER) -> str:
        """The cursor of the rows after `row` (before it, with BEFORE)."""
        payload = {"d": direction, "k": [_encode(v) for v in self.values_of(row)]}
        return signing.dumps(payload, salt=_salt(self), compress=False)

    def read(self, token: str) -> tuple[str, list]:
        """(direction, key values) of a cursor of this order; InvalidCursor otherwise."""
        try:
            payload = signing.loads(token, salt=_salt(self))
            direction, values = payload["d"], [_decode(v) for v in payload["k"]]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise InvalidCursor() from None
        if direction not in (AFTER, BEFORE) or len(values) != len(self.keys):
            raise InvalidCursor()
        if any(v is None and not key.nullable for key, v in zip(self.keys, values, strict=True)):
            raise InvalidCursor()
        return direction, values


def _salt(order: Order) -> str:
    return f"complaintdesk.cursor:{order.name}"


# Key values as JSON: instants and days tagged, so that they come back as the types the rows hold.
def _encode(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"a sort key of type {type(value).__name__} cannot go in a cursor")


def _decode(value):
    if isinstance(value, dict):
        (tag, text), *rest = value.items()
        if rest or not isinstance(text, str):
            raise ValueError(value)
        if tag == "t":
            return datetime.fromisoformat(text)
        if tag == "d":
            return date.fromisoformat(text)
        if tag == "n":
            return Decimal(text)
        raise ValueError(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ValueError(value)


@dataclass
class Page:
    """One page of a list: its rows, the cursors of the pages after and before it (None when there is
    none; `previous` is "" for the first page, reached without a cursor)."""

    rows: list
    next: str | None
    previous: str | None

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @property
    def has_previous(self) -> bool:
        return self.previous is not None


@dataclass(frozen=True)
class Segment:
    """One part of a list made of parts one after the other (`chained`), each in its own order: e.g. the
    complaints with a running deadline by due time, then the others by receipt. `queryset` holds the rows,
    or only their keys (values()) when `load` gives the rows for a list of keys (None for one gone)."""

    queryset: QuerySet
    order: Order
    load: Callable[[list[dict]], list] | None = None


def page(queryset: QuerySet, order: Order, cursor: str | None, size: int) -> Page:
    """The page of `queryset` in `order` that `cursor` points to (the first without one), `size` rows."""
    return chained([Segment(queryset, order)], cursor, size)


def chained(segments: list[Segment], cursor: str | None, size: int) -> Page:
    """The page that `cursor` points to (the first without one) of the list made of `segments` one after
    the other, `size` rows; a cursor is one of its segment's order and names its row there.

    A page after a cursor always has one before it, and a page before a cursor one after it: the cursor
    was made from a row there. A page before a cursor that reaches the start of the list is the first
    page, full (rows deleted meanwhile do not leave it short)."""
    if not cursor:
        return _forward(segments, 0, None, size, first=True)
    for index, segment in enumerate(segments):
        try:
            direction, values = segment.order.read(cursor)
        except InvalidCursor:
            continue
        if direction == AFTER:
            return _forward(segments, index, values, size, first=False)
        return _backward(segments, index, values, size)
    raise InvalidCursor()


def numbered(queryset: QuerySet, order: Order, number: int, size: int) -> Page:
    """Page `number` (from 1) of `queryset` in `order`, by OFFSET: for small offsets only, as every row
    before the page is read. Its `next` is a cursor, so a client can go on from it by keys."""
    return numbered_chained([Segment(queryset, order)], number, size)


def numbered_chained(segments: list[Segment], number: int, size: int) -> Page:
    """As `numbered`, for the list made of `segments` one after the other: a part the page starts beyond
    is counted (at most as many rows as the page skips) to know how far into the next one it starts."""
    skip, found = (number - 1) * size, []
    for segment in segments:
        ordered = segment.queryset.order_by(*segment.order.ordering())
        here = _read(segment, ordered, skip, size + 1 - len(found))
        if not here and skip:
            skip -= segment.queryset.order_by().values("pk")[:skip].count()
            continue
        found, skip = found + here, 0
        if len(found) > size:
            break
    following = _cursor(found[size - 1]) if len(found) > size else None
    return Page(_rows(found[:size]), following, None)


def _forward(segments: list[Segment], index: int, values: list | None, size: int, first: bool) -> Page:
    """From after `values` in segment `index` (its start when None), on through the later segments."""
    found = []
    for segment in segments[index:]:
        rows = segment.queryset if values is None else segment.queryset.filter(segment.order.beyond(values))
        found += _read(segment, rows.order_by(*segment.order.ordering()), 0, size + 1 - len(found))
        values = None
        if len(found) > size:
            break
    following = _cursor(found[size - 1]) if len(found) > size else None
    found = found[:size]
    if first:
        return Page(_rows(found), following, None)
    return Page(_rows(found), following, _cursor(found[0], BEFORE) if found else "")


def _backward(segments: list[Segment], index: int, values: list, size: int) -> Page:
    """Before `values` in segment `index`, back through the earlier segments from their ends."""
    found = []
    for segment in reversed(segments[: index + 1]):
        rows = (
            segment.queryset
            if values is None
            else segment.queryset.filter(segment.order.beyond(values, True))
        )
        found += _read(segment, rows.order_by(*segment.order.ordering(True)), 0, size + 1 - len(found))
        values = None
        if len(found) > size:
            break
    if len(found) <= size:
        return _forward(segments, 0, None, size, first=True)
    found = found[:size][::-1]
    return Page(_rows(found), _cursor(found[-1]), _cursor(found[0], BEFORE))


def _read(segment: Segment, ordered: QuerySet, offset: int, limit: int) -> list[tuple]:
    """(segment, row, sort keys) of the rows `ordered` holds at [offset, offset + limit).

    For model rows, in two steps: the keys alone, from the list's table and whatever its filters join,
    then those rows with everything the list joins and prefetches. Asked for both at once, SQLite starts
    from the smallest joined table (the categories) and sorts every complaint, where the keys alone walk
    the index of the order and stop after a page."""
    if limit <= 0:
        return []
    if segment.queryset._fields is not None:  # rows as dicts (values()), which hold their keys
        keys = list(ordered[offset : offset + limit])
        rows = segment.load(keys) if segment.load else keys
        return [(segment, row, k) for row, k in zip(rows, keys, strict=True)]
    keys = list(ordered.values("pk", *(key.name for key in segment.order.keys))[offset : offset + limit])
    loaded = {row.pk: row for row in segment.queryset.filter(pk__in=[k["pk"] for k in keys]).order_by()}
    # A row deleted between the two reads is None: left out of the page, its keys still say where it ends.
    return [(segment, loaded.get(k["pk"]), k) for k in keys]


def _cursor(entry: tuple, direction: str = AFTER) -> str:
    segment, _, keys = entry
    return segment.order.cursor(keys, direction)


def _rows(found: list[tuple]) -> list:
    return [row for _, row, _ in found if row is not None]


def capped_count(queryset: QuerySet, cap: int | None = None) -> int | None:
    """The number of rows of `queryset` when at most `cap` (CAP), else None (more than `cap`): the database
    stops reading at `cap` + 1 rows. A `values(...).distinct()` queryset counts its distinct values (the
    complaints of the late duties, say), any other its rows by their keys."""
    cap = CAP if cap is None else cap
    rows = queryset.order_by()
    if rows._fields is None or not rows.query.distinct:
        rows = rows.values("pk")
    found = rows[: cap + 1].count()
    return found if found <= cap else None
