"""The centre's rows built directly with its models and duties (as the centre's services write them): a
complaint reaching the centre, its decisions, reports and enquiries, ratings. The figures' tests need them
whichever service writes them."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

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
from complaintdesk.complaints.tests import factories
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


# ------------------------------------------------------------------------------------------- a month's rows

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def _complaint(people, merchant, when, **kw):
    with time_machine.travel(when, tick=False):
        return factories.complaint(people.alice, merchant, **kw)


def september(people) -> dict:
    """The centre's September 2026 (Asia/Shanghai; the centre works Monday–Friday 09:00–18:00 on the
    statutory calendar, so the National Day holiday 2026-10-01…07 does not count and Saturday 2026-10-10
    does):
      A  web, escalated 09-30 17:00; accepted 10-15 10:00 (7 working days: in time); agreement 10-16,
         ¥120.50 recovered (closed after 8 working days); the consumer rates it 5
      B  hotline, filed with the centre 09-30 09:30; refused on ground (5) 10-16 (acceptance met late, 8
         days); rated 2
      C  web, escalated 09-29 10:00; accepted 10-08 (2 days); terminated on ground (3) 10-15 (8 days), both
         parties told 10-16 (in time)
      D  web, escalated 09-30 10:00; never decided: acceptance due 10-15 18:00
      E  web, escalated 09-15 at the district bureau; refused on ground (1) 09-16 (1 day)
      R1 report, web, 09-24 11:00; case opened 10-22 17:00 (15 working days: in time)
      R2 report, hotline, 09-28; not decided (due 10-23 18:00)
      Q1 enquiry at the counter 09-30 16:00; answered 10-09 (2 days)
      outside the period: H escalated 10-02, Q2 an enquiry of 10-02
    Returns the bureaus (city, district) and the complaints by letter."""
    city, district_bureau = Bureau.city_centre(), district()
    a = _complaint(people, people.acme, at(2026, 9, 28, 10))
    case_a = reach(a, at(2026, 9, 30, 17))
    accept(case_a, at(2026, 10, 15, 10))
    agree(case_a, at(2026, 10, 16, 11), "120.50")
    rate(a, 5, at(2026, 10, 17, 9))

    b = _complaint(people, people.bazaar, at(2026, 9, 30, 9, 30), channel="hotline_12315")
    refuse(reach(b, at(2026, 9, 30, 9, 30), via="direct"), at(2026, 10, 16, 10), ground=5)
    rate(b, 2, at(2026, 10, 17, 9))

    c = _complaint(people, people.acme, at(2026, 9, 25, 10))
    case_c = accept(reach(c, at(2026, 9, 29, 10)), at(2026, 10, 8, 9, 30))
    terminate(case_c, at(2026, 10, 15, 10), ground=3, notice_at=at(2026, 10, 16, 10))

    d = _complaint(people, people.acme, at(2026, 9, 29, 10))
    reach(d, at(2026, 9, 30, 10))

    e = _complaint(people, people.acme, at(2026, 9, 10, 10))
    refuse(reach(e, at(2026, 9, 15, 10), bureau=district_bureau), at(2026, 9, 16, 11), ground=1)

    decide(matter("report", at(2026, 9, 24, 11), merchant=people.acme), at(2026, 10, 22, 17))
    matter("report", at(2026, 9, 28, 15), channel="hotline_12315")
    decide(matter("enquiry", at(2026, 9, 30, 16), channel="counter"), at(2026, 10, 9, 15), "answered")

    h = _complaint(people, people.acme, at(2026, 10, 2, 10))
    reach(h, at(2026, 10, 2, 10))
    matter("enquiry", at(2026, 10, 2, 10))
    return {"city": city, "district": district_bureau, "a": a, "b": b, "c": c, "d": d, "e": e, "h": h}
