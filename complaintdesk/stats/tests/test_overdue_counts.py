"""The city's overdue complaints by shop, kept by the worker (`stats.overdue`, issue 15: the console's tiles
from kept figures at 10 M complaints): what a refresh keeps is what counting them says, complaint by
complaint; the reader shows the kept count while it is at most MAX_AGE old and counts live otherwise; the
worker recounts once every REFRESH_EVERY."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus
from complaintdesk.ops.management.commands.worker import run_once
from complaintdesk.stats import overdue
from complaintdesk.stats.models import ALL_SHOPS, OverdueCount

pytestmark = pytest.mark.django_db

FILED = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATE = FILED + timedelta(days=40)  # every shop duty of the complaints filed at FILED is past due


@pytest.fixture
def filed(people):
    """Acme: two open complaints and a closed one (its duties left unmet); Bazaar: one open complaint."""
    with time_machine.travel(FILED, tick=False):
        factories.complaint(people.alice, people.acme)
        factories.complaint(people.erin, people.acme)
        factories.complaint(people.alice, people.acme, state="closed")
        factories.complaint(people.erin, people.bazaar)
    return people


def _by_hand(now) -> dict[int, int]:
    """Each shop's open complaints with a shop duty past due and unmet, as SPEC §8 says it, one by one."""
    late = {
        d.complaint_id
        for d in Deadline.objects.filter(phase__in=list(SHOP_PHASES), met_at__isnull=True, due_at__lt=now)
        if d.status in (DeadlineStatus.OPEN, DeadlineStatus.BREACHED)
    }
    by_shop = {}
    for c in Complaint.objects.all():
        if c.state in OPEN_STATES and c.pk in late:
            by_shop[c.merchant_id] = by_shop.get(c.merchant_id, 0) + 1
    return by_shop


def _kept() -> dict[int, tuple[int, datetime]]:
    return {
        shop: (n, at) for shop, n, at in OverdueCount.objects.values_list("shop", "overdue", "counted_at")
    }


def test_a_refresh_keeps_what_counting_says_a_closed_complaints_late_duty_not_counted(filed):
    assert overdue.refresh(LATE)
    expected = {filed.acme.pk: 2, filed.bazaar.pk: 1}  # Acme's closed complaint is not overdue
    assert _by_hand(LATE) == expected
    assert overdue.count(now=LATE) == expected
    assert _kept() == {filed.acme.pk: (2, LATE), filed.bazaar.pk: (1, LATE), ALL_SHOPS: (3, LATE)}


def test_a_count_with_nothing_overdue_is_kept_as_zero_not_as_no_count(filed):
    """Before any duty is due: no shop row, the city's row says "counted, none overdue"."""
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        assert overdue.refresh()
    assert _kept() == {ALL_SHOPS: (0, FILED + timedelta(hours=1))}
    assert overdue.city(FILED + timedelta(hours=1, minutes=3)) == overdue.Overdue(
        {}, FILED + timedelta(hours=1)
    )


def test_a_refresh_replaces_the_last_count(filed):
    overdue.refresh(LATE)
    Complaint.objects.filter(merchant=filed.bazaar).update(state="closed")
    later = LATE + timedelta(minutes=1)
    assert overdue.refresh(later)
    assert _kept() == {filed.acme.pk: (2, later), ALL_SHOPS: (2, later)}  # Bazaar's row is gone


def test_the_reader_shows_a_fresh_kept_count_reading_the_kept_rows_only(filed):
    overdue.refresh(LATE)
    Complaint.objects.filter(merchant=filed.bazaar).update(state="closed")  # since the count
    at = LATE + overdue.MAX_AGE
    with CaptureQueriesContext(connection) as captured:
        shown = overdue.city(at)
    assert shown == overdue.Overdue({filed.acme.pk: 2, filed.bazaar.pk: 1}, LATE)  # as counted at LATE
    assert len(captured.captured_queries) == 2  # the count's time, then its rows
    assert all('FROM "stats_overduecount"' in q["sql"] for q in captured.captured_queries)


def test_the_reader_counts_live_when_a_newer_count_replaced_the_rows_between_its_reads(filed, monkeypatch):
    overdue.refresh(LATE)
    Complaint.objects.filter(merchant=filed.bazaar).update(state="closed")
    overdue.refresh(LATE + timedelta(minutes=1))
    monkeypatch.setattr(overdue, "_kept_at", lambda: LATE)  # the time read just before that count came in
    assert overdue.city(LATE + timedelta(minutes=2)) == overdue.Overdue({filed.acme.pk: 2}, None)


@pytest.mark.parametrize(
    "age", [overdue.MAX_AGE + timedelta(seconds=1), timedelta(days=1), -timedelta(minutes=1)]
)
def test_the_reader_counts_live_and_says_so_when_the_kept_count_is_too_old_or_from_the_future(filed, age):
    overdue.refresh(LATE)
    Complaint.objects.filter(merchant=filed.bazaar).update(state="closed")
    now = LATE + age
    assert overdue.city(now) == overdue.Overdue(_by_hand(now), None)
    assert overdue.city(now).by_shop == {filed.acme.pk: 2}


def test_the_reader_counts_live_before_the_first_count(filed):
    assert overdue.city(LATE) == overdue.Overdue({filed.acme.pk: 2, filed.bazaar.pk: 1}, None)
    assert not OverdueCount.objects.exists()  # reading keeps nothing


def test_a_count_kept_by_another_worker_while_this_one_counted_stands(filed, monkeypatch):
    counting = overdue.count
    other = LATE + timedelta(seconds=5)

    def meanwhile_another_worker_keeps_its_count(*args, **kwargs):
        monkeypatch.setattr(overdue, "count", counting)
        assert overdue.refresh(other)
        return counting(*args, **kwargs)

    monkeypatch.setattr(overdue, "count", meanwhile_another_worker_keeps_its_count)
    assert not overdue.refresh(LATE)
    assert {at for _, at in _kept().values()} == {other}


def test_two_workers_first_counts_the_second_gives_way(filed, monkeypatch):
    """Before the first count there is no city row to lock: on PostgreSQL the second of two workers' first
    counts meets the first's rows on the key (IntegrityError, simulated here) and keeps nothing."""
    assert overdue.refresh(LATE)
    before = _kept()

    def the_other_workers_rows_came_first(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(OverdueCount.objects, "bulk_create", the_other_workers_rows_came_first)
    assert not overdue.refresh(LATE + timedelta(minutes=2))
    assert _kept() == before


def test_the_worker_recounts_when_due_and_not_again_within_the_interval(filed):
    """Each pass counts before its sweep, so a count is what the complaints said as the pass began."""
    with time_machine.travel(LATE, tick=False):
        assert run_once()["overdue_recounted"] == 1
    assert _kept()[ALL_SHOPS] == (3, LATE)
    Complaint.objects.filter(merchant=filed.bazaar).update(state="closed")
    within = LATE + overdue.REFRESH_EVERY - timedelta(seconds=1)
    with time_machine.travel(within, tick=False):
        assert run_once()["overdue_recounted"] == 0
    assert _kept()[ALL_SHOPS] == (3, LATE)
    due = LATE + overdue.REFRESH_EVERY
    expected = _by_hand(due)
    assert expected == {filed.acme.pk: 2}
    with time_machine.travel(due, tick=False):
        assert run_once()["overdue_recounted"] == 1
    assert _kept() == {**{shop: (n, due) for shop, n in expected.items()}, ALL_SHOPS: (2, due)}
