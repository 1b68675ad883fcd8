"""The staffing check's inputs: the shop's complaints per order from its past filings, the regulator's
default when history is thin, the first-response window from the deadline policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Phase, PolicyRule, ReceivedIn
from complaintdesk.deadlines.services import ensure_default_policy
from complaintdesk.promotions import erlang, staffing
from complaintdesk.promotions.models import FilingPolicy
from complaintdesk.promotions.tests.helpers import FILING_DAY, past_filing


def _complaints(people, promotion, n):
    for _ in range(n):
        c = factories.complaint(people.alice, people.acme)
        Complaint.objects.filter(pk=c.pk).update(promotion=promotion)


@pytest.mark.django_db
def test_without_history_the_regulators_default_rate_is_used(people):
    with time_machine.travel(FILING_DAY, tick=False):
        check = staffing.check(people.acme, 20000, 4, Decimal("6"))
    assert (check.rate_source, check.complaints_per_order) == ("default", 0.001)
    assert check.arrival_rate_per_hour == pytest.approx(20.0)


@pytest.mark.django_db
def test_the_shops_past_filings_give_its_complaints_per_order(people):
    with time_machine.travel(FILING_DAY, tick=False):
        old = past_filing(
            people.acme, people.bob, FILING_DAY - timedelta(days=200), FILING_DAY - timedelta(days=190), 40000
        )
        _complaints(people, old, 100)
        check = staffing.check(people.acme, 20000, 4, Decimal("6"))
    assert (check.rate_source, check.history_orders, check.history_complaints) == ("history", 40000, 100)
    assert check.complaints_per_order == pytest.approx(0.0025)
    assert check.arrival_rate_per_hour == pytest.approx(50.0)


@pytest.mark.django_db
def test_thin_recent_or_old_history_falls_back_to_the_default(people):
    with time_machine.travel(FILING_DAY, tick=False):
        thin = past_filing(
            people.acme, people.bob, FILING_DAY - timedelta(days=100), FILING_DAY - timedelta(days=99), 500
        )
        recent = past_filing(
            people.acme, people.bob, FILING_DAY - timedelta(days=12), FILING_DAY - timedelta(days=10), 50000
        )
        ancient = past_filing(
            people.acme, people.bob, FILING_DAY - timedelta(days=500), FILING_DAY - timedelta(days=400), 50000
        )
        other_shop = past_filing(
            people.bazaar,
            people.dave,
            FILING_DAY - timedelta(days=100),
            FILING_DAY - timedelta(days=90),
            50000,
        )
        for promotion in (thin, recent, ancient, other_shop):
            _complaints(people, promotion, 5)
        check = staffing.check(people.acme, 20000, 4, Decimal("6"))
    assert (check.rate_source, check.history_orders) == ("default", 500)


@pytest.mark.django_db
def test_the_minimum_history_and_default_rate_are_the_regulators(people):
    FilingPolicy.objects.create(min_history_orders=100, default_complaints_per_order=Decimal("0.004"))
    with time_machine.travel(FILING_DAY, tick=False):
        assert staffing.check(people.acme, 1000, 1, 5).complaints_per_order == pytest.approx(0.004)
        thin = past_filing(
            people.acme, people.bob, FILING_DAY - timedelta(days=100), FILING_DAY - timedelta(days=99), 500
        )
        _complaints(people, thin, 1)
        check = staffing.check(people.acme, 1000, 1, 5)
    assert (check.rate_source, check.complaints_per_order) == ("history", pytest.approx(0.002))


@pytest.mark.django_db
def test_the_window_is_the_policys_first_response_in_working_time(people):
    policy = ensure_default_policy()
    PolicyRule.objects.filter(
        policy=policy, phase=Phase.FIRST_RESPONSE, received_in=ReceivedIn.WORKING_TIME
    ).update(duration=timedelta(minutes=30))
    check = staffing.check(people.acme, 20000, 3, Decimal("6"))
    assert check.window_minutes == 30
    assert check.share_within_window == pytest.approx(erlang.share_within(3, 20.0, 10.0, 0.5))


def test_the_check_from_its_inputs():
    check = staffing.compute(
        peak_hour_orders=100000,
        staff_per_shift=9,
        avg_handling_minutes=6.0,
        complaints_per_order=0.001,
        window_minutes=120,
        target=0.95,
    )
    assert check.offered_load_erlangs == pytest.approx(10.0)
    assert (check.wait_probability, check.share_within_window, check.meets_target) == (1.0, 0.0, False)
    assert check.average_wait_minutes is None
    assert check.min_staff_for_target == 11
    assert check.as_dict()["meets_target"] is False


def test_hundreds_of_agents_for_a_huge_peak():
    check = staffing.compute(
        peak_hour_orders=5_000_000,
        staff_per_shift=600,
        avg_handling_minutes=6.0,
        complaints_per_order=0.001,
        window_minutes=2,
        target=0.95,
    )
    assert check.offered_load_erlangs == pytest.approx(500.0)
    assert 0 < check.wait_probability < 1
    assert check.meets_target
    assert 500 < check.min_staff_for_target <= 600
