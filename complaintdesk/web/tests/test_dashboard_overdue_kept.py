"""The console's "Overdue now" for the whole city is the worker's kept count (`stats.overdue`, issue 15: the
late-duty join read 51,000 overdue complaints per page at 10 M), shown with the time it was counted; a fresh
install, or a count too old, is counted live and shown without a time; a district officer's stays live.

The world (`bureau_world`): D1 has Acme, D2 has Bazaar, each with open complaints whose shop duties run late
40 days on."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints.models import Complaint
from complaintdesk.stats import overdue
from complaintdesk.stats.periods import Period, zone
from complaintdesk.web import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world):
    """40 days on (every shop duty of the world's complaints past due), at a local time of 17:42."""
    day = timezone.localdate(timezone=zone()) + timedelta(days=40)
    return timezone.datetime(day.year, day.month, day.day, 17, 42, 30, tzinfo=zone())


def _overdue_tile(html: str) -> str:
    start = html.index("Overdue now")
    return html[start : html.index("</div>", start)]


def _city_overdue(now) -> int:
    return sum(overdue.count(now=now).values())


def test_the_city_dashboard_shows_the_kept_count_and_when_it_was_counted(world, late, browser_of):
    overdue.refresh(late)
    kept = _city_overdue(late)
    assert kept > 0
    # Since the count, Acme's overdue complaints were closed: the page shows the count as of 17:42.
    Complaint.objects.filter(merchant=world.d1.shop).update(state="closed")
    assert _city_overdue(late) < kept
    with time_machine.travel(late + timedelta(minutes=2), tick=False):
        for officer in (world.city_officer, world.rita):
            html = browser_of(officer).get("/console/").content.decode()
            tile = _overdue_tile(html)
            assert f">{kept}</a>" in tile
            assert "as of 17:42" in tile
            table = html[html.index('id="table-overdue"') - 400 : html.index('id="table-overdue"')]
            assert "as of 17:42" in table  # beside the table's heading
        # A district officer's figure is counted live from its bureau's open complaints, with no time.
        data = metrics.dashboard(
            Period(late.date().replace(day=1), late.date()), late.date(), world.d1.officer
        )
        assert data["counts"]["overdue_counted_at"] is None
        html = browser_of(world.d1.officer).get("/console/").content.decode()
        assert "as of" not in html


def test_a_fresh_install_shows_the_live_count_without_a_time(world, late, browser_of):
    with time_machine.travel(late, tick=False):
        live = _city_overdue(late)
        assert live > 0
        html = browser_of(world.city_officer).get("/console/").content.decode()
    assert f">{live}</a>" in _overdue_tile(html)
    assert "as of" not in html


def test_a_count_older_than_its_maximum_age_is_not_shown_as_now(world, late, browser_of):
    overdue.refresh(late)
    Complaint.objects.filter(merchant=world.d1.shop).update(state="closed")
    with time_machine.travel(late + overdue.MAX_AGE + timedelta(seconds=1), tick=False):
        live = _city_overdue(timezone.now())
        html = browser_of(world.city_officer).get("/console/").content.decode()
    assert f">{live}</a>" in _overdue_tile(html)
    assert "as of" not in html


def test_the_city_dashboard_with_a_fresh_count_reads_no_late_duty(world, late):
    """No query of the page joins the duties to the complaints for the overdue tiles: the kept rows are read."""
    overdue.refresh(late)
    today = late.date()
    with (
        time_machine.travel(late + timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        data = metrics.dashboard(Period(today.replace(day=1), today), today, world.city_officer)
    assert data["counts"]["overdue_counted_at"] == late
    # The overdue complaints: the open ones (by state) among the late duties. (The period's compliance reads
    # the period's running duties, through the complaints received in it, not by state: not these.)
    joined = [
        q["sql"]
        for q in captured.captured_queries
        if "deadlines_deadline" in q["sql"] and '"complaints_complaint"."state" IN' in q["sql"]
    ]
    assert joined == []
    assert any("stats_overduecount" in q["sql"] for q in captured.captured_queries)
