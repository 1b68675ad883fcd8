"""Complaint queues ordered by the nearest running deadline of the shop's: the shop's workbench and the
regulator's escalations share this ordering. The 12315 centre's own duties order the officer's queue
(`complaints.centre_queue`); the consumer's rating window is nobody's deadline."""

from django.db.models import Min, Q
from django.utils import timezone

from complaintdesk.deadlines.models import SHOP_PHASES, DeadlineStatus
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.search.highlight import page_excerpts
from complaintdesk.web.display import nearest_deadline
from complaintdesk.web.paging import list_page

# A deadline of the shop's still counts while it is not met: open, or breached and still unanswered. Paused
# ones wait for the consumer and do not press the shop.
RUNNING = Q(
    deadlines__phase__in=SHOP_PHASES,
    deadlines__met_at__isnull=True,
    deadlines__status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED],
)


# The queues' order: the nearest running deadline first (none: last), then the oldest received.
NEAREST_DEADLINE = Order("queue", (Key("next_due", nullable=True), Key("received_at"), Key("id")))


# The shop's finished complaints, the last changed first.
LAST_UPDATED = Order("finished", (Key("updated_at", descending=True), Key("id", descending=True)))


def by_nearest_deadline(complaints):
    return complaints.annotate(next_due=Min("deadlines__due_at", filter=RUNNING)).order_by(
        *NEAREST_DEADLINE.ordering()
    )


def page_rows(request, query: dict, complaints, order: Order, searched: str = "", counted=None):
    """The page of the list `complaints` (in `order`) the query's cursor points to, with each row's
    nearest deadline and, for a list of search results, the excerpt where the words `searched` matched
    (highlighted). `counted`: the list's rows to count, without what only orders them."""
    page = list_page(request, query, complaints, order, counted=counted)
    now = timezone.now()
    excerpts = page_excerpts(page.rows, searched) if searched else {}
    rows = [
        {"complaint": c, "deadline": nearest_deadline(c, now), "excerpt": excerpts.get(c.pk)}
        for c in page.rows
    ]
    return page, rows
