"""The centre's rows built directly with its models and duties (as the centre's services write them): a
complaint reaching the centre, its decisions, reports and enquiries, ratings. The figures' tests need them
whichever service writes them."""

from datetime import datetime
from decimal import Decimal

from complaintdesk.centre import duties
from complaintdesk.centre.models import (
    Bureau,
    BureauLevel,
    CentreCase,
    Matter,
    MatterKind,
    MatterState,
    Outcome,
    Rating,
)
from complaintdesk.deadlines.models import Phase


def district(name: str = "District 1") -> Bureau:
    return Bureau.objects.create(
        name_en=name, name_zh=name, level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )


def reach(complaint, at: datetime, *, bureau=None, via: str = "escalation") -> CentreCase:
    version = duties.version_on(at.date())
    case = CentreCase.objects.create(
        complaint=complaint,
        bureau=bureau or Bureau.city_centre(),
        rule_version=version,
        via=via,
        received_at=at,
    )
    duties.start(Phase.ACCEPTANCE, at, version, complaint=complaint)
    return case


def accept(case: CentreCase, at: datetime) -> CentreCase:
    case.accepted_at = at
    case.save(update_fields=["accepted_at"])
    duties.meet(Phase.ACCEPTANCE, at, complaint=case.complaint)
    duties.start(Phase.MEDIATION, at, case.rule_version, complaint=case.complaint)
    return case


def refuse(case: CentreCase, at: datetime, ground: int) -> CentreCase:
    case.refused_at, case.outcome, case.refusal_ground, case.ended_at = at, Outcome.REFUSED, ground, at
    case.save()
    duties.meet(Phase.ACCEPTANCE, at, complaint=case.complaint)
    return case


def agree(case: CentreCase, at: datetime, amount: str) -> CentreCase:
    case.outcome, case.ended_at, case.amount_recovered = Outcome.AGREED, at, Decimal(amount)
    case.agreement_terms = "Refund and a voucher"
    case.save()
    duties.meet(Phase.MEDIATION, at, complaint=case.complaint)
    return case


def terminate(
    case: CentreCase, at: datetime, ground: int, *, notice_at: datetime | None = None
) -> CentreCase:
    case.outcome, case.ended_at, case.termination_ground = Outcome.TERMINATED, at, ground
    case.save()
    duties.meet(Phase.MEDIATION, at, complaint=case.complaint)
    duties.start(Phase.TERMINATION_NOTICE, at, case.rule_version, complaint=case.complaint)
    if notice_at is not None:
        duties.meet(Phase.TERMINATION_NOTICE, notice_at, complaint=case.complaint)
    return case


def matter(kind: str, at: datetime, *, channel: str = "web", bureau=None, merchant=None) -> Matter:
    version = duties.version_on(at.date())
    m = Matter.objects.create(
        kind=kind, bureau=bureau or Bureau.city_centre(), rule_version=version, channel=channel,
        received_at=at, merchant=merchant, text="Fake discounts on the product page.",
    )  # fmt: skip
    m.reference = Matter.reference_for(kind, m.pk, at.year)
    m.save(update_fields=["reference"])
    phase = Phase.REPORT_DECISION if kind == MatterKind.REPORT else Phase.ENQUIRY_ANSWER
    duties.start(phase, at, version, matter=m)
    return m


def decide(m: Matter, at: datetime, state: str = MatterState.CASE_OPENED) -> Matter:
    m.state, m.decided_at, m.reason = state, at, "Decided."
    m.save(update_fields=["state", "decided_at", "reason"])
    phase = Phase.REPORT_DECISION if m.kind == MatterKind.REPORT else Phase.ENQUIRY_ANSWER
    duties.meet(phase, at, matter=m)
    return m


def rate(complaint, score: int, at: datetime) -> Rating:
    return Rating.objects.create(complaint=complaint, score=score, created_at=at, updated_at=at)
