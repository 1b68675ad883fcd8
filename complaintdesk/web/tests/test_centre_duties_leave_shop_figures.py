"""A duty of the 12315 centre's (acceptance, mediation, termination notice, report decision, enquiry answer)
and the consumer's rating window are deadlines in the shops' table, but never the shop's: no figure of a
shop changes when they start, are met, run late or are cancelled — statistics and compliance, scorecards,
the dashboard and its overdue counts, the downloads, open data, the rollups (SPEC §10; `SHOP_PHASES`)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from complaintdesk.centre import duties
from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import overdue_filter, visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus, Phase
from complaintdesk.stats import centre_rollups, exports, queries, rollups
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd
from complaintdesk.web import metrics

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=SH)
PERIOD = Period(date(2026, 9, 1), date(2026, 10, 31))
SHOP_TABLES = ("complaints", "shops", "deadlines", "response", "commitments", "hours")


def at(*args):
    return datetime(*args, tzinfo=SH)


def _file(people, merchant, when, **kw):
    with time_machine.travel(when, tick=False):
        return factories.complaint(people.alice, merchant, **kw)


def _shop_figures(people, api) -> dict:
    """Every figure of the shops' that reads deadlines, as it stands at NOW."""
    with time_machine.travel(NOW, tick=False):
        shops = [people.acme, people.bazaar]
        dashboard = metrics.dashboard(PERIOD, NOW.date())
        stored = rollups.stored()
        figures = {
            "summary": queries.summary(PERIOD, now=NOW),
            "summary of a shop": queries.summary(PERIOD, people.acme.pk, now=NOW),
            "breakdowns": [queries.breakdown(PERIOD, by) for by in queries.BREAKDOWNS],
            "scorecards": queries.scorecards(shops, today=NOW.date(), now=NOW),
            "dashboard": {k: v for k, v in dashboard.items() if k not in ("period", "today")},
            "dashboard scorecards": [
                {k: v for k, v in card.items() if k != "merchant"} for card in metrics.scorecards(shops)
            ],
            "downloads": {
                table: exports.statistics_table(table, PERIOD, ALL_SHOPS)
                for table in exports.STATISTICS_TABLES
                if table != "centre"
            },
            "open data": list(exports.open_data_rows(exports.open_data_complaints(PERIOD))),
            "complaint list": list(
                exports.complaint_rows(visible_complaints(people.rita).order_by("id"), people.rita)
            ),
            "overdue": sorted(Complaint.objects.filter(overdue_filter(True)).values_list("pk", flat=True)),
            "rollups": {table: stored[table] for table in SHOP_TABLES},
            "api summary": api(people.rita)
            .get("/stats/summary", {"start": "2026-09-01", "end": "2026-10-31"})
            .json(),
            "api scorecard": api(None).get(f"/merchants/{people.acme.pk}/scorecard").json(),
        }
    return figures


@pytest.mark.django_db
def test_no_figure_of_a_shop_moves_with_the_centres_duties(people, api):
    answered = _file(people, people.acme, at(2026, 9, 28, 10))
    services.perform(answered.pk, people.bob, "respond", "On it", at=at(2026, 9, 28, 11))
    silent = _file(people, people.bazaar, at(2026, 9, 29, 10))
    closed = _file(people, people.acme, at(2026, 9, 30, 10))
    services.perform(
        closed.pk, people.bob, "propose_resolution", "Refund", {"type": "refund"}, at=at(2026, 9, 30, 11)
    )
    services.perform(closed.pk, people.alice, "accept", "", at=at(2026, 9, 30, 12))
    # The shops' world without any deadline of the centre's (closing may already have opened a rating window).
    Deadline.objects.exclude(phase__in=SHOP_PHASES).delete()
    before = _shop_figures(people, api)

    # The centre receives two of them: it accepts one and ends its mediation, but its notice of the
    # termination runs late (due 10-16); it leaves the other's acceptance overdue (the worker breaches it).
    # A report on one shop runs past its due time, an enquiry's duty is cancelled; the closed complaint's
    # rating window opens and ends.
    with time_machine.travel(at(2026, 10, 20, 9), tick=False):
        mediated = cd.accept(cd.reach(answered, at(2026, 9, 30, 17)), at(2026, 10, 8, 10))
        cd.terminate(mediated, at(2026, 10, 8, 11), ground=4)
        cd.reach(silent, at(2026, 9, 30, 9))
        cd.matter("report", at(2026, 9, 1, 11), merchant=people.acme)
        enquiry = cd.matter("enquiry", at(2026, 9, 24, 11), merchant=people.bazaar)
        duties.start(Phase.RATING, at(2026, 9, 30, 12), duties.version_on(date(2026, 9, 30)), complaint=closed,
                     watched=False)  # fmt: skip
        Deadline.objects.filter(complaint=silent, phase=Phase.ACCEPTANCE).update(
            status=DeadlineStatus.BREACHED
        )
        Deadline.objects.filter(matter=enquiry).update(status=DeadlineStatus.CANCELLED)
    late = Deadline.objects.filter(met_at__isnull=True, due_at__lt=NOW).exclude(
        status=DeadlineStatus.CANCELLED
    )
    assert set(late.values_list("phase", flat=True)) >= {
        Phase.ACCEPTANCE,
        Phase.TERMINATION_NOTICE,
        Phase.REPORT_DECISION,
        Phase.RATING,
    }
    after = _shop_figures(people, api)
    for figure in before:
        assert after[figure] == before[figure], figure
    centre_rollups.refresh(complaint_id=silent.pk)
    centre_rollups.refresh(matter_id=enquiry.pk)
    assert rollups.differences() == []


@pytest.mark.django_db
def test_a_complaint_late_only_at_the_centre_is_not_overdue_at_the_shop(people):
    complaint = _file(people, people.acme, at(2026, 9, 28, 10))
    services.perform(complaint.pk, people.bob, "respond", "On it", at=at(2026, 9, 28, 11))
    Deadline.objects.filter(complaint=complaint).exclude(phase=Phase.FIRST_RESPONSE).delete()
    cd.reach(complaint, at(2026, 9, 30, 9))
    late = Complaint.objects.filter(overdue_filter(True, now=timezone.now() + timedelta(days=400)))
    assert not late.filter(pk=complaint.pk).exists()
