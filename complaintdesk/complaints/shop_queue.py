"""Complaints by the shop's nearest running deadline, the soonest first, then those with none, the oldest
received first: the console's escalation queue and the shop's workbench, in pages (`lib.cursor.chained`).

A deadline of the shop's runs while it is not met, open or breached (`deadlines.models.SHOP_RUNNING`);
paused ones wait for the consumer. Grouping every complaint's deadlines to find its nearest one and sorting
them all costs seconds at a million complaints; instead the running deadlines have partial indexes of their
own (`deadline_shop_running` by complaint, `deadline_shop_running_due` by due time), written with their
terms as literals (`lib.literal`), and the list is two parts one after the other:

1. The complaints with a running deadline, by its due time, then by id (the filing order): each complaint
   once, at its nearest running deadline (no earlier running one of the same complaint exists). This part
   is read from either side, with the same rows, order and cursors, by how many complaints the list has
   (its capped count, which the page shows anyway):
   - up to `FEW`: from the list's complaints, each with its nearest due time, sorted (a small shop's
     open complaints, where a walk through every shop's running deadlines would pass many of others);
   - more, or more than the count's cap: walking the running deadlines by due time, each checked against
     the list's complaints (the escalation queue of every shop, a big shop's queue: the list's complaints
     come often in the walk, which stops after a page).
2. The complaints with no running deadline, oldest received first.
"""

from functools import partial

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import SHOP_RUNNING, Deadline
from complaintdesk.lib.cursor import Key, Order, Segment
from complaintdesk.lib.literal import literal

# Up to this many complaints, the first part is read from the complaints (the module's doc): ~2 ms of
# index look-ups, where a walk through a city's running deadlines may read tens of thousands.
FEW = 2000
BY_DUE = Order("queue", (Key("due_at"), Key("complaint_id")))
BY_RECEIPT = Order("queue-rest", (Key("received_at"), Key("id")))


def _running() -> QuerySet[Deadline]:
    return Deadline.objects.filter(literal(SHOP_RUNNING))


def nearest_deadline_first(complaints: QuerySet[Complaint], count: int | None) -> list[Segment]:
    """The list of `complaints` by their nearest running deadline (the module's doc), as segments;
    `count`: how many complaints it has, None for more than the cap (`lib.cursor.capped_count`)."""
    if count is None or count > FEW:
        earlier = (
            _running()
            .filter(complaint_id=OuterRef("complaint_id"))
            .filter(Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), id__lt=OuterRef("id")))
        )
        keys = _running().filter(~Exists(earlier), Exists(complaints.filter(pk=OuterRef("complaint_id"))))
        first = Segment(keys.values("complaint_id", "due_at"), BY_DUE, load=partial(_load, complaints))
    else:
        nearest = _running().filter(complaint=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
        with_due = complaints.annotate(due_at=Subquery(nearest), complaint_id=F("pk"))
        first = Segment(with_due.filter(due_at__isnull=False), BY_DUE)
    rest = complaints.filter(~Exists(_running().filter(complaint=OuterRef("pk"))))
    return [first, Segment(rest, BY_RECEIPT)]


def _load(complaints: QuerySet[Complaint], keys: list[dict]) -> list[Complaint | None]:
    found = {c.pk: c for c in complaints.filter(pk__in=[k["complaint_id"] for k in keys]).order_by()}
    return [found.get(k["complaint_id"]) for k in keys]
