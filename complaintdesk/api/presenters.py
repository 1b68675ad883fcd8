"""Complaints as the API shows them: deadlines with time left, events, evidence."""

from django.utils import timezone

from complaintdesk.deadlines.models import DeadlineStatus


def deadline(d, now) -> dict:
    finished = d.met_at is not None or d.status == DeadlineStatus.CANCELLED
    return {
        "phase": d.phase,
        "due_at": d.due_at,
        "rule": d.rule_label,
        "clock": d.clock,
        "status": d.status,
        "remind_at": d.remind_at,
        "reminded_at": d.reminded_at,
        "breached_at": d.breached_at,
        "met_at": d.met_at,
        "met_in_time": d.was_met_in_time,
        "seconds_left": None if finished else int((d.due_at - now).total_seconds()),
        "warning": d.warning,
    }


def complaint(c) -> dict:
    now = timezone.now()
    deadlines = list(c.deadlines.all())
    due = {d.phase: d.due_at for d in deadlines}
    return {
        "id": c.pk,
        "reference": c.reference,
        "state": c.state,
        "merchant": c.merchant_id,
        "merchant_name": c.merchant.name,
        "kind": c.kind,
        "category": c.category.code,
        "channel": c.channel,
        "sector": c.sector,
        "order_number": c.order_number,
        "amount": c.amount,
        "order_date": c.order_date,
        "promotion": c.promotion_name,
        "wanted_outcome": c.wanted_outcome,
        "description": c.description,
        "resolution": {"type": c.resolution_type, "details": c.resolution_text}
        if c.resolution_type
        else None,
        "received_at": c.received_at,
        "first_response_due": due.get("first_response"),
        "reply_due": due.get("reply"),
        "resolution_due": due.get("resolution"),
        "deadlines": [deadline(d, now) for d in deadlines],
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def complaint_detail(c) -> dict:
    data = complaint(c)
    data["events"] = [
        {
            "action": e.action,
            "actor": e.actor.username if e.actor else None,
            "actor_role": e.actor_role,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "message": e.message,
            "data": e.data,
            "created_at": e.created_at,
        }
        for e in c.events.select_related("actor")
    ]
    data["evidence"] = list(c.evidence.all())
    return data
