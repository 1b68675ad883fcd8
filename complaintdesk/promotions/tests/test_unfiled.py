"""Complaints carry their promotion (by id, by name, by order date); a promotion the shop never filed raises
one unfiled-promotion alert, once and only once, from complaints naming it or from a sale-period surge."""

import math
from datetime import date, datetime, timedelta

import pytest
import time_machine

from complaintdesk.alerts.models import Alert
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.notify.models import NotificationChannel, OutboxMessage
from complaintdesk.ops.management.commands.worker import run_once
from complaintdesk.promotions import unfiled
from complaintdesk.promotions.tests.helpers import SHANGHAI, past_filing

NOV_12 = datetime(2026, 11, 12, 12, 0, tzinfo=SHANGHAI)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def double_11(people):
    """Acme filed its Double 11 (1–11 November 2026)."""
    return past_filing(
        people.acme,
        people.bob,
        at(2026, 11, 1, 0, 0),
        at(2026, 11, 12, 0, 0),
        name="Acme Double 11 Carnival",
        type="double_11",
    )


def _complaint(people, shop=None, received_at=NOV_12 - timedelta(hours=1), order_date=None, **kw):
    shop = shop or people.acme
    return factories.complaint(people.alice, shop, received_at=received_at, order_date=order_date, **kw)


# Linking at intake ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_consumer_names_the_filing_by_id(people, api, double_11):
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, promotion=double_11.pk)
        )
    assert response.status_code == 201, response.content
    assert response.json()["promotion"] == "Acme Double 11 Carnival"
    assert Complaint.objects.get().promotion == double_11


@pytest.mark.django_db
def test_another_shops_filing_id_is_refused_and_nothing_is_stored(people, api):
    bazaar_sale = past_filing(people.bazaar, people.dave, at(2026, 11, 1, 0, 0), at(2026, 11, 12, 0, 0))
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, promotion=bazaar_sale.pk)
        )
        missing = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, promotion=999999))
    for r, number in ((response, bazaar_sale.pk), (missing, 999999)):
        assert r.status_code == 422
        issue = r.json()["detail"][0]
        assert issue["loc"][-1] == "promotion"
        assert issue["msg"] == f"no promotion filing {number} of this shop"
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "order_date", "linked"),
    [
        ("acme double-11 CARNIVAL", None, True),  # the filing's name, however written
        ("双11", None, True),  # a name of the sale period the filing is of
        ("", "2026-11-05", True),  # the order date inside the filing
        ("Secret member sale", "2026-11-05", True),  # an unknown name, but ordered during a filed promotion
        ("Secret member sale", "2026-10-05", False),
        ("", "2026-10-05", False),
    ],
)
def test_the_promotion_is_inferred_from_name_or_order_date(people, api, double_11, name, order_date, linked):
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, promotion=name, order_date=order_date)
        )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.promotion == (double_11 if linked else None)
    assert complaint.promotion_name == name


# Named promotions -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_complaints_naming_an_unfiled_promotion_raise_one_alert_once(people):
    NotificationChannel.objects.create(kind="email", target="alerts@12315.test")
    first = _complaint(people, promotion_name="Spring Flash Sale", order_date=date(2026, 11, 3))
    second = _complaint(people, promotion_name="spring  flash-sale", order_date=date(2026, 11, 4))
    with time_machine.travel(NOV_12, tick=False):
        assert unfiled.detect(NOV_12) == 1
        assert unfiled.detect(NOV_12) == 0
    alert = Alert.objects.get()
    assert (alert.kind, alert.merchant, alert.episode_key) == (
        "unfiled_promotion",
        people.acme,
        "named:2026:spring flash sale",
    )
    assert "Spring Flash Sale" in alert.title
    assert set(alert.complaints.all()) == {first, second}
    # One notice to the centre's channel and one to its officer (Rita), once.
    assert sorted(OutboxMessage.objects.filter(event="alert").values_list("kind", flat=True)) == [
        "email",
        "user",
    ]

    third = _complaint(people, promotion_name="Spring Flash Sale", received_at=NOV_12 + timedelta(hours=2))
    with time_machine.travel(NOV_12 + timedelta(hours=3), tick=False):
        assert unfiled.detect(NOV_12 + timedelta(hours=3)) == 0
    assert Alert.objects.count() == 1
    assert third in alert.complaints.all()
    assert OutboxMessage.objects.filter(event="alert").count() == 2


@pytest.mark.django_db
def test_names_of_one_sale_period_are_one_promotion_per_shop(people):
    _complaint(people, promotion_name="双11")
    _complaint(people, promotion_name="Double 11")
    _complaint(people, promotion_name="11.11")
    _complaint(people, shop=people.bazaar, promotion_name="双十一")
    assert unfiled.detect(NOV_12) == 2
    keys = set(Alert.objects.values_list("merchant__name", "episode_key"))
    assert keys == {("Acme Online", "sale:double_11:2026"), ("Bazaar Mall", "sale:double_11:2026")}


