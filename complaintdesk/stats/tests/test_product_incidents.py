"""The mass-incident warning's "same product": how consumers' names and links of a product are folded
together, and one alert per shop and product within the window."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.alerts.models import Alert
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import detectors
from complaintdesk.stats.detectors import product_key

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 11, 10, tzinfo=SH)

SAME_PRODUCT = [
    ["iPhone 15 Pro 256G", "ｉＰｈｏｎｅ１５ Pro  256g", "iphone15pro 256g", "IPHONE-15-PRO (256G)"],
    ["华为 Mate60 Pro 12+512G", "华为Mate60Pro（12+512G）", "华为 mate 60 pro 12＋512g"],
    [
        "https://item.jd.com/100012043978.html",
        "https://item.jd.com/100012043978.html?spm=a.b.c&pvid=7f3e#crumb-wrap",
        "HTTPS://ITEM.JD.COM/100012043978.html/",
        "【京东】https://item.jd.com/100012043978.html?utm_source=weixin 快来看看",
    ],
    [
        "https://item.taobao.com/item.htm?id=738291039213",
        "https://item.taobao.com/item.htm?spm=a21n57.1.0.0&id=738291039213&ns=1&abbucket=9",
        "【淘宝】https://item.taobao.com/item.htm?id=738291039213&ali_trackid=2:mm_1「Apple/苹果 iPhone 15」",
    ],
    ["https://www.amazon.cn/dp/B0CHX1W1XY", "https://amazon.cn/dp/B0CHX1W1XY/?th=1&psc=1"],
]
OTHER_PRODUCTS = [
    ("iPhone 15 Pro 256G", "iPhone 15 Pro 512G"),
    ("iPhone 15 Pro", "iPhone 15 Pro+"),
    ("华为 Mate60 Pro", "华为 Mate60"),
    ("https://item.taobao.com/item.htm?id=738291039213", "https://item.taobao.com/item.htm?id=612345678901"),
    ("https://item.jd.com/100012043978.html", "https://item.jd.com/100038004353.html"),
]


@pytest.mark.parametrize("spellings", SAME_PRODUCT, ids=["latin", "chinese", "jd-link", "taobao-link", "www"])
def test_one_product_named_in_many_ways_has_one_key(spellings):
    keys = {product_key(s) for s in spellings}
    assert len(keys) == 1 and keys != {""}


@pytest.mark.parametrize(("one", "other"), OTHER_PRODUCTS)
def test_two_products_have_two_keys(one, other):
    assert product_key(one) != product_key(other)


@pytest.mark.parametrize("nothing", ["", "   ", "--", "+", "https://www.jd.com/", "？！"])
def test_no_product_has_no_key(nothing):
    assert product_key(nothing) == ""


def test_a_link_is_keyed_by_host_path_and_the_item_it_names():
    assert product_key(SAME_PRODUCT[2][1]) == "item.jd.com/100012043978.html"
    assert product_key(SAME_PRODUCT[3][1]) == "item.taobao.com/item.htm?id=738291039213"
    assert product_key("https://detail.tmall.com/item.htm?skuId=5123&id=7382&spm=x") == (
        "detail.tmall.com/item.htm?id=7382&skuid=5123"
    )


# Texts too different to be near-duplicates, order numbers without a batch part: only the product links them.
TEXTS = [
    "屏幕一天后开始闪烁，申请换货。",
    "The battery is empty after two hours of standby.",
    "Face ID stopped working on the third day.",
    "收到的是翻新机，包装被拆过。",
    "The charger and the cable were missing from the box.",
    "扬声器有杂音，通话听不清。",
]


def file(people, products, start=NOW - timedelta(hours=3), amount=None):
    made = []
    for i, product in enumerate(products):
        with time_machine.travel(start + timedelta(minutes=11 * i), tick=False):
            made.append(
                factories.complaint(people.alice, people.acme, product=product, description=TEXTS[i % len(TEXTS)],
                                    order_number=f"X{i}", amount=amount or Decimal(100 + i))
            )  # fmt: skip
    return made


def detect(when=NOW):
    return detectors.run(when, force=True)


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.COMPLAINTDESK_EARLY_WARNING = {"min_count": 50, "mass_min_complaints": 5}


@pytest.mark.django_db
def test_five_complaints_about_one_product_are_one_mass_incident_however_they_spell_it(people):
    spellings = ["iPhone 15 Pro 256G", *SAME_PRODUCT[0][1:], "iPhone 15 Pro  256G"]
    same = file(people, spellings)
    file(people, ["iPhone 15 Pro 512G"], start=NOW - timedelta(hours=4))
    assert detect() == 1
    alert = Alert.objects.get(kind="mass_incident")
    assert alert.details["pattern"] == "product" and alert.details["value"] == "iPhone 15 Pro 256G"
    assert 'with the same product: "iPhone 15 Pro 256G" within 24 h' in alert.title
    assert set(alert.complaints.all()) == set(same) and alert.observed == 5
    # Later passes raise nothing new; one more complaint joins the same alert.
    assert detect(NOW + timedelta(minutes=5)) == 0
    more = file(people, ["iphone 15 pro 256g"], start=NOW + timedelta(minutes=6))
    assert detect(NOW + timedelta(minutes=10)) == 0
    assert set(alert.complaints.all()) == set(same + more)
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_as_many_complaints_spread_over_different_products_are_no_incident(people):
    # Same amount and category too: for complaints that name their product, that is no sign any more.
    file(people, ["iPhone 15 Pro 256G", "iPhone 15 Pro 512G", "iPhone 15 Pro+", "华为 Mate60", "AirPods Pro 2"],
         amount=Decimal("99.00"))  # fmt: skip
    assert detect() == 0
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_without_a_product_the_same_amount_and_category_still_stands_for_one(people):
    file(people, [""] * 5, amount=Decimal("99.00"))
    assert detect() == 1
    assert Alert.objects.get().details["pattern"] == "amount"


@pytest.mark.django_db
def test_four_in_the_window_and_one_the_day_before_are_no_incident(people):
    file(people, ["iPhone 15 Pro 256G"] * 4)
    file(people, ["iPhone 15 Pro 256G"], start=NOW - timedelta(hours=30))
    assert detect() == 0


@pytest.mark.django_db
def test_links_with_and_without_tracking_are_one_product_and_two_taobao_items_are_two(people):
    jd = file(people, [*SAME_PRODUCT[2], SAME_PRODUCT[2][0]])
    file(people, [SAME_PRODUCT[3][0]] * 3 + ["https://item.taobao.com/item.htm?id=612345678901"] * 2)
    assert detect() == 1
    alert = Alert.objects.get()
    assert alert.details["value"] == "item.jd.com/100012043978.html"  # no tracking query in the alert
    assert set(alert.complaints.all()) == set(jd)


@pytest.mark.django_db
def test_the_same_product_with_nearly_the_same_text_is_one_alert_naming_the_product(people):
    text = "双十一买的罗马仕充电宝充不进电，客服一直不理我，要求退款。订单{}"
    for i in range(5):
        with time_machine.travel(NOW - timedelta(hours=2, minutes=i), tick=False):
            factories.complaint(people.alice, people.acme, product="罗马仕 20000mAh 充电宝",
                                description=text.format(1000 + i), amount=Decimal(10 + i))  # fmt: skip
    assert detect() == 1
    alert = Alert.objects.get()
    assert alert.details["pattern"] == "product" and alert.details["value"] == "罗马仕 20000mAh 充电宝"


@pytest.mark.django_db
def test_the_same_product_at_two_shops_is_no_incident_at_either(people):
    file(people, ["iPhone 15 Pro 256G"] * 3)
    for i in range(2):
        with time_machine.travel(NOW - timedelta(hours=1, minutes=i), tick=False):
            factories.complaint(
                people.erin, people.bazaar, product="iPhone 15 Pro 256G", description=TEXTS[i]
            )
    assert detect() == 0


@pytest.mark.parametrize("typed", ["https://item.jd.com[1].html", "https://[::1", "http://[bad/x?id=2"])
def test_a_link_that_is_no_url_is_read_as_a_name_not_an_error(typed):
    assert product_key(typed) == "".join(ch for ch in typed.casefold() if ch.isalnum() or ch == "+")


@pytest.mark.django_db
def test_complaints_naming_such_a_link_are_clustered_by_it(people):
    file(people, ["https://item.jd.com[1].html"] * 5)
    assert detect() == 1 and Alert.objects.get().details["pattern"] == "product"
