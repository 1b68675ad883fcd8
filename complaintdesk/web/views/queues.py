"""Complaint queues ordered by the nearest running deadline of the shop's: the shop's workbench and the
regulator's escalations share this ordering. The 12315 centre's own duties order the officer's queue
(`complaints.centre_queue`); the consumer's rating window is nobody's deadline."""

from django.core.paginator import Paginator
from django.db.models import F, Min, Q
from django.utils import timezone

from complaintdesk.deadlines.models import SHOP_PHASES, DeadlineStatus
from complaintdesk.search.highlight import page_excerpts
from complaintdesk.web.display import nearest_deadline

# A deadline of the shop's still counts while it is not met: open, or breached and still unanswered. Paused
# ones wait for the consumer and do not press the shop.
RUNNING = Q(
    deadlines__phase__in=SHOP_PHASES,
    deadlines__met_at__isnull=True,
    deadlines__status__in=[DeadlineStatus.OPEN, DeadlineStatus.BREACHED],
)


def by_nearest_deadline(complaints):
    return complaints.annotate(next_due=Min("deadlines__due_at", filter=RUNNING)).order_by(
        F("next_due").asc(nulls_last=True), "received_at", "id"
    )


def page_rows(number: int, complaints, per_page: int = 50, searched: str = ""):
    """Page `number` of the list (a page past the last is the last), with each row's nearest deadline and,
    for a list of search results, the excerpt where the words `searched` matched (highlighted)."""
    page = Paginator(complaints, per_page).get_page(number)
    now = timezone.now()
    excerpts = page_excerpts(list(page.object_list), searched) if searched else {}
    rows = [
        {"complaint": c, "deadline": nearest_deadline(c, now), "excerpt": excerpts.get(c.pk)}
        for c in page.object_list
    ]
    return page, rows
