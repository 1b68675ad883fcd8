"""PostgreSQL knows that a complaint's bureau follows from its shop (`complaints` 0018): with the columns taken
as independent it counted a district's list of its biggest shop by ANDing the bitmaps of the whole shop and
the whole bureau (330 ms at 10 M complaints); knowing the dependency, it walks the shop's index to the cap."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="extended statistics are PostgreSQL's")
def test_the_planner_is_told_that_a_complaints_bureau_follows_its_shop():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.stxkind, array_agg(a.attname ORDER BY a.attname) FROM pg_statistic_ext s "
            "JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys) "
            "WHERE s.stxname = 'complaint_shop_bureau' AND s.stxrelid = 'complaints_complaint'::regclass "
            "GROUP BY s.stxkind"
        )
        assert cursor.fetchall() == [(["f"], ["bureau_id", "merchant_id"])]
