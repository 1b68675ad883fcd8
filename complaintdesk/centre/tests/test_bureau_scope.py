"""Bureau scoping of every regulator-side read (SPEC §11, issue 14 item 1), without HTTP: a district
bureau's officer sees the shops in its charge and everything about them, and the complaints and matters its
bureau holds; nothing of another district's in any list, count or statistic. A city-level officer (or one
without a bureau) sees every bureau's, and may narrow to one.

The world (`bureau_world`): D1 has Acme, D2 has Bazaar; one of Acme's complaints was transferred to D2."""

import pytest
from django.http import Http404
from django.utils import timezone

from complaintdesk.centre.jurisdiction import in_charge, shops_in_charge
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.stats import queries
from complaintdesk.stats.models import ALL_BUREAUS, ALL_SHOPS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.scope import bureau_scope, bureaus_in_scope, shop_scope

pytestmark = pytest.mark.django_db


def this_year() -> Period:
    today = timezone.localdate()
    return Period(today.replace(month=1, day=1), today)


# ------------------------------------------------------------------------------------------------ shops


def test_a_district_officer_is_in_charge_of_its_district_shops_only(world):
    assert list(shops_in_charge(world.d1.officer)) == [world.d1.shop]
    assert list(shops_in_charge(world.d2.officer)) == [world.d2.shop]


def test_a_city_level_officer_and_one_without_a_bureau_are_in_charge_of_every_shop(world):
    for officer in (world.city_officer, world.rita):
        assert set(shops_in_charge(officer)) == {world.d1.shop, world.d2.shop}
        assert in_charge(officer, "merchant__") == in_charge(officer)  # no condition at all


# ------------------------------------------------------------------------------------------- statistics


def test_shop_scope_gives_a_district_officer_the_shops_in_its_charge(world):
    assert shop_scope(world.d1.officer) == frozenset({world.d1.shop.pk})
    assert shop_scope(world.d1.officer, world.d1.shop.pk) == world.d1.shop.pk
    with pytest.raises(Http404):
        shop_scope(world.d1.officer, world.d2.shop.pk)


def test_shop_scope_gives_a_city_level_officer_every_shop_or_the_one_asked_for(world):
    assert shop_scope(world.city_officer) == ALL_SHOPS
    assert shop_scope(world.city_officer, world.d2.shop.pk) == world.d2.shop.pk


def test_a_district_officers_figures_are_its_shops_summed(world):
    period = this_year()
    d1 = queries.summary(period, shop_scope(world.d1.officer))
    d2 = queries.summary(period, shop_scope(world.d2.officer))
    every = queries.summary(period, shop_scope(world.city_officer))
    # Acme's three complaints (the one transferred to D2 is still Acme's: the shop's figures are D1's).
    assert (d1["count"], d2["count"], every["count"]) == (3, 2, 5)
    assert d1["merchant"] is None
    first = d1["compliance"]["phases"]["first_response"]
    assert first["deadlines"] == 3
    assert every["compliance"]["phases"]["first_response"]["deadlines"] == 5
    by_shop = queries.breakdown(period, "shop", shop_scope(world.d1.officer))
    assert [r["key"] for r in by_shop["rows"]] == [str(world.d1.shop.pk)]
    points = queries.series(period, "month", shop_scope(world.d1.officer))["points"]
    assert sum(p["count"] for p in points) == 3


def test_several_shops_sum_to_what_each_shop_has(world):
    period = this_year()
    both = queries.summary(period, frozenset({world.d1.shop.pk, world.d2.shop.pk}))
    assert both["count"] == queries.summary(period, ALL_SHOPS)["count"]
    assert both["compliance"]["phases"] == queries.summary(period, ALL_SHOPS)["compliance"]["phases"]
    assert queries.summary(period, frozenset())["count"] == 0


def test_bureau_scope_gives_a_district_officer_its_own_bureau_only(world):
    assert bureau_scope(world.d1.officer) == world.d1.bureau.pk
    assert bureau_scope(world.d1.officer, world.d1.bureau.pk) == world.d1.bureau.pk
    for other in (world.d2.bureau.pk, world.city.pk, 999999):
        with pytest.raises(Http404):
            bureau_scope(world.d1.officer, other)
    assert list(bureaus_in_scope(world.d1.officer)) == [world.d1.bureau]


def test_bureau_scope_gives_a_city_level_officer_every_bureau_or_one(world):
    assert bureau_scope(world.city_officer) == ALL_BUREAUS
    assert bureau_scope(world.rita, world.d2.bureau.pk) == world.d2.bureau.pk
    with pytest.raises(Http404):
        bureau_scope(world.city_officer, 999999)
    assert list(bureaus_in_scope(world.city_officer)) == [world.city, world.d1.bureau, world.d2.bureau]
    assert list(bureaus_in_scope(world.city_officer, world.d1.bureau.pk)) == [world.d1.bureau]
