"""`lib.ids.one_of`: a long list of ids as one parameter (the search's candidates, the shops named by a
city's breakdown by shop), on both databases."""

import pytest

from complaintdesk.complaints.management.commands.seed_demo import credit_code
from complaintdesk.lib.ids import as_array, one_of
from complaintdesk.merchants.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    return [Merchant.objects.create(name=f"Shop {n}", credit_code=credit_code(n)) for n in range(4)]


def test_the_rows_of_the_ids_given_and_only_those(shops):
    wanted = [shops[2].pk, shops[0].pk, shops[2].pk, 10**12]  # a duplicate, and an id with no row
    found = Merchant.objects.filter(pk__in=one_of(wanted)).order_by("pk")
    assert list(found) == [shops[0], shops[2]]
    assert not Merchant.objects.filter(pk__in=one_of([])).exists()


def test_thousands_of_ids_are_one_parameter(shops):
    ids = [s.pk for s in shops] + list(range(10**9, 10**9 + 5_000))
    sql, params = Merchant.objects.filter(pk__in=one_of(ids)).query.sql_with_params()
    assert len(params) == 1, sql
    assert Merchant.objects.filter(pk__in=one_of(ids)).count() == 4


def test_an_array_is_postgresqls_text_of_one():
    assert as_array([3, 1, 2]) == "{3,1,2}"
    assert as_array([]) == "{}"