@pytest.mark.django_db
def test_a_double_12_named_in_january_belongs_to_last_years_sale(people):
    received = at(2027, 1, 5, 10, 0)
    _complaint(people, promotion_name="双12", received_at=received)
    assert unfiled.detect(received + timedelta(hours=1)) == 1
    assert Alert.objects.get().episode_key == "sale:double_12:2026"


@pytest.mark.django_db
def test_filed_promotions_and_old_complaints_raise_nothing(people, double_11):
    _complaint(people, promotion_name="Acme Double 11 Carnival")
    _complaint(people, promotion_name="Forgotten sale", received_at=NOV_12 - timedelta(days=60))
    assert unfiled.detect(NOV_12) == 0
    assert Alert.objects.count() == 0


# Sale-period surges ---------------------------------------------------------------------------------------


def _surge(people, shop, n, baseline=2):
    for i in range(baseline):
        _complaint(people, shop=shop, received_at=at(2026, 9, 20 + i, 10, 0))
    return [
        _complaint(people, shop=shop, received_at=at(2026, 11, 2, 10, 0) + timedelta(hours=i))
        for i in range(n)
    ]


@pytest.mark.django_db
def test_a_surge_during_double_11_without_a_filing_raises_one_alert(people):
    surge = _surge(people, people.acme, 12)
    assert unfiled.detect(NOV_12) == 1
    assert unfiled.detect(NOV_12) == 0
    alert = Alert.objects.get()
    assert alert.episode_key == "sale:double_11:2026"
    assert alert.observed == 12
    # 2 complaints in the 56 days before 1 November, over 11.5 days of the sale: 0.41 expected.
    assert alert.expected == pytest.approx(2 * 11.5 / 56)
    assert alert.p_value < 1e-6
    assert (alert.window_start, alert.window_end) == (at(2026, 11, 1, 0, 0), NOV_12)
    assert set(alert.complaints.all()) == set(surge)


@pytest.mark.django_db
def test_a_named_sale_and_its_surge_are_the_same_promotion(people):
    _surge(people, people.acme, 12)
    _complaint(people, promotion_name="双十一")
    assert unfiled.detect(NOV_12) == 1
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_filed_shop_or_an_ordinary_month_raises_nothing(people, double_11):
    _surge(people, people.acme, 12)  # filed
    _surge(people, people.bazaar, 3)  # too few to say anything
    assert unfiled.detect(NOV_12) == 0


@pytest.mark.django_db
def test_a_busy_shop_at_its_usual_rate_is_no_surge(people):
    for i in range(56):
        _complaint(people, shop=people.bazaar, received_at=at(2026, 9, 6, 10, 0) + timedelta(days=i))
    for i in range(12):
        _complaint(people, shop=people.bazaar, received_at=at(2026, 11, 1, 10, 0) + timedelta(days=i * 0.9))
    assert unfiled.detect(NOV_12) == 0


@pytest.mark.django_db
def test_the_worker_pass_raises_it_once(people):
    _surge(people, people.acme, 12)
    unfiled.forget_last_run()
    with time_machine.travel(NOV_12, tick=False):
        assert run_once()["unfiled_promotions"] == 1
        assert run_once()["unfiled_promotions"] == 0  # not due again yet
        unfiled.forget_last_run()
        assert run_once()["unfiled_promotions"] == 0  # due, but the episode has its alert
    assert Alert.objects.filter(kind="unfiled_promotion").count() == 1


@pytest.mark.parametrize(("k", "mean"), [(0, 2.0), (1, 2.0), (3, 2.0), (7, 2.0), (15, 4.5), (40, 30.0)])
def test_the_poisson_tail_matches_the_direct_sum(k, mean):
    direct = 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))
    assert unfiled.poisson_tail(k, mean) == pytest.approx(direct, rel=1e-9, abs=1e-15)


def test_far_in_the_tail_it_neither_overflows_nor_loops():
    first_term = math.exp(200 * math.log(10) - 10 - math.lgamma(201))
    assert 0 < unfiled.poisson_tail(200, 10.0) == pytest.approx(first_term, rel=0.1)
    assert unfiled.poisson_tail(100_000, 10.0) == 0.0


@pytest.mark.django_db
def test_unfiled_promotion_alerts_store_their_facts(people):
    _complaint(people, promotion_name="Spring Flash Sale", order_date=date(2026, 11, 3))
    _surge(people, people.bazaar, 12)
    assert unfiled.detect(NOV_12) == 2
    named = Alert.objects.get(merchant=people.acme)
    assert named.facts == {
        "shop": "Acme Online",
        "source": "named",
        "promotion": "Spring Flash Sale",
        "observed": 1,
    }
    assert named.shown_title == (
        "Acme Online: 1 complaint names the promotion “Spring Flash Sale”, which the shop never filed"
    )
    surge = Alert.objects.get(merchant=people.bazaar)
    assert surge.facts == {
        "shop": "Bazaar Mall", "source": "sale_surge", "promotion": "Double 11 2026", "observed": 12,
        "expected": surge.expected, "p_value": surge.p_value,
        "window_start": at(2026, 11, 1, 0, 0).isoformat(), "window_end": NOV_12.isoformat(),
    }  # fmt: skip
    assert "e-" not in surge.shown_title and "far above normal" in surge.shown_title
