"""Who sees which complaints (SPEC §1). Every read of complaints for a user starts here."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from complaintdesk.accounts.models import Role
from complaintdesk.centre.jurisdiction import in_bureau, officer_bureau
from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import SHOP_RUNNING, Deadline
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.literal import literal

# The complaint lists' order, newest first (the model's own), as their pages walk it (lib.cursor).
NEWEST_FIRST = Order("complaints", (Key("received_at", descending=True), Key("id", descending=True)))


def visible_complaints(user) -> QuerySet[Complaint]:
    # The centre's case (one row or none) comes in the same query: every page and answer shows it.
    base = Complaint.objects.select_related(
        "merchant", "category", "centre_case__bureau", "centre_case__rule_version"
    ).prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))
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
    the 12315 centre's is the centre's, not the shop's).

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
