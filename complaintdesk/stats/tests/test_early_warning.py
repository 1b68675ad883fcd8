"""Surge and mass-incident warnings on synthetic streams, one detector pass at a time.

The history (28 days of hourly counts) is written as rollup rows, the way filing would have left them;
the hour under test is filed for real through the complaint services.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from complaintdesk.alerts.models import Alert
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.tests import factories
from complaintdesk.promotions.models import Promotion
from complaintdesk.stats import detectors, rollups
from complaintdesk.stats.models import ALL_CATEGORIES

SH = ZoneInfo("Asia/Shanghai")
HOUR_UNDER_TEST = datetime(2026, 11, 11, 10, tzinfo=SH)  # a Wednesday


def history(merchant, per_hour: int, category="delivery", days=28):
    """A steady stream: `per_hour` complaints in every hour of the `days` days before the hour under test."""
    category_id = Category.objects.get(code=category).pk
    deltas = rollups.Deltas()
    for h in range(1, days * 24 + 1):
        hour = HOUR_UNDER_TEST - timedelta(hours=h)
        deltas.add("hours", (hour, merchant.pk, category_id), "n", per_hour, all_shops=False)
        deltas.add("hours", (hour, merchant.pk, ALL_CATEGORIES), "n", per_hour)
    rollups.write(deltas)


def file_in_hour(consumer, merchant, n, minute0=0, hour=HOUR_UNDER_TEST, **kw):
    made = []
    for i in range(n):
        with time_machine.travel(hour + timedelta(minutes=(minute0 + i * 3) % 60), tick=False):
            made.append(factories.complaint(consumer, merchant, amount=Decimal(100 + minute0 + i), **kw))
    return made


def detect(when):
    return detectors.run(when, force=True)


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.COMPLAINTDESK_EARLY_WARNING = {"min_count": 5, "p_threshold": 0.001, "mass_min_complaints": 5}


@pytest.mark.django_db
def test_a_steady_stream_raises_nothing(people):
    history(people.acme, 6)
    file_in_hour(people.alice, people.acme, 8, description="one")  # 8 where 6 are usual: P ≈ 0.26
    assert detect(HOUR_UNDER_TEST + timedelta(minutes=59)) == 0
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_burst_raises_one_alert_per_kind_however_often_the_worker_looks(people):
    history(people.acme, 1)
    history(people.bazaar, 1)
    burst = file_in_hour(people.alice, people.acme, 15, description="burst")
    file_in_hour(people.erin, people.bazaar, 2, description="calm")
    for minutes in (50, 55, 59):
        detect(HOUR_UNDER_TEST + timedelta(minutes=minutes))
    surge = Alert.objects.get(kind="surge")
    assert surge.merchant == people.acme and surge.observed == 15
    assert surge.p_value < 0.001 and 0.9 < surge.expected < 1.5  # Wednesday 10:00 is a usual hour
    assert set(surge.complaints.all()) == set(burst)
    assert surge.title.startswith("Surge at Acme Online: 15 complaints in the hour from 2026-11-11 10:00")
    assert Alert.objects.filter(kind="surge_category", category__code="delivery").count() == 1
    assert Alert.objects.count() == 2
    # The surge goes on into the next hour: the same episode, the same alert, now two hours long.
    next_hour = HOUR_UNDER_TEST + timedelta(hours=1)
    more = file_in_hour(people.alice, people.acme, 12, hour=next_hour, description="burst")
    detect(next_hour + timedelta(minutes=40))
    assert Alert.objects.filter(kind="surge").count() == 1
    surge.refresh_from_db()
    assert surge.observed == 27 and surge.window_end == next_hour + timedelta(hours=1)
    assert set(surge.complaints.all()) == set(burst + more)


@pytest.mark.django_db
def test_a_filed_promotion_raises_the_baseline_by_its_expected_volume_unless_returned(people):
    history(people.acme, 1)
    promotion = Promotion.objects.create(
        merchant=people.acme, name="Double 11", type="double_11", state="submitted",
        starts_at=HOUR_UNDER_TEST - timedelta(hours=10), ends_at=HOUR_UNDER_TEST + timedelta(hours=14),
        expected_orders=200000, peak_hour_orders=20000, staff_per_shift=10,
        avg_handling_minutes=Decimal("6"), emergency_plan="More staff", lead_working_days=3,
        due_by=HOUR_UNDER_TEST - timedelta(days=5), filed_at=HOUR_UNDER_TEST - timedelta(days=10),
        filed_by=people.carol,
    )  # fmt: skip
    file_in_hour(people.alice, people.acme, 15, description="promo")
    when = HOUR_UNDER_TEST + timedelta(minutes=59)
    # 20,000 orders at the peak × 0.001 complaints per order (the default rate): 20 more expected per hour.
    # Still waiting for review: the expected rush counts already.
    assert detectors.promotion_extra(people.acme.pk, HOUR_UNDER_TEST, detectors.config()) == pytest.approx(20)
    Promotion.objects.filter(pk=promotion.pk).update(state="accepted")
    assert detectors.promotion_extra(people.acme.pk, HOUR_UNDER_TEST, detectors.config()) == pytest.approx(20)
    assert detect(when) == 0
    assert not Alert.objects.exists()
    Promotion.objects.filter(pk=promotion.pk).update(state="returned")  # without it, the same hour is a surge
    assert detectors.promotion_extra(people.acme.pk, HOUR_UNDER_TEST, detectors.config()) == 0.0
    assert detect(when) == 2


CHINESE = [
    "我在双十一买的充电宝充不进电，客服一直不理我，要求退款。订单号{}",
    "双十一买的充电宝充不进电，客服不理，要求退款！订单{}",
    "充电宝充不进电，要求退款。客服一直不理我，双十一买的 {}",
    "我双十一买的充电宝完全充不进电，联系客服没人理，要求退款{}",
    "双11买的充电宝根本充不进电，客服一直不理我，要求退款 {}",
]
ENGLISH = [
    "The power bank I bought on Double 11 does not charge at all and customer service ignores me. Order {}",
    "Power bank bought on Double 11 does not charge at all, customer service ignores me, order {}",
    "the power bank i bought on double 11 does not charge and customer service ignores my messages {}",
    "My power bank from Double 11 does not charge at all and customer service ignores me ({})",
    "Bought a power bank on Double 11: it does not charge at all and customer service ignores me. {}",
]
UNRELATED = [
    "收到的耳机左耳没有声音，申请更换。",
    "The parcel never arrived and the courier says it was delivered.",
    "Price doubled between cart and checkout.",
    "会员自动续费未提前告知。",
]


def _file_texts(people, texts, start):
    made = []
    for i, text in enumerate(texts):
        with time_machine.travel(start + timedelta(minutes=17 * i), tick=False):
            made.append(
                factories.complaint(people.alice, people.acme, description=text.format(1000 + i),
                                    order_number=f"X{i}", amount=Decimal(10 + i))
            )  # fmt: skip
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("texts", [CHINESE, ENGLISH], ids=["chinese", "english"])
def test_nearly_the_same_text_from_many_consumers_is_a_mass_incident(people, texts):
    start = HOUR_UNDER_TEST - timedelta(hours=5)
    _file_texts(people, UNRELATED, start)
    same = _file_texts(people, texts, start + timedelta(minutes=5))
    assert detect(HOUR_UNDER_TEST) == 1
    alert = Alert.objects.get(kind="mass_incident")
    assert set(alert.complaints.all()) == set(same)
    assert alert.details["pattern"] == "text" and "nearly the same text" in alert.title
    # One more the next pass joins the same alert.
    extra = _file_texts(people, [texts[0]], HOUR_UNDER_TEST + timedelta(minutes=2))
    assert detect(HOUR_UNDER_TEST + timedelta(minutes=5)) == 0
    assert set(alert.complaints.all()) == set(same + extra)


@pytest.mark.django_db
def test_four_similar_texts_or_texts_outside_the_window_are_no_incident(people):
    _file_texts(people, CHINESE[:4] + UNRELATED, HOUR_UNDER_TEST - timedelta(hours=3))
    _file_texts(people, [CHINESE[4]], HOUR_UNDER_TEST - timedelta(hours=30))  # a day and more before
    assert detect(HOUR_UNDER_TEST) == 0


@pytest.mark.django_db
def test_the_same_order_batch_or_amount_is_a_mass_incident(people):
    for i, text in enumerate(UNRELATED + ["其他问题"]):
        with time_machine.travel(HOUR_UNDER_TEST - timedelta(hours=2, minutes=i), tick=False):
            factories.complaint(people.alice, people.acme, description=text,
                                order_number=f"JD-20261111-{i:05d}", amount=Decimal(7 + i))  # fmt: skip
    assert detect(HOUR_UNDER_TEST) == 1
    alert = Alert.objects.get(kind="mass_incident")
    assert alert.details == {"pattern": "order_pattern", "value": "JD-20261111-", "sample": UNRELATED[0]}
    assert alert.complaints.count() == 5


@pytest.mark.django_db
def test_a_surge_stores_its_facts_and_a_longer_surge_updates_them(people):
    history(people.acme, 1)
    file_in_hour(people.alice, people.acme, 15, description="burst")
    detect(HOUR_UNDER_TEST + timedelta(minutes=59))
    surge = Alert.objects.get(kind="surge_category")
    assert surge.facts == {
        "shop": "Acme Online", "category": "delivery", "observed": 15, "expected": surge.expected,
        "p_value": surge.p_value, "window_start": "2026-11-11T02:00:00+00:00",
        "window_end": "2026-11-11T03:00:00+00:00",
    }  # fmt: skip
    with translation.override("zh-hans"):
        assert "“物流配送”" in surge.shown_title and "delivery" not in surge.shown_title
    next_hour = HOUR_UNDER_TEST + timedelta(hours=1)
    file_in_hour(people.alice, people.acme, 12, hour=next_hour, description="burst")
    detect(next_hour + timedelta(minutes=40))
    surge.refresh_from_db()
    assert (surge.facts["observed"], surge.facts["window_end"]) == (27, "2026-11-11T04:00:00+00:00")
    assert surge.facts["expected"] == surge.expected and surge.facts["p_value"] == surge.p_value
    with timezone.override(SH):
        assert "27 “Delivery” complaints from 2026-11-11 10:00 to 12:00" in surge.shown_title


@pytest.mark.django_db
def test_a_mass_incident_of_one_amount_names_its_category(people):
    for i, text in enumerate(UNRELATED + ["其他问题"]):
        with time_machine.travel(HOUR_UNDER_TEST - timedelta(hours=2, minutes=i), tick=False):
            factories.complaint(people.alice, people.acme, description=text, order_number=f"O{i}",
                                amount=Decimal("199.00"), category="quality", kind="quality_issue")  # fmt: skip
    assert detect(HOUR_UNDER_TEST) == 1
    alert = Alert.objects.get(kind="mass_incident")
    assert alert.category.code == "quality"
    assert alert.facts == {
        "shop": "Acme Online", "pattern": "amount", "value": "", "amount": "199.00", "category": "quality",
        "observed": 5, "window_hours": 24,
    }  # fmt: skip
    assert alert.shown_title == (
        "Mass-incident risk at Acme Online: 5 complaints of the same amount (¥199.00) in “Quality” within 24 hours"
    )
