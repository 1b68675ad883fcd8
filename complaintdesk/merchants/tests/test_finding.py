"""The shop a typed name means (merchants.finding): the exact name, else the same name but for case, else the one
shop whose name holds it; several: the first CHOICES by name and whether more fit. Inactive shops are never
found, and the number of queries does not grow with the number of shops."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.merchants import finding
from complaintdesk.merchants.models import Merchant
from conftest import credit_code

pytestmark = pytest.mark.django_db


def shops(*names, active=True) -> list[Merchant]:
    start = Merchant.objects.count() + 1
    return [
        Merchant.objects.create(name=name, credit_code=credit_code(start + i), is_active=active)
        for i, name in enumerate(names)
    ]


def test_the_exact_name_finds_its_shop_even_when_other_names_hold_it():
    acme, _outlet = shops("Acme", "Acme Outlet")
    assert finding.by_name("Acme") == finding.Found(shop=acme)
    assert finding.by_name("  Acme \n") == finding.Found(shop=acme)  # a pasted name's spaces


def test_the_same_name_but_for_case_wins_over_names_that_hold_it():
    acme, _outlet = shops("ACME", "Acme Outlet")
    assert finding.by_name("acme").shop == acme


def test_a_part_of_one_shops_name_finds_it_in_chinese_too():
    _acme, shop = shops("Acme Online", "京华旗舰店")
    assert finding.by_name("旗舰").shop == shop
    assert finding.by_name("ONLINE").shop.name == "Acme Online"


def test_a_name_several_shops_hold_gives_them_by_name_and_nothing_is_chosen():
    b, a = shops("Mall B", "Mall A")
    assert finding.by_name("mall") == finding.Found(candidates=[a, b], more=False)


def test_two_shops_of_one_name_are_both_offered():
    first, second = shops("Twin", "Twin")
    assert finding.by_name("Twin") == finding.Found(candidates=[first, second], more=False)


def test_more_than_the_choices_offers_the_first_ones_and_says_there_are_more():
    many = shops(*(f"Shop {i:02}" for i in range(finding.CHOICES + 3)))
    found = finding.by_name("shop")
    assert found.shop is None and found.more and found.candidates == many[: finding.CHOICES]


def test_nothing_fits_an_unknown_name_an_empty_one_or_an_inactive_shop():
    shops("Closed Shop", active=False)
    assert finding.by_name("Nowhere") == finding.Found()
    assert finding.by_name("   ") == finding.Found()
    assert finding.by_name("Closed Shop") == finding.Found()
    closed = Merchant.objects.get()
    assert finding.active_shop(closed.pk) is None and finding.name_of(closed.pk) is None


def test_like_wildcards_in_a_name_are_plain_characters():
    shops("100% Cotton", "Cotton_Co")
    assert finding.by_name("%").shop.name == "100% Cotton"
    assert finding.by_name("_").shop.name == "Cotton_Co"


def test_the_queries_do_not_grow_with_the_shops():
    def queries(text: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            finding.by_name(text)
        return len(ctx.captured_queries)

    shops("Acme", "Mall A", "Mall B")
    few = [queries("Acme"), queries("mall"), queries("nowhere")]
    shops(*(f"Mall {i:03}" for i in range(200)))
    assert [queries("Acme"), queries("mall"), queries("nowhere")] == few == [1, 2, 2]
