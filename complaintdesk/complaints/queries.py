"""Who sees which complaints (SPEC §1). Every read of complaints for a user starts here."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from complaintdesk.accounts.models import Role
from complaintdesk.centre.jurisdiction import in_bureau, officer_bureau
from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import SHOP_RUNNING, Deadline
from complaintdesk.lib.cursor import Key, Order, Segment
from complaintdesk.lib.literal import literal

# The complaint lists' order, newest first (the model's own), as their pages walk it (lib.cursor).
NEWEST_FIRST = Order("complaints", (Key("received_at", descending=True), Key("id", descending=True)))


def _shown() -> QuerySet[Complaint]:
    """Every complaint, with what every page and answer shows of it: its shop, category and deadlines, and
    the centre's case (one row or none) in the same query."""
    return Complaint.objects.select_related(
        "merchant", "category", "centre_case__bureau", "centre_case__rule_version"
    ).prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))


def visible_complaints(user) -> QuerySet[Complaint]:
    base = _shown()
    if user.role == Role.REGULATOR:
        bureau = officer_bureau(user)
        return base if bureau is None else base.filter(in_bureau(bureau))
    if user.role in (Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR) and user.merchant_id:
        return base.filter(merchant_id=user.merchant_id)
    if user.role == Role.CONSUMER:
        return base.filter(consumer=user)
    return base.none()


def overdue_filter(overdue: bool, now=None, counting: bool = False):
    """Complaints with a deadline of the shop's that has passed without the shop meeting it (a late duty of
    the 12315 centre's is the centre's, not the shop's). Only an open complaint has a running duty: a
    complaint's end cancels its open duties and makes its breached ones missed (`DeadlineStatus.MISSED`).

    Two ways to the same rows. For a page (the default): whether each complaint met in the list's order
    (newest first, the bureau's index for a district) has a late duty, one look-up in the partial index of
    the running duties (deadline_shop_running); late complaints are many among the newest, so a page stops
    early. For a count (`counting`): the complaints among the late duties, read by due time from the other
    partial index (deadline_shop_running_due), so that counting them reads the late duties (the backlog,
    and at most the count's cap of complaints) instead of walking every complaint to find them. The same
    `now` for both keeps a page and its count in step."""
    now = now or timezone.now()
    running = Deadline.objects.filter(literal(SHOP_RUNNING), due_at__lt=now)  # its terms as literals
    if counting:
        late = Q(pk__in=running.values("complaint_id"))
        return late if overdue else ~late
    late = running.filter(complaint=OuterRef("pk"))
    return Exists(late) if overdue else ~Exists(late)


def listed(complaints: QuerySet[Complaint], order: Order) -> Segment:
    """`complaints` as a list in `order` that `lib.cursor` pages: a page's keys read through the list's
    filters and the reader's tenancy, then the page's rows by their ids alone. With the filters beside the
    ids, SQLite takes a shop's `merchant_id = ?` for the average shop's few hundred rows and walks the whole
    index of a big one (800,000 entries for the biggest at 10 M complaints, 0.2–0.3 s) instead of looking up
    50 ids; the ids are those the filters have just chosen."""
    keys = complaints.values("pk", *(key.name for key in order.keys))
    return Segment(keys, order, load=_by_ids)


def _by_ids(keys: list[dict]) -> list[Complaint | None]:
    found = {c.pk: c for c in _shown().filter(pk__in=[k["pk"] for k in keys]).order_by()}
    return [found.get(k["pk"]) for k in keys]  # None: deleted since its keys were read


def late_among(complaints: QuerySet[Complaint], now=None) -> QuerySet:
    """The overdue complaints of `complaints` (`overdue_filter`), once each, as a queryset of one column
    written for counting them (`lib.cursor.capped_count`), read from the smaller side of the two:
    - of every complaint (a city officer's list unfiltered), the late duties' complaints, read by due time
      from their partial index (the city's backlog) and no complaint read: PostgreSQL merge-joined the late
      duties with the whole primary key of complaints (2 M entries for 13,000 duties);
    - of a list narrowed by anything (a bureau, a shop, a state, a consumer…), its open complaints (a late
      duty's complaint is open), each looked up among the running duties (`deadline_shop_running`): a
      district's 9,200 of the 78,000 open at 10 M complaints, not the city's 66,000 late duties each checked
      against the list on its complaint's row (249 → 39 ms on PostgreSQL)."""
    now = now or timezone.now()
    late = Deadline.objects.filter(literal(SHOP_RUNNING), due_at__lt=now)
    if not complaints.query.where:
        return late.order_by().values("complaint_id").distinct()
    open_ones = complaints.filter(state__in=sorted(OPEN_STATES))
    return open_ones.filter(Exists(late.filter(complaint=OuterRef("pk")))).order_by().values("pk")


def earlier_complaint_about_the_same_order(complaint) -> Complaint | None:
    """The consumer's first other complaint about this order number (case ignored) at this shop, if any. A
    complaint without a consumer account (an officer's filing for a caller) has no complaints of its own."""
    if not complaint.order_number or complaint.consumer_id is None:
        return None
    return (
        Complaint.objects.filter(
            consumer=complaint.consumer,
            merchant=complaint.merchant,
            order_number__iexact=complaint.order_number,
        )
        .exclude(pk=complaint.pk)
        .order_by("received_at", "pk")
        .first()
    )
