"""Objects built inline for tests: a complaint filed through the real service, optionally put in a state."""

from decimal import Decimal

from django.utils import timezone

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Category, Complaint


def new_complaint(merchant, **overrides) -> services.NewComplaint:
    values = {
        "merchant": merchant,
        "category": Category.objects.get(code=overrides.pop("category", "delivery")),
        "kind": "complaint",
        "channel": "web",
        "sector": "online_shopping",
        "order_number": "ORD-1",
        "amount": Decimal("99.00"),
        "order_date": timezone.localdate(),
        "wanted_outcome": "refund",
        "description": "The parcel never arrived.",
    }
    values.update(overrides)
    return services.NewComplaint(**values)


def complaint(consumer, merchant, state: str | None = None, **overrides) -> Complaint:
    c = services.file_complaint(consumer, new_complaint(merchant, **overrides))
    if state:
        resume = "responded" if state == "awaiting_consumer" else ""
        Complaint.objects.filter(pk=c.pk).update(state=state, resume_state=resume)
        c.refresh_from_db()
    return c


def complaint_payload(merchant_id: int, **overrides) -> dict:
    payload = {
        "merchant": merchant_id,
        "kind": "complaint",
        "category": "delivery",
        "channel": "web",
        "sector": "online_shopping",
        "order_number": "ORD-1",
        "amount": "99.00",
        "order_date": "2026-09-01",
        "wanted_outcome": "refund",
        "description": "The parcel never arrived.",
    }
    if overrides.get("kind") == "quality_issue":
        payload["category"] = "quality"  # the kind must agree with the category (intake.kind_for)
    payload.update(overrides)
    return payload
