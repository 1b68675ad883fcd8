"""Complaints as the API shows them: deadlines with time left, events, evidence; personal data as the
viewer may see it (accounts.privacy)."""

from django.utils import timezone

from complaintdesk.accounts import privacy
from complaintdesk.complaints import centre, flags
from complaintdesk.deadlines.models import CENTRE_PHASES, Phase


def deadline(d, now) -> dict:
    finished = not d.still_applies
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


def _running_due(deadlines) -> dict:
    """{phase: due} of the centre's duties that run: null once met or no longer applying (SPEC §7)."""
    return {d.phase: d.due_at for d in deadlines if d.phase in CENTRE_PHASES and d.still_applies}


def centre_case(case) -> dict | None:
    if case is None:
        return None
    return {
        "via": case.via,
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "refused_at": case.refused_at,
        "refusal_ground": case.refusal_ground,
        "outcome": case.outcome,
        "ended_at": case.ended_at,
        "termination_ground": case.termination_ground,
        "agreement_terms": case.agreement_terms,
        "amount_recovered": case.amount_recovered,
        "termination_notice_sent_at": case.termination_notice_sent_at,
    }


def complaint(c, viewer, in_list: bool = False, deadlines=None) -> dict:
    now = timezone.now()
    rows = list(c.deadlines.all()) if deadlines is None else deadlines
    # The consumer's rating window is no duty of anyone's (never reminded, never breached): it is
    # `rating_due`, not one of the complaint's deadlines.
    deadlines = [d for d in rows if d.phase != Phase.RATING]
    rating = next((d for d in rows if d.phase == Phase.RATING), None)
    due = {d.phase: d.due_at for d in deadlines}
    duties = _running_due(deadlines)
    case = centre.case_of(c)
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
        "product": privacy.listed_text(c.product, viewer) if in_list else c.product,
        "promotion": c.promotion_name,
        "wanted_outcome": c.wanted_outcome,
        "description": privacy.listed_text(c.description, viewer) if in_list else c.description,
        "publish_consent": c.publish_consent,
        "resolution": {"type": c.resolution_type, "details": c.resolution_text}
        if c.resolution_type
        else None,
        "received_at": c.received_at,
        "first_response_due": due.get("first_response"),
        "reply_due": due.get("reply"),
        "resolution_due": due.get("resolution"),
        "deadlines": [deadline(d, now) for d in deadlines],
        "bureau": case.bureau_id if case else None,
        "rule_version": case.rule_version.name if case else None,
        "acceptance_due": duties.get(Phase.ACCEPTANCE),
        "mediation_due": duties.get(Phase.MEDIATION),
        "termination_notice_due": duties.get(Phase.TERMINATION_NOTICE),
        "centre": centre_case(case),
        "rating_due": rating.due_at if rating is not None else None,
        "group": c.group_id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def complaint_detail(c, viewer) -> dict:
    data = complaint(c, viewer)
    data["events"] = [
        {
            "action": e.action,
            "actor": privacy.person_name(e.actor, viewer) if e.actor else None,
            "actor_role": e.actor_role,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "message": e.message,
            "data": e.data,
            "created_at": e.created_at,
        }
        for e in flags.events_seen_by(c, viewer)
    ]
    data["evidence"] = list(c.evidence.all())
    data["flags"] = flag_list(flags.flags_of(c, viewer), viewer)  # officers only: empty for anyone else
    return data


def flag_list(items, viewer) -> list[dict]:
    """Flags for review as an officer sees them: the evidence they may open, a count of the rest."""
    evidence = flags.evidence_seen_by(items, viewer)
    return [
        {
            "id": f.pk,
            "reason": f.reason,
            "reason_label": flags.reason_label(f.reason),
            "evidence": evidence[f.pk].complaints,
            "evidence_elsewhere": evidence[f.pk].elsewhere,
            "details": f.details,
            "raised_at": f.raised_at,
            "cleared_at": f.cleared_at,
            "cleared_by": privacy.person_name(f.cleared_by, viewer) or None,
            "note": f.note,
        }
        for f in items
    ]


class Presented:
    """A queryset that presents only what a page takes: the paginator counts and slices in the database."""

    def __init__(self, queryset, present):
        self.queryset, self.present = queryset, present

    def all(self):
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.present(row) for row in self.queryset[index]]
        return self.present(self.queryset[index])
