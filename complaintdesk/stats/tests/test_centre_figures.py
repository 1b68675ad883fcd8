"""The centre's figures (stats.centre) against hand-counted figures and against the raw rows, of every bureau
and of one. The rows are `centre_data.september`'s; figures are taken at 2026-10-20 10:00."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from complaintdesk.centre.models import Bureau, CentreCase, Matter, Rating
from complaintdesk.deadlines.models import CENTRE_PHASES, Deadline, DeadlineStatus
from complaintdesk.stats import centre, rollups
from complaintdesk.stats.centre_rollups import WorkingDays
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=SH)
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def centre_rows(people):
    return cd.september(people)


pytestmark = pytest.mark.django_db


def test_the_centres_figures_of_every_bureau(centre_rows):
    f = centre.figures(SEPTEMBER, now=NOW)
    assert f["received"] == {"complaint": 5, "report": 2, "enquiry": 1, "total": 8}
    assert f["received_by_channel"] == [
        {"kind": "complaint", "via": "escalation", "channel": "web", "count": 4},
        {"kind": "complaint", "via": "direct", "channel": "hotline_12315", "count": 1},
        {"kind": "report", "via": "", "channel": "hotline_12315", "count": 1},
        {"kind": "report", "via": "", "channel": "web", "count": 1},
        {"kind": "enquiry", "via": "", "channel": "counter", "count": 1},
    ]
    assert f["complaints_by_via"] == {"direct": 1, "escalation": 4}
    assert (f["pending"], f["accepted"], f["refused"], f["acceptance_rate"]) == (1, 2, 2, 0.5)
    assert f["refused_by_ground"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1, "6": 0}
    assert (f["in_mediation"], f["agreed"], f["terminated"], f["mediation_success_rate"]) == (0, 1, 1, 0.5)
    assert f["terminated_by_ground"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0, "6": 0, "7": 0}
    assert f["amount_recovered"] == Decimal("120.50")
    assert f["reports"] == {"pending": 1, "case_opened": 1, "no_case": 0}
    assert f["enquiries"] == {"pending": 0, "answered": 1}
    duties = f["duties"]
    assert duties["acceptance"] == {
        "deadlines": 5, "met_in_time": 3, "met_late": 1, "missed": 1, "running": 0, "cancelled": 0,
        "share_in_time": 0.6,
    }  # fmt: skip
    assert [duties[p]["share_in_time"] for p in centre.DUTIES] == [0.6, 1.0, 1.0, 1.0, 1.0]
    assert (duties["report_decision"]["met_in_time"], duties["report_decision"]["running"]) == (1, 1)
    days = f["working_days"]
    assert days["to_acceptance"] == {"count": 2, "median": 2, "p90": 7}
    assert days["to_closing"] == {"count": 6, "median": 8, "p90": 15}
    assert days["to_closing_by_kind"]["complaint"] == {"count": 4, "median": 8, "p90": 8}
    assert days["to_closing_by_kind"]["report"] == {"count": 1, "median": 15, "p90": 15}
    assert f["satisfaction"] == {
        "count": 2, "average": 3.5, "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    }  # fmt: skip


def test_one_bureaus_figures_leave_the_others_out(centre_rows):
    city = centre.figures(SEPTEMBER, centre_rows["city"].pk, now=NOW)
    assert city["bureau"] == centre_rows["city"].pk
    assert city["received"] == {"complaint": 4, "report": 2, "enquiry": 1, "total": 7}
    assert (city["refused"], city["acceptance_rate"]) == (1, 0.6667)
    assert city["duties"]["acceptance"]["share_in_time"] == 0.5
    district = centre.figures(SEPTEMBER, centre_rows["district"].pk, now=NOW)
    assert district["received"] == {"complaint": 1, "report": 0, "enquiry": 0, "total": 1}
    assert district["refused_by_ground"]["1"] == 1
    assert district["working_days"]["to_closing"] == {"count": 1, "median": 1, "p90": 1}


def test_a_duty_not_yet_due_is_running_and_missed_once_it_has_passed(centre_rows):
    before = centre.figures(SEPTEMBER, now=at(2026, 10, 14, 12))["duties"]["acceptance"]
    after = centre.figures(SEPTEMBER, now=NOW)["duties"]["acceptance"]
    assert (before["running"], before["missed"]) == (1, 0)
    assert (after["running"], after["missed"]) == (0, 1)


def _raw(period: Period, bureau: Bureau | None, now) -> dict:
    """The same figures counted from the raw rows, the slow way: every row of the period, no rollup."""
    start, end = period.instants()
    cases = CentreCase.objects.filter(received_at__gte=start, received_at__lt=end)
    matters = Matter.objects.filter(received_at__gte=start, received_at__lt=end)
    if bureau is not None:
        cases, matters = cases.filter(bureau=bureau), matters.filter(bureau=bureau)
    refused = cases.filter(outcome="refused")
    terminated = cases.filter(outcome="terminated")
    duties = Deadline.objects.filter(phase__in=CENTRE_PHASES).filter(
        complaint__centre_case__in=cases
    ) | Deadline.objects.filter(phase__in=CENTRE_PHASES, matter__in=matters)
    outcomes = Counter()
    for d in duties:
        if d.met_at is not None:
            outcomes[d.phase, "met_in_time" if d.met_at <= d.due_at else "met_late"] += 1
        elif d.status == DeadlineStatus.OPEN and d.due_at >= now:
            outcomes[d.phase, "running"] += 1
        else:
            outcomes[d.phase, "missed"] += 1
    scores = Counter(Rating.objects.filter(complaint__centre_case__in=cases).values_list("score", flat=True))
    workdays = WorkingDays()
    accepted = cases.filter(accepted_at__isnull=False)
    return {
        "received": Counter(matters.values_list("kind", flat=True)) + Counter(complaint=cases.count()),
        "accepted": accepted.count(),
        "refused_by_ground": Counter(refused.values_list("refusal_ground", flat=True)),
        "agreed": cases.filter(outcome="agreed").count(),
        "terminated_by_ground": Counter(terminated.values_list("termination_ground", flat=True)),
        "amount_recovered": cases.aggregate(s=Sum("amount_recovered"))["s"] or Decimal("0.00"),
        "duties": outcomes,
        "satisfaction": scores,
        "to_acceptance": sorted(workdays.between(c.received_at, c.accepted_at) for c in accepted),
    }


def _from_figures(f: dict) -> dict:
    def grounds(by_ground):
        return Counter({int(g): n for g, n in by_ground.items() if n})

    outcomes = Counter(
        {
            (phase, k): v[k]
            for phase, v in f["duties"].items()
            for k in ("met_in_time", "met_late", "running", "missed")
            if v[k]
        }
    )
    return {
        "received": Counter({k: n for k, n in f["received"].items() if k != "total" and n}),
        "accepted": f["accepted"],
        "refused_by_ground": grounds(f["refused_by_ground"]),
        "agreed": f["agreed"],
        "terminated_by_ground": grounds(f["terminated_by_ground"]),
        "amount_recovered": f["amount_recovered"],
        "duties": outcomes,
        "satisfaction": Counter({int(s): n for s, n in f["satisfaction"]["distribution"].items() if n}),
    }


@pytest.mark.parametrize("which", [None, "city", "district"])
@pytest.mark.parametrize("now", [at(2026, 10, 14, 12), NOW, at(2027, 1, 5, 10)])
def test_every_figure_agrees_with_the_raw_rows(centre_rows, which, now):
    bureau = centre_rows[which] if which else None
    raw = _raw(SEPTEMBER, bureau, now)
    f = centre.figures(SEPTEMBER, bureau.pk if bureau else 0, now=now)
    assert _from_figures(f) == {k: v for k, v in raw.items() if k != "to_acceptance"}
    if raw["to_acceptance"]:
        assert (
            f["working_days"]["to_acceptance"]["median"]
            == raw["to_acceptance"][(len(raw["to_acceptance"]) - 1) // 2]
        )
    assert rollups.differences() == []


def test_the_working_days_count_as_the_law_counts_them():
    days = WorkingDays()
    # SPEC §10's examples: the due day of an N-working-day duty is the N-th working day.
    assert days.between(at(2026, 9, 30, 17), at(2026, 10, 15, 18)) == 7
    assert days.between(at(2026, 10, 15, 10), at(2026, 12, 17, 18)) == 45
    assert days.between(at(2026, 9, 24, 11), at(2026, 10, 22, 18)) == 15
    assert days.between(at(2026, 10, 15, 10), at(2026, 10, 15, 17)) == 0
    # A decision on a day off counts the working days before it.
    assert days.between(at(2026, 9, 30, 17), at(2026, 10, 4, 12)) == 0
