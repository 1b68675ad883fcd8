"""The pages of the complaint lists: the shop's workbench and the regulator's escalations by the nearest
running deadline of the shop's (`complaints.shop_queue`), the console's list newest first or best match
first. The 12315 centre's own duties order the officer's queue (`complaints.centre_queue`); the
consumer's rating window is nobody's deadline."""

from django.utils import timezone

from complaintdesk.complaints import shop_queue
from complaintdesk.lib.cursor import Key, Order, Segment, capped_count
from complaintdesk.search.highlight import page_excerpts
from complaintdesk.web.display import nearest_deadline
from complaintdesk.web.paging import segments_page

UNCOUNTED = object()
# The shop's finished complaints, the last changed first.
LAST_UPDATED = Order("finished", (Key("updated_at", descending=True), Key("id", descending=True)))


def nearest_deadline_first(complaints) -> tuple[list[Segment], int | None]:
    """The queue of `complaints` by the shop's nearest running deadline, and their capped count."""
    count = capped_count(complaints)
    return shop_queue.nearest_deadline_first(complaints, count), count


def page_rows(request, query: dict, segments: list[Segment], searched: str = "", count=UNCOUNTED):
    """The page of the list made of `segments` (`lib.cursor.chained`) that the query's cursor points to,
    with each row's nearest deadline and, for a list of search results, the excerpt where the words
    `searched` matched (highlighted). `count`: the list's capped count (one segment's rows by default)."""
    if count is UNCOUNTED:
        count = capped_count(segments[0].queryset)
    page = segments_page(request, query, segments, count)
    now = timezone.now()
    excerpts = page_excerpts(page.rows, searched) if searched else {}
    rows = [
        {"complaint": c, "deadline": nearest_deadline(c, now), "excerpt": excerpts.get(c.pk)}
        for c in page.rows
    ]
    return page, rows
