"""The flagged complainants of `seed_demo` (SPEC §11, repeat-complainant flags; `complaints.flags`): two demo
consumers file again about an order whose complaint is finished, through the normal filing, and the filing
raises a repeat flag for an officer's review. One flag is still open (the console's list of flags and the
dashboard count it); the city officer (`regulator`) cleared the other with a note, so the complaint's page
shows a cleared flag too.

Idempotent: a repeat is known by its consumer, shop and order number among the filings without an external id
(the demo's other complaints all have one, which is also why they raise no flag: they are records)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints import flags, services
from complaintdesk.complaints.choices import Channel, State
from complaintdesk.complaints.models import Complaint

# How many complaints the demo files here (the demo's tests count them).
COMPLAINTS = 2


@dataclass(frozen=True)
class Repeat:
    finished: str  # the state of the consumer's earlier complaint the repeat is about
    minutes_ago: int  # when the repeat was filed
    description: str = ""  # the consumer's words; the earlier complaint's, word for word, when empty
    clearing: str = ""  # the officer's note when the flag was cleared; open when empty


REPEATS = [
    Repeat(State.CLOSED, 40),
    Repeat(
        State.WITHDRAWN,
        26 * 60,
        "上次撤回投诉是因为商家答应退一半货款，但剩下的一半至今没有退。/ I withdrew my complaint because the shop "
        "promised half of the refund; the other half never came.",
        "该消费者撤回的投诉只退了一半货款，这次投诉的是余款，不是重复投诉。/ The withdrawn complaint ended with "
        "half the refund; this one is about the rest: a new dispute, not a repeat.",
    ),
]


def load(regulator, consumers) -> int:
    """File the demo's repeats (each about a finished complaint of a different consumer); clear a flag where
    the story says so. Returns how many complaints were filed now."""
    now = timezone.now()
    filed, taken = 0, set()
    for repeat in REPEATS:
        earlier = _earlier(consumers, repeat.finished, taken)
        if earlier is None:
            continue
        taken.add(earlier.consumer_id)
        again = Complaint.objects.filter(
            consumer=earlier.consumer,
            merchant=earlier.merchant,
            order_number=earlier.order_number,
            external_id="",
        ).exclude(pk=earlier.pk)
        if again.exists():
            continue
        received = now - timedelta(minutes=repeat.minutes_ago)
        with transaction.atomic():
            complaint = services.file_complaint(earlier.consumer, _again(earlier, repeat, received))
            if repeat.clearing:
                for flag in complaint.flags.all():
                    flags.clear(
                        complaint, flag.pk, regulator, repeat.clearing, at=received + timedelta(hours=3)
                    )
        filed += 1
    return filed


def _earlier(consumers, state: str, taken: set[int]) -> Complaint | None:
    """The first demo consumer's (in login order) finished complaint in `state`, of a consumer not yet used."""
    for consumer in consumers:
        if consumer.pk in taken:
            continue
        found = (
            Complaint.objects.filter(consumer=consumer, state=state)
            .exclude(order_number="")
            .select_related("consumer", "merchant", "category")
            .order_by("received_at", "pk")
            .first()
        )
        if found is not None:
            return found
    return None


def _again(earlier: Complaint, repeat: Repeat, received) -> services.NewComplaint:
    return services.NewComplaint(
        merchant=earlier.merchant,
        category=earlier.category,
        kind=earlier.category.complaint_kind,
        channel=Channel.WEB,  # the consumer's own filing, whichever way the first came
        sector=earlier.sector,
        order_number=earlier.order_number,
        amount=earlier.amount,
        order_date=earlier.order_date,
        wanted_outcome=earlier.wanted_outcome,
        description=repeat.description or earlier.description,
        product=earlier.product,
        received_at=received,
    )
