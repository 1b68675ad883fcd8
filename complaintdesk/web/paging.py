"""A web list's page by cursor (`lib.cursor`), with its capped count: what `_pager.html` shows.

The page keeps the list's own query (its filters, tab or words) in its links, with the cursor of the page
after or before it (the page before the second is the first, full). A cursor the list cannot read
(altered, another list's) is refused by `filters.reads_query` with 400 naming `cursor`.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.http import urlencode

from complaintdesk.lib import cursor as keyset
from complaintdesk.web.filters import link_query

PER_PAGE = 50


@dataclass
class ListPage:
    rows: list
    next: str | None
    previous: str | None  # "" for the first page (no cursor)
    count: int | None  # None: more than `cap`
    cap: int
    opened_with: str  # the cursor this page was opened with ("" for the first page)
    query: str  # the list's query string without its cursor

    @property
    def cap_text(self) -> str:
        """The cap as a page shows it beside "+": 10,000."""
        return f"{self.cap:,}"

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _link(self, cursor: str | None) -> str:
        if not cursor:
            return self.query
        return (
            f"{self.query}&{urlencode({'cursor': cursor})}" if self.query else urlencode({"cursor": cursor})
        )

    @property
    def next_query(self) -> str:
        return self._link(self.next)

    @property
    def previous_query(self) -> str:
        return self._link(self.previous)

    @property
    def this_query(self) -> str:
        """This page again (the live queues refresh it in place)."""
        return self._link(self.opened_with)


def list_page(request, query: dict, queryset: QuerySet, order: keyset.Order, counted=None) -> ListPage:
    """The page of `queryset` in `order` that the list's `cursor` (in its cleaned `query`) points to, and
    the count of `counted` (the list's rows, `queryset` by default) up to `keyset.CAP`. Raises
    `keyset.InvalidCursor` (`filters.reads_query` answers 400)."""
    count = keyset.capped_count(queryset if counted is None else counted)
    return segments_page(request, query, [keyset.Segment(queryset, order)], count)


def segments_page(request, query: dict, segments: list[keyset.Segment], count: int | None) -> ListPage:
    """As `list_page`, for a list made of `segments` one after the other (`keyset.chained`), whose capped
    count is `count`."""
    opened_with = query.get("cursor") or ""
    found = keyset.chained(segments, opened_with, PER_PAGE)
    return ListPage(
        rows=found.rows,
        next=found.next,
        previous=found.previous,
        count=count,
        cap=keyset.CAP,
        opened_with=opened_with,
        query=link_query(request, "cursor"),
    )
