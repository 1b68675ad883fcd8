"""What several routers share: field types of ids, query texts and instants, the pages of a list (cursor or
page number, `paged`), the error answers and the warnings of an accepted request."""

from datetime import UTC, datetime
from typing import Annotated

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, StringConstraints

from complaintdesk.lib import cursor as keyset

# An id in a query filter or a body: a larger number would overflow the database integer (a 500 on SQLite),
# so it is refused with 422 naming the parameter.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Text of a query filter: PostgreSQL text cannot hold a NUL character (a 500 there), so it is refused.
QueryText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


def _in_utc(value: datetime) -> datetime:
    # A naive value is read in the current time zone, as the ORM would read it. Near year 1 or 9999 an
    # offset can carry an instant out of the years Python holds, which is bad input, not a missing row.
    try:
        return (value if value.tzinfo else timezone.make_aware(value)).astimezone(UTC)
    except OverflowError:
        raise ValueError(_("must be an instant from 0001-01-01 to 9999-12-31 in UTC")) from None


# An instant of a query filter, in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
Instant = Annotated[datetime, AfterValidator(_in_utc)]


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded: a page far beyond any table overflows the SQL OFFSET (a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


# Rows a page number may skip: page numbers reach as far as a count counts (`keyset.CAP`); beyond, the
# cursor of `next` goes on without reading the rows it skips.
MAX_OFFSET = keyset.CAP
PAGE_SIZE = 50


class PageIn(Schema):
    """A page of a list: the first, the one a cursor points to, or a page number (small offsets only)."""

    cursor: str | None = Field(
        None,
        max_length=1000,
        description="Where to go on: the `next` of the page before, as given (opaque and signed; a cursor "
        "altered or of another list is refused with 422 naming `cursor`). It holds no filter: send the "
        "list's filters again with it.",
    )
    page: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description=f"A page number, for the first {MAX_OFFSET:,} rows only (page × page_size at most "
        f"{MAX_OFFSET:,}; beyond, 422 naming `page`: follow `next`). Not with `cursor`.",
    )
    page_size: int = Field(PAGE_SIZE, ge=1, le=1000, description="Rows a page (default 50).")


class PageOut(Schema):
    count: int | None = Field(
        description=f"How many rows match the filters, exact up to {keyset.CAP:,}; null when more do (the "
        "list is not counted further, which would cost as much as reading it)."
    )
    next: str | None = Field(
        description="The cursor of the next page (send it as `cursor` with the same filters), or null on "
        "the last page. A row filed while you walk the list is never shown twice, nor does it push an "
        "earlier row out."
    )


def _refused(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def paged(queryset: QuerySet, order: keyset.Order, paging: PageIn, present, counted=None) -> dict:
    """The page of `queryset` in `order` that `paging` asks for, each row through `present`, with the
    capped count (of `counted`: the same rows, written for counting; `queryset` by default) and the next
    page's cursor (PageOut). Refusals are 422 naming `cursor` or `page`."""
    segments = [keyset.Segment(queryset, order)]
    return paged_segments(segments, paging, present, queryset if counted is None else counted)


def paged_segments(segments: list[keyset.Segment], paging: PageIn, present, counted: QuerySet) -> dict:
    """As `paged`, for a list made of `segments` one after the other (`keyset.chained`), `counted` its
    rows."""
    size = paging.page_size
    if paging.cursor is not None and paging.page is not None:
        raise _refused("page", _("give either a page number or a cursor, not both"))
    if paging.page is not None:
        offset = (paging.page - 1) * size
        if offset + size > MAX_OFFSET:
            raise _refused(
                "page",
                _(
                    "page numbers reach the first %(limit)s rows (page × page_size); go on with the "
                    "cursor of `next`"
                )
                % {"limit": f"{MAX_OFFSET:,}"},
            )
        found = keyset.numbered_chained(segments, paging.page, size)
    else:
        try:
            found = keyset.chained(segments, paging.cursor, size)
        except keyset.InvalidCursor as exc:
            raise _refused("cursor", exc.reason) from None
    return {
        "items": [present(row) for row in found.rows],
        "count": keyset.capped_count(counted),
        "next": found.next,
    }


class Error(Schema):
    detail: str


class FieldIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldIssue]


class WarningOut(Schema):
    """A question about a request that was accepted all the same (a filing's `warnings`): worth showing to
    whoever sent it; nothing was refused."""

    code: str = Field(description="What the warning is about; stable for clients to act on.")
    message: str = Field(description="For a person, in the request's language.")
    related: int | None = Field(
        None, description="The id of what it points to (an earlier complaint), or null."
    )
    link: str | None = Field(None, description="The web page of what it points to (absolute URL), or null.")
